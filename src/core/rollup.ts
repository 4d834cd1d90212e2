/**
 * Roll-ups on compact arrays: up an org tree, across sub-periods, and across reorganisations.
 *
 * Missing is NaN, zero is a value. An org tree is its parent array (parent index, or -1 for a
 * root); `prepareTree` checks it once and computes a bottom-up order so that every roll-up is one
 * linear pass with no allocation per node.
 *
 * Tree rule for each node: its own reported value when present (a unit's own figure is
 * authoritative, even when its children's figures say otherwise); otherwise the rule applied to the
 * rolled values of its children that are present; NaN when none is present.
 *   sum            Σ children
 *   mean           mean of the children's rolled values (each child counts once, whatever its size)
 *   weighted_mean  Σ wᵢ·vᵢ / Σ wᵢ over children whose value and weight are both present, where wᵢ is
 *                  the child's rolled denominator (e.g. its population), given in `weights`; NaN
 *                  when Σ wᵢ = 0. To get rolled denominators from own ones, roll them with 'sum' first.
 *   min, max       of the children
 *   none           never aggregates: only own values
 */
import { ChisoError } from './errors.ts';

export type RollupRule = 'sum' | 'mean' | 'weighted_mean' | 'min' | 'max' | 'none';
export type PeriodRollupRule = 'sum' | 'last' | 'mean';

export interface PreparedTree {
  readonly size: number;
  readonly parent: Int32Array;
  /** Every node once, each child before its parent (leaves first). */
  readonly order: Int32Array;
  readonly roots: Int32Array;
  /** Children of node i: childIndex[childStart[i] … childStart[i + 1]), in index order. */
  readonly childStart: Int32Array;
  readonly childIndex: Int32Array;
  /** 0 for roots. */
  readonly depth: Int32Array;
}

const RULES: ReadonlySet<string> = new Set(['sum', 'mean', 'weighted_mean', 'min', 'max', 'none']);
const PERIOD_RULES: ReadonlySet<string> = new Set(['sum', 'last', 'mean']);

function sizeError(what: string, got: number, want: number): ChisoError {
  return new ChisoError({
    code: 'rollup.size_mismatch',
    vi: `Độ dài mảng ${what} là ${got}, cần ${want}`,
    en: `The ${what} array has length ${got}, expected ${want}`,
    details: { what, got, want },
  });
}

function checkRule(rule: string, allowed: ReadonlySet<string>): void {
  if (!allowed.has(rule)) {
    throw new ChisoError({
      code: 'rollup.unknown_rule',
      vi: `Không có quy tắc tổng hợp '${rule}'; dùng một trong: ${[...allowed].join(', ')}`,
      en: `Unknown roll-up rule '${rule}'; expected one of ${[...allowed].join(', ')}`,
    });
  }
}

/**
 * Check a parent array and compute the bottom-up order. Throws `rollup.bad_parent` for an index
 * out of range and `rollup.cycle` (details.cycle = the node indices around the cycle) for a cycle,
 * including a node that is its own parent.
 */
