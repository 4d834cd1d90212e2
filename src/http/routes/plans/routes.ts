/**
 * The plans API: plans and their task trees with statuses at a reference date, task lists (with a
 * CSV twin, /api/tasks.csv), task progress (read by anyone, written by the reporters of the units that
 * lead or coordinate a task, optimistic versions), plan import (YAML or the annex's Excel sheet;
 * administrators), the progress table as .xlsx, and public feedback (feedback-routes.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../../../app/audit.ts';
import { exportPlanXlsx } from '../../../app/plans/export-plan.ts';
import { importPlanFile } from '../../../app/plans/import-plan.ts';
import type { PlanMeta } from '../../../app/plans/plan-file.ts';
import {
  getPlanRow,
  getPlanTree,
  getTaskDetail,
  listPlans,
  listTasks,
  planProgress,
  type StatusContext,
  type TaskFilter,
  todayInVietnam,
} from '../../../app/plans/plans.ts';
import {
  archiveTaskProgress,
  getTaskProgress,
  setTaskProgress,
  taskProgressHistory,
  zProgressInput,
} from '../../../app/plans/progress.ts';
import { ChisoError } from '../../../core/errors.ts';
import { parseIsoDate } from '../../../core/period.ts';
import { TASK_STATUSES } from '../../../core/tasks.ts';
import { rows, type Tx } from '../../../store/db.ts';
import { policy } from '../../policies/index.ts';
import { notFound } from '../../problem.ts';
import type { App, ServerDeps } from '../../server.ts';
import { actorOf, pages, sendCsv, unitsFrom, zPage } from '../common.ts';
import feedbackRoutes from './feedback-routes.ts';

const MAX_PLAN_FILE = 10 * 1024 * 1024;

const zBool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
const zAsOf = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .describe('Reference date YYYY-MM-DD for statuses (default: today in Viet Nam)');
const zStatusQuery = z.object({
  as_of: zAsOf,
  due_within_days: z.coerce.number().int().min(0).max(366).optional(),
  at_risk_margin: z.coerce.number().min(0).max(100).optional(),
});
const zPlanQuery = z.object({
  q: z.string().max(200).optional(),
  status: z.enum(['draft', 'active', 'closed']).optional(),
});
const zTaskQuery = z.object({
  plan: z.string().max(64).optional(),
  lead_unit: z.string().max(64).optional(),
  unit: z.string().max(64).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  deadline_from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  deadline_to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  deadline_kind: z.enum(['date', 'month', 'quarter', 'half', 'year', 'recurring', 'none']).optional(),
  leaf_only: zBool,
  q: z.string().max(200).optional(),
});

/** The reference date and thresholds of a request; signed-in callers also see draft plans. */
function statusContext(q: z.infer<typeof zStatusQuery>, req: FastifyRequest): StatusContext {
  const asOf = q.as_of ?? todayInVietnam();
  try {
    parseIsoDate(asOf);
  } catch (e) {
    if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field: 'as_of' });
    throw e;
  }
  return {
    asOf,
    includeDrafts: req.principal !== null,
    ...(q.due_within_days !== undefined ? { dueWithinDays: q.due_within_days } : {}),
    ...(q.at_risk_margin !== undefined ? { atRiskMargin: q.at_risk_margin } : {}),
  };
}

