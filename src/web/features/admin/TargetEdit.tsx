/**
 * Administration: create or edit a target — indicator × (one unit, or every unit of a level) ×
 * period, with its comparator (≥ ≤ = or a range), value, baseline and the document that set it.
 */
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Key, pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { formatTarget, useLevels } from '../../lib/catalogue.ts';
import { formatDate } from '../../lib/format.ts';
import { toInput } from '../../lib/parse.ts';
import type { Indicator, ListOf, OrgUnit, SourceDocument, Target } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import { ArchiveTargetDialog } from './ArchiveTargetDialog.tsx';
import {
  adminCrumbs,
  ConflictNotice,
  numberField,
  RequireAdmin,
  SaveSummary,
  Select,
  TextArea,
  TextInput,
  useSave,
} from './form.tsx';

interface FormState {
  indicator: string;
  scope: 'unit' | 'level';
  org_unit: string;
  org_level: string;
  period: string;
  comparator: string;
  value: string;
  value_max: string;
  baseline_period: string;
  baseline_value: string;
  source_document: string;
  quote: string;
  note: string;
}

const LABELS: Record<string, Key> = {
  indicator: 'admin.target.indicator',
  org_unit: 'admin.target.orgUnit',
  org_level: 'admin.target.orgLevel',
  period: 'admin.target.period',
  comparator: 'admin.target.comparator',
  value: 'admin.target.value',
  value_max: 'admin.target.valueMax',
  baseline_period: 'admin.target.baselinePeriod',
  baseline_value: 'admin.target.baselineValue',
  source_document: 'admin.target.sourceDocument',
  quote: 'admin.target.quote',
  note: 'admin.target.note',
};

const fromTarget = (x: Target, lang: 'vi' | 'en'): FormState => ({
  indicator: x.indicator_code,
  scope: x.scope,
  org_unit: x.org_unit_code ?? '',
  org_level: x.scope === 'level' ? x.org_level : '',
  period: x.period,
  comparator: x.comparator,
  value: toInput(lang, x.value),
  value_max: toInput(lang, x.value_max),
  baseline_period: x.baseline_period ?? '',
  baseline_value: toInput(lang, x.baseline_value),
  source_document: x.source_document ?? '',
  quote: x.quote ?? '',
  note: x.note ?? '',
});

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

