/**
 * Public feedback (góp ý) on a plan, a task or an indicator: anyone may send one (name and contact
 * optional); it is routed to the responsible unit — the task's lead unit, the indicator's responsible
 * unit, the plan's issuer (a task no unit leads goes to its plan's issuer; anything without a unit to
 * the top unit of the tree) — answered publicly by that unit's reviewers, its response time recorded,
 * and hidden by the unit's administrators when abusive, with a reason, audited. Nothing is deleted.
 *
 * Spam resistance without third-party services:
 * - a honeypot field (`website`) that people never see and robots fill in;
 * - a signed form token from `issueFeedbackToken`: the form must have been loaded at least
 *   FEEDBACK_MIN_SECONDS before it is sent, at most FEEDBACK_TOKEN_TTL_SECONDS, and a token serves once;
 * - limits on length and links, no links in the name or contact;
 * - duplicate detection: the same text (ignoring case, diacritics, spacing and punctuation) on the same
 *   target, or from the same sender, within FEEDBACK_DUPLICATE_HOURS;
 * - rate limits per sender address, kept in the database (feedback_rate) so that every server process
 *   shares them; the address itself is never stored, only a keyed hash of it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ChisoError } from '../../core/errors.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { todayInVietnam } from './plans.ts';

export const FEEDBACK_MIN_SECONDS = 3;
export const FEEDBACK_TOKEN_TTL_SECONDS = 2 * 60 * 60;
export const FEEDBACK_DUPLICATE_HOURS = 24;
export const FEEDBACK_BODY_MIN = 10;
export const FEEDBACK_BODY_MAX = 4000;
export const FEEDBACK_MAX_LINKS = 2;
/** Submissions per sender address: at most `max` in each fixed window of `seconds`. */
export const FEEDBACK_RATE_LIMITS: ReadonlyArray<{ kind: string; seconds: number; max: number }> = [
  { kind: 'm10', seconds: 10 * 60, max: 5 },
  { kind: 'd1', seconds: 24 * 60 * 60, max: 20 },
];

export const FEEDBACK_TARGETS = ['plan', 'task', 'indicator'] as const;
export type FeedbackTarget = (typeof FEEDBACK_TARGETS)[number];

export const zFeedbackInput = z.object({
  target_kind: z.enum(FEEDBACK_TARGETS),
  /** A plan code, a task id, or an indicator code. */
  target: z.union([z.string().min(1).max(64), z.number().int().positive()]),
  body: z.string().max(FEEDBACK_BODY_MAX * 2),
  author_name: z.string().max(500).nullish(),
  author_contact: z.string().max(500).nullish(),
  /** The form token from GET /api/feedback/token. */
  token: z.string().max(300),
  /** Honeypot: a field people never see. Must be empty. */
  website: z.string().max(2000).nullish(),
});
export type FeedbackInput = z.input<typeof zFeedbackInput>;

const LINK_RE =
  /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|info|biz|ru|cn|xyz|top|vn|io|co)\b(?:\/\S*)?/gi;
const HAS_LINK = new RegExp(LINK_RE.source, 'i');

// ---------------------------------------------------------------------------------------------
// Keys, tokens, hashes

/** The installation's feedback secret, created on first use. */
export async function feedbackSecret(ex: Executor): Promise<string> {
  const [row] = await rows<{ secret: string }>(ex, sql`select secret from feedback_key where id = 1`);
  if (row) return row.secret;
  const created = await rows<{ secret: string }>(
    ex,
    sql`insert into feedback_key (id, secret) values (1, ${randomBytes(32).toString('hex')}) on conflict (id) do nothing returning secret`,
  );
  if (created.length) {
    await appendAudit(ex, {
      actor: 'system',
      action: 'feedback_key.create',
      entity: 'feedback_key',
      entityId: 1,
    });
    return created[0]!.secret;
  }
  const [again] = await rows<{ secret: string }>(ex, sql`select secret from feedback_key where id = 1`);
  return again!.secret;
}

const b64url = (b: Buffer): string => b.toString('base64url');
const sign = (secret: string, payload: string): string =>
  b64url(createHmac('sha256', secret).update(`feedback-token:${payload}`).digest());

