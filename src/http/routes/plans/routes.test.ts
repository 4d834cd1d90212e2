/**
 * The plans API over the demo: lists with filters and diacritic-insensitive search, trees, the task
 * CSV, the Excel export, progress writes with their policies and versions, plan import, and feedback
 * from submission to answer and moderation, rate limited.
 */
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import { feedbackSecret, FEEDBACK_RATE_LIMITS, signFeedbackToken } from '../../../app/plans/feedback.ts';
import { foldVi } from '../../../core/text.ts';
import { rows } from '../../../store/db.ts';
import type { Principal } from '../../policies/index.ts';

let t: TestApp;
let admin: Principal;
let sttttReporter: Principal;
let sytReporter: Principal;
let ctkReporter: Principal;
let sttttReviewer: Principal;
let sytReviewer: Principal;
let sttttAdmin: Principal;

beforeAll(async () => {
  t = await testApp(await openDemoStore());
  admin = await principalFor(t.store, [['admin', '79']]);
  sttttReporter = await principalFor(t.store, [['reporter', '79.STTTT']]);
  sytReporter = await principalFor(t.store, [['reporter', '79.SYT']]);
  ctkReporter = await principalFor(t.store, [['reporter', '79.CTK']]);
  sttttReviewer = await principalFor(t.store, [['reviewer', '79.STTTT']]);
  sytReviewer = await principalFor(t.store, [['reviewer', '79.SYT']]);
  sttttAdmin = await principalFor(t.store, [['admin', '79.STTTT']]);
});
afterAll(() => t.close());

type Json = Record<string, unknown> & { items?: Array<Record<string, unknown>> };
const call = async (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  as: Principal | null,
  payload?: unknown,
  headers: Record<string, string> = {},
  remoteAddress?: string,
) => {
  t.as(as);
  const r = await t.app.inject({
    method,
    url,
    headers,
    ...(payload !== undefined ? { payload: payload as string } : {}),
    ...(remoteAddress ? { remoteAddress } : {}),
  });
  const type = String(r.headers['content-type'] ?? '');
  return {
    status: r.statusCode,
    headers: r.headers,
    raw: r.rawPayload,
    body: (type.includes('json') ? r.json() : r.body) as Json,
  };
};
const get = (url: string, as: Principal | null = null) => call('GET', url, as);
const P681 = encodeURIComponent('681/KH-UBND');

const taskId = async (plan: string, number: string) =>
  (
    await rows<{ id: number }>(
      t.store.db,
      sql`select t.id from task t join plan p on p.id = t.plan_id where p.code = ${plan} and t.number = ${number}`,
    )
  )[0]!.id;

