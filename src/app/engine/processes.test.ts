/**
 * Several processes on one database: each keeps its own model and catches up with the change feed
 * before answering. On PostgreSQL the two engines sit on two stores (two connection pools) on one
 * database, as two server processes would; on PGlite, which has one connection, on one store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_PROFILES } from '../../core/progress.ts';
import { openStore, type Store } from '../../store/db.ts';
import { openTestStore, testDbKind } from '../../../test/db.ts';
import { sql } from 'drizzle-orm';
import { rows } from '../../store/db.ts';
import { approve, buildEngineFixture } from '../../../test/engine-fixture.ts';
import { indexKey, sensitivityReady } from './compute-index.ts';
import { Engine } from './engine.ts';
import { Model } from './model.ts';
import { indexRowsOf, persistAll } from './persist.ts';

let a: Store;
let b: Store;
let ea: Engine;
let eb: Engine;

beforeAll(async () => {
  a = await openTestStore();
  await buildEngineFixture(a);
  b =
    testDbKind === 'postgres'
      ? await openStore({
          databaseUrl: (a.pool!.options as { connectionString: string }).connectionString,
          poolSize: 4,
        })
      : a;
  ea = await Engine.start(a, { currentYear: 2025 });
  eb = await Engine.start(b, { currentYear: 2025 });
});
afterAll(async () => {
  ea?.dispose();
  eb?.dispose();
  if (b && b !== a) await b.close();
  await a?.close();
});

const fingerprint = (m: Model): string =>
  JSON.stringify([
    m.layers.map((byType) =>
      [...byType.values()].map((l) =>
        Buffer.from(l.val.buffer, l.val.byteOffset, l.val.byteLength).toString('base64'),
      ),
    ),
    [...m.statuses.values()]
      .map((s) => [s.key, s.status, s.score, s.attainment, s.latestValue, s.projection])
      .sort(),
    [...m.index.values()].map((r) => [r.key, r.result && [...r.result.nodes[r.result.root]!.score]]).sort(),
  ]);

async function fresh(store: Store): Promise<string> {
  return fingerprint(await Model.load(store.db, METHOD_PROFILES['open-sdg'], 2025));
}

describe('two engines on one database', () => {
  it('both answer with an approval made through either', async () => {
    const va = ea.version;
    const vb = eb.version;
    await approve(a, 'SCORE', 'W12', '2023', 99.5);
    await approve(b, 'CASES', 'W21', '2024Q3', 1234);
    await ea.ensureCurrent();
    await eb.ensureCurrent();
    expect(ea.version).toBeGreaterThan(va);
    expect(eb.version).toBeGreaterThan(vb);
    const truth = await fresh(a);
    expect(fingerprint(ea.model)).toBe(truth);
    expect(fingerprint(eb.model)).toBe(truth);
    // The approvals' index rows are written just after their commits (write-behind): wait for them.
    await Promise.all([ea.settled(), eb.settled()]);
    expect(await a.db.transaction((tx) => persistAll(tx, ea.model))).toEqual({
      computed: 0,
      statuses: 0,
      index: 0,
    });
  });

  it('a process catching up recomputes scores and ranks, and the sensitivity only when read', async () => {
    const counts = [ea.stats.updates, eb.stats.updates];
    await approve(a, 'SCORE', 'W11', '2023', 71.25);
    // Both engines live in this process; the approval went to one of them (on PostgreSQL the first
    // of the same database, on PGlite the one whose session token the connection carries).
    const [writer, reader] = ea.stats.updates > counts[0]! ? [ea, eb] : [eb, ea];
    expect(writer.stats.last!.source).toBe('approval');
    const idx = writer.model.cat.methodologies.find((x) => x.code === 'IDX')!;
    const key = indexKey(idx.id, 2023);
    // The writer computed the sensitivity to store it.
    expect(sensitivityReady(writer.model.index.get(key)!)).toBe(true);
    await reader.ensureCurrent();
    expect(reader.stats.last!.source).toBe('catch-up');
    expect(reader.stats.last!.indexRows).toBe(9);
    expect(sensitivityReady(reader.model.index.get(key)!)).toBe(false);
    // Read late, it is the writer's: every stored row of the year equals the reader's model (once
    // the writer's write-behind of its index rows is done).
    await writer.settled();
    const stored = await indexTable(a, idx.id, '2023');
    expect(Object.keys(stored).length).toBe(9);
    expect(rowsByKey(indexRowsOf(reader.model, reader.model.index.get(key)!))).toEqual(stored);
    expect(sensitivityReady(reader.model.index.get(key)!)).toBe(true);
  });

  it('converge under concurrent approvals from both', async () => {
    const jobs: Promise<void>[] = [];
    // Distinct cells (the same cell would be a 409 for the slower writer).
    for (let i = 0; i < 6; i++) {
      const ward = ['W11', 'W12', 'W21'][i % 3]!;
      jobs.push(approve(a, 'POP', ward, String(2021 + Math.floor(i / 3)), 2000 + i));
      jobs.push(approve(b, 'RATE', ward, String(2023 + Math.floor(i / 3)), 10 + i));
    }
    await Promise.all(jobs);
    await Promise.all([ea.ensureCurrent(), eb.ensureCurrent()]);
    const truth = await fresh(b);
    expect(fingerprint(ea.model)).toBe(truth);
    expect(fingerprint(eb.model)).toBe(truth);
    // Every approval's index rows are written just after its commit (write-behind): wait for them.
    await Promise.all([ea.settled(), eb.settled()]);
    expect(await b.db.transaction((tx) => persistAll(tx, eb.model))).toEqual({
      computed: 0,
      statuses: 0,
      index: 0,
    });
  });

  it('neither keeps an approval that was rolled back', async () => {
    const truth = await fresh(a);
    await expect(
      a.db.transaction(async (tx) => {
        const { setValue } = await import('../catalogue/values.ts');
        const { rows } = await import('../../store/db.ts');
        const { sql } = await import('drizzle-orm');
        const [cur] = await rows<{ version: number }>(
          tx,
          sql`select v.version from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
              where i.code = 'SCORE' and u.code = 'W21' and v.period = '2022'`,
        );
        await setValue(tx, 'test', {
          indicator: 'SCORE',
          org_unit: 'W21',
          period: '2022',
          value: 1,
          provenance: 'entered',
          version: cur!.version,
        });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await Promise.all([ea.ensureCurrent(), eb.ensureCurrent()]);
    expect(fingerprint(ea.model)).toBe(truth);
    expect(fingerprint(eb.model)).toBe(truth);
  });
});

describe('an approval by a process that never read the sensitivity', () => {
  it('writes only the index rows whose content changed, and the stored results equal a computation from scratch', async () => {
    // Only a third engine takes approvals now; it starts in sync, so it computes no sensitivity.
    ea.dispose();
    eb.dispose();
    const ec = await Engine.start(b, { currentYear: 2025 });
    try {
      const idx = ec.model.cat.methodologies.find((x) => x.code === 'IDX')!;
      expect(sensitivityReady(ec.model.index.get(indexKey(idx.id, 2024))!)).toBe(false);
      const before = await indexTable(b, idx.id, '2024', true);
      await new Promise((r) => setTimeout(r, 20));
      // W12 gets a middle value: some rows change, others (other nodes of other wards) do not.
      await approve(b, 'SCORE', 'W12', '2024', 60.5);
      expect(ec.stats.last!.source).toBe('approval');
      const after = await indexTable(b, idx.id, '2024', true);
      let moved = 0;
      let same = 0;
      for (const [k, row] of Object.entries(after)) {
        const { updated_at: t1, ...content } = row as Record<string, unknown>;
        const { updated_at: t0, ...was } = before[k] as Record<string, unknown>;
        // updated_at moves exactly where the content changed.
        expect(t1 !== t0, k).toBe(JSON.stringify(content) !== JSON.stringify(was));
        if (t1 !== t0) moved++;
        else same++;
      }
      expect(moved).toBeGreaterThan(0);
      expect(same).toBeGreaterThan(0);
      expect(await b.db.transaction((tx) => persistAll(tx, ec.model))).toEqual({
        computed: 0,
        statuses: 0,
        index: 0,
      });
    } finally {
      ec.dispose();
    }
  });
});

/** The live index_result rows of a methodology-year, by unit id and node (with updated_at on request). */
async function indexTable(
  s: Store,
  methodologyId: number,
  period: string,
  withUpdatedAt = false,
): Promise<Record<string, Record<string, unknown>>> {
  const list = await rows<Record<string, unknown>>(
    s.db,
    sql`select org_unit_id, node, raw, score, rank, band, previous_rank, rank_change, sensitivity_median,
          sensitivity_q5, sensitivity_q95, strengths, weaknesses, updated_at::text as updated_at
        from index_result where methodology_id = ${methodologyId} and period = ${period} and archived_at is null`,
  );
  return rowsByKey(
    list.map((r) => {
      const o: Record<string, unknown> = { ...r };
      for (const k of ['strengths', 'weaknesses'])
        if (typeof o[k] === 'string') o[k] = JSON.parse(o[k] as string);
      if (!withUpdatedAt) delete o.updated_at;
      return o;
    }),
  );
}

function rowsByKey(list: ReadonlyArray<object>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of list as Array<Record<string, unknown>>) out[`${r.org_unit_id}|${r.node}`] = { ...r };
  return out;
}
