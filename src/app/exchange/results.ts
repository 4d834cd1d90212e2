/**
 * The engine's persisted results as files: progress statuses (indicator × unit × target period with
 * the target, the latest actual, attainment and status — progress_status) and composite-index
 * results and rankings (index_result), as CSV and .xlsx exports and as public open data (CSV, JSON,
 * SDMX-CSV). Read straight from the result tables in primary-key order, in batches (keyset paging),
 * so that a national table is never held whole. The engine keeps those tables fresh on every
 * approval (src/app/engine); these files show what it last wrote.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type ProgressStatus, STATUS_LABELS } from '../../core/progress.ts';
import { formatPeriod, parsePeriod } from '../../core/period.ts';
import { type CsvCell, csvChunks, csvLine } from '../../formats/csv.ts';
import { toSdmxPeriod } from '../../formats/sdmx-csv.ts';
import type { Readable } from 'node:stream';
import { type XlsxColumn, xlsxTableStream } from '../../formats/xlsx-table.ts';
import { type Executor, rows } from '../../store/db.ts';
import { primed } from './export-values.ts';

// ---------------------------------------------------------------------------------------------
// Progress statuses

export interface StatusFilter {
  indicator?: string | undefined;
  org_unit?: string | undefined;
  subtree?: string | undefined;
  level?: string | undefined;
  period?: string | undefined;
  status?: string | undefined;
  /** Every document's target, not only the primary one. */
  all_targets?: boolean | undefined;
  /** Only published indicators (open data). */
  published_only?: boolean | undefined;
}

export interface StatusRow {
  indicator_id: number;
  org_unit_id: number;
  target_id: number;
  indicator_code: string;
  indicator_name_vi: string;
  indicator_name_en: string | null;
  unit_of_measure: string;
  org_unit_code: string;
  org_unit_name_vi: string;
  period: string;
  target_scope: string;
  is_primary: boolean;
  comparator: string;
  target_value: number;
  target_max: number | null;
  baseline_value: number | null;
  latest_value: number | null;
  latest_period: string | null;
  projection_value: number | null;
  attainment: number | null;
  score: number | null;
  status: string;
  status_vi: string;
  status_en: string;
  trend: string | null;
  conflicts: number;
  profile: string;
  source_document: string | null;
  updated_at: string;
}

const badFilter = (field: string, value: string, vi: string, en: string) =>
  new ChisoError({ code: 'request.invalid', field, vi: `${vi} ('${value}').`, en: `${en} ('${value}').` });

function periodFilter(p: string | undefined): string | null {
  if (p === undefined) return null;
  try {
    return formatPeriod(parsePeriod(p));
  } catch (e) {
    if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field: 'period' });
    throw e;
  }
}

