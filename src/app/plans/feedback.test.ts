/**
 * Feedback: from submitted to answered with the response time recorded; routing to the responsible
 * unit; the spam rules (honeypot, form token age and reuse, links, length, duplicates); rate limits
 * kept in the database; hiding audited and effective on the public list.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import { ChisoError } from '../../core/errors.ts';
import { rows, type Store } from '../../store/db.ts';
import {
  addressHash,
  answerFeedback,
  FEEDBACK_MIN_SECONDS,
  FEEDBACK_RATE_LIMITS,
  FEEDBACK_TOKEN_TTL_SECONDS,
  feedbackSecret,
  getInboxFeedback,
  hideFeedback,
  issueFeedbackToken,
  listInbox,
  listPublicFeedback,
  signFeedbackToken,
  submitFeedback,
  textHash,
  unhideFeedback,
  verifyFeedbackToken,
} from './feedback.ts';

let store: Store;
let secret: string;
beforeAll(async () => {
  store = await openDemoStore();
  secret = await store.db.transaction((tx) => feedbackSecret(tx));
});
afterAll(() => store.close());

const T0 = new Date('2026-03-02T08:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
let ipCounter = 0;
const freshIp = () => `203.0.113.${++ipCounter}`;
/** A token issued `age` seconds before `now`. */
const tokenAt = (now: Date, age = 30) => signFeedbackToken(secret, new Date(now.getTime() - age * 1000));

async function refusal(f: () => Promise<unknown>): Promise<ChisoError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const feedbackCount = async () =>
  (await rows<{ n: number }>(store.db, sql`select count(*)::int as n from feedback`))[0]!.n;
const taskId = async (plan: string, number: string) =>
  (
    await rows<{ id: number }>(
      store.db,
      sql`select t.id from task t join plan p on p.id = t.plan_id where p.code = ${plan} and t.number = ${number}`,
    )
  )[0]!.id;
const unitPath = async (code: string) =>
  (await rows<{ path: string }>(store.db, sql`select path from org_unit where code = ${code}`))[0]!.path;

