/**
 * Opening a round (/admin/rounds/new): a form, a period of its type, the units that report (a
 * subtree, optionally only one level of it), the reporting window (Decree 09/2019 or the calendar
 * period) with its dates shown as they will apply, and the deadline (default: the window's).
 */
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { ChisoError } from '../../../core/errors.ts';
import { parsePeriod, reportingWindow } from '../../../core/period.ts';
import { SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { enumLabel, useLevels } from '../../lib/catalogue.ts';
import { formatDate, formatPeriod } from '../../lib/format.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import {
  ActionError,
  fieldErrors,
  RequireAdmin,
  TextField,
  UnitPicker,
  useAction,
  useAdminCrumbs,
} from './shared.tsx';
import type { FormSummary, Round } from './types.ts';

const EXAMPLE: Record<string, string> = { year: '2025', half: '2025S2', quarter: '2025Q4', month: '2025-11' };

function Opener({ forms }: { forms: FormSummary[] }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const levels = useLevels();
  const [form, setForm] = useState(forms[0]?.code ?? '');
  const [period, setPeriod] = useState('');
  const [unit, setUnit] = useState<string | null>(null);
  const [level, setLevel] = useState('');
  const [windowRule, setWindowRule] = useState<'decree09' | 'calendar'>('decree09');
  const [deadline, setDeadline] = useState('');
  const action = useAction();
  const errs = (f: string) => fieldErrors(action.error, lang, f);
  const chosen = forms.find((f) => f.code === form);

  const preview = useMemo(() => {
    if (!period.trim()) return null;
    try {
      const p = parsePeriod(period.trim());
      if (chosen && p.type !== chosen.period_type) {
        return {
          error: t('adminWf.open.wrongType', { type: enumLabel(t, 'periodType', chosen.period_type) }),
        };
      }
      return { window: reportingWindow(p, windowRule) };
    } catch (e) {
      const ce = e as ChisoError;
      return { error: lang === 'en' ? ce.en : ce.vi };
    }
  }, [period, windowRule, chosen, t, lang]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const out = await action.run(() =>
      api.post<Round>('/api/rounds', {
        form,
        period: period.trim(),
        org_unit: unit ?? '',
        level: level || null,
        window: windowRule,
        deadline: deadline || null,
      }),
    );
    if (!out) return;
    invalidate('/api/rounds', '/api/inbox', '/api/submissions');
    navigate(`/admin/rounds/${out.id}`);
  };

  return (
    <>
      <ActionError error={action.error} fields={['form', 'period', 'org_unit', 'level', 'deadline']} />
      <form className="form admin-form" onSubmit={onSubmit} noValidate>
        <SelectField
          label={t('adminWf.open.form')}
          value={form}
          onChange={setForm}
          options={forms.map((f) => ({
            value: f.code,
            label: `${f.code} · ${pick(lang, f.name_vi, f.name_en)} (${enumLabel(t, 'periodType', f.period_type)})`,
          }))}
        />
        <TextField
          label={t('adminWf.open.period')}
          value={period}
          onChange={setPeriod}
          required
          mono
          errors={[...errs('period'), ...(preview?.error ? [preview.error] : [])]}
          help={t('adminWf.open.periodHelp', { example: EXAMPLE[chosen?.period_type ?? 'year'] ?? '2025' })}
        />
        <UnitPicker
          label={t('adminWf.open.units')}
          value={unit}
          onChange={(c) => setUnit(c)}
          errors={errs('org_unit')}
        />
        <SelectField
          label={t('adminWf.open.level')}
          value={level}
          onChange={setLevel}
          allLabel={t('adminWf.open.everyLevel')}
          options={(levels ?? []).map((l) => ({ value: l.code, label: pick(lang, l.name_vi, l.name_en) }))}
        />
        <SelectField
          label={t('adminWf.open.window')}
          value={windowRule}
          onChange={(v) => setWindowRule(v as 'decree09' | 'calendar')}
          options={[
            { value: 'decree09', label: t('adminWf.open.decree09') },
            { value: 'calendar', label: t('adminWf.open.calendar') },
          ]}
        />
        {preview?.window && (
          <div className="notice" role="status">
            <p>
              <strong>{t('adminWf.open.windowTitle', { period: formatPeriod(lang, period.trim()) })}</strong>
            </p>
            <ul>
              <li>
                {t('adminWf.open.dataRange', {
                  from: formatDate(lang, preview.window.dataFrom),
                  to: formatDate(lang, preview.window.dataTo),
                })}
              </li>
              <li>{t('adminWf.open.cutoff', { date: formatDate(lang, preview.window.cutoff) })}</li>
              <li>
                {t('adminWf.open.defaultDeadline', { date: formatDate(lang, preview.window.deadline) })}
              </li>
            </ul>
          </div>
        )}
        <TextField
          label={t('adminWf.open.deadline')}
          type="date"
          value={deadline}
          onChange={setDeadline}
          errors={errs('deadline')}
          help={t('adminWf.open.deadlineHelp')}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || !form}>
            {t('adminWf.rounds.openRound')}
          </button>
          <Link to="/admin/rounds">{t('adminWf.back')}</Link>
        </div>
      </form>
    </>
  );
}

function Load() {
  const forms = useApi<{ items: FormSummary[] }>('/api/forms', undefined, { fresh: true });
  if (forms.error) return <ErrorBox error={forms.error} />;
  if (!forms.data) return <Loading />;
  return <Opener forms={forms.data.items} />;
}

export function Component() {
  const { t } = useI18n();
  const crumbs = [...useAdminCrumbs(), { to: '/admin/rounds', label: t('adminWf.rounds.title') }];
  return (
    <RequireAdmin>
      <div className="narrow-wide">
        <PageHeader
          title={t('adminWf.rounds.openRound')}
          crumbs={crumbs}
          lead={<p>{t('adminWf.open.lead')}</p>}
        />
        <Load />
      </div>
    </RequireAdmin>
  );
}
