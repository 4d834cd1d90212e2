/**
 * computeIndex: runs a methodology over one period's data. For every node, in an order where
 * children come before parents: take the values (a leaf: its indicator column; an aggregate: the
 * aggregation of its children's scores) → impute → treat outliers → normalise → score; then rank
 * every node and find each unit's strengths and weaknesses.
 */
import { aggregateColumns } from './aggregate.ts';
import { indexError } from './fail.ts';
import { imputeColumn } from './impute.ts';
import { normalise } from './normalise.ts';
import { rankWithTies } from './rank.ts';
import { treat } from './treat.ts';
import type { Aggregation, IndexData, IndexMethodology, IndexNode, Normalisation } from './types.ts';
import { validateMethodology } from './validate.ts';

export interface PlanNode {
  code: string;
  /** Position in methodology.nodes, for error paths. */
  position: number;
  node: IndexNode;
  leaf: boolean;
  /** Plan indices of the children, and the offset of their edge weights in Plan.weights. */
  children: number[];
  edgeStart: number;
  /** 1 for leaves, 1 + the highest child level for aggregates. */
  level: number;
  higherIsBetter: boolean;
}

/** A validated methodology laid out for repeated evaluation (sensitivity runs reuse it). */
export interface Plan {
  methodology: IndexMethodology;
  nodes: PlanNode[];
  byCode: Map<string, number>;
  /** Evaluation order: children before parents. */
  order: number[];
  /** Every edge weight, node by node, in children order. */
  weights: Float64Array;
}

export const nodePath = (p: PlanNode): string => `nodes[${p.position}](${p.code})`;

/** Lays out a methodology that validateMethodology accepted. */
export function makePlan(m: IndexMethodology): Plan {
  const byCode = new Map<string, number>();
  m.nodes.forEach((n, i) => {
    byCode.set(n.code, i);
  });
  let edges = 0;
  const nodes: PlanNode[] = m.nodes.map((n, i) => {
    const children = (n.children ?? []).map((e) => byCode.get(e.code) as number);
    const p: PlanNode = {
      code: n.code,
      position: i,
      node: n,
      leaf: n.indicator !== undefined,
      children,
      edgeStart: edges,
      level: 1,
      higherIsBetter: !(n.direction === 'lower' && (n.normalisation ?? { kind: 'none' }).kind === 'none'),
    };
    edges += children.length;
    return p;
  });
  const weights = new Float64Array(edges);
  m.nodes.forEach((n, i) => {
    const p = nodes[i] as PlanNode;
    (n.children ?? []).forEach((e, j) => {
      weights[p.edgeStart + j] = e.weight ?? 1;
    });
  });
  const order: number[] = [];
  const done = new Uint8Array(nodes.length);
  const visit = (i: number): void => {
    if (done[i]) return;
    done[i] = 1;
    const p = nodes[i] as PlanNode;
    for (const c of p.children) visit(c);
    p.level = p.leaf ? 1 : 1 + Math.max(...p.children.map((c) => (nodes[c] as PlanNode).level));
    order.push(i);
  };
  for (const top of [m.root, ...(m.views ?? [])]) visit(byCode.get(top) as number);
  return { methodology: m, nodes, byCode, order, weights };
}

/** Data checked against a plan: leaf → indicator column. */
export interface PreparedData {
  data: IndexData;
  nUnits: number;
  nIndicators: number;
  /** Per plan node: the indicator column for leaves, −1 for aggregates. */
  column: Int32Array;
}

