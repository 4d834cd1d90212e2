/**
 * Values: own approved figures → roll-ups up the tree of each period → values carried across a
 * reorganisation (lineage) → coarser periods → derived (formula) indicators. `computeAll` does it
 * for everything with the core's vectorised roll-ups; `recomputeCells` redoes only what a set of
 * changed own figures touches and reports every cell it recomputed and every cell that changed.
 * Both use the same arithmetic in the same order, so an incremental update gives the same bits as
 * a computation from scratch (property-tested).
 */
import { evaluateFormula } from '../../core/formula.ts';
import type { PeriodType } from '../../core/period.ts';
import { mapLineage, rollupPeriods, rollupTree } from '../../core/rollup.ts';
import { KIND, type Layer, sameValue, setLineage } from './arrays.ts';
import { TYPE_RANK } from './calendar.ts';
import type { IndicatorInfo } from './catalogue.ts';
import type { Model } from './model.ts';

/** A set of cells: indicator → type → period ordinal → units. */
export class CellSet {
  readonly map = new Map<number, Map<PeriodType, Map<number, Set<number>>>>();
  size = 0;

  add(ind: number, t: PeriodType, k: number, u: number): void {
    let byType = this.map.get(ind);
    if (!byType) {
      byType = new Map();
      this.map.set(ind, byType);
    }
    let byK = byType.get(t);
    if (!byK) {
      byK = new Map();
      byType.set(t, byK);
    }
    let us = byK.get(k);
    if (!us) {
      us = new Set();
      byK.set(k, us);
    }
    if (!us.has(u)) {
      us.add(u);
      this.size++;
    }
  }

  *cells(): Generator<[number, PeriodType, number, number]> {
    for (const [ind, byType] of this.map)
      for (const [t, byK] of byType) for (const [k, us] of byK) for (const u of us) yield [ind, t, k, u];
  }
}

const NaN_ = Number.NaN;

/** The denominator weights of indicator `ind` at (t, k): a view of one period of the denominator's layer. */
export function weightsAt(m: Model, ind: IndicatorInfo, t: PeriodType, k: number): Float64Array | undefined {
  if (ind.rollup !== 'weighted_mean' || ind.denominator < 0) return undefined;
  const den = m.cat.indicators[ind.denominator]!;
  const n = m.nUnits;
  const layer = m.layer(ind.denominator, t);
  if (layer) return layer.val.subarray(k * n, (k + 1) * n);
  // A denominator reported less often (yearly population for a quarterly rate): its containing period.
  if (TYPE_RANK[den.periodType] > TYPE_RANK[t]) {
    const dl = m.layer(ind.denominator, den.periodType)!;
    const kk = m.cat.calendar.containing(t, k, den.periodType);
    return dl.val.subarray(kk * n, (kk + 1) * n);
  }
  return new Float64Array(n).fill(NaN_);
}

/**
 * The input of lineage batch `bi` at period k: the period's values as they stand when the batches
 * are applied in date order — values carried by this batch or a later one are not there yet.
 */
