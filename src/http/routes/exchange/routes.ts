/**
 * Exchange routes: bulk import of values (CSV, JSON, SDMX-CSV, Open SDG, Excel templates), exports
 * (CSV, JSON, .xlsx), DHIS2 dataValueSets and ADX with the identifier mapping, the quarterly report
 * (.docx, .xlsx annex, PDF), and the public open data under /api/open-data/.
 *
 * Uploads are read as a stream (no body parsing, no size limit of the JSON parser): the import reads
 * them incrementally, hashes them and stops at MAX_UPLOAD bytes.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  DHIS2_MEDIA_TYPES,
  archiveDhis2Mapping,
  exportDhis2,
  importDhis2,
  listDhis2Mappings,
  setDhis2Mappings,
  zDhis2MappingInput,
} from '../../../app/exchange/dhis2.ts';
import { exportValuesChunks, primed } from '../../../app/exchange/export-values.ts';
import { importValues } from '../../../app/exchange/import-values.ts';
import {
  importOpenSdgData,
  importOpenSdgMetadata,
  importSdmxValues,
  OPEN_DATA_LICENSE,
  openDataCatalog,
  openDataChunks,
  openSdgData,
  openSdgMetadata,
} from '../../../app/exchange/open-data.ts';
import { convertToPdf } from '../../../app/exchange/pdf.ts';
import {
  indexBatches,
  indexCsvChunks,
  indexResultsXlsx,
  statusBatches,
  statusCsvChunks,
  statusesXlsx,
} from '../../../app/exchange/results.ts';
import { quarterlyReportDocx, quarterlyReportXlsx } from '../../../app/exchange/quarterly-report.ts';
import { exportTableXlsx, importValuesTemplate, valuesTemplateXlsx } from '../../../app/exchange/excel.ts';
import {
  importSubmissionTemplate,
  submissionTemplateXlsx,
} from '../../../app/exchange/submission-template.ts';
import { zSubmission } from '../../../app/rounds/schemas.ts';
import { ChisoError } from '../../../core/errors.ts';
import { policy } from '../../policies/index.ts';
import type { App, ServerDeps } from '../../server.ts';
import { actorOf, unitsFrom } from '../common.ts';
import { callerOf } from '../rounds/scope.ts';

/** Largest upload accepted by the import routes. */
export const MAX_UPLOAD = 1024 * 1024 * 1024;

const RAW_TYPES = [
  'text/csv',
  'application/csv',
  'application/json',
  'application/xml',
  'text/xml',
  'application/adx+xml',
  'text/markdown',
  'text/plain',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

async function* limited(req: FastifyRequest): AsyncGenerator<Uint8Array> {
  const body = req.body as AsyncIterable<Uint8Array> | null | undefined;
  if (!body || typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
    throw new ChisoError({
      code: 'request.body_required',
      status: 400,
      vi: 'Cần gửi kèm tệp trong nội dung yêu cầu (CSV, JSON, XML hoặc XLSX, với Content-Type tương ứng).',
      en: 'The request needs a file as its body (CSV, JSON, XML or XLSX, with the matching Content-Type).',
    });
  }
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > MAX_UPLOAD)
      throw new ChisoError({
        code: 'request.too_large',
        status: 413,
        vi: `Tệp tải lên quá lớn (trên ${MAX_UPLOAD / 1024 / 1024} MB).`,
        en: `The upload is too large (over ${MAX_UPLOAD / 1024 / 1024} MB).`,
      });
    yield chunk;
  }
}

async function bodyBuffer(req: FastifyRequest, max = 100 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of limited(req)) {
    n += c.length;
    if (n > max)
      throw new ChisoError({
        code: 'request.too_large',
        status: 413,
        vi: `Tệp tải lên quá lớn (trên ${max / 1024 / 1024} MB).`,
        en: `The upload is too large (over ${max / 1024 / 1024} MB).`,
      });
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}

const zDryRun = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
const zFileName = z.string().max(200).optional();
const zStatus = z.enum(['draft', 'submitted', 'approved']).optional();

