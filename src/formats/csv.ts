/**
 * CSV writing (RFC 4180): comma separated, CRLF line ends, fields quoted when they hold a comma, a
 * quote or a line break. A UTF-8 byte-order mark leads the file so that Excel shows Vietnamese text.
 * Cells that a spreadsheet would read as a formula (=, +, -, @ at the start) are prefixed with a
 * single quote when they are text, never when they are numbers.
 */
export type CsvCell = string | number | boolean | null | undefined;

export const BOM = '\uFEFF';

/** 1 at the char codes of =, +, -, @, tab and carriage return (a formula's first character). */
const FORMULA_START = new Uint8Array(65);
for (const c of '=+-@\t\r') FORMULA_START[c.charCodeAt(0)] = 1;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = typeof v === 'string' ? v : String(v);
  if (FORMULA_START[s.charCodeAt(0)] === 1 && Number.isNaN(Number(s))) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: CsvCell[]): string => `${cells.map(csvCell).join(',')}\r\n`;

export type CsvColumn<T> = { key: string; get: (row: T) => CsvCell };

/** Streams the lines of rows (no header) as CSV text chunks, one per non-empty batch. */
export async function* csvRows<T>(
  columns: Array<CsvColumn<T>>,
  rows: AsyncIterable<T[]> | Iterable<T[]>,
): AsyncGenerator<string> {
  for await (const batch of rows) {
    let out = '';
    for (const r of batch) out += csvLine(columns.map((c) => c.get(r)));
    if (out) yield out;
  }
}

/** Streams a header and rows as CSV text chunks. */
export async function* csvChunks<T>(
  columns: Array<CsvColumn<T>>,
  rows: AsyncIterable<T[]> | Iterable<T[]>,
): AsyncGenerator<string> {
  yield BOM + csvLine(columns.map((c) => c.key));
  yield* csvRows(columns, rows);
}
