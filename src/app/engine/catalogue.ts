/**
 * What the engine needs to know about the catalogue, read from the database once per (re)build and
 * turned into index-addressed structures: units sorted by code (index ↔ id, the tree as an Int32Array
 * of parent indices), indicators sorted by code with their formulas parsed and their computation
 * order, targets, lineage links in date batches, and index methodologies.
 *
 * Units and indicators are numbered by code, not by database id, so that the same catalogue gives
 * the same arrays — and bit-identical results — on every database.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type FormulaAst, formulaDependencies, orderFormulas, parseFormula } from '../../core/formula.ts';
import { type IndexMethodology, validateMethodology } from '../../core/index/index.ts';
import { type PeriodType, periodEnd, periodStart, tryParsePeriod } from '../../core/period.ts';
import { type LineageLink, mapLineage, type RollupRule } from '../../core/rollup.ts';
import { type Executor, rows } from '../../store/db.ts';
import { Calendar, typesFrom } from './calendar.ts';

export interface UnitInfo {
  id: number;
  code: string;
  nameVi: string;
  nameEn: string | null;
  level: string;
  parentId: number | null;
  path: string;
  groups: string[];
  validFrom: string | null;
  validTo: string | null;
}

export interface IndicatorInfo {
  id: number;
  code: string;
  nameVi: string;
  nameEn: string | null;
  unit: string;
  valueType: string;
  direction: 'increase' | 'decrease' | 'target';
  rollup: RollupRule;
  /** Index of the denominator indicator (weighted_mean), -1 without. */
  denominator: number;
  periodType: PeriodType;
  periodRollup: 'sum' | 'last' | 'mean';
  formula: string | null;
  ast: FormulaAst | null;
  /** Operands of the formula: indicator index and period offset. */
  deps: Array<{ ind: number; offset: number }>;
  group: string | null;
  groupNameVi: string | null;
  groupNameEn: string | null;
  groupSort: number;
  levels: string[];
  published: boolean;
  sourceDocument: string | null;
  /** The native type and the coarser ones the engine keeps values for. */
  types: PeriodType[];
}

export interface TargetInfo {
  id: number;
  ind: number;
  /** Unit index, or -1 for a level target. */
  unit: number;
  level: string | null;
  period: string;
  periodType: PeriodType;
  periodStart: string;
  periodEnd: string;
  comparator: '>=' | '<=' | '=' | 'range';
  value: number;
  valueMax: number | null;
  baselineValue: number | null;
  baselinePeriod: string | null;
  documentId: number | null;
  documentCode: string | null;
  documentIssuedOn: string | null;
}

export interface LinkBatch {
  /** Effective date of the reorganisation: the links fill periods that end before it. */
  date: string;
  links: LineageLink[];
}

export interface SensitivitySettings {
  runs: number;
  seed: number;
  weight_noise: number;
}

export const DEFAULT_SENSITIVITY: SensitivitySettings = { runs: 200, seed: 20240101, weight_noise: 0.25 };

export interface MethodologyInfo {
  id: number;
  code: string;
  version: string;
  nameVi: string;
  nameEn: string;
  validFrom: number;
  validTo: number | null;
  definition: IndexMethodology;
  sensitivity: SensitivitySettings;
  /** Indicator index of every leaf indicator code (distinct, in first-use order). */
  indicators: number[];
  indicatorCodes: string[];
  /**
   * Unit levels that take part: the definition's `levels`, else those every leaf indicator applies
   * to; empty = the one level with the most units that have input values that year.
   */
  levels: string[];
  needsTargets: boolean;
}

export interface Catalogue {
  calendar: Calendar;
  units: UnitInfo[];
  unitById: Map<number, number>;
  unitByCode: Map<string, number>;
  parent: Int32Array;
  indicators: IndicatorInfo[];
  indicatorById: Map<number, number>;
  indicatorByCode: Map<string, number>;
  /** Every indicator once, operands and denominators before the indicators that use them. */
  order: number[];
  /** For each indicator, the indicators that read it (formula operand or denominator). */
  dependents: number[][];
  targets: TargetInfo[];
  targetsByIndicator: Map<number, TargetInfo[]>;
  batches: LinkBatch[];
  /** For each unit index, the batches with a link into it. */
  incoming: Map<number, number[]>;
  /** For each unit index, the batches with a link out of it. */
  outgoing: Map<number, number[]>;
  methodologies: MethodologyInfo[];
  /** Catalogue entries the engine had to leave out, with the reason (vi/en). */
  problems: Array<{ code: string; vi: string; en: string }>;
}

