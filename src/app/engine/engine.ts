/**
 * The engine of one store: an in-memory Model kept current with the database, and the results
 * persisted in computed_value, progress_status and index_result.
 *
 * Freshness. An approval (rounds' onApproved hook, or catalogue setValue) calls `applyApproved`
 * inside the approving transaction: under the engine's advisory lock it catches up, reads the
 * changed cells, recomputes only what they touch, writes those results, and appends one row to the
 * engine_change feed — all before the approving request returns. The in-memory change is
 * "pending" until the transaction is known to have committed.
 *
 * Several processes (PostgreSQL). Each process keeps its own Model. Before answering, a process
 * calls `ensureCurrent`: one cheap query compares the highest engine_change seq and audit_log seq
 * with its watermarks; when something is new it takes the engine lock and applies the changes
 * since its watermark — re-reading the changed cells, recomputing in memory only (the writer
 * already persisted the results). Sequences are taken under the advisory lock held to commit, so
 * they are gapless and commit-ordered: a process that has seen seq N has seen every change before
 * it. Catalogue changes (units, lineage, indicators, targets, methodologies) are found in the
 * hash-chained audit log the same way and trigger a rebuild (targets and methodologies: a partial
 * one). Its own pending changes a process confirms when it sees their rows (same change id, another
 * transaction); a pending change whose row never appears was rolled back and is undone by
 * re-reading its cells. An engine error never loses a change: the model is marked stale and
 * rebuilt on the next call.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { METHOD_PROFILES, type MethodProfile, type ProfileId } from '../../core/progress.ts';
import { type Executor, rows, type Store, type Tx } from '../../store/db.ts';
import { loadCatalogue } from './catalogue.ts';
import { computeIndexAll, type IndexYear } from './compute-index.ts';
import { computeStatusesAll } from './compute-progress.ts';
import { type CellRef, Model, type UpdateCounts, type UpdateResult } from './model.ts';
import { diffIndexYears, type PersistTimes, persistAll, persistUpdate, writeIndexDiffs } from './persist.ts';

export const ENGINE_LOCK = 7263010;
/**
 * Taken by every writer of index_result rows (after ENGINE_LOCK when it holds that one): the
 * write-behind of approvals holds only this one, so approvals and catch-ups do not wait for it.
 */
export const INDEX_LOCK = 7263011;
/** How long the write of an approval's index rows waits after the approval (CHISO_INDEX_WRITE_DELAY_MS). */
const INDEX_WRITE_DELAY_MS = Math.max(0, Number(process.env.CHISO_INDEX_WRITE_DELAY_MS ?? 100) || 0);
/** Bump when the persisted results change meaning: the next start rewrites them. */
export const ENGINE_VERSION = 'chiso-engine/1';

/** Audit entities whose change needs the model rebuilt from the catalogue. */
const REBUILD_ENTITIES = new Set([
  'org_unit',
  'org_lineage',
  'org_level',
  'indicator',
  'indicator_group',
  'catalogue',
  'database',
]);

export interface EngineOptions {
  /** The method profile of the persisted statuses (default: CHISO_PROGRESS_PROFILE, else 'open-sdg'). */
  profile?: ProfileId | MethodProfile;
  /** The current year (the calendar reaches one year past it); default: the clock's. */
  currentYear?: number;
}

export interface UpdateStats extends UpdateCounts {
  source: 'approval' | 'catch-up' | 'rebuild';
  ms: number;
  at: string;
  /**
   * Approvals: milliseconds spent catching up, reading the cells, recomputing, writing results.
   * Catch-ups (after reading the feed and the audit log): the same phases; `persist` is non-zero
   * only for changes no engine stored.
   */
  phases?: { catchUp: number; read: number; compute: number; persist: number };
  /** Approvals: the writing phase by step (persist.ts PersistTimes). */
  persist?: PersistTimes;
  /** Approvals: rows written (inserted or changed) per table. */
  written?: { computed: number; statuses: number; index: number };
}

