/**
 * The reporting-rounds API: forms, validation rules, rounds, submissions and their workflow
 * (POST /api/submissions/:id/submit|return|approve|lock|reopen), values with versions, evidence,
 * signatures, inboxes, reminders and reporting contacts. Every route declares its policy; use cases
 * check role and scope again per submission.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { reminderScheduleFromEnv, startReminderScheduler } from '../../../app/rounds/reminder-scheduler.ts';
import { mailerFromEnv } from '../../../app/rounds/send-reminders.ts';
import { MAX_ATTACHMENT_BYTES } from '../../../app/rounds/upload-attachment.ts';
import type { Tx } from '../../../store/db.ts';
import type { App, ServerDeps } from '../../server.ts';
import { definitionRoutes } from './definitions.ts';
import { evidenceRoutes } from './evidence.ts';
import { roundRoutes } from './rounds.ts';
import { submissionRoutes } from './submissions.ts';

export default async function roundsRoutes(app: App, deps: ServerDeps): Promise<void> {
  // Encapsulated, so that the multipart parser serves these routes only.
  await app.register(async (scope: FastifyInstance) => {
    await scope.register(multipart, {
      limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 10, parts: 11 },
      throwFileSizeLimit: true,
    });
    const r = scope.withTypeProvider<ZodTypeProvider>() as unknown as App;
    const tx = <T>(fn: (t: Tx) => Promise<T>): Promise<T> => deps.store.db.transaction(fn);
    definitionRoutes(r, deps, tx);
    roundRoutes(r, deps, tx);
    submissionRoutes(r, deps, tx);
    evidenceRoutes(r, deps, tx);
  });
  // Reminders without a person asking: off unless CHISO_REMINDERS_HOUR is set (docs/OPERATIONS.md).
  const schedule = reminderScheduleFromEnv();
  if (schedule) {
    const scheduler = startReminderScheduler(schedule, {
      store: deps.store,
      mailer: () => mailerFromEnv(),
      publicUrl: deps.config.publicUrl,
      log: app.log,
    });
    app.addHook('onClose', async () => {
      await scheduler.stop();
    });
  }
}