const byCode = <T extends { code: string }>(a: T, b: T): number =>
  a.code < b.code ? -1 : a.code > b.code ? 1 : 0;

/** Reads the catalogue. `years` is the span the values need; the calendar adds a year of slack. */
export async function loadCatalogue(ex: Executor, currentYear: number): Promise<Catalogue> {
  const problems: Catalogue['problems'] = [];
  const unitRows = await rows<{
    id: number;
    code: string;
    name_vi: string;
    name_en: string | null;
    level: string;
    parent_id: number | null;
    path: string;
    groups: string[];
    valid_from: string | null;
    valid_to: string | null;
  }>(
    ex,
    sql`select id, code, name_vi, name_en, level, parent_id, path, groups, valid_from, valid_to
        from org_unit where archived_at is null`,
  );
  const units: UnitInfo[] = unitRows
    .map((u) => ({
      id: u.id,
      code: u.code,
      nameVi: u.name_vi,
      nameEn: u.name_en,
      level: u.level,
      parentId: u.parent_id,
      path: u.path,
      groups: u.groups ?? [],
      validFrom: u.valid_from,
      validTo: u.valid_to,
    }))
    .sort(byCode);
  const unitById = new Map(units.map((u, i) => [u.id, i]));
  const unitByCode = new Map(units.map((u, i) => [u.code, i]));
  const parent = new Int32Array(units.length);
  units.forEach((u, i) => {
    parent[i] = u.parentId === null ? -1 : (unitById.get(u.parentId) ?? -1);
  });

  const indRows = await rows<{
    id: number;
    code: string;
    name_vi: string;
    name_en: string | null;
    unit: string;
    value_type: string;
    direction: IndicatorInfo['direction'];
    rollup: RollupRule;
    denominator_id: number | null;
    period_type: PeriodType;
    period_rollup: IndicatorInfo['periodRollup'];
    formula: string | null;
    group_code: string | null;
    group_name_vi: string | null;
    group_name_en: string | null;
    group_sort: number | null;
    levels: string[];
    published: boolean;
    source_document: string | null;
  }>(
    ex,
    sql`select i.id, i.code, i.name_vi, i.name_en, i.unit, i.value_type, i.direction, i.rollup, i.denominator_id,
          i.period_type, i.period_rollup, i.formula, i.group_code, g.name_vi as group_name_vi,
          g.name_en as group_name_en, g.sort as group_sort, i.levels, i.published, d.code as source_document
        from indicator i left join indicator_group g on g.code = i.group_code
        left join document d on d.id = i.source_document_id
        where i.archived_at is null`,
  );
  indRows.sort(byCode);
  const indicatorById = new Map(indRows.map((r, i) => [r.id, i]));
  const indicatorByCode = new Map(indRows.map((r, i) => [r.code, i]));
  const indicators: IndicatorInfo[] = indRows.map((r) => {
    let ast: FormulaAst | null = null;
    const deps: IndicatorInfo['deps'] = [];
    if (r.formula) {
      try {
        ast = parseFormula(r.formula);
        for (const d of formulaDependencies(ast)) {
          const k = indicatorByCode.get(d.code);
          if (k === undefined) throw new Error(d.code);
          deps.push({ ind: k, offset: d.offset });
        }
      } catch (e) {
        ast = null;
        deps.length = 0;
        problems.push({
          code: r.code,
          vi: `Công thức của chỉ tiêu ${r.code} không dùng được: ${e instanceof ChisoError ? e.vi : `không có chỉ tiêu ${(e as Error).message}`}`,
          en: `The formula of indicator ${r.code} cannot be used: ${e instanceof ChisoError ? e.en : `no indicator ${(e as Error).message}`}`,
        });
      }
    }
    return {
      id: r.id,
      code: r.code,
      nameVi: r.name_vi,
      nameEn: r.name_en,
      unit: r.unit,
      valueType: r.value_type,
      direction: r.direction,
      rollup: r.rollup,
      denominator: r.denominator_id === null ? -1 : (indicatorById.get(r.denominator_id) ?? -1),
      periodType: r.period_type,
      periodRollup: r.period_rollup,
      formula: r.formula,
      ast,
      deps,
      group: r.group_code,
      groupNameVi: r.group_name_vi,
      groupNameEn: r.group_name_en,
      groupSort: r.group_sort ?? 1000,
      levels: r.levels ?? [],
      published: r.published,
      sourceDocument: r.source_document,
      types: typesFrom(r.period_type),
    };
  });
  for (const ind of indicators) {
    if (ind.rollup === 'weighted_mean' && ind.denominator < 0) {
      problems.push({
        code: ind.code,
        vi: `Chỉ tiêu ${ind.code} tổng hợp bình quân gia quyền nhưng không có mẫu số: không tổng hợp lên cấp trên`,
        en: `Indicator ${ind.code} rolls up as a weighted mean but has no denominator: it is not rolled up`,
      });
      ind.rollup = 'none';
    }
  }
  const order = computationOrder(indicators, problems);
  const dependents: number[][] = indicators.map(() => []);
  indicators.forEach((ind, i) => {
    const seen = new Set<number>();
    for (const d of ind.deps) if (d.ind !== i && !seen.has(d.ind)) seen.add(d.ind);
    if (ind.denominator >= 0 && ind.denominator !== i) seen.add(ind.denominator);
    for (const s of seen) dependents[s]!.push(i);
  });

  // The years the values and targets span.
  const [span] = await rows<{ lo: number | null; hi: number | null }>(
    ex,
    sql`select min(extract(year from period_start))::int as lo, max(extract(year from period_start))::int as hi
        from data_value where archived_at is null`,
  );
  const firstYear = Math.min(span?.lo ?? currentYear, currentYear);
  const lastYear = Math.max(span?.hi ?? currentYear, currentYear) + 1;
  const calendar = new Calendar(firstYear, lastYear);

  const targetRows = await rows<{
    id: number;
    indicator_id: number;
    org_unit_id: number | null;
    org_level: string | null;
    period: string;
    comparator: TargetInfo['comparator'];
    value: number;
    value_max: number | null;
    baseline_value: number | null;
    baseline_period: string | null;
    source_document_id: number | null;
    document_code: string | null;
    issued_on: string | null;
  }>(
    ex,
    sql`select t.id, t.indicator_id, t.org_unit_id, t.org_level, t.period, t.comparator, t.value, t.value_max,
          t.baseline_value, t.baseline_period, t.source_document_id, d.code as document_code, d.issued_on
        from target t left join document d on d.id = t.source_document_id
        where t.archived_at is null order by t.id`,
  );
  const targets: TargetInfo[] = [];
  for (const t of targetRows) {
    const ind = indicatorById.get(t.indicator_id);
    const p = tryParsePeriod(t.period);
    const unit = t.org_unit_id === null ? -1 : (unitById.get(t.org_unit_id) ?? -2);
    if (ind === undefined || !p || unit === -2) continue;
    targets.push({
      id: t.id,
      ind,
      unit,
      level: t.org_level,
      period: t.period,
      periodType: p.type,
      periodStart: periodStart(p),
      periodEnd: periodEnd(p),
      comparator: t.comparator,
      value: t.value,
      valueMax: t.value_max,
      baselineValue: t.baseline_value,
      baselinePeriod: t.baseline_period,
      documentId: t.source_document_id,
      documentCode: t.document_code,
      documentIssuedOn: t.issued_on,
    });
  }
  const targetsByIndicator = new Map<number, TargetInfo[]>();
  for (const t of targets) {
    const list = targetsByIndicator.get(t.ind);
    if (list) list.push(t);
    else targetsByIndicator.set(t.ind, [t]);
  }

  // Lineage, in batches of one effective date; inside a batch in a fixed order (from, to codes).
  const linkRows = await rows<{
    from_id: number;
    to_id: number;
    effective_date: string;
    share: number | null;
  }>(ex, sql`select from_unit_id as from_id, to_unit_id as to_id, effective_date, share from org_lineage`);
  const byDate = new Map<string, LineageLink[]>();
  for (const l of linkRows) {
    const from = unitById.get(l.from_id);
    const to = unitById.get(l.to_id);
    if (from === undefined || to === undefined) continue;
    const link: LineageLink = l.share === null ? { from, to } : { from, to, share: l.share };
    const list = byDate.get(l.effective_date);
    if (list) list.push(link);
    else byDate.set(l.effective_date, [link]);
  }
  const batches: LinkBatch[] = [];
  for (const date of [...byDate.keys()].sort()) {
    const links = byDate
      .get(date)!
      .sort((a, b) => a.from - b.from || a.to - b.to)
      .filter((l) => l.from !== l.to);
    try {
      mapLineage(new Float64Array(units.length), links, 'sum', { newCount: units.length });
      batches.push({ date, links });
    } catch (e) {
      problems.push({
        code: `lineage:${date}`,
        vi: `Bỏ qua quan hệ kế thừa ngày ${date}: ${e instanceof ChisoError ? e.vi : String(e)}`,
        en: `Lineage of ${date} left out: ${e instanceof ChisoError ? e.en : String(e)}`,
      });
    }
  }
  const incoming = new Map<number, number[]>();
  const outgoing = new Map<number, number[]>();
  batches.forEach((b, bi) => {
    for (const l of b.links) {
      const inc = incoming.get(l.to) ?? [];
      if (!inc.includes(bi)) inc.push(bi);
      incoming.set(l.to, inc);
      const out = outgoing.get(l.from) ?? [];
      if (!out.includes(bi)) out.push(bi);
      outgoing.set(l.from, out);
    }
  });

  const methodologies = await loadMethodologies(ex, indicators, indicatorByCode, problems);
  return {
    calendar,
    units,
    unitById,
    unitByCode,
    parent,
    indicators,
    indicatorById,
    indicatorByCode,
    order,
    dependents,
    targets,
    targetsByIndicator,
    batches,
    incoming,
    outgoing,
    methodologies,
    problems,
  };
}

