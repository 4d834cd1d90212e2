/**
 * Submissions: lists, one submission, its values (GET with versions and the previous period; PUT to
 * save drafts), its validation report, its events, and the workflow steps
 * POST /api/submissions/:id/submit|return|approve|lock|reopen, plus approving many at once.
 */
import { z } from 'zod';
import { approveMany, approveSubmission } from '../../../app/rounds/approve-submission.ts';
import { lockSubmission } from '../../../app/rounds/lock-submissions.ts';
import { listSubmissions, submissionEvents, submissionValues } from '../../../app/rounds/read-submissions.ts';
import { reopenSubmission } from '../../../app/rounds/reopen-submission.ts';
import { returnSubmission } from '../../../app/rounds/return-submission.ts';
import { saveDraftValues } from '../../../app/rounds/save-draft-values.ts';
import { submissionTaskItems, zSubmissionTaskItem, zTaskSaveOut } from '../../../app/plans/task-reports.ts';
import {
  SUBMISSION_STATUSES,
  zApproveInput,
  zApproveManyInput,
  zEvent,
  zLockInput,
  zReopenInput,
  zReturnInput,
  zSaveValues,
  zSubmission,
  zSubmissionValue,
  zSubmitInput,
  zValidationReport,
} from '../../../app/rounds/schemas.ts';
import { submit } from '../../../app/rounds/submit.ts';
import { validateSubmissionData } from '../../../app/rounds/validate-submission.ts';
import { getSubmission, loadSubmission } from '../../../app/rounds/workflow.ts';
import { policy } from '../../policies/index.ts';
import { notFound } from '../../problem.ts';
import type { App, ServerDeps } from '../../server.ts';
import { pages, sendCsv, zListOf, zPage } from '../common.ts';
import { callerOf, submissionUnit } from './scope.ts';
import { type TxRunner, zBool, zId } from './shared.ts';

const zSubmissionQuery = z.object({
  round: z.coerce.number().int().positive().optional(),
  status: z.enum(SUBMISSION_STATUSES).optional(),
  subtree: z.string().max(64).optional(),
  level: z.string().max(64).optional(),
  period: z.string().max(10).optional(),
  form: z.string().max(64).optional(),
  late: zBool,
});

const SUBMISSION_CSV = [
  'id',
  'round_id',
  'form',
  'period',
  'org_unit',
  'org_unit_name_vi',
  'org_level',
  'status',
  'late',
  'deadline',
  'submitted_by',
  'submitted_at',
  'reviewed_by',
  'reviewed_at',
  'return_comment',
  'locked_at',
] as const;

