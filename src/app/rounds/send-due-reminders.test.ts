/**
 * Reminders without a person asking: `chiso reminders send` and the server's scheduler e-mail late
 * units through a real SMTP server started here, once per submission and day in Vietnam — also when
 * two processes run at once on the same database — with a dry run, a retry after a failed delivery,
 * events and audit entries.
 */
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, rows, type Store } from '../../store/db.ts';
import { remindersCli } from '../../cli/reminders.ts';
import { verifyAuditChain } from '../audit.ts';
import { reminderScheduleFromEnv, startReminderScheduler } from './reminder-scheduler.ts';
import { REMINDER_ACTOR, sendDueReminders } from './send-due-reminders.ts';
import { mailerFromEnv } from './send-reminders.ts';
import { callerFor, openRoundsStore, WARD_A, WARD_B } from '../../../test/rounds-fixture.ts';
import { principalFor } from '../../../test/fixtures.ts';
import { openRound } from './open-round.ts';
import { addContact } from './contacts.ts';

interface Received {
  to: string[];
  raw: string;
}

let store: Store;
let smtp: SMTPServer;
const inbox: Received[] = [];
const refuse = new Set<string>();
let env: NodeJS.ProcessEnv;
let roundId: number;
let otherRound: number;
const PUBLIC = 'https://chiso.example.vn';
/** 10:00 in Vietnam on a given day of 2026 (the rounds' deadlines are long past). */
const vnAt = (day: string, hour = 10) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+07:00`);

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
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  env = { CHISO_SMTP_URL: `smtp://127.0.0.1:${port}`, CHISO_SMTP_FROM: 'chiso <chiso@hcmc.test>' };

  store = await openRoundsStore();
  const admin = callerFor(await principalFor(store, [['admin', '79']]));
  await store.db.transaction(async (tx) => {
    // Two rounds, both long overdue: 2024Q1 for Quận 1's wards, 2024Q2 for Quận 12's ward.
    roundId = (
      await openRound(tx, admin, { form: 'QT-CCHC', period: '2024Q1', org_unit: '79.760', level: 'commune' })
    ).id;
    otherRound = (
      await openRound(tx, admin, { form: 'QT-CCHC', period: '2024Q2', org_unit: '79.761', level: 'commune' })
    ).id;
    for (const [unit, name, email] of [
      [WARD_A, 'Nguyễn Thị Hoa', 'hoa.nt@tandinh.test'],
      [WARD_A, 'Phạm Minh Tuấn', 'tuan.pm@tandinh.test'],
      [WARD_B, 'Lê Thu Trang', 'trang.lt@dakao.test'],
      ['79.761.26764', 'Trần Văn Long', 'long.tv@thanhxuan.test'],
    ] as const)
      await addContact(tx, admin, { org_unit: unit, name, email });
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await store.close();
});

async function deliveries() {
  return rows<{ submission_id: number; day: string; status: string; attempts: number; claimed_by: string }>(
    store.db,
    sql`select submission_id, day::text as day, status, attempts, claimed_by from reminder_delivery order by day, submission_id`,
  );
}
async function remindEvents() {
  return rows<{ submission_id: number; actor: string; data: { day: string; to: string[] } }>(
    store.db,
    sql`select submission_id, actor, data from submission_event where action = 'remind' order by id`,
  );
}

