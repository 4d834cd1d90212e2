import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import { rows, type Store } from '../../store/db.ts';
import { getForm } from './create-form.ts';
import { DEMO_FORM, loadDemoRounds } from './demo-rounds.ts';
import { getRound } from './open-round.ts';

let store: Store;
beforeAll(async () => {
  store = await openDemoStore();
});
afterAll(() => store.close());

describe('demo rounds', () => {
  it('open the 2025 commune round of the demo form for every commune after the reorganisation, once', async () => {
    const id = await store.db.transaction((tx) => loadDemoRounds(tx));
    expect(id).not.toBeNull();
    const form = (await getForm(store.db, DEMO_FORM))!;
    const [expected] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from indicator where period_type = 'year' and 'commune' = any(levels) and formula is null`,
    );
    expect(form.items).toHaveLength(expected!.n);
    expect(form.items.length).toBeGreaterThan(0);
    expect(form.items.every((i) => i.required && i.section !== null)).toBe(true);
    const round = (await getRound(store.db, id!))!;
    const [communes] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from org_unit where level = 'commune' and path like (select path from org_unit where code = '79') || '%'
          and (valid_from is null or valid_from <= '2025-12-31') and (valid_to is null or valid_to >= '2025-12-31')`,
    );
    expect(communes!.n).toBeGreaterThan(100);
    expect(round).toMatchObject({
      period: '2025',
      cutoff: '2025-12-14',
      deadline: '2025-12-20',
      scope_unit: '79',
      counts: { total: communes!.n, draft: communes!.n },
    });
    // The old wards (before 1 July 2025) are not asked.
    const [old] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from submission s join org_unit u on u.id = s.org_unit_id
          where s.round_id = ${id} and u.valid_to is not null`,
    );
    expect(old!.n).toBe(0);
    expect(await store.db.transaction((tx) => loadDemoRounds(tx))).toBeNull();
  });
});
