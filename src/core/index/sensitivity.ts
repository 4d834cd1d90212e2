/**
 * Uncertainty analysis and element removal after COINr (R/sensitivity.R, R/audit_tools.R).
 *
 * sensitivity: `runs` regenerations of the index, each with every edge weight perturbed
 * uniformly by ±weightNoise of itself (w + U(−1,1)·noise·w), one normalisation drawn uniformly
 * from the alternatives for every leaf and one aggregation for every aggregate. A run that fails
 * (e.g. a geometric mean meeting a zero) counts as missing, as in COINr. Per unit: the nominal
 * rank and the mean, median, 5th and 95th percentile (R quantile type 7) of the run ranks.
 *
 * removeElements: COINr's remove_elements — set each element's weight to zero in turn (every
 * edge into it, as the graph is a DAG), regenerate, and report the rank change of every unit and
 * MeanAbsDiff, the mean over units of |nominal rank − rank without the element|.
 */
import { isChisoError } from '../errors.ts';
import {
  type Evaluated,
  evaluate,
  makePlan,
  type Plan,
  type PlanNode,
  type PreparedData,
  prepareData,
  rankNode,
  checkYear,
} from './compute.ts';
import { indexError } from './fail.ts';
import { createRng } from './prng.ts';
import { mean, quantileSorted, sortedPresent } from './stats.ts';
import type { Aggregation, IndexData, IndexMethodology, Normalisation } from './types.ts';
import {
  checkAggregation,
  checkNormalisation,
  Faults,
  throwFaults,
  validateMethodology,
} from './validate.ts';

export interface SensitivityOptions {
  runs: number;
  seed: number;
  /** Share of each weight by which it may move, uniformly: 0.25 = ±25 %. Default 0. */
  weightNoise?: number;
  /** Drawn uniformly per run; list the nominal method too if it should take part. */
  alternatives?: { normalisation?: Normalisation[]; aggregation?: Aggregation[] };
  /** The node whose ranks are studied; default the root. */
  node?: string;
  /** Elements for removeElements; default every leaf under the node. Empty list to skip. */
  remove?: string[];
  year?: number;
}

export interface UnitRankStats {
  unit: string;
  nominal: number | null;
  mean: number | null;
  median: number | null;
  q5: number | null;
  q95: number | null;
}

export interface RemovedElement {
  element: string;
  /** Mean over units of |nominal − new rank| (null when no unit has both ranks). */
  meanAbsDiff: number | null;
  /** Per unit, nominal − new rank: positive = the unit moves up without the element. */
  rankDiffs: (number | null)[];
}

export interface RemoveElementsResult {
  node: string;
  units: string[];
  elements: RemovedElement[];
}

export interface SensitivityResult {
  node: string;
  runs: number;
  seed: number;
  weightNoise: number;
  failedRuns: number;
  units: UnitRankStats[];
  /** Per run (row) and unit (column) ranks, runs × units, NaN = missing. */
  runRanks: Float64Array;
  removeElements: RemoveElementsResult;
}

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

function targetNode(plan: Plan, code: string | undefined): PlanNode {
  const c = code ?? plan.methodology.root;
  const i = plan.byCode.get(c);
  const p = i === undefined ? undefined : plan.nodes[i];
  if (!p || !plan.order.includes(i as number)) {
    throw indexError('index.sensitivity.node', `Không có nút ${c}`, `No node ${c}`, 'node');
  }
  return p;
}

function leavesUnder(plan: Plan, top: PlanNode): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  const walk = (i: number) => {
    if (seen.has(i)) return;
    seen.add(i);
    const p = plan.nodes[i] as PlanNode;
    if (p.leaf) out.push(p.code);
    for (const c of p.children) walk(c);
  };
  walk(top.position);
  return out;
}

/** Ranks of `target` for one regeneration, or null when the run fails with a ChisoError. */
function runRanks(
  plan: Plan,
  prepared: PreparedData,
  target: PlanNode,
  overrides: Parameters<typeof evaluate>[2],
): Float64Array | null {
  try {
    const ev = evaluate(plan, prepared, overrides);
    return rankNode(plan, target, ev.score[target.position] as Float64Array);
  } catch (e) {
    if (isChisoError(e)) return null;
    throw e;
  }
}

function removeWith(
  plan: Plan,
  prepared: PreparedData,
  target: PlanNode,
  elements: string[],
  base: Evaluated,
): RemoveElementsResult {
  if (elements.length === 0) return { node: target.code, units: [...prepared.data.units], elements: [] };
  const nominal = rankNode(plan, target, base.score[target.position] as Float64Array);
  const out: RemovedElement[] = elements.map((code, j) => {
    const i = plan.byCode.get(code);
    if (i === undefined || i === target.position) {
      throw indexError(
        'index.sensitivity.element',
        i === undefined ? `Không có nút ${code} để bỏ` : `Không thể bỏ chính nút ${code} đang được phân tích`,
        i === undefined ? `No node ${code} to remove` : `Cannot remove ${code}, the node being studied`,
        `remove[${j}]`,
      );
    }
    const w = Float64Array.from(plan.weights);
    for (const p of plan.nodes) {
      p.children.forEach((c, k) => {
        if (c === i) w[p.edgeStart + k] = 0;
      });
    }
    const r = runRanks(plan, prepared, target, { weights: w, reuseLeaves: base });
    const diffs: (number | null)[] = [];
    let sum = 0;
    let n = 0;
    for (let u = 0; u < prepared.nUnits; u++) {
      const a = nominal[u] as number;
      const b = r ? (r[u] as number) : Number.NaN;
      if (Number.isNaN(a) || Number.isNaN(b)) diffs.push(null);
      else {
        diffs.push(a - b);
        sum += Math.abs(a - b);
        n++;
      }
    }
    return { element: code, meanAbsDiff: n > 0 ? sum / n : null, rankDiffs: diffs };
  });
  return { node: target.code, units: [...prepared.data.units], elements: out };
}