/** The last write of index rows after an approval's commit (write-behind). */
export interface IndexWriteStats {
  ms: number;
  at: string;
  /** Methodology-years written, and how many of them were compared in memory (the rest read back). */
  years: number;
  inMemory: number;
  rows: number;
  /** Waiting for the approving transactions to end; the sensitivity (overlaps the other nodes' rows). */
  wait: number;
  sensitivity: number;
}

export interface EngineStats {
  /** The last update this process made to its model. */
  last: UpdateStats | null;
  /** The last write of index rows an approval left pending. */
  indexWrite: IndexWriteStats | null;
  updates: number;
  recomputed: number;
  rebuilds: number;
  /** Reads' currency checks that asked the database (PGlite skips them while nothing was written). */
  currencyQueries: number;
}

interface Pending {
  seq: number;
  changeId: string;
  xid: string;
  refs: CellRef[];
}

interface Identity {
  token: string | null;
  db: string;
  host: string;
  port: number;
  started: string;
}

export function resolveProfile(p: ProfileId | MethodProfile | string | undefined): MethodProfile {
  const id = p ?? process.env.CHISO_PROGRESS_PROFILE ?? 'open-sdg';
  if (typeof id === 'object') return id;
  if (Object.hasOwn(METHOD_PROFILES, id)) return METHOD_PROFILES[id as ProfileId];
  throw new ChisoError({
    code: 'progress.unknown_profile',
    field: 'profile',
    vi: `Không có phương pháp đánh giá tiến độ '${id}'; dùng: ${Object.keys(METHOD_PROFILES).join(', ')}`,
    en: `Unknown progress method '${id}'; expected one of ${Object.keys(METHOD_PROFILES).join(', ')}`,
  });
}

const IDENTITY_SQL = sql`select current_setting('chiso.engine_token', true) as token, current_database() as db,
  coalesce(host(inet_server_addr()), '') as host, coalesce(inet_server_port(), 0) as port,
  pg_postmaster_start_time()::text as started`;

export class Engine {
  /** Engines alive in this process, for routing approvals to the engine of their database. */
  static readonly live = new Set<Engine>();

  model!: Model;
  /** Bumped at every change of the model: caches keyed on it stay valid while it does not move. */
  version = 0;
  readonly profile: MethodProfile;
  readonly stats: EngineStats = {
    last: null,
    indexWrite: null,
    updates: 0,
    recomputed: 0,
    rebuilds: 0,
    currencyQueries: 0,
  };
  private watermark = 0;
  /** audit_log seq up to which every entry was applied and is known to be committed. */
  private auditSeen = 0;
  /**
   * Entries applied inside an approving transaction, whose commit is not known yet: the last one's
   * seq and hash. A later catch-up confirms it (same hash at that seq) or, when the transaction
   * rolled back, rebuilds the model.
   */
  private tentative: { seq: number; hash: string } | null = null;
  private readonly pending = new Map<number, Pending>();
  private stale = true;
  /** PGlite: the store's write counter when a check last found the model current. */
  private checkedGeneration: number | undefined = undefined;
  /**
   * Index rows are written after the approving commit (`flushIndex`). For a methodology-year an
   * approval of this process made pending while nothing else was pending for it: the index map its
   * stored rows reflect and the change row that lists it. While that row still lists it, nobody
   * wrote those rows since, and the write compares in memory; otherwise it reads them back.
   */
  private readonly indexSnap = new Map<
    string,
    { seq: number; changeId: string; before: Map<string, IndexYear> }
  >();
  /** Methodology-years that may be pending in the database, with the latest seq known to list them (a superset). */
  private readonly dbPending = new Map<string, number>();
  /** The index as of each approval of this process whose rows are not written yet (immutable years). */
  private captures: Array<{ seq: number; changeId: string; view: Model }> = [];
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private identity: Identity | null = null;
  private readonly currentYear: number;
  private disposed = false;

  private constructor(
    readonly store: Store,
    options: EngineOptions,
  ) {
    this.profile = resolveProfile(options.profile);
    this.currentYear = options.currentYear ?? new Date().getUTCFullYear();
  }

