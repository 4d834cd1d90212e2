/**
 * The engine's compact state: one layer per indicator and period type, each a Float64Array laid
 * out [period ordinal][unit index] (NaN = missing) with a parallel Uint8Array saying how each cell
 * got its value; and one org tree per distinct set of units in existence ("active" at the end of a
 * period), so that roll-ups never mix the units before and after a reorganisation.
 */
import type { PeriodType } from '../../core/period.ts';
import { type PreparedTree, prepareTree } from '../../core/rollup.ts';
import type { Calendar } from './calendar.ts';
import type { Catalogue } from './catalogue.ts';

/** How a cell got its value. */
export const KIND = {
  none: 0,
  /** The unit's own approved figure (data_value). */
  own: 1,
  /** Rolled up from the unit's children by the indicator's rule. */
  rollup: 2,
  /** Carried from predecessor units across a reorganisation. */
  lineage: 3,
  /** Evaluated from the indicator's formula. */
  formula: 4,
  /** Combined from the unit's own sub-periods (quarters → year) by the period roll-up rule. */
  period: 5,
} as const;
export type Kind = (typeof KIND)[keyof typeof KIND];
export const KIND_METHOD: Readonly<Record<number, string>> = {
  2: 'rollup',
  3: 'lineage',
  4: 'formula',
  5: 'period',
};

export interface Layer {
  type: PeriodType;
  /** Number of periods. */
  n: number;
  val: Float64Array;
  kind: Uint8Array;
  /** For cells carried by lineage: period ordinal → unit → index of the reorganisation batch. */
  lin: Map<number, Map<number, number>>;
}

export function newLayer(type: PeriodType, n: number, units: number): Layer {
  return {
    type,
    n,
    val: new Float64Array(n * units).fill(Number.NaN),
    kind: new Uint8Array(n * units),
    lin: new Map(),
  };
}

export const cloneLayer = (l: Layer): Layer => ({
  type: l.type,
  n: l.n,
  val: l.val.slice(),
  kind: l.kind.slice(),
  lin: new Map([...l.lin].map(([k, m]) => [k, new Map(m)])),
});

/** Records (batch ≥ 0) or clears (batch < 0) the lineage batch of a cell. */
export function setLineage(l: Layer, k: number, u: number, batch: number): void {
  let m = l.lin.get(k);
  if (batch < 0) {
    if (m?.delete(u) && m.size === 0) l.lin.delete(k);
    return;
  }
  if (!m) {
    m = new Map();
    l.lin.set(k, m);
  }
  m.set(u, batch);
}

export interface PeriodTree {
  prepared: PreparedTree;
  /** 1 when the unit exists at the end of the period. */
  active: Uint8Array;
  /**
   * Children of each node in the order the core's rollupTree accumulates them (the bottom-up
   * order), so that an incremental recomputation adds in the same order and gets the same bits.
   */
  childStart: Int32Array;
  childList: Int32Array;
}

/** Whether a unit exists on a date (ISO strings compare as dates). */
export const activeOn = (validFrom: string | null, validTo: string | null, date: string): boolean =>
  (validFrom === null || validFrom <= date) && (validTo === null || validTo >= date);

/**
 * One prepared tree per distinct active set. In a period's tree a unit hangs under its parent only
 * when both exist at the end of the period or both do not: units that do not exist yet (or any
 * more) never feed the units that do.
 */
export class Trees {
  readonly trees: PeriodTree[] = [];
  private readonly byType = new Map<PeriodType, Int32Array>();

  constructor(cat: Catalogue) {
    const { units, parent, calendar } = cat;
    const bounded: number[] = [];
    units.forEach((u, i) => {
      if (u.validFrom !== null || u.validTo !== null) bounded.push(i);
    });
    const cache = new Map<string, number>();
    for (const t of ['month', 'quarter', 'half', 'year'] as PeriodType[]) {
      const n = calendar.count(t);
      const ids = new Int32Array(n);
      for (let k = 0; k < n; k++) {
        const end = calendar.end(t, k);
        let key = '';
        for (const i of bounded) key += activeOn(units[i]!.validFrom, units[i]!.validTo, end) ? '1' : '0';
        let id = cache.get(key);
        if (id === undefined) {
          id = this.trees.length;
          cache.set(key, id);
          this.trees.push(buildTree(cat, parent, end));
        }
        ids[k] = id;
      }
      this.byType.set(t, ids);
    }
  }

  at(t: PeriodType, k: number): PeriodTree {
    return this.trees[this.byType.get(t)![k]!]!;
  }
}

function buildTree(cat: Catalogue, parent: Int32Array, end: string): PeriodTree {
  const n = parent.length;
  const active = new Uint8Array(n);
  cat.units.forEach((u, i) => {
    active[i] = activeOn(u.validFrom, u.validTo, end) ? 1 : 0;
  });
  const par = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = parent[i]!;
    par[i] = p >= 0 && active[p] === active[i] ? p : -1;
  }
  const prepared = prepareTree(par);
  const pos = new Int32Array(n);
  for (let k = 0; k < n; k++) pos[prepared.order[k]!] = k;
  const childStart = prepared.childStart;
  const childList = prepared.childIndex.slice();
  for (let i = 0; i < n; i++) {
    const a = childStart[i]!;
    const b = childStart[i + 1]!;
    if (b - a > 1) childList.subarray(a, b).sort((x, y) => pos[x]! - pos[y]!);
  }
  return { prepared, active, childStart, childList };
}

export const sameValue = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Period ordinals of a calendar for a layer type. */
export const periodsOf = (calendar: Calendar, t: PeriodType): number => calendar.count(t);
