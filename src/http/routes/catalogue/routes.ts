/**
 * The catalogue API: org levels and units (with lineage), documents, indicator groups, indicators,
 * targets (with conflicts) and data values (with history). Every list has a `.csv` twin.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  createDocument,
  getDocument,
  listDocuments,
  updateDocument,
} from '../../../app/catalogue/documents.ts';
import {
  createIndicator,
  getIndicator,
  type IndicatorFilter,
  listIndicators,
  updateIndicator,
} from '../../../app/catalogue/indicators.ts';
import {
  addLineage,
  createOrgUnit,
  getOrgUnit,
  listOrgUnits,
  listReorganisations,
  type OrgUnitFilter,
  predecessors,
  recordReorganisation,
  successors,
  updateOrgUnit,
} from '../../../app/catalogue/org-units.ts';
import {
  zDocumentInput,
  zDocumentPatch,
  zIndicatorInput,
  zIndicatorPatch,
  zLineageInput,
  zOrgUnitInput,
  zOrgUnitPatch,
  zReorganisationInput,
  zTargetInput,
  zTargetPatch,
  zValueInput,
} from '../../../app/catalogue/schemas.ts';
import {
  archiveTarget,
  createTarget,
  getTarget,
  listTargetConflicts,
  listTargets,
  type TargetFilter,
  updateTarget,
} from '../../../app/catalogue/targets.ts';
import {
  archiveValue,
  getValue,
  listValues,
  setValue,
  type ValueFilter,
  valueHistory,
  VALUE_CSV,
  valueCsvLines,
  valueWhere,
} from '../../../app/catalogue/values.ts';
import { exportTableXlsx } from '../../../app/exchange/excel.ts';
import { ChisoError } from '../../../core/errors.ts';
import {
  formatPeriodEn,
  formatPeriodVi,
  periodEnd,
  periodStart,
  reportingWindow,
} from '../../../core/period.ts';
import { rows } from '../../../store/db.ts';
import { periodOf } from '../../../app/catalogue/refs.ts';
import { policy, scopeRoots } from '../../policies/index.ts';
import { notFound } from '../../problem.ts';
import type { App, ServerDeps } from '../../server.ts';
import { actorOf, pages, sendCsv, sendCsvText, unitsFrom, zPage } from '../common.ts';

const zBool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

const zUnitQuery = z.object({
  level: z.string().optional(),
  parent: z.string().optional(),
  subtree: z.string().optional(),
  group: z.string().optional(),
  q: z.string().max(200).optional(),
  valid_on: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
const zIndicatorQuery = z.object({
  group: z.string().optional(),
  level: z.string().optional(),
  q: z.string().max(200).optional(),
});
const zTargetQuery = z.object({
  indicator: z.string().optional(),
  period: z.string().optional(),
  period_from: z.string().optional(),
  period_to: z.string().optional(),
  org_unit: z.string().optional(),
  subtree: z.string().optional(),
  level: z.string().optional(),
  group: z.string().optional(),
  source_document: z.string().optional(),
  q: z.string().max(200).optional(),
  /** true: the archived targets (the history) instead of the active ones. */
  archived: zBool.optional(),
});
const zValueQuery = z.object({
  indicator: z.string().optional(),
  /** Several indicators at once: codes separated by commas (at most 100). */
  indicators: z
    .string()
    .max(4000)
    .transform((s) =>
      s
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().max(64)).max(100))
    .optional(),
  org_unit: z.string().optional(),
  subtree: z.string().optional(),
  level: z.string().optional(),
  group: z.string().optional(),
  period: z.string().optional(),
  period_from: z.string().optional(),
  period_to: z.string().optional(),
  provenance: z.string().optional(),
  q: z.string().max(200).optional(),
  follow_lineage: zBool,
  include_drafts: zBool,
});

