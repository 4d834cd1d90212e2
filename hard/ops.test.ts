/**
 * Operations and hardening on the real server process (`chiso serve`, PGlite):
 * - GET /metrics in the Prometheus text format, behind CHISO_METRICS_TOKEN;
 * - structured JSON logs (pino), one object per line, with the request id (echoed in x-request-id);
 * - no password, API token, session cookie or CSRF token in the logs of a login, a token request
 *   and requests made with them;
 * - security headers on every kind of response; HSTS only behind TLS (X-Forwarded-Proto: https
 *   from a trusted proxy).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/db.ts';
import { ADMIN_PASSWORD, ADMIN_USER, adminToken, http, type Server, startServer } from './lib/harness.ts';

const METRICS_TOKEN = 'metrics-token-for-hard-tests-0123456789';
let server: Server;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chiso-hard-ops-'));
  const store = await openStore({ dataDir });
  await adminToken(store); // creates the administrator
  await store.close();
  server = await startServer({
    CHISO_DATA_DIR: dataDir,
    DATABASE_URL: '',
    LOG_LEVEL: 'info',
    CHISO_METRICS_TOKEN: METRICS_TOKEN,
    CHISO_TRUST_PROXY: '1',
  });
});
afterAll(async () => {
  await server?.stop();
});

/** The log lines written since `from` (an offset into the output), each parsed as JSON. */
function logLines(from: number): Array<Record<string, unknown>> {
  return server
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('metrics', () => {
  it('answers only with the metrics token, in the Prometheus text format, counting requests by route and status', async () => {
    await http(`${server.url}/api/health`);
    await http(`${server.url}/api/no-such-thing`);
    expect((await http(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await http(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const r = await http(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toMatch(/^# HELP chiso_http_requests_total /m);
    expect(r.text).toMatch(/^# TYPE chiso_http_requests_total counter$/m);
    expect(r.text).toMatch(
      /^chiso_http_requests_total\{[^}]*method="GET",route="\/api\/health",status="200"[^}]*\} [1-9]/m,
    );
    expect(r.text).toMatch(/^chiso_http_requests_total\{[^}]*route="unmatched",status="404"[^}]*\} [1-9]/m);
    // Raw URLs never become label values.
    expect(r.text).not.toContain('no-such-thing');
    expect(r.text).toMatch(/^chiso_http_request_duration_seconds_bucket\{[^}]*le="0\.005"/m);
    expect(r.text).toMatch(/^chiso_db_pool_connections\{[^}]*state="total"[^}]*\} 1$/m);
    expect(r.text).toMatch(/^chiso_db_info\{[^}]*kind="pglite"[^}]*\} 1$/m);
    expect(r.text).toMatch(/^chiso_process_resident_memory_bytes/m);
    expect(r.text).toMatch(/^chiso_nodejs_eventloop_lag_seconds/m);
    // Every sample line is `name{labels} number`.
    for (const line of r.text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/);
    }
  });
});

describe('structured logs', () => {
  it('are JSON lines carrying the request id, which the response echoes', async () => {
    const from = server.output().length;
    const r = await http(`${server.url}/api/health`, { headers: { 'x-request-id': 'hard-test-req-42' } });
    expect(r.headers.get('x-request-id')).toBe('hard-test-req-42');
    const generated = await http(`${server.url}/api/health`);
    const gid = generated.headers.get('x-request-id');
    expect(gid).toMatch(/^[0-9a-f-]{36}$/);
    // A forged id that could inject into logs is replaced.
    const forged = await http(`${server.url}/api/health`, { headers: { 'x-request-id': 'a b\tc"}' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((res) => setTimeout(res, 300));
    const lines = logLines(from);
    const mine = lines.filter((l) => l.reqId === 'hard-test-req-42');
    expect(mine.length).toBeGreaterThanOrEqual(2); // incoming request and request completed
    for (const l of mine) {
      expect(typeof l.level).toBe('number');
      expect(typeof l.time).toBe('number');
      expect(typeof l.msg).toBe('string');
    }
    const done = mine.find((l) => l.msg === 'request completed') as
      | { res?: { statusCode?: number } }
      | undefined;
    expect(done?.res?.statusCode).toBe(200);
    expect(lines.some((l) => l.reqId === gid)).toBe(true);
  });

  it('never contain a password, an API token, a session cookie or a CSRF token', async () => {
    const from = server.output().length;
    const login = await http(`${server.url}/api/auth/login`, {
      method: 'POST',
      json: { username: ADMIN_USER, password: ADMIN_PASSWORD },
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('chiso_session='))!;
    const sessionValue = decodeURIComponent(cookie.split(';')[0]!.split('=')[1]!);
    const csrf = (login.body as { csrf_token: string }).csrf_token;
    const created = await http(`${server.url}/api/auth/tokens`, {
      method: 'POST',
      headers: { cookie: `chiso_session=${sessionValue}`, 'x-csrf-token': csrf },
      json: { name: 'log-check' },
    });
    expect(created.status).toBe(201);
    const token = (created.body as { token: string }).token;
    expect(
      (await http(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    // A failed login with a wrong password must not log the attempted password either.
    const wrongPassword = 'Wrong-password-in-logs-5519';
    const bad = await http(`${server.url}/api/auth/login`, {
      method: 'POST',
      json: { username: ADMIN_USER, password: wrongPassword },
    });
    expect(bad.status).toBe(401);
    await new Promise((res) => setTimeout(res, 300));
    const out = server.output().slice(from);
    expect(logLines(from).length).toBeGreaterThanOrEqual(8); // the requests were logged
    for (const secret of [
      ADMIN_PASSWORD,
      wrongPassword,
      token,
      sessionValue,
      csrf,
      encodeURIComponent(sessionValue),
    ]) {
      expect(out.includes(secret), `a secret appears in the logs: ${secret.slice(0, 6)}…`).toBe(false);
    }
  });
});

describe('security headers', () => {
  const paths: Array<[string, RequestInit & { json?: unknown }]> = [
    ['/api/health', {}],
    ['/api/openapi.json', {}],
    ['/api/org-units?limit=1', {}],
    ['/api/org-units.csv', {}],
    ['/api/no-such-route', {}],
    ['/api/auth/me', {}],
    ['/api/values', { method: 'PUT', json: { nonsense: true } }],
    ['/metrics', {}],
    ['/', {}],
  ];
  it.each(paths)('on %s', async (path, init) => {
    const r = await http(`${server.url}${path}`, init);
    expect(r.status).toBeLessThan(500);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('referrer-policy')).toBeTruthy();
    expect(r.headers.get('strict-transport-security')).toBeNull(); // plain http: no HSTS
    expect(r.headers.get('x-powered-by')).toBeNull();
  });
  it('sends HSTS behind a TLS-terminating proxy (X-Forwarded-Proto: https, CHISO_TRUST_PROXY=1)', async () => {
    const r = await http(`${server.url}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
  });
});
