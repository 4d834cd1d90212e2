/**
 * Writing the engine's results to computed_value, progress_status and index_result. Writes are
 * batched (unnest arrays, a few thousand rows per statement) and guarded: a row is rewritten only
 * when its content differs, so `updated_at` moves only for results that changed. A result that no
 * longer exists is never deleted: a computed value keeps its row with a null value, a status or an
 * index result gets `archived_at`.
 *
 * `persistAll` compares everything in memory with everything stored (used when the stored results
 * may be out of step: first start, catalogue changes, a new engine version); `persistUpdate` writes
 * what one update recomputed.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rows } from '../../store/db.ts';
import { canonicalJson } from '../audit.ts';
import { KIND, KIND_METHOD } from './arrays.ts';
import { type IndexYear, indexKey, previousRanks, sensitivityReady } from './compute-index.ts';
import type { StatusRow } from './compute-progress.ts';
import type { Model, UpdateResult } from './model.ts';

type Cell = string | number | boolean | null;

interface Column {
  name: string;
  /** The array type of the unnest parameter. */
  type: 'int' | 'float8' | 'text' | 'date' | 'bool' | 'jsonb';
  key?: boolean;
}

interface TableSpec {
  table: string;
  columns: Column[];
  archivable: boolean;
}

const COMPUTED: TableSpec = {
  table: 'computed_value',
  archivable: false,
  columns: [
    { name: 'indicator_id', type: 'int', key: true },
    { name: 'org_unit_id', type: 'int', key: true },
    { name: 'period', type: 'text', key: true },
    { name: 'period_start', type: 'date' },
    { name: 'value', type: 'float8' },
    { name: 'method', type: 'text' },
  ],
};

const STATUS: TableSpec = {
  table: 'progress_status',
  archivable: true,
  columns: [
    { name: 'indicator_id', type: 'int', key: true },
    { name: 'org_unit_id', type: 'int', key: true },
    { name: 'target_id', type: 'int', key: true },
    { name: 'period', type: 'text' },
    { name: 'period_start', type: 'date' },
    { name: 'target_scope', type: 'text' },
    { name: 'is_primary', type: 'bool' },
    { name: 'profile', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'score', type: 'float8' },
    { name: 'attainment', type: 'float8' },
    { name: 'ratio', type: 'float8' },
    { name: 'measure', type: 'text' },
    { name: 'cagr_actual', type: 'float8' },
    { name: 'cagr_required', type: 'float8' },
    { name: 'projection_value', type: 'float8' },
    { name: 'latest_value', type: 'float8' },
    { name: 'latest_period', type: 'text' },
    { name: 'base_value', type: 'float8' },
    { name: 'base_period', type: 'text' },
    { name: 'comparator', type: 'text' },
    { name: 'target_value', type: 'float8' },
    { name: 'target_max', type: 'float8' },
    { name: 'baseline_value', type: 'float8' },
    { name: 'source_document_id', type: 'int' },
    { name: 'trend', type: 'text' },
    { name: 'reason_code', type: 'text' },
    { name: 'conflicts', type: 'int' },
  ],
};

const INDEX: TableSpec = {
  table: 'index_result',
  archivable: true,
  columns: [
    { name: 'methodology_id', type: 'int', key: true },
    { name: 'period', type: 'text', key: true },
    { name: 'org_unit_id', type: 'int', key: true },
    { name: 'node', type: 'text', key: true },
    { name: 'raw', type: 'float8' },
    { name: 'score', type: 'float8' },
    { name: 'rank', type: 'int' },
    { name: 'band', type: 'text' },
    { name: 'previous_rank', type: 'int' },
    { name: 'rank_change', type: 'int' },
    { name: 'sensitivity_median', type: 'float8' },
    { name: 'sensitivity_q5', type: 'float8' },
    { name: 'sensitivity_q95', type: 'float8' },
    { name: 'strengths', type: 'jsonb' },
    { name: 'weaknesses', type: 'jsonb' },
  ],
};

const PG_ARRAY: Record<Column['type'], string> = {
  int: 'int[]',
  float8: 'float8[]',
  text: 'text[]',
  date: 'date[]',
  bool: 'bool[]',
  jsonb: 'text[]',
};

