/**
 * Tables to .xlsx with Vietnamese headers (English in the second header row), written with exceljs's
 * streaming writer so that a large table is never held whole: rows are committed as they come.
 * Text that a spreadsheet would run as a formula is written as plain text (cells are typed values,
 * never formulas).
 */
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';

export type XlsxCell = string | number | boolean | null | undefined;

export interface XlsxColumn<T> {
  vi: string;
  en: string;
  /** Width in characters. */
  width?: number;
  get(row: T): XlsxCell;
  /** Excel number format, e.g. '#,##0.##'. */
  numFmt?: string;
}

export interface XlsxSheet<T> {
  name: string;
  /** A title line above the table (vi), and a note line under it. */
  title?: string;
  note?: string;
  columns: XlsxColumn<T>[];
  rows: AsyncIterable<T[]> | Iterable<T[]>;
}

export interface XlsxMeta {
  title?: string;
  creator?: string;
  /** Licence or provenance text written in the workbook's properties. */
  description?: string;
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF808080' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
export const safeSheetName = (s: string): string => s.replace(/[:\\/?*[\]]/g, '-').slice(0, 31);

/** Writes sheets to an .xlsx stream. The returned stream ends when the workbook is complete. */
export function xlsxTableStream(sheets: XlsxSheet<unknown>[], meta: XlsxMeta = {}): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = meta.creator ?? 'chiso';
  if (meta.title) wb.title = meta.title;
  if (meta.description) wb.description = meta.description;
  wb.created = new Date(0);
  wb.modified = new Date(0);
  (async () => {
    for (const sheet of sheets) {
      const ws = wb.addWorksheet(safeSheetName(sheet.name), {
        views: [{ state: 'frozen', ySplit: (sheet.title ? 2 : 0) + (sheet.note ? 1 : 0) + 2 }],
        // A4 landscape, as wide as the page: printable and convertible to PDF as it is.
        pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
      });
      const widths = sheet.columns.map((c) => c.width ?? Math.max(10, Math.min(60, c.vi.length + 4)));
      ws.columns = widths.map((width) => ({ width }));
      if (sheet.title) {
        const r = ws.addRow([sheet.title]);
        r.font = { name: 'Times New Roman', bold: true, size: 13 };
        r.commit();
        ws.addRow([]).commit();
      }
      if (sheet.note) {
        const r = ws.addRow([sheet.note]);
        r.font = { name: 'Times New Roman', italic: true, size: 10 };
        r.commit();
      }
      const head = ws.addRow(sheet.columns.map((c) => c.vi));
      head.eachCell((cell) => {
        cell.font = { name: 'Times New Roman', bold: true, size: 11 };
        cell.fill = HEADER_FILL;
        cell.border = BORDER;
        cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
      });
      head.commit();
      const headEn = ws.addRow(sheet.columns.map((c) => c.en));
      headEn.eachCell((cell) => {
        cell.font = { name: 'Times New Roman', italic: true, size: 9, color: { argb: 'FF505050' } };
        cell.fill = HEADER_FILL;
        cell.border = BORDER;
        cell.alignment = { wrapText: true, horizontal: 'center' };
      });
      headEn.commit();
      for await (const batch of sheet.rows) {
        for (const row of batch) {
          const r = ws.addRow(
            sheet.columns.map((c) => {
              const v = c.get(row);
              return v === undefined ? null : typeof v === 'number' && !Number.isFinite(v) ? null : v;
            }),
          );
          r.font = { name: 'Times New Roman', size: 11 };
          // Streamed rows get no automatic height: give wrapped text the lines it needs.
          let lines = 1;
          sheet.columns.forEach((c, i) => {
            const v = c.get(row);
            if (typeof v === 'string') lines = Math.max(lines, Math.ceil((v.length * 1.1) / widths[i]!));
          });
          if (lines > 1) r.height = Math.min(409, 15 * lines);
          sheet.columns.forEach((c, i) => {
            const cell = r.getCell(i + 1);
            cell.border = BORDER;
            cell.alignment = { wrapText: true, vertical: 'top' };
            if (c.numFmt) cell.numFmt = c.numFmt;
          });
          r.commit();
        }
      }
      ws.commit();
    }
    await wb.commit();
  })().catch((e: unknown) => out.destroy(e as Error));
  return out;
}

/** The whole workbook as a Buffer. */
export async function xlsxTableBuffer(sheets: XlsxSheet<unknown>[], meta: XlsxMeta = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of xlsxTableStream(sheets, meta)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
