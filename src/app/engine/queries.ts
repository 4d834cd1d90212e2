/**
 * Reading the engine's results: progress (from progress_status with its indexes, or from memory
 * when a viewer asks for drafts or another method profile), the public overview (memory, cached per
 * model version), an indicator's series for a unit, a roll-up with its children's contributions,
 * and composite-index results (from the model: the rows index_result holds, without reading them).
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type MethodProfile, type ProgressStatus, STATUS_LABELS, STATUS_ORDER } from '../../core/progress.ts';
import { type PeriodType, periodEnd, periodStart, tryParsePeriod } from '../../core/period.ts';
import { type Executor, rows } from '../../store/db.ts';
import { KIND, KIND_METHOD } from './arrays.ts';
import type { MethodologyInfo, TargetInfo } from './catalogue.ts';
import { type IndexYear, indexKey, previousRanks, selectedVersion } from './compute-index.ts';
import { assessOne, type StatusRow, targetsFor } from './compute-progress.ts';
import { indexRowsOf } from './persist.ts';
import type { Engine } from './engine.ts';
import type { Model, OwnCell } from './model.ts';

// ---------------------------------------------------------------------------------------------
// Who is asking

export interface Viewer {
  /** Unit-subtree paths where the viewer may see drafts ('/' = everywhere); empty = approved only. */
  draftScopes: string[];
  /** Whether unpublished indicators are visible (programme staff). */
  seeUnpublished: boolean;
}

export const PUBLIC_VIEWER: Viewer = { draftScopes: [], seeUnpublished: false };

/**
 * The model a viewer sees: the engine's, or — with drafts in the viewer's scope — a copy-on-write
 * overlay where draft and submitted figures stand in for missing approved ones.
 */
export async function modelFor(
  ex: Executor,
  engine: Engine,
  viewer: Viewer,
  indicator?: number,
): Promise<Model> {
  const m = engine.model;
  if (viewer.draftScopes.length === 0) return m;
  const scopes = viewer.draftScopes.includes('/') ? null : viewer.draftScopes;
  const drafts = await rows<{
    indicator_id: number;
    org_unit_id: number;
    period: string;
    value: number | null;
  }>(
    ex,
    sql`select v.indicator_id, v.org_unit_id, v.period, v.value from data_value v join org_unit u on u.id = v.org_unit_id
        where v.status in ('draft', 'submitted') and v.archived_at is null and v.disagg = ''
          ${
            scopes
              ? sql`and (${sql.join(
                  scopes.map((p) => sql`u.path like ${`${p}%`}`),
                  sql` or `,
                )})`
              : sql``
          }
          ${indicator !== undefined ? sql`and v.indicator_id in (select unnest(${sql.param(draftInputs(m, indicator))}::int[]))` : sql``}`,
  );
  const cells: OwnCell[] = [];
  for (const d of drafts) {
    const c = m.cellOf(d.indicator_id, d.org_unit_id, d.period);
    if (c) cells.push({ ...c, value: d.value ?? Number.NaN });
  }
  if (cells.length === 0) return m;
  const fork = m.fork(new Set(cells.map((c) => c.ind)));
  fork.update(cells);
  return fork;
}