  /** Builds the model from the database and makes the stored results match it. */
  static async start(store: Store, options: EngineOptions = {}): Promise<Engine> {
    const e = new Engine(store, options);
    if (store.kind === 'pglite') {
      const token = randomUUID();
      await store.query(`select set_config('chiso.engine_token', $1, false)`, [token]);
    }
    const [id] = await rows<Identity>(store.db, IDENTITY_SQL);
    e.identity = id!;
    await store.db.transaction(async (tx) => {
      await e.lock(tx);
      await e.rebuild(tx, null);
    });
    Engine.live.add(e);
    return e;
  }

  /** Stops routing approvals to this engine (the store may then be closed). */
  dispose(): void {
    this.disposed = true;
    Engine.live.delete(this);
  }

  matches(id: Identity): boolean {
    const me = this.identity;
    if (!me || this.disposed) return false;
    if (me.token !== null || id.token !== null) return me.token === id.token;
    return me.db === id.db && me.host === id.host && me.port === id.port && me.started === id.started;
  }

  private async lock(ex: Executor): Promise<void> {
    await ex.execute(sql`select pg_advisory_xact_lock(${ENGINE_LOCK})`);
  }

  private async maxima(ex: Executor): Promise<{ change: number; audit: number }> {
    const [r] = await rows<{ change: number | string; audit: number | string }>(
      ex,
      sql`select (select coalesce(max(seq), 0) from engine_change) as change,
                 (select coalesce(max(seq), 0) from audit_log) as audit`,
    );
    return { change: Number(r!.change), audit: Number(r!.audit) };
  }

  private note(counts: UpdateCounts, source: UpdateStats['source'], started: number): void {
    this.stats.last = { ...counts, source, ms: performance.now() - started, at: new Date().toISOString() };
    this.stats.updates++;
    this.stats.recomputed += counts.total;
    this.version++;
  }

  /**
   * Rebuilds the model from what `ex` sees (call under the lock). In an approving transaction
   * (`xid`), that includes its own uncommitted changes, which stay pending.
   */
  private async rebuild(ex: Executor, xid: string | null): Promise<void> {
    const started = performance.now();
    const max = await this.maxima(ex);
    const model = await Model.load(ex, this.profile, this.currentYear);
    const own = [...this.pending.values()].filter((p) => xid !== null && p.xid === xid);
    this.pending.clear();
    for (const p of own) this.pending.set(p.seq, p);
    this.watermark = own.length ? Math.min(...own.map((p) => p.seq)) - 1 : max.change;
    this.tentative = null;
    if (xid === null) this.auditSeen = max.audit;
    else if (max.audit > 0) {
      const [h] = await rows<{ hash: string }>(ex, sql`select hash from audit_log where seq = ${max.audit}`);
      this.tentative = { seq: max.audit, hash: h!.hash };
    }
    this.model = model;
    this.stale = false;
    const [state] = await rows<{
      engine_version: string;
      profile: string;
      change_seq: number | string;
      audit_seq: number | string;
    }>(ex, sql`select engine_version, profile, change_seq, audit_seq from engine_state where id = 1`);
    const [unpersisted] = await rows<{ n: number }>(
      ex,
      sql`select count(*)::int as n from engine_change where not persisted or cardinality(index_pending) > 0`,
    );
    const inSync =
      state !== undefined &&
      state.engine_version === ENGINE_VERSION &&
      state.profile === this.profile.id &&
      Number(state.change_seq) >= max.change &&
      Number(state.audit_seq) >= max.audit &&
      (unpersisted?.n ?? 0) === 0;
    this.indexSnap.clear();
    this.dbPending.clear();
    if (!inSync) {
      await lockIndex(ex);
      await persistAll(ex, model);
      await ex.execute(sql`update engine_change set persisted = true where not persisted`);
      await clearIndexPending(ex, null);
      await ex.execute(
        sql`insert into engine_state (id, engine_version, profile, change_seq, audit_seq)
            values (1, ${ENGINE_VERSION}, ${this.profile.id}, ${max.change}, ${max.audit})
            on conflict (id) do update set engine_version = excluded.engine_version, profile = excluded.profile,
              change_seq = excluded.change_seq, audit_seq = excluded.audit_seq, updated_at = now()`,
      );
    }
    this.stats.rebuilds++;
    let cells = 0;
    for (const byType of model.layers) for (const l of byType.values()) cells += l.val.length;
    let indexRows = 0;
    for (const r of model.index.values()) indexRows += r.units.length * r.m.definition.nodes.length;
    const statuses = model.statuses.size;
    this.note({ cells, statuses, indexRows, total: cells + statuses + indexRows }, 'rebuild', started);
  }