/** Progress statuses in batches (primary-key order). Bad filters are refused before any read. */
export async function* statusBatches(
  ex: Executor,
  f: StatusFilter = {},
  batch = 5000,
): AsyncGenerator<StatusRow[]> {
  const period = periodFilter(f.period);
  if (f.status !== undefined && !(f.status in STATUS_LABELS))
    throw badFilter(
      'status',
      f.status,
      `Trạng thái không hợp lệ; dùng một trong: ${Object.keys(STATUS_LABELS).join(', ')}`,
      `Not a status; use one of: ${Object.keys(STATUS_LABELS).join(', ')}`,
    );
  const parts = [sql`ps.archived_at is null`, sql`i.archived_at is null`];
  if (!f.all_targets) parts.push(sql`ps.is_primary`);
  if (f.published_only) parts.push(sql`i.published`);
  if (f.indicator) parts.push(sql`i.code = ${f.indicator}`);
  if (f.org_unit) parts.push(sql`u.code = ${f.org_unit}`);
  if (f.subtree) parts.push(sql`u.path like (select path from org_unit where code = ${f.subtree}) || '%'`);
  if (f.level) parts.push(sql`u.level = ${f.level}`);
  if (period) parts.push(sql`ps.period = ${period}`);
  if (f.status) parts.push(sql`ps.status = ${f.status}`);
  const where = sql.join(parts, sql` and `);
  let after: [number, number, number] = [0, 0, 0];
  for (;;) {
    const items = await rows<Omit<StatusRow, 'status_vi' | 'status_en'>>(
      ex,
      sql`select ps.indicator_id, ps.org_unit_id, ps.target_id, i.code as indicator_code, i.name_vi as indicator_name_vi,
            i.name_en as indicator_name_en, i.unit as unit_of_measure, u.code as org_unit_code, u.name_vi as org_unit_name_vi,
            ps.period, ps.target_scope, ps.is_primary, ps.comparator, ps.target_value, ps.target_max, ps.baseline_value,
            ps.latest_value, ps.latest_period, ps.projection_value, ps.attainment, ps.score, ps.status, ps.trend,
            ps.conflicts, ps.profile, d.code as source_document,
            to_char(ps.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as updated_at
          from progress_status ps join indicator i on i.id = ps.indicator_id join org_unit u on u.id = ps.org_unit_id
          left join document d on d.id = ps.source_document_id
          where ${where} and (ps.indicator_id, ps.org_unit_id, ps.target_id) > (${after[0]}, ${after[1]}, ${after[2]})
          order by ps.indicator_id, ps.org_unit_id, ps.target_id limit ${batch}`,
    );
    if (items.length === 0) return;
    yield items.map((r) => {
      const label = STATUS_LABELS[r.status as ProgressStatus] ?? { vi: r.status, en: r.status };
      return { ...r, status_vi: label.vi, status_en: label.en };
    });
    const last = items[items.length - 1]!;
    after = [last.indicator_id, last.org_unit_id, last.target_id];
    if (items.length < batch) return;
  }
}

export const STATUS_CSV_COLUMNS = [
  'indicator_code',
  'indicator_name_vi',
  'org_unit_code',
  'org_unit_name_vi',
  'period',
  'comparator',
  'target_value',
  'target_max',
  'unit_of_measure',
  'baseline_value',
  'latest_value',
  'latest_period',
  'projection_value',
  'attainment',
  'score',
  'status',
  'status_vi',
  'trend',
  'target_scope',
  'is_primary',
  'conflicts',
  'source_document',
  'profile',
  'updated_at',
] as const;

const COMPARATOR_TEXT: Record<string, string> = { '>=': '≥', '<=': '≤', '=': '=', range: 'khoảng / range' };
const pct = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);

export const STATUS_XLSX: XlsxColumn<StatusRow>[] = [
  { vi: 'Mã chỉ tiêu', en: 'Indicator code', width: 14, get: (r) => r.indicator_code },
  { vi: 'Tên chỉ tiêu', en: 'Indicator', width: 56, get: (r) => r.indicator_name_vi },
  { vi: 'Mã đơn vị', en: 'Unit code', width: 14, get: (r) => r.org_unit_code },
  { vi: 'Đơn vị', en: 'Org unit', width: 30, get: (r) => r.org_unit_name_vi },
  { vi: 'Kỳ mục tiêu', en: 'Target period', width: 10, get: (r) => r.period },
  { vi: 'So sánh', en: 'Comparator', width: 9, get: (r) => COMPARATOR_TEXT[r.comparator] ?? r.comparator },
  { vi: 'Mục tiêu', en: 'Target', width: 11, get: (r) => r.target_value, numFmt: '#,##0.##' },
  {
    vi: 'Mục tiêu (cận trên)',
    en: 'Target (upper)',
    width: 11,
    get: (r) => r.target_max,
    numFmt: '#,##0.##',
  },
  { vi: 'Đơn vị tính', en: 'Unit of measure', width: 10, get: (r) => r.unit_of_measure },
  {
    vi: 'Thực hiện mới nhất',
    en: 'Latest actual',
    width: 12,
    get: (r) => r.latest_value,
    numFmt: '#,##0.##',
  },
  { vi: 'Kỳ thực hiện', en: 'Latest period', width: 10, get: (r) => r.latest_period },
  { vi: 'Dự báo', en: 'Projection', width: 11, get: (r) => r.projection_value, numFmt: '#,##0.##' },
  { vi: 'Mức đạt', en: 'Attainment', width: 10, get: (r) => pct(r.attainment), numFmt: '0.0%' },
  { vi: 'Điểm', en: 'Score', width: 8, get: (r) => r.score, numFmt: '0.00' },
  { vi: 'Trạng thái', en: 'Status', width: 22, get: (r) => r.status_vi },
  { vi: 'Mã trạng thái', en: 'Status code', width: 16, get: (r) => r.status },
  { vi: 'Xu hướng', en: 'Trend', width: 11, get: (r) => r.trend },
  { vi: 'Văn bản giao', en: 'Source document', width: 16, get: (r) => r.source_document },
  { vi: 'Mục tiêu khác mâu thuẫn', en: 'Conflicting targets', width: 10, get: (r) => r.conflicts },
];