describe('a feedback item, from submitted to answered', () => {
  it('is routed to the task’s lead unit, answered publicly, and its response time recorded', async () => {
    const task = await taskId('681/KH-UBND', 'IV.2.a');
    const sent = await submitFeedback(
      store,
      {
        target_kind: 'task',
        target: task,
        body: 'Đề nghị công bố kế hoạch truyền thông cho Chương trình chuyển đổi số trên cổng thông tin.',
        author_name: 'Nguyễn Văn A',
        author_contact: 'nva@example.org',
        token: tokenAt(T0),
        website: '',
      },
      { ip: freshIp(), now: T0 },
    );
    expect(sent).toMatchObject({
      target_kind: 'task',
      plan: '681/KH-UBND',
      task_number: 'IV.2.a',
      status: 'new',
      routed_unit: '79.STTTT',
      author_name: 'Nguyễn Văn A',
      answer: null,
      response_time_seconds: null,
    });
    expect(sent).not.toHaveProperty('author_contact');

    const inbox = await listInbox(
      store.db,
      [await unitPath('79.STTTT')],
      { status: 'new' },
      { limit: 10, offset: 0 },
    );
    const mine = inbox.items.find((f) => f.id === sent.id)!;
    expect(mine).toMatchObject({ author_contact: 'nva@example.org', status: 'new', version: 1 });
    expect(inbox.summary.new).toBeGreaterThanOrEqual(1);
    // Another unit's inbox does not hold it.
    const other = await listInbox(store.db, [await unitPath('79.SYT')], {}, { limit: 100, offset: 0 });
    expect(other.items.some((f) => f.id === sent.id)).toBe(false);

    const answered = await store.db.transaction((tx) =>
      answerFeedback(
        tx,
        'reviewer@79.STTTT',
        sent.id,
        { answer: 'Cảm ơn góp ý. Kế hoạch truyền thông đã được đăng tải.', version: 1 },
        at(2 * 3600 + 15 * 60 + 7),
      ),
    );
    expect(answered).toMatchObject({
      status: 'answered',
      answered_by: 'reviewer@79.STTTT',
      response_time_seconds: 8107,
      version: 2,
    });

    const pub = await listPublicFeedback(store.db, { task }, { limit: 10, offset: 0 });
    expect(pub.items).toEqual([
      expect.objectContaining({
        id: sent.id,
        status: 'answered',
        answer: 'Cảm ơn góp ý. Kế hoạch truyền thông đã được đăng tải.',
        response_time_seconds: 8107,
      }),
    ]);
    expect(pub.items[0]).not.toHaveProperty('author_contact');

    // A correction keeps the first response time.
    const edited = await store.db.transaction((tx) =>
      answerFeedback(
        tx,
        'reviewer@79.STTTT',
        sent.id,
        { answer: 'Cảm ơn góp ý. Đã đăng tải tại mục Tin tức.', version: 2 },
        at(5 * 86400),
      ),
    );
    expect(edited).toMatchObject({
      response_time_seconds: 8107,
      answer: 'Cảm ơn góp ý. Đã đăng tải tại mục Tin tức.',
    });
    const audit = await rows<{ action: string }>(
      store.db,
      sql`select action from audit_log where entity = 'feedback' and entity_id = ${String(sent.id)} order by seq`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      'feedback.create',
      'feedback.answer',
      'feedback.answer_edit',
    ]);
    // A stale version is refused.
    expect(
      (
        await refusal(() =>
          store.db.transaction((tx) =>
            answerFeedback(tx, 'x', sent.id, { answer: 'Trả lời khác', version: 1 }),
          ),
        )
      ).code,
    ).toBe('conflict.stale_version');
  });

  it('routes plans to their issuer, indicators to their responsible unit, level-led tasks to the issuer', async () => {
    const cases: Array<[{ target_kind: 'plan' | 'task' | 'indicator'; target: string | number }, string]> = [
      [{ target_kind: 'plan', target: 'KH-CDS-2024' }, '79'],
      [{ target_kind: 'indicator', target: 'CQS-09' }, '79.STTTT'],
      [{ target_kind: 'task', target: await taskId('681/KH-UBND', 'IV.1.b') }, '79'],
      [{ target_kind: 'task', target: await taskId('681/KH-UBND', 'IV.6') }, '79.STC'],
    ];
    for (const [i, [target, unit]] of cases.entries()) {
      const f = await submitFeedback(
        store,
        { ...target, body: `Góp ý số ${i + 1} về nội dung này, đề nghị làm rõ thêm.`, token: tokenAt(T0) },
        { ip: freshIp(), now: T0 },
      );
      expect(f.routed_unit, JSON.stringify(target)).toBe(unit);
    }
    expect(
      (
        await refusal(() =>
          submitFeedback(
            store,
            { target_kind: 'plan', target: 'KHONG-CO', body: 'Một góp ý đủ dài.', token: tokenAt(T0) },
            { ip: freshIp(), now: T0 },
          ),
        )
      ).status,
    ).toBe(404);
  });
});

