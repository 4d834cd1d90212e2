/**
 * Unit boundaries: the public GeoJSON of the current geometries (for maps), and the administrator's
 * import of a GeoJSON FeatureCollection (src/app/geo/boundaries.ts; the rules in
 * src/core/boundaries.ts). The import's body is the file itself, parsed here so that a file that is
 * not JSON is answered with its line and column.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { importBoundaries, listBoundaries } from '../../../app/geo/boundaries.ts';
import { CODE_PROPERTIES, MAX_BOUNDARY_BYTES } from '../../../core/boundaries.ts';
import { ChisoError } from '../../../core/errors.ts';
import { policy } from '../../policies/index.ts';
import type { App, ServerDeps } from '../../server.ts';
import { actorOf } from '../common.ts';

const zBool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
const zDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const zBBox = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const zPosition = z.array(z.number()).min(2).max(3);

export const zBoundaryQuery = z.object({
  level: z.string().max(64).optional().describe('Units of this level (org level code)'),
  parent: z.string().max(64).optional().describe('Direct children of this unit'),
  subtree: z.string().max(64).optional().describe('This unit and every unit below it'),
  unit: z.string().max(64).optional().describe('One unit'),
  units: z
    .string()
    .max(20_000)
    .transform((s) =>
      s
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().max(64)).max(1000))
    .optional()
    .describe('Several units: codes separated by commas (at most 1000)'),
  valid_on: zDate.optional().describe('Only units in force on this day (YYYY-MM-DD)'),
});

const zBoundaryCollection = z.object({
  type: z.literal('FeatureCollection'),
  bbox: zBBox.nullable(),
  sources: z.array(z.string()).describe('The source and licence lines of the geometries, to show with a map'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      id: z.string(),
      bbox: zBBox,
      geometry: z.union([
        z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(zPosition)) }),
        z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(zPosition))) }),
      ]),
      properties: z.object({
        code: z.string(),
        name_vi: z.string(),
        name_en: z.string().nullable(),
        level: z.string(),
        parent: z.string().nullable(),
        source: z.string(),
        valid_from: z.string().nullable(),
      }),
    }),
  ),
});

const zImportSummary = z.object({
  file: z.string(),
  dry_run: z.boolean(),
  source: z.string(),
  features: z.number(),
  created: z.number(),
  replaced: z.number(),
  unchanged: z.number(),
  units: z.array(z.object({ code: z.string(), change: z.enum(['created', 'replaced', 'unchanged']) })),
});

export default async function geoRoutes(app: App, { store }: ServerDeps): Promise<void> {
  const db = store.db;

  app.get(
    '/api/boundaries',
    {
      schema: {
        tags: ['org units'],
        summary:
          'Boundaries of org units as a GeoJSON FeatureCollection (WGS84; properties code, name_vi, name_en, level, parent, source): the current geometry of each selected unit that has one. An empty collection when none has. ETag with 304 on If-None-Match.',
        querystring: zBoundaryQuery,
        response: { 200: zBoundaryCollection },
      },
      config: { policy: policy.public() },
    },
    async (req, typed) => {
      // the body is serialised once, here (for its ETag); the schema above documents it
      const reply = typed as unknown as FastifyReply;
      const { unit, units, ...f } = req.query;
      const codes = [...(units ?? []), ...(unit ? [unit] : [])];
      const fc = await listBoundaries(db, { ...f, ...(unit || units ? { units: codes } : {}) });
      const body = JSON.stringify(fc);
      const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
      reply.header('etag', etag);
      reply.header('cache-control', 'public, no-cache');
      reply.header('content-type', 'application/geo+json; charset=utf-8');
      const inm = req.headers['if-none-match'];
      if (inm?.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
        return reply.status(304).send();
      }
      return reply.send(body);
    },
  );

  // Import: the body is the GeoJSON file (application/geo+json or application/json), parsed by the
  // import itself (line and column of a JSON fault), up to MAX_BOUNDARY_BYTES.
  await app.register(async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/geo+json', 'application/json'],
      { parseAs: 'buffer', bodyLimit: MAX_BOUNDARY_BYTES },
      (_req, body, done) => done(null, body),
    );
    const r = scope.withTypeProvider<ZodTypeProvider>() as unknown as App;
    r.post(
      '/api/boundaries/import',
      {
        schema: {
          tags: ['org units'],
          summary: `Import unit boundaries: the body is a GeoJSON FeatureCollection (Content-Type application/geo+json or application/json) whose features carry the unit's code in the property ${CODE_PROPERTIES.map((p) => `"${p}"`).join(', else ')} — a chiso code, or the official code of a unit in force — and a Polygon or MultiPolygon in WGS84. Atomic: 422 lists every fault with its feature index and property; a unit's previous geometry is archived. Coordinates are rounded to 6 decimals.`,
          querystring: z.object({
            file: z
              .string()
              .max(200)
              .optional()
              .describe('The file name, used in messages and kept with the rows'),
            source: z
              .string()
              .max(1000)
              .optional()
              .describe(
                'Source and licence of the polygons (shown with every map); else the collection\'s own "source" member',
              ),
            valid_from: zDate.optional().describe('Default valid_from of the geometries'),
            dry_run: zBool,
          }),
          response: { 200: zImportSummary, 201: zImportSummary },
        },
        config: { policy: policy.catalogue('admin') },
      },
      async (req, reply) => {
        const body = req.body as unknown;
        if (!(body instanceof Uint8Array) || body.length === 0) {
          throw new ChisoError({
            code: 'boundary.no_file',
            status: 400,
            vi: 'Hãy gửi tệp GeoJSON (FeatureCollection) làm nội dung yêu cầu, với Content-Type application/geo+json.',
            en: 'Send the GeoJSON file (a FeatureCollection) as the request body, with Content-Type application/geo+json.',
          });
        }
        const { file, source, valid_from, dry_run } = req.query;
        const summary = await db.transaction((t) =>
          importBoundaries(t, actorOf(req), body, file ?? 'boundaries.geojson', {
            dryRun: dry_run ?? false,
            source: source ?? null,
            validFrom: valid_from ?? null,
          }),
        );
        return reply
          .status(!summary.dry_run && summary.created + summary.replaced > 0 ? 201 : 200)
          .send(summary);
      },
    );
  });
}
