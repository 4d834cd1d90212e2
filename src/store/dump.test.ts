import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, openTestStore, testDbKind } from '../../test/db.ts';
import { openDemoStore } from '../../test/fixtures.ts';
import { exportCatalogue } from '../app/catalogue/transfer.ts';
import { verifyAuditChain } from '../app/audit.ts';
import { openStore, type Store } from './db.ts';
import { dumpDatabase, restoreDatabase, tablesMissingFromDump } from './dump.ts';

const dir = mkdtempSync(join(tmpdir(), 'chiso-dump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a person could download, as one comparable value. */
async function snapshot(store: Store) {
  const values = await store.query(
    `select i.code as indicator, u.code as unit, v.period, v.disagg, v.value, v.provenance, v.status, v.comment, v.version
     from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
     order by i.code, u.code, v.period, v.disagg`,
  );
  const audit = await store.query(
    'select seq, actor, action, entity, entity_id, payload, hash from audit_log order by seq',
  );
  return { catalogue: await exportCatalogue(store), values, audit };
}

describe('dump and restore', () => {
  it('knows every table of the schema', async () => {
    const s = await openTestStore();
    try {
      expect(await tablesMissingFromDump(s)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('round-trips the demo: restore gives identical exports and a valid audit chain, and ids continue', async () => {
    const source = await openDemoStore();
    const file = join(dir, 'demo.jsonl');
    let before: Awaited<ReturnType<typeof snapshot>>;
    let n: number;
    try {
      before = await snapshot(source);
      n = await dumpDatabase(source, file);
    } finally {
      await source.close();
    }
    expect(n).toBeGreaterThan(1000);

    // Into PGlite: from PostgreSQL on the PostgreSQL leg of the suite, from PGlite otherwise.
    const target = await openStore({ dataDir: 'memory://' });
    try {
      expect(await restoreDatabase(target, file)).toBe(n);
      expect(await snapshot(target)).toEqual(before);
      expect((await verifyAuditChain(target)).ok).toBe(true);
      // sequences moved past the restored ids: a new row gets a fresh id
      const [u] = await target.query<{ id: number }>(
        `insert into org_unit (code, name_vi, level, path) values ('X.NEW', 'Mới', 'commune', '/') returning id`,
      );
      const [max] = await target.query<{ m: number }>(
        `select max(id)::int as m from org_unit where code <> 'X.NEW'`,
      );
      expect(u!.id).toBeGreaterThan(max!.m);

      if (testDbKind === 'postgres') {
        // …and back: PGlite → PostgreSQL gives the same exports again.
        await target.query(`update org_unit set archived_at = now() where code = 'X.NEW'`);
        const file2 = join(dir, 'back.jsonl');
        await dumpDatabase(target, file2);
        const pgStore = await openStore({ databaseUrl: await createPostgresDatabase(), poolSize: 2 });
        try {
          await restoreDatabase(pgStore, file2);
          expect(await snapshot(pgStore)).toEqual(await snapshot(target));
        } finally {
          await pgStore.close();
        }
      }
    } finally {
      await target.close();
    }
  });

  it('refuses a file that is not a dump and a database that is not empty, changing nothing', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"format":"something-else"}\n');
    const empty = await openTestStore();
    try {
      await expect(restoreDatabase(empty, bad)).rejects.toMatchObject({
        code: 'restore.format',
        location: { row: 1 },
      });
    } finally {
      await empty.close();
    }
    const full = await openDemoStore();
    try {
      const [c] = await full.query<{ n: number }>('select count(*)::int as n from org_unit');
      await expect(restoreDatabase(full, bad)).rejects.toMatchObject({ code: 'restore.not_empty' });
      const [c2] = await full.query<{ n: number }>('select count(*)::int as n from org_unit');
      expect(c2!.n).toBe(c!.n);
    } finally {
      await full.close();
    }
  });

  it('rolls back a restore that fails half-way', async () => {
    const file = join(dir, 'half.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ format: 'chiso-dump/1' })}\n${JSON.stringify({ table: 'org_level', rows: [{ code: 'city', name_vi: 'x', name_en: 'x', sort: 1 }] })}\nnot json\n`,
    );
    const s = await openTestStore();
    try {
      await expect(restoreDatabase(s, file)).rejects.toMatchObject({
        code: 'restore.malformed',
        location: { row: 3 },
      });
      const [c] = await s.query<{ n: number }>('select count(*)::int as n from org_level');
      expect(c!.n).toBe(0);
    } finally {
      await s.close();
    }
  });
});