  /** Applies what changed since the watermarks (call under the lock). `xid`: the approving transaction's. */
  private async catchUp(ex: Executor, xid: string | null, exclude?: ReadonlySet<string>): Promise<void> {
    if (this.stale) return this.rebuild(ex, xid);
    const changes = await rows<{
      seq: number | string;
      change_id: string;
      xid: string;
      indicator_ids: number[];
      org_unit_ids: number[];
      periods: string[];
      persisted: boolean;
      index_pending: string[];
    }>(
      ex,
      sql`select seq, change_id, xid, indicator_ids, org_unit_ids, periods, persisted, index_pending from engine_change
          where seq > ${this.watermark} order by seq`,
    );
    if (this.tentative) {
      const [h] = await rows<{ hash: string }>(
        ex,
        sql`select hash from audit_log where seq = ${this.tentative.seq}`,
      );
      // The transaction that applied these entries rolled back: what it applied is not real.
      if (h?.hash !== this.tentative.hash) return this.rebuild(ex, xid);
      if (xid === null) {
        this.auditSeen = this.tentative.seq;
        this.tentative = null;
      }
    }
    const audits = await rows<{
      seq: number | string;
      entity: string;
      entity_id: string | null;
      hash: string;
    }>(
      ex,
      sql`select seq, entity, entity_id, hash from audit_log where seq > ${this.tentative?.seq ?? this.auditSeen}
          order by seq limit 20001`,
    );
    if (audits.length > 20000 || audits.some((a) => REBUILD_ENTITIES.has(a.entity))) {
      return this.rebuild(ex, xid);
    }
    const started = performance.now();
    // Pending changes of this process: committed (their row is there), or rolled back.
    const bySeq = new Map(changes.map((c) => [Number(c.seq), c]));
    const undo: CellRef[] = [];
    for (const p of [...this.pending.values()]) {
      const row = bySeq.get(p.seq);
      // Its row is there: committed (or this transaction's own, still pending). Missing: rolled
      // back — a whole transaction, or the savepoint of one approval among several.
      if (row && row.change_id === p.changeId) continue;
      undo.push(...p.refs);
      this.pending.delete(p.seq);
    }
    const refs: CellRef[] = [...undo];
    let unpersisted = false;
    for (const c of changes) {
      const seq = Number(c.seq);
      const p = this.pending.get(seq);
      if (p && p.changeId === c.change_id) {
        if (xid !== null && c.xid === xid) break; // this transaction's own rows: still pending
        this.pending.delete(seq);
        this.watermark = seq;
        continue;
      }
      c.indicator_ids.forEach((ind, j) => {
        refs.push({ indicatorId: ind, unitId: c.org_unit_ids[j]!, period: c.periods[j]! });
      });
      if (!c.persisted) unpersisted = true;
      for (const k of c.index_pending) this.dbPending.set(k, Math.max(seq, this.dbPending.get(k) ?? 0));
      this.watermark = seq;
    }
    // Values changed without the hook (archived, drafted back): their cells, by id.
    const valueIds = audits
      .filter((a) => a.entity === 'data_value' && a.entity_id)
      .map((a) => Number(a.entity_id));
    const byId = valueIds.length
      ? await rows<{ indicator_id: number; org_unit_id: number; period: string }>(
          ex,
          sql`select indicator_id, org_unit_id, period from data_value where id = any(${sql.param(valueIds)}::bigint[]) and disagg = ''`,
        )
      : [];
    // (An approving transaction's own cells are left to its update, which follows.)
    const auditRefs = byId
      .map((r) => ({ indicatorId: r.indicator_id, unitId: r.org_unit_id, period: r.period }))
      .filter((r) => !exclude?.has(refKey(r)));
    if ([...refs, ...auditRefs].some((r) => !this.model.fits(r))) return this.rebuild(ex, xid);

    let touched = false;
    if (refs.length) {
      const t0 = performance.now();
      const own = await this.model.readOwn(ex, refs);
      const t1 = performance.now();
      const upd = this.model.update(own);
      const t2 = performance.now();
      if (unpersisted) {
        await this.persistNow(ex, upd);
        await ex.execute(
          sql`update engine_change set persisted = true where not persisted and seq <= ${this.watermark}`,
        );
      }
      this.note(upd.counts, 'catch-up', started);
      this.stats.last!.phases = {
        catchUp: t0 - started,
        read: t1 - t0,
        compute: t2 - t1,
        persist: performance.now() - t2,
      };
      touched = true;
    }
    if (auditRefs.length) {
      const upd = this.model.update(await this.model.readOwn(ex, auditRefs));
      if (upd.values.changed.size || upd.statuses.size || upd.index.size) {
        await this.persistNow(ex, upd);
        this.note(upd.counts, 'catch-up', started);
        touched = true;
      }
    }
    const targets = audits.some((a) => a.entity === 'target' || a.entity === 'document');
    const methodologies = audits.some((a) => a.entity === 'index_methodology');
    if (targets || methodologies) {
      const cat = await loadCatalogue(ex, this.currentYear);
      if (targets) {
        this.model.cat.targets = cat.targets;
        this.model.cat.targetsByIndicator = cat.targetsByIndicator;
        this.model.statuses = computeStatusesAll(this.model);
      }
      if (methodologies || targets) {
        this.model.cat.methodologies = cat.methodologies;
        this.model.cat.problems = cat.problems;
        this.model.index = computeIndexAll(this.model);
      }
      await lockIndex(ex);
      await persistAll(ex, this.model, { computed: false });
      await clearIndexPending(ex, null);
      this.indexSnap.clear();
      this.dbPending.clear();
      this.version++;
      touched = true;
    }
    const last = audits[audits.length - 1];
    if (last) {
      // Inside an approving transaction the entries may include its own, not yet committed.
      if (xid === null) this.auditSeen = Number(last.seq);
      else this.tentative = { seq: Number(last.seq), hash: last.hash };
    }
    const auditDone = this.tentative?.seq ?? this.auditSeen;
    await ex.execute(
      sql`update engine_state set change_seq = greatest(change_seq, ${this.watermark}),
            audit_seq = greatest(audit_seq, ${auditDone}), updated_at = now()
          where change_seq < ${this.watermark} or audit_seq < ${auditDone}`,
    );
    if (!touched && (undo.length || changes.length)) this.version++;
  }

  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  /**
   * Makes the model current with the database before answering a read. Concurrent callers share
   * checks: one that arrives while a check runs waits for the next one, which starts after it
   * arrived — so no caller is answered from a check older than its request.
   */
  ensureCurrent(): Promise<void> {
    if (!this.running) return this.runCheck();
    if (!this.queued) {
      this.queued = this.running
        .then(
          () => {},
          () => {},
        )
        .then(() => {
          this.queued = null;
          return this.runCheck();
        });
    }
    return this.queued;
  }