describe('spam resistance', () => {
  const base = async () => ({
    target_kind: 'plan' as const,
    target: '681/KH-UBND',
    body: `Đề nghị bổ sung chỉ tiêu về dịch vụ công trực tuyến (${Math.random().toString(36).slice(2)}).`,
  });

  it('refuses a filled honeypot and stores nothing', async () => {
    const before = await feedbackCount();
    const e = await refusal(async () =>
      submitFeedback(
        store,
        { ...(await base()), token: tokenAt(T0), website: 'http://spam.example' },
        { ip: freshIp(), now: T0 },
      ),
    );
    expect(e).toMatchObject({ code: 'feedback.rejected', status: 400 });
    expect(await feedbackCount()).toBe(before);
  });

  it('refuses a form sent sooner than the minimum time, an expired, forged or reused token', async () => {
    const before = await feedbackCount();
    const ip = freshIp();
    const tooFast = await refusal(async () =>
      submitFeedback(
        store,
        { ...(await base()), token: tokenAt(T0, FEEDBACK_MIN_SECONDS - 1) },
        { ip, now: T0 },
      ),
    );
    expect(tooFast.code).toBe('feedback.too_fast');
    const expired = await refusal(async () =>
      submitFeedback(
        store,
        { ...(await base()), token: tokenAt(T0, FEEDBACK_TOKEN_TTL_SECONDS + 1) },
        { ip, now: T0 },
      ),
    );
    expect(expired.code).toBe('feedback.token_expired');
    const forged = signFeedbackToken('not-the-secret', at(-60));
    expect(
      (
        await refusal(async () =>
          submitFeedback(store, { ...(await base()), token: forged }, { ip, now: T0 }),
        )
      ).code,
    ).toBe('feedback.token_invalid');
    const tampered = tokenAt(T0).replace(/^v1\.(\d+)/, (_m, s: string) => `v1.${Number(s) - 100}`);
    expect(
      (
        await refusal(async () =>
          submitFeedback(store, { ...(await base()), token: tampered }, { ip, now: T0 }),
        )
      ).code,
    ).toBe('feedback.token_invalid');
    expect(await feedbackCount()).toBe(before);

    const token = tokenAt(T0);
    const ip2 = freshIp();
    await submitFeedback(store, { ...(await base()), token }, { ip: ip2, now: T0 });
    const reused = await refusal(async () =>
      submitFeedback(store, { ...(await base()), token }, { ip: ip2, now: at(10) }),
    );
    expect(reused).toMatchObject({ code: 'feedback.token_used', status: 409 });
    expect(await feedbackCount()).toBe(before + 1);
  });

  it('issues tokens that verify from the minimum time to the end of their life', async () => {
    const t = await store.db.transaction((tx) => issueFeedbackToken(tx, T0));
    expect(() => verifyFeedbackToken(secret, t.token, at(FEEDBACK_MIN_SECONDS - 1))).toThrow(/too soon/);
    expect(verifyFeedbackToken(secret, t.token, at(FEEDBACK_MIN_SECONDS))).toMatch(/^[\w-]{20,}$/);
    expect(verifyFeedbackToken(secret, t.token, at(FEEDBACK_TOKEN_TTL_SECONDS))).toBeTruthy();
    expect(() => verifyFeedbackToken(secret, t.token, at(FEEDBACK_TOKEN_TTL_SECONDS + 1))).toThrow(
      /too long/,
    );
    expect(new Date(t.not_before).getTime() - new Date(t.issued_at).getTime()).toBe(
      FEEDBACK_MIN_SECONDS * 1000,
    );
  });

  it('refuses too many links, links in the name, too short and too long texts', async () => {
    const before = await feedbackCount();
    const ip = freshIp();
    const send = (patch: object) =>
      refusal(async () =>
        submitFeedback(store, { ...(await base()), token: tokenAt(T0), ...patch }, { ip, now: T0 }),
      );
    expect(
      (await send({ body: 'Xem http://a.example.com và https://b.example.org và www.c.example.net nhé' }))
        .code,
    ).toBe('feedback.too_many_links');
    expect((await send({ author_name: 'Mua ngay tại shop.example.com' })).code).toBe('feedback.link_in_name');
    expect((await send({ body: 'ngắn' })).code).toBe('feedback.too_short');
    expect((await send({ body: 'a'.repeat(4001) })).code).toBe('feedback.too_long');
    expect(await feedbackCount()).toBe(before);
  });

  it('refuses the same text again on the same target, whatever its case, diacritics or spacing', async () => {
    const body = 'Đề nghị công khai tiến độ từng nhiệm vụ theo quý cho người dân theo dõi.';
    await submitFeedback(
      store,
      { target_kind: 'plan', target: 'KH-CDS-2024', body, token: tokenAt(T0) },
      { ip: freshIp(), now: T0 },
    );
    const again = await refusal(() =>
      submitFeedback(
        store,
        {
          target_kind: 'plan',
          target: 'KH-CDS-2024',
          body: '  de nghi CONG KHAI tien do tung nhiem vu theo quy,  cho nguoi dan theo doi!! ',
          token: tokenAt(at(60)),
        },
        { ip: freshIp(), now: at(60) },
      ),
    );
    expect(again).toMatchObject({ code: 'feedback.duplicate', status: 409 });
    expect(textHash(body)).toBe(
      textHash('DE NGHI cong khai tien do tung nhiem vu theo quy cho nguoi dan theo doi'),
    );
  });
});

