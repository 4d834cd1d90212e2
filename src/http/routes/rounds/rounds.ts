/**
 * Rounds: open, list, read, change (deadline, opening, close/reopen), lock the approved submissions;
 * inboxes; reminders (who is late, and e-mail to them).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { reporterInbox, reviewerInbox } from '../../../app/rounds/list-inboxes.ts';
import { lockRound } from '../../../app/rounds/lock-submissions.ts';
import { getRound, listRounds, openRound, updateRound } from '../../../app/rounds/open-round.ts';
import {
  ROUND_STATUSES,
  zLateItem,
  zReporterInboxItem,
  zReviewerInboxItem,
  zRound,
  zRoundInput,
  zRoundPatch,
} from '../../../app/rounds/schemas.ts';
import { listLate, mailerFromEnv, sendReminders } from '../../../app/rounds/send-reminders.ts';
import { rows } from '../../../store/db.ts';
import { forbidden, policy } from '../../policies/index.ts';
import { notFound } from '../../problem.ts';
import type { App, ServerDeps } from '../../server.ts';
import { sendCsv, unitsFrom, zListOf, zPage } from '../common.ts';
import { callerOf, roundRoot } from './scope.ts';
import { type TxRunner, zBool, zId } from './shared.ts';

const LATE_CSV = [
  'submission_id',
  'round_id',
  'form',
  'period',
  'org_unit',
  'org_unit_name_vi',
  'status',
  'deadline',
  'days_late',
  'contacts',
  'last_reminded_at',
] as const;

export function roundRoutes(app: App, deps: ServerDeps, tx: TxRunner): void {
  const { store, config } = deps;
  const db = store.db;

  app.post(
    '/api/rounds',
    {
      schema: {
        tags: ['rounds'],
        summary:
          'Open a round: a form for one period for the units of a subtree; one draft submission per unit',
        body: zRoundInput,
        response: { 201: zRound },
      },
      config: {
        policy: policy.onUnits(
          'admin',
          unitsFrom(store, (r) => [(r.body as { org_unit?: string }).org_unit]),
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await tx((t) => openRound(t, callerOf(req), req.body))),
  );
  app.get(
    '/api/rounds',
    {
      schema: {
        tags: ['rounds'],
        summary: 'Rounds with submissions in your scope, newest period first',
        querystring: z
          .object({
            status: z.enum(ROUND_STATUSES).optional(),
            form: z.string().max(64).optional(),
            period: z.string().max(10).optional(),
          })
          .extend(zPage.shape),
        response: { 200: zListOf(zRound) },
      },
      config: { policy: policy.anyUnit('viewer') },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return {
        ...(await listRounds(db, callerOf(req).roots('viewer'), f, { limit, offset })),
        limit,
        offset,
      };
    },
  );
  app.get(
    '/api/rounds/:id',
    {
      schema: {
        tags: ['rounds'],
        summary: 'One round, with counts of submissions by status in your scope',
        params: zId,
        response: { 200: zRound },
      },
      config: { policy: policy.anyUnit('viewer') },
    },
    async (req) => {
      const caller = callerOf(req);
      const roots = caller.roots('viewer');
      const r = await getRound(db, req.params.id, roots);
      if (!r) throw notFound('đợt báo cáo / round', String(req.params.id));
      const [root] = await rows<{ path: string }>(
        db,
        sql`select path from org_unit where code = ${r.scope_unit}`,
      );
      if (r.counts.total === 0 && !caller.can('viewer', root!.path)) throw forbidden('viewer');
      return r;
    },
  );
  app.patch(
    '/api/rounds/:id',
    {
      schema: {
        tags: ['rounds'],
        summary: 'Move the deadline or the opening, close or reopen a round (optimistic version)',
        params: zId,
        body: zRoundPatch,
        response: { 200: zRound },
      },
      config: {
        policy: policy.onUnits('admin', roundRoot(store)),
      },
    },
    async (req) => tx((t) => updateRound(t, callerOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/rounds/:id/lock',
    {
      schema: {
        tags: ['rounds'],
        summary: 'Lock every approved submission of the round that you review',
        params: zId,
        response: { 200: z.object({ locked: z.array(z.number()) }) },
      },
      config: { policy: policy.anyUnit('reviewer') },
    },
    async (req) => ({ locked: await tx((t) => lockRound(t, callerOf(req), req.params.id)) }),
  );

  // ---- inboxes ----
  app.get(
    '/api/inbox/reporter',
    {
      schema: {
        tags: ['inbox'],
        summary: 'What your units must report: due, overdue and returned submissions',
        querystring: z
          .object({
            category: z.enum(['due', 'overdue', 'returned']).optional(),
            round: z.coerce.number().int().positive().optional(),
          })
          .extend(zPage.shape),
        response: { 200: zListOf(zReporterInboxItem) },
      },
      config: { policy: policy.anyUnit('reporter') },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return { ...(await reporterInbox(db, callerOf(req), f, { limit, offset })), limit, offset };
    },
  );
  app.get(
    '/api/inbox/reviewer',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Submitted reports waiting for your review, with the previous period’s values',
        querystring: z
          .object({
            round: z.coerce.number().int().positive().optional(),
            form: z.string().max(64).optional(),
            period: z.string().max(10).optional(),
            subtree: z.string().max(64).optional(),
            level: z.string().max(64).optional(),
            late: zBool,
          })
          .extend(zPage.shape),
        response: { 200: zListOf(zReviewerInboxItem) },
      },
      config: { policy: policy.anyUnit('reviewer') },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return { ...(await reviewerInbox(db, callerOf(req), f, { limit, offset })), limit, offset };
    },
  );

  // ---- reminders ----
  const lateQuery = z.object({ round: z.coerce.number().int().positive().optional() });
  app.get(
    '/api/reminders',
    {
      schema: {
        tags: ['reminders'],
        summary: 'Who is late for which round (in your review scope), with their reporting contacts',
        querystring: lateQuery,
        response: { 200: z.object({ items: z.array(zLateItem) }) },
      },
      config: { policy: policy.anyUnit('reviewer') },
    },
    async (req) => ({ items: await listLate(db, callerOf(req).roots('reviewer'), req.query) }),
  );
  app.get(
    '/api/reminders.csv',
    {
      schema: { tags: ['reminders'], summary: 'Who is late, as CSV', querystring: lateQuery },
      config: { policy: policy.anyUnit('reviewer') },
    },
    async (req, reply) => {
      const items = await listLate(db, callerOf(req).roots('reviewer'), req.query);
      return sendCsv(
        reply,
        'reminders.csv',
        LATE_CSV.map((key) => ({
          key,
          get: (r: (typeof items)[number]) =>
            key === 'contacts'
              ? r.contacts.map((c) => `${c.name} <${c.email}>`).join('; ')
              : (r[key] as string | number | null),
        })),
        [items],
      );
    },
  );
  app.post(
    '/api/rounds/:id/reminders',
    {
      schema: {
        tags: ['reminders'],
        summary: 'E-mail the contacts of every late unit of the round in your review scope (SMTP)',
        params: zId,
        response: {
          200: z.object({
            sent: z.array(
              z.object({
                submission_id: z.number(),
                org_unit: z.string(),
                to: z.array(z.string()).describe('Recipients the mail server accepted'),
                rejected: z.array(z.string()).describe('Recipients the mail server refused'),
              }),
            ),
            failed: z.array(z.object({ submission_id: z.number(), org_unit: z.string(), error: z.string() })),
            no_contact: z.array(z.object({ submission_id: z.number(), org_unit: z.string() })),
          }),
        },
      },
      config: { policy: policy.anyUnit('reviewer') },
    },
    async (req) => {
      const r = await getRound(db, req.params.id);
      if (!r) throw notFound('đợt báo cáo / round', String(req.params.id));
      return sendReminders(db, callerOf(req), req.params.id, mailerFromEnv(), config.publicUrl);
    },
  );
}