  private runCheck(): Promise<void> {
    const p = this.check();
    this.running = p;
    p.then(
      () => {
        if (this.running === p) this.running = null;
      },
      () => {
        if (this.running === p) this.running = null;
      },
    );
    return p;
  }

  private async check(): Promise<void> {
    if (this.disposed) throw new Error('engine disposed');
    // PGlite: this process makes every write, so nothing new can be there while the store's write
    // counter has not moved since a check found the model current
    const generation = this.store.writeGeneration?.();
    if (!this.stale && this.pending.size === 0 && this.tentative === null) {
      if (generation !== undefined && generation === this.checkedGeneration) return;
      this.stats.currencyQueries++;
      const max = await this.maxima(this.store.db);
      if (max.change === this.watermark && max.audit === this.auditSeen) {
        this.checkedGeneration = generation;
        return;
      }
    }
    await this.store.db.transaction(async (tx) => {
      await this.lock(tx);
      try {
        await this.catchUp(tx, null);
      } catch (e) {
        this.stale = true;
        throw e;
      }
    });
  }

  /**
   * Catches up inside a writing transaction (after a catalogue write such as a new methodology),
   * so that the stored results are current when it commits.
   */
  async refreshIn(tx: Executor): Promise<void> {
    await this.lock(tx);
    const [x] = await rows<{ xid: string }>(tx, sql`select pg_current_xact_id()::text as xid`);
    await this.catchUp(tx, x!.xid);
  }

