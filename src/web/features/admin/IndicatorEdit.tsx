/**
 * Administration: create or edit an indicator — names and definitions in both languages, how it is
 * measured, rolled up and assessed, its formula (a syntax error is shown at its character), group,
 * levels, source document, responsible unit, and whether the public sees it.
 */
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Key, pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { enumLabel, useGroups, useLevels } from '../../lib/catalogue.ts';
import { paths } from '../../lib/paths.ts';
import { toInput } from '../../lib/parse.ts';
import type { Indicator, ListOf, OrgUnit, SourceDocument } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import {
  adminCrumbs,
  Check,
  CheckGroup,
  ConflictNotice,
  FormulaFault,
  numberField,
  RequireAdmin,
  SaveSummary,
  Select,
  TextArea,
  TextInput,
  useSave,
} from './form.tsx';

const VALUE_TYPES = ['percent', 'number', 'integer', 'rank', 'boolean'] as const;
const DIRECTIONS = ['increase', 'decrease', 'target'] as const;
const ROLLUPS = ['sum', 'mean', 'weighted_mean', 'min', 'max', 'none'] as const;
const PERIOD_TYPES = ['year', 'half', 'quarter', 'month'] as const;
const PERIOD_ROLLUPS = ['sum', 'last', 'mean'] as const;

interface FormState {
  code: string;
  name_vi: string;
  name_en: string;
  definition_vi: string;
  definition_en: string;
  unit: string;
  value_type: string;
  direction: string;
  rollup: string;
  denominator: string;
  period_type: string;
  period_rollup: string;
  formula: string;
  group: string;
  levels: string[];
  min_value: string;
  max_value: string;
  source_document: string;
  responsible_unit: string;
  published: boolean;
}

const EMPTY: FormState = {
  code: '',
  name_vi: '',
  name_en: '',
  definition_vi: '',
  definition_en: '',
  unit: '',
  value_type: 'percent',
  direction: 'increase',
  rollup: 'mean',
  denominator: '',
  period_type: 'year',
  period_rollup: 'last',
  formula: '',
  group: '',
  levels: [],
  min_value: '',
  max_value: '',
  source_document: '',
  responsible_unit: '',
  published: true,
};

