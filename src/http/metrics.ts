/**
 * GET /metrics in the Prometheus text format (prom-client): HTTP requests counted and timed by
 * method, route template and status; database connection pool (PostgreSQL) or engine (PGlite); and
 * the Node.js process (CPU, memory, event-loop lag, garbage collection).
 *
 * Access: the endpoint exists only when CHISO_METRICS_TOKEN is set, and then answers only a caller
 * presenting `Authorization: Bearer <CHISO_METRICS_TOKEN>` (Prometheus: `authorization.credentials`).
 * Without the variable it answers 404, like any unknown address. Metrics reveal traffic and route
 * names, not data; a token keeps them off the public internet without relying on the proxy.
 *
 * Each server has its own registry, so several servers in one process (tests) do not collide.
 */
import { timingSafeEqual } from 'node:crypto';
import client from 'prom-client';
import { ChisoError } from '../core/errors.ts';
import { policy } from './policies/index.ts';
import type { App, ServerDeps } from './server.ts';

export const METRICS_PATH = '/metrics';

const notFound = (method: string) =>
  new ChisoError({
    code: 'not_found',
    status: 404,
    vi: `Không có địa chỉ ${method} ${METRICS_PATH}.`,
    en: `There is no ${method} ${METRICS_PATH}.`,
  });

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The metrics token from the environment, or null (metrics disabled). At least 16 characters. */
export function readMetricsToken(env: NodeJS.ProcessEnv = process.env): string | null {
  const t = env.CHISO_METRICS_TOKEN?.trim();
  if (!t) return null;
  if (t.length < 16) {
    throw new ChisoError({
      code: 'config.invalid',
      field: 'CHISO_METRICS_TOKEN',
      vi: 'CHISO_METRICS_TOKEN cần ít nhất 16 ký tự.',
      en: 'CHISO_METRICS_TOKEN needs at least 16 characters.',
    });
  }
  return t;
}

/** Registers the request hooks and GET /metrics. Call before the other routes. */
export async function registerMetrics(app: App, deps: ServerDeps, env: NodeJS.ProcessEnv = process.env) {
  const token = readMetricsToken(env);
  const registry = new client.Registry();
  registry.setDefaultLabels({ service: 'chiso' });
  client.collectDefaultMetrics({ register: registry, prefix: 'chiso_' });

  const requests = new client.Counter({
    name: 'chiso_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'chiso_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const store = deps.store;
  new client.Gauge({
    name: 'chiso_db_pool_connections',
    help: 'Database connections of this process by state (PostgreSQL pool; PGlite has one embedded connection)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const p = store.pool;
      if (p) {
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      } else {
        this.set({ state: 'total' }, 1);
      }
    },
  });
  new client.Gauge({
    name: 'chiso_db_info',
    help: 'The database engine of this process (value 1)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.set({ kind: store.kind }, 1);
    },
  });

  app.addHook('onResponse', async (req, reply) => {
    // Route templates only (never raw URLs): bounded label values.
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get(
    METRICS_PATH,
    {
      schema: { hide: true },
      // Public to the policy layer: the bearer here is the metrics token, not an account's API token.
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      if (!token) throw notFound(req.method);
      const h = req.headers.authorization;
      const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
      if (!m || !sameSecret(m[1]!, token)) {
        reply.header('www-authenticate', 'Bearer realm="chiso-metrics"');
        throw new ChisoError({
          code: 'auth.metrics_token',
          status: 401,
          vi: 'Cần mã truy cập số liệu giám sát (CHISO_METRICS_TOKEN).',
          en: 'The metrics token (CHISO_METRICS_TOKEN) is required.',
        });
      }
      reply.header('content-type', registry.contentType);
      reply.header('cache-control', 'no-store');
      return registry.metrics();
    },
  );
}