const TASK_CSV: Array<{
  key: string;
  get: (t: import('../../../app/plans/plans.ts').TaskOut) => string | number | null;
}> = [
  { key: 'plan', get: (t) => t.plan },
  { key: 'number', get: (t) => t.number },
  { key: 'parent', get: (t) => t.parent_number },
  { key: 'title', get: (t) => t.title_vi },
  { key: 'title_en', get: (t) => t.title_en },
  { key: 'lead_unit', get: (t) => t.lead_unit },
  { key: 'co_lead_units', get: (t) => t.co_leads.map((a) => a.code).join(';') },
  { key: 'coordinating_units', get: (t) => t.coordinating.map((a) => a.code).join(';') },
  { key: 'deadline', get: (t) => t.deadline.code },
  { key: 'deadline_text', get: (t) => t.deadline.text },
  { key: 'deadline_date', get: (t) => t.deadline.date },
  { key: 'recurrence', get: (t) => t.deadline.recurrence },
  { key: 'status', get: (t) => t.status },
  { key: 'status_vi', get: (t) => t.status_label_vi },
  { key: 'percent', get: (t) => t.percent },
  { key: 'units_expected', get: (t) => t.units_expected },
  { key: 'units_reported', get: (t) => t.units_reported },
  { key: 'units_done', get: (t) => t.units_done },
  { key: 'output', get: (t) => t.output_vi },
  { key: 'is_leaf', get: (t) => (t.is_leaf ? 1 : 0) },
];

const PLAN_CSV = [
  'code',
  'document',
  'title_vi',
  'title_en',
  'issuer',
  'issuer_unit',
  'issued_on',
  'status',
  'closed_on',
  'tasks',
  'leaf_tasks',
] as const;

