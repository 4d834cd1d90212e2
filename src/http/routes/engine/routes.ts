/**
 * The engine API: progress against targets (list, CSV, the public overview), an indicator's series
 * for a unit, a roll-up with its children's contributions, composite-index methodologies and
 * results (JSON, CSV), adding a methodology version, and the engine's freshness counters.
 *
 * Reads are public and show published indicators and approved values; `include_drafts=true` adds
 * draft and submitted figures of the units in the caller's scope. Every read first makes the
 * process's model current with the database (Engine.ensureCurrent).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  type Engine,
  engineOf,
  resolveProfile,
  settleEngine,
  stopEngine,
} from '../../../app/engine/engine.ts';
import { addMethodology, getMethodology, zMethodologyInput } from '../../../app/engine/methodologies.ts';
import {
  indexResultsFor,
  indexResultsStream,
  JsonChunks,
  methodologiesFor,
  modelFor,
  overview,
  overviewSummary,
  type OverviewSummary,
  type ProgressItem,
  progressFromModel,
  progressFromTable,
  PUBLIC_VIEWER,
  rollupFor,
  seriesFor,
  type Viewer,
} from '../../../app/engine/queries.ts';
import { STATUS_ORDER } from '../../../core/progress.ts';
import { rows } from '../../../store/db.ts';
import {
  bodyHash,
  type Cached,
  cacheChunks,
  compressedFor,
  etagOf,
  negotiate,
  notModified,
} from '../../compress.ts';
import { policy, scopeRoots } from '../../policies/index.ts';
import { notFound } from '../../problem.ts';
import type { App, ServerDeps } from '../../server.ts';
import { actorOf, sendCsv, zPage } from '../common.ts';

const zBool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
const zProfile = z.enum(['open-sdg', 'un-2022', 'un-2023']).optional();
const zYear = z.coerce.number().int().min(1000).max(9999).optional();

const zProgressQuery = z.object({
  indicator: z.string().max(64).optional(),
  org_unit: z.string().max(64).optional(),
  /** Alias of org_unit. */
  unit: z.string().max(64).optional(),
  subtree: z.string().max(64).optional(),
  level: z.string().max(64).optional(),
  group: z.string().max(64).optional(),
  period: z.string().max(10).optional(),
  year: zYear,
  status: z.enum(STATUS_ORDER as unknown as [string, ...string[]]).optional(),
  all_targets: zBool,
  profile: zProfile,
  include_drafts: zBool,
});

const PROGRESS_CSV: Array<{ key: string; get: (r: ProgressItem) => string | number | boolean | null }> = [
  { key: 'indicator', get: (r) => r.indicator.code },
  { key: 'indicator_name_vi', get: (r) => r.indicator.name_vi },
  { key: 'org_unit', get: (r) => r.org_unit.code },
  { key: 'org_unit_name_vi', get: (r) => r.org_unit.name_vi },
  { key: 'level', get: (r) => r.org_unit.level },
  { key: 'period', get: (r) => r.period },
  { key: 'status', get: (r) => r.status },
  { key: 'status_vi', get: (r) => r.status_vi },
  { key: 'score', get: (r) => r.score },
  { key: 'attainment', get: (r) => r.attainment },
  { key: 'latest_period', get: (r) => r.latest?.period ?? null },
  { key: 'latest_value', get: (r) => r.latest?.value ?? null },
  { key: 'comparator', get: (r) => r.target.comparator },
  { key: 'target', get: (r) => r.target.value },
  { key: 'target_max', get: (r) => r.target.value_max },
  { key: 'projection', get: (r) => r.projection?.value ?? null },
  { key: 'trend', get: (r) => r.trend },
  { key: 'primary', get: (r) => r.target.primary },
  { key: 'conflicts', get: (r) => r.target.conflicts },
  { key: 'source_document', get: (r) => r.target.source_document?.code ?? null },
  { key: 'method_profile', get: (r) => r.method_profile.id },
  { key: 'unit_of_measure', get: (r) => r.indicator.unit },
];

