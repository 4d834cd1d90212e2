/**
 * Concurrency: several `chiso serve` processes on one PostgreSQL database, started at the same time,
 * behind a small round-robin reverse proxy on the loopback interface — the production shape of
 * docs/OPERATIONS.md. Many writers increment a few shared values with optimistic versions
 * (read-modify-write: value + 1 at the version last seen; on 409 take the current state from the
 * answer and retry), others race to create the same new values, and readers list values meanwhile.
 * Afterwards, for every value: final figure = start + number of acknowledged increments (no lost
 * update), version = start + acknowledged updates, exactly one row per key (no duplicate), exactly
 * one audit entry per acknowledged write, and the audit chain verifies. Never a 5xx: a conflict is a 409.
 * PGlite refuses a second process on its data folder.
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/app/audit.ts';
import { rows } from '../src/store/db.ts';
import {
  adminToken,
  chiso,
  http as request,
  newTarget,
  pick,
  report,
  type Server,
  sleep,
  startServer,
  type ValueKey,
} from './lib/harness.ts';

const SERVERS = pick(2, 3);
const DURATION_MS = pick(30_000, 300_000);
const INCREMENTERS = pick(12, 24);
const CREATORS = 4;
const READERS = 2;
const SHARED_KEYS = 6;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** A round-robin reverse proxy: the "nothing fancy" in front of several app processes. */
async function roundRobinProxy(backends: string[]): Promise<{ url: string; close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const proxy = http.createServer((req, res) => {
    const target = new URL(backends[next++ % backends.length]!);
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          'x-forwarded-for': req.socket.remoteAddress ?? '',
          'x-forwarded-proto': 'http',
        },
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    req.pipe(up);
  });
  // Idle client connections outlive the clients' own keep-alive (undici: 4 s), so a client never
  // reuses a socket the proxy has just closed.
  proxy.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        agent.destroy();
        proxy.close(() => r());
      }),
  };
}