function lineageInput(m: Model, layer: Layer, k: number, bi: number): Float64Array {
  const n = m.nUnits;
  const v = layer.val.slice(k * n, (k + 1) * n);
  for (const [u, b] of layer.lin.get(k) ?? []) if (b >= bi) v[u] = NaN_;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Everything

/** Computes every value of every indicator from the own figures already in the layers. */
export function computeAll(m: Model): void {
  for (const i of m.cat.order) {
    const ind = m.cat.indicators[i]!;
    if (ind.ast) computeDerivedAll(m, i);
    else computePlainAll(m, i);
  }
}

function computePlainAll(m: Model, i: number): void {
  const ind = m.cat.indicators[i]!;
  const n = m.nUnits;
  const native = m.layer(i, ind.periodType)!;
  const own = new Float64Array(n);
  for (let k = 0; k < native.n; k++) {
    const base = k * n;
    for (let u = 0; u < n; u++) own[u] = native.kind[base + u] === KIND.own ? native.val[base + u]! : NaN_;
    const tree = m.trees.at(ind.periodType, k);
    const out = rollupTree(tree.prepared, own, ind.rollup, weightsAt(m, ind, ind.periodType, k));
    for (let u = 0; u < n; u++) {
      const v = out[u]!;
      native.val[base + u] = v;
      native.kind[base + u] =
        native.kind[base + u] === KIND.own ? KIND.own : Number.isNaN(v) ? KIND.none : KIND.rollup;
    }
    fillLineageAll(m, i, native, k);
  }
  for (const t of ind.types) if (t !== ind.periodType) computePeriodsAll(m, i, t);
}

function fillLineageAll(m: Model, i: number, layer: Layer, k: number): void {
  const ind = m.cat.indicators[i]!;
  const n = m.nUnits;
  const end = m.cat.calendar.end(layer.type, k);
  const tree = m.trees.at(layer.type, k);
  m.cat.batches.forEach((b, bi) => {
    if (!(end < b.date) || !sourcesPresent(layer, k, n, b.links, bi)) return;
    const mapped = mapLineage(lineageInput(m, layer, k, bi), b.links, ind.rollup, {
      newCount: n,
      ...lineageWeights(m, ind, layer.type, k),
    });
    for (const t of m.batchTargets(bi)) {
      const c = k * n + t;
      if (tree.active[t] || !Number.isNaN(layer.val[c]!) || Number.isNaN(mapped[t]!)) continue;
      layer.val[c] = mapped[t]!;
      layer.kind[c] = KIND.lineage;
      setLineage(layer, k, t, bi);
    }
  });
}

/** Whether any source of a batch has a value it would carry (a shortcut: most periods have none). */
function sourcesPresent(
  layer: Layer,
  k: number,
  n: number,
  links: readonly { from: number }[],
  bi: number,
): boolean {
  const lin = layer.lin.get(k);
  for (const l of links) {
    if (Number.isNaN(layer.val[k * n + l.from]!)) continue;
    const b = lin?.get(l.from);
    if (b === undefined || b < bi) return true;
  }
  return false;
}

function lineageWeights(m: Model, ind: IndicatorInfo, t: PeriodType, k: number): { weights?: Float64Array } {
  if (ind.rollup !== 'weighted_mean') return {};
  const w = weightsAt(m, ind, t, k);
  return w ? { weights: w } : {};
}

function periodValue(m: Model, i: number, coarse: PeriodType, q: number, u: number): number {
  const ind = m.cat.indicators[i]!;
  const native = m.layer(i, ind.periodType)!;
  const [a, b] = m.cat.calendar.within(coarse, q, ind.periodType);
  const n = m.nUnits;
  const sub = m.scratch(b - a);
  for (let k = a; k < b; k++) sub[k - a] = native.val[k * n + u]!;
  return rollupPeriods(sub, ind.periodRollup, { complete: ind.periodRollup === 'sum' });
}

function computePeriodsAll(m: Model, i: number, t: PeriodType): void {
  const layer = m.layer(i, t)!;
  const n = m.nUnits;
  for (let q = 0; q < layer.n; q++) {
    for (let u = 0; u < n; u++) {
      const v = periodValue(m, i, t, q, u);
      layer.val[q * n + u] = v;
      layer.kind[q * n + u] = Number.isNaN(v) ? KIND.none : KIND.period;
    }
  }
}

function formulaValue(m: Model, i: number, t: PeriodType, k: number, u: number): number {
  const ind = m.cat.indicators[i]!;
  const n = m.nUnits;
  const r = evaluateFormula(ind.ast!, (code, offset) => {
    const x = m.cat.indicatorByCode.get(code);
    if (x === undefined) return null;
    const layer = m.layer(x, t);
    const kk = k + offset;
    if (!layer || kk < 0 || kk >= layer.n) return null;
    const v = layer.val[kk * n + u]!;
    return Number.isNaN(v) ? null : v;
  });
  return r ?? NaN_;
}

function computeDerivedAll(m: Model, i: number): void {
  const ind = m.cat.indicators[i]!;
  const n = m.nUnits;
  for (const t of ind.types) {
    const layer = m.layer(i, t)!;
    const native = t === ind.periodType;
    for (let k = 0; k < layer.n; k++) {
      for (let u = 0; u < n; u++) {
        const c = k * n + u;
        if (native && layer.kind[c] === KIND.own) continue;
        const v = formulaValue(m, i, t, k, u);
        layer.val[c] = v;
        layer.kind[c] = Number.isNaN(v) ? KIND.none : KIND.formula;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Incremental

export interface ValueUpdate {
  /** Every cell recomputed (own figures set, roll-ups, lineage, periods, formulas). */
  recomputed: CellSet;
  /** Every cell whose value or kind changed. */
  changed: CellSet;
}

/**
 * Sets own figures and recomputes what depends on them. `own` gives, per native cell, the new own
 * value (NaN = the unit has no approved figure any more).
 */
export function recomputeCells(
  m: Model,
  own: Array<{ ind: number; k: number; u: number; value: number }>,
): ValueUpdate {
  const recomputed = new CellSet();
  const changed = new CellSet();
  const seeds = new CellSet();
  const n = m.nUnits;
  for (const c of own) {
    const ind = m.cat.indicators[c.ind]!;
    const layer = m.layer(c.ind, ind.periodType)!;
    const at = c.k * n + c.u;
    const wasOwn = layer.kind[at] === KIND.own;
    const isOwn = !Number.isNaN(c.value);
    if (isOwn) {
      if (wasOwn && sameValue(layer.val[at]!, c.value)) continue;
      layer.val[at] = c.value;
      layer.kind[at] = KIND.own;
    } else {
      if (!wasOwn) continue;
      layer.kind[at] = KIND.none;
      layer.val[at] = NaN_;
    }
    seeds.add(c.ind, ind.periodType, c.k, c.u);
  }
  for (const i of m.cat.order) {
    const s = seeds.map.get(i);
    if (!s) continue;
    const ind = m.cat.indicators[i]!;
    const mine = new CellSet();
    if (ind.ast) recomputeDerived(m, i, s, recomputed, mine);
    else recomputePlain(m, i, s, recomputed, mine);
    if (mine.size === 0) continue;
    for (const [, t, k, u] of mine.cells()) changed.add(i, t, k, u);
    // What reads this indicator.
    for (const d of m.cat.dependents[i]!) {
      const dep = m.cat.indicators[d]!;
      if (dep.ast) {
        for (const ref of dep.deps) {
          if (ref.ind !== i) continue;
          for (const [, t, k, u] of mine.cells()) {
            if (!dep.types.includes(t)) continue;
            const kk = k - ref.offset;
            const layer = m.layer(d, t)!;
            if (kk >= 0 && kk < layer.n) seeds.add(d, t, kk, u);
          }
        }
      }
      if (dep.denominator === i && dep.rollup === 'weighted_mean') {
        for (const [, t, k, u] of mine.cells()) denominatorSeeds(m, d, t, k, u, seeds);
      }
    }
  }
  return { recomputed, changed };
}

/** A changed denominator cell changes its parent's weighted mean and the lineage it weights. */
function denominatorSeeds(m: Model, d: number, t: PeriodType, k: number, u: number, seeds: CellSet): void {
  const dep = m.cat.indicators[d]!;
  const nt = dep.periodType;
  let ks: number[];
  if (t === nt) ks = [k];
  else if (TYPE_RANK[t] > TYPE_RANK[nt] && !m.layer(dep.denominator, nt)) {
    const [a, b] = m.cat.calendar.within(t, k, nt);
    ks = [];
    for (let x = a; x < b; x++) ks.push(x);
  } else return;
  for (const kk of ks) {
    const tree = m.trees.at(nt, kk);
    const p = tree.prepared.parent[u]!;
    if (p >= 0) seeds.add(d, nt, kk, p);
    for (const bi of m.cat.outgoing.get(u) ?? []) {
      const b = m.cat.batches[bi]!;
      if (!(m.cat.calendar.end(nt, kk) < b.date)) continue;
      for (const l of b.links) if (l.from === u && !tree.active[l.to]) seeds.add(d, nt, kk, l.to);
    }
  }
}

/** The value of a node of a plain indicator at a native period: own, else its children by the rule, else lineage. */
function nodeValue(
  m: Model,
  i: number,
  layer: Layer,
  k: number,
  a: number,
): { v: number; kind: number; batch: number } {
  const ind = m.cat.indicators[i]!;
  const n = m.nUnits;
  const at = k * n + a;
  if (layer.kind[at] === KIND.own) return { v: layer.val[at]!, kind: KIND.own, batch: -1 };
  const tree = m.trees.at(layer.type, k);
  let v = NaN_;
  const rule = ind.rollup;
  if (rule !== 'none') {
    const weights = rule === 'weighted_mean' ? weightsAt(m, ind, layer.type, k) : undefined;
    let acc = 0;
    let wacc = 0;
    let cnt = 0;
    const s = tree.childStart[a]!;
    const e = tree.childStart[a + 1]!;
    for (let j = s; j < e; j++) {
      const c = tree.childList[j]!;
      const x = layer.val[k * n + c]!;
      // Values carried by lineage are filled after the roll-up: they never feed a parent.
      if (Number.isNaN(x) || layer.kind[k * n + c] === KIND.lineage) continue;
      switch (rule) {
        case 'sum':
        case 'mean':
          acc += x;
          cnt++;
          break;
        case 'min':
          acc = cnt === 0 || x < acc ? x : acc;
          cnt++;
          break;
        case 'max':
          acc = cnt === 0 || x > acc ? x : acc;
          cnt++;
          break;
        case 'weighted_mean': {
          const w = weights![c]!;
          if (Number.isNaN(w)) break;
          acc += w * x;
          wacc += w;
          cnt++;
          break;
        }
      }
    }
    if (cnt > 0) {
      if (rule === 'mean') v = acc / cnt;
      else if (rule === 'weighted_mean') v = wacc === 0 ? NaN_ : acc / wacc;
      else v = acc;
    }
  }
  if (!Number.isNaN(v)) return { v, kind: KIND.rollup, batch: -1 };
  if (tree.active[a]) return { v: NaN_, kind: KIND.none, batch: -1 };
  // Lineage: the first reorganisation after this period whose links carry a value.
  const end = m.cat.calendar.end(layer.type, k);
  for (const bi of m.cat.incoming.get(a) ?? []) {
    const b = m.cat.batches[bi]!;
    if (!(end < b.date) || !sourcesPresent(layer, k, n, b.links, bi)) continue;
    const mapped = mapLineage(lineageInput(m, layer, k, bi), b.links, ind.rollup, {
      newCount: n,
      ...lineageWeights(m, ind, layer.type, k),
    });
    const x = mapped[a]!;
    if (!Number.isNaN(x)) return { v: x, kind: KIND.lineage, batch: bi };
  }
  return { v: NaN_, kind: KIND.none, batch: -1 };
}

function recomputePlain(
  m: Model,
  i: number,
  seeds: Map<PeriodType, Map<number, Set<number>>>,
  recomputed: CellSet,
  changed: CellSet,
): void {
  const ind = m.cat.indicators[i]!;
  const nt = ind.periodType;
  const layer = m.layer(i, nt)!;
  const n = m.nUnits;
  const byK = seeds.get(nt);
  const changedNative = new Map<number, Set<number>>();
  for (const [k, us] of byK ?? []) {
    const tree = m.trees.at(nt, k);
    const depth = tree.prepared.depth;
    let pending = new Set(us);
    // The seeds changed by definition (a new own figure, a new weight): they always propagate.
    let forced: Set<number> | null = new Set(us);
    let rounds = 0;
    while (pending.size && rounds++ < 64) {
      // The pending units and their ancestors, deepest first.
      const nodes = new Set<number>();
      for (const u of pending) for (let a = u; a >= 0; a = tree.prepared.parent[a]!) nodes.add(a);
      const list = [...nodes].sort((x, y) => depth[y]! - depth[x]! || x - y);
      const next = new Set<number>();
      for (const a of list) {
        const at = k * n + a;
        const old = layer.val[at]!;
        const oldKind = layer.kind[at]!;
        const oldBatch = layer.lin.get(k)?.get(a) ?? -1;
        const r = nodeValue(m, i, layer, k, a);
        layer.val[at] = r.v;
        layer.kind[at] = r.kind;
        setLineage(layer, k, a, r.batch);
        recomputed.add(i, nt, k, a);
        if (!forced?.has(a) && sameValue(old, r.v) && oldKind === r.kind && oldBatch === r.batch) continue;
        changed.add(i, nt, k, a);
        let set = changedNative.get(k);
        if (!set) {
          set = new Set();
          changedNative.set(k, set);
        }
        set.add(a);
        // Units that inherit this one's value after a later reorganisation.
        const end = m.cat.calendar.end(nt, k);
        for (const bi of m.cat.outgoing.get(a) ?? []) {
          const b = m.cat.batches[bi]!;
          if (!(end < b.date)) continue;
          for (const l of b.links) if (l.from === a && !tree.active[l.to]) next.add(l.to);
        }
      }
      pending = next;
      forced = null;
    }
  }
  // Coarser periods of the units that changed.
  for (const t of ind.types) {
    if (t === nt) continue;
    const cl = m.layer(i, t)!;
    const cells = new Map<number, Set<number>>();
    for (const [k, us] of changedNative) {
      const q = m.cat.calendar.containing(nt, k, t);
      let set = cells.get(q);
      if (!set) {
        set = new Set();
        cells.set(q, set);
      }
      for (const u of us) set.add(u);
    }
    for (const [q, us] of cells) {
      for (const u of us) {
        const at = q * n + u;
        const old = cl.val[at]!;
        const v = periodValue(m, i, t, q, u);
        cl.val[at] = v;
        cl.kind[at] = Number.isNaN(v) ? KIND.none : KIND.period;
        recomputed.add(i, t, q, u);
        if (!sameValue(old, v)) changed.add(i, t, q, u);
      }
    }
  }
}

function recomputeDerived(
  m: Model,
  i: number,
  seeds: Map<PeriodType, Map<number, Set<number>>>,
  recomputed: CellSet,
  changed: CellSet,
): void {
  const ind = m.cat.indicators[i]!;
  const n = m.nUnits;
  const selfOffsets = ind.deps.filter((d) => d.ind === i).map((d) => d.offset);
  for (const t of ind.types) {
    const byK = seeds.get(t);
    if (!byK) continue;
    const layer = m.layer(i, t)!;
    const native = t === ind.periodType;
    // Periods in time order; a formula reading its own earlier periods pushes later ones.
    const queue = new Map(byK);
    const forced = new Map([...byK].map(([k, us]) => [k, new Set(us)]));
    let guard = 0;
    while (queue.size && guard++ < 100_000) {
      const k = Math.min(...queue.keys());
      const us = queue.get(k)!;
      queue.delete(k);
      for (const u of us) {
        const at = k * n + u;
        const old = layer.val[at]!;
        const oldKind = layer.kind[at]!;
        if (!(native && oldKind === KIND.own)) {
          const v = formulaValue(m, i, t, k, u);
          layer.val[at] = v;
          layer.kind[at] = Number.isNaN(v) ? KIND.none : KIND.formula;
        }
        recomputed.add(i, t, k, u);
        const force = forced.get(k)?.delete(u) ?? false;
        if (!force && sameValue(old, layer.val[at]!) && oldKind === layer.kind[at]) continue;
        changed.add(i, t, k, u);
        for (const o of selfOffsets) {
          const kk = k - o;
          if (kk < 0 || kk >= layer.n || kk === k) continue;
          let set = queue.get(kk);
          if (!set) {
            set = new Set();
            queue.set(kk, set);
          }
          set.add(u);
        }
      }
    }
  }
}
