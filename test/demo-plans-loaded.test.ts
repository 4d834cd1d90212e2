/**
 * The demo database holds the demo plans exactly as their files transcribe them: every task of plan
 * 681/KH-UBND with its number, parent, lead (unit or level), co-leads, coordinating units and deadline;
 * the same number of sections and of leaf tasks per section as the YAML; synthetic progress only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_DIR } from '../src/app/demo/load-demo.ts';
import { getPlanTree, type TaskTreeNode } from '../src/app/plans/plans.ts';
import { deadlineOf } from '../src/core/tasks.ts';
import { rows, type Store } from '../src/store/db.ts';
import { openDemoStore } from './fixtures.ts';

interface YamlTask {
  number: string;
  title_vi: string;
  title_en: string;
  description_vi?: string;
  lead_unit: string | null;
  co_lead_units?: string[];
  coordinating_units: string[];
  deadline: string | number | null;
  deadline_text: string | null;
  output_vi: string | null;
  quote: string;
  children?: YamlTask[];
}

const yamlPlan = (file: string) =>
  parse(readFileSync(join(DEMO_DIR, 'plans', file), 'utf8')) as {
    code: string;
    tasks: YamlTask[];
    date: string | null;
  };
const walk = (
  tasks: YamlTask[],
  parent: string | null = null,
): Array<{ task: YamlTask; parent: string | null }> =>
  tasks.flatMap((task) => [{ task, parent }, ...walk(task.children ?? [], task.number)]);
const leaves = (t: YamlTask): YamlTask[] => (t.children?.length ? t.children.flatMap(leaves) : [t]);
const treeLeaves = (t: TaskTreeNode): TaskTreeNode[] =>
  t.children.length ? t.children.flatMap(treeLeaves) : [t];

let store: Store;
beforeAll(async () => {
  store = await openDemoStore();
});
afterAll(() => store.close());

describe.each([
  ['681-KH-UBND.yaml', '681/KH-UBND'],
  ['KH-CDS-2024.yaml', 'KH-CDS-2024'],
])('demo plan %s in the database', (file, code) => {
  const plan = yamlPlan(file);
  const all = walk(plan.tasks);

  it('has every task of the file, with its parent, in document order', async () => {
    const db = await rows<{ number: string; parent: string | null; title_vi: string; quote: string | null }>(
      store.db,
      sql`select t.number, p.number as parent, t.title_vi, t.quote from task t left join task p on p.id = t.parent_id
          join plan pl on pl.id = t.plan_id where pl.code = ${code} and t.archived_at is null order by t.sort`,
    );
    expect(db.map((t) => t.number)).toEqual(all.map((x) => String(x.task.number)));
    expect(db.map((t) => t.parent)).toEqual(all.map((x) => (x.parent === null ? null : String(x.parent))));
    expect(db.map((t) => t.title_vi)).toEqual(all.map((x) => x.task.title_vi.trim()));
    expect(db.map((t) => t.quote)).toEqual(all.map((x) => x.task.quote.trim()));
  });

  it('has the same sections and leaf tasks per section as the file', async () => {
    const tree = (await getPlanTree(store.db, code, { asOf: '2026-01-01' }))!;
    expect(tree.tasks.map((t) => t.number)).toEqual(plan.tasks.map((t) => String(t.number)));
    const fromFile = Object.fromEntries(plan.tasks.map((s) => [String(s.number), leaves(s).length]));
    const fromDb = Object.fromEntries(tree.tasks.map((s) => [s.number, treeLeaves(s).length]));
    expect(fromDb).toEqual(fromFile);
  });

  it('keeps each task’s lead, co-leads, coordinating units, deadline and output', async () => {
    const tree = (await getPlanTree(store.db, code, { asOf: '2026-01-01' }))!;
    const flat = (nodes: TaskTreeNode[]): TaskTreeNode[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
    const byNumber = new Map(flat(tree.tasks).map((t) => [t.number, t]));
    for (const { task } of all) {
      const t = byNumber.get(String(task.number))!;
      expect(t.lead_unit, task.number).toBe(task.lead_unit);
      expect(
        t.co_leads.map((a) => a.code),
        task.number,
      ).toEqual(task.co_lead_units ?? []);
      expect(
        t.coordinating.map((a) => a.code),
        task.number,
      ).toEqual(task.coordinating_units);
      const d = deadlineOf(task.deadline === null ? null : String(task.deadline), task.deadline_text);
      expect(
        {
          kind: t.deadline.kind,
          value: t.deadline.value,
          text: t.deadline.text,
          recurrence: t.deadline.recurrence,
        },
        task.number,
      ).toEqual(d);
      expect(t.output_vi, task.number).toBe(task.output_vi);
      expect(t.description_vi ?? undefined, task.number).toBe(task.description_vi);
      if (task.lead_unit?.startsWith('ALL.')) expect(t.lead?.kind, task.number).toBe('level');
    }
  });
});

describe('plan 681/KH-UBND in the demo', () => {
  it('has 3 sections with 27, 7 and 14 leaf tasks, 65 tasks in all, issued by the city on 10/03/2021', async () => {
    const tree = (await getPlanTree(store.db, '681/KH-UBND', { asOf: '2021-12-31' }))!;
    expect(tree).toMatchObject({
      document: '681/KH-UBND',
      issuer_unit: '79',
      issued_on: '2021-03-10',
      status: 'active',
    });
    expect(Object.fromEntries(tree.tasks.map((s) => [s.number, treeLeaves(s).length]))).toEqual({
      II: 27,
      III: 7,
      IV: 14,
    });
    const [n] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from task t join plan p on p.id = t.plan_id where p.code = '681/KH-UBND'`,
    );
    expect(n!.n).toBe(65);
  });

  it('models "every department / district / enterprise" as level assignments, not as units', async () => {
    const levels = await rows<{ number: string; lead_level: string | null; co: string[] | null }>(
      store.db,
      sql`select t.number, t.lead_level,
            (select array_agg(a.org_level order by a.sort) from task_assignment a where a.task_id = t.id and a.role = 'co_lead') as co
          from task t join plan p on p.id = t.plan_id where p.code = '681/KH-UBND' and t.number in ('IV.1.b', 'II.5', 'IV.4')
          order by t.number`,
    );
    expect(levels).toEqual([
      { number: 'II.5', lead_level: 'department', co: ['district'] },
      { number: 'IV.1.b', lead_level: 'department', co: ['district', 'enterprise'] },
      { number: 'IV.4', lead_level: 'enterprise', co: null },
    ]);
    const [fake] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from org_unit where code like 'ALL.%'`,
    );
    expect(fake!.n).toBe(0);
  });

  it('carries only synthetic demo progress, each report saying so', async () => {
    const [p] = await rows<{ n: number; synthetic: number; said: number; history: number }>(
      store.db,
      sql`select count(*)::int as n, count(*) filter (where provenance = 'synthetic')::int as synthetic,
            count(*) filter (where narrative like '%synthetic%')::int as said,
            (select count(*)::int from task_progress_history) as history from task_progress`,
    );
    expect(p!.n).toBeGreaterThan(100);
    expect(p!.synthetic).toBe(p!.n);
    expect(p!.said).toBe(p!.n);
    expect(p!.history).toBe(p!.n);
  });

  it('judges IV.1.b (“Hoàn thành trong quý 01 năm 2021”) by the reports of every department and district', async () => {
    const tree = (await getPlanTree(store.db, '681/KH-UBND', { asOf: '2021-02-01' }))!;
    const iv1 = tree.tasks.find((t) => t.number === 'IV')!.children.find((t) => t.number === 'IV.1')!;
    const b = iv1.children.find((t) => t.number === 'IV.1.b')!;
    expect(b.deadline).toMatchObject({
      kind: 'quarter',
      value: '2021Q1',
      date: '2021-03-31',
      text: 'Hoàn thành trong quý 01 năm 2021',
    });
    expect(b.status).toBe('due');
    const [units] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from org_unit where level in ('department','district')
            and (valid_from is null or valid_from <= '2021-02-01') and (valid_to is null or valid_to >= '2021-02-01')`,
    );
    expect(b.units_expected).toBe(units!.n);
    const later = (await getPlanTree(store.db, '681/KH-UBND', { asOf: '2021-12-31' }))!;
    const b2 = later.tasks
      .find((t) => t.number === 'IV')!
      .children.find((t) => t.number === 'IV.1')!
      .children.find((t) => t.number === 'IV.1.b')!;
    // Some departments or districts did not report it done by the end of Q1 2021 (synthetic data).
    expect(b2.status).toBe('overdue');
    expect(b2.units_done).toBeGreaterThan(0);
    expect(b2.units_done).toBeLessThan(b2.units_expected);
  });
});
