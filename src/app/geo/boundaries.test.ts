/**
 * Importing unit boundaries into the demo database (PGlite and PostgreSQL): atomic (a bad file or an
 * unknown unit changes nothing, not even the audit log), idempotent, a changed geometry archives the
 * previous one, one audit entry per import; reading back only current geometries of the filter's units.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTHETIC_SOURCE, syntheticSquares } from '../../../test/boundary-samples.ts';
import { openDemoStore } from '../../../test/fixtures.ts';
import { ChisoError } from '../../core/errors.ts';
import { rows, type Store } from '../../store/db.ts';
import { verifyAuditChain } from '../audit.ts';
import { importBoundaries, listBoundaries } from './boundaries.ts';

let store: Store;
beforeAll(async () => {
  store = await openDemoStore();
}, 120_000);
afterAll(async () => {
  await store?.close();
});

const DISTRICTS = ['79.760', '79.761', '79.764'];
const run = (content: unknown, options: Parameters<typeof importBoundaries>[4] = {}, file = 'b.geojson') =>
  store.db.transaction((tx) =>
    importBoundaries(tx, 'tester', typeof content === 'string' ? content : JSON.stringify(content), file, {
      provenance: 'synthetic',
      ...options,
    }),
  );
const count = async (q = sql`select count(*)::int as n from unit_boundary`) =>
  (await rows<{ n: number }>(store.db, q))[0]!.n;
const audits = () => count(sql`select count(*)::int as n from audit_log where action = 'boundary.import'`);

async function refused(p: Promise<unknown>): Promise<ChisoError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ChisoError);
    return e as ChisoError;
  }
  throw new Error('accepted');
}

describe('unit boundaries', () => {
  it('a dry run reports what would change and writes nothing', async () => {
    const s = await run(syntheticSquares(DISTRICTS), { dryRun: true });
    expect(s).toMatchObject({
      dry_run: true,
      created: 3,
      replaced: 0,
      unchanged: 0,
      source: SYNTHETIC_SOURCE,
    });
    expect(await count()).toBe(0);
    expect(await audits()).toBe(0);
  });

  it('imports, with one audit entry, and reads back a FeatureCollection', async () => {
    const s = await run(syntheticSquares(DISTRICTS));
    expect(s).toMatchObject({ created: 3, replaced: 0, unchanged: 0 });
    expect(await count()).toBe(3);
    expect(await audits()).toBe(1);
    const [a] = await rows<{ actor: string; data: { units: string[]; created: number } }>(
      store.db,
      sql`select actor, data from audit_log where action = 'boundary.import'`,
    );
    expect(a).toMatchObject({ actor: 'tester', data: { created: 3, units: DISTRICTS } });
    expect((await verifyAuditChain(store)).ok).toBe(true);

    const all = await listBoundaries(store.db, { level: 'district' });
    expect(all.type).toBe('FeatureCollection');
    expect(all.features.map((f) => f.properties.code)).toEqual(DISTRICTS);
    expect(all.features[0]!.properties).toMatchObject({
      code: '79.760',
      name_vi: 'Quận 1',
      level: 'district',
      parent: '79',
      source: SYNTHETIC_SOURCE,
    });
    // stored rounded to 6 decimals (106.6 + 0.02 is 106.62000000000001 in binary floating point)
    expect(all.features[0]!.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [106.6, 10.75],
          [106.62, 10.75],
          [106.62, 10.77],
          [106.6, 10.77],
          [106.6, 10.75],
        ],
      ],
    });
    expect(all.features[0]!.bbox).toEqual([106.6, 10.75, 106.62, 10.77]);
    expect(all.sources).toEqual([SYNTHETIC_SOURCE]);
    expect(all.bbox![0]).toBe(106.6);
    expect((await listBoundaries(store.db, { units: ['79.761'] })).features).toHaveLength(1);
    expect((await listBoundaries(store.db, { parent: '79' })).features).toHaveLength(3);
    expect((await listBoundaries(store.db, { subtree: '79.760' })).features).toHaveLength(1);
    expect((await listBoundaries(store.db, { level: 'commune' })).features).toHaveLength(0);
  });

  it('the same file again changes nothing and writes no audit entry', async () => {
    const s = await run(syntheticSquares(DISTRICTS));
    expect(s).toMatchObject({ created: 0, replaced: 0, unchanged: 3 });
    expect(await count()).toBe(3);
    expect(await audits()).toBe(1);
  });

  it('a changed geometry archives the previous one (never deleted); reads show the new one', async () => {
    const moved = syntheticSquares(['79.760'], { side: 0.05 });
    const s = await run(moved);
    expect(s).toMatchObject({ created: 0, replaced: 1, unchanged: 0 });
    expect(await count()).toBe(4);
    expect(await count(sql`select count(*)::int as n from unit_boundary where archived_at is not null`)).toBe(
      1,
    );
    const [cur] = (await listBoundaries(store.db, { units: ['79.760'] })).features;
    expect(cur!.bbox).toEqual([106.6, 10.75, 106.65, 10.8]);
    expect(await audits()).toBe(2);
    await expect(store.db.execute(sql`delete from unit_boundary`)).rejects.toThrow();
  });

  it('an unknown unit, or one bad feature, refuses the whole file and changes nothing', async () => {
    const before = await count(sql`select count(*)::int as n from audit_log`);
    const file = syntheticSquares(['79.760', '79.KHONG-CO', '79.761'], { side: 0.07 });
    const e = await refused(run(file));
    expect(e.code).toBe('boundary.invalid');
    expect(e.errors).toEqual([
      expect.objectContaining({
        code: 'boundary.unknown_unit',
        field: 'features[1].properties.code',
        details: { feature: 1 },
      }),
    ]);
    expect(e.errors[0]!.en).toMatch(/79\.KHONG-CO/);
    const broken = syntheticSquares(['79.760', '79.761'], { side: 0.07 });
    broken.features[1]!.geometry.coordinates[0]!.pop();
    expect((await refused(run(broken))).errors[0]!.code).toBe('boundary.ring_not_closed');
    expect(await count()).toBe(4);
    expect(await count(sql`select count(*)::int as n from audit_log`)).toBe(before);
    expect((await listBoundaries(store.db, { units: ['79.760'] })).features[0]!.bbox[2]).toBe(106.65);
  });

  it('a write that fails half-way rolls back the archiving too', async () => {
    const e = await refused(
      store.db.transaction(async (tx) => {
        await importBoundaries(
          tx,
          'tester',
          JSON.stringify(syntheticSquares(['79.760'], { side: 0.09 })),
          'x',
          {
            source: 'S',
          },
        );
        throw new ChisoError({ code: 'test.abort', vi: 'huỷ', en: 'abort' });
      }),
    );
    expect(e.code).toBe('test.abort');
    expect(await count(sql`select count(*)::int as n from unit_boundary where archived_at is not null`)).toBe(
      1,
    );
    expect((await listBoundaries(store.db, { units: ['79.760'] })).features[0]!.bbox[2]).toBe(106.65);
  });

  it('needs a source; resolves an official code of a unit in force; refuses two features of one unit', async () => {
    const noSource = syntheticSquares(['79.765']) as Record<string, unknown>;
    delete noSource.source;
    expect((await refused(run(noSource))).code).toBe('boundary.source_missing');

    const [ward] = await rows<{ code: string; official_code: string }>(
      store.db,
      sql`select code, official_code from org_unit where official_code is not null and valid_to is null and level = 'commune'
          and official_code in (select official_code from org_unit group by official_code having count(*) > 1) order by code limit 1`,
    );
    const s = await run(syntheticSquares([ward!.official_code]), { source: 'S' });
    expect(s.units).toEqual([{ code: ward!.code, change: 'created' }]);

    const twice = await refused(run(syntheticSquares([ward!.code, ward!.official_code]), { source: 'S2' }));
    expect(twice.errors[0]).toMatchObject({
      code: 'boundary.duplicate_unit',
      field: 'features[1].properties.code',
    });
  });

  it('valid_on narrows to the units in force on that day', async () => {
    const [old] = await rows<{ code: string }>(
      store.db,
      sql`select code from org_unit where level = 'commune' and valid_to is not null order by code limit 1`,
    );
    await run(syntheticSquares([old!.code]), { source: 'S' });
    const later = await listBoundaries(store.db, { units: [old!.code], valid_on: '2026-01-01' });
    expect(later.features).toHaveLength(0);
    const before = await listBoundaries(store.db, { units: [old!.code], valid_on: '2024-06-30' });
    expect(before.features).toHaveLength(1);
  });
});
