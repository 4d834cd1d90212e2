/** Reference lists every page needs (levels, indicator groups) and labels for catalogue enumerations. */
import { useMemo } from 'react';
import { type Key, type Lang, pick, type Translate } from '../i18n/i18n.tsx';
import { formatNumber } from './format.ts';
import type { IndicatorGroup, OrgLevel, Target } from './types.ts';
import { useApi } from './useApi.ts';

export function useLevels() {
  const r = useApi<{ items: OrgLevel[] }>('/api/org-levels');
  return r.data?.items;
}

export function useGroups() {
  const r = useApi<{ items: IndicatorGroup[] }>('/api/indicator-groups');
  return r.data?.items;
}

/** code → name in the reader's language. */
export function useNames<T extends { code: string; name_vi: string; name_en: string | null }>(
  items: T[] | undefined,
  lang: Lang,
): (code: string | null | undefined) => string {
  return useMemo(() => {
    const m = new Map((items ?? []).map((i) => [i.code, pick(lang, i.name_vi, i.name_en)]));
    return (code) => (code ? (m.get(code) ?? code) : '');
  }, [items, lang]);
}

export type EnumGroup =
  | 'direction'
  | 'rollup'
  | 'valueType'
  | 'periodType'
  | 'periodRollup'
  | 'lineage'
  | 'docKind';

/** The label of a catalogue enumeration value; unknown values are shown as they are. */
export function enumLabel(t: Translate, group: EnumGroup, value: string | null | undefined): string {
  if (!value) return '–';
  const key = `enum.${group}.${value}` as Key;
  const s = t(key);
  return s === key ? value : s;
}

const SYMBOL: Record<string, string> = { '>=': '≥', '<=': '≤', '=': '=' };

/** "≥ 80%", "80–90%", "≤ 5". */
export function formatTarget(
  lang: Lang,
  t: Pick<Target, 'comparator' | 'value' | 'value_max' | 'unit_of_measure'>,
) {
  const unit = t.unit_of_measure;
  const n = (v: number) => formatNumber(lang, v) + (unit === '%' ? '%' : '');
  const suffix = unit && unit !== '%' && unit !== 'rank' ? ` ${unit}` : '';
  if (t.comparator === 'range' && t.value_max !== null) return `${n(t.value)}–${n(t.value_max)}${suffix}`;
  const sym = SYMBOL[t.comparator] ?? t.comparator;
  return `${sym} ${unit === 'rank' ? '#' : ''}${n(t.value)}${suffix}`;
}

/** The year a period code falls in ("2025Q3" → 2025). */
export const yearOf = (period: string): number => Number.parseInt(period.slice(0, 4), 10);