/** A form token issued at `now`: 'v1.<seconds>.<nonce>.<signature>'. */
export function signFeedbackToken(secret: string, now: Date, nonce = b64url(randomBytes(16))): string {
  const payload = `v1.${Math.floor(now.getTime() / 1000)}.${nonce}`;
  return `${payload}.${sign(secret, payload)}`;
}

export async function issueFeedbackToken(
  ex: Executor,
  now: Date = new Date(),
): Promise<{ token: string; issued_at: string; not_before: string; expires_at: string }> {
  const secret = await feedbackSecret(ex);
  const token = signFeedbackToken(secret, now);
  const at = Math.floor(now.getTime() / 1000) * 1000;
  return {
    token,
    issued_at: new Date(at).toISOString(),
    not_before: new Date(at + FEEDBACK_MIN_SECONDS * 1000).toISOString(),
    expires_at: new Date(at + FEEDBACK_TOKEN_TTL_SECONDS * 1000).toISOString(),
  };
}

function rejected(code: string, vi: string, en: string, status = 400, field?: string): ChisoError {
  return new ChisoError({ code, status, vi, en, ...(field ? { field } : {}) });
}

/** Checks a token's signature and age; returns its nonce. */
export function verifyFeedbackToken(secret: string, token: string, now: Date): string {
  const parts = token.split('.');
  const invalid = () =>
    rejected(
      'feedback.token_invalid',
      'Mã biểu mẫu không hợp lệ. Hãy tải lại trang và gửi lại.',
      'The form token is invalid. Reload the page and send again.',
      400,
      'token',
    );
  if (parts.length !== 4 || parts[0] !== 'v1' || !/^\d{1,12}$/.test(parts[1]!)) throw invalid();
  const payload = parts.slice(0, 3).join('.');
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(parts[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  const age = now.getTime() / 1000 - Number(parts[1]);
  if (age < FEEDBACK_MIN_SECONDS) {
    throw rejected(
      'feedback.too_fast',
      `Góp ý được gửi quá nhanh sau khi mở biểu mẫu (cần ít nhất ${FEEDBACK_MIN_SECONDS} giây). Hãy thử lại.`,
      `The feedback was sent too soon after the form was opened (at least ${FEEDBACK_MIN_SECONDS} seconds). Try again.`,
      400,
      'token',
    );
  }
  if (age > FEEDBACK_TOKEN_TTL_SECONDS) {
    throw rejected(
      'feedback.token_expired',
      'Biểu mẫu đã mở quá lâu. Hãy tải lại trang và gửi lại.',
      'The form has been open too long. Reload the page and send again.',
      400,
      'token',
    );
  }
  return parts[2]!;
}

/** A keyed hash of the sender's address: the same address gives the same hash, the hash gives no address. */
export const addressHash = (secret: string, ip: string): string =>
  createHmac('sha256', secret).update(`ip:${ip}`).digest('hex').slice(0, 40);

/** The hash used to spot the same text sent again. */
export const textHash = (body: string): string =>
  createHash('sha256')
    .update(
      foldVi(body)
        .replace(/[^a-z0-9]+/g, ' ')
        .trim(),
    )
    .digest('hex');

// ---------------------------------------------------------------------------------------------
// Rate limiting

export interface RateVerdict {
  /** Seconds until the window that refused ends. */
  retry: number;
  limit: { kind: string; seconds: number; max: number };
}

/**
 * Counts one attempt from an address in every window; returns the limit passed, if any. Run it in a
 * transaction of its own, committed whatever becomes of the attempt (refused attempts count too).
 */
export async function countFeedbackAttempt(
  ex: Executor,
  ipHash: string,
  now: Date,
): Promise<RateVerdict | null> {
  const t = now.getTime();
  let worst: RateVerdict | null = null;
  for (const limit of FEEDBACK_RATE_LIMITS) {
    const start = Math.floor(t / (limit.seconds * 1000)) * limit.seconds * 1000;
    const [r] = await rows<{ count: number }>(
      ex,
      sql`insert into feedback_rate (ip_hash, window_kind, window_start, count) values (${ipHash}, ${limit.kind}, ${new Date(start).toISOString()}, 1)
          on conflict (ip_hash, window_kind, window_start) do update set count = feedback_rate.count + 1
          returning count`,
    );
    if ((r?.count ?? 0) > limit.max) {
      const retry = Math.ceil((start + limit.seconds * 1000 - t) / 1000);
      if (!worst || retry > worst.retry) worst = { retry, limit };
    }
  }
  // Counters of windows long past are of no further use.
  await ex.execute(
    sql`delete from feedback_rate where window_start < ${new Date(t - 2 * 86400 * 1000).toISOString()}`,
  );
  return worst;
}

/** The refusal of an attempt over a rate limit (429, with the seconds to wait). */
export function rateLimited(worst: RateVerdict): ChisoError {
  return new ChisoError({
    code: 'feedback.rate_limited',
    status: 429,
    vi: `Bạn đã gửi quá nhiều góp ý (tối đa ${worst.limit.max} trong ${worst.limit.seconds / 60} phút). Hãy thử lại sau ${worst.retry} giây.`,
    en: `Too many feedback messages (at most ${worst.limit.max} per ${worst.limit.seconds / 60} minutes). Try again in ${worst.retry} seconds.`,
    details: { retry_after: worst.retry },
  });
}

// ---------------------------------------------------------------------------------------------
// Submitting

interface ResolvedTarget {
  kind: FeedbackTarget;
  planId: number | null;
  taskId: number | null;
  indicatorId: number | null;
  routedUnitId: number;
  label: string;
}

async function topUnit(ex: Executor): Promise<number> {
  const [u] = await rows<{ id: number }>(
    ex,
    sql`select id from org_unit where parent_id is null and archived_at is null
          and (valid_to is null or valid_to >= ${todayInVietnam()}) order by id limit 1`,
  );
  if (!u) {
    throw new ChisoError({
      code: 'feedback.no_unit',
      status: 409,
      vi: 'Chưa có đơn vị nào để nhận góp ý.',
      en: 'There is no unit to receive feedback yet.',
    });
  }
  return u.id;
}

const notFound = (what: { vi: string; en: string }, key: string | number): ChisoError =>
  new ChisoError({
    code: 'not_found',
    status: 404,
    field: 'target',
    vi: `Không có ${what.vi} '${key}'.`,
    en: `There is no ${what.en} '${key}'.`,
  });

/** The target of a feedback item and the unit it goes to. */
export async function resolveFeedbackTarget(
  ex: Executor,
  kind: FeedbackTarget,
  target: string | number,
): Promise<ResolvedTarget> {
  if (kind === 'plan') {
    const [p] = await rows<{ id: number; code: string; issuer_unit_id: number | null }>(
      ex,
      sql`select id, code, issuer_unit_id from plan where code = ${String(target)} and archived_at is null and status <> 'draft'`,
    );
    if (!p) throw notFound({ vi: 'kế hoạch', en: 'plan' }, target);
    return {
      kind,
      planId: p.id,
      taskId: null,
      indicatorId: null,
      routedUnitId: p.issuer_unit_id ?? (await topUnit(ex)),
      label: p.code,
    };
  }
  if (kind === 'task') {
    const id = typeof target === 'number' ? target : /^\d{1,9}$/.test(target) ? Number(target) : Number.NaN;
    if (!Number.isInteger(id)) throw notFound({ vi: 'nhiệm vụ', en: 'task' }, target);
    const [t] = await rows<{
      id: number;
      plan_id: number;
      number: string;
      plan: string;
      lead_unit_id: number | null;
      co_lead_unit_id: number | null;
      issuer_unit_id: number | null;
    }>(
      ex,
      sql`select t.id, t.plan_id, t.number, p.code as plan, t.lead_unit_id, p.issuer_unit_id,
            (select a.org_unit_id from task_assignment a where a.task_id = t.id and a.role = 'co_lead' and a.org_unit_id is not null
               and a.archived_at is null order by a.sort limit 1) as co_lead_unit_id
          from task t join plan p on p.id = t.plan_id
          where t.id = ${id} and t.archived_at is null and p.archived_at is null and p.status <> 'draft'`,
    );
    if (!t) throw notFound({ vi: 'nhiệm vụ', en: 'task' }, target);
    return {
      kind,
      planId: t.plan_id,
      taskId: t.id,
      indicatorId: null,
      routedUnitId: t.lead_unit_id ?? t.co_lead_unit_id ?? t.issuer_unit_id ?? (await topUnit(ex)),
      label: `${t.plan} ${t.number}`,
    };
  }
  const [i] = await rows<{ id: number; code: string; responsible_unit_id: number | null }>(
    ex,
    sql`select id, code, responsible_unit_id from indicator where code = ${String(target)} and archived_at is null and published`,
  );
  if (!i) throw notFound({ vi: 'chỉ tiêu', en: 'indicator' }, target);
  return {
    kind,
    planId: null,
    taskId: null,
    indicatorId: i.id,
    routedUnitId: i.responsible_unit_id ?? (await topUnit(ex)),
    label: i.code,
  };
}

/** True for control and invisible formatting characters (line breaks excepted). */
const isControl = (c: number): boolean =>
  (c < 0x20 && c !== 0x0a) || c === 0x7f || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e);

/** Removes control characters (but line breaks) and trims. */
const clean = (s: string | null | undefined): string | null => {
  if (s === null || s === undefined) return null;
  const t = Array.from(s.replace(/\r\n?/g, '\n'))
    .filter((ch) => !isControl(ch.codePointAt(0)!))
    .join('')
    .trim();
  return t === '' ? null : t;
};

export interface PublicFeedback {
  id: number;
  target_kind: FeedbackTarget;
  plan: string | null;
  task_id: number | null;
  task_number: string | null;
  indicator: string | null;
  body: string;
  author_name: string | null;
  status: 'new' | 'answered';
  created_at: string;
  routed_unit: string;
  routed_unit_name_vi: string;
  answer: string | null;
  answered_at: string | null;
  response_time_seconds: number | null;
}

export interface InboxFeedback extends Omit<PublicFeedback, 'status'> {
  status: 'new' | 'answered' | 'hidden';
  author_contact: string | null;
  answered_by: string | null;
  hidden_reason: string | null;
  hidden_by: string | null;
  hidden_at: string | null;
  version: number;
}

const PUBLIC_COLUMNS = sql`f.id, f.target_kind, p.code as plan, f.task_id, t.number as task_number, i.code as indicator, f.body,
  f.author_name, f.status, f.created_at, u.code as routed_unit, u.name_vi as routed_unit_name_vi, f.answer, f.answered_at,
  f.response_time_seconds`;
const INBOX_COLUMNS = sql`${PUBLIC_COLUMNS}, f.author_contact, f.answered_by, f.hidden_reason, f.hidden_by, f.hidden_at, f.version`;
const FEEDBACK_FROM = sql`feedback f left join plan p on p.id = f.plan_id left join task t on t.id = f.task_id
  left join indicator i on i.id = f.indicator_id join org_unit u on u.id = f.routed_unit_id`;

export interface SubmitContext {
  /** The sender's address (req.ip). */
  ip: string;
  now?: Date;
}

/**
 * Takes one feedback item from the public. Counts the attempt against the sender's rate limits in a
 * transaction of its own (kept even when the item is refused), then checks and stores the item in
 * another. Every refusal is a ChisoError with the rule that refused it.
 */
export async function submitFeedback(
  store: Store,
  raw: FeedbackInput,
  context: SubmitContext,
): Promise<PublicFeedback> {
  const now = context.now ?? new Date();
  const secret = await store.db.transaction((tx) => feedbackSecret(tx));
  const ipHash = addressHash(secret, context.ip);
  const verdict = await store.db.transaction((tx) => countFeedbackAttempt(tx, ipHash, now));
  if (verdict) throw rateLimited(verdict);
  const input = zFeedbackInput.parse(raw);
  if (input.website && input.website.trim() !== '') {
    throw rejected(
      'feedback.rejected',
      'Không nhận được góp ý này.',
      'This feedback cannot be accepted.',
      400,
    );
  }
  const nonce = verifyFeedbackToken(secret, input.token, now);
  const body = clean(input.body) ?? '';
  const name = clean(input.author_name);
  const contact = clean(input.author_contact);
  if (body.length < FEEDBACK_BODY_MIN) {
    throw rejected(
      'feedback.too_short',
      `Nội dung góp ý cần ít nhất ${FEEDBACK_BODY_MIN} ký tự.`,
      `Feedback needs at least ${FEEDBACK_BODY_MIN} characters.`,
      400,
      'body',
    );
  }
  if (body.length > FEEDBACK_BODY_MAX) {
    throw rejected(
      'feedback.too_long',
      `Nội dung góp ý dài quá ${FEEDBACK_BODY_MAX} ký tự.`,
      `Feedback is longer than ${FEEDBACK_BODY_MAX} characters.`,
      400,
      'body',
    );
  }
  const links = body.match(LINK_RE)?.length ?? 0;
  if (links > FEEDBACK_MAX_LINKS) {
    throw rejected(
      'feedback.too_many_links',
      `Góp ý chứa ${links} liên kết; tối đa ${FEEDBACK_MAX_LINKS}.`,
      `The feedback holds ${links} links; at most ${FEEDBACK_MAX_LINKS}.`,
      400,
      'body',
    );
  }
  for (const [field, value, max] of [
    ['author_name', name, 100],
    ['author_contact', contact, 200],
  ] as const) {
    if (value === null) continue;
    if (value.length > max) {
      throw rejected(
        'feedback.too_long',
        `Trường '${field}' dài quá ${max} ký tự.`,
        `Field '${field}' is longer than ${max} characters.`,
        400,
        field,
      );
    }
    if (field === 'author_name' && (HAS_LINK.test(value) || /[\n<>]/.test(value))) {
      throw rejected(
        'feedback.link_in_name',
        'Tên người gửi không được chứa liên kết hay ký tự đặc biệt.',
        'The sender name must not hold links or special characters.',
        400,
        field,
      );
    }
  }
  const bodyHash = textHash(body);
  return store.db.transaction(async (tx) => {
    const target = await resolveFeedbackTarget(tx, input.target_kind, input.target);
    const since = new Date(now.getTime() - FEEDBACK_DUPLICATE_HOURS * 3600 * 1000).toISOString();
    const [dup] = await rows<{ id: number }>(
      tx,
      sql`select id from feedback where body_hash = ${bodyHash} and created_at >= ${since}
            and (ip_hash = ${ipHash} or (target_kind = ${target.kind} and plan_id is not distinct from ${target.planId}
                 and task_id is not distinct from ${target.taskId} and indicator_id is not distinct from ${target.indicatorId}))
          limit 1`,
    );
    if (dup) {
      throw rejected(
        'feedback.duplicate',
        'Góp ý này đã được gửi trước đó.',
        'This feedback has already been sent.',
        409,
        'body',
      );
    }
    const [used] = await rows<{ id: number }>(tx, sql`select id from feedback where token_nonce = ${nonce}`);
    if (used) {
      throw rejected(
        'feedback.token_used',
        'Biểu mẫu này đã được dùng để gửi một góp ý. Hãy tải lại trang để gửi góp ý khác.',
        'This form was already used to send feedback. Reload the page to send another.',
        409,
        'token',
      );
    }
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into feedback (target_kind, plan_id, task_id, indicator_id, body, author_name, author_contact, routed_unit_id,
            ip_hash, body_hash, token_nonce, created_at, updated_at)
          values (${target.kind}, ${target.planId}, ${target.taskId}, ${target.indicatorId}, ${body}, ${name}, ${contact},
            ${target.routedUnitId}, ${ipHash}, ${bodyHash}, ${nonce}, ${now.toISOString()}, ${now.toISOString()})
          returning id`,
    );
    await appendAudit(tx, {
      actor: 'public',
      action: 'feedback.create',
      entity: 'feedback',
      entityId: row!.id,
      data: {
        target_kind: target.kind,
        target: target.label,
        routed_unit_id: target.routedUnitId,
        length: body.length,
      },
    });
    return (await getPublicFeedback(tx, row!.id))!;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function getPublicFeedback(ex: Executor, id: number): Promise<PublicFeedback | null> {
  const [f] = await rows<PublicFeedback>(
    ex,
    sql`select ${PUBLIC_COLUMNS} from ${FEEDBACK_FROM} where f.id = ${id} and f.status <> 'hidden'`,
  );
  return f ?? null;
}

export async function getInboxFeedback(
  ex: Executor,
  id: number,
): Promise<(InboxFeedback & { routed_unit_path: string }) | null> {
  const [f] = await rows<InboxFeedback & { routed_unit_path: string }>(
    ex,
    sql`select ${INBOX_COLUMNS}, u.path as routed_unit_path from ${FEEDBACK_FROM} where f.id = ${id}`,
  );
  return f ?? null;
}

export interface FeedbackFilter {
  target_kind?: FeedbackTarget | undefined;
  plan?: string | undefined;
  task?: number | undefined;
  indicator?: string | undefined;
  status?: string | undefined;
  unit?: string | undefined;
}

function feedbackWhere(f: FeedbackFilter, publicOnly: boolean) {
  const parts = [publicOnly ? sql`f.status <> 'hidden'` : sql`true`];
  if (f.target_kind) parts.push(sql`f.target_kind = ${f.target_kind}`);
  if (f.plan) parts.push(sql`p.code = ${f.plan}`);
  if (f.task !== undefined) parts.push(sql`f.task_id = ${f.task}`);
  if (f.indicator) parts.push(sql`i.code = ${f.indicator}`);
  if (f.status) parts.push(sql`f.status = ${f.status}`);
  if (f.unit) parts.push(sql`u.code = ${f.unit}`);
  return sql.join(parts, sql` and `);
}

/** The public list: answered and unanswered items, never hidden ones, never contacts. */
export async function listPublicFeedback(
  ex: Executor,
  f: FeedbackFilter,
  page: { limit: number; offset: number },
): Promise<{ items: PublicFeedback[]; total: number }> {
  if (f.status === 'hidden') return { items: [], total: 0 };
  const where = feedbackWhere(f, true);
  const [c] = await rows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from ${FEEDBACK_FROM} where ${where}`,
  );
  const items = await rows<PublicFeedback>(
    ex,
    sql`select ${PUBLIC_COLUMNS} from ${FEEDBACK_FROM} where ${where} order by f.created_at desc, f.id desc
        limit ${page.limit} offset ${page.offset}`,
  );
  return { items, total: c?.n ?? 0 };
}

/** A unit's inbox: every item routed to a unit under one of `scopePaths`, with contacts and hidden items. */
export async function listInbox(
  ex: Executor,
  scopePaths: string[],
  f: FeedbackFilter,
  page: { limit: number; offset: number },
): Promise<{
  items: InboxFeedback[];
  total: number;
  summary: { new: number; answered: number; hidden: number; mean_response_seconds: number | null };
}> {
  if (scopePaths.length === 0)
    return { items: [], total: 0, summary: { new: 0, answered: 0, hidden: 0, mean_response_seconds: null } };
  const scope = sql.join(
    scopePaths.map((p) => sql`u.path like ${`${p}%`}`),
    sql` or `,
  );
  const where = sql`(${scope}) and ${feedbackWhere(f, false)}`;
  const [c] = await rows<{ n: number; new: number; answered: number; hidden: number; mean: number | null }>(
    ex,
    sql`select count(*)::int as n, count(*) filter (where f.status = 'new')::int as new,
          count(*) filter (where f.status = 'answered')::int as answered, count(*) filter (where f.status = 'hidden')::int as hidden,
          round(avg(f.response_time_seconds))::int as mean
        from ${FEEDBACK_FROM} where ${where}`,
  );
  const items = await rows<InboxFeedback>(
    ex,
    sql`select ${INBOX_COLUMNS} from ${FEEDBACK_FROM} where ${where}
        order by (f.status = 'new') desc, f.created_at desc, f.id desc limit ${page.limit} offset ${page.offset}`,
  );
  return {
    items,
    total: c?.n ?? 0,
    summary: {
      new: c?.new ?? 0,
      answered: c?.answered ?? 0,
      hidden: c?.hidden ?? 0,
      mean_response_seconds: c?.mean ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Answering and moderating

const staleFeedback = (current: unknown): ChisoError =>
  new ChisoError({
    code: 'conflict.stale_version',
    status: 409,
    vi: 'Góp ý đã được người khác xử lý. Hãy tải lại và thử lại.',
    en: 'The feedback was handled by someone else. Reload and try again.',
    details: { current },
  });

async function current(ex: Executor, id: number) {
  const [f] = await rows<{
    id: number;
    status: string;
    answer: string | null;
    version: number;
    created_at: string;
  }>(ex, sql`select id, status, answer, version, created_at from feedback where id = ${id} for update`);
  if (!f) {
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có góp ý ${id}.`,
      en: `There is no feedback ${id}.`,
    });
  }
  return f;
}

/**
 * Answers publicly. The first answer records the response time (seconds from submission to answer);
 * a later correction changes the text and keeps the first answer's time.
 */
export async function answerFeedback(
  ex: Executor,
  actor: string,
  id: number,
  input: { answer: string; version: number },
  now: Date = new Date(),
): Promise<InboxFeedback> {
  const f = await current(ex, id);
  if (f.version !== input.version) throw staleFeedback(await getInboxFeedback(ex, id));
  if (f.status === 'hidden') {
    throw new ChisoError({
      code: 'feedback.hidden',
      status: 409,
      vi: 'Góp ý này đã bị ẩn; hãy bỏ ẩn trước khi trả lời.',
      en: 'This feedback is hidden; unhide it before answering.',
    });
  }
  const answer = clean(input.answer);
  if (!answer || answer.length < 2) {
    throw rejected('feedback.answer_empty', 'Câu trả lời trống.', 'The answer is empty.', 400, 'answer');
  }
  const at = now.toISOString();
  if (f.status === 'new') {
    await ex.execute(
      sql`update feedback set status = 'answered', answer = ${answer}, answered_by = ${actor}, answered_at = ${at},
          response_time_seconds = greatest(0, floor(extract(epoch from (${at}::timestamptz - created_at))))::int,
          version = version + 1, updated_at = ${at} where id = ${id}`,
    );
  } else {
    await ex.execute(
      sql`update feedback set answer = ${answer}, answered_by = ${actor}, version = version + 1, updated_at = ${at} where id = ${id}`,
    );
  }
  const out = (await getInboxFeedback(ex, id))!;
  await appendAudit(ex, {
    actor,
    action: f.status === 'new' ? 'feedback.answer' : 'feedback.answer_edit',
    entity: 'feedback',
    entityId: id,
    data: {
      answer,
      ...(f.answer ? { previous_answer: f.answer } : {}),
      response_time_seconds: out.response_time_seconds,
    },
  });
  return out;
}

/** Hides an item from the public (abuse, spam, personal data), with a reason. Audited; never deleted. */
export async function hideFeedback(
  ex: Executor,
  actor: string,
  id: number,
  input: { reason: string; version: number },
): Promise<InboxFeedback> {
  const f = await current(ex, id);
  if (f.version !== input.version) throw staleFeedback(await getInboxFeedback(ex, id));
  const reason = clean(input.reason);
  if (!reason || reason.length < 3) {
    throw rejected(
      'feedback.reason_required',
      'Cần nêu lý do ẩn góp ý.',
      'A reason for hiding is required.',
      400,
      'reason',
    );
  }
  if (f.status === 'hidden') {
    throw new ChisoError({
      code: 'feedback.already_hidden',
      status: 409,
      vi: 'Góp ý này đã bị ẩn.',
      en: 'This feedback is already hidden.',
    });
  }
  await ex.execute(
    sql`update feedback set status = 'hidden', hidden_reason = ${reason}, hidden_by = ${actor}, hidden_at = now(),
        version = version + 1, updated_at = now() where id = ${id}`,
  );
  await appendAudit(ex, {
    actor,
    action: 'feedback.hide',
    entity: 'feedback',
    entityId: id,
    data: { reason, previous_status: f.status },
  });
  return (await getInboxFeedback(ex, id))!;
}

/** Shows a hidden item again (answered if it had an answer, else new). Audited. */
export async function unhideFeedback(
  ex: Executor,
  actor: string,
  id: number,
  input: { reason: string; version: number },
): Promise<InboxFeedback> {
  const f = await current(ex, id);
  if (f.version !== input.version) throw staleFeedback(await getInboxFeedback(ex, id));
  if (f.status !== 'hidden') {
    throw new ChisoError({
      code: 'feedback.not_hidden',
      status: 409,
      vi: 'Góp ý này không bị ẩn.',
      en: 'This feedback is not hidden.',
    });
  }
  const reason = clean(input.reason);
  if (!reason || reason.length < 3) {
    throw rejected(
      'feedback.reason_required',
      'Cần nêu lý do bỏ ẩn.',
      'A reason for unhiding is required.',
      400,
      'reason',
    );
  }
  const status = f.answer ? 'answered' : 'new';
  await ex.execute(
    sql`update feedback set status = ${status}, version = version + 1, updated_at = now() where id = ${id}`,
  );
  await appendAudit(ex, {
    actor,
    action: 'feedback.unhide',
    entity: 'feedback',
    entityId: id,
    data: { reason, status },
  });
  return (await getInboxFeedback(ex, id))!;
}
