/**
 * The engine's in-memory model of one database: the catalogue, the value layers, the period trees,
 * every progress status and every index result. `Model.load` builds it from the approved values;
 * `update` applies changed own figures and recomputes only what they touch, returning what it
 * recomputed (for persistence and the freshness counters); `fork` gives a copy-on-write overlay
 * (drafts for a viewer who asks for them) that leaves the model itself untouched.
 */
import { sql } from 'drizzle-orm';
import type { MethodProfile } from '../../core/progress.ts';
import type { PeriodType } from '../../core/period.ts';
import { type Executor, rows } from '../../store/db.ts';
import { activeOn, cloneLayer, type Layer, newLayer, Trees } from './arrays.ts';
import { type Catalogue, loadCatalogue } from './catalogue.ts';
import { computeIndexAll, computeIndexYear, type IndexYear, indexKey, yearsOf } from './compute-index.ts';
import { computeStatusesAll, type StatusRow, statusesOf } from './compute-progress.ts';
import { CellSet, computeAll, recomputeCells, type ValueUpdate } from './compute-values.ts';

export interface OwnCell {
  ind: number;
  k: number;
  u: number;
  value: number;
}

/** A cell named by database ids and a period code, as events and the change feed carry them. */
export interface CellRef {
  indicatorId: number;
  unitId: number;
  period: string;
}

export interface UpdateResult {
  values: ValueUpdate;
  /** Status rows recomputed (keys). */
  statuses: Set<string>;
  /** The recomputed statuses as they were before (undefined: there was none). */
  statusesBefore: Map<string, StatusRow | undefined>;
  /** The index results as they were before the update (a shallow copy of the map). */
  indexBefore: Map<string, IndexYear>;
  /** Index results recomputed (methodology id : year). */
  index: Set<string>;
  /** Index results whose rank change must be rewritten because the previous year changed. */
  rankChange: Set<string>;
  counts: UpdateCounts;
}

export interface UpdateCounts {
  /** Value cells recomputed (own figures set, roll-ups, lineage, coarser periods, formulas). */
  cells: number;
  /** Progress statuses recomputed. */
  statuses: number;
  /** Index result rows recomputed (units × nodes of every methodology-year recomputed). */
  indexRows: number;
  total: number;
}

export class NeedsRebuild extends Error {
  constructor(readonly why: string) {
    super(`engine model needs a rebuild: ${why}`);
  }
}

export class Model {
  readonly nUnits: number;
  readonly trees: Trees;
  layers: Array<Map<PeriodType, Layer>>;
  statuses: Map<string, StatusRow> = new Map();
  index: Map<string, IndexYear> = new Map();
  private batchTargetsCache: number[][] | undefined;
  private levelUnits: Map<string, number[]> | undefined;
  private readonly scratchBufs = new Map<number, Float64Array>();

  constructor(
    readonly cat: Catalogue,
    readonly profile: MethodProfile,
    trees?: Trees,
  ) {
    this.nUnits = cat.units.length;
    this.trees = trees ?? new Trees(cat);
    this.layers = cat.indicators.map((ind) => {
      const m = new Map<PeriodType, Layer>();
      for (const t of ind.types) m.set(t, newLayer(t, cat.calendar.count(t), this.nUnits));
      return m;
    });
  }

  /** Reads the catalogue and every approved own figure, and computes everything. */
  static async load(ex: Executor, profile: MethodProfile, currentYear: number): Promise<Model> {
    const cat = await loadCatalogue(ex, currentYear);
    const m = new Model(cat, profile);
    // One row per indicator and period with the units and values as arrays: a national data set
    // never sits in memory as millions of row objects.
    const groups = await rows<{ indicator_id: number; period: string; units: number[]; vals: number[] }>(
      ex,
      sql`select indicator_id, period, array_agg(org_unit_id) as units, array_agg(value) as vals from data_value
          where status = 'approved' and archived_at is null and disagg = '' and value is not null
          group by indicator_id, period`,
    );
    for (const g of groups) {
      const ind = cat.indicatorById.get(g.indicator_id);
      const at = cat.calendar.locate(g.period);
      if (ind === undefined || !at || at.type !== cat.indicators[ind]!.periodType) continue;
      g.units.forEach((id, j) => {
        const u = cat.unitById.get(id);
        if (u !== undefined) m.setOwn(ind, at.k, u, Number(g.vals[j]));
      });
    }
    m.computeEverything();
    return m;
  }