const PLAN_FILE_TYPES = [
  'application/octet-stream',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

export default async function planRoutes(app: App, deps: ServerDeps): Promise<void> {
  const { store } = deps;
  const db = store.db;
  const tx = <T>(fn: (t: Tx) => Promise<T>): Promise<T> => db.transaction(fn);

  // ---- plans ----
  app.get(
    '/api/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'List plans with the number of their leaf tasks in each status',
        querystring: zPlanQuery.extend(zStatusQuery.shape).extend(zPage.shape),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, q, status, ...s } = req.query;
      return {
        ...(await listPlans(db, { q, status }, { limit, offset }, statusContext(s, req))),
        limit,
        offset,
      };
    },
  );
  app.get(
    '/api/plans.csv',
    {
      schema: {
        tags: ['plans'],
        summary: 'Plans as CSV',
        querystring: zPlanQuery.extend(zStatusQuery.shape),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const { q, status, ...s } = req.query;
      const ctx = statusContext(s, req);
      return sendCsv(
        reply,
        'plans.csv',
        PLAN_CSV.map((key) => ({
          key,
          get: (r: Record<string, unknown>) => (r[key] ?? null) as string | number | null,
        })),
        pages(
          (p) =>
            listPlans(db, { q, status }, p, ctx) as unknown as Promise<{ items: Record<string, unknown>[] }>,
        ),
      );
    },
  );
  app.get(
    '/api/plans/:code',
    {
      schema: {
        tags: ['plans'],
        summary: 'One plan with its task tree, each task with its status at the reference date',
        params: z.object({ code: z.string().max(64) }),
        querystring: zStatusQuery,
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const plan = await getPlanTree(db, req.params.code, statusContext(req.query, req));
      if (!plan) throw notFound('kế hoạch / plan', req.params.code);
      return plan;
    },
  );
  app.get(
    '/api/plans/:code/progress',
    {
      schema: {
        tags: ['plans'],
        summary: 'The progress table of a plan: every report, task × unit × period',
        params: z.object({ code: z.string().max(64) }),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const plan = await getPlanRow(db, req.params.code, req.principal !== null);
      if (!plan) throw notFound('kế hoạch / plan', req.params.code);
      return { plan: plan.code, items: await planProgress(db, plan.id) };
    },
  );
  app.get(
    '/api/plans/:code/export.xlsx',
    {
      schema: {
        tags: ['plans'],
        summary:
          "A plan's progress table as an Excel workbook (Vietnamese headers; re-importable task sheet)",
        params: z.object({ code: z.string().max(64) }),
        querystring: zStatusQuery,
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const ctx = statusContext(req.query, req);
      const content = await exportPlanXlsx(db, req.params.code, ctx);
      const name = `ke-hoach-${req.params.code.replace(/[^A-Za-z0-9.-]+/g, '-')}-${ctx.asOf}.xlsx`;
      reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      reply.header('content-disposition', `attachment; filename="${name}"`);
      return reply.send(Buffer.from(content));
    },
  );
  app.patch(
    '/api/plans/:code',
    {
      schema: {
        tags: ['plans'],
        summary: 'Change the status of a plan (draft, active, closed; optimistic version)',
        params: z.object({ code: z.string().max(64) }),
        body: z
          .object({
            status: z.enum(['draft', 'active', 'closed']),
            closed_on: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .nullish(),
            version: z.number().int(),
          })
          .strict(),
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) =>
      tx(async (t) => {
        const [p] = await rows<{ id: number; version: number; status: string; closed_on: string | null }>(
          t,
          sql`select id, version, status, closed_on from plan where code = ${req.params.code} and archived_at is null for update`,
        );
        if (!p) throw notFound('kế hoạch / plan', req.params.code);
        if (p.version !== req.body.version) {
          throw new ChisoError({
            code: 'conflict.stale_version',
            status: 409,
            vi: 'Kế hoạch đã được người khác thay đổi. Hãy tải lại và thử lại.',
            en: 'The plan was changed by someone else. Reload and try again.',
            details: { current: await getPlanRow(t, req.params.code) },
          });
        }
        const closedOn =
          req.body.status === 'closed' ? (req.body.closed_on ?? p.closed_on ?? todayInVietnam()) : null;
        if (closedOn) parseIsoDate(closedOn);
        await t.execute(
          sql`update plan set status = ${req.body.status}, closed_on = ${closedOn}, version = version + 1, updated_at = now() where id = ${p.id}`,
        );
        await appendAudit(t, {
          actor: actorOf(req),
          action: 'plan.status',
          entity: 'plan',
          entityId: p.id,
          data: { code: req.params.code, from: p.status, to: req.body.status, closed_on: closedOn },
        });
        return (await getPlanRow(t, req.params.code))!;
      }),
  );

  // Import: the file is the request body (YAML or .xlsx), up to 10 MB.
  await app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      PLAN_FILE_TYPES,
      { parseAs: 'buffer', bodyLimit: MAX_PLAN_FILE },
      (_req, body, done) => done(null, body),
    );
    const r = scope.withTypeProvider<ZodTypeProvider>() as unknown as App;
    r.post(
      '/api/plans/import',
      {
        schema: {
          tags: ['plans'],
          summary:
            'Import a plan: the body is the file (YAML as in data/demo/plans, or an Excel sheet with the columns STT / Nhiệm vụ / Đơn vị chủ trì / Đơn vị phối hợp / Thời gian hoàn thành / Sản phẩm). Atomic and idempotent; 422 lists every fault with its row and column.',
          querystring: z.object({
            file: z
              .string()
              .max(200)
              .optional()
              .describe('The file name, used in messages and to tell .xlsx from YAML'),
            dry_run: zBool,
            code: z.string().max(64).optional(),
            document: z.string().max(64).optional(),
            title_vi: z.string().max(1000).optional(),
            title_en: z.string().max(1000).optional(),
            issuer: z.string().max(300).optional(),
            issuer_unit: z.string().max(64).optional(),
            date: z.string().max(10).optional(),
            status: z.string().max(20).optional(),
          }),
        },
        config: { policy: policy.catalogue('admin') },
      },
      async (req, reply) => {
        const body = req.body as unknown;
        if (!(body instanceof Uint8Array) || body.length === 0) {
          throw new ChisoError({
            code: 'plan.no_file',
            status: 400,
            vi: 'Hãy gửi tệp kế hoạch (YAML hoặc .xlsx) làm nội dung yêu cầu, với Content-Type application/yaml hoặc application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.',
            en: 'Send the plan file (YAML or .xlsx) as the request body, with Content-Type application/yaml or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.',
          });
        }
        const { file, dry_run, date, ...meta } = req.query;
        const overrides: Partial<Record<keyof PlanMeta, string | null>> = {};
        for (const [k, v] of Object.entries(meta)) if (v !== undefined) overrides[k as keyof PlanMeta] = v;
        if (date !== undefined) overrides.issued_on = date;
        const name =
          file ??
          (String(req.headers['content-type'] ?? '').includes('spreadsheetml') ? 'plan.xlsx' : 'plan.yaml');
        const summary = await tx((t) =>
          importPlanFile(t, actorOf(req), body, name, {
            dryRun: dry_run ?? false,
            ...(Object.keys(overrides).length ? { plan: overrides } : {}),
          }),
        );
        return reply.status(summary.outcome === 'created' && !summary.dry_run ? 201 : 200).send(summary);
      },
    );
  });

  // ---- tasks ----
  const taskList = (
    q: z.infer<typeof zTaskQuery>,
    page: { limit: number; offset: number },
    ctx: StatusContext,
  ) => listTasks(db, q as TaskFilter, page, ctx);
  app.get(
    '/api/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary:
          'List tasks with their status (filters: plan, unit, status, deadline, diacritic-insensitive search)',
        querystring: zTaskQuery.extend(zStatusQuery.shape).extend(zPage.shape),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, as_of, due_within_days, at_risk_margin, ...f } = req.query;
      const ctx = statusContext({ as_of, due_within_days, at_risk_margin }, req);
      return { ...(await taskList(f, { limit, offset }, ctx)), limit, offset, as_of: ctx.asOf };
    },
  );
  app.get(
    '/api/tasks.csv',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Tasks as CSV: plan, number, title, lead_unit, deadline, status …',
        querystring: zTaskQuery.extend(zStatusQuery.shape),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const { as_of, due_within_days, at_risk_margin, ...f } = req.query;
      const ctx = statusContext({ as_of, due_within_days, at_risk_margin }, req);
      return sendCsv(
        reply,
        'tasks.csv',
        TASK_CSV,
        pages((p) => taskList(f, p, ctx)),
      );
    },
  );
  app.get(
    '/api/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'One task: status of each responsible unit, every progress report',
        params: z.object({ id: z.coerce.number().int().positive() }),
        querystring: zStatusQuery,
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const t = await getTaskDetail(db, req.params.id, statusContext(req.query, req));
      if (!t) throw notFound('nhiệm vụ / task', String(req.params.id));
      return t;
    },
  );
  app.put(
    '/api/tasks/:id/progress',
    {
      schema: {
        tags: ['tasks'],
        summary:
          "Report a unit's progress on a task for a period (reporters of the lead, co-lead or coordinating unit; optimistic version)",
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: zProgressInput,
      },
      config: {
        policy: policy.onUnits(
          'reporter',
          unitsFrom(store, (r) => [(r.body as { org_unit?: string }).org_unit]),
        ),
      },
    },
    async (req, reply) => {
      const r = await tx((t) => setTaskProgress(t, actorOf(req), req.params.id, req.body));
      return reply.status(r.outcome === 'created' ? 201 : 200).send(r);
    },
  );
  app.get(
    '/api/task-progress/:id/history',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Every version of one progress report',
        params: z.object({ id: z.coerce.number().int().positive() }),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const p = await getTaskProgress(db, req.params.id);
      if (!p) throw notFound('báo cáo tiến độ / progress report', String(req.params.id));
      return { progress: p, history: await taskProgressHistory(db, req.params.id) };
    },
  );
  app.post(
    '/api/task-progress/:id/archive',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Archive a progress report (administrators of its unit; never deleted)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({ version: z.number().int(), reason: z.string().min(3).max(2000) }).strict(),
      },
      config: {
        policy: policy.onUnits('admin', async (r) => {
          const [u] = await rows<{ path: string }>(
            db,
            sql`select u.path from task_progress tp join org_unit u on u.id = tp.org_unit_id where tp.id = ${(r.params as { id: number }).id}`,
          );
          if (!u)
            throw notFound('báo cáo tiến độ / progress report', String((r.params as { id: number }).id));
          return [u.path];
        }),
      },
    },
    async (req) => {
      await tx((t) => archiveTaskProgress(t, actorOf(req), req.params.id, req.body.version, req.body.reason));
      return { archived: true };
    },
  );

  await feedbackRoutes(app, deps);
}
