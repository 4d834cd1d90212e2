/**
 * CSV writing (RFC 4180): comma separated, CRLF line ends, fields quoted when they hold a comma, a
 * quote or a line break. A UTF-8 byte-order mark leads the file so that Excel shows Vietnamese text.
 * Cells that a spreadsheet would read as a formula (=, +, -, @ at the start) are prefixed with a
 * single quote when they are text, never when they are numbers.
 */
export type CsvCell = string | number | boolean | null | undefined;

export const BOM = '\uFEFF';

export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && Number.isNaN(Number(s))) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: CsvCell[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** Streams a header and rows as CSV text chunks. */
export async function* csvChunks<T>(
  columns: Array<{ key: string; get: (row: T) => CsvCell }>,
  rows: AsyncIterable<T[]> | Iterable<T[]>,
): AsyncGenerator<string> {
  yield BOM + csvLine(columns.map((c) => c.key));
  for await (const batch of rows) {
    let out = '';
    for (const r of batch) out += csvLine(columns.map((c) => c.get(r)));
    if (out) yield out;
  }
}