  /**
   * Called inside an approving transaction after approved values changed: brings the model and the
   * stored results up to date for those cells before the transaction commits. An engine failure
   * does not fail the approval: the change is recorded for the next catch-up and the model rebuilt.
   */
  async applyApproved(tx: Executor, refs: CellRef[]): Promise<UpdateCounts | null> {
    if (refs.length === 0) return null;
    const changeId = randomUUID();
    let counts: UpdateCounts | null = null;
    try {
      await (tx as Tx).transaction(async (sp: Tx) => {
        const t0 = performance.now();
        await this.lock(sp);
        const [x] = await rows<{ xid: string }>(sp, sql`select pg_current_xact_id()::text as xid`);
        const xid = x!.xid;
        await this.catchUp(sp, xid, new Set(refs.map(refKey)));
        const started = performance.now();
        const phases = { catchUp: started - t0, read: 0, compute: 0, persist: 0 };
        let written: UpdateStats['written'];
        let upd: UpdateResult | null = null;
        const times: PersistTimes = { computed: 0, statuses: 0, index: 0, sensitivity: 0, roots: 0 };
        let pendingIndex: string[] = [];
        if (refs.some((r) => !this.model.fits(r))) {
          await this.rebuild(sp, xid);
          await lockIndex(sp);
          await persistAll(sp, this.model);
          await clearIndexPending(sp, null);
        } else {
          const own = await this.model.readOwn(sp, refs);
          const t1 = performance.now();
          upd = this.model.update(own);
          const t2 = performance.now();
          // Values and statuses are written here; the index rows just after the commit (flushIndex):
          // the API answers index results from the model, so they are visible with the commit.
          written = await persistUpdate(sp, this.model, upd, times, { index: false });
          pendingIndex = [...new Set([...upd.index, ...upd.rankChange])];
          phases.read = t1 - started;
          phases.compute = t2 - t1;
          phases.persist = performance.now() - t2;
        }
        const seq = await appendChange(sp, changeId, xid, refs, true, pendingIndex);
        this.pending.set(seq, { seq, changeId, xid, refs });
        if (pendingIndex.length && upd) {
          for (const k of pendingIndex) {
            // Stored rows known to be those before this update only when nothing was pending for them.
            if (!this.dbPending.has(k)) this.indexSnap.set(k, { seq, changeId, before: upd.indexBefore });
            this.dbPending.set(k, seq);
          }
          const view = { cat: this.model.cat, index: new Map(this.model.index) } as unknown as Model;
          this.captures.push({ seq, changeId, view });
          this.scheduleFlush();
        }
        await sp.execute(
          sql`update engine_state set change_seq = ${seq}, audit_seq = greatest(audit_seq, ${this.tentative?.seq ?? this.auditSeen}), updated_at = now() where id = 1`,
        );
        if (upd) {
          this.note(upd.counts, 'approval', started);
          this.stats.last!.phases = phases;
          if (written) this.stats.last!.written = written;
          this.stats.last!.persist = times;
          counts = upd.counts;
        }
      });
    } catch (e) {
      this.stale = true;
      await this.lock(tx);
      const [x] = await rows<{ xid: string }>(tx, sql`select pg_current_xact_id()::text as xid`);
      await appendChange(tx, changeId, x!.xid, refs, false);
      if (process.env.CHISO_ENGINE_STRICT === '1') throw e;
    }
    return counts;
  }