function TargetForm({ current }: { current: Target | null }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const save = useSave();
  const uid = useId();
  const [f, setF] = useState<FormState>(() =>
    current
      ? fromTarget(current, lang)
      : {
          indicator: params.get('indicator') ?? '',
          scope: 'unit',
          org_unit: '',
          org_level: '',
          period: '',
          comparator: '>=',
          value: '',
          value_max: '',
          baseline_period: '',
          baseline_value: '',
          source_document: '',
          quote: '',
          note: '',
        },
  );
  const [version, setVersion] = useState(current?.version ?? 0);
  const [saved, setSaved] = useState(Boolean((location.state as { saved?: boolean } | null)?.saved));
  const [last, setLast] = useState<Target | null>(current);
  const set =
    <K extends keyof FormState>(k: K) =>
    (v: FormState[K]) => {
      setSaved(false);
      setF((s) => ({ ...s, [k]: v }));
    };
  const indicators = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 });
  const docs = useApi<ListOf<SourceDocument>>('/api/documents', { limit: 1000 });
  const today = new Date().toISOString().slice(0, 10);
  const units = useApi<ListOf<OrgUnit>>('/api/org-units', { valid_on: today, limit: 1000 });
  const levels = useLevels();
  const ind = indicators.data?.items.find((i) => i.code === f.indicator);
  const err = (k: string) => save.fieldError(k);

  const payload = () => ({
    ...(current ? {} : { indicator: f.indicator }),
    org_unit: f.scope === 'unit' ? orNull(f.org_unit) : null,
    org_level: f.scope === 'level' ? orNull(f.org_level) : null,
    period: f.period.trim(),
    comparator: f.comparator,
    value: numberField(lang, f.value) ?? f.value,
    value_max: f.comparator === 'range' ? numberField(lang, f.value_max) : null,
    baseline_period: orNull(f.baseline_period),
    baseline_value: numberField(lang, f.baseline_value),
    source_document: orNull(f.source_document),
    quote: orNull(f.quote),
    note: orNull(f.note),
  });
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await save.run(() =>
      current
        ? api.patch<Target>(`/api/targets/${current.id}`, { ...payload(), version })
        : api.post<Target>('/api/targets', payload()),
    );
    if (!r) return;
    invalidate('/api/targets', '/api/progress', '/api/indicators');
    if (current) {
      setF(fromTarget(r, lang));
      setVersion(r.version);
      setLast(r);
      setSaved(true);
    } else navigate(`/admin/targets/${r.id}`, { state: { saved: true } });
  };
  const labels = Object.fromEntries(Object.entries(LABELS).map(([k, v]) => [k, t(v)]));

  return (
    <form className="form admin-form" onSubmit={onSubmit} noValidate>
      {saved && last && (
        <div className="notice notice-success" role="status">
          <p>
            {t('admin.saved')} <strong>{formatTarget(lang, last)}</strong>{' '}
            <Link to={`/indicators/${encodeURIComponent(last.indicator_code)}`}>
              {t('admin.target.viewIndicator')}
            </Link>
          </p>
        </div>
      )}
      <SaveSummary save={save} known={[...Object.keys(LABELS), 'scope']} />
      <ConflictNotice
        save={save}
        mine={payload()}
        labels={labels}
        onReload={(cur) => {
          if (cur) {
            setF(fromTarget(cur as unknown as Target, lang));
            setVersion((cur as unknown as Target).version);
          }
        }}
      />
      {current ? (
        <p>
          <span className="code">{current.indicator_code}</span>{' '}
          {pick(lang, current.indicator_name_vi, current.indicator_name_en)}
        </p>
      ) : (
        <Select
          name="indicator"
          label={labels.indicator!}
          value={f.indicator}
          onChange={set('indicator')}
          error={err('indicator')}
          empty={t('admin.choose')}
          required
          options={(indicators.data?.items ?? []).map((i) => ({
            value: i.code,
            label: `${i.code} — ${pick(lang, i.name_vi, i.name_en)}`,
          }))}
        />
      )}
      {ind && (
        <p className="muted small">
          {t('admin.target.indicatorFacts', {
            unit: ind.unit || '–',
            levels: ind.levels.join(', ') || '–',
          })}
        </p>
      )}
      <fieldset className="admin-fieldset" id="f-scope">
        <legend>{t('admin.target.scope')}</legend>
        <div className="radio-row">
          <div className="field field-check">
            <input
              type="radio"
              id={`${uid}-unit`}
              name={`${uid}-scope`}
              checked={f.scope === 'unit'}
              onChange={() => set('scope')('unit')}
            />
            <label htmlFor={`${uid}-unit`}>{t('admin.target.scopeUnit')}</label>
          </div>
          <div className="field field-check">
            <input
              type="radio"
              id={`${uid}-level`}
              name={`${uid}-scope`}
              checked={f.scope === 'level'}
              onChange={() => set('scope')('level')}
            />
            <label htmlFor={`${uid}-level`}>{t('admin.target.scopeLevel')}</label>
          </div>
        </div>
        {f.scope === 'unit' ? (
          <>
            <TextInput
              name="org_unit"
              label={labels.org_unit!}
              value={f.org_unit}
              onChange={set('org_unit')}
              error={err('org_unit') ?? err('scope')}
              list={`${uid}-units`}
              hint={t('admin.target.orgUnitHint')}
              required
            />
            <datalist id={`${uid}-units`}>
              {(units.data?.items ?? []).map((u) => (
                <option key={u.code} value={u.code}>
                  {u.name_vi}
                </option>
              ))}
            </datalist>
          </>
        ) : (
          <Select
            name="org_level"
            label={labels.org_level!}
            value={f.org_level}
            onChange={set('org_level')}
            error={err('org_level')}
            empty={t('admin.choose')}
            required
            options={(levels ?? []).map((l) => ({ value: l.code, label: pick(lang, l.name_vi, l.name_en) }))}
          />
        )}
      </fieldset>
      <div className="form-row">
        <TextInput
          name="period"
          label={labels.period!}
          value={f.period}
          onChange={set('period')}
          error={err('period')}
          hint={t('admin.target.periodHint')}
          required
        />
        <Select
          name="comparator"
          label={labels.comparator!}
          value={f.comparator}
          onChange={set('comparator')}
          error={err('comparator')}
          options={[
            { value: '>=', label: t('admin.target.cmp.ge') },
            { value: '<=', label: t('admin.target.cmp.le') },
            { value: '=', label: t('admin.target.cmp.eq') },
            { value: 'range', label: t('admin.target.cmp.range') },
          ]}
        />
        <TextInput
          name="value"
          label={f.comparator === 'range' ? t('admin.target.valueMin') : labels.value!}
          value={f.value}
          onChange={set('value')}
          error={err('value')}
          inputMode="decimal"
          required
        />
        {f.comparator === 'range' && (
          <TextInput
            name="value_max"
            label={labels.value_max!}
            value={f.value_max}
            onChange={set('value_max')}
            error={err('value_max')}
            inputMode="decimal"
            required
          />
        )}
      </div>
      <div className="form-row">
        <TextInput
          name="baseline_period"
          label={labels.baseline_period!}
          value={f.baseline_period}
          onChange={set('baseline_period')}
          error={err('baseline_period')}
        />
        <TextInput
          name="baseline_value"
          label={labels.baseline_value!}
          value={f.baseline_value}
          onChange={set('baseline_value')}
          error={err('baseline_value')}
          inputMode="decimal"
        />
        <Select
          name="source_document"
          label={labels.source_document!}
          value={f.source_document}
          onChange={set('source_document')}
          error={err('source_document')}
          empty={t('admin.none')}
          options={(docs.data?.items ?? []).map((d) => ({
            value: d.code,
            label: `${d.code} — ${pick(lang, d.title_vi, d.title_en)}`.slice(0, 120),
          }))}
        />
      </div>
      <TextArea
        name="quote"
        label={labels.quote!}
        value={f.quote}
        onChange={set('quote')}
        error={err('quote')}
        hint={t('admin.target.quoteHint')}
      />
      <TextArea
        name="note"
        label={labels.note!}
        value={f.note}
        onChange={set('note')}
        error={err('note')}
        rows={2}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.busy}>
          {save.busy ? t('admin.saving') : current ? t('admin.save') : t('admin.targets.create')}
        </button>
        <Link to="/admin/targets">{t('admin.backToList')}</Link>
      </div>
    </form>
  );
}

