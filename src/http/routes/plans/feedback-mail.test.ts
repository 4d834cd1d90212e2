/**
 * New feedback e-mails the responsible unit's reporting contacts (a local SMTP server from
 * smtp-server): the right unit only, Vietnamese then English, never the sender's contact; no mail
 * without contacts or without SMTP; a mail server that is down does not lose the feedback.
 */
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedbackSecret, signFeedbackToken } from '../../../app/plans/feedback.ts';
import { importPlanYaml } from '../../../app/plans/import-plan.ts';
import { rows } from '../../../store/db.ts';
import { type TestApp, testApp } from '../../../../test/fixtures.ts';
import { openRoundsStore } from '../../../../test/rounds-fixture.ts';

const PLAN = 'KH-GOP-Y';
const PLAN_YAML = `
code: ${PLAN}
title_vi: Kế hoạch thử nghiệm góp ý
issuer: UBND Thành phố Hồ Chí Minh
issuer_unit: '79'
date: 2024-01-15
status: active
tasks:
  - number: '1'
    title_vi: Xây dựng cổng dữ liệu mở
    lead_unit: 79.STTTT
    deadline: 2024-12-31
  - number: '2'
    title_vi: Tập huấn kỹ năng số cho cán bộ
    lead_unit: 79.761
    deadline: 2024
`;

let t: TestApp;
let smtp: SMTPServer;
let secret: string;
const inbox: Array<{ to: string[]; raw: string }> = [];
const saved = process.env.CHISO_SMTP_URL;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address !== 'khong-nhan@stttt.test') return callback();
      const err = new Error('Mailbox unavailable') as Error & { responseCode: number };
      err.responseCode = 550;
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  process.env.CHISO_SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  const store = await openRoundsStore();
  await store.db.transaction(async (tx) => {
    await importPlanYaml(tx, 'system:test', PLAN_YAML, 'plan.yaml');
    for (const [name, email] of [
      ['Nguyễn Văn An', 'an@stttt.test'],
      ['Trần Thị Bình', 'khong-nhan@stttt.test'],
    ])
      await tx.execute(
        sql`insert into reporting_contact (org_unit_id, name, email, created_by)
            values ((select id from org_unit where code = '79.STTTT'), ${name}, ${email}, 'system:test')`,
      );
  });
  secret = await store.db.transaction((tx) => feedbackSecret(tx));
  t = await testApp(store);
});
afterAll(async () => {
  if (saved === undefined) delete process.env.CHISO_SMTP_URL;
  else process.env.CHISO_SMTP_URL = saved;
  await t?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const taskId = async (number: string) =>
  (
    await rows<{ id: number }>(
      t.store.db,
      sql`select t.id from task t join plan p on p.id = t.plan_id where p.code = ${PLAN} and t.number = ${number}`,
    )
  )[0]!.id;

let address = 10;
async function send(task: number, body: string) {
  t.as(null);
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/feedback',
    remoteAddress: `192.0.2.${address++}`,
    payload: {
      target_kind: 'task',
      target: task,
      body,
      author_name: 'Lê Văn Cường',
      author_contact: 'cuong@nguoidan.test',
      token: signFeedbackToken(secret, new Date(Date.now() - 60_000)),
    },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: number };
}

const notices = async (id: number) =>
  rows<{ data: { to: string[]; rejected: string[]; error: string | null } }>(
    t.store.db,
    sql`select data from audit_log where action = 'feedback.notify' and entity_id = ${String(id)}`,
  );

describe('e-mail on new feedback', () => {
  it('goes to the responsible unit’s contacts, Vietnamese then English, without the sender’s contact', async () => {
    const f = await send(await taskId('1'), 'Đề nghị công bố lộ trình mở dữ liệu giao thông của Thành phố.');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.to).toEqual(['an@stttt.test']);
    const raw = inbox[0]!.raw;
    // The body is quoted-printable (UTF-8).
    const body = raw.slice(raw.search(/\r?\n\r?\n/)).replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < body.length; i++) {
      if (body[i] === '=' && /^[0-9A-F]{2}$/.test(body.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(body.charCodeAt(i));
    }
    const text = Buffer.from(bytes).toString('utf8');
    expect(text).toContain('Kính gửi Nguyễn Văn An, Trần Thị Bình');
    expect(text).toContain('nhiệm vụ 1 của kế hoạch KH-GOP-Y');
    expect(text).toContain('lộ trình mở dữ liệu giao thông');
    expect(text).toContain('/workspace/feedback');
    expect(text.indexOf('Kính gửi')).toBeLessThan(text.indexOf('has received feedback'));
    expect(text).not.toContain('cuong@nguoidan.test');
    const [n] = await notices(f.id);
    expect(n!.data).toEqual({
      org_unit: '79.STTTT',
      to: ['an@stttt.test', 'khong-nhan@stttt.test'],
      rejected: ['khong-nhan@stttt.test'],
      error: null,
    });
  });

  it('sends nothing when the unit has no contacts', async () => {
    const f = await send(await taskId('2'), 'Đề nghị mở thêm lớp tập huấn vào buổi tối cho cán bộ phường.');
    expect(inbox).toHaveLength(1);
    expect(await notices(f.id)).toEqual([]);
  });

  it('keeps the feedback when the mail server is down, and records the failure', async () => {
    const url = process.env.CHISO_SMTP_URL;
    process.env.CHISO_SMTP_URL = 'smtp://127.0.0.1:1';
    try {
      const f = await send(
        await taskId('1'),
        'Cổng dữ liệu mở cần có dữ liệu chất lượng không khí theo giờ.',
      );
      const [n] = await notices(f.id);
      expect(n!.data.error).toBeTruthy();
      const [row] = await rows<{ status: string }>(
        t.store.db,
        sql`select status from feedback where id = ${f.id}`,
      );
      expect(row!.status).toBe('new');
    } finally {
      process.env.CHISO_SMTP_URL = url;
    }
  });
});