export function statusCsvChunks(batches: AsyncIterable<StatusRow[]>): AsyncGenerator<string> {
  return csvChunks(
    STATUS_CSV_COLUMNS.map((key) => ({ key, get: (r: StatusRow) => r[key] as CsvCell })),
    batches,
  );
}

// ---------------------------------------------------------------------------------------------
// Index results and rankings

export interface IndexFilter {
  /** Methodology code. */
  index?: string | undefined;
  version?: string | undefined;
  /** A year. */
  period?: string | undefined;
  node?: string | undefined;
  /** Only the root node of each methodology: the ranking. */
  ranking?: boolean | undefined;
}

export interface IndexRow {
  methodology_id: number;
  org_unit_id: number;
  index_code: string;
  index_version: string;
  index_name_vi: string;
  index_name_en: string;
  period: string;
  org_unit_code: string;
  org_unit_name_vi: string;
  node: string;
  is_root: boolean;
  raw: number | null;
  score: number | null;
  rank: number | null;
  previous_rank: number | null;
  rank_change: number | null;
  band: string | null;
  median_rank: number | null;
  rank_q5: number | null;
  rank_q95: number | null;
  updated_at: string;
}

/**
 * Index results in batches, in primary-key order; with `ranking`, the root node only, ordered by
 * methodology, year and rank (unranked last).
 */
export async function* indexBatches(
  ex: Executor,
  f: IndexFilter = {},
  batch = 5000,
): AsyncGenerator<IndexRow[]> {
  if (f.period !== undefined && !/^\d{4}$/.test(f.period))
    throw new ChisoError({
      code: 'index.period',
      field: 'period',
      vi: `Kỳ của bộ chỉ số là một năm (ví dụ 2023), không phải '${f.period}'.`,
      en: `An index period is a year (e.g. 2023), not '${f.period}'.`,
    });
  const parts = [sql`r.archived_at is null`, sql`m.archived_at is null`];
  if (f.index) parts.push(sql`m.code = ${f.index}`);
  if (f.version) parts.push(sql`m.version = ${f.version}`);
  if (f.period) parts.push(sql`r.period = ${f.period}`);
  if (f.node) parts.push(sql`r.node = ${f.node}`);
  if (f.ranking) parts.push(sql`r.node = m.definition->>'root'`);
  const where = sql.join(parts, sql` and `);
  const cols = sql`r.methodology_id, r.org_unit_id, m.code as index_code, m.version as index_version, m.name_vi as index_name_vi,
    m.name_en as index_name_en, r.period, u.code as org_unit_code, u.name_vi as org_unit_name_vi, r.node,
    r.node = m.definition->>'root' as is_root, r.raw, r.score, r.rank, r.previous_rank, r.rank_change, r.band,
    r.sensitivity_median as median_rank, r.sensitivity_q5 as rank_q5, r.sensitivity_q95 as rank_q95,
    to_char(r.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as updated_at`;
  const from = sql`index_result r join index_methodology m on m.id = r.methodology_id join org_unit u on u.id = r.org_unit_id`;
  if (f.ranking) {
    // Rankings are small (one row per unit and year): paged by offset in rank order.
    for (let offset = 0; ; offset += batch) {
      const items = await rows<IndexRow>(
        ex,
        sql`select ${cols} from ${from} where ${where}
            order by m.code, m.version, r.period, r.rank nulls last, u.code limit ${batch} offset ${offset}`,
      );
      if (items.length) yield items;
      if (items.length < batch) return;
    }
  }
  let after: [number, string, number, string] = [0, '', 0, ''];
  for (;;) {
    const items = await rows<IndexRow>(
      ex,
      sql`select ${cols} from ${from}
          where ${where} and (r.methodology_id, r.period, r.org_unit_id, r.node) > (${after[0]}, ${after[1]}, ${after[2]}, ${after[3]})
          order by r.methodology_id, r.period, r.org_unit_id, r.node limit ${batch}`,
    );
    if (items.length === 0) return;
    yield items;
    const l = items[items.length - 1]!;
    after = [l.methodology_id, l.period, l.org_unit_id, l.node];
    if (items.length < batch) return;
  }
}