function viewerOf(req: FastifyRequest, includeDrafts: boolean | undefined): Viewer {
  const scopes = scopeRoots(req.principal, 'viewer');
  return { draftScopes: includeDrafts ? scopes : [], seeUnpublished: scopes.length > 0 };
}

export default async function engineRoutes(app: App, { store }: ServerDeps): Promise<void> {
  // Start the engine with the server; a failure is logged and retried on the next request, so that
  // the rest of the API serves on.
  await engineOf(store).catch((e: unknown) => app.log.error({ err: e }, 'the engine did not start'));
  app.addHook('onClose', async () => {
    await stopEngine(store);
  });
  // An approval writes its index rows just after its commit (the API reads them from the model at
  // once); a writing request answers only after they are written too, so that its caller finds
  // index_result (exports, open data) current.
  app.addHook('onSend', async (req, _reply, payload) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') await settleEngine(store);
    return payload;
  });
  /** The engine, current with the database. */
  const current = async (): Promise<Engine> => {
    const e = await engineOf(store);
    await e.ensureCurrent();
    return e;
  };
  const db = store.db;

  /**
   * Public reads answered from their serialised body, kept per engine version: a hit writes a
   * buffer (or answers 304 Not Modified to a matching If-None-Match). The ETag is a hash of the
   * body, so it holds across processes and restarts; a new engine version rebuilds the body. A
   * browser always accepts brotli or gzip: the body is compressed once per version and encoding
   * (`precompressed`) and sent as it is, with `Vary: Accept-Encoding`.
   */
  const bodies = new Map<string, Cached>();
  const building = new Map<string, Promise<Cached>>();
  async function sendCached(
    req: FastifyRequest,
    reply: FastifyReply,
    engine: Engine,
    key: string,
    build: () => unknown,
  ): Promise<FastifyReply> {
    let hit = bodies.get(key);
    if (!hit || hit.version !== engine.version) {
      const version = engine.version;
      // Requests for the same body of the same version while it is being built wait for that build.
      const inFlight = `${key}|${version}`;
      let making = building.get(inFlight);
      if (!making) {
        making = (async () => {
          const built = await build();
          let made: Cached;
          if (built instanceof JsonChunks) {
            // Compressed as it is written, in the coding this client accepts.
            made = await cacheChunks(
              version,
              built.chunks,
              negotiate(req.headers['accept-encoding'], Infinity),
            );
          } else {
            const body = Buffer.from(JSON.stringify(built));
            made = { version, etag: bodyHash(createHash('sha1').update(body)), body, encoded: {} };
          }
          if (bodies.size >= 500) bodies.clear();
          const now = bodies.get(key);
          if (!now || Number(now.version) <= version) bodies.set(key, made);
          return made;
        })().finally(() => building.delete(inFlight));
        building.set(inFlight, making);
      }
      hit = await making;
    }
    const encoding = negotiate(req.headers['accept-encoding'], hit.body.length);
    reply.header('vary', 'accept-encoding');
    reply.header('etag', etagOf(hit.etag, encoding));
    reply.header('cache-control', 'no-cache');
    reply.header('x-engine-version', String(hit.version));
    if (notModified(req.headers['if-none-match'], hit.etag)) return reply.code(304).send();
    reply.type('application/json; charset=utf-8');
    if (encoding === 'identity') return reply.send(hit.body);
    reply.header('content-encoding', encoding);
    return reply.send(await compressedFor(hit, encoding));
  }
  /** The provenance of the latest values that are the units' own figures (one query). */
  async function addProvenance(r: OverviewSummary): Promise<void> {
    const want = r.groups.flatMap((g) => g.rows).filter((x) => x.kind === 'unit' && x.item.latest);
    if (want.length === 0) return;
    const cells = want.map((x) => (x.kind === 'unit' ? x.item : null)!);
    const found = await rows<{ i: string; u: string; p: string; provenance: string }>(
      db,
      sql`select i.code as i, u.code as u, v.period as p, v.provenance
          from unnest(${sql.param(cells.map((c) => c.indicator))}::text[], ${sql.param(cells.map((c) => c.org_unit))}::text[],
                      ${sql.param(cells.map((c) => c.latest!.period))}::text[]) as x(i, u, p)
          join indicator i on i.code = x.i join org_unit u on u.code = x.u
          join data_value v on v.indicator_id = i.id and v.org_unit_id = u.id and v.period = x.p and v.disagg = ''
          where v.status = 'approved' and v.archived_at is null`,
    );
    const by = new Map(found.map((f) => [`${f.i}|${f.u}|${f.p}`, f.provenance]));
    for (const x of want)
      if (x.kind === 'unit')
        x.latest_provenance =
          by.get(`${x.item.indicator}|${x.item.org_unit}|${x.item.latest!.period}`) ?? null;
  }
  /** The levels in their order, for the overview summary (read when its body is rebuilt). */
  let levelList: { version: number; items: OverviewSummary['levels'] } | null = null;
  async function levelsOf(engine: Engine): Promise<OverviewSummary['levels']> {
    if (levelList?.version !== engine.version) {
      const items = await rows<OverviewSummary['levels'][number]>(
        db,
        sql`select code, name_vi, name_en from org_level order by sort, code`,
      );
      levelList = { version: engine.version, items };
    }
    return levelList.items;
  }

  type PQ = z.infer<typeof zProgressQuery>;
  /** Progress rows for a query: the indexed table by default, memory for drafts or another profile. */
  async function progress(req: FastifyRequest, q: PQ, page: { limit: number; offset: number } | null) {
    const engine = await current();
    const { include_drafts, profile, unit, ...rest } = q;
    const filters = { ...rest, org_unit: rest.org_unit ?? unit };
    const viewer = viewerOf(req, include_drafts);
    if (!profile && viewer.draftScopes.length === 0 && page) {
      return progressFromTable(db, engine.model, filters, viewer, page);
    }
    const m = await modelFor(db, engine, viewer);
    const all = progressFromModel(m, filters, viewer, profile ? resolveProfile(profile) : m.profile);
    return { items: page ? all.slice(page.offset, page.offset + page.limit) : all, total: all.length };
  }

  app.get(
    '/api/progress',
    {
      schema: {
        tags: ['engine'],
        summary: 'Progress against targets: status, score, attainment, projection, latest actual, target',
        description:
          'One row per indicator × unit × target period (the primary target; all_targets=true lists every document’s target). ' +
          'Filters: indicator, org_unit, subtree, level, group, period or year, status. profile= assesses with another method profile.',
        querystring: zProgressQuery.extend(zPage.shape),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, ...q } = req.query;
      const r = await progress(req, q, { limit, offset });
      return { ...r, limit, offset };
    },
  );
  app.get(
    '/api/progress.csv',
    {
      schema: { tags: ['engine'], summary: 'Progress against targets as CSV', querystring: zProgressQuery },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const q = req.query;
      const { items } = await progress(req, q, null);
      return sendCsv(reply, 'progress.csv', PROGRESS_CSV, [items]);
    },
  );
  app.get(
    '/api/progress/overview',
    {
      schema: {
        tags: ['engine'],
        summary:
          'Every target with status, attainment and trend, grouped by indicator group (the public overview)',
        description:
          'summary=true: one small payload for the overview page — the targets set for every unit of a level folded into one row ' +
          '(the units’ status counts), a unit’s own target with its recent values, the levels and the years with targets; ' +
          'without level= it shows the first level, level=all every level. Answers carry an ETag (304 on If-None-Match).',
        querystring: z.object({
          year: zYear,
          level: z.string().max(64).optional(),
          group: z.string().max(64).optional(),
          summary: zBool,
        }),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const engine = await current();
      const viewer = viewerOf(req, false);
      const { year, level, group, summary } = req.query;
      const key = `overview|${summary ? 's' : ''}|${viewer.seeUnpublished}|${year ?? ''}|${level ?? ''}|${group ?? ''}`;
      if (!summary)
        return sendCached(req, reply, engine, key, () => overview(engine.model, req.query, viewer));
      const levels = await levelsOf(engine);
      const lv = level === 'all' ? '' : level;
      return sendCached(req, reply, engine, key, async () => {
        const r = overviewSummary(engine.model, { year, level: lv, group }, viewer, levels);
        await addProvenance(r);
        return r;
      });
    },
  );
  app.get(
    '/api/indicators/:code/series',
    {
      schema: {
        tags: ['engine'],
        summary:
          'An indicator’s actuals by period for a unit (own, rolled up, carried by lineage), its targets and projection',
        params: z.object({ code: z.string().max(64) }),
        querystring: z.object({
          org_unit: z.string().max(64).optional(),
          period_type: z.enum(['year', 'half', 'quarter', 'month']).optional(),
          include_drafts: zBool,
        }),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const engine = await current();
      const viewer = viewerOf(req, req.query.include_drafts);
      if (viewer.draftScopes.length === 0) {
        const { org_unit, period_type } = req.query;
        const key = `series|${viewer.seeUnpublished}|${req.params.code}|${org_unit ?? ''}|${period_type ?? ''}`;
        return sendCached(req, reply, engine, key, () =>
          seriesFor(engine.model, req.params.code, org_unit, viewer, period_type),
        );
      }
      const m = await modelFor(db, engine, viewer, engine.model.cat.indicatorByCode.get(req.params.code));
      return seriesFor(m, req.params.code, req.query.org_unit, viewer, req.query.period_type);
    },
  );
  app.get(
    '/api/rollups',
    {
      schema: {
        tags: ['engine'],
        summary: 'The value of an indicator for a unit and period, with the children’s contributions',
        querystring: z.object({
          indicator: z.string().max(64),
          org_unit: z.string().max(64),
          period: z.string().max(10),
          include_drafts: zBool,
        }),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const engine = await current();
      const viewer = viewerOf(req, req.query.include_drafts);
      const m = await modelFor(db, engine, viewer, engine.model.cat.indicatorByCode.get(req.query.indicator));
      return rollupFor(m, req.query.indicator, req.query.org_unit, req.query.period, viewer);
    },
  );

  // ---- composite index ----
  app.get(
    '/api/index/methodologies',
    {
      schema: { tags: ['index'], summary: 'Index methodology versions, with the years that have results' },
      config: { policy: policy.public() },
    },
    async () => {
      const engine = await current();
      return { items: methodologiesFor(engine.model), problems: engine.model.cat.problems };
    },
  );
  app.post(
    '/api/index/methodologies',
    {
      schema: {
        tags: ['index'],
        summary: 'Add a methodology version (validated); its results are computed before the answer',
        body: zMethodologyInput,
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) => {
      const engine = await engineOf(store);
      const created = await db.transaction(async (tx) => {
        const m = await addMethodology(tx, actorOf(req), req.body);
        await engine.refreshIn(tx);
        return m;
      });
      return reply.status(201).send({
        ...created,
        years: methodologiesFor(engine.model).find((x) => x.id === created.id)?.years ?? [],
      });
    },
  );
  app.get(
    '/api/index/methodologies/:id',
    {
      schema: {
        tags: ['index'],
        summary: 'One methodology version with its whole definition (pillars, weights, methods, levels)',
        params: z.object({ id: z.coerce.number().int().positive() }),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const engine = await current();
      const m = await getMethodology(db, req.params.id, true);
      if (!m) throw notFound('bộ chỉ số / index methodology', String(req.params.id));
      const info = methodologiesFor(engine.model).find((x) => x.id === m.id);
      return {
        ...m,
        indicators: info?.indicators ?? [],
        levels: info?.levels ?? [],
        years: info?.years ?? [],
      };
    },
  );
  const zResults = {
    params: z.object({ code: z.string().max(64) }),
    querystring: z.object({ period: z.string().max(10).optional(), version: z.string().max(64).optional() }),
  };
  app.get(
    '/api/index/:code/results',
    {
      schema: {
        tags: ['index'],
        summary:
          'Scores, ranks (ties share the best rank), rank change, median rank and 5–95 % interval, strengths and weaknesses, per node',
        ...zResults,
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const engine = await current();
      const { period, version } = req.query;
      return sendCached(req, reply, engine, `index|${req.params.code}|${period ?? ''}|${version ?? ''}`, () =>
        indexResultsStream(engine.model, req.params.code, req.query),
      );
    },
  );
  app.get(
    '/api/index/:code/results.csv',
    {
      schema: { tags: ['index'], summary: 'Index results as CSV: one row per unit and node', ...zResults },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const engine = await current();
      const r = await indexResultsFor(db, engine.model, req.params.code, req.query);
      type Row = { u: (typeof r.units)[number]; node: string; n: Record<string, number | string | null> };
      const rowsOut: Row[] = [];
      for (const u of r.units) {
        for (const nd of r.nodes) {
          const n = u.nodes[nd.code] as Record<string, number | string | null> | undefined;
          if (n) rowsOut.push({ u, node: nd.code, n });
        }
      }
      const isRoot = (x: Row) => x.node === r.methodology.root;
      return sendCsv(
        reply,
        `index-${r.methodology.code}-${r.period}.csv`,
        [
          { key: 'methodology', get: () => r.methodology.code },
          { key: 'version', get: () => r.methodology.version },
          { key: 'period', get: () => r.period },
          { key: 'org_unit', get: (x: Row) => x.u.org_unit.code },
          { key: 'org_unit_name_vi', get: (x: Row) => x.u.org_unit.name_vi },
          { key: 'node', get: (x: Row) => x.node },
          { key: 'raw', get: (x: Row) => x.n.raw ?? null },
          { key: 'score', get: (x: Row) => x.n.score ?? null },
          { key: 'rank', get: (x: Row) => x.n.rank ?? null },
          { key: 'previous_rank', get: (x: Row) => x.n.previous_rank ?? null },
          { key: 'rank_change', get: (x: Row) => x.n.rank_change ?? null },
          { key: 'band', get: (x: Row) => x.n.band ?? null },
          {
            key: 'median_rank',
            get: (x: Row) => (isRoot(x) ? (x.u.sensitivity?.median_rank ?? null) : null),
          },
          { key: 'rank_q5', get: (x: Row) => (isRoot(x) ? (x.u.sensitivity?.q5 ?? null) : null) },
          { key: 'rank_q95', get: (x: Row) => (isRoot(x) ? (x.u.sensitivity?.q95 ?? null) : null) },
        ],
        [rowsOut],
      );
    },
  );

  app.get(
    '/api/engine/status',
    {
      schema: {
        tags: ['engine'],
        summary: 'The engine of this process: model version, method profile, counters of the last update',
      },
      config: { policy: policy.public() },
    },
    async () => {
      const engine = await current();
      const m = engine.model;
      return {
        version: engine.version,
        method_profile: m.profile.id,
        units: m.nUnits,
        indicators: m.cat.indicators.length,
        years: [m.cat.calendar.firstYear, m.cat.calendar.lastYear],
        statuses: m.statuses.size,
        index_results: m.index.size,
        stats: engine.stats,
        problems: m.cat.problems,
        viewer_default: PUBLIC_VIEWER,
      };
    },
  );
}
