/**
 * Full recompute on the in-memory arrays with chiso's engine core (src/core): every tree roll-up
 * (denominators first, then sum/mean/weighted_mean/min/max), every period roll-up to years, every
 * progress status (Open SDG profile, final-year targets), and the composite index of the first
 * level below the root for every year. bench/reference.py does the same computation with numpy on
 * the same arrays (written by `writeReferenceInput`); the checksums of both must agree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeIndex, type IndexMethodology } from '../src/core/index/index.ts';
import {
  assessArrays,
  newArrayAssessment,
  type PreparedAssessment,
  prepareAssessment,
} from '../src/core/progress.ts';
import { prepareTree, rollupPeriodsGrid, rollupTreeMany } from '../src/core/rollup.ts';
import type { Dataset } from './generate.ts';

export const INDEX_PILLARS = 4;
export const INDEX_PER_PILLAR = 6;

export interface RecomputeResult {
  ms: { total: number; tree: number; periods: number; statuses: number; index: number };
  /** CPU time of the process over the whole recompute (user + system): wall time minus waiting for a core. */
  cpu_ms: number;
  checksums: {
    rolled_sum: number;
    rolled_count: number;
    yearly_sum: number;
    yearly_count: number;
    statuses: Record<string, number>;
    index_sum: number;
    index_count: number;
  };
}

/** Indicators of the index: 1 … pillars·perPillar (indicator 0, the denominator, is left out). */
export function indexMethodology(ds: Dataset): IndexMethodology {
  const nodes: IndexMethodology['nodes'] = [];
  const pillars: string[] = [];
  for (let p = 0; p < INDEX_PILLARS; p++) {
    const kids: string[] = [];
    for (let k = 0; k < INDEX_PER_PILLAR; k++) {
      const ind = ds.indicators[1 + p * INDEX_PER_PILLAR + k]!;
      kids.push(`L_${ind.code}`);
      nodes.push({
        code: `L_${ind.code}`,
        name_vi: ind.code,
        name_en: ind.code,
        indicator: ind.code,
        direction: ind.direction === 'increase' ? 'higher' : 'lower',
        normalisation: { kind: 'minmax', lower: 0, upper: 100 },
      });
    }
    nodes.push({
      code: `P${p + 1}`,
      name_vi: `Trụ cột ${p + 1}`,
      name_en: `Pillar ${p + 1}`,
      children: kids.map((code) => ({ code, weight: 1 })),
      aggregation: { kind: 'arithmetic' },
    });
    pillars.push(`P${p + 1}`);
  }
  nodes.push({
    code: 'IDX',
    name_vi: 'Chỉ số thử nghiệm',
    name_en: 'Benchmark index',
    children: pillars.map((code, k) => ({ code, weight: k + 1 })),
    aggregation: { kind: 'arithmetic' },
  });
  return {
    code: 'BENCH',
    version: '1',
    name_vi: 'Chỉ số thử nghiệm',
    name_en: 'Benchmark index',
    valid_from: ds.years[0]!,
    valid_to: null,
    root: 'IDX',
    nodes,
  };
}

