/**
 * Administration: record a merge, split or rename. The administrator picks the predecessors and the
 * successors (units that exist: create the new one first) and the effective date; the server closes
 * the predecessors the day before, opens the successors and links them, checking that nobody changed
 * a predecessor since it was shown here (its version).
 */
import { type FormEvent, useId, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { formatDate } from '../../lib/format.ts';
import type { ListOf, OrgUnit } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import { adminCrumbs, numberField, RequireAdmin, SaveSummary, TextInput, useSave } from './form.tsx';

type Kind = 'merge' | 'split' | 'rename';

function UnitRow({
  name,
  label,
  value,
  onChange,
  units,
  listId,
  error,
  onRemove,
  removeLabel,
  share,
}: {
  name: string;
  label: string;
  value: string;
  onChange(v: string): void;
  units: Map<string, OrgUnit>;
  listId: string;
  error: string | undefined;
  onRemove?: (() => void) | undefined;
  removeLabel: string;
  share?: { value: string; onChange(v: string): void; label: string; error: string | undefined } | undefined;
}) {
  const { t, lang } = useI18n();
  const u = units.get(value.trim());
  return (
    <li className="unit-row">
      <TextInput name={name} label={label} value={value} onChange={onChange} list={listId} error={error} />
      {share && (
        <TextInput
          name={`${name}-share`}
          label={share.label}
          value={share.value}
          onChange={share.onChange}
          error={share.error}
          inputMode="decimal"
        />
      )}
      <p className="unit-facts small" aria-live="polite">
        {u
          ? t('admin.reorg.unitFacts', {
              name: u.name_vi,
              from: u.valid_from ? formatDate(lang, u.valid_from) : t('admin.reorg.noStart'),
              to: u.valid_to ? formatDate(lang, u.valid_to) : t('units.now'),
              version: u.version,
            })
          : value.trim()
            ? t('admin.reorg.unknownUnit')
            : ''}
      </p>
      {onRemove && (
        <button type="button" className="btn btn-secondary btn-small" onClick={onRemove}>
          {removeLabel}
        </button>
      )}
    </li>
  );
}

function ReorganisationForm() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const uid = useId();
  const save = useSave();
  const units = useApi<ListOf<OrgUnit>>('/api/org-units', { limit: 1000 }, { fresh: true });
  const [kind, setKind] = useState<Kind>('merge');
  const [date, setDate] = useState('');
  const [pre, setPre] = useState<string[]>(() => [params.get('from') ?? '', '']);
  const [suc, setSuc] = useState<Array<{ code: string; share: string }>>([{ code: '', share: '' }]);
  const [source, setSource] = useState('');
  const byCode = useMemo(() => new Map((units.data?.items ?? []).map((u) => [u.code, u])), [units.data]);
  if (units.error) return <ErrorBox error={units.error} onRetry={units.reload} />;
  if (!units.data) return <Loading />;

  const choose = (k: Kind) => {
    setKind(k);
    if (k !== 'merge') setPre((p) => p.slice(0, 1));
    if (k === 'split' && suc.length < 2) setSuc((s) => [...s, { code: '', share: '' }]);
    if (k !== 'split') setSuc((s) => s.slice(0, 1).map((x) => ({ ...x, share: '' })));
  };
  const err = (f: string) => save.fieldError(f);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      kind,
      effective_date: date,
      predecessors: pre
        .filter((c) => c.trim())
        .map((c) => ({ code: c.trim(), version: byCode.get(c.trim())?.version ?? 0 })),
      successors: suc
        .filter((s) => s.code.trim())
        .map((s) => ({
          code: s.code.trim(),
          ...(kind === 'split' && s.share.trim() ? { share: numberField(lang, s.share) } : {}),
        })),
      source: source.trim() || null,
    };
    const r = await save.run(() => api.post('/api/org-reorganisations', body));
    if (!r) {
      // someone changed a unit in between: show the units as they are now
      units.reload();
      return;
    }
    invalidate('/api/org-units', '/api/org-reorganisations', '/api/values', '/api/progress');
    navigate('/admin/reorganisations', { replace: false });
  };
  const conflict = save.error?.code === 'conflict.stale_version';
  const listId = `${uid}-units`;
  return (
    <form className="form admin-form" onSubmit={onSubmit} noValidate>
      <SaveSummary save={save} known={['kind', 'effective_date', 'predecessors', 'successors', 'source']} />
      {conflict && save.error && (
        <div className="notice notice-warning" role="alert" tabIndex={-1} ref={save.summaryRef}>
          <p>
            <strong>{t('admin.conflict.title')}</strong> {save.error.text(lang)}
          </p>
          <p>{t('admin.reorg.conflictReloaded')}</p>
        </div>
      )}
      <datalist id={listId}>
        {units.data.items.map((u) => (
          <option key={u.code} value={u.code}>
            {u.name_vi}
          </option>
        ))}
      </datalist>
      <fieldset className="admin-fieldset" id="f-kind">
        <legend>{t('admin.reorg.kind')}</legend>
        <div className="radio-row">
          {(['merge', 'split', 'rename'] as const).map((k) => (
            <div className="field field-check" key={k}>
              <input
                type="radio"
                id={`${uid}-${k}`}
                name={`${uid}-kind`}
                checked={kind === k}
                onChange={() => choose(k)}
              />
              <label htmlFor={`${uid}-${k}`}>{t(`admin.reorg.kinds.${k}`)}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <TextInput
        name="effective_date"
        type="date"
        label={t('admin.reorg.effectiveDate')}
        value={date}
        onChange={setDate}
        error={err('effective_date')}
        hint={t('admin.reorg.effectiveDateHint')}
        required
      />
      <fieldset className="admin-fieldset" id="f-predecessors">
        <legend>{t('admin.reorg.predecessors')}</legend>
        {err('predecessors') && !save.problemFor('predecessors')?.field?.match(/\.\d+\./) && (
          <p className="field-error">{err('predecessors')}</p>
        )}
        <ol className="unit-rows">
          {pre.map((c, i) => (
            <UnitRow
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list being edited
              key={i}
              name={`predecessors-${i}`}
              label={t('admin.reorg.predecessorN', { n: i + 1 })}
              value={c}
              onChange={(v) => setPre((p) => p.map((x, j) => (j === i ? v : x)))}
              units={byCode}
              listId={listId}
              error={err(`predecessors.${i}`)}
              removeLabel={t('admin.reorg.remove', { n: i + 1 })}
              onRemove={
                kind === 'merge' && pre.length > 2
                  ? () => setPre((p) => p.filter((_, j) => j !== i))
                  : undefined
              }
            />
          ))}
        </ol>
        {kind === 'merge' && (
          <button type="button" className="btn btn-secondary" onClick={() => setPre((p) => [...p, ''])}>
            {t('admin.reorg.addPredecessor')}
          </button>
        )}
      </fieldset>
      <fieldset className="admin-fieldset" id="f-successors">
        <legend>{t('admin.reorg.successors')}</legend>
        <p className="muted small">
          {t('admin.reorg.successorHint')} <Link to="/admin/units/new">{t('admin.units.new')}</Link>
        </p>
        {err('successors') && !save.problemFor('successors')?.field?.match(/\.\d+\./) && (
          <p className="field-error">{err('successors')}</p>
        )}
        <ol className="unit-rows">
          {suc.map((s, i) => (
            <UnitRow
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list being edited
              key={i}
              name={`successors-${i}`}
              label={t('admin.reorg.successorN', { n: i + 1 })}
              value={s.code}
              onChange={(v) => setSuc((p) => p.map((x, j) => (j === i ? { ...x, code: v } : x)))}
              units={byCode}
              listId={listId}
              error={err(`successors.${i}.code`) ?? err(`successors.${i}.version`)}
              removeLabel={t('admin.reorg.remove', { n: i + 1 })}
              onRemove={
                kind === 'split' && suc.length > 2
                  ? () => setSuc((p) => p.filter((_, j) => j !== i))
                  : undefined
              }
              share={
                kind === 'split'
                  ? {
                      value: s.share,
                      onChange: (v) => setSuc((p) => p.map((x, j) => (j === i ? { ...x, share: v } : x))),
                      label: t('admin.reorg.share'),
                      error: err(`successors.${i}.share`),
                    }
                  : undefined
              }
            />
          ))}
        </ol>
        {kind === 'split' && (
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => setSuc((p) => [...p, { code: '', share: '' }])}
          >
            {t('admin.reorg.addSuccessor')}
          </button>
        )}
      </fieldset>
      <TextInput
        name="source"
        label={t('admin.reorg.source')}
        value={source}
        onChange={setSource}
        error={err('source')}
        hint={t('admin.reorg.sourceHint')}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.busy}>
          {save.busy ? t('admin.saving') : t('admin.reorg.record')}
        </button>
        <Link to="/admin/reorganisations">{t('admin.backToList')}</Link>
      </div>
    </form>
  );
}

export function Component() {
  const { t } = useI18n();
  return (
    <RequireAdmin>
      <PageHeader
        title={t('admin.reorg.new')}
        crumbs={[...adminCrumbs(t), { to: '/admin/reorganisations', label: t('admin.reorg.title') }]}
        lead={<p>{t('admin.reorg.newLead')}</p>}
      />
      <ReorganisationForm />
    </RequireAdmin>
  );
}
