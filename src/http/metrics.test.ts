import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { isChisoError } from '../core/errors.ts';
import { openTestStore } from '../../test/db.ts';
import { readMetricsToken } from './metrics.ts';
import { buildServer } from './server.ts';

const store = await openTestStore();
afterAll(() => store.close());

describe('GET /metrics', () => {
  it('does not exist without CHISO_METRICS_TOKEN', async () => {
    const saved = process.env.CHISO_METRICS_TOKEN;
    delete process.env.CHISO_METRICS_TOKEN;
    try {
      const app = await buildServer({ store, config: readConfig({}) });
      const r = await app.inject({ method: 'GET', url: '/metrics' });
      expect(r.statusCode).toBe(404);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      await app.close();
    } finally {
      if (saved !== undefined) process.env.CHISO_METRICS_TOKEN = saved;
    }
  });
  it('answers the token holder with counters of the requests served, by route template', async () => {
    const token = 'a-metrics-token-of-32-characters!';
    const saved = process.env.CHISO_METRICS_TOKEN;
    process.env.CHISO_METRICS_TOKEN = token;
    try {
      const app = await buildServer({ store, config: readConfig({}) });
      await app.inject({ method: 'GET', url: '/api/org-units/NO-SUCH-UNIT' });
      const r = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.statusCode).toBe(200);
      expect(r.body).toMatch(
        /chiso_http_requests_total\{[^}]*route="\/api\/org-units\/:code",status="404"[^}]*\} 1/,
      );
      expect(r.body).not.toContain('NO-SUCH-UNIT');
      await app.close();
    } finally {
      if (saved === undefined) delete process.env.CHISO_METRICS_TOKEN;
      else process.env.CHISO_METRICS_TOKEN = saved;
    }
  });
  it('refuses a short token at start', () => {
    let err: unknown;
    try {
      readMetricsToken({ CHISO_METRICS_TOKEN: 'short' });
    } catch (e) {
      err = e;
    }
    expect(isChisoError(err) && err.location.field).toBe('CHISO_METRICS_TOKEN');
    expect(readMetricsToken({})).toBeNull();
  });
});