describe('plans and tasks, public', () => {
  it('lists the demo plans with the status of their leaf tasks, and documents the routes', async () => {
    const r = await get('/api/plans?as_of=2021-12-31');
    expect(r.status).toBe(200);
    const items = r.body.items as Array<{
      code: string;
      leaf_tasks: number;
      status_counts: Record<string, number>;
    }>;
    expect(items.map((p) => p.code).sort()).toEqual(['681/KH-UBND', 'KH-CDS-2024']);
    const p681 = items.find((p) => p.code === '681/KH-UBND')!;
    expect(p681.leaf_tasks).toBe(48);
    expect(Object.values(p681.status_counts).reduce((a, b) => a + b, 0)).toBe(48);
    const doc = (await get('/api/openapi.json')).body as unknown as { paths: Record<string, unknown> };
    for (const p of [
      '/api/plans',
      '/api/plans/{code}',
      '/api/tasks',
      '/api/tasks.csv',
      '/api/tasks/{id}/progress',
      '/api/feedback',
      '/api/feedback/inbox',
    ])
      expect(doc.paths, p).toHaveProperty([p]);
  });

  it('gives a plan with its tree (codes holding a slash are URL-encoded), and 404 for an unknown plan', async () => {
    const r = await get(`/api/plans/${P681}?as_of=2021-12-31`);
    expect(r.status).toBe(200);
    const tasks = r.body.tasks as Array<{ number: string; children: Array<{ number: string }> }>;
    expect(tasks.map((x) => x.number)).toEqual(['II', 'III', 'IV']);
    expect(tasks[2]!.children.map((c) => c.number)).toEqual(['IV.1', 'IV.2', 'IV.3', 'IV.4', 'IV.5', 'IV.6']);
    const missing = await get('/api/plans/KHONG-CO');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    expect((await get(`/api/plans/${P681}?as_of=2021-02-30`)).status).toBe(400);
  });

  it('searches tasks without regard to diacritics or case', async () => {
    const plain = await get('/api/tasks?q=chuyen%20doi%20so&limit=1000');
    const marked = await get(`/api/tasks?q=${encodeURIComponent('CHUYỂN ĐỔI SỐ')}&limit=1000`);
    expect(plain.body.total).toBeGreaterThan(5);
    expect(marked.body.total).toBe(plain.body.total);
    // Every word of the query is in the task's texts.
    for (const x of plain.body.items as Array<{
      title_vi: string;
      title_en: string;
      description_vi: string | null;
      output_vi: string | null;
    }>) {
      const text = foldVi([x.title_vi, x.title_en, x.description_vi ?? '', x.output_vi ?? ''].join(' '));
      for (const w of ['chuyen', 'doi', 'so']) expect(text).toContain(w);
    }
    const phrase = (plain.body.items as Array<{ title_vi: string }>).filter((x) =>
      x.title_vi.includes('chuyển đổi số'),
    );
    expect(phrase.length).toBeGreaterThan(5);
    const typo = await get(`/api/tasks?q=${encodeURIComponent('đề án fintech')}&plan=${P681}`);
    expect((typo.body.items as Array<{ number: string }>).map((x) => x.number)).toContain('II.4.c.1');
  });

  it('filters by lead unit (also through its level), by any part, by status, deadline and kind', async () => {
    // 79.STTTT leads IV.2 by name, and, being a department, every task led by all departments.
    const stttt = await get(`/api/tasks?plan=${P681}&lead_unit=79.STTTT&leaf_only=true`);
    const sttttNumbers = (stttt.body.items as Array<{ number: string }>).map((x) => x.number);
    expect(sttttNumbers).toEqual(
      expect.arrayContaining(['IV.2.a', 'IV.2.b', 'IV.2.c', 'IV.2.d', 'IV.1.b', 'II.5']),
    );
    expect(sttttNumbers).not.toContain('IV.3.a');
    expect(sttttNumbers).not.toContain('IV.4');
    const syt = await get(`/api/tasks?plan=${P681}&lead_unit=79.SYT&leaf_only=true`);
    expect((syt.body.items as Array<{ number: string }>).map((x) => x.number)).toEqual(
      expect.arrayContaining(['II.5', 'IV.1.a', 'IV.1.b', 'IV.1.c', 'IV.1.d', 'IV.1.e']),
    );
    const ctk = await get(`/api/tasks?plan=${P681}&unit=79.CTK`);
    expect((ctk.body.items as Array<{ number: string }>).map((x) => x.number)).toContain('IV.2.d');
    const recurring = await get(`/api/tasks?plan=${P681}&deadline_kind=recurring`);
    expect((recurring.body.items as Array<{ number: string }>).map((x) => x.number)).toEqual([
      'III.1.2',
      'III.2.1',
      'III.2.3',
      'III.2.5',
      'IV.1.e',
    ]);
    const q1 = await get(`/api/tasks?deadline_from=2021-03-01&deadline_to=2021-03-31`);
    expect((q1.body.items as Array<{ number: string }>).map((x) => x.number)).toEqual(['IV.1.b']);
    const overdue = await get(`/api/tasks?plan=${P681}&status=overdue&leaf_only=true&as_of=2021-12-31`);
    for (const x of overdue.body.items as Array<{ status: string }>) expect(x.status).toBe('overdue');
    expect((overdue.body.items as Array<{ number: string }>).map((x) => x.number)).toContain('IV.1.b');
    expect((await get('/api/tasks?status=late')).status).toBe(400);
  });

  it('lists tasks as CSV with plan, number, title, lead_unit, deadline and status', async () => {
    const r = await get(`/api/tasks.csv?plan=${P681}&as_of=2021-12-31`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/csv/);
    const lines = String(r.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const header = lines[0]!.split(',');
    for (const c of ['plan', 'number', 'title', 'lead_unit', 'deadline', 'status'])
      expect(header).toContain(c);
    expect(lines.length - 1).toBe(65);
    const row = lines.find((l) => l.includes(',IV.1.b,'))!;
    expect(row).toContain('ALL.department');
    expect(row).toContain('2021Q1');
    expect(row).toContain('overdue');
  });

  it('exports the progress table as .xlsx with Vietnamese headers, widths, a frozen header and dd/mm/yyyy dates', async () => {
    const r = await get(`/api/plans/${P681}/export.xlsx?as_of=2021-12-31`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(r.headers['content-disposition']).toMatch(
      /attachment; filename="ke-hoach-681-KH-UBND-2021-12-31\.xlsx"/,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.raw as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Nhiệm vụ', 'Kế hoạch', 'Báo cáo của đơn vị']);
    const ws = wb.getWorksheet('Nhiệm vụ')!;
    expect((ws.getRow(1).values as unknown[]).slice(1, 7)).toEqual([
      'STT',
      'Nhiệm vụ',
      'Đơn vị chủ trì',
      'Đơn vị phối hợp',
      'Thời gian hoàn thành',
      'Sản phẩm',
    ]);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(2).width).toBe(60);
    expect(ws.rowCount).toBe(1 + 65);
    const b = ws.getRows(2, 65)!.find((row) => row.getCell(1).value === 'IV.1.b')!;
    expect(b.getCell(5).value).toBe('Hoàn thành trong quý 01 năm 2021');
    expect(b.getCell(7).value).toEqual(new Date('2021-03-31T00:00:00Z'));
    expect(b.getCell(7).numFmt).toBe('dd/mm/yyyy');
    expect(b.getCell(8).value).toBe('Quá hạn');
    const rep = wb.getWorksheet('Báo cáo của đơn vị')!;
    expect(rep.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(rep.getRow(2).getCell(12).numFmt).toBe('dd/mm/yyyy');
    expect(String(rep.getRow(2).getCell(14).value)).toContain('synthetic');
  });
});

describe('task progress', () => {
  it('lets the lead unit’s reporter write it, with optimistic versions and history; refuses everyone else', async () => {
    const id = await taskId('681/KH-UBND', 'IV.2.a');
    const url = `/api/tasks/${id}/progress`;
    const body = {
      org_unit: '79.STTTT',
      period: '2024Q4',
      status: 'in_progress',
      percent: 60,
      narrative: 'Đã xây dựng dự thảo kế hoạch truyền thông.',
    };
    expect((await call('PUT', url, null, body)).status).toBe(401);
    expect((await call('PUT', url, sytReporter, body)).status).toBe(403);
    expect((await call('PUT', url, sttttReviewer, body)).status).toBe(403);
    const created = await call('PUT', url, sttttReporter, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      outcome: 'created',
      progress: { role: 'lead', status: 'in_progress', percent: 60, version: 1, provenance: 'entered' },
    });
    const stale = await call('PUT', url, sttttReporter, { ...body, percent: 70 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'conflict.stale_version',
      details: { current: { version: 1 } },
    });
    const updated = await call('PUT', url, sttttReporter, {
      ...body,
      status: 'done',
      percent: 100,
      completed_on: '2024-12-10',
      evidence: 'Công văn 123/STTTT',
      version: 1,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      outcome: 'updated',
      progress: { status: 'done', version: 2, evidence: 'Công văn 123/STTTT' },
    });
    const progressId = (updated.body.progress as { id: number }).id;
    const history = await get(`/api/task-progress/${progressId}/history`);
    expect(
      (history.body.history as Array<{ version: number; status: string }>).map((h) => [h.version, h.status]),
    ).toEqual([
      [1, 'in_progress'],
      [2, 'done'],
    ]);
    const detail = await get(`/api/tasks/${id}`);
    expect(detail.body).toMatchObject({
      status: 'done',
      unit_statuses: [{ org_unit: '79.STTTT', status: 'done', completed_on: '2024-12-10' }],
    });
    const audit = await rows<{ action: string }>(
      t.store.db,
      sql`select action from audit_log where entity = 'task_progress' and entity_id = ${String(progressId)} order by seq`,
    );
    expect(audit.map((a) => a.action)).toEqual(['task_progress.create', 'task_progress.update']);
  });

  it('lets every unit of a lead level report, and coordinating units add their part', async () => {
    const byLevel = await call(
      'PUT',
      `/api/tasks/${await taskId('681/KH-UBND', 'IV.1.a')}/progress`,
      sytReporter,
      {
        org_unit: '79.SYT',
        period: '2024Q3',
        status: 'in_progress',
        percent: 30,
      },
    );
    expect(byLevel.status).toBe(201);
    expect(byLevel.body).toMatchObject({ progress: { role: 'lead', org_unit: '79.SYT' } });
    const coord = await call(
      'PUT',
      `/api/tasks/${await taskId('681/KH-UBND', 'IV.2.d')}/progress`,
      ctkReporter,
      {
        org_unit: '79.CTK',
        period: '2024Q3',
        status: 'in_progress',
        narrative: 'Cung cấp số liệu kinh tế số.',
      },
    );
    expect(coord.status).toBe(201);
    expect(coord.body).toMatchObject({ progress: { role: 'coordinating' } });
  });

  it('refuses a unit with no part in the task, a heading task, impossible percentages and future dates', async () => {
    const leaf = `/api/tasks/${await taskId('681/KH-UBND', 'IV.2.b')}/progress`;
    const notMine = await call('PUT', leaf, sytReporter, {
      org_unit: '79.SYT',
      period: '2024Q3',
      status: 'in_progress',
    });
    expect(notMine).toMatchObject({
      status: 400,
      body: { code: 'progress.unit_not_assigned', field: 'org_unit' },
    });
    const heading = await call(
      'PUT',
      `/api/tasks/${await taskId('681/KH-UBND', 'IV.2')}/progress`,
      sttttReporter,
      {
        org_unit: '79.STTTT',
        period: '2024Q3',
        status: 'in_progress',
      },
    );
    expect(heading.body.code).toBe('progress.not_leaf');
    const bad = [
      [{ status: 'done', percent: 80 }, 'progress.done_percent'],
      [{ status: 'in_progress', completed_on: '2024-01-01' }, 'progress.completed_on_without_done'],
      [{ status: 'done', completed_on: '2099-01-01' }, 'progress.completed_in_future'],
      [{ status: 'in_progress', period: '2099Q1' }, 'progress.future_period'],
      [{ status: 'in_progress', period: '2025Q3' }, 'progress.unit_not_valid'],
      [{ status: 'in_progress', period: '2024Q5' }, 'period.malformed'],
    ] as const;
    for (const [patch, code] of bad) {
      const r = await call('PUT', leaf, sttttReporter, { org_unit: '79.STTTT', period: '2024Q3', ...patch });
      expect(r.body.code, code).toBe(code);
      expect(r.status).toBeGreaterThanOrEqual(400);
    }
    const percent = await call('PUT', leaf, sttttReporter, {
      org_unit: '79.STTTT',
      period: '2024Q3',
      status: 'in_progress',
      percent: 101,
    });
    expect(percent.status).toBe(400);
  });
});

const PLAN_YAML = `code: TEST-HTTP
title_vi: Kế hoạch thử qua API
issuer: UBND Thành phố Hồ Chí Minh
date: 2024-02-01
tasks:
  - number: "1"
    title_vi: Nhiệm vụ một
    lead_unit: 79.STTTT
    deadline: 2024Q2
`;

describe('plan import', () => {
  const yaml = { 'content-type': 'application/yaml' };
  it('is for programme administrators only', async () => {
    expect((await call('POST', '/api/plans/import?file=a.yaml', null, PLAN_YAML, yaml)).status).toBe(401);
    expect((await call('POST', '/api/plans/import?file=a.yaml', sttttAdmin, PLAN_YAML, yaml)).status).toBe(
      403,
    );
  });

  it('answers a bad file with 422 listing each fault by row and column, and a good one with its summary', async () => {
    const bad = PLAN_YAML.replace('79.STTTT', '79.NOWHERE').replace('2024Q2', '2024Q9');
    const r = await call('POST', '/api/plans/import?file=bad.yaml', admin, bad, yaml);
    expect(r.status).toBe(422);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.body).toMatchObject({ code: 'plan.invalid', file: 'bad.yaml' });
    expect(
      (r.body.errors as Array<{ code: string; row: number; column: string }>).map((e) => [
        e.code,
        e.row,
        e.column,
      ]),
    ).toEqual([
      ['task.unit_unknown', 8, 'lead_unit'],
      ['deadline.malformed', 9, 'deadline'],
    ]);
    const dry = await call('POST', '/api/plans/import?file=good.yaml&dry_run=true', admin, PLAN_YAML, yaml);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, outcome: 'created' });
    expect((await get('/api/plans/TEST-HTTP')).status).toBe(404);
    const ok = await call('POST', '/api/plans/import?file=good.yaml', admin, PLAN_YAML, yaml);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ plan: 'TEST-HTTP', outcome: 'created', tasks: { created: 1 } });
    const again = await call('POST', '/api/plans/import?file=good.yaml', admin, PLAN_YAML, yaml);
    expect(again.body).toMatchObject({ outcome: 'unchanged' });
    expect((await call('POST', '/api/plans/import', admin, '', yaml)).status).toBe(400);
  });

  it('keeps draft plans from the public', async () => {
    const draft = PLAN_YAML.replace('TEST-HTTP', 'TEST-DRAFT').replace(
      'date: 2024-02-01',
      'date: 2024-02-01\nstatus: draft',
    );
    expect((await call('POST', '/api/plans/import?file=draft.yaml', admin, draft, yaml)).status).toBe(201);
    expect((await get('/api/plans/TEST-DRAFT')).status).toBe(404);
    expect((await get('/api/plans/TEST-DRAFT', sttttReporter)).body).toMatchObject({
      code: 'TEST-DRAFT',
      status: 'draft',
    });
    expect(
      ((await get('/api/plans')).body.items as Array<{ code: string }>).map((p) => p.code),
    ).not.toContain('TEST-DRAFT');
    expect(
      ((await get('/api/plans', admin)).body.items as Array<{ code: string }>).map((p) => p.code),
    ).toContain('TEST-DRAFT');
    expect((await get('/api/tasks?plan=TEST-DRAFT')).body.total).toBe(0);
    const task = await taskId('TEST-DRAFT', '1');
    expect((await get(`/api/tasks/${task}`)).status).toBe(404);
    expect((await get(`/api/plans/TEST-DRAFT/export.xlsx`)).status).toBe(404);
  });

  it('imports the annex sheet from .xlsx and changes a plan’s status with a version', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Phụ lục');
    ws.addRow(['STT', 'Nhiệm vụ', 'Đơn vị chủ trì', 'Đơn vị phối hợp', 'Thời gian hoàn thành', 'Sản phẩm']);
    ws.addRow(['1', 'Số hóa hồ sơ', 'Sở Nội vụ', 'Sở Tư pháp', '30/9/2024', 'Kho hồ sơ số']);
    const content = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const r = await call(
      'POST',
      `/api/plans/import?file=phu-luc.xlsx&code=TEST-XLSX-HTTP&title_vi=${encodeURIComponent('Kế hoạch số hóa')}&date=2024-03-01&issuer_unit=79`,
      admin,
      content,
      { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ plan: 'TEST-XLSX-HTTP', format: 'xlsx', tasks: { created: 1 } });
    const plan = await get('/api/plans/TEST-XLSX-HTTP');
    expect(plan.body).toMatchObject({ issuer_unit: '79', issued_on: '2024-03-01', version: 1 });
    const closed = await call('PATCH', '/api/plans/TEST-XLSX-HTTP', admin, {
      status: 'closed',
      closed_on: '2024-12-31',
      version: 1,
    });
    expect(closed.body).toMatchObject({ status: 'closed', closed_on: '2024-12-31', version: 2 });
    expect(
      (await call('PATCH', '/api/plans/TEST-XLSX-HTTP', admin, { status: 'active', version: 1 })).status,
    ).toBe(409);
    // A closed plan takes no more progress.
    const task = await taskId('TEST-XLSX-HTTP', '1');
    const late = await call('PUT', `/api/tasks/${task}/progress`, admin, {
      org_unit: '79.SNV',
      period: '2024Q4',
      status: 'done',
    });
    expect(late).toMatchObject({ status: 409, body: { code: 'progress.plan_not_active' } });
  });
});