function fromIndicator(i: Indicator, lang: 'vi' | 'en'): FormState {
  return {
    code: i.code,
    name_vi: i.name_vi,
    name_en: i.name_en ?? '',
    definition_vi: i.definition_vi ?? '',
    definition_en: i.definition_en ?? '',
    unit: i.unit,
    value_type: i.value_type,
    direction: i.direction,
    rollup: i.rollup,
    denominator: i.denominator ?? '',
    period_type: i.period_type,
    period_rollup: i.period_rollup,
    formula: i.formula ?? '',
    group: i.group ?? '',
    levels: i.levels,
    min_value: toInput(lang, i.min_value),
    max_value: toInput(lang, i.max_value),
    source_document: i.source_document ?? '',
    responsible_unit: i.responsible_unit ?? '',
    published: i.published,
  };
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

const LABELS: Record<string, Key> = {
  code: 'admin.indicator.code',
  name_vi: 'admin.indicator.nameVi',
  name_en: 'admin.indicator.nameEn',
  definition_vi: 'admin.indicator.definitionVi',
  definition_en: 'admin.indicator.definitionEn',
  unit: 'admin.indicator.unit',
  value_type: 'admin.indicator.valueType',
  direction: 'admin.indicator.direction',
  rollup: 'admin.indicator.rollup',
  denominator: 'admin.indicator.denominator',
  period_type: 'admin.indicator.periodType',
  period_rollup: 'admin.indicator.periodRollup',
  formula: 'admin.indicator.formula',
  group: 'admin.indicator.group',
  levels: 'admin.indicator.levels',
  min_value: 'admin.indicator.minValue',
  max_value: 'admin.indicator.maxValue',
  source_document: 'admin.indicator.sourceDocument',
  responsible_unit: 'admin.indicator.responsibleUnit',
  published: 'admin.indicator.published',
};

function IndicatorForm({ current, onSaved }: { current: Indicator | null; onSaved(i: Indicator): void }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const save = useSave();
  const [f, setF] = useState<FormState>(() => (current ? fromIndicator(current, lang) : EMPTY));
  const [version, setVersion] = useState(current?.version ?? 0);
  const [saved, setSaved] = useState<boolean>(Boolean((location.state as { saved?: boolean } | null)?.saved));
  const set =
    <K extends keyof FormState>(k: K) =>
    (v: FormState[K]) => {
      setSaved(false);
      setF((s) => ({ ...s, [k]: v }));
    };
  const groups = useGroups();
  const levels = useLevels();
  const docs = useApi<ListOf<SourceDocument>>('/api/documents', { limit: 1000 });
  const departments = useApi<ListOf<OrgUnit>>('/api/org-units', { level: 'department', limit: 1000 });
  const cities = useApi<ListOf<OrgUnit>>('/api/org-units', { level: 'city', limit: 100 });
  const all = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 });
  const err = (k: string) => save.fieldError(k);
  const formulaProblem = save.problemFor('formula');
  const label = (k: string) => t(LABELS[k]!);

  const payload = () => ({
    ...(current ? {} : { code: f.code.trim() }),
    name_vi: f.name_vi.trim(),
    name_en: orNull(f.name_en),
    definition_vi: orNull(f.definition_vi),
    definition_en: orNull(f.definition_en),
    unit: f.unit.trim(),
    value_type: f.value_type,
    direction: f.direction,
    rollup: f.rollup,
    denominator: f.rollup === 'weighted_mean' ? orNull(f.denominator) : null,
    period_type: f.period_type,
    period_rollup: f.period_rollup,
    formula: orNull(f.formula),
    group: orNull(f.group),
    levels: f.levels,
    min_value: f.min_value.trim() ? numberField(lang, f.min_value) : null,
    max_value: f.max_value.trim() ? numberField(lang, f.max_value) : null,
    source_document: orNull(f.source_document),
    responsible_unit: orNull(f.responsible_unit),
    published: f.published,
  });

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await save.run(() =>
      current
        ? api.patch<Indicator>(`/api/indicators/${encodeURIComponent(current.code)}`, {
            ...payload(),
            version,
          })
        : api.post<Indicator>('/api/indicators', payload()),
    );
    if (!r) return;
    invalidate('/api/indicators', '/api/progress', '/api/targets');
    if (current) {
      setF(fromIndicator(r, lang));
      setVersion(r.version);
      setSaved(true);
      onSaved(r);
    } else {
      navigate(`/admin/indicators/${encodeURIComponent(r.code)}`, { state: { saved: true } });
    }
  };

  const unitOptions = useMemo(
    () => [...(cities.data?.items ?? []), ...(departments.data?.items ?? []).filter((u) => !u.valid_to)],
    [cities.data, departments.data],
  );
  const labels = Object.fromEntries(Object.keys(LABELS).map((k) => [k, label(k)]));

  return (
    <form className="form admin-form" onSubmit={onSubmit} noValidate>
      {saved && (
        <div className="notice notice-success" role="status">
          <p>
            {t('admin.saved')}{' '}
            {current?.published && (
              <Link to={paths.indicator(current.code)}>{t('admin.indicator.viewPublic')}</Link>
            )}
          </p>
        </div>
      )}
      <SaveSummary save={save} known={Object.keys(LABELS)} />
      <ConflictNotice
        save={save}
        mine={{ ...payload(), min_value: f.min_value, max_value: f.max_value }}
        labels={labels}
        onReload={(cur) => {
          if (cur) {
            setF(fromIndicator(cur as unknown as Indicator, lang));
            setVersion((cur as unknown as Indicator).version);
          }
        }}
      />
      <fieldset className="admin-fieldset">
        <legend>{t('admin.indicator.identity')}</legend>
        <div className="form-row">
          {!current && (
            <TextInput
              name="code"
              label={label('code')}
              value={f.code}
              onChange={set('code')}
              error={err('code')}
              required
              hint={t('admin.indicator.codeHint')}
            />
          )}
          <TextInput
            name="name_vi"
            label={label('name_vi')}
            value={f.name_vi}
            onChange={set('name_vi')}
            error={err('name_vi')}
            required
          />
          <TextInput
            name="name_en"
            label={label('name_en')}
            value={f.name_en}
            onChange={set('name_en')}
            error={err('name_en')}
          />
        </div>
        <div className="form-row">
          <TextArea
            name="definition_vi"
            label={label('definition_vi')}
            value={f.definition_vi}
            onChange={set('definition_vi')}
            error={err('definition_vi')}
          />
          <TextArea
            name="definition_en"
            label={label('definition_en')}
            value={f.definition_en}
            onChange={set('definition_en')}
            error={err('definition_en')}
          />
        </div>
      </fieldset>
      <fieldset className="admin-fieldset">
        <legend>{t('admin.indicator.measure')}</legend>
        <div className="form-row">
          <TextInput
            name="unit"
            label={label('unit')}
            value={f.unit}
            onChange={set('unit')}
            error={err('unit')}
            hint={t('admin.indicator.unitHint')}
          />
          <Select
            name="value_type"
            label={label('value_type')}
            value={f.value_type}
            onChange={set('value_type')}
            error={err('value_type')}
            options={VALUE_TYPES.map((v) => ({ value: v, label: enumLabel(t, 'valueType', v) }))}
            required
          />
          <Select
            name="direction"
            label={label('direction')}
            value={f.direction}
            onChange={set('direction')}
            error={err('direction')}
            options={DIRECTIONS.map((v) => ({ value: v, label: enumLabel(t, 'direction', v) }))}
            required
          />
          <TextInput
            name="min_value"
            label={label('min_value')}
            value={f.min_value}
            onChange={set('min_value')}
            error={err('min_value')}
            inputMode="decimal"
          />
          <TextInput
            name="max_value"
            label={label('max_value')}
            value={f.max_value}
            onChange={set('max_value')}
            error={err('max_value')}
            inputMode="decimal"
          />
        </div>
        <div className="form-row">
          <Select
            name="rollup"
            label={label('rollup')}
            value={f.rollup}
            onChange={set('rollup')}
            error={err('rollup')}
            options={ROLLUPS.map((v) => ({ value: v, label: enumLabel(t, 'rollup', v) }))}
            required
          />
          {f.rollup === 'weighted_mean' && (
            <Select
              name="denominator"
              label={label('denominator')}
              value={f.denominator}
              onChange={set('denominator')}
              error={err('denominator')}
              empty={t('admin.choose')}
              options={(all.data?.items ?? [])
                .filter((i) => i.code !== current?.code)
                .map((i) => ({ value: i.code, label: `${i.code} — ${pick(lang, i.name_vi, i.name_en)}` }))}
            />
          )}
          <Select
            name="period_type"
            label={label('period_type')}
            value={f.period_type}
            onChange={set('period_type')}
            error={err('period_type')}
            options={PERIOD_TYPES.map((v) => ({ value: v, label: enumLabel(t, 'periodType', v) }))}
            required
          />
          <Select
            name="period_rollup"
            label={label('period_rollup')}
            value={f.period_rollup}
            onChange={set('period_rollup')}
            error={err('period_rollup')}
            options={PERIOD_ROLLUPS.map((v) => ({ value: v, label: enumLabel(t, 'periodRollup', v) }))}
          />
        </div>
        <TextInput
          name="formula"
          label={label('formula')}
          value={f.formula}
          onChange={set('formula')}
          error={err('formula')}
          hint={t('admin.indicator.formulaHint')}
          className="field-formula"
        />
        {formulaProblem?.position !== undefined && f.formula && (
          <FormulaFault formula={f.formula} position={formulaProblem.position} />
        )}
      </fieldset>
      <fieldset className="admin-fieldset">
        <legend>{t('admin.indicator.placement')}</legend>
        <div className="form-row">
          <Select
            name="group"
            label={label('group')}
            value={f.group}
            onChange={set('group')}
            error={err('group')}
            hint={<Link to="/admin/groups">{t('admin.indicator.manageGroups')}</Link>}
            empty={t('admin.none')}
            options={(groups ?? []).map((g) => ({ value: g.code, label: pick(lang, g.name_vi, g.name_en) }))}
          />
          <Select
            name="source_document"
            label={label('source_document')}
            value={f.source_document}
            onChange={set('source_document')}
            error={err('source_document')}
            empty={t('admin.none')}
            options={(docs.data?.items ?? []).map((d) => ({
              value: d.code,
              label: `${d.code} — ${pick(lang, d.title_vi, d.title_en)}`.slice(0, 120),
            }))}
          />
          <Select
            name="responsible_unit"
            label={label('responsible_unit')}
            value={f.responsible_unit}
            onChange={set('responsible_unit')}
            error={err('responsible_unit')}
            empty={t('admin.none')}
            options={unitOptions.map((u) => ({ value: u.code, label: pick(lang, u.name_vi, u.name_en) }))}
          />
        </div>
        <CheckGroup
          name="levels"
          legend={label('levels')}
          options={(levels ?? []).map((l) => ({ value: l.code, label: pick(lang, l.name_vi, l.name_en) }))}
          values={f.levels}
          onChange={set('levels')}
          error={err('levels')}
        />
        <Check
          name="published"
          label={t('admin.indicator.publishedCheck')}
          checked={f.published}
          onChange={set('published')}
        />
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.busy}>
          {save.busy ? t('admin.saving') : current ? t('admin.save') : t('admin.indicators.create')}
        </button>
        <Link to="/admin/indicators">{t('admin.backToList')}</Link>
      </div>
    </form>
  );
}

