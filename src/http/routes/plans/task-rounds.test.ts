/**
 * Task progress inside the reporting rounds, through the API: a form with task items, the lead unit's
 * report saved as a draft with its values (one transaction), submitted, approved — and only then the
 * task's reported progress in /api/tasks, /api/tasks/:id and tasks.csv; a coordinating unit's part;
 * return to draft; precise validation errors in vi and en that save nothing.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPlanYaml } from '../../../app/plans/import-plan.ts';
import { rows } from '../../../store/db.ts';
import { principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import { SAMPLES } from '../../../../test/evidence-samples.ts';
import {
  FORM,
  ONLINE,
  openRoundsStore,
  RATE,
  TOTAL,
  TRAINED,
  vnDaysFromNow,
} from '../../../../test/rounds-fixture.ts';
import type { Principal } from '../../policies/index.ts';

const PLAN = 'KH-THU-NGHIEM';
const PLAN_YAML = `
code: ${PLAN}
title_vi: Kế hoạch thử nghiệm báo cáo tiến độ nhiệm vụ
title_en: Test plan for task progress reporting
issuer: UBND Thành phố Hồ Chí Minh
issuer_unit: '79'
date: 2024-01-15
status: active
tasks:
  - number: '1'
    title_vi: Nhóm nhiệm vụ số hóa
    title_en: Digitisation tasks
    children:
      - number: '1.1'
        title_vi: Số hóa hồ sơ thủ tục hành chính
        title_en: Digitise administrative dossiers
        lead_unit: 79.STTTT
        coordinating_units: ['79.760']
        deadline: 2024-12-31
        output_vi: Kho dữ liệu hồ sơ số
      - number: '1.2'
        title_vi: Ban hành quy chế khai thác dữ liệu
        title_en: Issue the data use regulation
        lead_unit: 79.STTTT
        deadline: 2024-06-30
  - number: '2'
    title_vi: Tập huấn kỹ năng số
    title_en: Digital skills training
    lead_unit: 79.761
    deadline: 2024
`;

let t: TestApp;
let admin: Principal;
let sttttReporter: Principal;
let q1Reporter: Principal;
let reviewer: Principal;

beforeAll(async () => {
  const store = await openRoundsStore();
  await store.db.transaction((tx) => importPlanYaml(tx, 'system:test', PLAN_YAML, 'plan.yaml'));
  t = await testApp(store);
  admin = await principalFor(store, [['admin', '79']]);
  sttttReporter = await principalFor(store, [['reporter', '79.STTTT']]);
  q1Reporter = await principalFor(store, [['reporter', '79.760']]);
  reviewer = await principalFor(store, [['reviewer', '79']]);
});
afterAll(() => t.close());

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, read field by field
type Json = Record<string, any>;
async function call(p: Principal | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  t.as(p);
  const r = await t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  const json = String(r.headers['content-type'] ?? '').includes('json');
  return { status: r.statusCode, body: (json ? r.json() : r.body) as Json };
}
const taskId = async (number: string) =>
  (
    await rows<{ id: number }>(
      t.store.db,
      sql`select t.id from task t join plan p on p.id = t.plan_id where p.code = ${PLAN} and t.number = ${number}`,
    )
  )[0]!.id;
const values = {
  values: [
    { indicator: TOTAL, value: 200 },
    { indicator: ONLINE, value: 150 },
    { indicator: RATE, value: 75 },
    { indicator: TRAINED, value: 12 },
  ],
};

let roundId: number;
const submissionOf = async (unit: string) => {
  const r = await call(admin, 'GET', `/api/submissions?round=${roundId}&limit=1000`);
  return (r.body.items as Array<{ id: number; org_unit: string; version: number }>).find(
    (x) => x.org_unit === unit,
  )!;
};
const task = async (number: string) => {
  // Today: the reports were made today (a status as of an earlier day ignores later reports).
  const r = await call(null, 'GET', `/api/tasks?plan=${PLAN}&limit=100`);
  return (r.body.items as Array<Json>).find((x) => x.number === number)!;
};

describe('task items in forms', () => {
  it('refuses a task with sub-tasks and an unknown task, naming the field', async () => {
    const form = (await call(admin, 'GET', `/api/forms/${FORM}`)).body;
    const r = await call(admin, 'PUT', `/api/forms/${FORM}`, {
      version: form.version,
      tasks: [
        { plan: PLAN, number: '1' },
        { plan: PLAN, number: '9.9' },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: Json) => [e.code, e.field])).toEqual([
      ['form.task_not_leaf', 'tasks.0.number'],
      ['form.unknown_task', 'tasks.1.number'],
    ]);
    expect(r.body.errors[1].vi).toContain("không có nhiệm vụ số '9.9'");
    expect((await call(admin, 'GET', `/api/forms/${FORM}`)).body.version).toBe(form.version);
  });

  it('adds task items after the indicators in a new form version', async () => {
    const form = (await call(admin, 'GET', `/api/forms/${FORM}`)).body;
    const r = await call(admin, 'PUT', `/api/forms/${FORM}`, {
      version: form.version,
      sections: [...form.sections, { code: 'T', name_vi: 'Nhiệm vụ', name_en: 'Tasks' }],
      tasks: [
        { plan: PLAN, number: '1.1', required: true, section: 'T' },
        { plan: PLAN, number: '1.2', section: 'T' },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items).toHaveLength(4);
    expect(r.body.tasks.map((x: Json) => [x.position, x.number, x.required])).toEqual([
      [5, '1.1', true],
      [6, '1.2', false],
    ]);
    const round = await call(admin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2024Q4',
      org_unit: '79',
      deadline: vnDaysFromNow(30),
    });
    expect(round.status, JSON.stringify(round.body)).toBe(201);
    roundId = round.body.id;
  });

  it('gives each unit the tasks it leads or coordinates, with its part', async () => {
    const lead = await call(
      sttttReporter,
      'GET',
      `/api/submissions/${(await submissionOf('79.STTTT')).id}/values`,
    );
    expect(lead.body.tasks.map((x: Json) => [x.number, x.role, x.required, x.report])).toEqual([
      ['1.1', 'lead', true, null],
      ['1.2', 'lead', false, null],
    ]);
    expect(lead.body.tasks[0].deadline_vi).toBe('31/12/2024');
    const coord = await call(
      q1Reporter,
      'GET',
      `/api/submissions/${(await submissionOf('79.760')).id}/values`,
    );
    expect(coord.body.tasks.map((x: Json) => [x.number, x.role])).toEqual([['1.1', 'coordinating']]);
    const ward = await call(
      admin,
      'GET',
      `/api/submissions/${(await submissionOf('79.760.26734')).id}/values`,
    );
    expect(ward.body.tasks).toEqual([]);
  });
});

describe('reporting task progress in a round', () => {
  it('refuses bad reports with precise errors in vi and en, and saves nothing (values neither)', async () => {
    const s = await submissionOf('79.STTTT');
    const [t11, t12, t2] = [await taskId('1.1'), await taskId('1.2'), await taskId('2')];
    const r = await call(sttttReporter, 'PUT', `/api/submissions/${s.id}/values`, {
      ...values,
      tasks: [
        { task: t11, status: 'delayed', percent: 150 },
        { task: t12, status: 'blocked', narrative: 'khó' },
        { task: t2, status: 'in_progress', percent: 10 },
      ],
    });
    expect(r.status).toBe(400);
    const errors = r.body.errors.map((e: Json) => [e.code, e.field]);
    expect(errors).toEqual([
      ['task_report.status', 'tasks.0.status'],
      ['task_report.percent_range', 'tasks.0.percent'],
      ['task_report.narrative_required', 'tasks.1.narrative'],
      ['submission.not_a_task_item', 'tasks.2.task'],
    ]);
    const byCode = (c: string) => r.body.errors.find((e: Json) => e.code === c);
    expect(byCode('task_report.status').vi).toContain("Trạng thái 'delayed' không hợp lệ");
    expect(byCode('task_report.status').en).toContain("'in_progress' (In progress)");
    expect(byCode('task_report.percent_range').vi).toContain('từ 0 đến 100');
    expect(byCode('task_report.percent_range').en).toContain('not 150');
    expect(byCode('task_report.narrative_required').vi).toContain('Vướng mắc');
    expect(byCode('task_report.narrative_required').en).toContain('Blocked');
    const after = await call(sttttReporter, 'GET', `/api/submissions/${s.id}/values`);
    expect(after.body.tasks.every((x: Json) => x.report === null)).toBe(true);
    expect(after.body.items.every((x: Json) => x.value === null)).toBe(true);
    expect(after.body.submission.version).toBe(s.version);
  });

  it('refuses to submit while a required task has no report', async () => {
    const s = await submissionOf('79.STTTT');
    const saved = await call(sttttReporter, 'PUT', `/api/submissions/${s.id}/values`, values);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const sub = await call(sttttReporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: saved.body.submission.version,
    });
    expect(sub.status).toBe(422);
    expect(sub.body.errors.map((e: Json) => e.field)).toEqual([`task_required:${await taskId('1.1')}`]);
    expect(sub.body.errors[0].vi).toContain('Chưa báo cáo tiến độ nhiệm vụ 1.1');
  });

  it('goes draft → submitted → approved, and only the approval makes it the task’s progress', async () => {
    const s = await submissionOf('79.STTTT');
    const [t11, t12] = [await taskId('1.1'), await taskId('1.2')];
    const up = await (async () => {
      t.as(sttttReporter);
      const boundary = '----chisoTaskBoundary';
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/submissions/${s.id}/attachments`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Quy chế khai thác.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
          ),
          Buffer.from(SAMPLES.pdf),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { id: number };
    })();
    const saved = await call(sttttReporter, 'PUT', `/api/submissions/${s.id}/values`, {
      values: [],
      tasks: [
        { task: t11, status: 'in_progress', percent: 60, narrative: 'Đã số hóa 60% hồ sơ tồn đọng.' },
        {
          task: t12,
          status: 'done',
          completed_on: '2024-06-20',
          attachment: up.id,
          evidence: 'QĐ 12/QĐ-STTTT',
        },
      ],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.tasks.map((x: Json) => [x.outcome, x.report.state, x.report.percent])).toEqual([
      ['created', 'draft', 60],
      ['created', 'draft', 100],
    ]);
    expect(saved.body.tasks[1].report.attachment).toEqual({ id: up.id, filename: 'Quy chế khai thác.pdf' });
    // A draft is not the task's progress.
    expect((await call(null, 'GET', `/api/tasks/${t11}`)).body.progress).toEqual([]);
    // A stale version is refused.
    const stale = await call(sttttReporter, 'PUT', `/api/submissions/${s.id}/values`, {
      tasks: [{ task: t11, status: 'in_progress', percent: 70, version: 0 }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.field).toBe('tasks.0.version');

    const sub = await call(sttttReporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: saved.body.submission.version,
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    const locked = await call(sttttReporter, 'PUT', `/api/submissions/${s.id}/values`, {
      tasks: [{ task: t11, status: 'in_progress', percent: 70, version: 1 }],
    });
    expect(locked.status).toBe(409);
    expect((await call(null, 'GET', `/api/tasks/${t12}`)).body.progress).toEqual([]);

    const ok = await call(reviewer, 'POST', `/api/submissions/${s.id}/approve`, {
      version: sub.body.version,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const t1_2 = await task('1.2');
    expect([t1_2.status, t1_2.percent]).toEqual(['done', 100]);
    const t1_1 = await task('1.1');
    // Its deadline (31/12/2024) has passed at 60 %: overdue, from the approved report.
    expect([t1_1.status, t1_1.percent]).toEqual(['overdue', 60]);

    const detail = await call(null, 'GET', `/api/tasks/${t12}`);
    expect(detail.body.progress).toHaveLength(1);
    expect(detail.body.progress[0]).toMatchObject({
      org_unit: '79.STTTT',
      period: '2024Q4',
      role: 'lead',
      status: 'done',
      percent: 100,
      evidence: 'QĐ 12/QĐ-STTTT',
      completed_on: '2024-06-20',
      provenance: 'entered',
    });
    const [tp] = await rows<{ submission_id: number; attachment_id: number; approved_by: string }>(
      t.store.db,
      sql`select submission_id, attachment_id, approved_by from task_progress where task_id = ${t12}`,
    );
    expect(tp).toEqual({ submission_id: s.id, attachment_id: up.id, approved_by: reviewer.username });

    const csv = await call(null, 'GET', `/api/tasks.csv?plan=${PLAN}`);
    expect(csv.status).toBe(200);
    const line = String(csv.body)
      .split(/\r?\n/)
      .find((l) => l.includes(',1.2,'));
    expect(line).toMatch(/,done\b/);
  });

  it('takes a coordinating unit’s part without changing the lead’s progress', async () => {
    const s = await submissionOf('79.760');
    const t11 = await taskId('1.1');
    const saved = await call(q1Reporter, 'PUT', `/api/submissions/${s.id}/values`, {
      tasks: [{ task: t11, status: 'in_progress', percent: 40, narrative: 'Quận 1 đã bàn giao 40% hồ sơ.' }],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    // The district's indicator values are not required of it here? They are: fill them to submit.
    const v = await call(q1Reporter, 'PUT', `/api/submissions/${s.id}/values`, values);
    const sub = await call(q1Reporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: v.body.submission.version,
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    // Returned: the report goes back to draft with the values.
    const ret = await call(reviewer, 'POST', `/api/submissions/${s.id}/return`, {
      version: sub.body.version,
      comment: 'Bổ sung minh chứng',
    });
    expect(ret.status).toBe(200);
    const back = await call(q1Reporter, 'GET', `/api/submissions/${s.id}/values`);
    expect(back.body.tasks[0].report.state).toBe('draft');
    const again = await call(q1Reporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: ret.body.version,
    });
    expect(again.status).toBe(200);
    const ok = await call(reviewer, 'POST', `/api/submissions/${s.id}/approve`, {
      version: again.body.version,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);

    const detail = await call(null, 'GET', `/api/tasks/${t11}`);
    const parts = detail.body.progress.map((p: Json) => [p.org_unit, p.role, p.percent]);
    expect(parts).toEqual(
      expect.arrayContaining([
        ['79.STTTT', 'lead', 60],
        ['79.760', 'coordinating', 40],
      ]),
    );
    // The task's percent is the lead's.
    expect((await task('1.1')).percent).toBe(60);
    const audit = await rows<{ action: string }>(
      t.store.db,
      sql`select action from audit_log where action like 'task_report.%' or action like 'task_progress.%' order by seq`,
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['task_report.create', 'task_report.state', 'task_progress.create']),
    );
  });
});