export function submissionRoutes(app: App, { store }: ServerDeps, tx: TxRunner): void {
  const db = store.db;
  const onSubmission = submissionUnit(store);

  app.get(
    '/api/submissions',
    {
      schema: {
        tags: ['submissions'],
        summary: 'Submissions in your scope',
        querystring: zSubmissionQuery.extend(zPage.shape),
        response: { 200: zListOf(zSubmission) },
      },
      config: { policy: policy.anyUnit('viewer') },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return {
        ...(await listSubmissions(db, callerOf(req).roots('viewer'), f, { limit, offset })),
        limit,
        offset,
      };
    },
  );
  app.get(
    '/api/submissions.csv',
    {
      schema: {
        tags: ['submissions'],
        summary: 'Submissions in your scope, as CSV',
        querystring: zSubmissionQuery,
      },
      config: { policy: policy.anyUnit('viewer') },
    },
    async (req, reply) => {
      const roots = callerOf(req).roots('viewer');
      return sendCsv(
        reply,
        'submissions.csv',
        SUBMISSION_CSV.map((key) => ({
          key,
          get: (r: z.infer<typeof zSubmission>) => r[key] as string | number | boolean | null,
        })),
        pages((p) => listSubmissions(db, roots, req.query, p)),
      );
    },
  );
  app.get(
    '/api/submissions/:id',
    {
      schema: {
        tags: ['submissions'],
        summary: 'One submission',
        params: zId,
        response: { 200: zSubmission },
      },
      config: { policy: policy.onUnits('viewer', onSubmission) },
    },
    async (req) => {
      const s = await getSubmission(db, req.params.id);
      if (!s) throw notFound('báo cáo / submission', String(req.params.id));
      return s;
    },
  );
  app.get(
    '/api/submissions/:id/values',
    {
      schema: {
        tags: ['submissions'],
        summary:
          'The submission’s items: value, version, status, and the previous period’s approved value; its task items with the unit’s report',
        params: zId,
        response: {
          200: z.object({
            submission: zSubmission,
            items: z.array(zSubmissionValue),
            tasks: z.array(zSubmissionTaskItem),
          }),
        },
      },
      config: { policy: policy.onUnits('viewer', onSubmission) },
    },
    async (req) => {
      const s = await loadSubmission(db, req.params.id);
      return {
        submission: (await getSubmission(db, s.id))!,
        items: await submissionValues(db, s),
        tasks: await submissionTaskItems(db, s),
      };
    },
  );
  app.put(
    '/api/submissions/:id/values',
    {
      schema: {
        tags: ['submissions'],
        summary:
          'Save draft values (each with the version you saw; all or nothing; a stale version gets 409 with the current value)',
        params: zId,
        body: zSaveValues,
        response: {
          200: z.object({
            submission: zSubmission,
            values: z.array(
              z.object({
                indicator: z.string(),
                outcome: z.enum(['created', 'updated', 'unchanged']),
                value: z.object({
                  id: z.number(),
                  value: z.number().nullable(),
                  version: z.number(),
                  status: z.string(),
                }),
              }),
            ),
            tasks: z.array(zTaskSaveOut),
          }),
        },
      },
      config: { policy: policy.onUnits('reporter', onSubmission) },
    },
    async (req) => {
      const r = await tx((t) => saveDraftValues(t, callerOf(req), req.params.id, req.body));
      return {
        submission: r.submission,
        values: r.values.map((v) => ({
          indicator: v.indicator,
          outcome: v.outcome,
          value: { id: v.value.id, value: v.value.value, version: v.value.version, status: v.value.status },
        })),
        tasks: r.tasks,
      };
    },
  );
  app.get(
    '/api/submissions/:id/validation',
    {
      schema: {
        tags: ['submissions'],
        summary:
          'Run the checks of submit without submitting: errors (blocking) and warnings (need a comment)',
        params: zId,
        response: { 200: zValidationReport },
      },
      config: { policy: policy.onUnits('viewer', onSubmission) },
    },
    async (req) => validateSubmissionData(db, await loadSubmission(db, req.params.id)),
  );
  app.get(
    '/api/submissions/:id/events',
    {
      schema: {
        tags: ['submissions'],
        summary: 'Every workflow step of the submission',
        params: zId,
        response: { 200: z.object({ items: z.array(zEvent) }) },
      },
      config: { policy: policy.onUnits('viewer', onSubmission) },
    },
    async (req) => {
      await loadSubmission(db, req.params.id);
      return { items: await submissionEvents(db, req.params.id) };
    },
  );

  // ---- workflow ----
  const step = { 200: zSubmission };
  app.post(
    '/api/submissions/:id/submit',
    {
      schema: {
        tags: ['workflow'],
        summary: 'Submit for review (reporter): errors block (422); every warning needs a comment by its key',
        params: zId,
        body: zSubmitInput,
        response: step,
      },
      config: { policy: policy.onUnits('reporter', onSubmission) },
    },
    async (req) => tx((t) => submit(t, callerOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/submissions/:id/return',
    {
      schema: {
        tags: ['workflow'],
        summary: 'Return to the unit with a comment (reviewer)',
        params: zId,
        body: zReturnInput,
        response: step,
      },
      config: { policy: policy.onUnits('reviewer', onSubmission) },
    },
    async (req) => tx((t) => returnSubmission(t, callerOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/submissions/:id/approve',
    {
      schema: {
        tags: ['workflow'],
        summary: 'Approve (reviewer, not the submitter): the values become approved',
        params: zId,
        body: zApproveInput,
        response: step,
      },
      config: { policy: policy.onUnits('reviewer', onSubmission) },
    },
    async (req) => tx((t) => approveSubmission(t, callerOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/submissions/:id/lock',
    {
      schema: {
        tags: ['workflow'],
        summary: 'Lock an approved submission (reviewer)',
        params: zId,
        body: zLockInput,
        response: step,
      },
      config: { policy: policy.onUnits('reviewer', onSubmission) },
    },
    async (req) => tx((t) => lockSubmission(t, callerOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/submissions/:id/reopen',
    {
      schema: {
        tags: ['workflow'],
        summary: 'Reopen an approved or locked submission, with the reason (admin)',
        params: zId,
        body: zReopenInput,
        response: step,
      },
      config: { policy: policy.onUnits('admin', onSubmission) },
    },
    async (req) => tx((t) => reopenSubmission(t, callerOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/submissions/approve',
    {
      schema: {
        tags: ['workflow'],
        summary: 'Approve many submissions at once; each is checked and answered on its own',
        body: zApproveManyInput,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                ok: z.boolean(),
                submission: zSubmission.optional(),
                error: z
                  .object({ code: z.string(), status: z.number(), vi: z.string(), en: z.string() })
                  .optional(),
              }),
            ),
          }),
        },
      },
      config: { policy: policy.anyUnit('reviewer') },
    },
    async (req) => ({ items: await tx((t) => approveMany(t, callerOf(req), req.body)) }),
  );
}
