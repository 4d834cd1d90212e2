/**
 * Reminders without a person asking: the server's scheduler (reminder-scheduler.ts) and
 * `chiso reminders send` e-mail the reporting contacts of every late submission of open rounds (all
 * units, or one round), at most once per submission and calendar day in Vietnam.
 *
 * Once a day, across processes: before an e-mail goes out, the submission's row of
 * `reminder_delivery` for today is claimed (INSERT … ON CONFLICT DO NOTHING — the database lets one
 * claimant win, on PGlite and on any number of server processes sharing one PostgreSQL). A failed
 * delivery marks the claim `failed`, and a later run may claim it again the same day; a sent (or
 * still claimed) one is never sent again that day. A submission reminded by hand today (POST
 * /api/rounds/:id/reminders) is skipped too. Each delivery is recorded as a `remind` event and in
 * the audit log, in one transaction with the claim's outcome.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { vnDate } from './access.ts';
import { getRound } from './open-round.ts';
import type { LateItem } from './schemas.ts';
import { listLate, type Mailer, reminderMessage } from './send-reminders.ts';

export const REMINDER_ACTOR = 'system:reminders';

type Ref = { submission_id: number; org_unit: string };

export interface DueReminderOutcome {
  day: string;
  dry_run: boolean;
  /** Delivered (dry run: would be sent), with the recipients the server accepted and refused. */
  sent: Array<Ref & { round_id: number; to: string[]; rejected: string[] }>;
  failed: Array<Ref & { error: string }>;
  no_contact: Ref[];
  /** Already reminded today (by hand, or by this or another process). */
  skipped: Array<Ref & { reason: 'reminded_today' | 'claimed' }>;
}

export interface DueReminderOptions {
  round?: number | undefined;
  dryRun?: boolean | undefined;
  now?: Date;
  /** Who the events and audit entries name (default system:reminders). */
  actor?: string;
}

/** Claims today's reminder of a submission; false when it is sent or being sent already. */
async function claim(store: Store, submissionId: number, day: string, actor: string): Promise<boolean> {
  const won = await rows<{ id: number }>(
    store.db,
    sql`insert into reminder_delivery (submission_id, day, status, claimed_by)
        values (${submissionId}, ${day}, 'claimed', ${actor})
        on conflict (submission_id, day) do update set status = 'claimed', claimed_by = excluded.claimed_by,
          claimed_at = now(), finished_at = null, error = null, attempts = reminder_delivery.attempts + 1
        where reminder_delivery.status = 'failed'
        returning id`,
  );
  return won.length === 1;
}

async function recordFailure(store: Store, l: LateItem, day: string, actor: string, error: string) {
  await store.db.transaction(async (tx) => {
    await tx.execute(
      sql`update reminder_delivery set status = 'failed', error = ${error}, finished_at = now()
          where submission_id = ${l.submission_id} and day = ${day}`,
    );
    await appendAudit(tx, {
      actor,
      action: 'submission.remind_failed',
      entity: 'submission',
      entityId: l.submission_id,
      data: { day, error, round: l.round_id },
    });
  });
}

async function recordDelivery(
  store: Store,
  l: LateItem,
  day: string,
  actor: string,
  delivered: string[],
  rejected: string[],
) {
  await store.db.transaction(async (tx) => {
    await tx.execute(
      sql`update reminder_delivery set status = 'sent', recipients = ${JSON.stringify(delivered)}::jsonb,
            rejected = ${JSON.stringify(rejected)}::jsonb, finished_at = now()
          where submission_id = ${l.submission_id} and day = ${day}`,
    );
    await tx.execute(
      sql`insert into submission_event (submission_id, action, from_status, to_status, actor, data)
          values (${l.submission_id}, 'remind', ${l.status}, ${l.status}, ${actor},
            ${JSON.stringify({ to: delivered, rejected, days_late: l.days_late, day, automatic: true })}::jsonb)`,
    );
    await appendAudit(tx, {
      actor,
      action: 'submission.remind',
      entity: 'submission',
      entityId: l.submission_id,
      data: { to: delivered, rejected, days_late: l.days_late, round: l.round_id, day, automatic: true },
    });
  });
}

/** E-mails the contacts of every late submission not yet reminded today (see the file's comment). */
export async function sendDueReminders(
  store: Store,
  mailer: Mailer | null,
  publicUrl: string,
  options: DueReminderOptions = {},
): Promise<DueReminderOutcome> {
  const now = options.now ?? new Date();
  const actor = options.actor ?? REMINDER_ACTOR;
  const dryRun = Boolean(options.dryRun);
  const day = vnDate(now);
  if (!mailer && !dryRun)
    throw new ChisoError({
      code: 'reminders.no_smtp',
      status: 503,
      vi: 'Máy chủ chưa cấu hình máy chủ thư (CHISO_SMTP_URL); chưa thể gửi thư nhắc.',
      en: 'No mail server is configured (CHISO_SMTP_URL); reminders cannot be e-mailed.',
    });
  if (options.round !== undefined && !(await getRound(store.db, options.round)))
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      field: 'round',
      vi: `Không có đợt báo cáo ${options.round}.`,
      en: `No round ${options.round}.`,
    });
  const late = await listLate(store.db, ['/'], { round: options.round }, { now });
  const out: DueReminderOutcome = { day, dry_run: dryRun, sent: [], failed: [], no_contact: [], skipped: [] };
  const today = new Map(
    (late.length
      ? await rows<{ submission_id: number; status: string }>(
          store.db,
          sql`select submission_id, status from reminder_delivery where day = ${day}
              and submission_id in (${sql.join(
                late.map((l) => sql`${l.submission_id}`),
                sql`, `,
              )})`,
        )
      : []
    ).map((d) => [d.submission_id, d.status]),
  );
  for (const l of late) {
    const ref = { submission_id: l.submission_id, org_unit: l.org_unit };
    const to = l.contacts.map((c) => c.email);
    if (to.length === 0) {
      out.no_contact.push(ref);
      continue;
    }
    const done = today.get(l.submission_id);
    if (done === 'claimed') {
      out.skipped.push({ ...ref, reason: 'claimed' });
      continue;
    }
    if (done === 'sent' || (l.last_reminded_at && vnDate(new Date(l.last_reminded_at)) === day)) {
      out.skipped.push({ ...ref, reason: 'reminded_today' });
      continue;
    }
    if (dryRun) {
      out.sent.push({ ...ref, round_id: l.round_id, to, rejected: [] });
      continue;
    }
    if (!(await claim(store, l.submission_id, day, actor))) {
      out.skipped.push({ ...ref, reason: 'claimed' });
      continue;
    }
    let rejected: string[];
    try {
      ({ rejected } = await mailer!.send({ to, ...reminderMessage(l, publicUrl) }));
    } catch (e) {
      const error = (e as Error).message;
      await recordFailure(store, l, day, actor, error);
      out.failed.push({ ...ref, error });
      continue;
    }
    const delivered = to.filter((a) => !rejected.includes(a));
    await recordDelivery(store, l, day, actor, delivered, rejected);
    out.sent.push({ ...ref, round_id: l.round_id, to: delivered, rejected });
  }
  return out;
}