/** Database ids of an indicator and of everything it is computed from (operands, denominators). */
function draftInputs(m: Model, ind: number): number[] {
  const out = new Set<number>();
  const stack = [ind];
  while (stack.length) {
    const i = stack.pop()!;
    if (out.has(i)) continue;
    out.add(i);
    const info = m.cat.indicators[i]!;
    for (const d of info.deps) stack.push(d.ind);
    if (info.denominator >= 0) stack.push(info.denominator);
  }
  return [...out].map((i) => m.cat.indicators[i]!.id);
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface ProgressQuery {
  indicator?: string | undefined;
  org_unit?: string | undefined;
  subtree?: string | undefined;
  level?: string | undefined;
  group?: string | undefined;
  period?: string | undefined;
  year?: number | undefined;
  status?: string | undefined;
  /** Every target of a unit, not only the primary one of each period. */
  all_targets?: boolean | undefined;
}

export interface ProgressItem {
  indicator: { code: string; name_vi: string; name_en: string | null; unit: string; group: string | null };
  org_unit: { code: string; name_vi: string; level: string };
  period: string;
  status: string;
  status_vi: string;
  status_en: string;
  score: number | null;
  attainment: number | null;
  projection: { period: string; value: number } | null;
  latest: { period: string; value: number } | null;
  base: { period: string; value: number } | null;
  trend: string | null;
  ratio: number | null;
  measure: string | null;
  cagr_actual: number | null;
  cagr_required: number | null;
  target: {
    id: number;
    comparator: string;
    value: number;
    value_max: number | null;
    baseline_period: string | null;
    baseline_value: number | null;
    scope: string;
    primary: boolean;
    conflicts: number;
    source_document: { code: string; issued_on: string | null } | null;
  };
  method_profile: { id: string; label_vi: string; label_en: string };
  reason: { code: string; vi: string; en: string };
}

const labelOf = (s: string) => STATUS_LABELS[s as ProgressStatus] ?? { vi: s, en: s };
const point = (period: string | null, value: number | null) =>
  period !== null && value !== null ? { period, value } : null;

function itemOf(m: Model, r: StatusRow, profile: MethodProfile): ProgressItem {
  const ind = m.cat.indicators[r.ind]!;
  const u = m.cat.units[r.unit]!;
  const t = r.target;
  const label = labelOf(r.status);
  return {
    indicator: { code: ind.code, name_vi: ind.nameVi, name_en: ind.nameEn, unit: ind.unit, group: ind.group },
    org_unit: { code: u.code, name_vi: u.nameVi, level: u.level },
    period: t.period,
    status: r.status,
    status_vi: label.vi,
    status_en: label.en,
    score: r.score,
    attainment: r.attainment,
    projection: r.projection === null ? null : { period: t.period, value: r.projection },
    latest: point(r.latestPeriod, r.latestValue),
    base: point(r.basePeriod, r.baseValue),
    trend: r.trend,
    ratio: r.ratio,
    measure: r.measure,
    cagr_actual: r.cagrActual,
    cagr_required: r.cagrRequired,
    target: targetOut(t, r.scope, r.primary, r.conflicts),
    method_profile: { id: profile.id, label_vi: profile.label.vi, label_en: profile.label.en },
    reason: r.reason,
  };
}

function targetOut(
  t: TargetInfo,
  scope: string,
  primary: boolean,
  conflicts: number,
): ProgressItem['target'] {
  return {
    id: t.id,
    comparator: t.comparator,
    value: t.value,
    value_max: t.valueMax,
    baseline_period: t.baselinePeriod,
    baseline_value: t.baselineValue,
    scope,
    primary,
    conflicts,
    source_document: t.documentCode ? { code: t.documentCode, issued_on: t.documentIssuedOn } : null,
  };
}

function unitIndex(m: Model, code: string | undefined, field: string): number | undefined {
  if (code === undefined) return undefined;
  const u = m.cat.unitByCode.get(code);
  if (u === undefined) {
    throw new ChisoError({
      code: `${field}.unknown`,
      field,
      vi: `Không có đơn vị với mã '${code}'.`,
      en: `There is no org unit with code '${code}'.`,
    });
  }
  return u;
}

export function indicatorIndex(m: Model, code: string, viewer: Viewer, field = 'indicator'): number {
  const i = m.cat.indicatorByCode.get(code);
  if (i === undefined || (!m.cat.indicators[i]!.published && !viewer.seeUnpublished)) {
    throw new ChisoError({
      code: `${field}.unknown`,
      status: 404,
      field,
      vi: `Không có chỉ tiêu với mã '${code}'.`,
      en: `There is no indicator with code '${code}'.`,
    });
  }
  return i;
}

const yearRange = (y: number) => [`${y}-01-01`, `${y}-12-31`] as const;

/** The progress rows matching a query, from memory (drafts, another profile), in the API's order. */
export function progressFromModel(
  m: Model,
  q: ProgressQuery,
  viewer: Viewer,
  profile: MethodProfile,
): ProgressItem[] {
  const ind = q.indicator !== undefined ? indicatorIndex(m, q.indicator, viewer) : undefined;
  const unit = unitIndex(m, q.org_unit, 'org_unit');
  const sub = unitIndex(m, q.subtree, 'subtree');
  const subPath = sub === undefined ? undefined : m.cat.units[sub]!.path;
  const period = q.period === undefined ? undefined : tryParsePeriod(q.period);
  const [ya, yb] = q.year === undefined ? [undefined, undefined] : yearRange(q.year);
  const out: Array<{ row: StatusRow; sort: string }> = [];
  for (const r of m.statuses.values()) {
    if (!q.all_targets && !r.primary) continue;
    const info = m.cat.indicators[r.ind]!;
    const u = m.cat.units[r.unit]!;
    if (!info.published && !viewer.seeUnpublished) continue;
    if (ind !== undefined && r.ind !== ind) continue;
    if (unit !== undefined && r.unit !== unit) continue;
    if (subPath !== undefined && !u.path.startsWith(subPath)) continue;
    if (q.level !== undefined && u.level !== q.level) continue;
    if (q.group !== undefined && info.group !== q.group) continue;
    if (period && r.target.period !== q.period) continue;
    if (ya !== undefined && (r.target.periodStart < ya || r.target.periodStart > yb!)) continue;
    const row =
      profile.id === r.profile
        ? r
        : {
            ...assessOne(m, r.ind, r.unit, r.target, profile),
            scope: r.scope,
            primary: r.primary,
            conflicts: r.conflicts,
          };
    if (q.status !== undefined && row.status !== q.status) continue;
    const g = String(info.groupSort).padStart(6, '0');
    out.push({
      row,
      sort: `${g}|${info.code}|${r.target.periodStart}|${u.path}|${r.primary ? 0 : 1}|${String(r.target.id).padStart(10, '0')}`,
    });
  }
  out.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
  return out.map((o) => itemOf(m, o.row, profile));
}

/** The progress rows matching a query, from progress_status (indexed), one page. */
export async function progressFromTable(
  ex: Executor,
  m: Model,
  q: ProgressQuery,
  viewer: Viewer,
  page: { limit: number; offset: number },
): Promise<{ items: ProgressItem[]; total: number }> {
  if (q.indicator !== undefined) indicatorIndex(m, q.indicator, viewer);
  unitIndex(m, q.org_unit, 'org_unit');
  unitIndex(m, q.subtree, 'subtree');
  const parts = [sql`ps.archived_at is null`];
  if (!q.all_targets) parts.push(sql`ps.is_primary`);
  if (!viewer.seeUnpublished) parts.push(sql`i.published`);
  if (q.indicator !== undefined) parts.push(sql`i.code = ${q.indicator}`);
  if (q.org_unit !== undefined) parts.push(sql`u.code = ${q.org_unit}`);
  if (q.subtree !== undefined)
    parts.push(sql`u.path like (select path from org_unit where code = ${q.subtree}) || '%'`);
  if (q.level !== undefined) parts.push(sql`u.level = ${q.level}`);
  if (q.group !== undefined) parts.push(sql`i.group_code = ${q.group}`);
  if (q.period !== undefined) parts.push(sql`ps.period = ${q.period}`);
  if (q.year !== undefined) {
    const [a, b] = yearRange(q.year);
    parts.push(sql`ps.period_start between ${a} and ${b}`);
  }
  if (q.status !== undefined) parts.push(sql`ps.status = ${q.status}`);
  const where = sql.join(parts, sql` and `);
  const from = sql`progress_status ps join indicator i on i.id = ps.indicator_id join org_unit u on u.id = ps.org_unit_id
    left join indicator_group g on g.code = i.group_code`;
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from ${from} where ${where}`);
  const list = await rows<{
    indicator_id: number;
    org_unit_id: number;
    target_id: number;
    target_scope: string;
    is_primary: boolean;
    profile: string;
    status: string;
    score: number | null;
    attainment: number | null;
    ratio: number | null;
    measure: string | null;
    cagr_actual: number | null;
    cagr_required: number | null;
    projection_value: number | null;
    latest_value: number | null;
    latest_period: string | null;
    base_value: number | null;
    base_period: string | null;
    trend: string | null;
    reason_code: string;
    conflicts: number;
  }>(
    ex,
    sql`select ps.indicator_id, ps.org_unit_id, ps.target_id, ps.target_scope, ps.is_primary, ps.profile, ps.status,
          ps.score, ps.attainment, ps.ratio, ps.measure, ps.cagr_actual, ps.cagr_required, ps.projection_value,
          ps.latest_value, ps.latest_period, ps.base_value, ps.base_period, ps.trend, ps.reason_code, ps.conflicts
        from ${from} where ${where}
        order by coalesce(g.sort, 1000), i.code, ps.period_start, u.path, ps.is_primary desc, ps.target_id
        limit ${page.limit} offset ${page.offset}`,
  );
  const targets = new Map(m.cat.targets.map((t) => [t.id, t]));
  const items: ProgressItem[] = [];
  for (const r of list) {
    const ind = m.cat.indicatorById.get(r.indicator_id);
    const u = m.cat.unitById.get(r.org_unit_id);
    const t = targets.get(r.target_id);
    if (ind === undefined || u === undefined || !t) continue;
    const mem = m.statuses.get(`${ind}:${u}:${t.id}`);
    const row: StatusRow = {
      key: `${ind}:${u}:${t.id}`,
      ind,
      unit: u,
      target: t,
      scope: r.target_scope as StatusRow['scope'],
      primary: r.is_primary,
      conflicts: r.conflicts,
      profile: r.profile,
      status: r.status as ProgressStatus,
      score: r.score,
      attainment: r.attainment,
      ratio: r.ratio,
      measure: r.measure,
      cagrActual: r.cagr_actual,
      cagrRequired: r.cagr_required,
      projection: r.projection_value,
      latestValue: r.latest_value,
      latestPeriod: r.latest_period,
      baseValue: r.base_value,
      basePeriod: r.base_period,
      trend: r.trend as StatusRow['trend'],
      reason:
        mem?.reason.code === r.reason_code
          ? mem.reason
          : { code: r.reason_code, vi: r.reason_code, en: r.reason_code },
    };
    items.push(itemOf(m, row, m.profile));
  }
  return { items, total: c?.n ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Overview

export interface OverviewQuery {
  year?: number | undefined;
  level?: string | undefined;
  group?: string | undefined;
}

export interface OverviewItem {
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
  latest: { period: string; value: number } | null;
  target: { comparator: string; value: number; value_max: number | null };
  projection: number | null;
  conflicts: number;
}

export interface Overview {
  method_profile: { id: string; label_vi: string; label_en: string };
  statuses: Array<{ code: string; vi: string; en: string }>;
  counts: Record<string, number>;
  total: number;
  groups: Array<{
    code: string | null;
    name_vi: string | null;
    name_en: string | null;
    counts: Record<string, number>;
    total: number;
    items: OverviewItem[];
  }>;
}

/** Every primary target with its status, attainment and trend, grouped by indicator group (pillar). */
export function overview(m: Model, q: OverviewQuery, viewer: Viewer): Overview {
  const items = progressFromModel(m, { year: q.year, level: q.level, group: q.group }, viewer, m.profile);
  const empty = (): Record<string, number> => Object.fromEntries(STATUS_ORDER.map((s) => [s, 0]));
  const groups = new Map<string, Overview['groups'][number]>();
  const counts = empty();
  for (const it of items) {
    const info = m.cat.indicators[m.cat.indicatorByCode.get(it.indicator.code)!]!;
    const key = info.group ?? '';
    let g = groups.get(key);
    if (!g) {
      g = {
        code: info.group,
        name_vi: info.groupNameVi,
        name_en: info.groupNameEn,
        counts: empty(),
        total: 0,
        items: [],
      };
      groups.set(key, g);
    }
    g.counts[it.status] = (g.counts[it.status] ?? 0) + 1;
    counts[it.status] = (counts[it.status] ?? 0) + 1;
    g.total++;
    g.items.push({
      indicator: it.indicator.code,
      indicator_name_vi: it.indicator.name_vi,
      indicator_name_en: it.indicator.name_en,
      unit_of_measure: it.indicator.unit,
      org_unit: it.org_unit.code,
      org_unit_name_vi: it.org_unit.name_vi,
      level: it.org_unit.level,
      period: it.period,
      status: it.status,
      attainment: it.attainment,
      trend: it.trend,
      latest: it.latest,
      target: { comparator: it.target.comparator, value: it.target.value, value_max: it.target.value_max },
      projection: it.projection?.value ?? null,
      conflicts: it.target.conflicts,
    });
  }
  return {
    method_profile: { id: m.profile.id, label_vi: m.profile.label.vi, label_en: m.profile.label.en },
    statuses: STATUS_ORDER.map((s) => ({ code: s, vi: STATUS_LABELS[s].vi, en: STATUS_LABELS[s].en })),
    counts,
    total: items.length,
    groups: [...groups.values()],
  };
}

/** One row of the overview summary: a unit's target, or the targets of every unit of a level folded. */
export type OverviewRow =
  | {
      kind: 'unit';
      key: string;
      item: OverviewItem;
      recent: Array<{ period: string; value: number }>;
      /** Provenance of the latest value when it is the unit's own figure ('synthetic' for demo series). */
      latest_provenance?: string | null;
    }
  | { kind: 'level'; key: string; first: OverviewItem; units: number; counts: Array<[string, number]> };

export interface OverviewSummary {
  method_profile: Overview['method_profile'];
  statuses: Overview['statuses'];
  /** The level shown ('' = every level) and the levels to choose from, in their order. */
  level: string;
  levels: Array<{ code: string; name_vi: string; name_en: string | null }>;
  /** Years with targets (every level and group), for the year filter. */
  years: number[];
  /** The indicator groups (pillars) with visible indicators, in their order, for the group filter. */
  group_list: Array<{ code: string; name_vi: string | null; name_en: string | null }>;
  counts: Record<string, number>;
  total: number;
  groups: Array<Omit<Overview['groups'][number], 'items'> & { rows: OverviewRow[] }>;
}

/** The values of a unit at a period type up to a period: the last `n` present ones. */
function recentValues(m: Model, ind: number, unit: number, period: string, n: number) {
  const at = m.cat.calendar.locate(period);
  const layer = at ? m.layer(ind, at.type) : undefined;
  const out: Array<{ period: string; value: number }> = [];
  if (!at || !layer) return out;
  for (let k = Math.min(at.k, layer.n - 1); k >= 0 && out.length < n; k--) {
    const v = layer.val[k * m.nUnits + unit]!;
    if (!Number.isNaN(v)) out.push({ period: m.cat.calendar.code(at.type, k), value: v });
  }
  return out.reverse();
}

/**
 * The public overview in one small payload: the overview with the targets set for every unit of a
 * level folded into one row per indicator, level and period (the units' status counts), a unit's
 * own target as one row with its recent values (for the sparkline), and what the page's filters
 * need (levels, years). `level` undefined = the programme's own level (the first); '' = all.
 */
export function overviewSummary(
  m: Model,
  q: OverviewQuery,
  viewer: Viewer,
  levels: OverviewSummary['levels'],
): OverviewSummary {
  const level = q.level === undefined ? (levels[0]?.code ?? '') : q.level;
  const full = overview(m, { ...q, level: level === '' ? undefined : level }, viewer);
  const order = new Map(full.statuses.map((x, k) => [x.code, k]));
  const groups = full.groups.map(({ items, ...g }) => {
    const by = new Map<string, OverviewItem[]>();
    for (const i of items) {
      const k = `${i.indicator}|${i.level}|${i.period}`;
      const list = by.get(k);
      if (list) list.push(i);
      else by.set(k, [i]);
    }
    const rows: OverviewRow[] = [];
    for (const [key, list] of by) {
      const first = list[0]!;
      if (list.length === 1) {
        const ind = m.cat.indicatorByCode.get(first.indicator)!;
        const unit = m.cat.unitByCode.get(first.org_unit)!;
        rows.push({ kind: 'unit', key, item: first, recent: recentValues(m, ind, unit, first.period, 8) });
        continue;
      }
      const counts = new Map<string, number>();
      for (const i of list) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
      rows.push({
        kind: 'level',
        key,
        first,
        units: list.length,
        counts: [...counts.entries()].sort((a, b) => (order.get(a[0]) ?? 99) - (order.get(b[0]) ?? 99)),
      });
    }
    return { ...g, rows };
  });
  const sortOf = new Map<string, number>();
  const groupList: OverviewSummary['group_list'] = [];
  for (const info of [...m.cat.indicators].sort((a, b) => a.groupSort - b.groupSort)) {
    if (info.group === null || sortOf.has(info.group) || (!info.published && !viewer.seeUnpublished))
      continue;
    sortOf.set(info.group, info.groupSort);
    groupList.push({ code: info.group, name_vi: info.groupNameVi, name_en: info.groupNameEn });
  }
  groups.sort(
    (a, b) =>
      (sortOf.get(a.code ?? '') ?? 1e9) - (sortOf.get(b.code ?? '') ?? 1e9) ||
      (a.code ?? '').localeCompare(b.code ?? ''),
  );
  const years = new Set<number>();
  for (const r of m.statuses.values()) {
    if (!r.primary) continue;
    if (!m.cat.indicators[r.ind]!.published && !viewer.seeUnpublished) continue;
    years.add(Number(r.target.periodStart.slice(0, 4)));
  }
  return {
    method_profile: full.method_profile,
    statuses: full.statuses,
    level,
    levels,
    years: [...years].sort((a, b) => a - b),
    group_list: groupList,
    counts: full.counts,
    total: full.total,
    groups,
  };
}

// ---------------------------------------------------------------------------------------------
// Series and roll-ups

const SOURCE: Readonly<Record<number, string>> = { ...KIND_METHOD, [KIND.own]: 'own' };

export function seriesFor(
  m: Model,
  code: string,
  unitCode: string | undefined,
  viewer: Viewer,
  type?: PeriodType,
) {
  const i = indicatorIndex(m, code, viewer);
  const info = m.cat.indicators[i]!;
  let u = unitIndex(m, unitCode, 'org_unit');
  if (u === undefined) {
    // The first unit with a target for the indicator, else the first root unit.
    const t = (m.cat.targetsByIndicator.get(i) ?? []).find((x) => x.unit >= 0);
    u = t?.unit ?? m.cat.units.findIndex((x) => x.parentId === null);
  }
  const t: PeriodType = type ?? (info.types.includes('year') ? 'year' : info.periodType);
  if (!info.types.includes(t)) {
    throw new ChisoError({
      code: 'series.period_type',
      field: 'period_type',
      vi: `Chỉ tiêu '${code}' không có số liệu theo kỳ '${t}' (có: ${info.types.join(', ')}).`,
      en: `Indicator '${code}' has no values per '${t}' (it has: ${info.types.join(', ')}).`,
    });
  }
  const layer = m.layer(i, t)!;
  const n = m.nUnits;
  const cal = m.cat.calendar;
  const actuals: Array<{ period: string; value: number; source: string }> = [];
  for (let k = 0; k < layer.n; k++) {
    const v = layer.val[k * n + u]!;
    if (!Number.isNaN(v))
      actuals.push({ period: cal.code(t, k), value: v, source: SOURCE[layer.kind[k * n + u]!]! });
  }
  const unit = m.cat.units[u]!;
  const lineage = m.cat.batches.flatMap((b) =>
    b.links
      .filter((l) => l.to === u)
      .map((l) => ({
        from: m.cat.units[l.from]!.code,
        from_name_vi: m.cat.units[l.from]!.nameVi,
        effective_date: b.date,
        share: l.share ?? null,
      })),
  );
  const targets = [...targetsFor(m, i, u).values()]
    .flatMap((g) => g.targets.map((t) => ({ g, t })))
    .map(({ g, t }) => {
      const s = m.statuses.get(`${i}:${u}:${t.id}`);
      return {
        ...targetOut(t, g.scope, s?.primary ?? false, s?.conflicts ?? 0),
        period: t.period,
        status: s?.status ?? null,
        attainment: s?.attainment ?? null,
        projection: s?.projection ?? null,
      };
    })
    .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : a.primary ? -1 : 1));
  const primaries = targets.filter((x) => x.primary && x.projection !== null);
  const last = primaries[primaries.length - 1];
  return {
    indicator: {
      code: info.code,
      name_vi: info.nameVi,
      name_en: info.nameEn,
      unit: info.unit,
      value_type: info.valueType,
      direction: info.direction,
      rollup: info.rollup,
      period_type: info.periodType,
      period_rollup: info.periodRollup,
      formula: info.formula,
    },
    org_unit: {
      code: unit.code,
      name_vi: unit.nameVi,
      level: unit.level,
      valid_from: unit.validFrom,
      valid_to: unit.validTo,
    },
    period_type: t,
    actuals,
    lineage,
    targets,
    projection: last ? { period: last.period, value: last.projection! } : null,
  };
}

export function rollupFor(m: Model, code: string, unitCode: string, periodCode: string, viewer: Viewer) {
  const i = indicatorIndex(m, code, viewer);
  const info = m.cat.indicators[i]!;
  const u = unitIndex(m, unitCode, 'org_unit')!;
  const at = m.cat.calendar.locate(periodCode);
  if (!at || !info.types.includes(at.type)) {
    throw new ChisoError({
      code: 'rollup.period',
      field: 'period',
      vi: `Không có số liệu của chỉ tiêu '${code}' cho kỳ '${periodCode}'.`,
      en: `Indicator '${code}' has no values for period '${periodCode}'.`,
    });
  }
  const n = m.nUnits;
  const layer = m.layer(i, at.type)!;
  const c = at.k * n + u;
  const value = layer.val[c]!;
  const kind = layer.kind[c]!;
  const unitOut = (x: number) => ({
    code: m.cat.units[x]!.code,
    name_vi: m.cat.units[x]!.nameVi,
    level: m.cat.units[x]!.level,
  });
  const children: Array<{
    org_unit: ReturnType<typeof unitOut>;
    value: number | null;
    source: string | null;
    weight: number | null;
    share: number | null;
  }> = [];
  if (at.type === info.periodType) {
    const tree = m.trees.at(at.type, at.k);
    const weights =
      info.rollup === 'weighted_mean' && info.denominator >= 0
        ? (m.layer(info.denominator, at.type)?.val.subarray(at.k * n, (at.k + 1) * n) ?? null)
        : null;
    let total = 0;
    for (let j = tree.childStart[u]!; j < tree.childStart[u + 1]!; j++) {
      const ch = tree.childList[j]!;
      const v = layer.val[at.k * n + ch]!;
      const counts = !Number.isNaN(v) && layer.kind[at.k * n + ch] !== KIND.lineage;
      const w = weights ? weights[ch]! : null;
      if (counts) total += info.rollup === 'weighted_mean' ? (w ?? Number.NaN) * v : v;
      children.push({
        org_unit: unitOut(ch),
        value: Number.isNaN(v) ? null : v,
        source: Number.isNaN(v) ? null : SOURCE[layer.kind[at.k * n + ch]!]!,
        weight: w === null || Number.isNaN(w) ? null : w,
        share: null,
      });
    }
    if (info.rollup === 'sum' || info.rollup === 'weighted_mean') {
      for (const ch of children) {
        if (ch.value === null || total === 0 || !Number.isFinite(total)) continue;
        ch.share = (info.rollup === 'sum' ? ch.value : (ch.weight ?? Number.NaN) * ch.value) / total;
        if (!Number.isFinite(ch.share)) ch.share = null;
      }
    }
    children.sort((a, b) => (a.org_unit.code < b.org_unit.code ? -1 : 1));
  }
  const subPeriods: Array<{ period: string; value: number | null }> = [];
  if (at.type !== info.periodType && !info.ast) {
    const [a, b] = m.cat.calendar.within(at.type, at.k, info.periodType);
    const native = m.layer(i, info.periodType)!;
    for (let k = a; k < b; k++) {
      const v = native.val[k * n + u]!;
      subPeriods.push({ period: m.cat.calendar.code(info.periodType, k), value: Number.isNaN(v) ? null : v });
    }
  }
  const lineage =
    kind === KIND.lineage
      ? m.cat.batches[layer.lin.get(at.k)!.get(u)!]!.links.filter((l) => l.to === u).map((l) => {
          const v = layer.val[at.k * n + l.from]!;
          return { org_unit: unitOut(l.from), value: Number.isNaN(v) ? null : v, share: l.share ?? null };
        })
      : [];
  return {
    indicator: { code: info.code, name_vi: info.nameVi, name_en: info.nameEn, unit: info.unit },
    org_unit: unitOut(u),
    period: periodCode,
    period_start: periodStart(tryParsePeriod(periodCode)!),
    period_end: periodEnd(tryParsePeriod(periodCode)!),
    value: Number.isNaN(value) ? null : value,
    source: Number.isNaN(value) ? null : SOURCE[kind]!,
    rule: info.rollup,
    period_rollup: info.periodRollup,
    formula: info.formula,
    children,
    sub_periods: subPeriods,
    lineage,
  };
}

// ---------------------------------------------------------------------------------------------
// Index

export function methodologiesFor(m: Model) {
  return m.cat.methodologies.map((mi) => ({
    id: mi.id,
    code: mi.code,
    version: mi.version,
    name_vi: mi.nameVi,
    name_en: mi.nameEn,
    valid_from: mi.validFrom,
    valid_to: mi.validTo,
    root: mi.definition.root,
    views: mi.definition.views ?? [],
    indicators: mi.indicatorCodes,
    levels: mi.levels,
    sensitivity: mi.sensitivity,
    source: mi.definition.source ?? null,
    years: [...m.index.values()]
      .filter((r) => r.m.id === mi.id && r.result)
      .map((r) => r.year)
      .sort((a, b) => a - b),
  }));
}

export interface IndexResultsQuery {
  period?: string | undefined;
  version?: string | undefined;
}

/** The methodology version and year a results query names (404 / 400 as ChisoError). */
function chooseIndexYear(m: Model, code: string, q: IndexResultsQuery) {
  const versions = m.cat.methodologies.filter((x) => x.code === code);
  if (versions.length === 0) {
    throw new ChisoError({
      code: 'index.unknown',
      status: 404,
      field: 'code',
      vi: `Không có bộ chỉ số '${code}'.`,
      en: `There is no index '${code}'.`,
    });
  }
  let year: number;
  if (q.period !== undefined) {
    const p = tryParsePeriod(q.period);
    if (p?.type !== 'year') {
      throw new ChisoError({
        code: 'index.period',
        field: 'period',
        vi: `Kỳ của bộ chỉ số là một năm (ví dụ 2023), không phải '${q.period}'.`,
        en: `An index period is a year (e.g. 2023), not '${q.period}'.`,
      });
    }
    year = p.year;
  } else {
    const years = [...m.index.values()].filter((r) => r.m.code === code && r.result).map((r) => r.year);
    year = years.length ? Math.max(...years) : versions[versions.length - 1]!.validFrom;
  }
  const chosen =
    q.version !== undefined
      ? versions.find((x) => x.version === q.version)
      : (selectedVersion(m, code, year)?.m ??
        versions.filter((x) => x.validFrom <= year && (x.validTo ?? 9999) >= year).pop());
  if (!chosen) {
    throw new ChisoError({
      code: 'index.version',
      status: 404,
      field: 'version',
      vi: `Bộ chỉ số '${code}' không có phiên bản '${q.version}'.`,
      en: `Index '${code}' has no version '${q.version}'.`,
    });
  }
  return { chosen, year, iy: m.index.get(indexKey(chosen.id, year)) };
}

export async function indexResultsFor(_ex: Executor, m: Model, code: string, q: IndexResultsQuery) {
  const { chosen, year, iy } = chooseIndexYear(m, code, q);
  // The rows index_result holds for this methodology-year, built from the model: after a catch-up
  // the model equals the stored results (the writer persisted them from the same computation), so
  // a changed index costs no read of its ten thousand rows.
  const stored = iy ? indexRowsOf(m, iy) : [];
  const def = chosen.definition;
  const root = def.root;
  const byUnit = new Map<number, typeof stored>();
  for (const r of stored) {
    const list = byUnit.get(r.org_unit_id) ?? [];
    list.push(r);
    byUnit.set(r.org_unit_id, list);
  }
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) ?? [];
  const units = [...byUnit.entries()].map(([id, list]) => {
    const ui = m.cat.unitById.get(id);
    const info = ui === undefined ? null : m.cat.units[ui]!;
    const top = list.find((r) => r.node === root);
    const nodes: Record<string, unknown> = {};
    for (const r of list) {
      nodes[r.node] = {
        raw: r.raw,
        score: r.score,
        rank: r.rank,
        previous_rank: r.previous_rank,
        rank_change: r.rank_change,
        band: r.band,
      };
    }
    return {
      org_unit: { code: info?.code ?? String(id), name_vi: info?.nameVi ?? '', level: info?.level ?? '' },
      score: top?.score ?? null,
      rank: top?.rank ?? null,
      previous_rank: top?.previous_rank ?? null,
      rank_change: top?.rank_change ?? null,
      band: top?.band ?? null,
      sensitivity:
        top && top.sensitivity_median !== null
          ? { median_rank: top.sensitivity_median, q5: top.sensitivity_q5, q95: top.sensitivity_q95 }
          : null,
      strengths: parse(top?.strengths),
      weaknesses: parse(top?.weaknesses),
      nodes,
    };
  });
  units.sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || (a.org_unit.code < b.org_unit.code ? -1 : 1));
  return { ...indexHead(chosen, year, iy), units };
}

function indexHead(chosen: MethodologyInfo, year: number, iy: IndexYear | undefined) {
  const def = chosen.definition;
  const root = def.root;
  return {
    methodology: {
      id: chosen.id,
      code: chosen.code,
      version: chosen.version,
      name_vi: chosen.nameVi,
      name_en: chosen.nameEn,
      root,
      views: def.views ?? [],
      rank_decimals: def.rank_decimals ?? null,
    },
    period: String(year),
    sensitivity: iy?.sensitivity
      ? {
          runs: iy.sensitivity.runs,
          seed: iy.sensitivity.seed,
          weight_noise: iy.sensitivity.weightNoise,
          failed_runs: iy.sensitivity.failedRuns,
        }
      : null,
    error: iy?.error ?? null,
    nodes: def.nodes.map((nd) => ({
      code: nd.code,
      name_vi: nd.name_vi,
      name_en: nd.name_en,
      indicator: nd.indicator ?? null,
      max_points: nd.max_points ?? null,
      children: (nd.children ?? []).map((c) => ({ code: c.code, weight: c.weight ?? 1 })),
    })),
  };
}

/** A JSON body already serialised, as its pieces of UTF-8 in order (indexResultsJson). */
export class JsonText {
  constructor(readonly parts: readonly Buffer[]) {}
  /** The UTF-8 body. */
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
  get text(): string {
    return this.bytes().toString('utf8');
  }
}

const jnum = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? 'null' : String(v);

/** Equal as the JSON writes them (NaN = null = NaN; 0 and −0 both write 0). */
const sameNum = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * What the last index-results body of a methodology-year wrote, kept to write the next one: per
 * node and unit the figures of its `"node":{…}` member and that member's text, per unit its
 * strengths-and-weaknesses text and its name's bytes. After one changed value most members are
 * unchanged (a min-max shift moves one leaf, its parents and the root) and most of the body's
 * cost — writing doubles as shortest decimal text — is skipped.
 */
interface IndexTextMemo {
  units: readonly number[];
  order: readonly string[];
  /** [c * nUnits + j] × (raw, score, rank, previous rank). */
  nums: Float64Array;
  bands: (string | null)[];
  members: string[];
  strengths: Map<string, { of: unknown; text: string }>;
}
const indexTextMemos = new WeakMap<Model, Map<string, IndexTextMemo>>();
/** A unit's `{"code","name_vi","level"}` in UTF-8, by model unit index. */
const orgBytes = new WeakMap<
  Model,
  Map<number, { code: string; name: string; level: string; bytes: Buffer }>
>();

function orgJson(m: Model, u: number): Buffer {
  let byUnit = orgBytes.get(m);
  if (!byUnit) {
    byUnit = new Map();
    orgBytes.set(m, byUnit);
  }
  const info = m.cat.units[u]!;
  const hit = byUnit.get(u);
  if (hit && hit.code === info.code && hit.name === info.nameVi && hit.level === info.level) return hit.bytes;
  const bytes = Buffer.from(JSON.stringify({ code: info.code, name_vi: info.nameVi, level: info.level }));
  byUnit.set(u, { code: info.code, name: info.nameVi, level: info.level, bytes });
  return bytes;
}

const sameArray = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The JSON of indexResultsFor, written straight from the model's arrays: the same text as
 * JSON.stringify of indexResultsFor (tested), without building ten thousand node objects first —
 * the body of a city index year is about 1.5 MB and is rebuilt after every change, reusing the
 * members that did not change since the previous body (IndexTextMemo).
 */
export function indexResultsJson(m: Model, code: string, q: IndexResultsQuery): JsonText {
  return new JsonText([...indexResultsChunks(m, code, q)]);
}

/** A JSON body arriving in pieces of UTF-8, in order. */
export class JsonChunks {
  constructor(readonly chunks: AsyncIterable<Buffer>) {}
}

/**
 * indexResultsJson in pieces, giving the event loop back between them (after the head, whose
 * sensitivity may have been computed just now, then every 32 units): a server answers other
 * requests — whose database replies arrive meanwhile — and compresses the pieces already written
 * on its thread pool while it writes the rest of a 1.5 MB body.
 */
export function indexResultsStream(m: Model, code: string, q: IndexResultsQuery): JsonChunks {
  const steps = indexResultsChunks(m, code, q);
  return new JsonChunks(
    (async function* () {
      for (const chunk of steps) {
        yield chunk;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })(),
  );
}

const utf8 = (parts: ReadonlyArray<string | Buffer>) =>
  Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x) : x)));

function* indexResultsChunks(m: Model, code: string, q: IndexResultsQuery): Generator<Buffer, void> {
  const { chosen, year, iy } = chooseIndexYear(m, code, q);
  const head = JSON.stringify(indexHead(chosen, year, iy));
  const res = iy?.result;
  if (!iy || !res) {
    yield Buffer.from(`${head.slice(0, -1)},"units":[]}`);
    return;
  }
  yield Buffer.from(`${head.slice(0, -1)},"units":[`);
  const prev = previousRanks(m, iy);
  const sens = new Map((iy.sensitivity?.units ?? []).map((x) => [x.unit, x]));
  const strengths = new Map(res.strengths.map((x) => [x.unit, x]));
  const keys = res.order.map((c) => JSON.stringify(c));
  const prevOf = res.order.map((c) => prev.get(c));
  const rootAt = res.order.indexOf(res.root);
  const nU = res.units.length;
  const nC = res.order.length;
  let memos = indexTextMemos.get(m);
  if (!memos) {
    memos = new Map();
    indexTextMemos.set(m, memos);
  }
  const memoKey = `${iy.key}|${chosen.id}`;
  let old = memos.get(memoKey);
  if (old && !(sameArray(old.units, iy.units) && sameArray(old.order, res.order))) old = undefined;
  const memo: IndexTextMemo = {
    units: iy.units.slice(),
    order: res.order.slice(),
    nums: new Float64Array(nC * nU * 4),
    bands: new Array(nC * nU),
    members: new Array(nC * nU),
    strengths: new Map(),
  };
  // Units by their rank at the root (none last), then code: the order of the body, known before
  // any unit is written, so that the pieces can leave in order.
  const rootRank = rootAt >= 0 ? res.nodes[res.root]!.rank : undefined;
  const rankOf = (j: number) => {
    const r = rootRank ? rootRank[j]! : Number.NaN;
    return Number.isNaN(r) ? 1e9 : r;
  };
  const codeOf = (j: number) => m.cat.units[iy.units[j]!]!.code;
  const order = Array.from({ length: nU }, (_, j) => j).sort(
    (a, b) => rankOf(a) - rankOf(b) || (codeOf(a) < codeOf(b) ? -1 : 1),
  );
  let parts: Array<string | Buffer> = [];
  // A unit's members are joined once (one flat string), not appended one by one (a rope of
  // thousands of pieces that encoding the body would have to flatten).
  const members = new Array<string>(nC);
  for (let i = 0; i < nU; i++) {
    const j = order[i]!;
    const unitCode = res.units[j]!;
    let top = '';
    for (let c = 0; c < nC; c++) {
      const ns = res.nodes[res.order[c]!]!;
      const raw = ns.raw[j]!;
      const score = ns.score[j]!;
      const rank = ns.rank[j]!;
      const pr = prevOf[c]?.get(unitCode) ?? Number.NaN;
      const band = ns.band?.[j] ?? null;
      const at = c * nU + j;
      const o = at * 4;
      memo.nums[o] = raw;
      memo.nums[o + 1] = score;
      memo.nums[o + 2] = rank;
      memo.nums[o + 3] = pr;
      memo.bands[at] = band;
      let member: string;
      if (
        old &&
        sameNum(old.nums[o]!, raw) &&
        sameNum(old.nums[o + 1]!, score) &&
        sameNum(old.nums[o + 2]!, rank) &&
        sameNum(old.nums[o + 3]!, pr) &&
        old.bands[at] === band
      ) {
        member = old.members[at]!;
      } else {
        const r = Number.isNaN(rank) ? null : rank;
        const p = Number.isNaN(pr) ? null : pr;
        // Joined, so that the text is one flat string (a template literal leaves a rope of its
        // pieces, which every later join of the body would walk again).
        member = [
          keys[c],
          ':{"raw":',
          jnum(raw),
          ',"score":',
          jnum(score),
          ',"rank":',
          jnum(r),
          ',"previous_rank":',
          jnum(p),
          ',"rank_change":',
          jnum(p !== null && r !== null ? p - r : null),
          ',"band":',
          band === null ? 'null' : JSON.stringify(band),
          '}',
        ].join('');
      }
      memo.members[at] = member;
      members[c] = member;
      if (c === rootAt) {
        // The root member's fields after "raw" are the unit's top-level fields.
        const inner = member.slice(keys[c]!.length + 2, -1);
        top = inner.slice(inner.indexOf(',') + 1);
      }
    }
    const s = rootAt >= 0 ? sens.get(unitCode) : undefined;
    const sw = rootAt >= 0 ? strengths.get(unitCode) : undefined;
    const median = s?.median ?? null;
    const sensJson =
      median === null || (typeof median === 'number' && Number.isNaN(median))
        ? 'null'
        : `{"median_rank":${jnum(median)},"q5":${jnum(s?.q5 ?? null)},"q95":${jnum(s?.q95 ?? null)}}`;
    if (rootAt < 0) top = '"score":null,"rank":null,"previous_rank":null,"rank_change":null,"band":null';
    const swOld = old?.strengths.get(unitCode);
    const swText =
      swOld && sameStrengths(swOld.of, sw)
        ? swOld.text
        : `"strengths":${JSON.stringify(sw?.strengths ?? [])},"weaknesses":${JSON.stringify(sw?.weaknesses ?? [])}`;
    memo.strengths.set(unitCode, { of: sw, text: swText });
    parts.push(
      i ? ',{"org_unit":' : '{"org_unit":',
      orgJson(m, iy.units[j]!),
      [',', top, ',"sensitivity":', sensJson, ',', swText, ',"nodes":{', members.join(','), '}}'].join(''),
    );
    if (i % 32 === 31) {
      yield utf8(parts);
      parts = [];
    }
  }
  memos.set(memoKey, memo);
  parts.push(']}');
  yield utf8(parts);
}

type Strengths = {
  strengths: Array<{ node: string; rank: number; score: number }>;
  weaknesses: Array<{ node: string; rank: number; score: number }>;
};

function sameStrengths(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const x = a as Strengths;
  const y = b as Strengths;
  const same = (p: Strengths['strengths'], q: Strengths['strengths']) =>
    p.length === q.length &&
    p.every((e, i) => e.node === q[i]!.node && e.rank === q[i]!.rank && Object.is(e.score, q[i]!.score));
  return same(x.strengths, y.strengths) && same(x.weaknesses, y.weaknesses);
}