describe('rate limiting', () => {
  it('allows the limit per address and window, refuses the next with 429, counts refused attempts too, and resets with the window', async () => {
    const limit = FEEDBACK_RATE_LIMITS[0]!;
    const ip = freshIp();
    const windowStart = new Date(
      Math.floor(T0.getTime() / (limit.seconds * 1000)) * limit.seconds * 1000 + 86400 * 1000 * 3,
    );
    const send = (i: number, now: Date, patch: object = {}) =>
      submitFeedback(
        store,
        {
          target_kind: 'plan',
          target: '681/KH-UBND',
          body: `Góp ý thứ ${i} về tiến độ thực hiện kế hoạch năm.`,
          token: tokenAt(now),
          ...patch,
        },
        { ip, now },
      );
    // One refused attempt (honeypot) counts against the limit.
    await refusal(() => send(0, windowStart, { website: 'x' }));
    for (let i = 1; i < limit.max; i++) await send(i, new Date(windowStart.getTime() + i * 1000));
    const e = await refusal(() => send(99, new Date(windowStart.getTime() + 60_000)));
    expect(e).toMatchObject({ code: 'feedback.rate_limited', status: 429 });
    expect(e.details?.retry_after).toBe(limit.seconds - 60);
    // Another address is not limited.
    await submitFeedback(
      store,
      {
        target_kind: 'plan',
        target: '681/KH-UBND',
        body: 'Góp ý từ một địa chỉ khác trong cùng lúc.',
        token: tokenAt(windowStart),
      },
      { ip: freshIp(), now: new Date(windowStart.getTime() + 60_000) },
    );
    // The counters are in the database, keyed by a hash of the address, never the address.
    const [c] = await rows<{ n: number }>(
      store.db,
      sql`select count::int as n from feedback_rate where ip_hash = ${addressHash(secret, ip)} and window_kind = ${limit.kind}
          and window_start = ${windowStart.toISOString()}`,
    );
    expect(c!.n).toBe(limit.max + 1);
    const [leak] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from feedback where ip_hash like ${`%${ip}%`}`,
    );
    expect(leak!.n).toBe(0);
    // The next window opens again.
    await send(100, new Date(windowStart.getTime() + limit.seconds * 1000 + 1000));
  });
});

describe('moderation', () => {
  it('hides abuse with a reason: gone from the public list and item, audited, kept in the inbox; unhiding restores it', async () => {
    const sent = await submitFeedback(
      store,
      {
        target_kind: 'plan',
        target: 'KH-CDS-2024',
        body: 'Nội dung xúc phạm cần được ẩn khỏi trang công khai.',
        token: tokenAt(T0),
      },
      { ip: freshIp(), now: T0 },
    );
    const visible = async () =>
      (await listPublicFeedback(store.db, { plan: 'KH-CDS-2024' }, { limit: 100, offset: 0 })).items.some(
        (f) => f.id === sent.id,
      );
    expect(await visible()).toBe(true);
    const e = await refusal(() =>
      store.db.transaction((tx) => hideFeedback(tx, 'admin@79', sent.id, { reason: ' ', version: 1 })),
    );
    expect(e.code).toBe('feedback.reason_required');
    const hidden = await store.db.transaction((tx) =>
      hideFeedback(tx, 'admin@79', sent.id, {
        reason: 'Ngôn từ xúc phạm (điều 5 quy chế góp ý)',
        version: 1,
      }),
    );
    expect(hidden).toMatchObject({
      status: 'hidden',
      hidden_by: 'admin@79',
      hidden_reason: 'Ngôn từ xúc phạm (điều 5 quy chế góp ý)',
    });
    expect(await visible()).toBe(false);
    expect((await listPublicFeedback(store.db, { status: 'hidden' }, { limit: 10, offset: 0 })).total).toBe(
      0,
    );
    const inbox = await listInbox(store.db, ['/'], { status: 'hidden' }, { limit: 100, offset: 0 });
    expect(inbox.items.map((f) => f.id)).toContain(sent.id);
    const [audit] = await rows<{ actor: string; data: { reason: string; previous_status: string } }>(
      store.db,
      sql`select actor, data from audit_log where entity = 'feedback' and entity_id = ${String(sent.id)} and action = 'feedback.hide'`,
    );
    expect(audit).toEqual({
      actor: 'admin@79',
      data: { reason: 'Ngôn từ xúc phạm (điều 5 quy chế góp ý)', previous_status: 'new' },
    });
    // Hidden items cannot be answered until shown again.
    expect(
      (
        await refusal(() =>
          store.db.transaction((tx) => answerFeedback(tx, 'r', sent.id, { answer: 'Trả lời', version: 2 })),
        )
      ).code,
    ).toBe('feedback.hidden');
    const shown = await store.db.transaction((tx) =>
      unhideFeedback(tx, 'admin@79', sent.id, { reason: 'Ẩn nhầm', version: 2 }),
    );
    expect(shown.status).toBe('new');
    expect(await visible()).toBe(true);
    expect((await getInboxFeedback(store.db, sent.id))!.version).toBe(3);
  });
});