const BATCH = 10_000;
const num = (v: number | null | undefined): number | null =>
  v === null || v === undefined || Number.isNaN(v) ? null : v;

/** Inserts or rewrites rows whose content differs; counts rows written. */
async function upsert(ex: Executor, spec: TableSpec, data: Cell[][]): Promise<number> {
  let written = 0;
  const cols = spec.columns;
  const keys = cols.filter((c) => c.key).map((c) => c.name);
  const values = cols.filter((c) => !c.key).map((c) => c.name);
  const compared = values.filter((c) => c !== 'period_start');
  for (let i = 0; i < data.length; i += BATCH) {
    const chunk = data.slice(i, i + BATCH);
    const params = cols.map(
      (c, j) =>
        sql`${sql.param(chunk.map((r) => (c.type === 'jsonb' && r[j] !== null ? JSON.stringify(r[j]) : r[j])))}::${sql.raw(PG_ARRAY[c.type])}`,
    );
    const select = cols.map((c) => sql.raw(c.type === 'jsonb' ? `x.${c.name}::jsonb` : `x.${c.name}`));
    const t = spec.table;
    const stale = spec.archivable ? ` or ${t}.archived_at is not null` : '';
    const q: SQL = sql`with w as (insert into ${sql.raw(t)} (${sql.raw(cols.map((c) => c.name).join(', '))})
      select ${sql.join(select, sql`, `)} from unnest(${sql.join(params, sql`, `)}) as x(${sql.raw(cols.map((c) => c.name).join(', '))})
      on conflict (${sql.raw(keys.join(', '))}) do update set
        ${sql.raw(values.map((c) => `${c} = excluded.${c}`).join(', '))}, updated_at = now()${sql.raw(spec.archivable ? ', archived_at = null' : '')}
      where (${sql.raw(compared.map((c) => `${t}.${c}`).join(', '))}) is distinct from (${sql.raw(compared.map((c) => `excluded.${c}`).join(', '))})${sql.raw(stale)}
      returning 1) select count(*)::int as n from w`;
    const [r] = await rows<{ n: number }>(ex, q);
    written += r?.n ?? 0;
  }
  return written;
}

/** Inserts rows into a table known to hold none of them (a first start): no conflict handling. */
async function insertNew(ex: Executor, spec: TableSpec, data: Cell[][]): Promise<number> {
  const cols = spec.columns;
  const names = cols.map((c) => c.name).join(', ');
  for (let i = 0; i < data.length; i += 5 * BATCH) {
    const chunk = data.slice(i, i + 5 * BATCH);
    const params = cols.map(
      (c, j) =>
        sql`${sql.param(chunk.map((r) => (c.type === 'jsonb' && r[j] !== null ? JSON.stringify(r[j]) : r[j])))}::${sql.raw(PG_ARRAY[c.type])}`,
    );
    const select = cols.map((c) => sql.raw(c.type === 'jsonb' ? `x.${c.name}::jsonb` : `x.${c.name}`));
    await ex.execute(
      sql`insert into ${sql.raw(spec.table)} (${sql.raw(names)}) select ${sql.join(select, sql`, `)}
          from unnest(${sql.join(params, sql`, `)}) as x(${sql.raw(names)})`,
    );
  }
  return data.length;
}

/**
 * Rewrites rows known to exist, without comparing (the caller compared). An insert that always
 * conflicts: each row is found through the primary key, where an UPDATE … FROM unnest would
 * hash-join the whole table.
 */
async function update(ex: Executor, spec: TableSpec, data: Cell[][]): Promise<number> {
  let written = 0;
  const cols = spec.columns;
  const keys = cols.filter((c) => c.key).map((c) => c.name);
  const values = cols.filter((c) => !c.key).map((c) => c.name);
  const names = cols.map((c) => c.name).join(', ');
  for (let i = 0; i < data.length; i += BATCH) {
    const chunk = data.slice(i, i + BATCH);
    const params = cols.map(
      (c, j) =>
        sql`${sql.param(chunk.map((r) => (c.type === 'jsonb' && r[j] !== null ? JSON.stringify(r[j]) : r[j])))}::${sql.raw(PG_ARRAY[c.type])}`,
    );
    const select = cols.map((c) => sql.raw(c.type === 'jsonb' ? `x.${c.name}::jsonb` : `x.${c.name}`));
    const set = values.map((c) => `${c} = excluded.${c}`).join(', ');
    const [r] = await rows<{ n: number }>(
      ex,
      sql`with w as (insert into ${sql.raw(spec.table)} (${sql.raw(names)})
        select ${sql.join(select, sql`, `)} from unnest(${sql.join(params, sql`, `)}) as x(${sql.raw(names)})
        on conflict (${sql.raw(keys.join(', '))}) do update set ${sql.raw(set)}, updated_at = now()${sql.raw(spec.archivable ? ', archived_at = null' : '')}
        returning 1) select count(*)::int as n from w`,
    );
    written += r?.n ?? 0;
  }
  return written;
}

