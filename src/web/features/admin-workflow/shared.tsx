/**
 * Pieces shared by the administration pages of the workflow side (rounds and forms, index
 * methodology, users and roles): the admin gate, labelled fields with their error, a write action
 * with its busy and error state, diacritic-insensitive matching, and a unit picker.
 */
import { type ReactNode, useCallback, useId, useState } from 'react';
import { foldVi } from '../../../core/text.ts';
import { Empty, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { ApiError } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import type { ListOf, OrgUnit } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { RequireAuth } from '../auth/RequireAuth.tsx';

/** Signed-in administrators only (the server checks the scope of every request again). */
export function RequireAdmin({ children }: { children: ReactNode }) {
  return (
    <RequireAuth>
      <AdminOnly>{children}</AdminOnly>
    </RequireAuth>
  );
}

function AdminOnly({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { can, checking } = useSession();
  if (checking) return <Loading />;
  if (!can('admin')) return <Empty>{t('adminWf.adminOnly')}</Empty>;
  return <>{children}</>;
}

/** The crumbs every admin page starts with. */
export function useAdminCrumbs() {
  const { t } = useI18n();
  return [{ to: '/admin', label: t('adminWf.admin') }];
}

/** True when every word of the query is in one of the texts, ignoring case and diacritics. */
export function matches(query: string, ...texts: Array<string | null | undefined>): boolean {
  const words = foldVi(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = foldVi(texts.filter(Boolean).join(' '));
  return words.every((w) => hay.includes(w));
}

export const asApiError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError({ code: 'client', status: 0, vi: String(e), en: String(e) });

/** A write: `run(fn)` sets busy, clears and keeps the error, and returns fn's answer (undefined on failure). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(asApiError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** The server's messages for one field (exact, or under it: `items.3.indicator` for `items`). */
export function fieldErrors(error: ApiError | null, lang: 'vi' | 'en', field: string): string[] {
  if (!error) return [];
  return error.items
    .filter((i) => i.field === field || i.field?.startsWith(`${field}.`) || i.field?.startsWith(`${field}[`))
    .map((i) => (lang === 'en' ? i.en : i.vi));
}

/** Messages of the error that no field shows (so that nothing the server said is lost). */
export function otherErrors(error: ApiError | null, lang: 'vi' | 'en', fields: string[]): string[] {
  if (!error) return [];
  return error.items
    .filter(
      (i) =>
        !i.field ||
        !fields.some((f) => i.field === f || i.field!.startsWith(`${f}.`) || i.field!.startsWith(`${f}[`)),
    )
    .map((i) => (lang === 'en' ? i.en : i.vi));
}

export function TextField({
  label,
  value,
  onChange,
  type = 'text',
  required = false,
  errors = [],
  help,
  autoComplete = 'off',
  inputMode,
  mono = false,
  readOnly = false,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  type?: 'text' | 'password' | 'email' | 'date' | 'number';
  required?: boolean;
  errors?: string[];
  help?: ReactNode;
  autoComplete?: string;
  inputMode?: 'text' | 'numeric' | 'decimal';
  mono?: boolean;
  readOnly?: boolean;
}) {
  const { t } = useI18n();
  const id = useId();
  const described = [help ? `${id}-h` : '', errors.length ? `${id}-e` : ''].filter(Boolean).join(' ');
  return (
    <div className={errors.length ? 'field has-error' : 'field'}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required"> ({t('form.required')})</span>}
      </label>
      <input
        id={id}
        type={type}
        value={value}
        required={required}
        readOnly={readOnly}
        autoComplete={autoComplete}
        inputMode={inputMode}
        spellCheck={false}
        className={mono ? 'mono' : undefined}
        aria-invalid={errors.length > 0}
        aria-describedby={described || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {help && (
        <p id={`${id}-h`} className="muted small">
          {help}
        </p>
      )}
      {errors.length > 0 && (
        <ul id={`${id}-e`} className="field-error">
          {errors.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** An error of a write, announced; lists what no field shows. */
export function ActionError({ error, fields = [] }: { error: ApiError | null; fields?: string[] }) {
  const { t, lang } = useI18n();
  if (!error) return null;
  const rest = otherErrors(error, lang, fields);
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>{t('adminWf.refused')}</strong> {error.items.length === 1 && rest.length === 1 ? rest[0] : ''}
      </p>
      {error.items.length > 1 && rest.length > 0 && (
        <ul>
          {rest.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
      {rest.length === 0 && <p>{t('adminWf.seeFields')}</p>}
    </div>
  );
}

/**
 * Choosing one org unit: a search box (diacritics optional, the server folds them) and the units it
 * finds as radio buttons — plain keyboard use, each choice labelled with its name and code.
 */
export function UnitPicker({
  label,
  value,
  onChange,
  errors = [],
  allowAll = false,
}: {
  label: string;
  value: string | null;
  onChange(code: string | null, unit?: OrgUnit): void;
  errors?: string[];
  /** Offer "every unit" (null). */
  allowAll?: boolean;
}) {
  const { t } = useI18n();
  const id = useId();
  const [q, setQ] = useState('');
  const found = useApi<ListOf<OrgUnit>>(q.trim().length >= 2 ? '/api/org-units' : null, {
    q: q.trim(),
    limit: 12,
  });
  const chosen = useApi<OrgUnit>(value ? `/api/org-units/${encodeURIComponent(value)}` : null);
  const items = (found.data?.items ?? []).filter((u) => u.code !== value);
  return (
    <fieldset className={errors.length ? 'unit-picker has-error' : 'unit-picker'}>
      <legend>{label}</legend>
      <p className="muted small" aria-live="polite">
        {value === null
          ? allowAll
            ? t('adminWf.unitAll')
            : t('adminWf.unitNone')
          : t('adminWf.unitChosen', {
              name: chosen.data ? `${chosen.data.name_vi} (${chosen.data.code})` : value,
            })}
      </p>
      <div className="field field-search">
        <label htmlFor={`${id}-q`}>{t('adminWf.unitSearch')}</label>
        <input
          id={`${id}-q`}
          type="search"
          value={q}
          autoComplete="off"
          spellCheck={false}
          placeholder={t('common.searchPlaceholder')}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      {(items.length > 0 || allowAll) && (
        <div className="unit-choices">
          {allowAll && (
            <label className="unit-choice">
              <input type="radio" name={id} checked={value === null} onChange={() => onChange(null)} />
              {t('adminWf.unitAllChoice')}
            </label>
          )}
          {value !== null && (
            <label className="unit-choice">
              <input type="radio" name={id} checked readOnly />
              {chosen.data?.name_vi ?? value} <span className="code">{value}</span>
            </label>
          )}
          {items.map((u) => (
            <label key={u.code} className="unit-choice">
              <input type="radio" name={id} checked={false} onChange={() => onChange(u.code, u)} />
              {u.name_vi} <span className="code">{u.code}</span>
            </label>
          ))}
        </div>
      )}
      {q.trim().length >= 2 && found.data && found.data.items.length === 0 && (
        <p className="muted small">{t('adminWf.unitNoMatch')}</p>
      )}
      {errors.length > 0 && (
        <ul className="field-error">
          {errors.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