export const INDEX_CSV_COLUMNS = [
  'index_code',
  'index_version',
  'period',
  'org_unit_code',
  'org_unit_name_vi',
  'node',
  'is_root',
  'raw',
  'score',
  'rank',
  'previous_rank',
  'rank_change',
  'band',
  'median_rank',
  'rank_q5',
  'rank_q95',
  'updated_at',
] as const;

export function indexCsvChunks(batches: AsyncIterable<IndexRow[]>): AsyncGenerator<string> {
  return csvChunks(
    INDEX_CSV_COLUMNS.map((key) => ({ key, get: (r: IndexRow) => r[key] as CsvCell })),
    batches,
  );
}

export const RANKING_XLSX: XlsxColumn<IndexRow>[] = [
  { vi: 'Bộ chỉ số', en: 'Index', width: 14, get: (r) => r.index_code },
  { vi: 'Phiên bản', en: 'Version', width: 9, get: (r) => r.index_version },
  { vi: 'Năm', en: 'Year', width: 7, get: (r) => r.period },
  { vi: 'Xếp hạng', en: 'Rank', width: 8, get: (r) => r.rank },
  { vi: 'Mã đơn vị', en: 'Unit code', width: 14, get: (r) => r.org_unit_code },
  { vi: 'Đơn vị', en: 'Org unit', width: 34, get: (r) => r.org_unit_name_vi },
  { vi: 'Điểm', en: 'Score', width: 9, get: (r) => r.score, numFmt: '0.00' },
  { vi: 'Hạng năm trước', en: 'Previous rank', width: 9, get: (r) => r.previous_rank },
  { vi: 'Thay đổi hạng', en: 'Rank change', width: 9, get: (r) => r.rank_change },
  { vi: 'Nhóm', en: 'Band', width: 10, get: (r) => r.band },
  { vi: 'Hạng trung vị', en: 'Median rank', width: 9, get: (r) => r.median_rank, numFmt: '0.#' },
  { vi: 'Hạng 5%', en: 'Rank 5%', width: 8, get: (r) => r.rank_q5, numFmt: '0.#' },
  { vi: 'Hạng 95%', en: 'Rank 95%', width: 8, get: (r) => r.rank_q95, numFmt: '0.#' },
];

export const INDEX_XLSX: XlsxColumn<IndexRow>[] = [
  { vi: 'Bộ chỉ số', en: 'Index', width: 14, get: (r) => r.index_code },
  { vi: 'Phiên bản', en: 'Version', width: 9, get: (r) => r.index_version },
  { vi: 'Năm', en: 'Year', width: 7, get: (r) => r.period },
  { vi: 'Mã đơn vị', en: 'Unit code', width: 14, get: (r) => r.org_unit_code },
  { vi: 'Đơn vị', en: 'Org unit', width: 34, get: (r) => r.org_unit_name_vi },
  { vi: 'Thành phần', en: 'Node', width: 16, get: (r) => r.node },
  { vi: 'Giá trị gốc', en: 'Raw', width: 11, get: (r) => r.raw, numFmt: '#,##0.###' },
  { vi: 'Điểm', en: 'Score', width: 9, get: (r) => r.score, numFmt: '0.00' },
  { vi: 'Xếp hạng', en: 'Rank', width: 8, get: (r) => r.rank },
  { vi: 'Hạng năm trước', en: 'Previous rank', width: 9, get: (r) => r.previous_rank },
  { vi: 'Thay đổi hạng', en: 'Rank change', width: 9, get: (r) => r.rank_change },
  { vi: 'Nhóm', en: 'Band', width: 10, get: (r) => r.band },
];

