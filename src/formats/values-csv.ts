/**
 * chiso's values CSV (`chiso-values/1`), read and written streaming.
 *
 * Columns, in this order (the same order as the catalogue's /api/values.csv, so that file imports back):
 *   indicator_code, period, org_unit_code, disagg, value, provenance, status, source_document, comment
 * Required: indicator_code, period, org_unit_code, value. The others may be left out; present ones
 * must keep this relative order (a file with columns swapped is refused rather than misread).
 * Descriptive columns that exports add (indicator_name_vi, org_unit_name_vi, org_level,
 * unit_of_measure, version, id …) may stand anywhere and are ignored. Any other column is refused.
 * A blank value is a missing figure (null); zero is a value.
 */
import { ChisoError, type ChisoErrorInit } from '../core/errors.ts';
import { type CellResult, parseNumberCell, parseTextCell } from './cells.ts';
import { type CsvCell, csvChunks } from './csv.ts';
import { csvRecords } from './csv-read.ts';
import type { ByteSource } from './utf8.ts';
import type { ValueField, ValueRow } from './value-row.ts';

export const VALUES_FORMAT = 'chiso-values/1';

interface ColumnSpec {
  field: ValueField;
  names: readonly string[];
  required: boolean;
}

/** The columns of the format in their order, with accepted header spellings. */
export const VALUE_CSV_COLUMNS: readonly ColumnSpec[] = [
  { field: 'indicator', names: ['indicator_code', 'indicator'], required: true },
  { field: 'period', names: ['period'], required: true },
  { field: 'org_unit', names: ['org_unit_code', 'org_unit'], required: true },
  { field: 'disagg', names: ['disagg'], required: false },
  { field: 'value', names: ['value'], required: true },
  { field: 'provenance', names: ['provenance'], required: false },
  { field: 'status', names: ['status'], required: false },
  { field: 'source_document', names: ['source_document'], required: false },
  { field: 'comment', names: ['comment'], required: false },
];

/** Descriptive columns written by exports; ignored on import. */
export const DESCRIPTIVE_COLUMNS = new Set([
  'id',
  'indicator_name_vi',
  'indicator_name_en',
  'org_unit_name_vi',
  'org_unit_name_en',
  'org_level',
  'unit_of_measure',
  'version',
  'updated_at',
  'changed_by',
]);

export interface HeaderMap {
  /** field → index of its column */
  index: Partial<Record<ValueField, number>>;
  names: string[];
}

/** Checks a header row; throws `import.header` naming the column and the rule. */
export function readValuesHeader(cells: string[], file: string, line = 1): HeaderMap {
  const names = cells.map((c) => c.trim());
  const index: Partial<Record<ValueField, number>> = {};
  const fail = (code: string, column: string | number, vi: string, en: string): never => {
    throw new ChisoError({
      code,
      file,
      row: line,
      column,
      vi: `Tệp ${file}, dòng tiêu đề: ${vi}`,
      en: `File ${file}, header row: ${en}`,
      details: { expected: VALUE_CSV_COLUMNS.map((c) => c.names[0]) },
    });
  };
  let lastSpec = -1;
  let lastName = '';
  names.forEach((raw, i) => {
    const name = raw.toLowerCase();
    if (DESCRIPTIVE_COLUMNS.has(name)) return;
    const specIndex = VALUE_CSV_COLUMNS.findIndex((c) => c.names.includes(name));
    if (specIndex < 0) {
      fail(
        'import.unknown_column',
        raw || i + 1,
        `cột '${raw}' (cột ${i + 1}) không thuộc định dạng. Các cột: ${VALUE_CSV_COLUMNS.map((c) => c.names[0]).join(', ')}.`,
        `column '${raw}' (column ${i + 1}) is not part of the format. Columns: ${VALUE_CSV_COLUMNS.map((c) => c.names[0]).join(', ')}.`,
      );
    }
    const spec = VALUE_CSV_COLUMNS[specIndex]!;
    if (index[spec.field] !== undefined) {
      fail(
        'import.duplicate_column',
        raw,
        `cột '${raw}' xuất hiện hai lần.`,
        `column '${raw}' appears twice.`,
      );
    }
    if (specIndex < lastSpec) {
      fail(
        'import.column_order',
        raw,
        `sai thứ tự cột: '${raw}' phải đứng trước '${lastName}'. Thứ tự đúng: ${VALUE_CSV_COLUMNS.map((c) => c.names[0]).join(', ')}.`,
        `wrong column order: '${raw}' must come before '${lastName}'. The order is: ${VALUE_CSV_COLUMNS.map((c) => c.names[0]).join(', ')}.`,
      );
    }
    lastSpec = specIndex;
    lastName = raw;
    index[spec.field] = i;
  });
  const missing = VALUE_CSV_COLUMNS.filter((c) => c.required && index[c.field] === undefined);
  if (missing.length) {
    const list = missing.map((c) => c.names[0]).join(', ');
    fail(
      'import.missing_column',
      list,
      `thiếu cột bắt buộc: ${list}.`,
      `missing required column(s): ${list}.`,
    );
  }
  return { index, names };
}

