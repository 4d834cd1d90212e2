/**
 * Open data: bulk downloads of the published catalogue — indicators, targets and approved values of
 * published indicators, and the composite index results and rankings — as CSV, JSON and SDMX-CSV
 * under CC BY 4.0, a DCAT-AP catalogue in JSON-LD, and Open SDG data and metadata per indicator (export, and import back into the catalogue).
 * Stable addresses are under /api/open-data/ (see src/http/routes/exchange/open-data.ts).
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type CsvCell, csvChunks } from '../../formats/csv.ts';
import { CC_BY_4, type DcatDataset, dcatJsonLd, LICENCE_TEXT } from '../../formats/dcat.ts';
import {
  type OpenSdgMetadata,
  openSdgCsv,
  openSdgMetadataMarkdown,
  parseOpenSdgMetadata,
  readOpenSdgCsv,
} from '../../formats/opensdg.ts';
import {
  readSdmxValuesCsv,
  type SdmxTargetRow,
  type SdmxValueRow,
  sdmxTargetsCsvChunks,
  sdmxValuesCsvChunks,
} from '../../formats/sdmx-csv.ts';
import { hashing, type InputSource } from '../../formats/utf8.ts';
import { type Executor, rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { getIndicator, updateIndicator } from '../catalogue/indicators.ts';
import { primed } from './export-values.ts';
import { type ImportOptions, type ImportSummary, importValueRows } from './import-values.ts';
import {
  INDEX_CSV_COLUMNS,
  type IndexFilter,
  indexBatches,
  indexCsvChunks,
  sdmxIndexCsvChunks,
} from './results.ts';

export const OPEN_DATA_LICENSE = { id: 'CC-BY-4.0', url: CC_BY_4, ...LICENCE_TEXT };

export interface OpenIndicator {
  code: string;
  name_vi: string;
  name_en: string | null;
  definition_vi: string | null;
  definition_en: string | null;
  unit: string;
  value_type: string;
  direction: string;
  period_type: string;
  group: string | null;
  source_document: string | null;
  responsible_unit: string | null;
  updated_at: string;
}

export async function openIndicators(ex: Executor): Promise<OpenIndicator[]> {
  return rows<OpenIndicator>(
    ex,
    sql`select i.code, i.name_vi, i.name_en, i.definition_vi, i.definition_en, i.unit, i.value_type, i.direction,
          i.period_type, i.group_code as "group", d.code as source_document, ru.code as responsible_unit, i.updated_at
        from indicator i left join document d on d.id = i.source_document_id left join org_unit ru on ru.id = i.responsible_unit_id
        where i.published and i.archived_at is null order by i.code`,
  );
}

export interface OpenValue extends SdmxValueRow {
  id: number;
  indicator_name_vi: string;
  org_unit_name_vi: string;
  provenance: string;
  source_document: string | null;
}

/** Approved, current values of published indicators (optionally of one indicator), in batches. */
export async function* openValueBatches(
  ex: Executor,
  indicator?: string,
  batch = 5000,
): AsyncGenerator<OpenValue[]> {
  let after = 0;
  for (;;) {
    const items = await rows<OpenValue>(
      ex,
      sql`select v.id, i.code as indicator_code, i.name_vi as indicator_name_vi, u.code as org_unit_code,
            u.name_vi as org_unit_name_vi, v.disagg, v.period, v.value, i.unit as unit_of_measure, v.status,
            v.comment, v.provenance, d.code as source_document
          from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
          left join document d on d.id = v.source_document_id
          where i.published and i.archived_at is null and v.archived_at is null and v.status = 'approved'
            ${indicator ? sql`and i.code = ${indicator}` : sql``} and v.id > ${after}
          order by v.id limit ${batch}`,
    );
    if (items.length === 0) return;
    yield items;
    after = items[items.length - 1]!.id;
    if (items.length < batch) return;
  }
}

export interface OpenTarget extends SdmxTargetRow {
  id: number;
  indicator_name_vi: string;
  baseline_period: string | null;
  baseline_value: number | null;
  source_document: string | null;
}

export async function openTargets(ex: Executor, indicator?: string): Promise<OpenTarget[]> {
  return rows<OpenTarget>(
    ex,
    sql`select t.id, i.code as indicator_code, i.name_vi as indicator_name_vi, u.code as org_unit_code,
          coalesce(t.org_level, u.level) as org_level, t.period, t.comparator, t.value, t.value_max,
          i.unit as unit_of_measure, t.baseline_period, t.baseline_value, d.code as source_document
        from target t join indicator i on i.id = t.indicator_id left join org_unit u on u.id = t.org_unit_id
        left join document d on d.id = t.source_document_id
        where i.published and i.archived_at is null and t.archived_at is null
          ${indicator ? sql`and i.code = ${indicator}` : sql``}
        order by i.code, t.period_start, t.id`,
  );
}