function TargetEdit() {
  const { t, lang } = useI18n();
  const id = useParams().id;
  const one = useApi<Target>(id === undefined ? null : `/api/targets/${encodeURIComponent(id)}`, undefined, {
    fresh: true,
  });
  const [archiving, setArchiving] = useState(false);
  const crumbs = [...adminCrumbs(t), { to: '/admin/targets', label: t('admin.targets.title') }];
  if (id === undefined) {
    return (
      <>
        <PageHeader title={t('admin.targets.new')} crumbs={crumbs} />
        <TargetForm current={null} />
      </>
    );
  }
  if (one.error) {
    return (
      <>
        <PageHeader title={t('admin.targets.one', { id })} crumbs={crumbs} />
        <ErrorBox error={one.error} onRetry={one.reload} />
      </>
    );
  }
  if (!one.data) return <Loading />;
  const target = one.data;
  return (
    <>
      <PageHeader
        kicker={<span className="code">{target.indicator_code}</span>}
        title={t('admin.targets.editTitle', {
          target: formatTarget(lang, target),
          period: target.period,
        })}
        crumbs={crumbs}
      />
      {target.archived_at ? (
        <div className="notice notice-warning">
          <p>
            {t('admin.targets.isArchived', {
              date: formatDate(lang, target.archived_at.slice(0, 10)),
              reason: target.archive_reason ?? '–',
            })}
          </p>
          <p>
            <Link to="/admin/targets?archived=1">{t('admin.targets.archivedTitle')}</Link>
          </p>
        </div>
      ) : (
        <>
          <TargetForm key={target.id} current={target} />
          <section className="section" aria-labelledby="archive-target-h">
            <h2 id="archive-target-h">{t('admin.targets.archiveTitle')}</h2>
            <p className="muted">{t('admin.targets.archiveExplain')}</p>
            <button type="button" className="btn btn-danger" onClick={() => setArchiving(true)}>
              {t('admin.targets.archiveConfirm')}
            </button>
          </section>
          {archiving && (
            <ArchiveTargetDialog
              target={{
                id: target.id,
                version: target.version,
                label: [target.indicator_code, target.period, formatTarget(lang, target)].join(' · '),
              }}
              onClose={(ok) => {
                setArchiving(false);
                if (ok) one.reload();
              }}
            />
          )}
        </>
      )}
    </>
  );
}

export function Component() {
  return (
    <RequireAdmin>
      <TargetEdit />
    </RequireAdmin>
  );
}
