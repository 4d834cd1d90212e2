/** Administration: create an org unit (under a parent) or edit one — names, level, validity, source. */
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Key, pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { enumLabel, useLevels } from '../../lib/catalogue.ts';
import { formatDate } from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import type { ListOf, OrgUnit, OrgUnitDetail } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import {
  adminCrumbs,
  Check,
  ConflictNotice,
  RequireAdmin,
  SaveSummary,
  Select,
  TextArea,
  TextInput,
  useSave,
} from './form.tsx';

interface FormState {
  code: string;
  official_code: string;
  name_vi: string;
  name_en: string;
  type: string;
  level: string;
  parent: string;
  valid_from: string;
  valid_to: string;
  is_coordinator: boolean;
  source: string;
}

const LABELS: Record<Exclude<keyof FormState, 'is_coordinator'>, Key> = {
  code: 'admin.unit.code',
  official_code: 'admin.unit.officialCode',
  name_vi: 'admin.unit.nameVi',
  name_en: 'admin.unit.nameEn',
  type: 'admin.unit.type',
  level: 'admin.unit.level',
  parent: 'admin.unit.parent',
  valid_from: 'admin.unit.validFrom',
  valid_to: 'admin.unit.validTo',
  source: 'admin.unit.source',
};

const fromUnit = (u: OrgUnit | null): FormState => ({
  code: u?.code ?? '',
  official_code: u?.official_code ?? '',
  name_vi: u?.name_vi ?? '',
  name_en: u?.name_en ?? '',
  type: u?.type ?? '',
  level: u?.level ?? '',
  parent: u?.parent ?? '',
  valid_from: u?.valid_from ?? '',
  valid_to: u?.valid_to ?? '',
  is_coordinator: u?.is_coordinator ?? false,
  source: u?.source ?? '',
});

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

function UnitForm({ current }: { current: OrgUnit | null }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const save = useSave();
  const uid = useId();
  const [f, setF] = useState<FormState>(() => fromUnit(current));
  const [version, setVersion] = useState(current?.version ?? 0);
  const [saved, setSaved] = useState(Boolean((location.state as { saved?: boolean } | null)?.saved));
  const set =
    <K extends keyof FormState>(k: K) =>
    (v: FormState[K]) => {
      setSaved(false);
      setF((s) => ({ ...s, [k]: v }));
    };
  const levels = useLevels();
  const units = useApi<ListOf<OrgUnit>>(current ? null : '/api/org-units', { limit: 1000 });
  const err = (k: string) => save.fieldError(k);
  const payload = () => ({
    ...(current ? {} : { code: f.code.trim(), parent: orNull(f.parent) }),
    official_code: orNull(f.official_code),
    name_vi: f.name_vi.trim(),
    name_en: orNull(f.name_en),
    type: orNull(f.type),
    level: f.level,
    valid_from: orNull(f.valid_from),
    valid_to: orNull(f.valid_to),
    is_coordinator: f.is_coordinator,
    source: orNull(f.source),
  });
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await save.run(() =>
      current
        ? api.patch<OrgUnit>(`/api/org-units/${encodeURIComponent(current.code)}`, { ...payload(), version })
        : api.post<OrgUnit>('/api/org-units', payload()),
    );
    if (!r) return;
    invalidate('/api/org-units', '/api/progress');
    if (current) {
      setF(fromUnit(r));
      setVersion(r.version);
      setSaved(true);
    } else navigate(`/admin/units/${encodeURIComponent(r.code)}`, { state: { saved: true } });
  };
  const input = (
    k: keyof typeof LABELS,
    extra: { required?: boolean; type?: 'text' | 'date'; hint?: string; list?: string } = {},
  ) => (
    <TextInput
      name={k}
      label={t(LABELS[k])}
      value={f[k] as string}
      onChange={set(k) as (v: string) => void}
      error={err(k)}
      {...extra}
    />
  );
  return (
    <form className="form admin-form" onSubmit={onSubmit} noValidate>
      {saved && current && (
        <div className="notice notice-success" role="status">
          <p>
            {t('admin.saved')} <Link to={paths.unit(current.code)}>{t('admin.unit.viewPublic')}</Link>
          </p>
        </div>
      )}
      <SaveSummary save={save} known={[...Object.keys(LABELS), 'is_coordinator']} />
      <ConflictNotice
        save={save}
        mine={payload()}
        labels={Object.fromEntries(Object.entries(LABELS).map(([k, v]) => [k, t(v)]))}
        onReload={(cur) => {
          if (cur) {
            setF(fromUnit(cur as unknown as OrgUnit));
            setVersion((cur as unknown as OrgUnit).version);
          }
        }}
      />
      <div className="form-row">
        {!current && input('code', { required: true, hint: t('admin.unit.codeHint') })}
        {input('official_code')}
        {input('name_vi', { required: true })}
        {input('name_en')}
      </div>
      <div className="form-row">
        {input('type', { hint: t('admin.unit.typeHint') })}
        <Select
          name="level"
          label={t(LABELS.level)}
          value={f.level}
          onChange={set('level')}
          error={err('level')}
          empty={t('admin.choose')}
          required
          options={(levels ?? []).map((l) => ({ value: l.code, label: pick(lang, l.name_vi, l.name_en) }))}
        />
        {!current && (
          <>
            {input('parent', { list: `${uid}-units`, hint: t('admin.unit.parentHint') })}
            <datalist id={`${uid}-units`}>
              {(units.data?.items ?? [])
                .filter((u) => !u.valid_to)
                .map((u) => (
                  <option key={u.code} value={u.code}>
                    {u.name_vi}
                  </option>
                ))}
            </datalist>
          </>
        )}
      </div>
      <div className="form-row">
        {input('valid_from', { type: 'date' })}
        {input('valid_to', { type: 'date', hint: t('admin.unit.validToHint') })}
      </div>
      <Check
        name="is_coordinator"
        label={t('admin.unit.isCoordinator')}
        checked={f.is_coordinator}
        onChange={set('is_coordinator')}
      />
      <TextArea
        name="source"
        label={t(LABELS.source)}
        value={f.source}
        onChange={set('source')}
        error={err('source')}
        rows={2}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.busy}>
          {save.busy ? t('admin.saving') : current ? t('admin.save') : t('admin.units.create')}
        </button>
        <Link to="/admin/units">{t('admin.backToList')}</Link>
      </div>
    </form>
  );
}

