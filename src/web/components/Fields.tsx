/** Labelled form controls: a diacritic-insensitive search box and a select, both with visible labels. */
import { type ReactNode, useId } from 'react';
import { useT } from '../i18n/i18n.tsx';

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
  return (
    <div className="field field-search">
      <label htmlFor={id}>{label ?? t('common.search')}</label>
      <input
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
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
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
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
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