const col = <T>(keys: readonly string[]) =>
  keys.map((key) => ({ key, get: (r: T) => (r as Record<string, CsvCell>)[key] }));

export const OPEN_INDICATOR_COLUMNS = [
  'code',
  'name_vi',
  'name_en',
  'definition_vi',
  'definition_en',
  'unit',
  'value_type',
  'direction',
  'period_type',
  'group',
  'source_document',
  'responsible_unit',
] as const;
export const OPEN_VALUE_COLUMNS = [
  'indicator_code',
  'indicator_name_vi',
  'period',
  'org_unit_code',
  'org_unit_name_vi',
  'disagg',
  'value',
  'unit_of_measure',
  'provenance',
  'source_document',
  'comment',
] as const;
export const OPEN_TARGET_COLUMNS = [
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
] as const;

export type OpenTable = 'indicators' | 'targets' | 'values' | 'index-results';
export type OpenFormat = 'csv' | 'json' | 'sdmx.csv';

async function* jsonDocument<T>(
  table: OpenTable,
  batches: AsyncIterable<T[]> | Iterable<T[]>,
  keys: readonly string[],
  publicUrl: string,
): AsyncGenerator<string> {
  const head = {
    title: `chiso open data: ${table}`,
    license: OPEN_DATA_LICENSE,
    source: `${publicUrl}/api/open-data/${table}.json`,
    generated_at: new Date().toISOString(),
  };
  yield `${JSON.stringify(head).slice(0, -1)},"items":[\n`;
  let first = true;
  for await (const b of batches) {
    let out = '';
    for (const r of b) {
      out += `${first ? '' : ',\n'}${JSON.stringify(Object.fromEntries(keys.map((k) => [k, (r as Record<string, unknown>)[k] ?? null])))}`;
      first = false;
    }
    if (out) yield out;
  }
  yield '\n]}\n';
}

/** A bulk download as a stream of text chunks. */
export async function openDataChunks(
  store: Store,
  table: OpenTable,
  format: OpenFormat,
  publicUrl: string,
  indicator?: string,
  index?: IndexFilter,
): Promise<AsyncGenerator<string>> {
  const ex = store.db;
  if (table === 'indicators') {
    if (format === 'sdmx.csv') throw noSdmx(table);
    const list = [await openIndicators(ex)];
    return format === 'csv'
      ? csvChunks(col<OpenIndicator>(OPEN_INDICATOR_COLUMNS), list)
      : jsonDocument('indicators', list, OPEN_INDICATOR_COLUMNS, publicUrl);
  }
  if (table === 'targets') {
    const list = [await openTargets(ex, indicator)];
    if (format === 'sdmx.csv') return sdmxTargetsCsvChunks(list);
    return format === 'csv'
      ? csvChunks(col<OpenTarget>(OPEN_TARGET_COLUMNS), list)
      : jsonDocument('targets', list, OPEN_TARGET_COLUMNS, publicUrl);
  }
  if (table === 'index-results') {
    const batches = await primed(indexBatches(ex, index ?? {}));
    if (format === 'sdmx.csv') return sdmxIndexCsvChunks(batches);
    return format === 'csv'
      ? indexCsvChunks(batches)
      : jsonDocument('index-results', batches, INDEX_CSV_COLUMNS, publicUrl);
  }
  const batches = openValueBatches(ex, indicator);
  if (format === 'sdmx.csv') return sdmxValuesCsvChunks(batches);
  return format === 'csv'
    ? csvChunks(col<OpenValue>(OPEN_VALUE_COLUMNS), batches)
    : jsonDocument('values', batches, OPEN_VALUE_COLUMNS, publicUrl);
}

const noSdmx = (table: string) =>
  new ChisoError({
    code: 'open_data.format',
    status: 404,
    vi: `Không có bản SDMX-CSV của '${table}'.`,
    en: `There is no SDMX-CSV of '${table}'.`,
  });

async function rootUnit(ex: Executor): Promise<{ code: string; name_vi: string }> {
  const [r] = await rows<{ code: string; name_vi: string }>(
    ex,
    sql`select code, name_vi from org_unit where parent_id is null and archived_at is null and valid_to is null
        order by (select count(*) from org_unit c where c.path like org_unit.path || '%') desc, id limit 1`,
  );
  return r ?? { code: '', name_vi: '' };
}