/** Sets computed values that no longer exist to null (their rows stay). */
async function nullComputed(ex: Executor, keys: Array<[number, number, string]>): Promise<number> {
  let written = 0;
  for (let i = 0; i < keys.length; i += BATCH) {
    const chunk = keys.slice(i, i + BATCH);
    const [r] = await rows<{ n: number }>(
      ex,
      sql`with w as (update computed_value c set value = null, updated_at = now()
          from unnest(${sql.param(chunk.map((k) => k[0]))}::int[], ${sql.param(chunk.map((k) => k[1]))}::int[],
                      ${sql.param(chunk.map((k) => k[2]))}::text[]) as x(i, u, p)
          where c.indicator_id = x.i and c.org_unit_id = x.u and c.period = x.p and c.value is not null
          returning 1) select count(*)::int as n from w`,
    );
    written += r?.n ?? 0;
  }
  return written;
}

/** Archives stored rows that are no longer produced. */
async function archive(ex: Executor, spec: TableSpec, keys: Cell[][]): Promise<number> {
  let written = 0;
  const keyCols = spec.columns.filter((c) => c.key);
  for (let i = 0; i < keys.length; i += BATCH) {
    const chunk = keys.slice(i, i + BATCH);
    const params = keyCols.map(
      (c, j) => sql`${sql.param(chunk.map((r) => r[j]))}::${sql.raw(PG_ARRAY[c.type])}`,
    );
    const names = keyCols.map((c) => c.name);
    const [r] = await rows<{ n: number }>(
      ex,
      sql`with w as (update ${sql.raw(spec.table)} t set archived_at = now(), updated_at = now()
          from unnest(${sql.join(params, sql`, `)}) as x(${sql.raw(names.join(', '))})
          where ${sql.raw(names.map((c) => `t.${c} = x.${c}`).join(' and '))} and t.archived_at is null
          returning 1) select count(*)::int as n from w`,
    );
    written += r?.n ?? 0;
  }
  return written;
}

// ---------------------------------------------------------------------------------------------
// Rows from the model

/**
 * The stored row of a computed cell, or null when the cell is not stored: own figures (they are in
 * data_value), missing values, and coarser periods other than the year (halves, quarters of a
 * monthly indicator: kept in memory only, computed from the stored periods on demand).
 */
function computedRow(m: Model, i: number, t: string, k: number, u: number): Cell[] | null {
  const layer = m.layers[i]!.get(t as never)!;
  const c = k * m.nUnits + u;
  const kind = layer.kind[c]!;
  if (kind === KIND.none || kind === KIND.own) return null;
  if (t !== 'year' && t !== m.cat.indicators[i]!.periodType) return null;
  const cal = m.cat.calendar;
  return [
    m.cat.indicators[i]!.id,
    m.cat.units[u]!.id,
    cal.code(layer.type, k),
    cal.start(layer.type, k),
    layer.val[c]!,
    KIND_METHOD[kind]!,
  ];
}

export function statusCells(m: Model, r: StatusRow): Cell[] {
  const t = r.target;
  return [
    m.cat.indicators[r.ind]!.id,
    m.cat.units[r.unit]!.id,
    t.id,
    t.period,
    t.periodStart,
    r.scope,
    r.primary,
    r.profile,
    r.status,
    num(r.score),
    num(r.attainment),
    num(r.ratio),
    r.measure,
    num(r.cagrActual),
    num(r.cagrRequired),
    num(r.projection),
    num(r.latestValue),
    r.latestPeriod,
    num(r.baseValue),
    r.basePeriod,
    t.comparator,
    t.value,
    t.valueMax,
    t.baselineValue,
    t.documentId,
    r.trend,
    r.reason.code,
    r.conflicts,
  ];
}

