/**
 * Reminders: who is late for which round, and e-mail to the late units' reporting contacts through a
 * real SMTP server started here on 127.0.0.1.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../policies/index.ts';
import { principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import {
  FORM,
  ONLINE,
  openRoundsStore,
  RATE,
  TOTAL,
  testWard,
  WARD_A,
  WARD_B,
} from '../../../../test/rounds-fixture.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let t: TestApp;
let smtp: SMTPServer;
const inbox: Received[] = [];
/** Recipients the test SMTP server refuses with 550. */
const refuse = new Set<string>();
let admin: Principal;
let reviewer: Principal;
let reporter: Principal;
let roundId: number;
const saved = { url: process.env.CHISO_SMTP_URL, from: process.env.CHISO_SMTP_FROM };

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!refuse.has(address.address)) return callback();
      const err = new Error('Mailbox unavailable') as Error & { responseCode: number };
      err.responseCode = 550;
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  process.env.CHISO_SMTP_URL = `smtp://127.0.0.1:${port}`;
  process.env.CHISO_SMTP_FROM = 'Văn phòng chiso <chiso@hcmc.test>';

  const store = await openRoundsStore({ testWards: 1 });
  t = await testApp(store);
  admin = await principalFor(store, [['admin', '79']]);
  reviewer = await principalFor(store, [['reviewer', '79.760']]);
  reporter = await principalFor(store, [['reporter', '79.760']]);
  // Q1 2024 with the Decree 09 deadline of 20/03/2024: every ward is late.
  t.as(admin);
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/rounds',
    payload: { form: FORM, period: '2024Q1', org_unit: '79.760', level: 'commune' },
  });
  roundId = r.json().id;
  for (const [unit, name, email] of [
    [WARD_A, 'Nguyễn Thị Hoa', 'hoa.nt@tandinh.test'],
    [WARD_A, 'Phạm Minh Tuấn', 'tuan.pm@tandinh.test'],
  ])
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/reporting-contacts',
          payload: { org_unit: unit, name, email, position: 'Công chức văn phòng' },
        })
      ).statusCode,
    ).toBe(201);
  // The test ward has submitted (late, but no longer waiting for it).
  const subs = (await t.app.inject({ method: 'GET', url: `/api/submissions?round=${roundId}` })).json();
  const s = subs.items.find((x: { org_unit: string }) => x.org_unit === testWard(1));
  t.as(reporter);
  const saved = await t.app.inject({
    method: 'PUT',
    url: `/api/submissions/${s.id}/values`,
    payload: {
      values: [
        { indicator: TOTAL, value: 10 },
        { indicator: ONLINE, value: 5 },
        { indicator: RATE, value: 50 },
      ],
    },
  });
  const sent = await t.app.inject({
    method: 'POST',
    url: `/api/submissions/${s.id}/submit`,
    payload: { version: saved.json().submission.version },
  });
  expect(sent.json()).toMatchObject({ status: 'submitted', late: true });
});