  /** Computes values, statuses and index results from the own figures in the layers. */
  computeEverything(): void {
    computeAll(this);
    this.statuses = computeStatusesAll(this);
    this.index = computeIndexAll(this);
  }

  layer(i: number, t: PeriodType): Layer | undefined {
    return this.layers[i]!.get(t);
  }

  setOwn(i: number, k: number, u: number, value: number): void {
    const l = this.layer(i, this.cat.indicators[i]!.periodType)!;
    l.val[k * this.nUnits + u] = value;
    l.kind[k * this.nUnits + u] = 1;
  }

  /** The native cell of an own figure, or null when the engine does not keep it (wrong period type). */
  cellOf(indicatorId: number, unitId: number, period: string): { ind: number; k: number; u: number } | null {
    const ind = this.cat.indicatorById.get(indicatorId);
    const u = this.cat.unitById.get(unitId);
    if (ind === undefined || u === undefined) return null;
    const at = this.cat.calendar.locate(period);
    if (!at || at.type !== this.cat.indicators[ind]!.periodType) return null;
    return { ind, k: at.k, u };
  }

  /** Whether the model can take a cell without a rebuild (known indicator and unit, period in range). */
  fits(ref: CellRef): boolean {
    if (!this.cat.indicatorById.has(ref.indicatorId) || !this.cat.unitById.has(ref.unitId)) return false;
    const at = this.cat.calendar.locate(ref.period);
    if (at) return true;
    // A malformed period never reaches the database; a well-formed one outside the calendar does.
    return !/^\d{4}/.test(ref.period);
  }

  batchTargets(bi: number): number[] {
    if (!this.batchTargetsCache) {
      this.batchTargetsCache = this.cat.batches.map((b) =>
        [...new Set(b.links.map((l) => l.to))].sort((a, c) => a - c),
      );
    }
    return this.batchTargetsCache[bi]!;
  }

  unitsOfLevel(level: string): number[] {
    if (!this.levelUnits) {
      this.levelUnits = new Map();
      this.cat.units.forEach((u, i) => {
        const list = this.levelUnits!.get(u.level) ?? [];
        list.push(i);
        this.levelUnits!.set(u.level, list);
      });
    }
    return this.levelUnits.get(level) ?? [];
  }

  scratch(len: number): Float64Array {
    let b = this.scratchBufs.get(len);
    if (!b) {
      b = new Float64Array(len);
      this.scratchBufs.set(len, b);
    }
    return b;
  }

  /** Reads the current approved own figures of cells (NaN where a cell has none). */
  async readOwn(ex: Executor, refs: CellRef[]): Promise<OwnCell[]> {
    const uniq = new Map<string, CellRef>();
    for (const r of refs) uniq.set(`${r.indicatorId}|${r.unitId}|${r.period}`, r);
    const list = [...uniq.values()];
    const out: OwnCell[] = [];
    for (let i = 0; i < list.length; i += 5000) {
      const chunk = list.slice(i, i + 5000);
      const found = await rows<{ indicator_id: number; org_unit_id: number; period: string; value: number }>(
        ex,
        sql`select v.indicator_id, v.org_unit_id, v.period, v.value
            from data_value v join unnest(${sql.param(chunk.map((c) => c.indicatorId))}::int[],
              ${sql.param(chunk.map((c) => c.unitId))}::int[], ${sql.param(chunk.map((c) => c.period))}::text[]) as c(i, u, p)
              on v.indicator_id = c.i and v.org_unit_id = c.u and v.period = c.p
            where v.disagg = '' and v.status = 'approved' and v.archived_at is null and v.value is not null`,
      );
      const got = new Map(found.map((f) => [`${f.indicator_id}|${f.org_unit_id}|${f.period}`, f.value]));
      for (const c of chunk) {
        const cell = this.cellOf(c.indicatorId, c.unitId, c.period);
        if (!cell) continue;
        out.push({ ...cell, value: got.get(`${c.indicatorId}|${c.unitId}|${c.period}`) ?? Number.NaN });
      }
    }
    return out;
  }

