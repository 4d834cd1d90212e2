/**
 * Public feedback (góp ý) on plans, tasks and indicators: a form token, submission (public, rate
 * limited, spam-checked), the public list (answered and unanswered, never hidden items or contacts),
 * a unit's inbox (its reviewers), answers (reviewers of the unit it was routed to) and moderation
 * (hide / unhide with a reason: administrators of that unit).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  answerFeedback,
  FEEDBACK_TARGETS,
  getPublicFeedback,
  hideFeedback,
  issueFeedbackToken,
  listInbox,
  listPublicFeedback,
  submitFeedback,
  unhideFeedback,
  zFeedbackInput,
} from '../../../app/plans/feedback.ts';
import { notifyNewFeedback } from '../../../app/plans/feedback-mail.ts';
import { mailerFromEnv } from '../../../app/rounds/send-reminders.ts';
import { ChisoError } from '../../../core/errors.ts';
import { rows, type Tx } from '../../../store/db.ts';
import { policy, type ScopeResolver, scopeRoots } from '../../policies/index.ts';
import { notFound } from '../../problem.ts';
import type { App, ServerDeps } from '../../server.ts';
import { actorOf, zPage } from '../common.ts';

const zPublicQuery = z.object({
  target_kind: z.enum(FEEDBACK_TARGETS).optional(),
  plan: z.string().max(64).optional(),
  task: z.coerce.number().int().positive().optional(),
  indicator: z.string().max(64).optional(),
  status: z.enum(['new', 'answered']).optional(),
});
const zInboxQuery = zPublicQuery.extend({
  status: z.enum(['new', 'answered', 'hidden']).optional(),
  unit: z.string().max(64).optional(),
});
const zId = z.object({ id: z.coerce.number().int().positive() });

export default async function feedbackRoutes(app: App, { store, config }: ServerDeps): Promise<void> {
  const db = store.db;
  const tx = <T>(fn: (t: Tx) => Promise<T>): Promise<T> => db.transaction(fn);

  /** The unit a feedback item was routed to. */
  const routedUnit: ScopeResolver = async (req) => {
    const id = (req.params as { id: number }).id;
    const [u] = await rows<{ path: string }>(
      db,
      sql`select u.path from feedback f join org_unit u on u.id = f.routed_unit_id where f.id = ${id}`,
    );
    if (!u) throw notFound('góp ý / feedback', String(id));
    return [u.path];
  };

  app.get(
    '/api/feedback/token',
    {
      schema: {
        tags: ['feedback'],
        summary:
          'A signed form token: send it with the feedback, no sooner than not_before and before expires_at',
      },
      config: { policy: policy.public() },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return tx((t) => issueFeedbackToken(t));
    },
  );
  app.post(
    '/api/feedback',
    {
      schema: {
        tags: ['feedback'],
        summary:
          'Send feedback on a plan (target: its code), a task (its id) or an indicator (its code); name and contact optional. Rate limited per address.',
        body: zFeedbackInput,
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      try {
        const item = await submitFeedback(store, req.body, { ip: req.ip });
        // The responsible unit's contacts are e-mailed (when SMTP is configured); a failure is logged, not returned.
        try {
          const notice = await notifyNewFeedback(store, item, mailerFromEnv(), config.publicUrl);
          if (notice?.error)
            req.log.warn({ feedback: item.id, error: notice.error }, 'feedback e-mail failed');
        } catch (e) {
          req.log.warn({ feedback: item.id, err: e }, 'feedback e-mail failed');
        }
        return reply.status(201).send(item);
      } catch (e) {
        if (e instanceof ChisoError && e.code === 'feedback.rate_limited') {
          reply.header('retry-after', String(e.details?.retry_after ?? 60));
        }
        throw e;
      }
    },
  );
  app.get(
    '/api/feedback',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Public feedback with its answers (hidden items and contacts are never listed)',
        querystring: zPublicQuery.extend(zPage.shape),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return { ...(await listPublicFeedback(db, f, { limit, offset })), limit, offset };
    },
  );
  app.get(
    '/api/feedback/inbox',
    {
      schema: {
        tags: ['feedback'],
        summary:
          'The feedback inbox of the units in your scope (reviewers): contacts, hidden items, response times',
        querystring: zInboxQuery.extend(zPage.shape),
      },
      config: { policy: policy.anyUnit('reviewer') },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return {
        ...(await listInbox(db, scopeRoots(req.principal, 'reviewer'), f, { limit, offset })),
        limit,
        offset,
      };
    },
  );
  app.get(
    '/api/feedback/:id',
    {
      schema: { tags: ['feedback'], summary: 'One public feedback item with its answer', params: zId },
      config: { policy: policy.public() },
    },
    async (req) => {
      const f = await getPublicFeedback(db, req.params.id);
      if (!f) throw notFound('góp ý / feedback', String(req.params.id));
      return f;
    },
  );
  app.post(
    '/api/feedback/:id/answer',
    {
      schema: {
        tags: ['feedback'],
        summary:
          'Answer publicly (reviewers of the unit the feedback was routed to); the first answer records the response time',
        params: zId,
        body: z.object({ answer: z.string().min(2).max(8000), version: z.number().int() }).strict(),
      },
      config: { policy: policy.onUnits('reviewer', routedUnit) },
    },
    async (req) => tx((t) => answerFeedback(t, actorOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/feedback/:id/hide',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Hide abusive feedback from the public, with a reason (administrators of its unit; audited)',
        params: zId,
        body: z.object({ reason: z.string().min(3).max(2000), version: z.number().int() }).strict(),
      },
      config: { policy: policy.onUnits('admin', routedUnit) },
    },
    async (req) => tx((t) => hideFeedback(t, actorOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/feedback/:id/unhide',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Show hidden feedback again, with a reason (administrators of its unit; audited)',
        params: zId,
        body: z.object({ reason: z.string().min(3).max(2000), version: z.number().int() }).strict(),
      },
      config: { policy: policy.onUnits('admin', routedUnit) },
    },
    async (req) => tx((t) => unhideFeedback(t, actorOf(req), req.params.id, req.body)),
  );
}