/** The DCAT-AP catalogue of the open data. */
export async function openDataCatalog(store: Store, publicUrl: string): Promise<Record<string, unknown>> {
  const base = `${publicUrl.replace(/\/$/, '')}/api/open-data`;
  const inds = await openIndicators(store.db);
  const root = await rootUnit(store.db);
  const spans = await rows<{
    code: string;
    first: string | null;
    last: string | null;
    modified: string | null;
  }>(
    store.db,
    sql`select i.code, min(v.period_start)::text as first, max(v.period_start)::text as last, max(v.updated_at)::text as modified
        from indicator i join data_value v on v.indicator_id = i.id and v.status = 'approved' and v.archived_at is null
        where i.published and i.archived_at is null group by i.code`,
  );
  const span = new Map(spans.map((s) => [s.code, s]));
  const dist = (url: string, format: string, mediaType: string, vi: string, en: string) => ({
    url,
    format,
    mediaType,
    title_vi: vi,
    title_en: en,
  });
  const bulk = (table: OpenTable, vi: string, en: string, sdmx: boolean): DcatDataset => ({
    id: `${base}/datasets/${table}`,
    identifier: `chiso-${table}`,
    title_vi: vi,
    title_en: en,
    description_vi: `${vi} của ${root.name_vi}, tải về toàn bộ.`,
    description_en: `${en} of ${root.name_vi}, bulk download.`,
    keywords: ['chỉ số', 'chỉ tiêu', 'indicators', table],
    modified: null,
    distributions: [
      dist(`${base}/${table}.csv`, 'CSV', 'text/csv', `${vi} (CSV)`, `${en} (CSV)`),
      dist(`${base}/${table}.json`, 'JSON', 'application/json', `${vi} (JSON)`, `${en} (JSON)`),
      ...(sdmx
        ? [dist(`${base}/${table}.sdmx.csv`, 'SDMX-CSV', 'text/csv', `${vi} (SDMX-CSV)`, `${en} (SDMX-CSV)`)]
        : []),
    ],
  });
  const datasets: DcatDataset[] = [
    bulk('indicators', 'Danh mục chỉ tiêu', 'Indicator catalogue', false),
    bulk('targets', 'Mục tiêu', 'Targets', true),
    bulk('values', 'Số liệu', 'Data values', true),
    bulk('index-results', 'Kết quả bộ chỉ số và xếp hạng', 'Composite index results and rankings', true),
    ...inds.map((i): DcatDataset => {
      const s = span.get(i.code);
      const q = `indicator=${encodeURIComponent(i.code)}`;
      return {
        id: `${base}/datasets/indicator/${encodeURIComponent(i.code)}`,
        identifier: i.code,
        title_vi: i.name_vi,
        title_en: i.name_en ?? i.name_vi,
        description_vi: i.definition_vi ?? i.name_vi,
        description_en: i.definition_en ?? i.name_en ?? i.name_vi,
        keywords: [i.code, ...(i.group ? [i.group] : [])],
        modified: s?.modified ?? i.updated_at,
        temporal: s?.first && s.last ? { start: s.first, end: s.last } : null,
        distributions: [
          dist(`${base}/values.csv?${q}`, 'CSV', 'text/csv', 'Số liệu (CSV)', 'Values (CSV)'),
          dist(`${base}/values.json?${q}`, 'JSON', 'application/json', 'Số liệu (JSON)', 'Values (JSON)'),
          dist(
            `${base}/values.sdmx.csv?${q}`,
            'SDMX-CSV',
            'text/csv',
            'Số liệu (SDMX-CSV)',
            'Values (SDMX-CSV)',
          ),
          dist(
            `${base}/opensdg/indicator_${encodeURIComponent(i.code)}.csv`,
            'CSV',
            'text/csv',
            'Số liệu (Open SDG)',
            'Values (Open SDG)',
          ),
          dist(
            `${base}/opensdg/meta/${encodeURIComponent(i.code)}.md`,
            'Markdown',
            'text/markdown',
            'Siêu dữ liệu (Open SDG)',
            'Metadata (Open SDG)',
          ),
        ],
      };
    }),
  ];
  const modified = spans.reduce<string | null>(
    (m, s) => (s.modified && (!m || s.modified > m) ? s.modified : m),
    null,
  );
  return dcatJsonLd({
    url: `${base}/catalog.jsonld`,
    homepage: publicUrl,
    title_vi: `Dữ liệu mở chỉ số — ${root.name_vi}`,
    title_en: `Open indicator data — ${root.name_vi}`,
    description_vi: `Chỉ tiêu, mục tiêu, số liệu đã phê duyệt và kết quả, xếp hạng bộ chỉ số của ${root.name_vi}. ${LICENCE_TEXT.vi}`,
    description_en: `Indicators, targets, approved values and composite index results and rankings of ${root.name_vi}. ${LICENCE_TEXT.en}`,
    publisher: root.name_vi,
    modified,
    datasets,
  });
}

// ---------------------------------------------------------------------------------------------
// Open SDG