const TARGET_CSV = [
  'id',
  'indicator_code',
  'indicator_name_vi',
  'period',
  'org_unit_code',
  'org_level',
  'comparator',
  'value',
  'value_max',
  'unit_of_measure',
  'baseline_period',
  'baseline_value',
  'source_document',
  'quote',
] as const;
const INDICATOR_CSV = [
  'code',
  'name_vi',
  'name_en',
  'unit',
  'value_type',
  'direction',
  'rollup',
  'denominator',
  'period_type',
  'period_rollup',
  'formula',
  'group',
  'levels',
  'source_document',
  'responsible_unit',
] as const;
const UNIT_CSV = [
  'code',
  'official_code',
  'name_vi',
  'name_en',
  'type',
  'level',
  'parent',
  'valid_from',
  'valid_to',
] as const;
const DOCUMENT_CSV = [
  'code',
  'kind',
  'number',
  'symbol',
  'date',
  'issuer',
  'title_vi',
  'title_en',
  'seed',
] as const;

function cols<T>(keys: readonly string[]) {
  return keys.map((key) => ({
    key,
    get: (r: T) => {
      const v = (r as Record<string, unknown>)[key];
      return Array.isArray(v) ? v.join(';') : (v as string | number | null);
    },
  }));
}

export default async function catalogueRoutes(app: App, { store }: ServerDeps): Promise<void> {
  const db = store.db;
  const tx = <T>(fn: Parameters<typeof db.transaction<T>>[0]) => db.transaction(fn);

  // ---- reference lists ----
  app.get(
    '/api/org-levels',
    {
      schema: { tags: ['catalogue'], summary: 'Administrative levels' },
      config: { policy: policy.public() },
    },
    async () => ({
      items: await rows(db, sql`select code, name_vi, name_en, sort from org_level order by sort, code`),
    }),
  );
  // indicator groups: ./groups.ts

  // ---- periods ----
  app.get(
    '/api/periods/:code',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Parse a period code; its dates, labels and Decree 09 reporting window',
        params: z.object({ code: z.string().max(20) }),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const p = periodOf(req.params.code);
      return {
        code: req.params.code,
        type: p.type,
        year: p.year,
        index: p.index,
        start: periodStart(p),
        end: periodEnd(p),
        label_vi: formatPeriodVi(p),
        label_en: formatPeriodEn(p),
        reporting_window: reportingWindow(p),
      };
    },
  );

  // ---- org units ----
  const unitList = (q: OrgUnitFilter, page: { limit: number; offset: number }) => listOrgUnits(db, q, page);
  app.get(
    '/api/org-units',
    {
      schema: { tags: ['org units'], summary: 'List org units', querystring: zUnitQuery.extend(zPage.shape) },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return { ...(await unitList(f, { limit, offset })), limit, offset };
    },
  );
  app.get(
    '/api/org-units.csv',
    {
      schema: { tags: ['org units'], summary: 'Org units as CSV', querystring: zUnitQuery },
      config: { policy: policy.public() },
    },
    async (req, reply) =>
      sendCsv(
        reply,
        'org-units.csv',
        cols(UNIT_CSV),
        pages((p) => unitList(req.query, p)),
      ),
  );
  app.get(
    '/api/org-units/:code',
    {
      schema: {
        tags: ['org units'],
        summary: 'One org unit with its children and lineage',
        params: z.object({ code: z.string() }),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const u = await getOrgUnit(db, req.params.code);
      if (!u) throw notFound('đơn vị / org unit', req.params.code);
      const children = await listOrgUnits(db, { parent: u.code }, { limit: 1000, offset: 0 });
      return {
        ...u,
        children: children.items.map((c) => ({
          code: c.code,
          name_vi: c.name_vi,
          level: c.level,
          valid_to: c.valid_to,
        })),
        predecessors: await predecessors(db, u.code),
        successors: await successors(db, u.code),
      };
    },
  );
  app.post(
    '/api/org-units',
    {
      schema: { tags: ['org units'], summary: 'Create an org unit', body: zOrgUnitInput },
      config: {
        policy: policy.onUnits(
          'admin',
          unitsFrom(store, (r) => [(r.body as { parent?: string }).parent]),
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await tx((t) => createOrgUnit(t, actorOf(req), req.body))),
  );
  app.patch(
    '/api/org-units/:code',
    {
      schema: {
        tags: ['org units'],
        summary: 'Change an org unit (optimistic version)',
        params: z.object({ code: z.string() }),
        body: zOrgUnitPatch,
      },
      config: {
        policy: policy.onUnits(
          'admin',
          unitsFrom(store, (r) => [(r.params as { code: string }).code]),
        ),
      },
    },
    async (req) => tx((t) => updateOrgUnit(t, actorOf(req), req.params.code, req.body)),
  );
  app.post(
    '/api/org-lineage',
    {
      schema: {
        tags: ['org units'],
        summary: 'Record a merge, split, rename or transfer between units',
        body: zLineageInput,
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) => {
      await tx((t) => addLineage(t, actorOf(req), req.body));
      return reply.status(201).send(req.body);
    },
  );

  app.get(
    '/api/org-reorganisations',
    {
      schema: {
        tags: ['org units'],
        summary: 'Recorded reorganisations (merges, splits, renames), newest first',
        querystring: z.object({
          kind: z.enum(['merge', 'split', 'rename', 'transfer']).optional(),
          q: z.string().max(200).optional(),
          org_unit: z.string().max(64).optional(),
        }),
      },
      config: { policy: policy.public() },
    },
    async (req) => ({ items: await listReorganisations(db, req.query) }),
  );
  app.post(
    '/api/org-reorganisations',
    {
      schema: {
        tags: ['org units'],
        summary:
          'Record a merge, split or rename at once: predecessors close the day before, successors open, lineage links join them (optimistic versions)',
        body: zReorganisationInput,
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) =>
      reply.status(201).send(await tx((t) => recordReorganisation(t, actorOf(req), req.body))),
  );

  // ---- documents ----
  app.get(
    '/api/documents',
    {
      schema: {
        tags: ['documents'],
        summary: 'List source documents',
        querystring: z
          .object({ q: z.string().max(200).optional(), kind: z.string().optional() })
          .extend(zPage.shape),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return { ...(await listDocuments(db, f, { limit, offset })), limit, offset };
    },
  );
  app.get(
    '/api/documents.csv',
    {
      schema: {
        tags: ['documents'],
        summary: 'Source documents as CSV',
        querystring: z.object({ q: z.string().max(200).optional(), kind: z.string().optional() }),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) =>
      sendCsv(
        reply,
        'documents.csv',
        cols(DOCUMENT_CSV),
        pages((p) => listDocuments(db, req.query, p)),
      ),
  );
  app.get(
    '/api/documents/:code',
    {
      schema: { tags: ['documents'], summary: 'One source document', params: z.object({ code: z.string() }) },
      config: { policy: policy.public() },
    },
    async (req) => {
      const d = await getDocument(db, req.params.code);
      if (!d) throw notFound('văn bản / document', req.params.code);
      return d;
    },
  );
  app.post(
    '/api/documents',
    {
      schema: { tags: ['documents'], summary: 'Register a source document', body: zDocumentInput },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) => reply.status(201).send(await tx((t) => createDocument(t, actorOf(req), req.body))),
  );
  app.patch(
    '/api/documents/:code',
    {
      schema: {
        tags: ['documents'],
        summary: 'Change a source document',
        params: z.object({ code: z.string() }),
        body: zDocumentPatch,
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => tx((t) => updateDocument(t, actorOf(req), req.params.code, req.body)),
  );

  // ---- indicators ----
  const indicatorList = (
    req: { principal: unknown },
    f: IndicatorFilter,
    page: { limit: number; offset: number },
  ) => listIndicators(db, { ...f, published_only: !req.principal }, page);
  app.get(
    '/api/indicators',
    {
      schema: {
        tags: ['indicators'],
        summary: 'List indicators',
        querystring: zIndicatorQuery.extend(zPage.shape),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return { ...(await indicatorList(req, f, { limit, offset })), limit, offset };
    },
  );
  app.get(
    '/api/indicators.csv',
    {
      schema: { tags: ['indicators'], summary: 'Indicators as CSV', querystring: zIndicatorQuery },
      config: { policy: policy.public() },
    },
    async (req, reply) =>
      sendCsv(
        reply,
        'indicators.csv',
        cols(INDICATOR_CSV),
        pages((p) => indicatorList(req, req.query, p)),
      ),
  );
  app.get(
    '/api/indicators/:code',
    {
      schema: { tags: ['indicators'], summary: 'One indicator', params: z.object({ code: z.string() }) },
      config: { policy: policy.public() },
    },
    async (req) => {
      const i = await getIndicator(db, req.params.code);
      if (!i || (!i.published && !req.principal)) throw notFound('chỉ tiêu / indicator', req.params.code);
      return i;
    },
  );
  app.post(
    '/api/indicators',
    {
      schema: { tags: ['indicators'], summary: 'Create an indicator', body: zIndicatorInput },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) => reply.status(201).send(await tx((t) => createIndicator(t, actorOf(req), req.body))),
  );
  app.patch(
    '/api/indicators/:code',
    {
      schema: {
        tags: ['indicators'],
        summary: 'Change an indicator (optimistic version)',
        params: z.object({ code: z.string() }),
        body: zIndicatorPatch,
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => tx((t) => updateIndicator(t, actorOf(req), req.params.code, req.body)),
  );

  // ---- targets ----
  const targetList = (f: TargetFilter, page: { limit: number; offset: number }) => listTargets(db, f, page);
  app.get(
    '/api/targets',
    {
      schema: { tags: ['targets'], summary: 'List targets', querystring: zTargetQuery.extend(zPage.shape) },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, ...f } = req.query;
      return { ...(await targetList(f, { limit, offset })), limit, offset };
    },
  );
  app.get(
    '/api/targets.csv',
    {
      schema: { tags: ['targets'], summary: 'Targets as CSV', querystring: zTargetQuery },
      config: { policy: policy.public() },
    },
    async (req, reply) =>
      sendCsv(
        reply,
        'targets.csv',
        cols(TARGET_CSV),
        pages((p) => targetList(req.query, p)),
      ),
  );
  app.get(
    '/api/targets/conflicts',
    {
      schema: {
        tags: ['targets'],
        summary: 'Targets for the same indicator, scope and period that disagree',
        querystring: zTargetQuery,
      },
      config: { policy: policy.public() },
    },
    async (req) => ({ items: await listTargetConflicts(db, { ...req.query, archived: false }) }),
  );
  app.get(
    '/api/targets/:id',
    {
      schema: {
        tags: ['targets'],
        summary: 'One target',
        params: z.object({ id: z.coerce.number().int().positive() }),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const t = await getTarget(db, req.params.id);
      if (!t) throw notFound('mục tiêu / target', String(req.params.id));
      return t;
    },
  );
  const targetScope = unitsFrom(store, (r) => [(r.body as { org_unit?: string } | undefined)?.org_unit]);
  app.post(
    '/api/targets',
    {
      schema: { tags: ['targets'], summary: 'Create a target', body: zTargetInput },
      config: { policy: policy.onUnits('admin', targetScope) },
    },
    async (req, reply) => reply.status(201).send(await tx((t) => createTarget(t, actorOf(req), req.body))),
  );
  app.patch(
    '/api/targets/:id',
    {
      schema: {
        tags: ['targets'],
        summary: 'Change a target (optimistic version)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: zTargetPatch,
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => tx((t) => updateTarget(t, actorOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/targets/:id/archive',
    {
      schema: {
        tags: ['targets'],
        summary:
          'Archive a target with a reason (never deleted: it leaves the lists, conflicts and progress, and stays in ?archived=true)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({
          reason: z.string().trim().min(3).max(2000),
          /** The version read; a stale one answers 409. */
          version: z.number().int().min(1).optional(),
        }),
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => {
      await tx((t) => archiveTarget(t, actorOf(req), req.params.id, req.body.reason, req.body.version));
      return { archived: true };
    },
  );

  // ---- values ----
  const valueFilter = (
    req: { principal: Parameters<typeof scopeRoots>[0] },
    q: z.infer<typeof zValueQuery>,
  ): ValueFilter => {
    const { include_drafts, ...f } = q;
    return { ...f, draft_scopes: include_drafts ? scopeRoots(req.principal, 'viewer') : [] };
  };
  app.get(
    '/api/values',
    {
      schema: {
        tags: ['values'],
        summary: 'List data values (approved; drafts within your scope with include_drafts=true)',
        querystring: zValueQuery.extend(zPage.shape),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const { limit, offset, ...q } = req.query;
      return { ...(await listValues(db, valueFilter(req, q), { limit, offset })), limit, offset };
    },
  );
  app.get(
    '/api/values.csv',
    {
      schema: { tags: ['values'], summary: 'Data values as CSV (streamed)', querystring: zValueQuery },
      config: { policy: policy.public() },
    },
    async (req, reply) =>
      sendCsvText(reply, 'values.csv', VALUE_CSV, valueCsvLines(db, valueFilter(req, req.query))),
  );
  app.get(
    '/api/values.xlsx',
    {
      schema: {
        tags: ['values'],
        summary: 'Approved data values as .xlsx (Vietnamese headers)',
        querystring: zValueQuery.omit({ include_drafts: true }),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const filter: ValueFilter = { ...req.query, draft_scopes: [] };
      valueWhere(filter); // a bad period is a 400 before anything is sent
      const body = await exportTableXlsx(store, 'values', filter);
      reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      reply.header('content-disposition', 'attachment; filename="values.xlsx"');
      return reply.send(body);
    },
  );
  app.get(
    '/api/values/:id/history',
    {
      schema: {
        tags: ['values'],
        summary: 'Every version of a value',
        params: z.object({ id: z.coerce.number().int().positive() }),
      },
      config: { policy: policy.public() },
    },
    async (req) => {
      const v = await getValue(db, req.params.id);
      const visible = v && (v.status === 'approved' || scopeRoots(req.principal, 'viewer').length > 0);
      if (!v || !visible) throw notFound('số liệu / value', String(req.params.id));
      return { value: v, history: await valueHistory(db, req.params.id) };
    },
  );
  app.put(
    '/api/values',
    {
      schema: {
        tags: ['values'],
        summary: 'Create or change one value directly (administrators; reporters use reporting rounds)',
        body: zValueInput,
      },
      config: {
        policy: policy.onUnits(
          'admin',
          unitsFrom(store, (r) => [(r.body as { org_unit?: string }).org_unit]),
        ),
      },
    },
    async (req, reply) => {
      const r = await tx((t) => setValue(t, actorOf(req), req.body));
      return reply.status(r.outcome === 'created' ? 201 : 200).send(r);
    },
  );
  app.post(
    '/api/values/:id/archive',
    {
      schema: {
        tags: ['values'],
        summary: 'Archive a value (never deleted)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({ version: z.number().int(), reason: z.string().min(3).max(2000) }),
      },
      config: {
        policy: policy.onUnits('admin', async (r) => {
          const [u] = await rows<{ path: string }>(
            db,
            sql`select u.path from data_value v join org_unit u on u.id = v.org_unit_id where v.id = ${(r.params as { id: number }).id}`,
          );
          if (!u)
            throw new ChisoError({
              code: 'not_found',
              status: 404,
              vi: 'Không có số liệu.',
              en: 'No such value.',
            });
          return [u.path];
        }),
      },
    },
    async (req) => {
      await tx((t) => archiveValue(t, actorOf(req), req.params.id, req.body.version, req.body.reason));
      return { archived: true };
    },
  );
}