export function prepareTree(parent: Int32Array | ArrayLike<number>): PreparedTree {
  const n = parent.length;
  const par = Int32Array.from(parent as ArrayLike<number>);
  const childCount = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = (parent as ArrayLike<number>)[i]!;
    if (!Number.isInteger(p) || p < -1 || p >= n) {
      throw new ChisoError({
        code: 'rollup.bad_parent',
        vi: `Đơn vị thứ ${i} có đơn vị cha không hợp lệ: ${p}`,
        en: `Node ${i} has an invalid parent: ${p}`,
        details: { node: i, parent: p },
      });
    }
    if (p >= 0) childCount[p]!++;
  }
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i]! + childCount[i]!;
  const childIndex = new Int32Array(childStart[n]!);
  const fill = childStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    const p = par[i]!;
    if (p >= 0) childIndex[fill[p]!++] = i;
  }
  // Kahn's algorithm from the leaves; the array doubles as the queue.
  const order = new Int32Array(n);
  const pending = childCount.slice();
  let tail = 0;
  for (let i = 0; i < n; i++) if (pending[i] === 0) order[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const p = par[order[head]!]!;
    if (p >= 0 && --pending[p]! === 0) order[tail++] = p;
  }
  if (tail < n) {
    const done = new Uint8Array(n);
    for (let k = 0; k < tail; k++) done[order[k]!] = 1;
    let start = 0;
    while (done[start]) start++;
    // Walk up from an unfinished node until a node repeats: that node lies on the cycle.
    const seen = new Map<number, number>();
    const path: number[] = [];
    let x = start;
    while (!seen.has(x)) {
      seen.set(x, path.length);
      path.push(x);
      x = par[x]!;
    }
    const cycle = [...path.slice(seen.get(x)), x];
    throw new ChisoError({
      code: 'rollup.cycle',
      vi: `Cây đơn vị có vòng lặp: ${cycle.join(' → ')}`,
      en: `The unit tree has a cycle: ${cycle.join(' → ')}`,
      details: { cycle },
    });
  }
  const depth = new Int32Array(n);
  const roots: number[] = [];
  for (let k = n - 1; k >= 0; k--) {
    const i = order[k]!;
    const p = par[i]!;
    if (p < 0) roots.push(i);
    else depth[i] = depth[p]! + 1;
  }
  roots.sort((a, b) => a - b);
  return { size: n, parent: par, order, roots: Int32Array.from(roots), childStart, childIndex, depth };
}

interface Scratch {
  acc: Float64Array;
  wacc: Float64Array;
  cnt: Int32Array;
}

const scratch = (n: number): Scratch => ({
  acc: new Float64Array(n),
  wacc: new Float64Array(n),
  cnt: new Int32Array(n),
});

function rollupInto(
  tree: PreparedTree,
  own: Float64Array,
  ownAt: number,
  out: Float64Array,
  rule: RollupRule,
  weights: Float64Array | undefined,
  wAt: number,
  s: Scratch,
): void {
  const { order, parent, size } = tree;
  if (rule === 'none') {
    out.set(own.subarray(ownAt, ownAt + size), ownAt);
    return;
  }
  s.acc.fill(0);
  s.cnt.fill(0);
  // One loop per rule: the rule is tested once per series, not once per node.
  switch (rule) {
    case 'sum':
    case 'mean':
      rollSumMean(order, parent, size, own, ownAt, out, rule === 'mean', s);
      return;
    case 'min':
    case 'max':
      rollMinMax(order, parent, size, own, ownAt, out, rule === 'max', s);
      return;
    case 'weighted_mean':
      s.wacc.fill(0);
      rollWeighted(order, parent, size, own, ownAt, out, weights!, wAt, s);
      return;
  }
}

function rollSumMean(
  order: Int32Array,
  parent: Int32Array,
  size: number,
  own: Float64Array,
  at: number,
  out: Float64Array,
  mean: boolean,
  s: Scratch,
): void {
  const { acc, cnt } = s;
  for (let k = 0; k < size; k++) {
    const i = order[k]!;
    let v = own[at + i]!;
    if (Number.isNaN(v)) {
      const c = cnt[i]!;
      if (c > 0) v = mean ? acc[i]! / c : acc[i]!;
    }
    out[at + i] = v;
    const p = parent[i]!;
    if (p < 0 || Number.isNaN(v)) continue;
    acc[p]! += v;
    cnt[p]!++;
  }
}

function rollMinMax(
  order: Int32Array,
  parent: Int32Array,
  size: number,
  own: Float64Array,
  at: number,
  out: Float64Array,
  max: boolean,
  s: Scratch,
): void {
  const { acc, cnt } = s;
  for (let k = 0; k < size; k++) {
    const i = order[k]!;
    let v = own[at + i]!;
    if (Number.isNaN(v) && cnt[i]! > 0) v = acc[i]!;
    out[at + i] = v;
    const p = parent[i]!;
    if (p < 0 || Number.isNaN(v)) continue;
    if (cnt[p]! === 0 || (max ? v > acc[p]! : v < acc[p]!)) acc[p] = v;
    cnt[p]!++;
  }
}