/** What the rows of one methodology-year are made of, prepared once. */
type SensStats = { median: number | null; q5: number | null; q95: number | null };

class IndexRowSource {
  readonly prev: Map<string, Map<string, number>>;
  readonly strengths: Map<string, { strengths: unknown; weaknesses: unknown }>;
  private sensMap: Map<string, SensStats> | null = null;

  constructor(
    m: Model,
    readonly iy: IndexYear,
  ) {
    this.prev = previousRanks(m, iy);
    this.strengths = new Map(iy.result!.strengths.map((x) => [x.unit, x]));
  }

  /** The root node's sensitivity by unit code (computes it on first use: see IndexYear). */
  get sens(): Map<string, SensStats> {
    this.sensMap ??= new Map((this.iy.sensitivity?.units ?? []).map((x) => [x.unit, x]));
    return this.sensMap;
  }
}

function indexSource(m: Model, iy: IndexYear): IndexRowSource | null {
  return iy.result ? new IndexRowSource(m, iy) : null;
}

/** The row of one unit (position j) and node. */
function indexRow(m: Model, src: IndexRowSource, code: string, j: number): Cell[] {
  const { iy } = src;
  const res = iy.result!;
  const ns = res.nodes[code]!;
  const unitCode = res.units[j]!;
  const rank = num(ns.rank[j]);
  const pr = src.prev.get(code)?.get(unitCode) ?? null;
  const isRoot = code === res.root;
  const s = isRoot ? src.sens.get(unitCode) : undefined;
  const sw = isRoot ? src.strengths.get(unitCode) : undefined;
  return [
    iy.m.id,
    String(iy.year),
    m.cat.units[iy.units[j]!]!.id,
    code,
    num(ns.raw[j]),
    num(ns.score[j]),
    rank,
    ns.band?.[j] ?? null,
    pr,
    pr !== null && rank !== null ? pr - rank : null,
    num(s?.median ?? null),
    num(s?.q5 ?? null),
    num(s?.q95 ?? null),
    (sw?.strengths ?? null) as never,
    (sw?.weaknesses ?? null) as never,
  ];
}

/** Every row of one methodology-year: one per unit and node. */
export function indexCells(m: Model, iy: IndexYear): Cell[][] {
  const src = indexSource(m, iy);
  if (!src) return [];
  const out: Cell[][] = [];
  for (const code of iy.result!.order)
    for (let j = 0; j < iy.result!.units.length; j++) out.push(indexRow(m, src, code, j));
  return out;
}

/** One stored index_result row as an object (the columns the API reads). */
export interface IndexRowObject {
  org_unit_id: number;
  node: string;
  raw: number | null;
  score: number | null;
  rank: number | null;
  band: string | null;
  previous_rank: number | null;
  rank_change: number | null;
  sensitivity_median: number | null;
  sensitivity_q5: number | null;
  sensitivity_q95: number | null;
  strengths: unknown;
  weaknesses: unknown;
}

/** The rows index_result holds for a methodology-year, from the model (the same cells persisted). */
export function indexRowsOf(m: Model, iy: IndexYear): IndexRowObject[] {
  return indexCells(m, iy).map((r) => ({
    org_unit_id: r[2] as number,
    node: r[3] as string,
    raw: r[4] as number | null,
    score: r[5] as number | null,
    rank: r[6] as number | null,
    band: r[7] as string | null,
    previous_rank: r[8] as number | null,
    rank_change: r[9] as number | null,
    sensitivity_median: r[10] as number | null,
    sensitivity_q5: r[11] as number | null,
    sensitivity_q95: r[12] as number | null,
    strengths: r[13],
    weaknesses: r[14],
  }));
}

const sameNum = (a: number | undefined, b: number | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && Number.isNaN(a) && Number.isNaN(b));