describe('feedback over HTTP', () => {
  let secret: string;
  beforeAll(async () => {
    secret = await t.store.db.transaction((tx) => feedbackSecret(tx));
  });
  const oldToken = () => signFeedbackToken(secret, new Date(Date.now() - 60_000));

  it('goes from submitted to answered, with the response time, in the right unit’s inbox only', async () => {
    const token = await get('/api/feedback/token');
    expect(token.status).toBe(200);
    expect(token.headers['cache-control']).toBe('no-store');
    const task = await taskId('681/KH-UBND', 'IV.2.b');
    const payload = {
      target_kind: 'task',
      target: task,
      body: 'Phần mềm tổng hợp đánh giá chuyển đổi số nên có bản công khai cho người dân xem.',
      author_name: 'Trần Thị B',
      author_contact: '0909 000 000',
      website: '',
    };
    const tooFast = await call(
      'POST',
      '/api/feedback',
      null,
      { ...payload, token: token.body.token },
      {},
      '198.51.100.1',
    );
    expect(tooFast).toMatchObject({ status: 400, body: { code: 'feedback.too_fast' } });
    const sent = await call(
      'POST',
      '/api/feedback',
      null,
      { ...payload, token: oldToken() },
      {},
      '198.51.100.1',
    );
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ status: 'new', routed_unit: '79.STTTT', task_number: 'IV.2.b' });
    expect(sent.body).not.toHaveProperty('author_contact');
    const id = sent.body.id as number;

    expect((await get('/api/feedback/inbox')).status).toBe(401);
    const inbox = await get('/api/feedback/inbox?status=new', sttttReviewer);
    expect(
      (inbox.body.items as Array<{ id: number; author_contact: string }>).find((f) => f.id === id),
    ).toMatchObject({
      author_contact: '0909 000 000',
    });
    const other = await get('/api/feedback/inbox', sytReviewer);
    expect((other.body.items as Array<{ id: number }>).some((f) => f.id === id)).toBe(false);

    const answer = { answer: 'Cảm ơn anh/chị. Bản công khai sẽ có trong quý tới.', version: 1 };
    expect((await call('POST', `/api/feedback/${id}/answer`, null, answer)).status).toBe(401);
    expect((await call('POST', `/api/feedback/${id}/answer`, sytReviewer, answer)).status).toBe(403);
    expect((await call('POST', `/api/feedback/${id}/answer`, sttttReporter, answer)).status).toBe(403);
    const answered = await call('POST', `/api/feedback/${id}/answer`, sttttReviewer, answer);
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({
      status: 'answered',
      answered_by: expect.stringContaining('reviewer@79.STTTT'),
    });
    expect(answered.body.response_time_seconds).toBeGreaterThanOrEqual(0);
    const pub = await get(`/api/feedback?task=${task}`);
    expect(pub.body.items).toEqual([
      expect.objectContaining({ id, status: 'answered', answer: answer.answer, author_name: 'Trần Thị B' }),
    ]);
    expect(JSON.stringify(pub.body)).not.toContain('0909 000 000');
    expect((await get(`/api/tasks/${task}`)).body).toMatchObject({ feedback: { total: 1, answered: 1 } });
  });

  it('refuses the honeypot, hides abuse for the unit’s administrators only, and audits the hide', async () => {
    const base = { target_kind: 'plan', target: '681/KH-UBND', token: oldToken() };
    const trap = await call(
      'POST',
      '/api/feedback',
      null,
      { ...base, body: 'Nội dung quảng cáo tự động gửi đi.', website: 'spam' },
      {},
      '198.51.100.2',
    );
    expect(trap).toMatchObject({ status: 400, body: { code: 'feedback.rejected' } });
    const sent = await call(
      'POST',
      '/api/feedback',
      null,
      { ...base, token: oldToken(), body: 'Lời lẽ thô tục không phù hợp với trang công khai.' },
      {},
      '198.51.100.2',
    );
    expect(sent.status).toBe(201);
    const id = sent.body.id as number;
    expect(sent.body.routed_unit).toBe('79');
    const hide = { reason: 'Ngôn từ thô tục', version: 1 };
    expect((await call('POST', `/api/feedback/${id}/hide`, sttttAdmin, hide)).status).toBe(403);
    const cityReviewer = await principalFor(t.store, [['reviewer', '79']]);
    expect((await call('POST', `/api/feedback/${id}/hide`, cityReviewer, hide)).status).toBe(403);
    const hidden = await call('POST', `/api/feedback/${id}/hide`, admin, hide);
    expect(hidden.body).toMatchObject({ status: 'hidden', hidden_reason: 'Ngôn từ thô tục' });
    expect((await get(`/api/feedback/${id}`)).status).toBe(404);
    expect(
      ((await get('/api/feedback?plan=' + P681 + '&limit=1000')).body.items as Array<{ id: number }>).some(
        (f) => f.id === id,
      ),
    ).toBe(false);
    const [audit] = await rows<{ action: string; actor: string }>(
      t.store.db,
      sql`select action, actor from audit_log where entity = 'feedback' and entity_id = ${String(id)} and action = 'feedback.hide'`,
    );
    expect(audit).toMatchObject({ action: 'feedback.hide', actor: admin.username });
  });

  it('limits the rate per address with 429 and Retry-After', async () => {
    const { max, seconds } = FEEDBACK_RATE_LIMITS[0]!;
    const windowOf = () => Math.floor(Date.now() / (seconds * 1000));
    let statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    // The limits use fixed windows of wall-clock time: should a window end during the burst, burst again.
    for (let attempt = 0; attempt < 2; attempt++) {
      const window = windowOf();
      statuses = [];
      for (let i = 0; i <= max; i++) {
        last = await call(
          'POST',
          '/api/feedback',
          null,
          {
            target_kind: 'plan',
            target: 'KH-CDS-2024',
            token: oldToken(),
            body: `Góp ý thử giới hạn số ${attempt}-${i} về kế hoạch năm 2024.`,
          },
          {},
          `198.51.100.${77 + attempt}`,
        );
        statuses.push(last.status);
      }
      if (windowOf() === window) break;
    }
    expect(statuses.slice(0, max).every((s) => s === 201)).toBe(true);
    expect(last!.status).toBe(429);
    expect(last!.body.code).toBe('feedback.rate_limited');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is still served.
    const other = await call(
      'POST',
      '/api/feedback',
      null,
      {
        target_kind: 'plan',
        target: 'KH-CDS-2024',
        token: oldToken(),
        body: 'Góp ý từ một địa chỉ khác, vẫn được nhận.',
      },
      {},
      '198.51.100.90',
    );
    expect(other.status).toBe(201);
  });
});