function rollWeighted(
  order: Int32Array,
  parent: Int32Array,
  size: number,
  own: Float64Array,
  at: number,
  out: Float64Array,
  weights: Float64Array,
  wAt: number,
  s: Scratch,
): void {
  const { acc, wacc, cnt } = s;
  for (let k = 0; k < size; k++) {
    const i = order[k]!;
    let v = own[at + i]!;
    if (Number.isNaN(v) && cnt[i]! > 0) v = wacc[i]! === 0 ? Number.NaN : acc[i]! / wacc[i]!;
    out[at + i] = v;
    const p = parent[i]!;
    if (p < 0 || Number.isNaN(v)) continue;
    const w = weights[wAt + i]!;
    if (Number.isNaN(w)) continue;
    acc[p]! += w * v;
    wacc[p]! += w;
    cnt[p]!++;
  }
}

function checkWeights(rule: RollupRule, weights: Float64Array | undefined, sizes: number[]): void {
  if (rule !== 'weighted_mean') return;
  if (!weights) {
    throw new ChisoError({
      code: 'rollup.weights_required',
      vi: "Quy tắc 'weighted_mean' cần mảng trọng số (mẫu số đã tổng hợp)",
      en: "The 'weighted_mean' rule needs a weights array (the rolled denominators)",
    });
  }
  if (!sizes.includes(weights.length)) throw sizeError('weights', weights.length, sizes[0]!);
}

/** Roll one series up the tree. `own[i]` is node i's own reported value, NaN when missing. */
export function rollupTree(
  tree: PreparedTree,
  own: Float64Array,
  rule: RollupRule,
  weights?: Float64Array,
): Float64Array {
  checkRule(rule, RULES);
  if (own.length !== tree.size) throw sizeError('own', own.length, tree.size);
  checkWeights(rule, weights, [tree.size]);
  const out = new Float64Array(tree.size);
  rollupInto(tree, own, 0, out, rule, weights, 0, scratch(tree.size));
  return out;
}

/**
 * Roll many series at once. `matrix` is laid out [series][node] (length nSeries × tree.size), and
 * so is the result. `weights` is either one array for every series (length tree.size) or one per
 * series (length nSeries × tree.size).
 */
export function rollupTreeMany(
  tree: PreparedTree,
  matrix: Float64Array,
  nSeries: number,
  rule: RollupRule,
  weights?: Float64Array,
): Float64Array {
  checkRule(rule, RULES);
  const n = tree.size;
  if (!Number.isInteger(nSeries) || nSeries < 0) throw sizeError('series count', nSeries, 0);
  if (matrix.length !== nSeries * n) throw sizeError('matrix', matrix.length, nSeries * n);
  checkWeights(rule, weights, [n, nSeries * n]);
  const perSeries = weights !== undefined && weights.length === nSeries * n && nSeries !== 1;
  const out = new Float64Array(nSeries * n);
  const s = scratch(n);
  for (let k = 0; k < nSeries; k++) {
    rollupInto(tree, matrix, k * n, out, rule, weights, perSeries ? k * n : 0, s);
  }
  return out;
}

/**
 * Combine the values of consecutive sub-periods (e.g. months into a quarter), given in time order,
 * NaN = missing. 'sum' and 'mean' use the present values; 'last' is the last present value. NaN
 * when no value is present, and — with `complete: true` — when any value is missing.
 */
export function rollupPeriods(
  values: ArrayLike<number>,
  rule: PeriodRollupRule,
  options: { complete?: boolean } = {},
): number {
  checkRule(rule, PERIOD_RULES);
  let sum = 0;
  let cnt = 0;
  let last = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      if (options.complete) return Number.NaN;
      continue;
    }
    sum += v;
    cnt++;
    last = v;
  }
  if (cnt === 0) return Number.NaN;
  return rule === 'sum' ? sum : rule === 'mean' ? sum / cnt : last;
}