interface IndexDiff {
  added: Cell[][];
  /** Changed rows of the nodes other than the root (known without the sensitivity). */
  changed: Cell[][];
  retired: Cell[][];
  /**
   * The root node's rows, once the sensitivity of the new computation is available: those that
   * differ, and — when the sensitivity before is not known in this process (never read here: see
   * IndexYear) — the others, to be written only where the stored row differs (`guarded`).
   */
  root: () => { changed: Cell[][]; guarded: Cell[][] };
}

const NO_ROOT = () => ({ changed: [], guarded: [] });

/**
 * The rows of a methodology-year that differ between two computations of it (`before` read with
 * the index as it was): compared field by field, the rows built only where something differs. The
 * root node's rows come last, by `root()`: they carry the sensitivity, which the caller computes
 * while the other rows are being written.
 */
function indexDiff(
  before: Model,
  was: IndexYear | undefined,
  m: Model,
  now: IndexYear | undefined,
): IndexDiff {
  const a = was ? indexSource(before, was) : null;
  const b = now ? indexSource(m, now) : null;
  const sameUnits =
    a && b && a.iy.units.length === b.iy.units.length && a.iy.units.every((u, j) => u === b.iy.units[j]);
  if (!sameUnits) {
    const old = new Map(
      (was ? indexCells(before, was) : []).map((r) => [tupleKey(r, INDEX), JSON.stringify(r)]),
    );
    const added: Cell[][] = [];
    const changed: Cell[][] = [];
    for (const r of now ? indexCells(m, now) : []) {
      const k = tupleKey(r, INDEX);
      const o = old.get(k);
      if (o === undefined) added.push(r);
      else if (o !== JSON.stringify(r)) changed.push(r);
      old.delete(k);
    }
    const retired = [...old.keys()].map((k) => {
      const [mid, period, unit, node] = k.split('\u0001');
      return [Number(mid), period!, Number(unit), node!];
    });
    return { added, changed, retired, root: NO_ROOT };
  }
  const ra = a!.iy.result!;
  const rb = b!.iy.result!;
  const changed: Cell[][] = [];
  const rootCode = rb.root;
  /** Root positions whose row differs in something other than the sensitivity. */
  const rootDiffers = new Uint8Array(rb.units.length);
  for (const code of rb.order) {
    const x = ra.nodes[code];
    const y = rb.nodes[code]!;
    const px = a!.prev.get(code);
    const py = b!.prev.get(code);
    const isRoot = code === rootCode;
    for (let j = 0; j < rb.units.length; j++) {
      const u = rb.units[j]!;
      let differs =
        !x ||
        !sameNum(x.raw[j], y.raw[j]) ||
        !sameNum(x.score[j], y.score[j]) ||
        !sameNum(x.rank[j], y.rank[j]) ||
        (x.band?.[j] ?? null) !== (y.band?.[j] ?? null) ||
        (px?.get(u) ?? null) !== (py?.get(u) ?? null);
      if (isRoot) {
        differs ||=
          JSON.stringify(a!.strengths.get(u) ?? null) !== JSON.stringify(b!.strengths.get(u) ?? null);
        if (differs) rootDiffers[j] = 1;
      } else if (differs) changed.push(indexRow(m, b!, code, j));
    }
  }
  const root = () => {
    const out = { changed: [] as Cell[][], guarded: [] as Cell[][] };
    // A year not recomputed (only its rank change moved) has the same sensitivity.
    const same = a!.iy === b!.iy;
    const known = same || sensitivityReady(a!.iy);
    for (let j = 0; j < rb.units.length; j++) {
      if (rootDiffers[j]) out.changed.push(indexRow(m, b!, rootCode, j));
      else if (same) continue;
      else if (!known) out.guarded.push(indexRow(m, b!, rootCode, j));
      else {
        const u = rb.units[j]!;
        const sx = a!.sens.get(u);
        const sy = b!.sens.get(u);
        if (
          (sx?.median ?? null) !== (sy?.median ?? null) ||
          (sx?.q5 ?? null) !== (sy?.q5 ?? null) ||
          (sx?.q95 ?? null) !== (sy?.q95 ?? null)
        )
          out.changed.push(indexRow(m, b!, rootCode, j));
      }
    }
    return out;
  };
  return { added: [], changed, retired: [], root };
}

/** Lets a statement just started reach the database before the thread computes something else. */
const dispatched = (): Promise<void> => new Promise((r) => setImmediate(r));

