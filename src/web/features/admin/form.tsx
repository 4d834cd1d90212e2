/**
 * Building blocks of the administration forms: labelled fields that show the server's message for
 * that field right under it (aria-invalid, aria-describedby), a saving hook that turns the API's
 * problem into per-field errors, and the notice shown when someone else changed the record first
 * (409 with the current state: the user sees what differs and reloads).
 */
import { type ReactNode, useCallback, useId, useRef, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '../../components/States.tsx';
import { type Lang, useI18n } from '../../i18n/i18n.tsx';
import { ApiError, type ProblemItem } from '../../lib/api.ts';
import { parseNumber } from '../../lib/parse.ts';
import { useSession } from '../../lib/session.tsx';
import './admin.css';

/** The field a problem names, without the request part ('body.code' → 'code'). */
export const fieldOf = (p: ProblemItem): string | undefined => p.field?.replace(/^(body|querystring)\./, '');

export interface SaveState {
  busy: boolean;
  error: ApiError | null;
  /** The server's message for a field, in the reader's language. */
  fieldError(field: string): string | undefined;
  /** The problem for a field (with its character position, for formulas). */
  problemFor(field: string): ProblemItem | undefined;
  /** Runs a write; on failure keeps the error and focuses the summary. */
  run<T>(fn: () => Promise<T>): Promise<T | undefined>;
  clear(): void;
  summaryRef: React.RefObject<HTMLDivElement | null>;
}

export function useSave(): SaveState {
  const { lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const problemFor = useCallback(
    (field: string) =>
      error?.items.find((p) => {
        const f = fieldOf(p);
        return f === field || f?.startsWith(`${field}.`);
      }),
    [error],
  );
  const fieldError = useCallback(
    (field: string) => {
      const p = problemFor(field);
      return p ? (lang === 'en' ? p.en : p.vi) : undefined;
    },
    [problemFor, lang],
  );
  const run = useCallback(async <T,>(fn: () => Promise<T>) => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      const err =
        e instanceof ApiError ? e : new ApiError({ code: 'client', status: 0, vi: String(e), en: String(e) });
      setError(err);
      requestAnimationFrame(() => summaryRef.current?.focus());
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, fieldError, problemFor, run, clear: () => setError(null), summaryRef };
}

/** The summary above the form: what the server refused, with links to the fields at fault. */
export function SaveSummary({ save, known }: { save: SaveState; known: string[] }) {
  const { t, lang } = useI18n();
  const e = save.error;
  if (!e || e.code === 'conflict.stale_version') return null;
  const items = e.items;
  return (
    <div className="state state-error admin-summary" role="alert" tabIndex={-1} ref={save.summaryRef}>
      <p>
        <strong>{t('admin.form.refused')}</strong> {e.text(lang)}
      </p>
      {items.length > 1 && (
        <ul>
          {items.map((p, i) => {
            const f = fieldOf(p);
            const id = f && known.find((k) => f === k || f.startsWith(`${k}.`));
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: the server's order is the only identity
              <li key={i}>
                {id ? <a href={`#f-${id}`}>{lang === 'en' ? p.en : p.vi}</a> : lang === 'en' ? p.en : p.vi}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

interface FieldProps {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  required?: boolean;
  className?: string;
}

function FieldShell({
  name,
  label,
  error,
  hint,
  required,
  className,
  children,
}: FieldProps & { children(props: { id: string; describedBy: string | undefined }): ReactNode }) {
  const { t } = useI18n();
  const uid = useId();
  const hintId = hint ? `${uid}-hint` : undefined;
  const errId = error ? `${uid}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'has-error' : ''} ${className ?? ''}`.trim()}>
      <span className="label-row">
        <label htmlFor={`f-${name}`}>{label}</label>
        {required && (
          <span className="required" title={t('admin.form.required')} aria-hidden="true">
            {' *'}
          </span>
        )}
      </span>
      {children({ id: `f-${name}`, describedBy })}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function TextInput({
  value,
  onChange,
  type = 'text',
  list,
  inputMode,
  autoComplete = 'off',
  ...rest
}: FieldProps & {
  value: string;
  onChange(v: string): void;
  type?: 'text' | 'date' | 'url';
  list?: string;
  inputMode?: 'decimal' | 'numeric' | 'text';
  autoComplete?: string;
}) {
  return (
    <FieldShell {...rest}>
      {({ id, describedBy }) => (
        <input
          id={id}
          type={type}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={rest.error ? true : undefined}
          aria-describedby={describedBy}
          required={rest.required}
          list={list}
          inputMode={inputMode}
          autoComplete={autoComplete}
          spellCheck={false}
        />
      )}
    </FieldShell>
  );
}

export function TextArea({
  value,
  onChange,
  rows = 3,
  ...rest
}: FieldProps & { value: string; onChange(v: string): void; rows?: number }) {
  return (
    <FieldShell {...rest}>
      {({ id, describedBy }) => (
        <textarea
          id={id}
          value={value}
          rows={rows}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={rest.error ? true : undefined}
          aria-describedby={describedBy}
          required={rest.required}
        />
      )}
    </FieldShell>
  );
}

export function Select({
  value,
  onChange,
  options,
  empty,
  ...rest
}: FieldProps & {
  value: string;
  onChange(v: string): void;
  options: Array<{ value: string; label: string }>;
  /** Label of the empty choice; absent means a choice is required. */
  empty?: string;
}) {
  return (
    <FieldShell {...rest}>
      {({ id, describedBy }) => (
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={rest.error ? true : undefined}
          aria-describedby={describedBy}
          required={rest.required}
        >
          {empty !== undefined && <option value="">{empty}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

export function Check({
  name,
  label,
  checked,
  onChange,
}: {
  name: string;
  label: string;
  checked: boolean;
  onChange(v: boolean): void;
}) {
  return (
    <div className="field field-check">
      <input
        id={`f-${name}`}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={`f-${name}`}>{label}</label>
    </div>
  );
}

/** A group of checkboxes with a legend (e.g. the levels an indicator applies to). */
export function CheckGroup({
  name,
  legend,
  options,
  values,
  onChange,
  error,
}: {
  name: string;
  legend: string;
  options: Array<{ value: string; label: string }>;
  values: string[];
  onChange(v: string[]): void;
  error?: string | undefined;
}) {
  const uid = useId();
  return (
    <fieldset
      className="check-group"
      id={`f-${name}`}
      aria-describedby={error ? `${uid}-err` : undefined}
      aria-invalid={error ? true : undefined}
    >
      <legend>{legend}</legend>
      <div className="check-group-items">
        {options.map((o) => (
          <Check
            key={o.value}
            name={`${name}-${o.value}`}
            label={o.label}
            checked={values.includes(o.value)}
            onChange={(on) => onChange(on ? [...values, o.value] : values.filter((x) => x !== o.value))}
          />
        ))}
      </div>
      {error && (
        <p className="field-error" id={`${uid}-err`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

/**
 * Someone else saved first (409): the server's message, what the stored record says for every field
 * that differs from this form, and a button to load it (the user's edits are then replaced).
 */
export function ConflictNotice({
  save,
  mine,
  labels,
  onReload,
}: {
  save: SaveState;
  mine: Record<string, unknown>;
  labels: Record<string, string>;
  onReload(current: Record<string, unknown> | null): void;
}) {
  const { t, lang } = useI18n();
  const e = save.error;
  if (e?.code !== 'conflict.stale_version') return null;
  const current = ((e.problem.details as { current?: Record<string, unknown> } | undefined)?.current ??
    null) as Record<string, unknown> | null;
  const show = (v: unknown) =>
    v === null || v === undefined || v === '' ? '–' : Array.isArray(v) ? v.join(', ') : String(v);
  const diffs = current
    ? Object.keys(labels).filter((k) => k in mine && show(mine[k]) !== show(current[k]))
    : [];
  return (
    <div className="notice notice-warning admin-conflict" role="alert" tabIndex={-1} ref={save.summaryRef}>
      <p>
        <strong>{t('admin.conflict.title')}</strong> {e.text(lang)}
      </p>
      {current && diffs.length > 0 && (
        <table className="table conflict-table">
          <caption>{t('admin.conflict.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.conflict.field')}</th>
              <th scope="col">{t('admin.conflict.yours')}</th>
              <th scope="col">{t('admin.conflict.current')}</th>
            </tr>
          </thead>
          <tbody>
            {diffs.map((k) => (
              <tr key={k}>
                <th scope="row">{labels[k]}</th>
                <td>{show(mine[k])}</td>
                <td>{show(current[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current && diffs.length === 0 && <p>{t('admin.conflict.sameFields')}</p>}
      <p>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => {
            save.clear();
            onReload(current);
          }}
        >
          {t('admin.conflict.reload')}
        </button>
      </p>
    </div>
  );
}

/**
 * A formula with the character the server's parser stopped at marked, so the fault can be seen in
 * place (positions are 0-based characters of the formula).
 */
export function FormulaFault({ formula, position }: { formula: string; position: number }) {
  const { t } = useI18n();
  const chars = Array.from(formula);
  const at = Math.max(0, Math.min(position, chars.length));
  const before = chars.slice(0, at).join('');
  const bad = chars[at] ?? ' ';
  const after = chars.slice(at + 1).join('');
  return (
    <p className="formula-fault">
      <code aria-hidden="true">
        {before}
        <mark>{bad}</mark>
        {after}
      </code>
      <span className="muted small"> {t('admin.indicator.faultAt', { n: at })}</span>
    </p>
  );
}

/**
 * Administration pages: signed-in programme administrators. Others are sent to the login page (or
 * told that their account lacks the role); the server checks every request anyway.
 */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { me, checking, can } = useSession();
  const loc = useLocation();
  if (checking) return <Loading />;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  if (!can('admin')) {
    return (
      <div className="notice notice-warning" role="alert">
        <h1 tabIndex={-1}>{t('admin.title')}</h1>
        <p>{t('admin.notAdmin')}</p>
      </div>
    );
  }
  // catalogue writes need the role programme-wide (a grant on a root unit); the server refuses others
  const wide = me.user.grants.some(
    (g) => g.role === 'admin' && g.path.split('/').filter(Boolean).length <= 1,
  );
  return (
    <>
      {!wide && (
        <div className="notice notice-warning">
          <p>{t('admin.notProgrammeWide')}</p>
        </div>
      )}
      {children}
    </>
  );
}

/**
 * A number typed in the reader's convention ("97,5" in Vietnamese), null when empty; text that is not
 * a number is sent as it is, so that the server names the field and the rule in its answer.
 */
export function numberField(lang: Lang, raw: string): number | null | string {
  const r = parseNumber(lang, raw);
  return r.ok ? r.value : raw;
}

/** Breadcrumbs of every administration page. */
export const adminCrumbs = (t: (k: 'admin.title' | 'nav.home') => string) => [
  { to: '/', label: t('nav.home') },
  { to: '/admin', label: t('admin.title') },
];
