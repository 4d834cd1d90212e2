import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/db.ts';
import { openDemoStore } from '../../../test/fixtures.ts';
import type { Store } from '../../store/db.ts';
import { type Catalogue, exportCatalogue, importCatalogue } from './transfer.ts';

let demo: Store;
let catalogue: Catalogue;
beforeAll(async () => {
  demo = await openDemoStore();
  catalogue = await exportCatalogue(demo);
});
afterAll(() => demo.close());

const count = async (s: Store) =>
  (
    await s.query<Record<string, number>>(
      `select (select count(*)::int from org_unit) u, (select count(*)::int from indicator) i, (select count(*)::int from target) t,
              (select count(*)::int from document) d, (select count(*)::int from org_lineage) l, (select count(*)::int from audit_log) a`,
    )
  )[0];

describe('catalogue export and import', () => {
  it('holds the whole demo catalogue', () => {
    expect(catalogue.org_units.length).toBeGreaterThan(600);
    expect(catalogue.lineage.length).toBeGreaterThan(490);
    expect(catalogue.targets.length).toBeGreaterThanOrEqual(63);
    expect(catalogue.indicators.find((i) => i.code === 'KTXH-01')).toMatchObject({
      value_type: 'percent',
      group: 'kinh-te-so',
    });
  });

  it('round-trips: import into an empty database, export again, identical; a second import changes nothing', async () => {
    const empty = await openTestStore();
    try {
      const first = await importCatalogue(empty, 'test', catalogue);
      expect(first.created).toBeGreaterThan(1000);
      expect(await exportCatalogue(empty)).toEqual(catalogue);
      const before = await count(empty);
      const second = await importCatalogue(empty, 'test', catalogue);
      expect(second).toMatchObject({ created: 0, updated: 0 });
      const after = await count(empty);
      expect({ ...after, a: 0 }).toEqual({ ...before, a: 0 });
      expect(after?.a).toBe((before?.a ?? 0) + 1); // the import itself is audited
    } finally {
      await empty.close();
    }
  });

  it('rejects text PostgreSQL cannot store (a lone surrogate, found by fuzzing) at its field, and changes nothing', async () => {
    const bad = structuredClone(catalogue) as unknown as { documents: Array<Record<string, unknown>> };
    bad.documents[1] = { ...bad.documents[1]!, note: 'a\ud800' };
    const before = await count(demo);
    const err = await importCatalogue(demo, 'test', bad, { file: 'bad.json' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'input.lone_surrogate',
      location: { file: 'bad.json', field: 'documents[1].note' },
    });
    expect(await count(demo)).toEqual(before);
  });

  it('rejects a bad file with every fault located, and changes nothing', async () => {
    const bad = structuredClone(catalogue);
    bad.indicators[2] = { ...bad.indicators[2]!, value_type: 'colour' as never };
    bad.targets[5] = { ...bad.targets[5]!, comparator: '>>' as never };
    const before = await count(demo);
    const err = await importCatalogue(demo, 'test', bad, { file: 'bad.json' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'catalogue.invalid', location: { file: 'bad.json' } });
    const errors = (err as { errors: Array<{ row: number; field: string }> }).errors;
    expect(errors).toContainEqual(expect.objectContaining({ row: 3, field: 'indicators.value_type' }));
    expect(errors).toContainEqual(expect.objectContaining({ row: 6, field: 'targets.comparator' }));
    expect(await count(demo)).toEqual(before);
  });

  it('rolls back when a record fails a rule in the middle of the import', async () => {
    const bad = structuredClone(catalogue);
    bad.indicators.push({
      code: 'NEW-1',
      name_vi: 'Mới',
      value_type: 'number',
      direction: 'increase',
      rollup: 'sum',
      period_type: 'year',
    });
    bad.targets.push({
      indicator: 'CQS-11',
      org_level: 'department',
      period: '2025',
      comparator: '>=',
      value: 1,
    });
    const before = await count(demo);
    const err = await importCatalogue(demo, 'test', bad).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'catalogue.invalid' });
    expect((err as { errors: Array<{ code: string; row: number }> }).errors.at(-1)).toMatchObject({
      code: 'target.level_not_allowed',
      row: bad.targets.length,
    });
    expect(await count(demo)).toEqual(before);
  });

  it('dry run reports what would change and changes nothing', async () => {
    const changed = structuredClone(catalogue);
    changed.documents[0] = { ...changed.documents[0]!, title_en: 'A new English title' };
    const before = await count(demo);
    const r = await importCatalogue(demo, 'test', changed, { dryRun: true });
    expect(r).toMatchObject({ dry_run: true, updated: 1, created: 0 });
    expect(await count(demo)).toEqual(before);
  });
});