describe('several server processes on one PostgreSQL database', () => {
  it(`${SERVERS} processes, ${INCREMENTERS + CREATORS + READERS} clients: no lost update, no duplicate, no 5xx`, async () => {
    const target = await newTarget('postgres');
    const store = await target.openStore();
    cleanups.push(() => store.close());
    const token = await adminToken(store);
    // Shared keys: unbounded numeric yearly indicators, so increments never leave the allowed range.
    const shared = await rows<ValueKey>(
      store.db,
      sql`select i.code as indicator, u.code as org_unit, '2023' as period
          from indicator i join org_unit u on (cardinality(i.levels) = 0 or u.level = any(i.levels))
          where i.period_type = 'year' and i.formula is null and i.value_type in ('integer', 'number')
            and i.max_value is null and (i.min_value is null or i.min_value <= 0)
            and u.valid_to is null and (u.valid_from is null or u.valid_from <= '2023-01-01')
          order by i.code, u.code limit ${SHARED_KEYS * 4}`,
    );
    expect(shared.length).toBeGreaterThanOrEqual(SHARED_KEYS * 2);
    const incKeys = shared.slice(0, SHARED_KEYS);
    const createKeys = shared.slice(SHARED_KEYS, SHARED_KEYS * 4).map((k) => ({ ...k, period: '2022' }));
    const keyId = (k: ValueKey) => `${k.indicator}|${k.org_unit}|${k.period}`;

    // Start values of the incremented keys (set below through the proxy).
    const start = new Map<string, { value: number; version: number }>();

    // Several processes started together: migrations and start-up under the advisory lock.
    const servers: Server[] = await Promise.all(
      Array.from({ length: SERVERS }, () => startServer(target.env)),
    );
    for (const s of servers) cleanups.push(() => s.stop());
    const proxy = await roundRobinProxy(servers.map((s) => s.url));
    cleanups.push(() => proxy.close());
    const auth = { authorization: `Bearer ${token}` };

    // Create the incremented values (value 0) through the proxy.
    for (const k of incKeys) {
      const r = await request(`${proxy.url}/api/values`, {
        method: 'PUT',
        headers: auth,
        json: { ...k, value: 0 },
      });
      if (r.status === 201) start.set(keyId(k), { value: 0, version: 1 });
      else if (r.status === 409) {
        const cur = (r.body as { current?: { value: number; version: number } }).current;
        const c =
          cur ?? (r.body as { details?: { current: { value: number; version: number } } }).details?.current;
        expect(c, r.text).toBeTruthy();
        start.set(keyId(k), { value: c!.value, version: c!.version });
      } else throw new Error(`setup PUT ${keyId(k)} → ${r.status} ${r.text}`);
    }

    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    const failures: string[] = [];
    const acked = new Map<string, number>(incKeys.map((k) => [keyId(k), 0]));
    const created = new Map<string, number>();
    let requests = 0;
    let reads = 0;
    const deadline = Date.now() + DURATION_MS;

    const currentFrom409 = (body: unknown): { value: number; version: number } | null => {
      const b = body as { current?: unknown; details?: { current?: unknown } };
      const c = (b.current ?? b.details?.current) as { value: number; version: number } | null | undefined;
      return c ?? null;
    };

    const incrementer = async (w: number) => {
      let i = w;
      const seen = new Map(incKeys.map((k) => [keyId(k), { ...start.get(keyId(k))! }]));
      while (Date.now() < deadline) {
        const k = incKeys[i++ % incKeys.length]!;
        const id = keyId(k);
        const s = seen.get(id)!;
        let r: Awaited<ReturnType<typeof request>>;
        try {
          r = await request(`${proxy.url}/api/values`, {
            method: 'PUT',
            headers: auth,
            json: { ...k, value: s.value + 1, version: s.version, comment: `w${w}` },
          });
        } catch (e) {
          failures.push(`incrementer ${w}: ${String(e)}`);
          return;
        }
        requests++;
        count(r.status);
        if (r.status === 200) {
          const v = (r.body as { value: { value: number; version: number } }).value;
          acked.set(id, acked.get(id)! + 1);
          seen.set(id, { value: v.value, version: v.version });
        } else if (r.status === 409) {
          const c = currentFrom409(r.body);
          if (!c) failures.push(`409 without the current state: ${r.text.slice(0, 300)}`);
          else seen.set(id, { value: c.value!, version: c.version });
        } else {
          failures.push(`PUT ${id} → ${r.status} ${r.text.slice(0, 300)}`);
        }
      }
    };

    const creator = async (w: number) => {
      for (const k of createKeys) {
        if (Date.now() >= deadline) return;
        const r = await request(`${proxy.url}/api/values`, {
          method: 'PUT',
          headers: auth,
          json: { ...k, value: w },
        });
        requests++;
        count(r.status);
        if (r.status === 201) created.set(keyId(k), (created.get(keyId(k)) ?? 0) + 1);
        else if (r.status !== 409) failures.push(`create ${keyId(k)} → ${r.status} ${r.text.slice(0, 300)}`);
        await sleep(5);
      }
    };

    const reader = async () => {
      while (Date.now() < deadline) {
        const r = await request(
          `${proxy.url}/api/values?indicator=${encodeURIComponent(incKeys[0]!.indicator)}&limit=50`,
          {
            headers: auth,
          },
        );
        requests++;
        reads++;
        count(r.status);
        if (r.status !== 200) failures.push(`GET /api/values → ${r.status} ${r.text.slice(0, 300)}`);
        await sleep(20);
      }
    };

    await Promise.all([
      ...Array.from({ length: INCREMENTERS }, (_, w) => incrementer(w)),
      ...Array.from({ length: CREATORS }, (_, w) => creator(w + 1)),
      ...Array.from({ length: READERS }, () => reader()),
    ]);

    // Invariants, read straight from the database.
    for (const k of incKeys) {
      const id = keyId(k);
      const [row] = await rows<{ id: number; value: number; version: number; n: number }>(
        store.db,
        sql`select v.id, v.value, v.version, (select count(*)::int from data_value w where w.indicator_id = v.indicator_id
              and w.org_unit_id = v.org_unit_id and w.period = v.period and w.disagg = v.disagg) as n
            from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
            where i.code = ${k.indicator} and u.code = ${k.org_unit} and v.period = ${k.period} and v.disagg = ''`,
      );
      const s = start.get(id)!;
      const n = acked.get(id)!;
      if (!row) {
        failures.push(`${id} missing`);
        continue;
      }
      if (row.n !== 1) failures.push(`${id}: ${row.n} rows`);
      if (row.value !== s.value + n)
        failures.push(`${id}: lost update — value ${row.value}, expected ${s.value} + ${n}`);
      if (row.version !== s.version + n)
        failures.push(`${id}: version ${row.version}, expected ${s.version} + ${n}`);
      const [a] = await rows<{ n: number }>(
        store.db,
        sql`select count(*)::int as n from audit_log where entity = 'data_value' and entity_id = ${String(row.id)}
            and action = 'value.update' and actor = 'hard.admin'`,
      );
      if (a!.n !== n) failures.push(`${id}: ${a!.n} audit entries for ${n} acknowledged updates`);
    }
    for (const k of createKeys) {
      const id = keyId(k);
      const c = created.get(id) ?? 0;
      const [r] = await rows<{ n: number }>(
        store.db,
        sql`select count(*)::int as n from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
            where i.code = ${k.indicator} and u.code = ${k.org_unit} and v.period = ${k.period}`,
      );
      if (c > 1) failures.push(`${id}: created ${c} times`);
      if (r!.n !== c) failures.push(`${id}: ${r!.n} rows, ${c} acknowledged creations`);
    }
    const audit = await verifyAuditChain(store);
    if (!audit.ok) failures.push(`audit chain: ${JSON.stringify(audit.firstBad)}`);
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
    const updates = [...acked.values()].reduce((a, b) => a + b, 0);
    report('concurrency-postgres', {
      servers: SERVERS,
      clients: INCREMENTERS + CREATORS + READERS,
      seconds: DURATION_MS / 1000,
      requests,
      reads,
      acknowledged_increments: updates,
      conflicts_409: statuses.get(409) ?? 0,
      creations: [...created.values()].reduce((a, b) => a + b, 0),
      statuses: Object.fromEntries(statuses),
      audit_entries_verified: audit.checked,
      failures: failures.length,
    });
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
    expect(fivexx).toBe(0);
    expect(updates).toBeGreaterThan(0);
    expect(statuses.get(409) ?? 0).toBeGreaterThan(0); // the writers really did collide
  });
});

describe('PGlite', () => {
  it('refuses a second server process on its data folder, naming the holder', async () => {
    const target = {
      env: { CHISO_DATA_DIR: mkdtempSync(join(tmpdir(), 'chiso-hard-lock-')), DATABASE_URL: '' },
    };
    const first = await startServer(target.env);
    cleanups.push(() => first.stop());
    const second = await startServer(target.env, 240_000).then(
      (s) => {
        cleanups.push(() => s.stop());
        return 'started';
      },
      (e: Error) => e.message,
    );
    expect(second).not.toBe('started');
    expect(second).toMatch(/is in use by process/);
    expect(second).toContain(String(first.child.pid));
    // The first server is unharmed.
    expect((await request(`${first.url}/api/health`)).status).toBe(200);
    const verify = chiso(['audit', 'verify'], { ...target.env });
    expect(verify.status).toBe(1); // the CLI is refused too while the server holds the folder
  });
});
