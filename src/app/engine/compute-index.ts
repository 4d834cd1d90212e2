/**
 * Composite-index results of every methodology version for every year it applies to: the units
 * taking part (those at the levels all its indicators apply to, existing at the end of the year,
 * with at least one input value), their yearly values (own, rolled up or carried by lineage),
 * computeIndex for scores, ranks, bands, strengths and weaknesses, and the core's Monte Carlo
 * sensitivity (fixed seed) for the median rank and the 5–95 % interval of the root node.
 */
import { isChisoError } from '../../core/errors.ts';
import {
  computeIndex,
  type IndexData,
  type IndexResult,
  type SensitivityResult,
  sensitivity,
} from '../../core/index/index.ts';
import { activeOn } from './arrays.ts';
import type { MethodologyInfo } from './catalogue.ts';
import { targetsFor } from './compute-progress.ts';
import type { Model } from './model.ts';

export interface IndexYear {
  key: string;
  m: MethodologyInfo;
  year: number;
  /** Unit indices taking part, in unit-code order. */
  units: number[];
  result: IndexResult | null;
  /**
   * The Monte Carlo rank statistics of the root node, computed on first read (most of an index
   * year's cost: a process catching up from another's approval recomputes scores and ranks, and
   * the sensitivity only when something reads it). The inputs are captured when the year is
   * computed, so a late read gives the same bits as an eager one.
   */
  readonly sensitivity: SensitivityResult | null;
  error: { code: string; vi: string; en: string } | null;
}

/** Whether an index year's sensitivity has been computed (read) already. */
export function sensitivityReady(iy: IndexYear): boolean {
  return !(iy as { lazy?: unknown }).lazy;
}

export const indexKey = (methodologyId: number, year: number): string => `${methodologyId}:${year}`;

/** The years a methodology is computed for, within the engine's calendar. */
export function yearsOf(m: Model, mi: MethodologyInfo): number[] {
  const { firstYear, lastYear } = m.cat.calendar;
  const out: number[] = [];
  for (let y = Math.max(mi.validFrom, firstYear); y <= Math.min(mi.validTo ?? lastYear, lastYear); y++)
    out.push(y);
  return out;
}

/** Computes one methodology for one year; null when no unit has any input value. */
export function computeIndexYear(m: Model, mi: MethodologyInfo, year: number): IndexYear | null {
  const k = year - m.cat.calendar.firstYear;
  const n = m.nUnits;
  const layers = mi.indicators.map((i) => m.layer(i, 'year'));
  const end = `${year}-12-31`;
  let units: number[] = [];
  for (let u = 0; u < n; u++) {
    const info = m.cat.units[u]!;
    if (mi.levels.length && !mi.levels.includes(info.level)) continue;
    if (!activeOn(info.validFrom, info.validTo, end)) continue;
    if (layers.some((l) => l && !Number.isNaN(l.val[k * n + u]!))) units.push(u);
  }
  if (mi.levels.length === 0 && units.length) {
    // No level named: units of different levels are never ranked together — the level with the
    // most units that have inputs takes part (ties: the level code first in order).
    const count = new Map<string, number>();
    for (const u of units) count.set(m.cat.units[u]!.level, (count.get(m.cat.units[u]!.level) ?? 0) + 1);
    const level = [...count.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    units = units.filter((u) => m.cat.units[u]!.level === level);
  }
  if (units.length === 0) return null;
  const nI = mi.indicators.length;
  const values = new Float64Array(units.length * nI);
  units.forEach((u, r) => {
    layers.forEach((l, c) => {
      values[r * nI + c] = l ? l.val[k * n + u]! : Number.NaN;
    });
  });
  const data: IndexData = {
    units: units.map((u) => m.cat.units[u]!.code),
    indicators: mi.indicatorCodes,
    values,
    groups: units.map((u) => m.cat.units[u]!.groups[0] ?? ''),
  };
  if (mi.needsTargets) {
    const targets = new Float64Array(units.length * nI).fill(Number.NaN);
    units.forEach((u, r) => {
      mi.indicators.forEach((i, c) => {
        const g = targetsFor(m, i, u).get(String(year));
        const t = g?.targets.length ? g.targets.reduce((a, b) => (b.id > a.id ? b : a)) : undefined;
        if (t) targets[r * nI + c] = t.value;
      });
    });
    data.targets = targets;
  }
  const out = new LazyIndexYear(indexKey(mi.id, year), mi, year, units);
  try {
    out.result = computeIndex(mi.definition, data, { year, strengths: { top: 3, bottom: 3 } });
    const s = mi.sensitivity;
    if (s.runs > 0 && units.length > 1) {
      out.lazy = () =>
        sensitivity(mi.definition, data, {
          runs: s.runs,
          seed: s.seed,
          weightNoise: s.weight_noise,
          year,
          remove: [],
        });
    }
  } catch (e) {
    if (!isChisoError(e)) throw e;
    out.result = null;
    out.error = { code: e.code, vi: e.vi, en: e.en };
  }
  return out;
}

class LazyIndexYear implements IndexYear {
  result: IndexResult | null = null;
  error: IndexYear['error'] = null;
  /** Computes the sensitivity; cleared once it has run. */
  lazy: (() => SensitivityResult) | null = null;
  private computed: SensitivityResult | null = null;

  constructor(
    readonly key: string,
    readonly m: MethodologyInfo,
    readonly year: number,
    readonly units: number[],
  ) {}

  get sensitivity(): SensitivityResult | null {
    const f = this.lazy;
    if (f) {
      this.lazy = null;
      try {
        this.computed = f();
      } catch (e) {
        // A ChisoError of the nominal computation was already caught by computeIndex above; a
        // sensitivity that still fails has no intervals (as before: the year kept no sensitivity).
        if (!isChisoError(e)) throw e;
        this.computed = null;
      }
    }
    return this.computed;
  }
}

export function computeIndexAll(m: Model): Map<string, IndexYear> {
  const out = new Map<string, IndexYear>();
  for (const mi of m.cat.methodologies) {
    for (const y of yearsOf(m, mi)) {
      const r = computeIndexYear(m, mi, y);
      if (r) out.set(r.key, r);
    }
  }
  return out;
}

/** The version of a methodology code shown for a year: the latest version with results. */
export function selectedVersion(m: Model, code: string, year: number): IndexYear | undefined {
  let best: IndexYear | undefined;
  for (const mi of m.cat.methodologies) {
    if (mi.code !== code) continue;
    const r = m.index.get(indexKey(mi.id, year));
    if (r?.result && (!best || mi.id > best.m.id)) best = r;
  }
  return best;
}

/** Ranks of every node in the previous year's selected version, by unit code. */
export function previousRanks(m: Model, iy: IndexYear): Map<string, Map<string, number>> {
  const prev = selectedVersion(m, iy.m.code, iy.year - 1);
  const out = new Map<string, Map<string, number>>();
  if (!prev?.result) return out;
  for (const [code, ns] of Object.entries(prev.result.nodes)) {
    const byUnit = new Map<string, number>();
    prev.result.units.forEach((u, j) => {
      const r = ns.rank[j]!;
      if (!Number.isNaN(r)) byUnit.set(u, r);
    });
    out.set(code, byUnit);
  }
  return out;
}
