/** Labelled form controls: a diacritic-insensitive search box and a select, both with visible labels. */
import { type ReactNode, type RefObject, useEffect, useId, useRef } from 'react';
import { useT } from '../i18n/i18n.tsx';

/**
 * A control the server rendered (the overview, src/web/ssr.tsx) can be changed before the page's code
 * has run: hydration keeps what the reader chose on screen but not in the page's state, so the control
 * would say one thing and the page show another. Once mounted, a control whose value differs from the
 * one it was rendered with passes it on as a change. A control the browser rendered itself holds its
 * rendered value, so this does nothing there.
 */
function useChangeMadeBeforeHydration<E extends HTMLInputElement | HTMLSelectElement, V>(
  ref: RefObject<E | null>,
  read: (el: E) => V | undefined,
  onChange: (v: V) => void,
): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: only what happened before the first render
  useEffect(() => {
    const el = ref.current;
    const v = el ? read(el) : undefined;
    if (v !== undefined) onChange(v);
  }, []);
}

export function SearchBox({
  value,
  onChange,
  label,
  placeholder,
}: {
  value: string;
  onChange(v: string): void;
  label?: string;
  placeholder?: string;
}) {
  const t = useT();
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  useChangeMadeBeforeHydration(ref, (el) => (el.value !== value ? el.value : undefined), onChange);
  return (
    <div className="field field-search">
      <label htmlFor={id}>{label ?? t('common.search')}</label>
      <input
        ref={ref}
        id={id}
        type="search"
        value={value}
        placeholder={placeholder ?? t('common.searchPlaceholder')}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({
  label,
  value,
  onChange,
  options,
  allLabel,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  options: Option[];
  /** Label of the empty choice ("all"); absent means a choice is required. */
  allLabel?: string;
}) {
  const id = useId();
  const ref = useRef<HTMLSelectElement>(null);
  // (a value that is no option shows the first one: that is no change of the reader's)
  useChangeMadeBeforeHydration(
    ref,
    (el) => (el.value !== value && [...el.options].some((o) => o.value === value) ? el.value : undefined),
    onChange,
  );
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select ref={ref} id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {allLabel !== undefined && <option value="">{allLabel}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CheckboxField({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange(v: boolean): void;
}) {
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  useChangeMadeBeforeHydration(ref, (el) => (el.checked !== checked ? el.checked : undefined), onChange);
  return (
    <div className="field field-check">
      <input
        ref={ref}
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** A row of filters above a list, with the count of what is shown. */
export function FilterBar({ children, count }: { children: ReactNode; count?: ReactNode }) {
  return (
    <search className="filters">
      <div className="filters-fields">{children}</div>
      {count !== undefined && (
        <p className="filters-count" aria-live="polite">
          {count}
        </p>
      )}
    </search>
  );
}