afterAll(async () => {
  for (const [k, v] of [
    ['CHISO_SMTP_URL', saved.url],
    ['CHISO_SMTP_FROM', saved.from],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await t.close();
});

async function firstLate(): Promise<{ submission_id: number }> {
  t.as(reviewer);
  return (await t.app.inject({ method: 'GET', url: `/api/reminders?round=${roundId}` })).json().items[0];
}

/** Decodes RFC 2047 encoded words and a quoted-printable body, enough to read the message. */
function decodeMail(raw: string): { subject: string; body: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const unfolded = head!.replace(/\r?\n[ \t]+/g, ' ');
  const subjectLine = /^Subject: (.*)$/im.exec(unfolded)?.[1] ?? '';
  const subject = subjectLine
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
  let body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(unfolded))
    body = Buffer.from(
      body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  else if (/Content-Transfer-Encoding: base64/i.test(unfolded))
    body = Buffer.from(body, 'base64').toString('utf8');
  return { subject, body };
}

describe('who is late', () => {
  it('lists the late submissions in the reviewer’s scope with their contacts', async () => {
    t.as(reviewer);
    const r = await t.app.inject({ method: 'GET', url: `/api/reminders?round=${roundId}` });
    expect(r.statusCode).toBe(200);
    const items = r.json().items as Array<{
      org_unit: string;
      days_late: number;
      status: string;
      contacts: unknown[];
    }>;
    expect(items.map((i) => i.org_unit)).toEqual([WARD_A, WARD_B]);
    const expectedDays = Math.round(
      (Date.parse(new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10)) - Date.parse('2024-03-20')) /
        86400e3,
    );
    expect(items[0]).toMatchObject({
      deadline: '2024-03-20',
      days_late: expectedDays,
      status: 'draft',
      contacts: [
        { name: 'Nguyễn Thị Hoa', email: 'hoa.nt@tandinh.test' },
        { name: 'Phạm Minh Tuấn', email: 'tuan.pm@tandinh.test' },
      ],
      last_reminded_at: null,
    });
    const csv = await t.app.inject({ method: 'GET', url: `/api/reminders.csv?round=${roundId}` });
    expect(csv.body.split('\r\n')[1]).toContain(
      'Nguyễn Thị Hoa <hoa.nt@tandinh.test>; Phạm Minh Tuấn <tuan.pm@tandinh.test>',
    );
    t.as(reporter);
    expect((await t.app.inject({ method: 'GET', url: '/api/reminders' })).statusCode).toBe(403);
    t.as(await principalFor(t.store, [['reviewer', '79.761']]));
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/reminders?round=${roundId}` })).json().items,
    ).toEqual([]);
  });
});

describe('reminder e-mail', () => {
  it('is delivered to the SMTP server for each late unit with contacts, and recorded', async () => {
    t.as(reviewer);
    const r = await t.app.inject({ method: 'POST', url: `/api/rounds/${roundId}/reminders` });
    expect(r.statusCode, r.body).toBe(200);
    const out = r.json();
    expect(out.sent).toEqual([
      expect.objectContaining({
        org_unit: WARD_A,
        to: ['hoa.nt@tandinh.test', 'tuan.pm@tandinh.test'],
        rejected: [],
      }),
    ]);
    expect(out.no_contact).toEqual([expect.objectContaining({ org_unit: WARD_B })]);
    expect(out.failed).toEqual([]);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.from).toBe('chiso@hcmc.test');
    expect(inbox[0]!.to).toEqual(['hoa.nt@tandinh.test', 'tuan.pm@tandinh.test']);
    const mail = decodeMail(inbox[0]!.raw);
    expect(mail.subject).toBe(
      '[chiso] Nhắc nộp báo cáo Báo cáo quý về cải cách thủ tục hành chính — Quý I/2024 — Phường Tân Định / Report overdue',
    );
    expect(mail.body).toContain('Kính gửi Nguyễn Thị Hoa, Phạm Minh Tuấn,');
    expect(mail.body).toContain('hạn nộp 20/03/2024');
    expect(mail.body).toContain(`(mã báo cáo #${out.sent[0].submission_id})`);
    expect(mail.body).toContain('deadline 2024-03-20');

    const events = (
      await t.app.inject({ method: 'GET', url: `/api/submissions/${out.sent[0].submission_id}/events` })
    ).json();
    expect(events.items.at(-1)).toMatchObject({
      action: 'remind',
      from_status: 'draft',
      to_status: 'draft',
      actor: reviewer.username,
      data: { to: ['hoa.nt@tandinh.test', 'tuan.pm@tandinh.test'] },
    });
    const late = (await t.app.inject({ method: 'GET', url: `/api/reminders?round=${roundId}` })).json();
    expect(late.items[0].last_reminded_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('reports recipients the server refuses, and a delivery refused for all of them', async () => {
    t.as(reviewer);
    refuse.add('hoa.nt@tandinh.test');
    try {
      const partly = (await t.app.inject({ method: 'POST', url: `/api/rounds/${roundId}/reminders` })).json();
      expect(partly.sent).toEqual([
        expect.objectContaining({
          org_unit: WARD_A,
          to: ['tuan.pm@tandinh.test'],
          rejected: ['hoa.nt@tandinh.test'],
        }),
      ]);
      expect(inbox.at(-1)!.to).toEqual(['tuan.pm@tandinh.test']);
      refuse.add('tuan.pm@tandinh.test');
      const none = (await t.app.inject({ method: 'POST', url: `/api/rounds/${roundId}/reminders` })).json();
      expect(none.sent).toEqual([]);
      expect(none.failed).toEqual([
        expect.objectContaining({ org_unit: WARD_A, error: expect.stringMatching(/550|rejected/i) }),
      ]);
      expect(none.no_contact).toEqual([expect.objectContaining({ org_unit: WARD_B })]);
    } finally {
      refuse.clear();
    }
    const events = (
      await t.app.inject({
        method: 'GET',
        url: `/api/submissions/${(await firstLate()).submission_id}/events`,
      })
    ).json();
    expect(events.items.filter((e: { action: string }) => e.action === 'remind')).toHaveLength(2);
  });

  it('answers 503 when no SMTP server is configured', async () => {
    const url = process.env.CHISO_SMTP_URL;
    delete process.env.CHISO_SMTP_URL;
    try {
      t.as(reviewer);
      const r = await t.app.inject({ method: 'POST', url: `/api/rounds/${roundId}/reminders` });
      expect(r.statusCode).toBe(503);
      expect(r.json().code).toBe('reminders.no_smtp');
    } finally {
      process.env.CHISO_SMTP_URL = url;
    }
  });
});
