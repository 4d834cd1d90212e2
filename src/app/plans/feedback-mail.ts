/**
 * E-mail to the responsible unit when new public feedback arrives: the reporting contacts (cán bộ
 * đầu mối) of the unit the feedback was routed to get one message (Vietnamese, then English) with
 * the text of the feedback and the way to their inbox — never the sender's contact or address. Sent
 * through the SMTP mailer of the reminders (CHISO_SMTP_URL); without one, or without contacts,
 * nothing is sent. Each attempt is recorded in the audit log (`feedback.notify`). A failure to mail
 * never undoes the feedback: it is reported to the caller, who logs it.
 */
import { sql } from 'drizzle-orm';
import { type Executor, rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import type { Mailer } from '../rounds/send-reminders.ts';
import type { PublicFeedback } from './feedback.ts';

export interface FeedbackNotice {
  to: string[];
  rejected: string[];
  error: string | null;
}

const viDate = (iso: string): string => {
  const d = new Date(iso);
  const vn = new Date(d.getTime() + 7 * 3600e3).toISOString();
  return `${vn.slice(8, 10)}/${vn.slice(5, 7)}/${vn.slice(0, 4)} ${vn.slice(11, 16)}`;
};

/** What the feedback is about, in words and as a public page. */
export function feedbackTarget(f: PublicFeedback): { vi: string; en: string; path: string } {
  if (f.target_kind === 'task' && f.plan && f.task_number)
    return {
      vi: `nhiệm vụ ${f.task_number} của kế hoạch ${f.plan}`,
      en: `task ${f.task_number} of plan ${f.plan}`,
      path: `/plans/${encodeURIComponent(f.plan)}/tasks/${encodeURIComponent(f.task_number)}`,
    };
  if (f.target_kind === 'plan' && f.plan)
    return { vi: `kế hoạch ${f.plan}`, en: `plan ${f.plan}`, path: `/plans/${encodeURIComponent(f.plan)}` };
  return {
    vi: `chỉ tiêu ${f.indicator}`,
    en: `indicator ${f.indicator}`,
    path: `/indicators/${encodeURIComponent(f.indicator ?? '')}`,
  };
}

/** The message to the unit's contacts, Vietnamese first. */
export function feedbackMessage(
  f: PublicFeedback,
  contacts: Array<{ name: string }>,
  publicUrl: string,
): { subject: string; text: string } {
  const target = feedbackTarget(f);
  const base = publicUrl.replace(/\/+$/, '');
  const subject = `[chiso] Góp ý mới về ${target.vi} / New feedback on ${target.en}`;
  const text = [
    `Kính gửi ${contacts.map((c) => c.name).join(', ')},`,
    '',
    `${f.routed_unit_name_vi} vừa nhận một góp ý của người dân về ${target.vi} (góp ý #${f.id}, lúc ${viDate(f.created_at)}):`,
    '',
    ...f.body.split('\n').map((l) => `> ${l}`),
    '',
    `Đề nghị đơn vị trả lời công khai tại hộp góp ý: ${base}/workspace/feedback (trang công khai: ${base}${target.path}). Thời gian phản hồi được ghi nhận.`,
    '',
    '---',
    '',
    `${f.routed_unit_name_vi} has received feedback from the public on ${target.en} (feedback #${f.id}). Please answer it publicly in the feedback inbox: ${base}/workspace/feedback. The response time is recorded.`,
    '',
    'chiso — hệ thống theo dõi chỉ tiêu / indicator tracking',
  ].join('\n');
  return { subject, text };
}

async function contactsOf(ex: Executor, unit: string) {
  return rows<{ name: string; email: string }>(
    ex,
    sql`select c.name, c.email from reporting_contact c join org_unit u on u.id = c.org_unit_id
        where u.code = ${unit} and c.archived_at is null order by c.id`,
  );
}

/**
 * E-mails the routed unit's contacts about a new feedback item. Returns null when there is no mailer
 * or no contact (nothing to do); otherwise who it went to, who refused it, and the error if sending
 * failed. The outcome is audited.
 */
export async function notifyNewFeedback(
  store: Store,
  f: PublicFeedback,
  mailer: Mailer | null,
  publicUrl: string,
): Promise<FeedbackNotice | null> {
  if (!mailer) return null;
  const contacts = await contactsOf(store.db, f.routed_unit);
  if (!contacts.length) return null;
  const to = [...new Set(contacts.map((c) => c.email))];
  const notice: FeedbackNotice = { to, rejected: [], error: null };
  try {
    const r = await mailer.send({ to, ...feedbackMessage(f, contacts, publicUrl) });
    notice.rejected = r.rejected;
  } catch (e) {
    notice.error = e instanceof Error ? e.message : String(e);
  }
  await store.db.transaction((tx) =>
    appendAudit(tx, {
      actor: 'system:mail',
      action: 'feedback.notify',
      entity: 'feedback',
      entityId: f.id,
      data: { org_unit: f.routed_unit, to, rejected: notice.rejected, error: notice.error },
    }),
  );
  return notice;
}
