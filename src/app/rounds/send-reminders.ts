/**
 * Reminders: listLate says who is late for which round — submissions of open rounds still in draft
 * or returned after their deadline (a calendar day in Vietnam) — with the unit's reporting contacts
 * and when they were last reminded. sendReminders e-mails each late unit's contacts through SMTP
 * (nodemailer; CHISO_SMTP_URL, sender CHISO_SMTP_FROM) and records each reminder sent as a
 * submission event and in the audit log. A failed delivery is reported and does not stop the others.
 */
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { ChisoError } from '../../core/errors.ts';
import { formatPeriodEn, formatPeriodVi, parsePeriod } from '../../core/period.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { type Caller, inSubtrees, isoTs, vnDate } from './access.ts';
import type { LateItem } from './schemas.ts';

export async function listLate(
  ex: Executor,
  roots: string[],
  f: { round?: number | undefined },
  options: { now?: Date } = {},
): Promise<LateItem[]> {
  const today = vnDate(options.now ?? new Date());
  const late = await rows<Omit<LateItem, 'contacts'> & { org_unit_id: number }>(
    ex,
    sql`select s.id as submission_id, s.round_id, f.code as form, f.name_vi as form_name_vi, r.period, u.code as org_unit,
          u.id as org_unit_id, u.name_vi as org_unit_name_vi, s.status, r.deadline::text as deadline,
          (${today}::date - r.deadline) as days_late,
          (select ${isoTs('max(e.at)')} from submission_event e where e.submission_id = s.id and e.action = 'remind') as last_reminded_at
        from submission s join round r on r.id = s.round_id join form f on f.id = r.form_id join org_unit u on u.id = s.org_unit_id
        where s.archived_at is null and r.archived_at is null and r.status = 'open' and s.status in ('draft', 'returned')
          and r.deadline < ${today}::date and ${inSubtrees(sql`u.path`, roots)}
          and (${f.round ?? null}::int is null or s.round_id = ${f.round ?? null})
        order by r.deadline, u.path`,
  );
  if (late.length === 0) return [];
  const contacts = await rows<{ org_unit_id: number; name: string; email: string }>(
    ex,
    sql`select org_unit_id, name, email from reporting_contact where archived_at is null and org_unit_id in (${sql.join(
      [...new Set(late.map((l) => l.org_unit_id))].map((id) => sql`${id}`),
      sql`, `,
    )}) order by name, id`,
  );
  return late.map(({ org_unit_id, ...l }) => ({
    ...l,
    contacts: contacts
      .filter((c) => c.org_unit_id === org_unit_id)
      .map(({ name, email }) => ({ name, email })),
  }));
}

export interface Mailer {
  from: string;
  /** Sends one message; resolves with the recipients the server refused (the others got it). */
  send(message: { to: string[]; subject: string; text: string }): Promise<{ rejected: string[] }>;
}

/** The SMTP mailer configured by CHISO_SMTP_URL (e.g. smtp://user:pass@host:587), or null. */
export function mailerFromEnv(env: NodeJS.ProcessEnv = process.env): Mailer | null {
  const url = env.CHISO_SMTP_URL;
  if (!url) return null;
  const from = env.CHISO_SMTP_FROM || 'chiso <no-reply@chiso.local>';
  const transport = nodemailer.createTransport(url);
  return {
    from,
    async send(m) {
      const info = await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
      const rejected = (info.rejected ?? []) as Array<string | { address: string }>;
      return { rejected: rejected.map((r) => (typeof r === 'string' ? r : r.address)) };
    },
  };
}

const viDate = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** The reminder e-mail of one late submission, Vietnamese first. */
export function reminderMessage(l: LateItem, publicUrl: string): { subject: string; text: string } {
  const p = parsePeriod(l.period);
  const subject = `[chiso] Nhắc nộp báo cáo ${l.form_name_vi} — ${formatPeriodVi(p)} — ${l.org_unit_name_vi} / Report overdue`;
  const text = [
    `Kính gửi ${l.contacts.map((c) => c.name).join(', ')},`,
    '',
    `Báo cáo "${l.form_name_vi}" kỳ ${formatPeriodVi(p)} của ${l.org_unit_name_vi} (mã ${l.org_unit}) đã quá hạn ${l.days_late} ngày (hạn nộp ${viDate(l.deadline)}); trạng thái hiện tại: ${l.status === 'returned' ? 'bị trả lại, chờ chỉnh sửa' : 'chưa gửi'}.`,
    `Đề nghị đơn vị hoàn thành và gửi báo cáo (mã báo cáo #${l.submission_id}) tại ${publicUrl}.`,
    '',
    '---',
    '',
    `The report "${l.form_name_vi}" for ${formatPeriodEn(p)} of ${l.org_unit_name_vi} (${l.org_unit}) is ${l.days_late} day(s) overdue (deadline ${l.deadline}); it is ${l.status === 'returned' ? 'returned for correction' : 'not yet submitted'}.`,
    `Please complete and submit it (submission #${l.submission_id}) at ${publicUrl}.`,
    '',
    'chiso — hệ thống theo dõi chỉ tiêu / indicator tracking',
  ].join('\n');
  return { subject, text };
}

export interface ReminderOutcome {
  sent: Array<{ submission_id: number; org_unit: string; to: string[]; rejected: string[] }>;
  failed: Array<{ submission_id: number; org_unit: string; error: string }>;
  no_contact: Array<{ submission_id: number; org_unit: string }>;
}

/**
 * E-mails the contacts of every late unit of the round within the caller's review scope. Each
 * delivered reminder is recorded in its own transaction right after delivery.
 */
export async function sendReminders(
  db: Executor,
  caller: Caller,
  roundId: number,
  mailer: Mailer | null,
  publicUrl: string,
  options: { now?: Date } = {},
): Promise<ReminderOutcome> {
  if (!mailer)
    throw new ChisoError({
      code: 'reminders.no_smtp',
      status: 503,
      vi: 'Máy chủ chưa cấu hình máy chủ thư (CHISO_SMTP_URL); chưa thể gửi thư nhắc.',
      en: 'No mail server is configured (CHISO_SMTP_URL); reminders cannot be e-mailed.',
    });
  const late = await listLate(db, caller.roots('reviewer'), { round: roundId }, options);
  const out: ReminderOutcome = { sent: [], failed: [], no_contact: [] };
  for (const l of late) {
    const to = l.contacts.map((c) => c.email);
    if (to.length === 0) {
      out.no_contact.push({ submission_id: l.submission_id, org_unit: l.org_unit });
      continue;
    }
    let rejected: string[];
    try {
      ({ rejected } = await mailer.send({ to, ...reminderMessage(l, publicUrl) }));
    } catch (e) {
      out.failed.push({ submission_id: l.submission_id, org_unit: l.org_unit, error: (e as Error).message });
      continue;
    }
    const delivered = to.filter((a) => !rejected.includes(a));
    await db.transaction(async (tx) => {
      await tx.execute(
        sql`insert into submission_event (submission_id, action, from_status, to_status, actor, data)
            values (${l.submission_id}, 'remind', ${l.status}, ${l.status}, ${caller.name}, ${JSON.stringify({ to: delivered, rejected, days_late: l.days_late })}::jsonb)`,
      );
      await appendAudit(tx, {
        actor: caller.name,
        action: 'submission.remind',
        entity: 'submission',
        entityId: l.submission_id,
        data: { to: delivered, rejected, days_late: l.days_late, round: l.round_id },
      });
    });
    out.sent.push({ submission_id: l.submission_id, org_unit: l.org_unit, to: delivered, rejected });
  }
  return out;
}