export function recompute(ds: Dataset): RecomputeResult {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const nU = ds.units.code.length;
  const nP = ds.periods.length;
  const nI = ds.indicators.length;
  const tree = prepareTree(ds.units.parent);
  const rolled = new Float64Array(nI * nP * nU);
  // Denominators first: weighted means need their rolled values.
  const series = (a: Float64Array, i: number) => a.subarray(i * nP * nU, (i + 1) * nP * nU);
  const order = ds.indicators
    .map((_, i) => i)
    .sort(
      (a, b) => Number(ds.indicators[b]!.denominator === -1) - Number(ds.indicators[a]!.denominator === -1),
    );
  for (const i of order) {
    const ind = ds.indicators[i]!;
    const w = ind.denominator >= 0 ? series(rolled, ind.denominator) : undefined;
    rolled.set(rollupTreeMany(tree, series(ds.own, i), nP, ind.rule, w), i * nP * nU);
  }
  const t1 = performance.now();
  // Years: quarters → years by each indicator's period rule (years stay as they are).
  const nY = ds.years.length;
  let yearly: Float64Array;
  if (ds.scale.periodType === 'year') yearly = rolled;
  else {
    yearly = new Float64Array(nI * nY * nU);
    for (let i = 0; i < nI; i++) {
      rollupPeriodsGrid(
        rolled.subarray(i * nP * nU, (i + 1) * nP * nU),
        4,
        nU,
        ds.indicators[i]!.periodRollup,
        {},
        yearly.subarray(i * nY * nU, (i + 1) * nY * nU),
      );
    }
  }
  const t2 = performance.now();
  // Statuses: the core's array form of assessProgress (the engine's path), one prepared target per
  // series, the unit's yearly values copied out of the [indicator][year][unit] layout.
  const statuses: Record<string, number> = {};
  const years = Int32Array.from(ds.years);
  const vals = new Float64Array(nY);
  const prep = {} as PreparedAssessment;
  const out = newArrayAssessment();
  for (let i = 0; i < nI; i++) {
    const ind = ds.indicators[i]!;
    const comparator = ind.direction === 'increase' ? '>=' : '<=';
    for (let u = 0; u < nU; u++) {
      const target = ds.target[i * nU + u]!;
      if (Number.isNaN(target)) continue;
      for (let y = 0; y < nY; y++) vals[y] = yearly[(i * nY + y) * nU + u]!;
      prepareAssessment(
        {
          target,
          targetYear: ds.targetYear,
          direction: ind.direction,
          comparator,
          profile: 'open-sdg',
          baseYear: ds.years[0]!,
        },
        prep,
      );
      const r = assessArrays(prep, years, vals, nY, out);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
  }
  const t3 = performance.now();
  const m = indexMethodology(ds);
  const level1: number[] = [];
  for (let u = 0; u < nU; u++) if (ds.units.depth[u] === 1) level1.push(u);
  const idxInds = Array.from({ length: INDEX_PILLARS * INDEX_PER_PILLAR }, (_, k) => 1 + k);
  let indexSum = 0;
  let indexCount = 0;
  for (let y = 0; y < nY; y++) {
    const values = new Float64Array(level1.length * idxInds.length);
    for (let a = 0; a < level1.length; a++)
      for (let k = 0; k < idxInds.length; k++)
        values[a * idxInds.length + k] = yearly[(idxInds[k]! * nY + y) * nU + level1[a]!]!;
    const res = computeIndex(
      m,
      {
        units: level1.map((u) => ds.units.code[u]!),
        indicators: idxInds.map((i) => ds.indicators[i]!.code),
        values,
      },
      { year: ds.years[y]!, strengths: false },
    );
    for (const s of res.nodes.IDX!.score)
      if (!Number.isNaN(s)) {
        indexSum += s;
        indexCount++;
      }
  }
  const t4 = performance.now();
  let rs = 0;
  let rc = 0;
  for (const v of rolled)
    if (!Number.isNaN(v)) {
      rs += v;
      rc++;
    }
  let ys = 0;
  let yc = 0;
  for (const v of yearly)
    if (!Number.isNaN(v)) {
      ys += v;
      yc++;
    }
  const cpu = process.cpuUsage(cpu0);
  return {
    ms: { total: t4 - t0, tree: t1 - t0, periods: t2 - t1, statuses: t3 - t2, index: t4 - t3 },
    cpu_ms: (cpu.user + cpu.system) / 1000,
    checksums: {
      rolled_sum: rs,
      rolled_count: rc,
      yearly_sum: ys,
      yearly_count: yc,
      statuses,
      index_sum: indexSum,
      index_count: indexCount,
    },
  };
}

const RULE_CODE = { sum: 0, mean: 1, weighted_mean: 2, min: 3, max: 4, none: 5 } as const;
const PRULE_CODE = { sum: 0, last: 1, mean: 2 } as const;

/** Writes the arrays bench/reference.py reads: meta.json and raw little-endian .bin files. */
export function writeReferenceInput(ds: Dataset, dir: string): void {
  const nU = ds.units.code.length;
  writeFileSync(join(dir, 'parent.bin'), ds.units.parent);
  writeFileSync(join(dir, 'depth.bin'), ds.units.depth);
  writeFileSync(join(dir, 'own.bin'), ds.own);
  writeFileSync(join(dir, 'target.bin'), ds.target);
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({
      units: nU,
      indicators: ds.indicators.length,
      periods: ds.periods.length,
      per_year: ds.scale.periodType === 'quarter' ? 4 : 1,
      years: ds.years,
      target_year: ds.targetYear,
      rule: ds.indicators.map((i) => RULE_CODE[i.rule]),
      denominator: ds.indicators.map((i) => i.denominator),
      period_rule: ds.indicators.map((i) => PRULE_CODE[i.periodRollup]),
      direction: ds.indicators.map((i) => (i.direction === 'increase' ? 1 : -1)),
      index_pillars: INDEX_PILLARS,
      index_per_pillar: INDEX_PER_PILLAR,
    }),
  );
}