const zSummary = z.object({
  format: z.string(),
  file: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  dry_run: z.boolean(),
  rows: z.number(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  rejected: z.array(
    z.object({
      line: z.number(),
      column: z.string(),
      sheet: z.string().optional(),
      cell: z.string().optional(),
      code: z.string(),
      vi: z.string(),
      en: z.string(),
    }),
  ),
  rejected_count: z.number(),
});

const zValueFilter = z.object({
  indicator: z.string().optional(),
  org_unit: z.string().optional(),
  subtree: z.string().optional(),
  level: z.string().optional(),
  group: z.string().optional(),
  period: z.string().optional(),
  period_from: z.string().optional(),
  period_to: z.string().optional(),
});

function sendStream(
  reply: FastifyReply,
  type: string,
  filename: string,
  body: AsyncIterable<string | Uint8Array> | Readable,
) {
  reply.header('content-type', type);
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  return reply.send(body instanceof Readable ? body : Readable.from(body));
}

function licensed(reply: FastifyReply): void {
  reply.header('link', `<${OPEN_DATA_LICENSE.url}>; rel="license"`);
  reply.header('access-control-allow-origin', '*');
  reply.header('cache-control', 'public, max-age=300');
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export default async function exchangeRoutes(app: App, deps: ServerDeps): Promise<void> {
  const { store } = deps;
  const publicUrl = () => deps.config.publicUrl.replace(/\/$/, '');

  const zRoundUnit = z.object({ id: z.coerce.number().int().positive(), unit: z.string().min(1).max(64) });
  /** The unit named by the path (the submission's unit; the use case checks the role on it again). */
  const unitParam = unitsFrom(store, (req) => [(req.params as { unit?: string }).unit]);

  // Uploads: a scope where bodies are left as streams.
  await app.register(async (scope: App) => {
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(RAW_TYPES, (_req, payload, done) => done(null, payload));

    scope.post(
      '/api/exchange/values/import',
      {
        schema: {
          tags: ['exchange'],
          summary:
            'Bulk import of values (chiso CSV or JSON): streamed, atomic, idempotent; dry_run to preview',
          querystring: z.object({
            format: z.enum(['csv', 'json']).optional(),
            dry_run: zDryRun,
            file: zFileName,
            status: zStatus,
          }),
          response: { 200: zSummary },
        },
        config: { policy: policy.catalogue('admin') },
      },
      async (req) => {
        const ct = String(req.headers['content-type'] ?? '');
        const format = req.query.format ?? (ct.includes('json') ? 'json' : 'csv');
        return importValues(store, actorOf(req), limited(req), format, {
          dryRun: req.query.dry_run ?? false,
          ...(req.query.file ? { file: req.query.file } : {}),
          ...(req.query.status ? { status: req.query.status } : {}),
        });
      },
    );

    scope.post(
      '/api/exchange/sdmx/values',
      {
        schema: {
          tags: ['exchange'],
          summary: "Import chiso's values SDMX-CSV",
          querystring: z.object({ dry_run: zDryRun, file: zFileName }),
          response: { 200: zSummary },
        },
        config: { policy: policy.catalogue('admin') },
      },
      async (req) =>
        importSdmxValues(store, actorOf(req), limited(req), {
          dryRun: req.query.dry_run ?? false,
          ...(req.query.file ? { file: req.query.file } : {}),
        }),
    );

    scope.post(
      '/api/exchange/opensdg/:indicator/data',
      {
        schema: {
          tags: ['exchange'],
          summary: 'Import an Open SDG data CSV of one indicator',
          params: z.object({ indicator: z.string().max(64) }),
          querystring: z.object({ dry_run: zDryRun, file: zFileName }),
          response: { 200: zSummary },
        },
        config: { policy: policy.catalogue('admin') },
      },
      async (req) =>
        importOpenSdgData(store, actorOf(req), req.params.indicator, limited(req), {
          dryRun: req.query.dry_run ?? false,
          ...(req.query.file ? { file: req.query.file } : {}),
        }),
    );

    scope.post(
      '/api/exchange/opensdg/meta',
      {
        schema: {
          tags: ['exchange'],
          summary: 'Apply Open SDG metadata (Markdown with YAML front matter) to an indicator',
          response: { 200: z.object({ indicator: z.string(), changed: z.array(z.string()) }) },
        },
        config: { policy: policy.catalogue('admin') },
      },
      async (req) =>
        importOpenSdgMetadata(store, actorOf(req), (await bodyBuffer(req, 1024 * 1024)).toString('utf8')),
    );

    scope.post(
      '/api/dhis2/dataValueSets',
      {
        schema: {
          tags: ['dhis2'],
          summary: 'Import DHIS2 dataValueSets (JSON, CSV, XML) or ADX; the format follows the content type',
          querystring: z.object({
            format: z.enum(['json', 'csv', 'xml', 'adx']).optional(),
            dryRun: zDryRun,
            file: zFileName,
          }),
          response: { 200: zSummary },
        },
        config: { policy: policy.catalogue('admin') },
      },
      async (req) => {
        const ct = String(req.headers['content-type'] ?? '');
        const format =
          req.query.format ??
          (ct.includes('adx') ? 'adx' : ct.includes('json') ? 'json' : ct.includes('xml') ? 'xml' : 'csv');
        return importDhis2(store, actorOf(req), limited(req), format, {
          dryRun: req.query.dryRun ?? false,
          ...(req.query.file ? { file: req.query.file } : {}),
        });
      },
    );

    scope.post(
      '/api/rounds/:id/units/:unit/template',
      {
        schema: {
          tags: ['exchange', 'submissions'],
          summary:
            'Import a filled-in submission template (.xlsx) into the unit’s submission as a draft save: the guards of PUT /api/submissions/:id/values, all or nothing, faults by sheet and cell',
          params: zRoundUnit,
          querystring: z.object({ file: zFileName }),
          response: {
            200: z.object({
              submission: zSubmission,
              file: z.string(),
              sha256: z.string(),
              rows: z.number(),
              saved: z.array(
                z.object({
                  indicator: z.string(),
                  cell: z.string(),
                  outcome: z.enum(['created', 'updated', 'unchanged']),
                }),
              ),
              unchanged: z.number(),
            }),
          },
        },
        config: { policy: policy.onUnits('reporter', unitParam) },
      },
      async (req) =>
        importSubmissionTemplate(
          store,
          callerOf(req),
          req.params.id,
          req.params.unit,
          await bodyBuffer(req, 20 * 1024 * 1024),
          req.query.file ? { file: req.query.file } : {},
        ),
    );

    scope.post(
      '/api/exchange/templates/import',
      {
        schema: {
          tags: ['exchange'],
          summary: 'Import a filled-in .xlsx values template; faults name the sheet and the cell',
          querystring: z.object({ dry_run: zDryRun, file: zFileName }),
          response: { 200: zSummary },
        },
        config: { policy: policy.catalogue('admin') },
      },
      async (req) =>
        importValuesTemplate(store, actorOf(req), await bodyBuffer(req), {
          dryRun: req.query.dry_run ?? false,
          ...(req.query.file ? { file: req.query.file } : {}),
        }),
    );
  });

  // ---- exports (signed-in viewers; approved values) ----
  app.get(
    '/api/rounds/:id/units/:unit/template.xlsx',
    {
      schema: {
        tags: ['exchange', 'submissions'],
        summary:
          'The .xlsx template of a unit’s submission in a round: protected, drop-downs and validations, current draft values, instructions vi/en',
        params: zRoundUnit,
      },
      config: { policy: policy.onUnits('viewer', unitParam) },
    },
    async (req, reply) => {
      const t = await submissionTemplateXlsx(store.db, callerOf(req), req.params.id, req.params.unit);
      return sendStream(reply, XLSX, t.filename, Readable.from([t.buffer]));
    },
  );

  for (const format of ['csv', 'json'] as const) {
    app.get(
      `/api/exchange/values.${format}`,
      {
        schema: {
          tags: ['exchange'],
          summary: `Approved values as chiso ${format.toUpperCase()} (imports back)`,
          querystring: zValueFilter,
        },
        config: { policy: policy.catalogue('viewer') },
      },
      async (req, reply) =>
        sendStream(
          reply,
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
          `values.${format}`,
          await exportValuesChunks(store, format, req.query),
        ),
    );
  }
  app.get(
    '/api/exchange/:table.xlsx',
    {
      schema: {
        tags: ['exchange'],
        summary: 'A table as .xlsx with Vietnamese headers: values, targets, indicators',
        params: z.object({ table: z.enum(['values', 'targets', 'indicators']) }),
        querystring: zValueFilter,
      },
      config: { policy: policy.catalogue('viewer') },
    },
    async (req, reply) =>
      sendStream(
        reply,
        XLSX,
        `${req.params.table}.xlsx`,
        await exportTableXlsx(store, req.params.table, req.query),
      ),
  );
  // ---- the engine's results: progress statuses, index results and rankings ----
  const zStatusQuery = z.object({
    indicator: z.string().max(64).optional(),
    org_unit: z.string().max(64).optional(),
    subtree: z.string().max(64).optional(),
    level: z.string().max(40).optional(),
    period: z.string().max(10).optional(),
    status: z.string().max(40).optional(),
    all_targets: zDryRun.describe('Every document’s target, not only the primary one'),
  });
  const zIndexQuery = z.object({
    index: z.string().max(64).optional().describe('Methodology code'),
    version: z.string().max(64).optional(),
    period: z.string().max(10).optional().describe('A year'),
    node: z.string().max(64).optional(),
  });
  for (const format of ['csv', 'xlsx'] as const) {
    app.get(
      `/api/exchange/statuses.${format}`,
      {
        schema: {
          tags: ['exchange'],
          summary: `Progress statuses (indicator × unit × target period: target, latest actual, attainment, status) as ${format.toUpperCase()}`,
          querystring: zStatusQuery,
        },
        config: { policy: policy.catalogue('viewer') },
      },
      async (req, reply) => {
        const f = req.query;
        if (format === 'xlsx')
          return sendStream(reply, XLSX, 'tien-do.xlsx', await statusesXlsx(store.db, f));
        return sendStream(
          reply,
          'text/csv; charset=utf-8',
          'statuses.csv',
          statusCsvChunks(await primed(statusBatches(store.db, f))),
        );
      },
    );
    app.get(
      `/api/exchange/index-results.${format}`,
      {
        schema: {
          tags: ['exchange'],
          summary: `Composite index results (every node) and rankings as ${format === 'xlsx' ? '.xlsx (a ranking sheet and a sheet of every node)' : 'CSV'}`,
          querystring: zIndexQuery.extend({
            ranking: zDryRun.describe('Only the overall index, in rank order'),
          }),
        },
        config: { policy: policy.catalogue('viewer') },
      },
      async (req, reply) => {
        const f = req.query;
        if (format === 'xlsx')
          return sendStream(reply, XLSX, 'chi-so-xep-hang.xlsx', await indexResultsXlsx(store.db, f));
        return sendStream(
          reply,
          'text/csv; charset=utf-8',
          f.ranking ? 'rankings.csv' : 'index-results.csv',
          indexCsvChunks(await primed(indexBatches(store.db, f))),
        );
      },
    );
  }

  app.get(
    '/api/exchange/templates/values.xlsx',
    {
      schema: {
        tags: ['exchange'],
        summary:
          'An .xlsx entry template for indicators × units × period (protected, drop-downs, instructions vi/en)',
        querystring: z.object({
          period: z.string().max(10),
          indicators: z.string().max(4000).optional(),
          org_units: z.string().max(20000).optional(),
          level: z.string().max(40).optional(),
          subtree: z.string().max(64).optional(),
        }),
      },
      config: { policy: policy.catalogue('viewer') },
    },
    async (req, reply) => {
      const split = (s?: string) =>
        s
          ? s
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : undefined;
      const buf = await valuesTemplateXlsx(store, {
        period: req.query.period,
        ...(split(req.query.indicators) ? { indicators: split(req.query.indicators)! } : {}),
        ...(split(req.query.org_units) ? { orgUnits: split(req.query.org_units)! } : {}),
        ...(req.query.level ? { level: req.query.level } : {}),
        ...(req.query.subtree ? { subtree: req.query.subtree } : {}),
      });
      return sendStream(reply, XLSX, `template-${req.query.period}.xlsx`, Readable.from([buf]));
    },
  );

  // ---- DHIS2 ----
  for (const format of ['json', 'csv', 'adx'] as const) {
    app.get(
      `/api/dhis2/dataValueSets.${format}`,
      {
        schema: {
          tags: ['dhis2'],
          summary: `Approved values as DHIS2 ${format === 'adx' ? 'ADX' : `dataValueSets ${format.toUpperCase()}`}`,
          querystring: zValueFilter.extend({ dataSet: z.string().max(64).optional() }),
        },
        config: { policy: policy.catalogue('viewer') },
      },
      async (req, reply) => {
        const { dataSet, ...filter } = req.query;
        return sendStream(
          reply,
          DHIS2_MEDIA_TYPES[format],
          `dataValueSets.${format === 'adx' ? 'adx.xml' : format}`,
          await exportDhis2(store, format, filter, dataSet ? { dataSet } : {}),
        );
      },
    );
  }
  const zMapping = z.object({
    id: z.number(),
    kind: z.string(),
    dhis2_id: z.string(),
    chiso_code: z.string(),
    note: z.string().nullable(),
    version: z.number(),
  });
  app.get(
    '/api/dhis2/mappings',
    {
      schema: {
        tags: ['dhis2'],
        summary: 'DHIS2 identifier ↔ chiso code mappings',
        querystring: z.object({ kind: z.enum(['dataElement', 'orgUnit', 'categoryOptionCombo']).optional() }),
        response: { 200: z.object({ items: z.array(zMapping) }) },
      },
      config: { policy: policy.catalogue('viewer') },
    },
    async (req) => ({ items: await listDhis2Mappings(store.db, req.query.kind) }),
  );
  app.put(
    '/api/dhis2/mappings',
    {
      schema: {
        tags: ['dhis2'],
        summary: 'Set mappings (each replaces the active mapping of the same identifier or code)',
        body: z.object({ items: z.array(zDhis2MappingInput).min(1).max(10000) }),
        response: { 200: z.object({ created: z.number(), unchanged: z.number() }) },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => setDhis2Mappings(store, actorOf(req), req.body.items),
  );
  app.post(
    '/api/dhis2/mappings/:id/archive',
    {
      schema: {
        tags: ['dhis2'],
        summary: 'Archive a mapping',
        params: z.object({ id: z.coerce.number().int() }),
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) => {
      await archiveDhis2Mapping(store, actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );

  // ---- the quarterly report ----
  app.get(
    '/api/reports/quarterly',
    {
      schema: {
        tags: ['reports'],
        summary: 'The quarterly report (.docx, Decree 30/2020 layout), its .xlsx annex, or PDF (LibreOffice)',
        querystring: z.object({
          period: z.string().max(10),
          format: z.enum(['docx', 'xlsx', 'pdf']).default('docx'),
          date: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional(),
          number: z.string().max(10).optional(),
          symbol: z.string().max(40).optional(),
          subject: z.string().max(300).optional(),
        }),
      },
      config: { policy: policy.catalogue('viewer') },
    },
    async (req, reply) => {
      const { period, format, ...opts } = req.query;
      const options = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
      const name = `bao-cao-${period}`;
      if (format === 'xlsx')
        return sendStream(
          reply,
          XLSX,
          `${name}-phu-luc.xlsx`,
          Readable.from([await quarterlyReportXlsx(store, period)]),
        );
      const docx = await quarterlyReportDocx(store, period, options);
      if (format === 'pdf')
        return sendStream(
          reply,
          'application/pdf',
          `${name}.pdf`,
          Readable.from([await convertToPdf(docx, 'docx')]),
        );
      return sendStream(reply, DOCX, `${name}.docx`, Readable.from([docx]));
    },
  );

  // ---- open data (public, CC BY 4.0) ----
  app.get(
    '/api/open-data/catalog.jsonld',
    {
      schema: {
        tags: ['open data'],
        summary: 'DCAT-AP catalogue (JSON-LD) of the open data, for CKAN and other portals',
      },
      config: { policy: policy.public() },
    },
    async (_req, reply) => {
      licensed(reply);
      reply.header('content-type', 'application/ld+json; charset=utf-8');
      return reply.send(JSON.stringify(await openDataCatalog(store, publicUrl())));
    },
  );
  app.get(
    '/api/open-data/LICENSE',
    {
      schema: { tags: ['open data'], summary: 'The open-data licence (CC BY 4.0)' },
      config: { policy: policy.public() },
    },
    async (_req, reply) => {
      licensed(reply);
      reply.header('content-type', 'text/plain; charset=utf-8');
      return reply.send(
        `CC BY 4.0 — ${OPEN_DATA_LICENSE.url}\n\n${OPEN_DATA_LICENSE.vi}\n\n${OPEN_DATA_LICENSE.en}\n`,
      );
    },
  );
  const OPEN_FILES: Array<[string, 'indicators' | 'targets' | 'values', 'csv' | 'json' | 'sdmx.csv']> = [];
  for (const table of ['indicators', 'targets', 'values'] as const)
    for (const format of ['csv', 'json', 'sdmx.csv'] as const)
      if (!(table === 'indicators' && format === 'sdmx.csv'))
        OPEN_FILES.push([`${table}.${format}`, table, format]);
  for (const [file, table, format] of OPEN_FILES) {
    app.get(
      `/api/open-data/${file}`,
      {
        schema: {
          tags: ['open data'],
          summary: `Open data: ${table} as ${format === 'sdmx.csv' ? 'SDMX-CSV' : format.toUpperCase()} (CC BY 4.0)`,
          querystring: z.object({ indicator: z.string().max(64).optional() }),
        },
        config: { policy: policy.public() },
      },
      async (req, reply) => {
        licensed(reply);
        return sendStream(
          reply,
          format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
          file,
          await openDataChunks(store, table, format, publicUrl(), req.query.indicator),
        );
      },
    );
  }
  for (const format of ['csv', 'json', 'sdmx.csv'] as const) {
    const file = `index-results.${format}`;
    app.get(
      `/api/open-data/${file}`,
      {
        schema: {
          tags: ['open data'],
          summary: `Open data: composite index results and rankings as ${format === 'sdmx.csv' ? 'SDMX-CSV' : format.toUpperCase()} (CC BY 4.0)`,
          querystring: zIndexQuery.extend({
            ranking: zDryRun.describe('Only the overall index, in rank order'),
          }),
        },
        config: { policy: policy.public() },
      },
      async (req, reply) => {
        const chunks = await openDataChunks(
          store,
          'index-results',
          format,
          publicUrl(),
          undefined,
          req.query,
        );
        licensed(reply);
        return sendStream(
          reply,
          format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
          file,
          chunks,
        );
      },
    );
  }
  app.get(
    '/api/open-data/opensdg/:file',
    {
      schema: {
        tags: ['open data'],
        summary: 'Open SDG data CSV of one indicator: indicator_<code>.csv',
        params: z.object({ file: z.string().max(100) }),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const m = /^indicator_(.+)\.csv$/.exec(req.params.file);
      if (!m)
        throw new ChisoError({
          code: 'not_found',
          status: 404,
          vi: `Không có tệp '${req.params.file}' (tên tệp: indicator_<mã>.csv).`,
          en: `No file '${req.params.file}' (file names: indicator_<code>.csv).`,
        });
      licensed(reply);
      return sendStream(
        reply,
        'text/csv; charset=utf-8',
        req.params.file,
        Readable.from([await openSdgData(store, m[1]!)]),
      );
    },
  );
  app.get(
    '/api/open-data/opensdg/meta/:file',
    {
      schema: {
        tags: ['open data'],
        summary: 'Open SDG metadata of one indicator (Markdown with YAML front matter): <code>.md',
        params: z.object({ file: z.string().max(100) }),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const code = req.params.file.replace(/\.md$/, '');
      licensed(reply);
      return sendStream(
        reply,
        'text/markdown; charset=utf-8',
        `${code}.md`,
        Readable.from([await openSdgMetadata(store, code)]),
      );
    },
  );
}