export function prepareData(plan: Plan, data: IndexData): PreparedData {
  if (typeof data !== 'object' || data === null) {
    throw indexError(
      'index.data.not_object',
      'Dữ liệu phải là một đối tượng',
      'Data must be an object',
      'data',
    );
  }
  const { units, indicators, values, targets, groups } = data;
  const strings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '');
  if (!strings(units) || new Set(units).size !== units.length) {
    throw indexError(
      'index.data.units',
      'units phải là danh sách mã đơn vị không trùng',
      'units must be a list of distinct unit codes',
      'units',
    );
  }
  if (!strings(indicators) || new Set(indicators).size !== indicators.length) {
    throw indexError(
      'index.data.indicators',
      'indicators phải là danh sách mã chỉ tiêu không trùng',
      'indicators must be a list of distinct indicator codes',
      'indicators',
    );
  }
  const n = units.length * indicators.length;
  const shaped = (a: unknown): a is ArrayLike<number> =>
    (a instanceof Float64Array || Array.isArray(a)) && (a as ArrayLike<number>).length === n;
  if (!shaped(values)) {
    throw indexError(
      'index.data.shape',
      `values phải có ${units.length} × ${indicators.length} = ${n} phần tử (đơn vị × chỉ tiêu, theo hàng)`,
      `values must hold ${units.length} × ${indicators.length} = ${n} entries (units × indicators, row-major)`,
      'values',
    );
  }
  if (targets !== undefined && !shaped(targets)) {
    throw indexError(
      'index.data.shape',
      `targets phải có cùng kích thước với values (${n})`,
      `targets must have the shape of values (${n})`,
      'targets',
    );
  }
  if (groups !== undefined && !(Array.isArray(groups) && groups.length === units.length)) {
    throw indexError(
      'index.data.groups',
      'groups phải có một nhãn cho mỗi đơn vị',
      'groups must have one label per unit',
      'groups',
    );
  }
  for (const [name, arr] of [
    ['values', values],
    ['targets', targets],
  ] as const) {
    if (!arr) continue;
    for (let i = 0; i < n; i++) {
      const v = arr[i] as number;
      if (typeof v !== 'number' || (!Number.isFinite(v) && !Number.isNaN(v))) {
        const u = Math.floor(i / indicators.length);
        const k = i % indicators.length;
        throw indexError(
          'index.data.not_finite',
          `${name}[${u}][${k}] (${units[u]}, ${indicators[k]}) không phải là số hữu hạn`,
          `${name}[${u}][${k}] (${units[u]}, ${indicators[k]}) is not a finite number`,
          `${name}[${u}][${k}]`,
          { unit: units[u], indicator: indicators[k] },
        );
      }
    }
  }
  const col = new Map<string, number>();
  indicators.forEach((c, k) => {
    col.set(c, k);
  });
  const column = new Int32Array(plan.nodes.length).fill(-1);
  for (const i of plan.order) {
    const p = plan.nodes[i] as PlanNode;
    if (!p.leaf) continue;
    const k = col.get(p.node.indicator as string);
    if (k === undefined) {
      throw indexError(
        'index.data.indicator_missing',
        `Dữ liệu thiếu chỉ tiêu ${p.node.indicator} mà nút ${p.code} cần`,
        `The data lack indicator ${p.node.indicator}, which node ${p.code} needs`,
        `${nodePath(p)}.indicator`,
        { indicator: p.node.indicator },
      );
    }
    column[i] = k;
  }
  return { data, nUnits: units.length, nIndicators: indicators.length, column };
}

/** Replacements used by sensitivity runs and removeElements. */
export interface Overrides {
  weights?: Float64Array;
  /** Replaces the normalisation of every leaf. */
  leafNormalisation?: Normalisation;
  /** Replaces the aggregation of every aggregate. */
  aggregation?: Aggregation;
  /**
   * An evaluation of the same plan and data whose leaves are taken as they are (raw, treatment,
   * score): a leaf depends on its data, imputation, treatment and normalisation only, never on the
   * weights or the aggregation, so runs that change those alone need not redo them. Ignored when
   * leafNormalisation is given.
   */
  reuseLeaves?: Evaluated;
}

export interface Evaluated {
  raw: (Float64Array | undefined)[];
  score: (Float64Array | undefined)[];
  treatment: ({ method: 'none' | 'winsorise' | 'fallback'; nwin: number } | undefined)[];
}