/**
 * `rollupPeriods` over a grid of columns (units): `values` is laid out [sub-period][column] with
 * `nCols` columns and a whole number of runs of `per` consecutive sub-periods; each run is combined
 * per column, into `out` laid out [period][column] (same rule and options, same results as
 * `rollupPeriods` on each run).
 */
export function rollupPeriodsGrid(
  values: Float64Array,
  per: number,
  nCols: number,
  rule: PeriodRollupRule,
  options: { complete?: boolean } = {},
  out?: Float64Array,
): Float64Array {
  checkRule(rule, PERIOD_RULES);
  if (!Number.isInteger(per) || per < 1) throw sizeError('sub-periods per period', per, 1);
  if (!Number.isInteger(nCols) || nCols < 0 || values.length % (per * Math.max(nCols, 1)) !== 0)
    throw sizeError('values', values.length, per * nCols);
  const nOut = nCols === 0 ? 0 : values.length / (per * nCols);
  const res = out ?? new Float64Array(nOut * nCols);
  if (res.length !== nOut * nCols) throw sizeError('out', res.length, nOut * nCols);
  const complete = options.complete === true;
  const code = rule === 'sum' ? 0 : rule === 'mean' ? 1 : 2;
  for (let o = 0; o < nOut; o++) {
    const row = o * per * nCols;
    for (let c = 0; c < nCols; c++) {
      let sum = 0;
      let cnt = 0;
      let last = Number.NaN;
      let missing = false;
      for (let q = 0; q < per; q++) {
        const v = values[row + q * nCols + c]!;
        if (Number.isNaN(v)) {
          if (complete) {
            missing = true;
            break;
          }
          continue;
        }
        sum += v;
        cnt++;
        last = v;
      }
      res[o * nCols + c] =
        missing || cnt === 0 ? Number.NaN : code === 0 ? sum : code === 1 ? sum / cnt : last;
    }
  }
  return res;
}

export interface LineageLink {
  /** Index of the old unit (into the values array). */
  from: number;
  /** Index of the new unit. */
  to: number;
  /** Part of the old unit that went to the new one, 0–1 (sum and weighted_mean only). */
  share?: number;
}

function lineageError(vi: string, en: string, link: LineageLink | undefined, index: number): ChisoError {
  return new ChisoError({
    code: 'lineage.bad_mapping',
    vi: `Ánh xạ đơn vị cũ → mới, dòng ${index + 1}: ${vi}`,
    en: `Old → new unit mapping, entry ${index + 1}: ${en}`,
    row: index + 1,
    details: { link },
  });
}

/**
 * Carry values of old units onto new units after a reorganisation (wards merged, a level
 * abolished). `values[u]` is old unit u's value (NaN = missing); the result has one value per new
 * unit (`newCount`, default: the largest `to` + 1), NaN where nothing present maps.
 *
 *   sum            each old value is split over its links: a link with `share` takes that part; the
 *                  links of the same old unit without a share split what is left equally (so an old
 *                  unit wholly merged into one new unit needs no share). A new unit sums what it gets.
 *   weighted_mean  Σ w·v / Σ w with w = weights[from] × share (shares defaulted as for sum);
 *                  `weights` are the old units' denominators.
 *   mean, min, max the values of the old units linked to a new unit, combined by the rule (shares
 *                  are ignored: a rate is not divided when a unit is split).
 *   none           only a one-to-one link (a renamed or re-coded unit) carries its value.
 */