// ---------------------------------------------------------------------------------------------
// Writing

export interface PersistCounts {
  computed: number;
  statuses: number;
  index: number;
}

/** Milliseconds of an update's writing, by step (the sensitivity overlaps the index rows' write). */
export interface PersistTimes {
  computed: number;
  statuses: number;
  /** Index rows other than the roots, the new and the retired ones (the sensitivity runs meanwhile). */
  index: number;
  /** The sensitivity of the recomputed years (computed while the other nodes' rows are written). */
  sensitivity: number;
  /** The root rows (they carry the sensitivity). */
  roots: number;
}

/**
 * Writes what an update changed. Before the update the model equals the stored results (the engine
 * holds the lock and has caught up; a model that may differ is rebuilt with a full comparison), so
 * comparing the model before and after gives exactly the rows to write: no read, no rewrite of a
 * row that did not change.
 */
export async function persistUpdate(
  ex: Executor,
  m: Model,
  u: UpdateResult,
  times?: PersistTimes,
  options: { index?: boolean } = {},
): Promise<PersistCounts> {
  let t = performance.now();
  const lap = (k: keyof PersistTimes) => {
    const now = performance.now();
    if (times) times[k] += now - t;
    t = now;
  };
  const up: Cell[][] = [];
  const gone: Array<[number, number, string]> = [];
  for (const [i, t, k, unit] of u.values.changed.cells()) {
    const row = computedRow(m, i, t, k, unit);
    if (row) up.push(row);
    else if (t === 'year' || t === m.cat.indicators[i]!.periodType)
      gone.push([m.cat.indicators[i]!.id, m.cat.units[unit]!.id, m.cat.calendar.code(t, k)]);
  }
  const computed = (await upsert(ex, COMPUTED, up)) + (await nullComputed(ex, gone));
  lap('computed');
  const sNew: Cell[][] = [];
  const sChanged: Cell[][] = [];
  for (const key of u.statuses) {
    const r = m.statuses.get(key);
    if (!r) continue;
    const now = statusCells(m, r);
    const was = u.statusesBefore.get(key);
    if (!was) sNew.push(now);
    else if (JSON.stringify(statusCells(m, was)) !== JSON.stringify(now)) sChanged.push(now);
  }
  const statuses = (await upsert(ex, STATUS, sNew)) + (await update(ex, STATUS, sChanged));
  lap('statuses');
  if (options.index === false) return { computed, statuses, index: 0 };
  // Index results: the rows of every recomputed methodology-year and of the next years whose rank
  // change moved, before (with the index as it was) and after.
  const keys = [...new Set([...u.index, ...u.rankChange])];
  const index = await writeIndexDiffs(
    ex,
    m,
    keys.map((key) => ({ key, before: u.indexBefore })),
    new Set(u.index),
    times,
  );
  return { computed, statuses, index };
}

/**
 * Writes the index rows of methodology-years whose stored rows are known to be those of `before`
 * (the index map as it was stored): only the rows that differ from the model's, compared in
 * memory. The root rows come last: they carry the sensitivity, computed (for the years in
 * `recomputed`) while the other nodes' rows are being written.
 */
export async function writeIndexDiffs(
  ex: Executor,
  m: Model,
  years: Array<{ key: string; before: Map<string, IndexYear> }>,
  recomputed: ReadonlySet<string>,
  times?: PersistTimes,
): Promise<number> {
  let t = performance.now();
  const iNew: Cell[][] = [];
  const iChanged: Cell[][] = [];
  const iretire: Cell[][] = [];
  const roots: IndexDiff['root'][] = [];
  for (const { key, before } of years) {
    const was = { cat: m.cat, index: before } as unknown as Model;
    const d = indexDiff(was, before.get(key), m, m.index.get(key));
    for (const r of d.added) iNew.push(r);
    for (const r of d.changed) iChanged.push(r);
    for (const r of d.retired) iretire.push(r);
    roots.push(d.root);
  }
  // The other nodes' rows are written while this thread computes the sensitivity of the recomputed
  // years (most of an index year's cost); the root rows, which carry it, follow.
  const others = update(ex, INDEX, iChanged);
  others.catch(() => {});
  await dispatched();
  const s0 = performance.now();
  try {
    for (const key of recomputed) void m.index.get(key)?.sensitivity;
  } finally {
    if (times) times.sensitivity += performance.now() - s0;
    await others;
  }
  let index = (await others) + (await upsert(ex, INDEX, iNew)) + (await archive(ex, INDEX, iretire));
  if (times) times.index += performance.now() - t;
  t = performance.now();
  const rChanged: Cell[][] = [];
  const rGuarded: Cell[][] = [];
  for (const root of roots) {
    const r = root();
    for (const x of r.changed) rChanged.push(x);
    for (const x of r.guarded) rGuarded.push(x);
  }
  index += (await update(ex, INDEX, rChanged)) + (await upsert(ex, INDEX, rGuarded));
  if (times) times.roots += performance.now() - t;
  return index;
}