/**
 * Operands and denominators before the indicators that read them. Offset-0 formula references are
 * ordered by the core's orderFormulas (which names a cycle); references to other periods order the
 * computation too, except an indicator's references to itself (X = X@-1 + …), which are evaluated
 * period by period. An indicator caught in a cycle loses its formula (reported as a problem).
 */
function computationOrder(indicators: IndicatorInfo[], problems: Catalogue['problems']): number[] {
  const defs: Record<string, FormulaAst> = {};
  for (const ind of indicators) if (ind.ast) defs[ind.code] = ind.ast;
  try {
    orderFormulas(defs);
  } catch (e) {
    const cycle = ((e as ChisoError).details as { cycle?: string[] } | undefined)?.cycle ?? [];
    for (const ind of indicators) {
      if (cycle.includes(ind.code)) {
        ind.ast = null;
        ind.deps = [];
      }
    }
    problems.push({
      code: 'formula.cycle',
      vi: (e as ChisoError).vi ?? String(e),
      en: (e as ChisoError).en ?? String(e),
    });
  }
  const needs = (i: number): number[] => {
    const ind = indicators[i]!;
    const out = ind.deps.filter((d) => d.ind !== i).map((d) => d.ind);
    if (ind.denominator >= 0 && ind.denominator !== i) out.push(ind.denominator);
    return out;
  };
  // Depth-first; a cycle strips the formulas of its members and the search starts again.
  for (;;) {
    const found = topological(indicators.length, needs);
    if (found.order) return found.order;
    const members = found.cycle.map((i) => indicators[i]!);
    for (const c of members) {
      c.ast = null;
      c.deps = [];
    }
    problems.push({
      code: 'formula.cycle',
      vi: `Các chỉ tiêu phụ thuộc vòng tròn qua các kỳ: ${members.map((c) => c.code).join(' → ')}`,
      en: `Indicators depend on each other in a cycle across periods: ${members.map((c) => c.code).join(' → ')}`,
    });
  }
}