describe('chiso reminders send', () => {
  it('lists in a dry run what it would send, sending and recording nothing', async () => {
    const lines: string[] = [];
    const code = await remindersCli(
      store,
      { dryRun: true, round: String(roundId), publicUrl: PUBLIC, now: vnAt('2026-03-02') },
      (l) => lines.push(l),
      env,
    );
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith('would send'))).toEqual([
      expect.stringContaining(`(${WARD_A}, round #${roundId}) → hoa.nt@tandinh.test, tuan.pm@tandinh.test`),
      expect.stringContaining(`(${WARD_B}, round #${roundId}) → trang.lt@dakao.test`),
    ]);
    expect(lines.at(-1)).toBe('2026-03-02 (dry run): 2 would send, 0 failed, 0 skipped, 0 without contact');
    expect(inbox).toHaveLength(0);
    expect(await deliveries()).toEqual([]);
    expect(await remindEvents()).toEqual([]);
  });

  it('e-mails every late unit once a day, records each delivery, and skips it the rest of the day', async () => {
    const lines: string[] = [];
    const code = await remindersCli(
      store,
      { publicUrl: PUBLIC, now: vnAt('2026-03-02') },
      (l) => lines.push(l),
      env,
    );
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe('2026-03-02: 3 sent, 0 failed, 0 skipped, 0 without contact');
    expect(inbox.map((m) => m.to)).toEqual([
      ['hoa.nt@tandinh.test', 'tuan.pm@tandinh.test'],
      ['trang.lt@dakao.test'],
      ['long.tv@thanhxuan.test'],
    ]);
    expect(inbox[0]!.raw).toContain(PUBLIC);
    expect(await deliveries()).toEqual([
      expect.objectContaining({ day: '2026-03-02', status: 'sent', attempts: 1, claimed_by: REMINDER_ACTOR }),
      expect.objectContaining({ day: '2026-03-02', status: 'sent' }),
      expect.objectContaining({ day: '2026-03-02', status: 'sent' }),
    ]);
    const events = await remindEvents();
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ actor: REMINDER_ACTOR, data: { day: '2026-03-02', automatic: true } });
    const [audit] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from audit_log where action = 'submission.remind' and actor = ${REMINDER_ACTOR}`,
    );
    expect(audit!.n).toBe(3);

    // Later the same day (Vietnam time: 23:30), nothing is sent again.
    const again: string[] = [];
    expect(
      await remindersCli(
        store,
        { publicUrl: PUBLIC, now: vnAt('2026-03-02', 23) },
        (l) => again.push(l),
        env,
      ),
    ).toBe(0);
    expect(again.at(-1)).toBe('2026-03-02: 0 sent, 0 failed, 3 skipped, 0 without contact');
    expect(again[0]).toContain('already reminded today');
    expect(inbox).toHaveLength(3);
    // The next day, one round only.
    const next = await sendDueReminders(store, mailerFromEnv(env), PUBLIC, {
      round: otherRound,
      now: vnAt('2026-03-03', 1),
    });
    expect(next.sent).toEqual([expect.objectContaining({ org_unit: '79.761.26764', round_id: otherRound })]);
    expect(inbox).toHaveLength(4);
    await expect(
      sendDueReminders(store, mailerFromEnv(env), PUBLIC, { round: 99999, now: vnAt('2026-03-03') }),
    ).rejects.toMatchObject({ code: 'not_found', status: 404 });
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });

  it('records a failed delivery, exits 1, and sends it on a later run the same day', async () => {
    refuse.add('trang.lt@dakao.test');
    const lines: string[] = [];
    const code = await remindersCli(
      store,
      { round: String(roundId), publicUrl: PUBLIC, now: vnAt('2026-03-04') },
      (l) => lines.push(l),
      env,
    );
    refuse.clear();
    expect(code).toBe(1);
    expect(lines.find((l) => l.startsWith('FAILED'))).toMatch(
      new RegExp(`\\(${WARD_B}\\): .*(550|rejected)`, 'i'),
    );
    const failed = (await deliveries()).filter((d) => d.day === '2026-03-04' && d.status === 'failed');
    expect(failed).toHaveLength(1);
    const retry = await sendDueReminders(store, mailerFromEnv(env), PUBLIC, {
      round: roundId,
      now: vnAt('2026-03-04', 15),
    });
    expect(retry.sent).toEqual([expect.objectContaining({ org_unit: WARD_B, to: ['trang.lt@dakao.test'] })]);
    expect(retry.skipped).toEqual([expect.objectContaining({ org_unit: WARD_A, reason: 'reminded_today' })]);
    const row = (await deliveries()).find(
      (d) => d.day === '2026-03-04' && d.submission_id === failed[0]!.submission_id,
    );
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('refuses to send without SMTP, but a dry run needs none', async () => {
    await expect(
      remindersCli(store, { publicUrl: PUBLIC, now: vnAt('2026-03-05') }, () => {}, {}),
    ).rejects.toMatchObject({
      code: 'reminders.no_smtp',
    });
    expect(
      await remindersCli(store, { dryRun: true, publicUrl: PUBLIC, now: vnAt('2026-03-05') }, () => {}, {}),
    ).toBe(0);
    await expect(
      remindersCli(store, { round: 'x1', publicUrl: PUBLIC }, () => {}, env),
    ).rejects.toMatchObject({
      code: 'cli.invalid_option',
    });
  });
});

describe('several processes', () => {
  it('send each reminder once when two run at the same moment on one database', async () => {
    // A second "process": its own connection pool on the same PostgreSQL database (PGlite: the same store).
    const url = store.pool?.options.connectionString;
    const other = url ? await openStore({ databaseUrl: url, migrate: false, poolSize: 2 }) : store;
    try {
      const before = inbox.length;
      const now = vnAt('2026-03-06');
      const [a, b] = await Promise.all([
        sendDueReminders(store, mailerFromEnv(env), PUBLIC, { now, actor: 'system:reminders@a' }),
        sendDueReminders(other, mailerFromEnv(env), PUBLIC, { now, actor: 'system:reminders@b' }),
      ]);
      expect(a.sent.length + b.sent.length).toBe(3);
      expect(a.skipped.length + b.skipped.length).toBe(3);
      expect(inbox.length - before).toBe(3);
      const sent = (await deliveries()).filter((d) => d.day === '2026-03-06');
      expect(sent.map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
      expect(
        new Set((await remindEvents()).filter((e) => e.data.day === '2026-03-06').map((e) => e.submission_id))
          .size,
      ).toBe(3);
    } finally {
      if (other !== store) await other.close();
    }
  });
});

describe('the scheduler', () => {
  it('is off by default, reads its hour and interval, and refuses a bad hour', () => {
    expect(reminderScheduleFromEnv({})).toBeNull();
    expect(reminderScheduleFromEnv({ CHISO_REMINDERS_HOUR: 'off' })).toBeNull();
    expect(reminderScheduleFromEnv({ CHISO_REMINDERS_HOUR: '8' })).toEqual({
      hour: 8,
      intervalMs: 30 * 60_000,
    });
    expect(
      reminderScheduleFromEnv({ CHISO_REMINDERS_HOUR: '0', CHISO_REMINDERS_INTERVAL_MINUTES: '5' }),
    ).toEqual({ hour: 0, intervalMs: 5 * 60_000 });
    expect(() => reminderScheduleFromEnv({ CHISO_REMINDERS_HOUR: '24' })).toThrow(/0 to 23/);
    expect(() =>
      reminderScheduleFromEnv({ CHISO_REMINDERS_HOUR: '8', CHISO_REMINDERS_INTERVAL_MINUTES: '0' }),
    ).toThrow(/CHISO_REMINDERS_INTERVAL_MINUTES/);
  });

  it('sends from the configured hour in Vietnam on, once that day, and stops', async () => {
    let clock = vnAt('2026-03-07', 7);
    const logged: string[] = [];
    const scheduler = startReminderScheduler(
      { hour: 8, intervalMs: 3_600_000 },
      {
        store,
        mailer: () => mailerFromEnv(env),
        publicUrl: PUBLIC,
        log: { info: (_o, m) => logged.push(m), error: (_o, m) => logged.push(`error: ${m}`) },
        now: () => clock,
        firstTickMs: 3_600_000,
      },
    );
    try {
      const before = inbox.length;
      expect(await scheduler.tick()).toBeNull(); // 07:00: not yet
      expect(inbox.length).toBe(before);
      clock = vnAt('2026-03-07', 8);
      const run = await scheduler.tick();
      expect(run?.sent).toHaveLength(3);
      expect(inbox.length - before).toBe(3);
      clock = vnAt('2026-03-07', 9);
      expect((await scheduler.tick())?.skipped).toHaveLength(3);
      expect(inbox.length - before).toBe(3);
      expect(logged).toEqual(['reminders sent']);
    } finally {
      await scheduler.stop();
    }
    expect(await scheduler.tick()).toBeNull();
  });
});
