/**
 * Validation rules (/admin/rounds/rules): the list with a diacritic-insensitive search, and a form
 * to define one — left expression, operator, right expression over indicator codes. When the
 * server cannot parse a side, the page shows the expression with a mark under the character at
 * fault and puts the cursor there.
 */
import { type FormEvent, useId, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { type ApiError, api } from '../../lib/api.ts';
import { enumLabel } from '../../lib/catalogue.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import {
  ActionError,
  fieldErrors,
  matches,
  RequireAdmin,
  TextField,
  useAction,
  useAdminCrumbs,
} from './shared.tsx';
import type { FormSummary, ValidationRule } from './types.ts';

const OPERATORS = ['==', '!=', '<', '<=', '>', '>='] as const;
const OPERATOR_SYMBOL: Record<string, string> = {
  '==': '=',
  '!=': '≠',
  '<': '<',
  '<=': '≤',
  '>': '>',
  '>=': '≥',
};
const PERIOD_TYPES = ['year', 'half', 'quarter', 'month'] as const;

/** Where the server found a syntax error in one side, if it did. */
function positionIn(error: ApiError | null, side: 'left' | 'right'): number | null {
  const item = error?.items.find((i) => i.field === side && typeof i.position === 'number');
  return item?.position ?? null;
}

function Expression({
  label,
  value,
  onChange,
  error,
  side,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  error: ApiError | null;
  side: 'left' | 'right';
}) {
  const { t, lang } = useI18n();
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  const errs = fieldErrors(error, lang, side);
  const pos = positionIn(error, side);
  const described = [`${id}-h`, errs.length ? `${id}-e` : ''].filter(Boolean).join(' ');
  return (
    <div className={errs.length ? 'field has-error' : 'field'}>
      <label htmlFor={id}>
        {label}
        <span className="required"> ({t('form.required')})</span>
      </label>
      <input
        id={id}
        ref={ref}
        type="text"
        className="mono"
        value={value}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={errs.length > 0}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value)}
      />
      <p id={`${id}-h`} className="muted small">
        {t('adminWf.rules.exprHelp')}
      </p>
      {errs.length > 0 && (
        <div id={`${id}-e`} className="field-error">
          {pos !== null && (
            <pre className="formula-caret" aria-hidden="true">
              {value}
              {'\n'}
              {' '.repeat(Math.min(pos, value.length))}^
            </pre>
          )}
          <ul>
            {errs.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
          {pos !== null && (
            <button
              type="button"
              className="btn btn-secondary btn-small"
              onClick={() => {
                ref.current?.focus();
                ref.current?.setSelectionRange(pos, Math.min(pos + 1, value.length));
              }}
            >
              {t('adminWf.rules.goToError', { position: pos })}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function NewRule({
  forms,
  initialForm,
  onCreated,
}: {
  forms: FormSummary[];
  initialForm: string;
  onCreated(): void;
}) {
  const { t, lang } = useI18n();
  const first = forms.find((f) => f.code === initialForm);
  const [code, setCode] = useState('');
  const [nameVi, setNameVi] = useState('');
  const [nameEn, setNameEn] = useState('');
  const [left, setLeft] = useState('');
  const [operator, setOperator] = useState<string>('<=');
  const [right, setRight] = useState('');
  const [importance, setImportance] = useState('error');
  const [periodType, setPeriodType] = useState(first?.period_type ?? 'year');
  const [form, setForm] = useState(initialForm);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const errs = (f: string) => fieldErrors(action.error, lang, f);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const out = await action.run(() =>
      api.post<ValidationRule>('/api/validation-rules', {
        code: code.trim(),
        name_vi: nameVi.trim(),
        name_en: nameEn.trim(),
        left,
        operator,
        right,
        importance,
        period_type: periodType,
        form: form || null,
      }),
    );
    if (!out) return;
    invalidate('/api/validation-rules');
    setDone(out.code);
    setCode('');
    setNameVi('');
    setNameEn('');
    setLeft('');
    setRight('');
    onCreated();
  };
  return (
    <Section id="new-rule" title={t('adminWf.rules.define')}>
      {done && (
        <div className="notice notice-success" role="status">
          <p>{t('adminWf.rules.created', { code: done })}</p>
        </div>
      )}
      <ActionError
        error={action.error}
        fields={['code', 'name_vi', 'name_en', 'left', 'right', 'operator', 'form']}
      />
      <form className="form admin-form" onSubmit={onSubmit} noValidate>
        <div className="form-row">
          <TextField
            label={t('adminWf.rules.code')}
            value={code}
            onChange={setCode}
            required
            mono
            errors={errs('code')}
          />
          <SelectField
            label={t('adminWf.forms.col.periodType')}
            value={periodType}
            onChange={setPeriodType}
            options={PERIOD_TYPES.map((p) => ({ value: p, label: enumLabel(t, 'periodType', p) }))}
          />
          <SelectField
            label={t('adminWf.rules.form')}
            value={form}
            onChange={setForm}
            allLabel={t('adminWf.rules.anyForm')}
            options={forms
              .filter((f) => f.period_type === periodType)
              .map((f) => ({ value: f.code, label: `${f.code} · ${pick(lang, f.name_vi, f.name_en)}` }))}
          />
        </div>
        <TextField
          label={t('adminWf.rules.nameVi')}
          value={nameVi}
          onChange={setNameVi}
          required
          errors={errs('name_vi')}
        />
        <TextField
          label={t('adminWf.rules.nameEn')}
          value={nameEn}
          onChange={setNameEn}
          required
          errors={errs('name_en')}
        />
        <div className="rule-editor">
          <Expression
            label={t('adminWf.rules.left')}
            value={left}
            onChange={setLeft}
            error={action.error}
            side="left"
          />
          <SelectField
            label={t('adminWf.rules.operator')}
            value={operator}
            onChange={setOperator}
            options={OPERATORS.map((o) => ({ value: o, label: `${OPERATOR_SYMBOL[o]} (${o})` }))}
          />
          <Expression
            label={t('adminWf.rules.right')}
            value={right}
            onChange={setRight}
            error={action.error}
            side="right"
          />
        </div>
        <SelectField
          label={t('adminWf.rules.importance')}
          value={importance}
          onChange={setImportance}
          options={[
            { value: 'error', label: t('adminWf.rules.error') },
            { value: 'warning', label: t('adminWf.rules.warning') },
          ]}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            {t('adminWf.rules.save')}
          </button>
        </div>
      </form>
    </Section>
  );
}

function Rules() {
  const { t, lang } = useI18n();
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get('form') ?? '');
  const rules = useApi<{ items: ValidationRule[] }>('/api/validation-rules', undefined, { fresh: true });
  const forms = useApi<{ items: FormSummary[] }>('/api/forms');
  if (rules.error) return <ErrorBox error={rules.error} onRetry={rules.reload} />;
  if (forms.error) return <ErrorBox error={forms.error} onRetry={forms.reload} />;
  if (!rules.data || !forms.data) return <Loading />;
  const rows = rules.data.items.filter((r) =>
    matches(q, r.code, r.name_vi, r.name_en, r.left, r.right, r.form),
  );
  const columns: Array<Column<ValidationRule>> = [
    {
      key: 'name',
      header: t('adminWf.rules.col.rule'),
      rowHeader: true,
      sort: (r) => r.code,
      cell: (r) => (
        <span className="indicator-name">
          <span className="code">{r.code}</span>
          {pick(lang, r.name_vi, r.name_en)}
        </span>
      ),
    },
    {
      key: 'expr',
      header: t('adminWf.rules.col.check'),
      className: 'col-wide',
      cell: (r) => (
        <code>
          {r.left} {OPERATOR_SYMBOL[r.operator] ?? r.operator} {r.right}
        </code>
      ),
    },
    {
      key: 'importance',
      header: t('adminWf.rules.importance'),
      sort: (r) => r.importance,
      cell: (r) => (r.importance === 'error' ? t('adminWf.rules.error') : t('adminWf.rules.warning')),
    },
    {
      key: 'form',
      header: t('adminWf.rules.form'),
      sort: (r) => r.form ?? '',
      cell: (r) => r.form ?? t('adminWf.rules.anyForm'),
    },
  ];
  return (
    <>
      <Section id="rules" title={t('adminWf.rules.listTitle')}>
        <div className="filters">
          <div className="filters-fields">
            <SearchBox value={q} onChange={setQ} label={t('adminWf.rules.search')} />
          </div>
          <p className="filters-count" aria-live="polite">
            {t('common.shownOf', { shown: rows.length, total: rules.data.items.length })}
          </p>
        </div>
        <Table
          caption={t('adminWf.rules.listTitle')}
          captionHidden
          columns={columns}
          rows={rows}
          rowKey={(r) => r.code}
        />
      </Section>
      <NewRule forms={forms.data.items} initialForm={params.get('form') ?? ''} onCreated={rules.reload} />
    </>
  );
}

export function Component() {
  const { t } = useI18n();
  const crumbs = [...useAdminCrumbs(), { to: '/admin/rounds', label: t('adminWf.rounds.title') }];
  return (
    <RequireAdmin>
      <PageHeader title={t('adminWf.rules.title')} crumbs={crumbs} lead={<p>{t('adminWf.rules.lead')}</p>} />
      <Rules />
      <p>
        <Link to="/admin/rounds">{t('adminWf.back')}</Link>
      </p>
    </RequireAdmin>
  );
}