/**
 * Makes the stored index rows of methodology-years equal to the model's by comparing them with
 * what is stored (read back): for years whose stored state this process does not know.
 */
export async function diffIndexYears(ex: Executor, m: Model, keys: Iterable<string>): Promise<number> {
  let written = 0;
  for (const key of keys) {
    const [mid, year] = key.split(':');
    const iy = m.index.get(key);
    written += await diffTable(
      ex,
      INDEX,
      iy ? indexCells(m, iy) : [],
      sql`methodology_id = ${Number(mid)} and period = ${year}`,
    );
  }
  return written;
}

const tupleKey = (r: Cell[], spec: TableSpec): string =>
  spec.columns
    .map((c, j) => (c.key ? String(r[j]) : null))
    .filter((x) => x !== null)
    .join('\u0001');

const comparable = (r: Cell[], spec: TableSpec): string =>
  canonicalJson(spec.columns.map((c, j) => (c.key || c.type === 'date' ? null : r[j])));

/** Compares every stored row of a table with `want` and writes the differences. */
async function diffTable(ex: Executor, spec: TableSpec, want: Cell[][], where?: SQL): Promise<number> {
  const cols = spec.columns.map((c) => (c.type === 'date' ? `null as ${c.name}` : c.name));
  // A retired row: archived (statuses, index results) or nulled (computed values).
  const retired = spec.archivable ? 'archived_at is not null' : 'value is null';
  const stored = await rows<Record<string, Cell>>(
    ex,
    sql`select ${sql.raw(cols.join(', '))}, ${sql.raw(retired)} as retired from ${sql.raw(spec.table)}
        ${where ? sql`where ${where}` : sql``}`,
  );
  if (stored.length === 0) return insertNew(ex, spec, want);
  const keyCols = spec.columns.filter((c) => c.key);
  const have = new Map<string, { cmp: string; retired: boolean; key: Cell[] }>();
  for (const s of stored) {
    const r = spec.columns.map((c) => {
      const v = s[c.name] ?? null;
      return c.type === 'jsonb' && typeof v === 'string' ? JSON.parse(v) : v;
    });
    have.set(tupleKey(r, spec), {
      cmp: comparable(r, spec),
      retired: Boolean(s.retired),
      key: keyCols.map((c) => s[c.name] ?? null),
    });
  }
  const changed: Cell[][] = [];
  const live = new Set<string>();
  for (const r of want) {
    const key = tupleKey(r, spec);
    live.add(key);
    const h = have.get(key);
    if (!h || h.retired || h.cmp !== comparable(r, spec)) changed.push(r);
  }
  let written = await upsert(ex, spec, changed);
  const retire: Cell[][] = [];
  for (const [key, h] of have) if (!live.has(key) && !h.retired) retire.push(h.key);
  if (spec.archivable) written += await archive(ex, spec, retire);
  else written += await nullComputed(ex, retire as Array<[number, number, string]>);
  return written;
}

/**
 * Makes computed_value equal to the model's computed cells: the stored rows are read in key order,
 * page by page, and compared with the cells in place (a bitmap marks the cells seen), so that a
 * national data set never sits in memory as rows.
 */
