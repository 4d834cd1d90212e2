import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/db.ts';
import { acquireLock, openStore, sql } from './db.ts';
import { orgLevel } from './schema.ts';

describe('store', () => {
  it('applies migrations and refuses to delete data values', async () => {
    const store = await openTestStore();
    try {
      await store.query(`insert into org_level (code, name_vi, name_en) values ('city','Thành phố','City')`);
      await store.query(
        `insert into org_unit (code, name_vi, level, path) values ('79','Thành phố Hồ Chí Minh','city','/1/')`,
      );
      await store.query(
        `insert into indicator (code, name_vi, value_type, direction, rollup, period_type) values ('X','X','number','increase','sum','year')`,
      );
      await store.query(
        `insert into data_value (indicator_id, org_unit_id, period, period_start, value, provenance) values (1,1,'2024','2024-01-01',5,'entered')`,
      );
      await store.query(`update data_value set value = 6, version = 2`);
      const history = await store.query<{ value: number; version: number }>(
        'select value, version from data_value_history',
      );
      expect(history).toEqual([{ value: 5, version: 1 }]);
      await expect(store.query('delete from data_value')).rejects.toThrow(/never deleted/);
      const rows = await store.query<{ n: number }>('select count(*)::int as n from data_value');
      expect(rows[0]?.n).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('PGlite write counter', () => {
  it('moves on every statement that may write and on transactions, never on a plain select', async () => {
    const store = await openStore({ dataDir: 'memory://' });
    try {
      const gen = store.writeGeneration!;
      let g = gen();
      await store.query('select count(*) from org_level');
      await store.db.execute(sql`select 1`);
      await store.db.select().from(orgLevel);
      expect(gen()).toBe(g);
      await store.query(`insert into org_level (code, name_vi, name_en) values ('city','Thành phố','City')`);
      expect(gen()).toBeGreaterThan(g);
      g = gen();
      await store.db.execute(
        sql`with x as (update org_level set name_en = 'City' returning 1) select * from x`,
      );
      expect(gen()).toBeGreaterThan(g);
      g = gen();
      await store.db.insert(orgLevel).values({ code: 'ward', nameVi: 'Phường', nameEn: 'Ward' });
      expect(gen()).toBeGreaterThan(g);
      g = gen();
      await store.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
      });
      expect(gen()).toBeGreaterThan(g);
    } finally {
      await store.close();
    }
  });

  it('is absent for a PostgreSQL server, where other processes write too', async () => {
    const store = await openTestStore();
    try {
      expect(store.writeGeneration === undefined).toBe(store.kind === 'postgres');
    } finally {
      await store.close();
    }
  });
});

describe('PGlite data folder lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chiso-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second opener with a clear error and frees the folder on close', async () => {
    const first = await openStore({ dataDir: dir });
    await expect(openStore({ dataDir: dir })).rejects.toMatchObject({ code: 'store.locked' });
    await first.close();
    const again = await openStore({ dataDir: dir });
    await again.close();
  });

  it('names the other process holding the lock and takes over a stale lock', () => {
    const d = mkdtempSync(join(tmpdir(), 'chiso-lock2-'));
    try {
      // pid 1 is always alive: the lock is held by another process.
      writeFileSync(join(d, 'chiso.lock'), '1\n');
      expect(() => acquireLock(d)).toThrow(/process 1/);
      // a pid that cannot exist: a stale lock from a crashed process.
      writeFileSync(join(d, 'chiso.lock'), '2147483646\n');
      const release = acquireLock(d);
      release();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