/** COINr remove_elements: the rank effect of zeroing each element's weight in turn. */
export function removeElements(
  methodology: IndexMethodology,
  data: IndexData,
  options: { node?: string; elements?: string[]; year?: number } = {},
): RemoveElementsResult {
  const m = validateMethodology(methodology);
  checkYear(m, options.year);
  const plan = makePlan(m);
  const prepared = prepareData(plan, data);
  const target = targetNode(plan, options.node);
  const base = evaluate(plan, prepared);
  return removeWith(plan, prepared, target, options.elements ?? leavesUnder(plan, target), base);
}

function checkOptions(o: SensitivityOptions): void {
  const f = new Faults();
  if (!(Number.isInteger(o.runs) && o.runs >= 1 && o.runs <= 100_000)) {
    f.add(
      'index.sensitivity.runs',
      'runs',
      'là số nguyên từ 1 đến 100 000',
      'must be an integer from 1 to 100,000',
    );
  }
  if (!Number.isFinite(o.seed)) f.add('index.sensitivity.seed', 'seed', 'là một số', 'must be a number');
  const noise = o.weightNoise ?? 0;
  if (!(Number.isFinite(noise) && noise >= 0 && noise <= 1)) {
    f.add('index.sensitivity.noise', 'weightNoise', 'là tỷ lệ từ 0 đến 1', 'must be a share from 0 to 1');
  }
  const alt = o.alternatives ?? {};
  for (const [k, list] of [
    ['normalisation', alt.normalisation],
    ['aggregation', alt.aggregation],
  ] as const) {
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0) {
      f.add(
        'index.sensitivity.alternatives',
        `alternatives.${k}`,
        'là danh sách không rỗng',
        'must be a non-empty list',
      );
      continue;
    }
    list.forEach((s, i) => {
      if (k === 'normalisation')
        checkNormalisation(s, `alternatives.normalisation[${i}]`, f, { max_points: 1 });
      else checkAggregation(s, `alternatives.aggregation[${i}]`, f);
    });
  }
  throwFaults(f);
}

/** Rank uncertainty of a node under weight noise and alternative methods (seeded, deterministic). */
export function sensitivity(
  methodology: IndexMethodology,
  data: IndexData,
  options: SensitivityOptions,
): SensitivityResult {
  const m = validateMethodology(methodology);
  checkOptions(options);
  checkYear(m, options.year);
  const plan = makePlan(m);
  const prepared = prepareData(plan, data);
  const target = targetNode(plan, options.node);
  // The nominal evaluation; its leaves serve every run that does not redraw their normalisation.
  const base = evaluate(plan, prepared);
  const nominal = rankNode(plan, target, base.score[target.position] as Float64Array);
  const noise = options.weightNoise ?? 0;
  const rng = createRng(options.seed);
  const normAlt = options.alternatives?.normalisation;
  const aggAlt = options.alternatives?.aggregation;
  const pick = <T>(list: readonly T[]): T =>
    list[Math.min(list.length - 1, Math.floor(rng() * list.length))] as T;
  const nU = prepared.nUnits;
  const all = new Float64Array(options.runs * nU).fill(Number.NaN);
  let failed = 0;
  for (let r = 0; r < options.runs; r++) {
    const overrides: Parameters<typeof evaluate>[2] = { reuseLeaves: base };
    if (normAlt) overrides.leafNormalisation = pick(normAlt);
    if (aggAlt) overrides.aggregation = pick(aggAlt);
    if (noise > 0) {
      const w = Float64Array.from(plan.weights);
      for (let e = 0; e < w.length; e++) w[e] = (w[e] as number) * (1 + (2 * rng() - 1) * noise);
      overrides.weights = w;
    }
    const ranks = runRanks(plan, prepared, target, overrides);
    if (!ranks) {
      failed++;
      continue;
    }
    all.set(ranks, r * nU);
  }
  const column = new Float64Array(options.runs);
  const units: UnitRankStats[] = prepared.data.units.map((unit, u) => {
    for (let r = 0; r < options.runs; r++) column[r] = all[r * nU + u] as number;
    const sorted = sortedPresent(column);
    return {
      unit,
      nominal: nullIfNaN(nominal[u] as number),
      mean: nullIfNaN(mean(column)),
      median: nullIfNaN(quantileSorted(sorted, 0.5)),
      q5: nullIfNaN(quantileSorted(sorted, 0.05)),
      q95: nullIfNaN(quantileSorted(sorted, 0.95)),
    };
  });
  const elements = options.remove ?? leavesUnder(plan, target);
  return {
    node: target.code,
    runs: options.runs,
    seed: options.seed,
    weightNoise: noise,
    failedRuns: failed,
    units,
    runRanks: all,
    removeElements: removeWith(plan, prepared, target, elements, base),
  };
}