/** Scores of every node reachable from the root and views (others stay undefined). */
export function evaluate(plan: Plan, prepared: PreparedData, overrides: Overrides = {}): Evaluated {
  const { data, nUnits, nIndicators, column } = prepared;
  const weights = overrides.weights ?? plan.weights;
  const raw: (Float64Array | undefined)[] = new Array(plan.nodes.length);
  const score: (Float64Array | undefined)[] = new Array(plan.nodes.length);
  const treatment: Evaluated['treatment'] = new Array(plan.nodes.length);
  const reuse = overrides.leafNormalisation ? undefined : overrides.reuseLeaves;
  for (const i of plan.order) {
    const p = plan.nodes[i] as PlanNode;
    if (reuse && p.leaf && reuse.score[i]) {
      raw[i] = reuse.raw[i];
      score[i] = reuse.score[i];
      treatment[i] = reuse.treatment[i];
      continue;
    }
    const n = p.node;
    let x: Float64Array;
    let targets: Float64Array | undefined;
    if (p.leaf) {
      const k = column[i] as number;
      x = new Float64Array(nUnits);
      for (let u = 0; u < nUnits; u++) x[u] = data.values[u * nIndicators + k] as number;
      if (data.targets) {
        targets = new Float64Array(nUnits);
        for (let u = 0; u < nUnits; u++) targets[u] = data.targets[u * nIndicators + k] as number;
      }
    } else {
      const cols = p.children.map((c) => score[c] as Float64Array);
      const w = weights.subarray(p.edgeStart, p.edgeStart + p.children.length);
      x = aggregateColumns(
        cols,
        w,
        overrides.aggregation ?? n.aggregation ?? { kind: 'arithmetic' },
        n.min_share ?? 0,
        {
          field: nodePath(p),
          units: data.units,
        },
      );
    }
    if (n.imputation && n.imputation.kind !== 'none') x = imputeColumn(x, n.imputation, data.groups);
    if (n.treatment) {
      const t = treat(x, n.treatment);
      x = t.x;
      treatment[i] = { method: t.method, nwin: t.nwin };
    }
    raw[i] = x;
    const spec = (p.leaf ? overrides.leafNormalisation : undefined) ?? n.normalisation ?? { kind: 'none' };
    if (spec.kind === 'points' && !(n.max_points !== undefined && n.max_points > 0)) {
      throw indexError(
        'index.points.max_missing',
        `Nút ${p.code} chấm điểm theo quy tắc nhưng không có max_points`,
        `Node ${p.code} scores points by rule but has no max_points`,
        nodePath(p),
      );
    }
    const needsTargets =
      (spec.kind === 'target' && spec.target === undefined) ||
      (spec.kind === 'points' && spec.rule.kind === 'linear' && spec.rule.full_at === 'target');
    if (needsTargets && !targets) {
      throw indexError(
        'index.data.targets_missing',
        `Nút ${p.code} cần mục tiêu: hãy cho target trong cách chuẩn hóa, hoặc targets trong dữ liệu (chỉ dùng được cho nút lá)`,
        `Node ${p.code} needs targets: give a target in its normalisation, or targets in the data (leaves only)`,
        `${nodePath(p)}.normalisation`,
      );
    }
    score[i] = normalise(x, spec, {
      ...(n.direction ? { direction: n.direction } : {}),
      ...(n.max_points !== undefined ? { maxPoints: n.max_points } : {}),
      ...(targets ? { targets } : {}),
    });
  }
  return { raw, score, treatment };
}

export interface StrengthOptions {
  /** Candidate nodes; default every leaf (COINr works at indicator level). */
  nodes?: string[];
  /** How many strengths and weaknesses; default 5 each, as COINr. */
  top?: number;
  bottom?: number;
  /** Drop a node where the unit has the worst rank (COINr min_discard, default true). */
  minDiscard?: boolean;
  /** Drop nodes whose share of distinct values is ≤ this (COINr unq_discard; default off). */
  uniqueDiscard?: number;
}

export interface ComputeOptions {
  /** The period's year; rejected when outside the methodology's valid years. */
  year?: number;
  /** Strengths and weaknesses per unit; false to skip. */
  strengths?: StrengthOptions | false;
}

export interface NodeScores {
  code: string;
  name_vi: string;
  name_en: string;
  indicator?: string;
  level: number;
  leaf: boolean;
  /** Before normalisation: the indicator values (leaf) or the aggregate, after imputation/treatment. */
  raw: Float64Array;
  /** After normalisation: what parents aggregate and what is ranked. */
  score: Float64Array;
  /** rankWithTies on score (NaN = no rank). */
  rank: Float64Array;
  higherIsBetter: boolean;
  /** The band code per unit, for nodes with bands. */
  band?: (string | null)[];
  treatment?: { method: 'none' | 'winsorise' | 'fallback'; nwin: number };
}

export interface StrengthEntry {
  node: string;
  rank: number;
  score: number;
}

export interface UnitStrengths {
  unit: string;
  /** Best-ranked first. */
  strengths: StrengthEntry[];
  /** In ascending rank order as COINr lists them: the weakest is last. */
  weaknesses: StrengthEntry[];
}

export interface IndexResult {
  methodology: { code: string; version: string };
  units: string[];
  root: string;
  views: string[];
  /** Node codes in evaluation order (children before parents). */
  order: string[];
  nodes: Record<string, NodeScores>;
  strengths: UnitStrengths[];
}

/** The rank of one node's scores under the methodology's rules. */
export function rankNode(plan: Plan, p: PlanNode, score: Float64Array): Float64Array {
  const d = plan.methodology.rank_decimals;
  return rankWithTies(score, {
    higherIsBetter: p.higherIsBetter,
    ...(d !== undefined ? { decimals: d } : {}),
  });
}

