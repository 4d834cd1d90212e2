/**
 * Every route module of the API, registered in one place.
 */
import { sql } from 'drizzle-orm';
import { rows } from '../../store/db.ts';
import { registerMetrics } from '../metrics.ts';
import { policy } from '../policies/index.ts';
import { API_VERSION, type App, type ServerDeps } from '../server.ts';
import authRoutes from './auth/routes.ts';
import groupRoutes from './catalogue/groups.ts';
import catalogueRoutes from './catalogue/routes.ts';
import engineRoutes from './engine/routes.ts';
import exchangeRoutes from './exchange/routes.ts';
import geoRoutes from './geo/routes.ts';
import planRoutes from './plans/routes.ts';
import roundsRoutes from './rounds/routes.ts';
import webRoutes from '../web.ts';

export async function registerRoutes(app: App, deps: ServerDeps): Promise<void> {
  await registerMetrics(app, deps); // GET /metrics and request counters: first, so every route is counted
  app.get(
    '/api/health',
    {
      schema: { tags: ['system'], summary: 'Liveness and database check' },
      config: { policy: policy.public() },
    },
    async (_req, reply) => {
      try {
        const [r] = await rows<{ ok: number }>(deps.store.db, sql`select 1 as ok`);
        return { status: 'ok', database: deps.store.kind, db_ok: r?.ok === 1, version: API_VERSION };
      } catch {
        return reply
          .status(503)
          .send({ status: 'unavailable', database: deps.store.kind, db_ok: false, version: API_VERSION });
      }
    },
  );
  await catalogueRoutes(app, deps);
  await groupRoutes(app, deps);
  await exchangeRoutes(app, deps);
  await geoRoutes(app, deps);
  await planRoutes(app, deps);
  await roundsRoutes(app, deps);
  await engineRoutes(app, deps);
  await webRoutes(app);
  await authRoutes(app, deps);
}
