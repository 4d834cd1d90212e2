/**
 * Crash safety: the real server (`chiso serve`) and the real bulk importer are killed with SIGKILL at
 * random moments while they write; after each kill the database is reopened and checked:
 * - every acknowledged value write (HTTP 2xx received) is present with its version — and a write whose
 *   answer was lost is either wholly present or wholly absent;
 * - every bulk import is all rows or none, and every acknowledged import is all rows;
 * - the hash-chained audit log verifies (`verifyAuditChain`, and `chiso audit verify` at the end).
 * On PGlite the server and the importer take turns (one process per data folder); on PostgreSQL both
 * run at once and are killed together. Trials: ci 6 per database, full 50 per database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/app/audit.ts';
import { resolveProfile } from '../src/app/engine/engine.ts';
import { Model } from '../src/app/engine/model.ts';
import { diffIndexYears, persistAll } from '../src/app/engine/persist.ts';
import { rows, type Store } from '../src/store/db.ts';
import {
  adminToken,
  chiso,
  type DbKind,
  http,
  newTarget,
  pick,
  report,
  rng,
  RUN_TS,
  ROOT,
  type Server,
  sleep,
  startServer,
  type ValueKey,
  writableKeys,
} from './lib/harness.ts';
import { importValue } from './lib/model.ts';

const TRIALS = pick(6, 50);
const WRITERS = 4;
const KEYS_PER_WRITER = 6;
const IMPORT_ROWS = pick(40, 120);

interface Known {
  value: number | null;
  version: number;
  comment: string | null;
}
interface Pending {
  key: string;
  value: number;
  comment: string;
}

const keyOf = (k: ValueKey) => `${k.indicator}|${k.org_unit}|${k.period}`;

/** Every value without disaggregation, by key. */
const currentValues = (store: Store) =>
  rows<Known & { key: string }>(
    store.db,
    sql`select i.code || '|' || u.code || '|' || v.period as key, v.value, v.version, v.comment
        from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
        where v.disagg = ''`,
  );

class Rollback extends Error {}

/**
 * How many stored engine results (roll-ups, progress statuses, index rows) differ from a fresh
 * recomputation from the stored own values: the engine's own writer, run in a transaction that is
 * rolled back, counts the rows it would have to change. An approval writes its index rows just
 * after its commit: the methodology-years it marked pending (engine_change.index_pending), which a
 * restart rewrites, are brought up to date first — any other difference is drift.
 */