function topological(
  n: number,
  needs: (i: number) => number[],
): { order: number[]; cycle?: undefined } | { order?: undefined; cycle: number[] } {
  const state = new Uint8Array(n); // 0 new, 1 on the path, 2 done
  const order: number[] = [];
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    const stack: Array<{ i: number; next: number; deps: number[] }> = [
      { i: root, next: 0, deps: needs(root) },
    ];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.deps.length) {
        const d = top.deps[top.next++]!;
        if (state[d] === 2) continue;
        if (state[d] === 1) return { cycle: stack.slice(stack.findIndex((f) => f.i === d)).map((f) => f.i) };
        state[d] = 1;
        stack.push({ i: d, next: 0, deps: needs(d) });
      } else {
        state[top.i] = 2;
        order.push(top.i);
        stack.pop();
      }
    }
  }
  return { order };
}

async function loadMethodologies(
  ex: Executor,
  indicators: IndicatorInfo[],
  indicatorByCode: Map<string, number>,
  problems: Catalogue['problems'],
): Promise<MethodologyInfo[]> {
  const mrows = await rows<{
    id: number;
    code: string;
    version: string;
    name_vi: string;
    name_en: string;
    valid_from: number;
    valid_to: number | null;
    definition: unknown;
    sensitivity: Partial<SensitivitySettings> | null;
  }>(
    ex,
    sql`select id, code, version, name_vi, name_en, valid_from, valid_to, definition, sensitivity
        from index_methodology where archived_at is null order by code, id`,
  );
  const out: MethodologyInfo[] = [];
  for (const r of mrows) {
    try {
      const def = validateMethodology(
        typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition,
      );
      const codes: string[] = [];
      for (const node of def.nodes) {
        if (node.indicator !== undefined && !codes.includes(node.indicator)) codes.push(node.indicator);
      }
      const idx = codes.map((c) => indicatorByCode.get(c));
      const missing = codes.filter((_, k) => idx[k] === undefined);
      if (missing.length) {
        problems.push({
          code: `index:${r.code}:${r.version}`,
          vi: `Bộ chỉ số ${r.code} phiên bản ${r.version} dùng chỉ tiêu chưa có trong danh mục: ${missing.join(', ')}`,
          en: `Index ${r.code} version ${r.version} uses indicators missing from the catalogue: ${missing.join(', ')}`,
        });
        continue;
      }
      const inds = idx as number[];
      // Who takes part: the definition's own `levels` when it names them (an application field
      // the core ignores), else the levels every leaf indicator applies to.
      const own = (def as unknown as { levels?: unknown }).levels;
      let levels: string[] | null =
        Array.isArray(own) && own.every((x) => typeof x === 'string') ? [...(own as string[])] : null;
      if (levels === null) {
        for (const i of inds) {
          const l = indicators[i]!.levels;
          if (l.length === 0) continue;
          levels = levels === null ? [...l] : levels.filter((x) => l.includes(x));
        }
      }
      const needsTargets = def.nodes.some(
        (n) =>
          n.normalisation?.kind === 'target' ||
          (n.normalisation?.kind === 'points' &&
            n.normalisation.rule.kind === 'linear' &&
            n.normalisation.rule.full_at === 'target'),
      );
      out.push({
        id: r.id,
        code: r.code,
        version: r.version,
        nameVi: r.name_vi,
        nameEn: r.name_en,
        validFrom: r.valid_from,
        validTo: r.valid_to,
        definition: def,
        sensitivity: { ...DEFAULT_SENSITIVITY, ...(r.sensitivity ?? {}) },
        indicators: inds,
        indicatorCodes: codes,
        levels: levels ?? [],
        needsTargets,
      });
    } catch (e) {
      problems.push({
        code: `index:${r.code}:${r.version}`,
        vi: `Bộ chỉ số ${r.code} phiên bản ${r.version} không hợp lệ: ${e instanceof ChisoError ? e.vi : String(e)}`,
        en: `Index ${r.code} version ${r.version} is not valid: ${e instanceof ChisoError ? e.en : String(e)}`,
      });
    }
  }
  return out;
}