async function publishedIndicator(ex: Executor, code: string) {
  const ind = await getIndicator(ex, code);
  if (!ind?.published)
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có chỉ tiêu công bố '${code}'.`,
      en: `No published indicator '${code}'.`,
    });
  return ind;
}

export async function openSdgData(store: Store, code: string): Promise<string> {
  await publishedIndicator(store.db, code);
  const root = await rootUnit(store.db);
  const values = [];
  for await (const b of openValueBatches(store.db, code)) values.push(...b);
  return openSdgCsv(values, root.code);
}

export async function openSdgMetadata(store: Store, code: string): Promise<string> {
  const ind = await publishedIndicator(store.db, code);
  const [last] = await rows<{ at: string | null }>(
    store.db,
    sql`select max(v.updated_at)::text as at from data_value v join indicator i on i.id = v.indicator_id
        where i.code = ${code} and v.status = 'approved' and v.archived_at is null`,
  );
  const [resp] = ind.responsible_unit
    ? await rows<{ name_vi: string }>(
        store.db,
        sql`select name_vi from org_unit where code = ${ind.responsible_unit}`,
      )
    : [];
  const meta: OpenSdgMetadata = {
    indicator_number: ind.code,
    indicator_name: ind.name_vi,
    indicator_name_en: ind.name_en,
    indicator_definition: ind.definition_vi,
    computation_units: ind.unit || null,
    UNIT_MEASURE: ind.unit || null,
    reporting_status: last?.at ? 'complete' : 'notstarted',
    graph_type: 'line',
    national_indicator_available: ind.name_vi,
    source_organisation_1: resp?.name_vi ?? null,
    CONTACT_ORGANISATION: resp?.name_vi ?? null,
    source_url_1: ind.source_document,
    META_LAST_UPDATE: last?.at ? last.at.slice(0, 10) : null,
    DATA_LICENSE: 'CC BY 4.0',
  };
  return openSdgMetadataMarkdown(meta, ind.definition_en ?? '');
}

/** Imports an Open SDG data CSV of one indicator (atomic, idempotent, audited). */
export async function importOpenSdgData(
  store: Store,
  actor: string,
  code: string,
  input: InputSource,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const root = await rootUnit(store.db);
  const file = options.file ?? `indicator_${code}.csv`;
  const h = hashing(input);
  return importValueRows(
    store,
    actor,
    {
      format: 'opensdg-csv',
      rows: readOpenSdgCsv(h.source, { indicator: code, rootUnit: root.code, file }),
      sha256: h.sha256,
      bytes: h.bytes,
    },
    { ...options, file, action: 'values.import_opensdg' },
  );
}

/** Applies Open SDG metadata (names, definition, unit) to an indicator; unchanged fields stay. */
export async function importOpenSdgMetadata(
  store: Store,
  actor: string,
  text: string,
  file = 'meta.md',
): Promise<{ indicator: string; changed: string[] }> {
  const { meta } = parseOpenSdgMetadata(text, file);
  return store.db.transaction(async (tx) => {
    const ind = await getIndicator(tx, meta.indicator_number);
    if (!ind)
      throw new ChisoError({
        code: 'indicator.unknown',
        file,
        field: 'indicator_number',
        vi: `Không có chỉ tiêu với mã '${meta.indicator_number}'.`,
        en: `There is no indicator with code '${meta.indicator_number}'.`,
      });
    const patch: Record<string, string | null> = {};
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    if (meta.indicator_name !== ind.name_vi) patch.name_vi = meta.indicator_name;
    if ('indicator_name_en' in meta && str(meta.indicator_name_en) !== ind.name_en)
      patch.name_en = str(meta.indicator_name_en);
    if ('indicator_definition' in meta && str(meta.indicator_definition) !== ind.definition_vi)
      patch.definition_vi = str(meta.indicator_definition);
    const unit = str(meta.computation_units ?? meta.UNIT_MEASURE);
    if (unit !== null && unit !== ind.unit) patch.unit = unit;
    const changed = Object.keys(patch);
    if (changed.length) {
      await updateIndicator(tx, actor, ind.code, { ...patch, version: ind.version });
      await appendAudit(tx, {
        actor,
        action: 'indicator.import_opensdg_metadata',
        entity: 'indicator',
        entityId: ind.code,
        data: { changed, file },
      });
    }
    return { indicator: ind.code, changed };
  });
}

/** Imports chiso's values SDMX-CSV (what /api/open-data/values.sdmx.csv writes) back. */
export async function importSdmxValues(
  store: Store,
  actor: string,
  input: InputSource,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const file = options.file ?? 'values.sdmx.csv';
  const h = hashing(input);
  return importValueRows(
    store,
    actor,
    { format: 'sdmx-csv', rows: readSdmxValuesCsv(h.source, file), sha256: h.sha256, bytes: h.bytes },
    { ...options, file, action: 'values.import_sdmx' },
  );
}