  /** Applies own figures and recomputes what they touch: values, statuses, index results. */
  update(own: OwnCell[]): UpdateResult {
    const values = recomputeCells(this, own);
    const statuses = new Set<string>();
    const statusesBefore = new Map<string, StatusRow | undefined>();
    const indexBefore = new Map(this.index);
    const index = new Set<string>();
    const rankChange = new Set<string>();
    // Statuses of the (indicator, unit) pairs whose values changed at a target's period type.
    const pairs = new Map<string, { ind: number; u: number; types: Set<PeriodType> }>();
    const years = new Map<number, Set<number>>();
    for (const [ind, t, k, u] of values.changed.cells()) {
      const key = `${ind}:${u}`;
      const p = pairs.get(key) ?? { ind, u, types: new Set<PeriodType>() };
      p.types.add(t);
      pairs.set(key, p);
      if (t === 'year') {
        let s = years.get(ind);
        if (!s) {
          s = new Set();
          years.set(ind, s);
        }
        s.add(this.cat.calendar.firstYear + k);
      }
    }
    let statusCount = 0;
    for (const { ind, u, types } of pairs.values()) {
      if (!this.cat.targetsByIndicator.has(ind)) continue;
      for (const row of statusesOf(this, ind, u, types)) {
        if (!statusesBefore.has(row.key)) statusesBefore.set(row.key, this.statuses.get(row.key));
        this.statuses.set(row.key, row);
        statuses.add(row.key);
        statusCount++;
      }
    }
    // Index results of the methodologies reading a changed indicator, for the years that changed.
    let indexRows = 0;
    for (const mi of this.cat.methodologies) {
      const ys = new Set<number>();
      for (const i of mi.indicators) for (const y of years.get(i) ?? []) ys.add(y);
      if (ys.size === 0) continue;
      const valid = new Set(yearsOf(this, mi));
      for (const y of [...ys].sort((a, b) => a - b)) {
        if (!valid.has(y) || !this.touchesParticipants(mi.levels, mi.indicators, y, values)) continue;
        const key = indexKey(mi.id, y);
        const r = computeIndexYear(this, mi, y);
        if (r) this.index.set(key, r);
        else this.index.delete(key);
        index.add(key);
        indexRows += r ? r.units.length * mi.definition.nodes.length : 0;
        for (const other of this.cat.methodologies) {
          if (other.code === mi.code && this.index.has(indexKey(other.id, y + 1))) {
            rankChange.add(indexKey(other.id, y + 1));
          }
        }
      }
    }
    const counts: UpdateCounts = {
      cells: values.recomputed.size,
      statuses: statusCount,
      indexRows,
      total: values.recomputed.size + statusCount + indexRows,
    };
    return { values, statuses, statusesBefore, indexBefore, index, rankChange, counts };
  }

  /** Whether a changed yearly cell of the methodology's indicators is at a unit that can take part. */
  private touchesParticipants(levels: string[], inds: number[], year: number, v: ValueUpdate): boolean {
    const k = year - this.cat.calendar.firstYear;
    const end = `${year}-12-31`;
    for (const i of inds) {
      const us = v.changed.map.get(i)?.get('year')?.get(k);
      if (!us) continue;
      for (const u of us) {
        const info = this.cat.units[u]!;
        if (
          (levels.length === 0 || levels.includes(info.level)) &&
          activeOn(info.validFrom, info.validTo, end)
        ) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A copy that shares every layer except those of `indicators` (copied), with its own maps of
   * statuses and index results: updates on the fork leave this model untouched.
   */
  fork(indicators: Iterable<number>): Model {
    const f = Object.create(Model.prototype) as Model;
    Object.assign(f, this);
    (f as unknown as { scratchBufs: Map<number, Float64Array> }).scratchBufs = new Map();
    f.layers = this.layers.slice();
    for (const i of closure(this, indicators)) {
      const copy = new Map<PeriodType, Layer>();
      for (const [t, l] of this.layers[i]!) copy.set(t, cloneLayer(l));
      f.layers[i] = copy;
    }
    f.statuses = new Map(this.statuses);
    f.index = new Map(this.index);
    return f;
  }
}

/** The indicators and, transitively, every indicator that reads them. */
export function closure(m: Model, indicators: Iterable<number>): Set<number> {
  const out = new Set<number>();
  const stack = [...indicators];
  while (stack.length) {
    const i = stack.pop()!;
    if (out.has(i)) continue;
    out.add(i);
    for (const d of m.cat.dependents[i]!) stack.push(d);
  }
  return out;
}

export { CellSet };
