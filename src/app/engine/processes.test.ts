/**
 * Several processes on one database: each keeps its own model and catches up with the change feed
 * before answering. On PostgreSQL the two engines sit on two stores (two connection pools) on one
 * database, as two server processes would; on PGlite, which has one connection, on one store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_PROFILES } from '../../core/progress.ts';
import { openStore, type Store } from '../../store/db.ts';
import { openTestStore, testDbKind } from '../../../test/db.ts';
import { approve, buildEngineFixture } from '../../../test/engine-fixture.ts';
import { Engine } from './engine.ts';
import { Model } from './model.ts';
import { persistAll } from './persist.ts';

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
    expect(await a.db.transaction((tx) => persistAll(tx, ea.model))).toEqual({
      computed: 0,
      statuses: 0,
      index: 0,
    });
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