function UnitEdit() {
  const { t, lang } = useI18n();
  const code = useParams().code;
  const one = useApi<OrgUnitDetail>(
    code === undefined ? null : `/api/org-units/${encodeURIComponent(code)}`,
    undefined,
    {
      fresh: true,
    },
  );
  const crumbs = [...adminCrumbs(t), { to: '/admin/units', label: t('admin.units.title') }];
  if (code === undefined) {
    return (
      <>
        <PageHeader title={t('admin.units.new')} crumbs={crumbs} lead={<p>{t('admin.units.newLead')}</p>} />
        <UnitForm current={null} />
      </>
    );
  }
  if (one.error) {
    return (
      <>
        <PageHeader title={code} crumbs={crumbs} />
        <ErrorBox error={one.error} onRetry={one.reload} />
      </>
    );
  }
  if (!one.data) return <Loading />;
  const u = one.data;
  const direct = (links: OrgUnitDetail['predecessors']) => links.filter((l) => l.depth === 1);
  return (
    <>
      <PageHeader
        kicker={<span className="code">{u.code}</span>}
        title={pick(lang, u.name_vi, u.name_en)}
        crumbs={crumbs}
        actions={
          <Link
            className="btn btn-secondary"
            to={`/admin/reorganisations/new?from=${encodeURIComponent(u.code)}`}
          >
            {t('admin.reorg.newFrom')}
          </Link>
        }
      />
      <UnitForm key={u.code} current={u} />
      {(u.predecessors.length > 0 || u.successors.length > 0) && (
        <Section id="lineage" title={t('unit.lineageTitle')}>
          <ul className="lineage-admin">
            {direct(u.predecessors).map((l) => (
              <li key={`p-${l.from}`}>
                {t('admin.unit.cameFrom', {
                  name: l.from_name,
                  kind: enumLabel(t, 'lineage', l.kind),
                  date: formatDate(lang, l.effective_date),
                })}
              </li>
            ))}
            {direct(u.successors).map((l) => (
              <li key={`s-${l.to}`}>
                {t('admin.unit.wentTo', {
                  name: l.to_name,
                  kind: enumLabel(t, 'lineage', l.kind),
                  date: formatDate(lang, l.effective_date),
                })}
              </li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}

export function Component() {
  return (
    <RequireAdmin>
      <UnitEdit />
    </RequireAdmin>
  );
}
