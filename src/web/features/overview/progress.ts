/**
 * The engine's assessment of every target (GET /api/progress/overview): types, and the rows of the
 * overview — one per target of a unit, and one per target set for every unit of a level (with the
 * distribution of the units' statuses).
 */
import type { StatusCode } from '../../components/Badges.tsx';

export interface ProgressItem {
  indicator: string;
  indicator_name_vi: string;
  indicator_name_en: string | null;
  unit_of_measure: string;
  org_unit: string;
  org_unit_name_vi: string;
  level: string;
  period: string;
  status: string;
  attainment: number | null;
  trend: string | null;
  latest: { period: string; value: number | null } | null;
  target: { comparator: string; value: number; value_max: number | null };
  projection: number | null;
  conflicts: number;
}

export interface ProgressOverview {
  method_profile: { id: string; label_vi: string; label_en: string };
  statuses: Array<{ code: string; vi: string; en: string }>;
  counts: Record<string, number>;
  total: number;
  groups: Array<{
    code: string;
    name_vi: string;
    name_en: string | null;
    counts: Record<string, number>;
    total: number;
    items: ProgressItem[];
  }>;
}

/** GET /api/progress/overview?summary=true: the overview page's one payload. */
export type SummaryRow =
  | {
      kind: 'unit';
      key: string;
      item: ProgressItem;
      recent: Array<{ period: string; value: number }>;
      latest_provenance?: string | null;
    }
  | { kind: 'level'; key: string; first: ProgressItem; units: number; counts: Array<[string, number]> };

export interface ProgressSummary {
  method_profile: ProgressOverview['method_profile'];
  statuses: ProgressOverview['statuses'];
  level: string;
  levels: Array<{ code: string; name_vi: string; name_en: string | null }>;
  years: number[];
  group_list: Array<{ code: string; name_vi: string | null; name_en: string | null }>;
  counts: Record<string, number>;
  total: number;
  groups: Array<{
    code: string;
    name_vi: string;
    name_en: string | null;
    counts: Record<string, number>;
    total: number;
    rows: SummaryRow[];
  }>;
}

/** The overview page's one request, from the page's search parameters (year, level, group). */
export function overviewQuery(params: URLSearchParams): Record<string, string> {
  return {
    summary: 'true',
    year: params.get('year') ?? '',
    level: params.get('level') ?? '',
    group: params.get('group') ?? '',
  };
}

/** The engine's statuses in the badge colours of the interface. */
export const STATUS_STYLE: Record<string, StatusCode> = {
  target_achieved: 'achieved',
  substantial_progress: 'on_track',
  moderate_progress: 'at_risk',
  limited_progress: 'off_track',
  stagnation_or_regression: 'off_track',
  deterioration: 'off_track',
  insufficient_data: 'insufficient_data',
  not_computable: 'not_assessed',
};

export type ProgressRow =
  | { kind: 'unit'; key: string; item: ProgressItem }
  | {
      kind: 'level';
      key: string;
      first: ProgressItem;
      units: number;
      counts: Array<[string, number]>;
    };

/** One row per unit target; the targets of every unit of a level folded into one row. */
export function progressRows(items: ProgressItem[], statusOrder: string[]): ProgressRow[] {
  const by = new Map<string, ProgressItem[]>();
  for (const i of items) {
    const k = `${i.indicator}|${i.level}|${i.period}`;
    const list = by.get(k);
    if (list) list.push(i);
    else by.set(k, [i]);
  }
  const out: ProgressRow[] = [];
  for (const [key, list] of by) {
    if (list.length === 1) {
      out.push({ kind: 'unit', key, item: list[0]! });
      continue;
    }
    const counts = new Map<string, number>();
    for (const i of list) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
    out.push({
      kind: 'level',
      key,
      first: list[0]!,
      units: list.length,
      counts: [...counts.entries()].sort((a, b) => statusOrder.indexOf(a[0]) - statusOrder.indexOf(b[0])),
    });
  }
  return out;
}