  /** Writes an update's results now, index rows included (read back and compared). */
  private async persistNow(ex: Executor, upd: UpdateResult): Promise<void> {
    await persistUpdate(ex, this.model, upd, undefined, { index: false });
    const keys = [...new Set([...upd.index, ...upd.rankChange])];
    if (keys.length === 0) return;
    await lockIndex(ex);
    await diffIndexYears(ex, this.model, keys);
    // Those years are now stored as the model has them: pending for nobody.
    await clearIndexPending(ex, keys);
    for (const k of keys) this.indexSnap.delete(k);
  }

  /** Writes the index rows approvals left pending, after their commit (one write at a time). */
  private scheduleFlush(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = (async () => {
      // A short wait: approvals arriving meanwhile share one write, and the API processes' catch-up
      // (what the approval's readers wait for) gets the CPU first.
      await new Promise<void>((r) => setTimeout(r, INDEX_WRITE_DELAY_MS));
      do {
        this.flushAgain = false;
        try {
          await this.flushIndex();
        } catch (e) {
          // The rows stay pending in engine_change: the next write (it covers every pending row up
          // to its approval), or the next start, does them.
          this.flushAgain = false;
          this.captures = [];
          if (process.env.CHISO_ENGINE_STRICT === '1') console.error('engine: index write failed', e);
        }
      } while ((this.flushAgain || this.captures.length > 0) && !this.disposed);
    })().finally(() => {
      this.flushing = null;
    });
  }

  /** Resolves when no write of index rows started by this process is running. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Writes the index rows pending in the database up to this process's latest committed approval
   * (its own and others' before it), as of that approval: its index map was captured when it was
   * computed (a caught-up model under the engine lock), so no lock but INDEX_LOCK is held while the
   * rows are written — approvals and other processes' catch-ups go on meanwhile.
   */
  async flushIndex(): Promise<void> {
    const n = this.captures.length;
    if (n === 0 || this.disposed) return;
    const t0 = performance.now();
    // Every approving transaction that captured before this point has ended once the engine lock
    // is free: committed or rolled back.
    await this.store.db.transaction((tx) => this.lock(tx));
    const batch = this.captures.splice(0, n);
    const found = await rows<{ seq: number | string; change_id: string }>(
      this.store.db,
      sql`select seq, change_id from engine_change where seq = any(${sql.param(batch.map((c) => c.seq))}::bigint[])`,
    );
    const live = new Set(found.map((f) => `${f.seq}|${f.change_id}`));
    const cap = batch.filter((c) => live.has(`${c.seq}|${c.changeId}`)).at(-1);
    if (!cap) return;
    const t1 = performance.now();
    const times: PersistTimes = { computed: 0, statuses: 0, index: 0, sensitivity: 0, roots: 0 };
    let written = 0;
    let years = 0;
    let inMemory = 0;
    let upTo = 0;
    await this.store.db.transaction(async (tx) => {
      await lockIndex(tx);
      const pend = await rows<{ seq: number | string; change_id: string; index_pending: string[] }>(
        tx,
        sql`select seq, change_id, index_pending from engine_change
            where cardinality(index_pending) > 0 and seq <= ${cap.seq} order by seq`,
      );
      if (pend.length === 0) return;
      const listed = new Map(pend.map((p) => [`${p.seq}|${p.change_id}`, new Set(p.index_pending)]));
      const known: Array<{ key: string; before: Map<string, IndexYear> }> = [];
      const unknown: string[] = [];
      for (const key of new Set(pend.flatMap((p) => p.index_pending))) {
        const s = this.indexSnap.get(key);
        if (s && listed.get(`${s.seq}|${s.changeId}`)?.has(key)) known.push({ key, before: s.before });
        else unknown.push(key);
      }
      const recomputed = new Set(
        known.filter((k) => k.before.get(k.key) !== cap.view.index.get(k.key)).map((k) => k.key),
      );
      written = await writeIndexDiffs(tx, cap.view, known, recomputed, times);
      written += await diffIndexYears(tx, cap.view, unknown);
      upTo = Number(pend[pend.length - 1]!.seq);
      await tx.execute(
        sql`update engine_change set index_pending = '{}'
            where seq = any(${sql.param(pend.map((p) => Number(p.seq)))}::bigint[])`,
      );
      years = known.length + unknown.length;
      inMemory = known.length;
    });
    for (const [k, s] of this.indexSnap) if (s.seq <= upTo) this.indexSnap.delete(k);
    for (const [k, s] of this.dbPending) if (s <= upTo) this.dbPending.delete(k);
    this.stats.indexWrite = {
      ms: performance.now() - t0,
      at: new Date().toISOString(),
      years,
      inMemory,
      rows: written,
      wait: t1 - t0,
      sensitivity: times.sensitivity,
    };
  }
}