// ---------------------------------------------------------------------------------------------
// SDMX-CSV of index results

/**
 * `CHISO:DF_INDEX(1.0)`: dimensions INDEX (methodology code), INDEX_VERSION, NODE (the pillar or
 * component; the root node is the overall index), REF_AREA (org unit code), TIME_PERIOD (a year);
 * OBS_VALUE is the score; attributes RANK, RANK_CHANGE, RAW_VALUE, BAND.
 */
export const INDEX_DATAFLOW = 'CHISO:DF_INDEX(1.0)';
export const SDMX_INDEX_COLUMNS = [
  'DATAFLOW',
  'INDEX',
  'INDEX_VERSION',
  'NODE',
  'REF_AREA',
  'TIME_PERIOD',
  'OBS_VALUE',
  'RANK',
  'RANK_CHANGE',
  'RAW_VALUE',
  'BAND',
] as const;

export async function* sdmxIndexCsvChunks(batches: AsyncIterable<IndexRow[]>): AsyncGenerator<string> {
  yield csvLine([...SDMX_INDEX_COLUMNS]);
  for await (const batch of batches) {
    let out = '';
    for (const r of batch)
      out += csvLine([
        INDEX_DATAFLOW,
        r.index_code,
        r.index_version,
        r.node,
        r.org_unit_code,
        toSdmxPeriod({ type: 'year', year: Number(r.period), index: 1 }),
        r.score,
        r.rank,
        r.rank_change,
        r.raw,
        r.band,
      ]);
    if (out) yield out;
  }
}

// ---------------------------------------------------------------------------------------------
// Workbooks

/** Progress statuses as .xlsx (the filter is checked and the first batch read before this resolves). */
export async function statusesXlsx(ex: Executor, f: StatusFilter = {}): Promise<Readable> {
  const batches = await primed(statusBatches(ex, f));
  return xlsxTableStream(
    [
      {
        name: 'Tiến độ',
        title: 'Tiến độ thực hiện mục tiêu / Progress against targets',
        note: 'Mức đạt: tỷ lệ thực hiện so với mục tiêu; trạng thái theo phương pháp của hệ thống (docs/ENGINE.md). / Attainment: actual against target; status by the method profile shown.',
        columns: STATUS_XLSX,
        rows: batches,
      },
    ] as never,
    { title: 'chiso: statuses', description: 'chiso' },
  );
}

/** Index results as .xlsx: a ranking sheet (the root node) and one of every node. */
export async function indexResultsXlsx(ex: Executor, f: IndexFilter = {}): Promise<Readable> {
  const ranking = await primed(indexBatches(ex, { ...f, ranking: true, node: undefined }));
  return xlsxTableStream(
    [
      {
        name: 'Xếp hạng',
        title: 'Xếp hạng theo bộ chỉ số / Index rankings',
        note: 'Hạng bằng nhau khi điểm bằng nhau; hạng 5%–95%: khoảng hạng khi trọng số thay đổi ngẫu nhiên. / Ties share the best rank; 5–95 %: rank interval under random weights.',
        columns: RANKING_XLSX,
        rows: ranking,
      },
      {
        name: 'Kết quả chi tiết',
        title: 'Kết quả theo thành phần / Results by node',
        columns: INDEX_XLSX,
        rows: indexBatches(ex, f),
      },
    ] as never,
    { title: 'chiso: index results', description: 'chiso' },
  );
}