/** Where each field of the header's rows comes from (the same for every row: built once, shared, never changed). */
const whereOf = new WeakMap<HeaderMap, Readonly<Partial<Record<ValueField, string>>>>();
function headerWhere(header: HeaderMap): Readonly<Partial<Record<ValueField, string>>> {
  let w = whereOf.get(header);
  if (!w) {
    const where: Partial<Record<ValueField, string>> = {};
    for (const [f, i] of Object.entries(header.index) as [ValueField, number][]) where[f] = header.names[i]!;
    w = Object.freeze(where);
    whereOf.set(header, w);
  }
  return w;
}

/**
 * The cells of one record being read into a ValueRow, with the faults found so far. A class
 * rather than closures made per row: the loader's keep-names helper renames every closure each
 * time it is made, a cost paid on every row of a large file.
 */
class RecordCells {
  readonly errors: ChisoErrorInit[] = [];
  constructor(
    readonly cells: string[],
    readonly header: HeaderMap,
    readonly where: Partial<Record<ValueField, string>>,
    readonly line: number,
    readonly file: string,
  ) {}
  take<T>(r: CellResult<T>, fallback: T): T {
    if (r.ok) return r.value;
    this.errors.push({ ...r.error, file: this.file, row: this.line });
    return fallback;
  }
  /** A text cell of a present column (undefined when the file has no such column). */
  text(f: ValueField): string | null | undefined {
    const i = this.header.index[f];
    if (i === undefined) return undefined;
    return this.take(parseTextCell(this.where[f]!, this.cells[i] ?? ''), null);
  }
  key(f: ValueField): string {
    return (this.text(f) ?? '').trim();
  }
}

/** Builds a ValueRow from the cells of one record, collecting every cell fault. */
export function valueRowFromCells(cells: string[], header: HeaderMap, line: number, file: string): ValueRow {
  const where = headerWhere(header);
  const c = new RecordCells(cells, header, where, line, file);
  const vi = header.index.value;
  const row: ValueRow = {
    line,
    where,
    indicator: c.key('indicator'),
    period: c.key('period'),
    org_unit: c.key('org_unit'),
    disagg: c.key('disagg'),
    value: c.take(parseNumberCell(where.value!, vi === undefined ? '' : (cells[vi] ?? '')), null),
    errors: c.errors,
  };
  const prov = c.text('provenance');
  if (prov) row.provenance = prov.trim();
  const status = c.text('status');
  if (status) row.status = status.trim();
  const doc = c.text('source_document');
  if (doc !== undefined) row.source_document = doc;
  const comment = c.text('comment');
  if (comment !== undefined) row.comment = comment;
  return row;
}

/** Streams the rows of a chiso values CSV. Header faults and broken files throw; cell faults ride on the row. */
export async function* readValuesCsv(source: ByteSource, file = 'values.csv'): AsyncGenerator<ValueRow> {
  let header: HeaderMap | null = null;
  for await (const rec of csvRecords(source, { file })) {
    if (!header) {
      header = readValuesHeader(rec.cells, file, rec.line);
      continue;
    }
    yield valueRowFromCells(rec.cells, header, rec.line, file);
  }
  if (!header) {
    throw new ChisoError({
      code: 'file.empty',
      file,
      vi: `Tệp ${file} trống (không có dòng tiêu đề).`,
      en: `File ${file} is empty (no header row).`,
    });
  }
}

/** A value as exports write it. */
export interface ValueExportRow {
  indicator_code: string;
  indicator_name_vi?: string;
  period: string;
  org_unit_code: string;
  org_unit_name_vi?: string;
  disagg: string;
  value: number | null;
  unit_of_measure?: string;
  provenance: string;
  status: string;
  source_document: string | null;
  comment: string | null;
}

export const VALUE_EXPORT_COLUMNS = [
  'indicator_code',
  'indicator_name_vi',
  'period',
  'org_unit_code',
  'org_unit_name_vi',
  'disagg',
  'value',
  'unit_of_measure',
  'provenance',
  'status',
  'source_document',
  'comment',
] as const;

/** Streams values as chiso values CSV (with a BOM so that Excel reads Vietnamese). */
export function valuesCsvChunks(
  batches: AsyncIterable<ValueExportRow[]> | Iterable<ValueExportRow[]>,
): AsyncGenerator<string> {
  return csvChunks(
    VALUE_EXPORT_COLUMNS.map((key) => ({
      key,
      get: (r: ValueExportRow) => (r as unknown as Record<string, CsvCell>)[key],
    })),
    batches,
  );
}