function IndicatorEdit() {
  const { t, lang } = useI18n();
  const code = useParams().code;
  const isNew = code === undefined;
  const one = useApi<Indicator>(isNew ? null : `/api/indicators/${encodeURIComponent(code)}`, undefined, {
    fresh: true,
  });
  const [title, setTitle] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new code is a new page: forget the saved title
  useEffect(() => setTitle(null), [code]);
  const crumbs = [...adminCrumbs(t), { to: '/admin/indicators', label: t('admin.indicators.title') }];
  if (isNew) {
    return (
      <>
        <PageHeader
          title={t('admin.indicators.new')}
          crumbs={crumbs}
          lead={<p>{t('admin.indicators.newLead')}</p>}
        />
        <IndicatorForm current={null} onSaved={() => {}} />
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
  const i = one.data;
  return (
    <>
      <PageHeader
        kicker={<span className="code">{i.code}</span>}
        title={title ?? pick(lang, i.name_vi, i.name_en)}
        crumbs={crumbs}
      />
      <IndicatorForm key={i.code} current={i} onSaved={(x) => setTitle(pick(lang, x.name_vi, x.name_en))} />
    </>
  );
}

export function Component() {
  return (
    <RequireAdmin>
      <IndicatorEdit />
    </RequireAdmin>
  );
}