async function rollupDrift(store: Store): Promise<number> {
  let n = 0;
  try {
    await store.db.transaction(async (tx) => {
      const model = await Model.load(tx, resolveProfile(undefined), new Date().getUTCFullYear());
      const pending = await rows<{ k: string }>(
        tx,
        sql`select distinct unnest(index_pending) as k from engine_change where cardinality(index_pending) > 0`,
      );
      await diffIndexYears(
        tx,
        model,
        pending.map((p) => p.k),
      );
      const c = await persistAll(tx, model);
      n = c.computed + c.statuses + c.index;
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return n;
}

/** Starts the importer; resolves once its store is open. */
function startImporter(env: Record<string, string>, keysFile: string, runId: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    [RUN_TS, 'hard/lib/import-worker.ts', keysFile, runId, String(IMPORT_ROWS)],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const begun: string[] = [];
  const acked: string[] = [];
  let out = '';
  const opened = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        if (l === 'OPEN') resolve();
        else if (l.startsWith('BEGIN ')) begun.push(l.slice(6));
        else if (l.startsWith('ACK ')) acked.push(l.slice(4));
      }
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`importer exited (${code ?? signal}): ${err.slice(-3000)}`));
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    opened,
    begun,
    acked,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function crashTrials(kind: DbKind) {
  const seed = Number(process.env.CHISO_HARD_SEED ?? Date.now() % 1_000_000);
  const rand = rng(seed);
  const target = await newTarget(kind);
  let store = await target.openStore();
  const token = await adminToken(store);
  const keys = await writableKeys(store, WRITERS * KEYS_PER_WRITER + IMPORT_ROWS);
  expect(keys.length).toBeGreaterThanOrEqual(WRITERS * KEYS_PER_WRITER);
  const httpKeys = keys.slice(0, WRITERS * KEYS_PER_WRITER);
  const known = new Map<string, Known | null>(httpKeys.map((k) => [keyOf(k), null]));
  for (const r of await currentValues(store)) if (known.has(r.key)) known.set(r.key, r);
  await store.close();
  const keysFile = join(mkdtempSync(join(tmpdir(), 'chiso-hard-keys-')), 'keys.json');
  writeFileSync(keysFile, JSON.stringify(keys));
  const perImport = Math.min(IMPORT_ROWS, keys.length);

  const importsBegun = new Set<string>();
  const importsAcked = new Set<string>();
  const failures: string[] = [];
  let acknowledged = 0;
  let ambiguous = 0;
  let importsCommitted = 0;
  let auditEntries = 0;
  let rollupChecks = 0;

  for (let trial = 1; trial <= TRIALS; trial++) {
    const both = kind === 'postgres';
    const doHttp = both || trial % 2 === 1;
    const doImport = both || trial % 2 === 0;
    const pending: Array<Pending | null> = Array.from({ length: WRITERS }, () => null);
    let server: Server | null = null;
    let importer: ReturnType<typeof startImporter> | null = null;
    let stop = false;
    const writers: Promise<void>[] = [];
    // The kill comes at a random moment after the first acknowledged write of the trial, so that a
    // loaded machine (slow first requests) still puts acknowledged writes at risk in every trial.
    let firstAck = () => {};
    const firstAcked = new Promise<void>((r) => {
      firstAck = r;
    });
    if (doHttp) server = await startServer(target.env);
    if (doImport) {
      importer = startImporter(target.env, keysFile, `${trial}`);
      await importer.opened;
    }
    if (server) {
      const base = server.url;
      for (let w = 0; w < WRITERS; w++) {
        const mine = httpKeys.slice(w * KEYS_PER_WRITER, (w + 1) * KEYS_PER_WRITER);
        writers.push(
          (async () => {
            for (let seq = 0; !stop; seq++) {
              const k = mine[seq % mine.length]!;
              const id = keyOf(k);
              const cur = known.get(id) ?? null;
              const value = Math.floor(rand() * 101);
              const comment = `t${trial}-w${w}-${seq}`;
              pending[w] = { key: id, value, comment };
              let res: Awaited<ReturnType<typeof http>>;
              try {
                res = await http(`${base}/api/values`, {
                  method: 'PUT',
                  headers: { authorization: `Bearer ${token}` },
                  json: { ...k, value, comment, ...(cur ? { version: cur.version } : {}) },
                });
              } catch {
                return; // the server died: the answer is lost, the write stays pending
              }
              if (res.status === 200 || res.status === 201) {
                const v = (res.body as { value: { version: number } }).value;
                known.set(id, { value, version: v.version, comment });
                pending[w] = null;
                acknowledged++;
                firstAck();
              } else {
                failures.push(`trial ${trial}: PUT ${id} → ${res.status} ${res.text.slice(0, 300)}`);
                pending[w] = null;
                return;
              }
            }
          })(),
        );
      }
    }
    if (server) await Promise.race([firstAcked, sleep(60_000)]);
    await sleep(100 + rand() * 2400);
    await Promise.all([server?.kill(), importer?.kill()]);
    stop = true;
    await Promise.all(writers);

    // Reopen and check.
    store = await target.openStore();
    try {
      const dbRows = await currentValues(store);
      const inDb = new Map(dbRows.map((r) => [r.key, r]));
      for (const [id, k] of known) {
        const row = inDb.get(id);
        const p = pending.find((x) => x?.key === id) ?? null;
        const matchesKnown =
          k === null
            ? row === undefined
            : row?.value === k.value && row.version === k.version && row.comment === k.comment;
        const matchesPending =
          p !== null &&
          row !== undefined &&
          row.value === p.value &&
          row.comment === p.comment &&
          row.version === (k?.version ?? 0) + 1;
        if (!matchesKnown && !matchesPending) {
          failures.push(
            `trial ${trial}: ${id} is ${JSON.stringify(row ?? null)}, acknowledged ${JSON.stringify(k)}, pending ${JSON.stringify(p)}`,
          );
        }
        if (p) ambiguous++;
        if (row) known.set(id, { value: row.value, version: row.version, comment: row.comment });
      }
      if (importer) for (const t of importer.begun) importsBegun.add(t);
      if (importer) for (const t of importer.acked) importsAcked.add(t);
      const counts = await rows<{ disagg: string; n: number; bad: number }>(
        store.db,
        sql`select disagg, count(*)::int as n, 0 as bad from data_value where disagg like 'imp-%' group by disagg`,
      );
      const byTag = new Map(counts.map((c) => [c.disagg, c.n]));
      for (const tag of byTag.keys())
        if (!importsBegun.has(tag)) failures.push(`trial ${trial}: rows of an import never begun: ${tag}`);
      for (const tag of importsBegun) {
        const n = byTag.get(tag) ?? 0;
        if (n !== 0 && n !== perImport)
          failures.push(`trial ${trial}: import ${tag} half-applied: ${n} of ${perImport} rows`);
        if (importsAcked.has(tag) && n !== perImport)
          failures.push(`trial ${trial}: acknowledged import ${tag} has ${n} of ${perImport} rows`);
      }
      if (importer) {
        for (const tag of importer.begun) {
          if ((byTag.get(tag) ?? 0) !== perImport) continue;
          const n = Number(tag.split('-')[2]);
          const vals = await rows<{ indicator: string; org_unit: string; value: number }>(
            store.db,
            sql`select i.code as indicator, u.code as org_unit, v.value from data_value v join indicator i on i.id = v.indicator_id
                join org_unit u on u.id = v.org_unit_id where v.disagg = ${tag}`,
          );
          const expected = new Map(
            keys.slice(0, perImport).map((k, i) => [`${k.indicator}|${k.org_unit}`, importValue(n, i)]),
          );
          for (const v of vals)
            if (expected.get(`${v.indicator}|${v.org_unit}`) !== v.value)
              failures.push(`trial ${trial}: import ${tag} row ${v.indicator}/${v.org_unit} has ${v.value}`);
        }
      }
      importsCommitted = [...byTag.values()].filter((n) => n === perImport).length;
      if (trial % 3 === 0 || trial === TRIALS) {
        const drift = await rollupDrift(store);
        rollupChecks++;
        if (drift !== 0)
          failures.push(
            `trial ${trial}: ${drift} stored roll-up/progress/index rows differ from a fresh recomputation`,
          );
      }
      const audit = await verifyAuditChain(store);
      auditEntries = audit.checked;
      if (!audit.ok) failures.push(`trial ${trial}: audit chain broken: ${JSON.stringify(audit.firstBad)}`);
    } finally {
      await store.close();
    }
    expect(failures, failures.join('\n')).toEqual([]);
  }

  // The command an operator would run after a crash.
  const verify = chiso(['audit', 'verify'], target.env);
  expect(verify.status, verify.out).toBe(0);
  expect(verify.out).toMatch(/audit chain OK/);
  // Writes did happen: the check above is not vacuous.
  expect(acknowledged).toBeGreaterThan(0);
  if (TRIALS >= 2) expect(importsBegun.size).toBeGreaterThan(0);
  report(`crash-${kind}`, {
    seed,
    trials: TRIALS,
    acknowledged_value_writes: acknowledged,
    writes_in_flight_at_kill: ambiguous,
    imports_begun: importsBegun.size,
    imports_acknowledged: importsAcked.size,
    imports_committed: importsCommitted,
    rows_per_import: perImport,
    audit_entries_verified: auditEntries,
    rollup_checks: rollupChecks,
    failures: failures.length,
  });
}

describe('crash safety (SIGKILL at random moments)', () => {
  it(`PGlite: ${TRIALS} kills of the server or the bulk importer lose no acknowledged write and half-apply no import`, async () => {
    await crashTrials('pglite');
  });
  it(`PostgreSQL: ${TRIALS} kills of the server and the bulk importer together lose no acknowledged write and half-apply no import`, async () => {
    await crashTrials('postgres');
  });
});