/** COINr get_str_weak for every unit over the candidate nodes. */
export function strengthsAndWeaknesses(
  units: readonly string[],
  candidates: readonly NodeScores[],
  o: StrengthOptions = {},
): UnitStrengths[] {
  const top = o.top ?? 5;
  const bottom = o.bottom ?? 5;
  const minDiscard = o.minDiscard ?? true;
  let nodes = candidates;
  if (o.uniqueDiscard !== undefined) {
    const t = o.uniqueDiscard;
    nodes = nodes.filter((n) => new Set(n.score).size / Math.max(1, n.score.length) > t);
  }
  const worst = nodes.map((n) => {
    let w = Number.NEGATIVE_INFINITY;
    for (const r of n.rank) if (!Number.isNaN(r) && r > w) w = r;
    return w;
  });
  return units.map((unit, u) => {
    const entries: StrengthEntry[] = [];
    nodes.forEach((n, k) => {
      const rank = n.rank[u] as number;
      if (Number.isNaN(rank)) return;
      if (minDiscard && rank === worst[k]) return;
      entries.push({ node: n.code, rank, score: n.score[u] as number });
    });
    entries.sort((a, b) => a.rank - b.rank);
    return {
      unit,
      strengths: entries.slice(0, top),
      weaknesses: entries.slice(Math.max(0, entries.length - bottom)),
    };
  });
}

function bandsOf(n: IndexNode, score: Float64Array): (string | null)[] | undefined {
  const bands = n.bands;
  if (!bands || bands.length === 0) return undefined;
  return Array.from(score, (s) => {
    if (Number.isNaN(s)) return null;
    let code: string | null = null;
    for (const b of bands) if (s >= b.min) code = b.code;
    return code;
  });
}

export function checkYear(m: IndexMethodology, year: number | undefined): void {
  if (year === undefined) return;
  if (!Number.isInteger(year) || year < m.valid_from || (m.valid_to !== null && year > m.valid_to)) {
    const span = `${m.valid_from}–${m.valid_to ?? '…'}`;
    throw indexError(
      'index.year_out_of_range',
      `Bộ chỉ số ${m.code} phiên bản ${m.version} áp dụng cho các năm ${span}, không cho năm ${year}`,
      `Methodology ${m.code} version ${m.version} applies to the years ${span}, not to ${year}`,
      'year',
      { year, valid_from: m.valid_from, valid_to: m.valid_to },
    );
  }
}

/** Builds the public result from an evaluation. */
export function toResult(
  plan: Plan,
  prepared: PreparedData,
  ev: Evaluated,
  options: ComputeOptions = {},
): IndexResult {
  const m = plan.methodology;
  const nodes: Record<string, NodeScores> = {};
  for (const i of plan.order) {
    const p = plan.nodes[i] as PlanNode;
    const score = ev.score[i] as Float64Array;
    const ns: NodeScores = {
      code: p.code,
      name_vi: p.node.name_vi,
      name_en: p.node.name_en,
      level: p.level,
      leaf: p.leaf,
      raw: ev.raw[i] as Float64Array,
      score,
      rank: rankNode(plan, p, score),
      higherIsBetter: p.higherIsBetter,
    };
    if (p.node.indicator !== undefined) ns.indicator = p.node.indicator;
    const band = bandsOf(p.node, score);
    if (band) ns.band = band;
    const t = ev.treatment[i];
    if (t) ns.treatment = t;
    nodes[p.code] = ns;
  }
  let strengths: UnitStrengths[] = [];
  if (options.strengths !== false) {
    const so = options.strengths ?? {};
    const codes =
      so.nodes ?? plan.order.filter((i) => plan.nodes[i]?.leaf).map((i) => plan.nodes[i]?.code as string);
    const candidates = codes.map((c) => {
      const ns = nodes[c];
      if (!ns) {
        throw indexError(
          'index.strengths.unknown_node',
          `Không có nút ${c} để tìm điểm mạnh, điểm yếu`,
          `No node ${c} to take strengths and weaknesses from`,
          'strengths.nodes',
        );
      }
      return ns;
    });
    strengths = strengthsAndWeaknesses(prepared.data.units, candidates, so);
  }
  return {
    methodology: { code: m.code, version: m.version },
    units: [...prepared.data.units],
    root: m.root,
    views: [...(m.views ?? [])],
    order: plan.order.map((i) => plan.nodes[i]?.code as string),
    nodes,
    strengths,
  };
}

/** Computes every node's scores and ranks, and each unit's strengths and weaknesses. */
export function computeIndex(
  methodology: IndexMethodology,
  data: IndexData,
  options: ComputeOptions = {},
): IndexResult {
  const m = validateMethodology(methodology);
  checkYear(m, options.year);
  const plan = makePlan(m);
  const prepared = prepareData(plan, data);
  return toResult(plan, prepared, evaluate(plan, prepared), options);
}