export function mapLineage(
  values: Float64Array,
  mapping: readonly LineageLink[],
  rule: RollupRule,
  options: { newCount?: number; weights?: Float64Array } = {},
): Float64Array {
  checkRule(rule, RULES);
  const nOld = values.length;
  let nNew = options.newCount ?? 0;
  if (options.newCount === undefined) for (const l of mapping) nNew = Math.max(nNew, l.to + 1);
  if (!Number.isInteger(nNew) || nNew < 0) throw sizeError('new units', nNew, 0);
  if (rule === 'weighted_mean') checkWeights(rule, options.weights, [nOld]);

  // Validate, and default the shares.
  const given = new Float64Array(nOld);
  const unshared = new Int32Array(nOld);
  const outDegree = new Int32Array(nOld);
  const inDegree = new Int32Array(nNew);
  const pairs = new Set<number>();
  mapping.forEach((l, k) => {
    if (!Number.isInteger(l.from) || l.from < 0 || l.from >= nOld) {
      throw lineageError(`đơn vị cũ ${l.from} không tồn tại`, `old unit ${l.from} does not exist`, l, k);
    }
    if (!Number.isInteger(l.to) || l.to < 0 || l.to >= nNew) {
      throw lineageError(`đơn vị mới ${l.to} không tồn tại`, `new unit ${l.to} does not exist`, l, k);
    }
    const key = l.from * nNew + l.to;
    if (pairs.has(key)) {
      throw lineageError(`trùng cặp ${l.from} → ${l.to}`, `duplicate link ${l.from} → ${l.to}`, l, k);
    }
    pairs.add(key);
    if (l.share !== undefined) {
      if (!Number.isFinite(l.share) || l.share < 0 || l.share > 1) {
        throw lineageError(`tỷ lệ ${l.share} phải từ 0 đến 1`, `share ${l.share} must be 0 to 1`, l, k);
      }
      given[l.from]! += l.share;
    } else {
      unshared[l.from]!++;
    }
    outDegree[l.from]!++;
    inDegree[l.to]!++;
  });
  for (let u = 0; u < nOld; u++) {
    if (given[u]! > 1 + 1e-9) {
      const k = mapping.findIndex((l) => l.from === u);
      throw lineageError(
        `tổng tỷ lệ của đơn vị cũ ${u} là ${given[u]}, vượt quá 1`,
        `the shares of old unit ${u} add up to ${given[u]}, more than 1`,
        mapping[k],
        k,
      );
    }
  }
  const shareOf = (l: LineageLink): number =>
    l.share ?? (unshared[l.from]! > 0 ? Math.max(0, 1 - given[l.from]!) / unshared[l.from]! : 0);

  const acc = new Float64Array(nNew);
  const wacc = new Float64Array(nNew);
  const cnt = new Int32Array(nNew);
  for (const l of mapping) {
    const v = values[l.from]!;
    if (Number.isNaN(v)) continue;
    const t = l.to;
    switch (rule) {
      case 'sum':
        acc[t]! += v * shareOf(l);
        cnt[t]!++;
        break;
      case 'mean':
        acc[t]! += v;
        cnt[t]!++;
        break;
      case 'min':
        acc[t] = cnt[t]! === 0 || v < acc[t]! ? v : acc[t]!;
        cnt[t]!++;
        break;
      case 'max':
        acc[t] = cnt[t]! === 0 || v > acc[t]! ? v : acc[t]!;
        cnt[t]!++;
        break;
      case 'weighted_mean': {
        const w = options.weights![l.from]! * shareOf(l);
        if (Number.isNaN(w)) break;
        acc[t]! += w * v;
        wacc[t]! += w;
        cnt[t]!++;
        break;
      }
      case 'none':
        if (inDegree[t] === 1 && outDegree[l.from] === 1) {
          acc[t] = v;
          cnt[t] = 1;
        }
        break;
    }
  }
  const out = new Float64Array(nNew);
  for (let t = 0; t < nNew; t++) {
    if (cnt[t] === 0) out[t] = Number.NaN;
    else if (rule === 'mean') out[t] = acc[t]! / cnt[t]!;
    else if (rule === 'weighted_mean') out[t] = wacc[t] === 0 ? Number.NaN : acc[t]! / wacc[t]!;
    else out[t] = acc[t]!;
  }
  return out;
}