async function diffComputed(ex: Executor, m: Model): Promise<number> {
  const n = m.nUnits;
  const seen = m.layers.map(
    (byType) => new Map([...byType].map(([t, l]) => [t, new Uint8Array(l.val.length)])),
  );
  const up: Cell[][] = [];
  const gone: Array<[number, number, string]> = [];
  let written = 0;
  // An empty table (a first start) takes plain inserts in large batches.
  let empty = true;
  const flush = async (all: boolean) => {
    const size = empty ? 5 * BATCH : BATCH;
    if (up.length >= size || (all && up.length))
      written += empty
        ? await insertNew(ex, COMPUTED, up.splice(0))
        : await upsert(ex, COMPUTED, up.splice(0));
    if (gone.length >= BATCH || (all && gone.length)) written += await nullComputed(ex, gone.splice(0));
  };
  let after: [number, number, string] | null = null;
  for (;;) {
    const page: Array<{
      indicator_id: number;
      org_unit_id: number;
      period: string;
      value: number | null;
      method: string;
    }> = await rows(
      ex,
      sql`select indicator_id, org_unit_id, period, value, method from computed_value
            ${after ? sql`where (indicator_id, org_unit_id, period) > (${after[0]}, ${after[1]}, ${after[2]})` : sql``}
            order by indicator_id, org_unit_id, period limit 20000`,
    );
    if (page.length) empty = false;
    for (const r of page) {
      const i = m.cat.indicatorById.get(r.indicator_id);
      const u = m.cat.unitById.get(r.org_unit_id);
      const at = m.cat.calendar.locate(r.period);
      const mark = i === undefined || u === undefined || !at ? undefined : seen[i]!.get(at.type);
      if (!mark || i === undefined || u === undefined || !at) {
        if (r.value !== null) gone.push([r.indicator_id, r.org_unit_id, r.period]);
        continue;
      }
      mark[at.k * n + u] = 1;
      const want = computedRow(m, i, at.type, at.k, u);
      if (!want) {
        if (r.value !== null) gone.push([r.indicator_id, r.org_unit_id, r.period]);
      } else if (r.value !== want[4] || r.method !== want[5]) up.push(want);
    }
    await flush(false);
    if (page.length < 20000) break;
    const last = page[page.length - 1]!;
    after = [last.indicator_id, last.org_unit_id, last.period];
  }
  for (let i = 0; i < m.layers.length; i++) {
    for (const [t, layer] of m.layers[i]!) {
      const mark = seen[i]!.get(t)!;
      for (let c = 0; c < layer.kind.length; c++) {
        if (mark[c] || layer.kind[c] === KIND.none || layer.kind[c] === KIND.own) continue;
        const row = computedRow(m, i, t, Math.floor(c / n), c % n);
        if (row) up.push(row);
        if (up.length >= (empty ? 5 * BATCH : BATCH)) await flush(false);
      }
    }
  }
  await flush(true);
  return written;
}

/** index_result, one methodology-year at a time (a national year is a few hundred thousand rows). */
async function diffIndex(ex: Executor, m: Model): Promise<number> {
  let written = 0;
  const keys: Array<[number, string]> = [];
  for (const iy of m.index.values()) {
    keys.push([iy.m.id, String(iy.year)]);
    written += await diffTable(
      ex,
      INDEX,
      indexCells(m, iy),
      sql`methodology_id = ${iy.m.id} and period = ${String(iy.year)}`,
    );
  }
  // Methodology-years no longer computed (a methodology archived, a year without data).
  const [r] = await rows<{ n: number }>(
    ex,
    sql`with w as (update index_result set archived_at = now(), updated_at = now()
          where archived_at is null and (methodology_id, period) not in (
            select * from unnest(${sql.param(keys.map((k) => k[0]))}::int[], ${sql.param(keys.map((k) => k[1]))}::text[]))
          returning 1) select count(*)::int as n from w`,
  );
  return written + (r?.n ?? 0);
}

/** Makes the stored results equal to the model's, writing only differences. */
export async function persistAll(
  ex: Executor,
  m: Model,
  options: { computed?: boolean } = {},
): Promise<PersistCounts> {
  const statuses = [...m.statuses.values()].map((r) => statusCells(m, r));
  return {
    computed: options.computed === false ? 0 : await diffComputed(ex, m),
    statuses: await diffTable(ex, STATUS, statuses),
    index: await diffIndex(ex, m),
  };
}

export { indexKey };
