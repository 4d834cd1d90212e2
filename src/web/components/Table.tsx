/**
 * An accessible data table: a caption, column headers with scope, sorting by buttons in the headers
 * (aria-sort), a keyboard-focusable scroll region, and on narrow screens rows stacked as cards with
 * each cell labelled by its column.
 */
import { type ReactNode, useId, useMemo, useState } from 'react';
import { compareVi } from '../../core/text.ts';
import { useT } from '../i18n/i18n.tsx';

export interface Column<T> {
  key: string;
  header: string;
  cell(row: T): ReactNode;
  /** The sort key; columns without one are not sortable. */
  sort?(row: T): string | number | null | undefined;
  numeric?: boolean;
  /** A row header (th scope=row): the column that names the row. */
  rowHeader?: boolean;
  className?: string;
}

type SortState = { key: string; dir: 'asc' | 'desc' } | null;

function compare(a: string | number | null | undefined, b: string | number | null | undefined): number {
  const na = a === null || a === undefined || a === '';
  const nb = b === null || b === undefined || b === '';
  if (na || nb) return na === nb ? 0 : na ? 1 : -1; // missing last, whatever the direction
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareVi(String(a), String(b));
}

export function Table<T>({
  caption,
  captionHidden = false,
  columns,
  rows,
  rowKey,
  initialSort = null,
  empty,
  stack = true,
  limit,
  footer,
}: {
  caption: string;
  captionHidden?: boolean;
  columns: Array<Column<T>>;
  rows: T[];
  rowKey(row: T): string | number;
  initialSort?: SortState;
  empty?: ReactNode;
  /** Stack rows as cards on narrow screens. */
  stack?: boolean;
  /** Show at most this many rows, with a button for the rest. */
  limit?: number;
  footer?: ReactNode;
}) {
  const t = useT();
  const id = useId();
  const [sort, setSort] = useState<SortState>(initialSort);
  const [shown, setShown] = useState(limit ?? Number.POSITIVE_INFINITY);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const col = columns.find((c) => c.key === sort.key);
    if (!col?.sort) return rows;
    const get = col.sort;
    const out = [...rows].sort((a, b) => {
      const c = compare(get(a), get(b));
      const nullish = (v: unknown) => v === null || v === undefined || v === '';
      if (nullish(get(a)) || nullish(get(b))) return c;
      return sort.dir === 'asc' ? c : -c;
    });
    return out;
  }, [rows, columns, sort]);
  const visible = Number.isFinite(shown) ? sorted.slice(0, shown) : sorted;

  const toggle = (key: string) =>
    setSort((s) => (s?.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));

  return (
    <div className="table-block">
      {/* A wide table scrolls sideways: its container takes focus so the keyboard can scroll it. It is a
          named group, not a landmark, so that pages do not fill with regions. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable container must be reachable by keyboard */}
      {/* biome-ignore lint/a11y/useSemanticElements: a fieldset would imply a form */}
      <div className="table-scroll" role="group" aria-labelledby={`${id}-cap`} tabIndex={0}>
        <table className={stack ? 'table table-stack' : 'table'}>
          <caption id={`${id}-cap`} className={captionHidden ? 'visually-hidden' : undefined}>
            {caption}
          </caption>
          <thead>
            <tr>
              {columns.map((c) => {
                const active = sort?.key === c.key;
                return (
                  <th
                    key={c.key}
                    scope="col"
                    className={[c.numeric ? 'num' : '', c.className ?? ''].join(' ').trim() || undefined}
                    aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {c.sort ? (
                      <button type="button" className="sort" onClick={() => toggle(c.key)}>
                        {c.header}
                        <span className="sort-icon" aria-hidden="true">
                          {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
                        </span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {visible.length === 0 && (
              <tr>
                <td colSpan={columns.length} className="table-empty">
                  {empty ?? t('common.noRows')}
                </td>
              </tr>
            )}
            {visible.map((r) => (
              <tr key={rowKey(r)}>
                {columns.map((c) => {
                  const cls = [c.numeric ? 'num' : '', c.className ?? ''].join(' ').trim() || undefined;
                  return c.rowHeader ? (
                    <th key={c.key} scope="row" className={cls} data-label={c.header}>
                      {c.cell(r)}
                    </th>
                  ) : (
                    <td key={c.key} className={cls} data-label={c.header}>
                      <div className="cell">{c.cell(r)}</div>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          {footer && <tfoot>{footer}</tfoot>}
        </table>
      </div>
      {sorted.length > visible.length && (
        <div className="table-more">
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => setShown((n) => n + (limit ?? 100))}
          >
            {t('common.showMore', { shown: visible.length, total: sorted.length })}
          </button>
        </div>
      )}
    </div>
  );
}
