import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import { rows, type Store } from '../../store/db.ts';
import { getForm } from './create-form.ts';
import { DEMO_FORM, DEMO_TASK_FORM, DEMO_TASK_PLAN, loadDemoRounds } from './demo-rounds.ts';
import { submissionTaskItems } from '../plans/task-reports.ts';
import { loadSubmission } from './workflow.ts';
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

  it('open the 2024 key-task round for the city, with every task of the 2024 plan as a required item', async () => {
    const form = (await getForm(store.db, DEMO_TASK_FORM))!;
    const [leaves] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from task t join plan p on p.id = t.plan_id where p.code = ${DEMO_TASK_PLAN}
          and not exists (select 1 from task c where c.parent_id = t.id)`,
    );
    expect(leaves!.n).toBeGreaterThan(10);
    expect(form.items).toEqual([]);
    expect(form.tasks).toHaveLength(leaves!.n);
    expect(form.tasks.every((t) => t.required && t.plan === DEMO_TASK_PLAN)).toBe(true);
    const subs = await rows<{ id: number; unit: string }>(
      store.db,
      sql`select s.id, u.code as unit from submission s join round r on r.id = s.round_id join form f on f.id = r.form_id
          join org_unit u on u.id = s.org_unit_id where f.code = ${DEMO_TASK_FORM}`,
    );
    expect(subs.map((x) => x.unit)).toEqual(['79']);
    // The city leads them (the plan names no other lead unit): its submission carries every task.
    const items = await submissionTaskItems(store.db, await loadSubmission(store.db, subs[0]!.id));
    expect(items).toHaveLength(leaves!.n);
    expect(items.every((i) => i.role === 'lead' && i.report === null)).toBe(true);
  });
});