/** The lock of index_result writers (see INDEX_LOCK). */
async function lockIndex(ex: Executor): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(${INDEX_LOCK})`);
}

/** Empties the pending index years of every change (null) or removes those `keys` from them. */
async function clearIndexPending(ex: Executor, keys: string[] | null): Promise<void> {
  if (keys === null) {
    await ex.execute(sql`update engine_change set index_pending = '{}' where cardinality(index_pending) > 0`);
    return;
  }
  await ex.execute(
    sql`update engine_change set index_pending = array(select k from unnest(index_pending) as k where k <> all(${sql.param(keys)}::text[]))
        where cardinality(index_pending) > 0 and index_pending && ${sql.param(keys)}::text[]`,
  );
}

const refKey = (r: CellRef): string => `${r.indicatorId}|${r.unitId}|${r.period}`;

/** Appends one row to the change feed (call under the engine lock); returns its seq. */
export async function appendChange(
  ex: Executor,
  changeId: string,
  xid: string,
  refs: CellRef[],
  persisted: boolean,
  indexPending: string[] = [],
): Promise<number> {
  const [r] = await rows<{ seq: number | string }>(
    ex,
    sql`insert into engine_change (seq, change_id, xid, indicator_ids, org_unit_ids, periods, persisted, index_pending)
        select coalesce(max(seq), 0) + 1, ${changeId}, ${xid}, ${sql.param(refs.map((r) => r.indicatorId))}::int[],
          ${sql.param(refs.map((r) => r.unitId))}::int[], ${sql.param(refs.map((r) => r.period))}::text[], ${persisted},
          ${sql.param(indexPending)}::text[]
        from engine_change returning seq`,
  );
  return Number(r!.seq);
}

/** Identity of the database a transaction runs on, to route an approval to its engine. */
export async function engineForTx(tx: Executor): Promise<Engine | null> {
  if (Engine.live.size === 0) return null;
  const [id] = await rows<Identity>(tx, IDENTITY_SQL);
  for (const e of Engine.live) if (e.matches({ ...id!, port: Number(id!.port) })) return e;
  return null;
}

const engines = new WeakMap<Store, Promise<Engine>>();

/** The engine of a store, started on first use. */
export function engineOf(store: Store, options: EngineOptions = {}): Promise<Engine> {
  let e = engines.get(store);
  if (!e) {
    e = Engine.start(store, options);
    engines.set(store, e);
    e.catch(() => engines.delete(store));
  }
  return e;
}

/** Stops the engine of a store (before closing the store). */
export async function stopEngine(store: Store): Promise<void> {
  const e = engines.get(store);
  if (!e) return;
  engines.delete(store);
  const engine = await e.catch(() => null);
  await engine?.settled();
  engine?.dispose();
}

/**
 * Waits until the index rows this process's approvals left pending are written (an approving
 * request answers after them, so that its caller also finds index_result current). Does not start
 * an engine.
 */
export async function settleEngine(store: Store): Promise<void> {
  for (const e of [...Engine.live]) if (e.store === store) await e.settled();
}
