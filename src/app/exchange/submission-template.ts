/**
 * Excel templates of a reporting round's form for one unit: the unit's submission as an .xlsx file
 * that goes out, is filled in offline and comes back INTO THE SUBMISSION as a draft save.
 *
 * Layout of the sheet 'Báo cáo' (SUBMISSION_SHEET): rows 1–3 title (vi, en) and the submission's
 * unit, period, deadline; rows 4–5 column headers (vi, en); from row 6 one row per form item, with
 * a bold row before each section. Columns: A indicator code and B value version (hidden keys), C №,
 * D indicator (vi and en), E unit of measure, F required, G the previous period's approved value,
 * H value, I comment. The sheet is protected (no inserting, deleting, sorting or unhiding); only H
 * and I of item rows are unlocked, and the workbook's structure is locked (no adding, renaming or
 * unhiding sheets). H carries a data validation after the indicator's type and bounds:
 * a drop-down 1/0 for yes/no indicators, whole numbers for counts and ranks, a decimal 0–100 for
 * percentages. A very hidden sheet '_chiso' names the submission, round, unit, period and form
 * version, so a file is only accepted back by the submission it was made for. 'Hướng dẫn' explains
 * it all in Vietnamese and English.
 *
 * Import reads the cells (formulas, dates, error values, text in number cells, magnitudes above
 * 1e15, tampered keys refused, each fault naming the sheet, the cell and the rule in vi and en),
 * compares them with the submission's current values, and saves only what changed through the data
 * entry API's own use case (saveDraftValues: reporter on the unit, submission editable, round open,
 * the value versions of the file as optimistic versions) — in one transaction, so that nothing
 * changes on any fault. A blank value cell where the submission has a value clears it (as in the form).
 */
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { ChisoError, type ChisoErrorInit, isChisoError } from '../../core/errors.ts';
import { formatPeriodEn, formatPeriodVi, parsePeriod } from '../../core/period.ts';
import { foldVi } from '../../core/text.ts';
import { checkValue } from '../../core/values.ts';
import {
  checkMagnitude,
  formulaError,
  isFormulaText,
  parseNumberCell,
  unescapeText,
} from '../../formats/cells.ts';
import { lockWorkbookStructure } from '../../formats/xlsx-protect.ts';
import { type Executor, rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import type { Caller } from '../rounds/access.ts';
import { requireRole } from '../rounds/access.ts';
import { submissionValues } from '../rounds/read-submissions.ts';
import { saveDraftValues } from '../rounds/save-draft-values.ts';
import type { SubmissionOut, SubmissionValueOut } from '../rounds/schemas.ts';
import {
  getSubmission,
  guardEdit,
  loadSubmission,
  type SubmissionRow,
  submissionItems,
  unitOf,
} from '../rounds/workflow.ts';

export const SUBMISSION_SHEET = 'Báo cáo';
export const SUBMISSION_META_SHEET = '_chiso';
export const SUBMISSION_HELP_SHEET = 'Hướng dẫn';
export const SUBMISSION_TEMPLATE_FORMAT = 'chiso-submission-template/1';
/** First item row. */
export const FIRST_ITEM_ROW = 6;
const KEY_HEADERS = ['indicator_code', 'version'] as const;
const COL = { key: 1, version: 2, no: 3, name: 4, unit: 5, required: 6, previous: 7, value: 8, comment: 9 };
const MAX_COMMENT = 4000;

const notFound = (vi: string, en: string) => new ChisoError({ code: 'not_found', status: 404, vi, en });

/** The submission of a unit in a round. */
export async function submissionOfUnit(
  ex: Executor,
  roundId: number,
  unitCode: string,
): Promise<SubmissionRow> {
  const [r] = await rows<{ id: number }>(
    ex,
    sql`select s.id from submission s join org_unit u on u.id = s.org_unit_id
        where s.round_id = ${roundId} and u.code = ${unitCode} and s.archived_at is null`,
  );
  if (!r)
    throw notFound(
      `Đợt báo cáo #${roundId} không có báo cáo của đơn vị '${unitCode}'.`,
      `Round #${roundId} has no submission of unit '${unitCode}'.`,
    );
  return loadSubmission(ex, r.id);
}

interface FormHead {
  name_vi: string;
  name_en: string;
  sections: Array<{ code: string; name_vi: string; name_en: string }>;
}

async function formHead(ex: Executor, formId: number): Promise<FormHead> {
  const [f] = await rows<FormHead>(ex, sql`select name_vi, name_en, sections from form where id = ${formId}`);
  return f!;
}

async function unitName(ex: Executor, s: SubmissionRow): Promise<string> {
  const [u] = await rows<{ name_vi: string }>(
    ex,
    sql`select name_vi from org_unit where id = ${s.org_unit_id}`,
  );
  return u?.name_vi ?? s.unit_code;
}

const VALIDATION_TITLE = 'Giá trị không hợp lệ / Invalid value';

/** The data validation of a value cell, after the indicator's type and bounds. */
function validationOf(
  type: string,
  min: number | null,
  max: number | null,
): { dv: ExcelJS.DataValidation; fmt: string } {
  const common = {
    allowBlank: true,
    showErrorMessage: true,
    showInputMessage: true,
    errorStyle: 'stop' as const,
  };
  const between = (lo: number, hi: number) => ({ operator: 'between' as const, formulae: [lo, hi] });
  const bounds = (lo: number, hi: number) => between(Math.max(lo, min ?? lo), Math.min(hi, max ?? hi));
  const range = (lo: number, hi: number) => {
    const b = bounds(lo, hi);
    return {
      vi: `từ ${b.formulae[0]} đến ${b.formulae[1]}`,
      en: `from ${b.formulae[0]} to ${b.formulae[1]}`,
    };
  };
  switch (type) {
    case 'boolean':
      return {
        fmt: '0',
        dv: {
          ...common,
          type: 'list',
          formulae: ['"1,0"'],
          promptTitle: 'Có / Không — Yes / No',
          prompt: 'Chọn 1 (có) hoặc 0 (không). / Choose 1 (yes) or 0 (no).',
          errorTitle: VALIDATION_TITLE,
          error: 'Chỉ chọn 1 (có) hoặc 0 (không). / Only 1 (yes) or 0 (no).',
        },
      };
    case 'percent': {
      const r = range(0, 100);
      return {
        fmt: '0.0##',
        dv: {
          ...common,
          type: 'decimal',
          ...bounds(0, 100),
          promptTitle: 'Tỷ lệ % / Percentage',
          prompt: `Số ${r.vi}, không có dấu %. / A number ${r.en}, without %.`,
          errorTitle: VALIDATION_TITLE,
          error: `Tỷ lệ phần trăm ${r.vi}. / A percentage ${r.en}.`,
        },
      };
    }
    case 'integer': {
      const r = range(-1e15, 1e15);
      return {
        fmt: '#,##0',
        dv: {
          ...common,
          type: 'whole',
          ...bounds(-1e15, 1e15),
          promptTitle: 'Số nguyên / Whole number',
          prompt: `Số nguyên ${r.vi}. / A whole number ${r.en}.`,
          errorTitle: VALIDATION_TITLE,
          error: `Nhập số nguyên ${r.vi}. / Enter a whole number ${r.en}.`,
        },
      };
    }
    case 'rank': {
      const r = range(1, 1e15);
      return {
        fmt: '0',
        dv: {
          ...common,
          type: 'whole',
          ...bounds(1, 1e15),
          promptTitle: 'Thứ hạng / Rank',
          prompt: `Số nguyên ${r.vi}. / A whole number ${r.en}.`,
          errorTitle: VALIDATION_TITLE,
          error: `Thứ hạng là số nguyên ${r.vi}. / A rank is a whole number ${r.en}.`,
        },
      };
    }
    default: {
      const r = range(-1e15, 1e15);
      return {
        fmt: '#,##0.###',
        dv: {
          ...common,
          type: 'decimal',
          ...bounds(-1e15, 1e15),
          promptTitle: 'Số / Number',
          prompt: `Một số ${r.vi}; dấu thập phân của Excel. / A number ${r.en}; Excel's decimal separator.`,
          errorTitle: VALIDATION_TITLE,
          error: `Nhập một số ${r.vi}. / Enter a number ${r.en}.`,
        },
      };
    }
  }
}

const FONT = 'Times New Roman';
/** Lines a wrapped text takes in a column of `width` characters (Times New Roman 11–12 pt). */
const linesOf = (text: string, width: number): number =>
  text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil(part.length / (width * 1.1))), 0);
const HEAD_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
const ENTRY_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
const SECTION_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEDEDED' } };
const THIN: ExcelJS.Borders = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
  diagonal: {},
};

/** Builds the template of a unit's submission in a round (any caller with the viewer role on the unit). */
export async function submissionTemplateXlsx(
  ex: Executor,
  caller: Caller,
  roundId: number,
  unitCode: string,
): Promise<{ buffer: Buffer; filename: string; submission: SubmissionRow }> {
  const s = await submissionOfUnit(ex, roundId, unitCode);
  requireRole(caller, 'viewer', unitOf(s));
  const items = await submissionValues(ex, s);
  const bounds = new Map((await submissionItems(ex, s)).map((i) => [i.code, i]));
  const form = await formHead(ex, s.form_id);
  const uName = await unitName(ex, s);
  const p = parsePeriod(s.period);

  const wb = new ExcelJS.Workbook();
  wb.creator = 'chiso';
  wb.title = `${SUBMISSION_TEMPLATE_FORMAT} ${s.form_code} ${s.period} ${s.unit_code}`;
  wb.subject = SUBMISSION_TEMPLATE_FORMAT;
  const ws = wb.addWorksheet(SUBMISSION_SHEET, {
    views: [{ state: 'frozen', ySplit: FIRST_ITEM_ROW - 1, xSplit: 0, showGridLines: false }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '4:5',
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: `${s.form_code} · ${s.unit_code} · ${s.period} — &P/&N` },
  });
  ws.columns = [
    { width: 14, hidden: true },
    { width: 8, hidden: true },
    { width: 6 },
    { width: 58 },
    { width: 12 },
    { width: 9 },
    { width: 14 },
    { width: 16 },
    { width: 36 },
  ];
  const title = (r: number, text: string, size: number, bold: boolean) => {
    ws.mergeCells(r, COL.no, r, COL.comment);
    const c = ws.getCell(r, COL.no);
    c.value = text;
    c.font = { name: FONT, size, bold, italic: !bold && r === 2 };
    c.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    ws.getRow(r).height = size * 2.2;
  };
  title(1, `${form.name_vi} — ${uName} — ${formatPeriodVi(p)}`, 14, true);
  title(2, `${form.name_en} — ${uName} — ${formatPeriodEn(p)}`, 12, false);
  title(
    3,
    `Mã đơn vị / Unit code: ${s.unit_code} · Biểu mẫu / Form: ${s.form_code} (phiên bản / version ${s.form_version}) · Hạn nộp / Deadline: ${s.deadline} · Báo cáo / Submission #${s.id}`,
    10,
    false,
  );
  ws.getCell(3, COL.no).font = { name: FONT, size: 10 };
  const hv = ws.getRow(4);
  hv.values = [
    ...KEY_HEADERS,
    'STT',
    'Chỉ tiêu',
    'Đơn vị tính',
    'Bắt buộc',
    `Kỳ trước`,
    `Giá trị ${formatPeriodVi(p)}`,
    'Ghi chú, giải trình',
  ];
  const he = ws.getRow(5);
  he.values = [
    ...KEY_HEADERS,
    'No.',
    'Indicator',
    'Unit',
    'Required',
    'Previous',
    `Value ${formatPeriodEn(p)}`,
    'Comment',
  ];
  for (const r of [hv, he]) {
    r.height = 30;
    r.eachCell((c, col) => {
      c.font = { name: FONT, bold: r === hv, italic: r === he, size: 11 };
      if (col > COL.version) c.fill = HEAD_FILL;
      c.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
      c.border = THIN;
    });
  }
  const sectionName = new Map(form.sections.map((x) => [x.code, x]));
  let r = FIRST_ITEM_ROW;
  let section: string | null | undefined;
  let no = 0;
  for (const it of items) {
    if (it.section && it.section !== section) {
      const sec = sectionName.get(it.section);
      ws.mergeCells(r, COL.no, r, COL.comment);
      const c = ws.getCell(r, COL.no);
      c.value = sec ? `${sec.name_vi} / ${sec.name_en}` : it.section;
      c.font = { name: FONT, size: 11, bold: true };
      c.fill = SECTION_FILL;
      c.border = THIN;
      r++;
    }
    section = it.section;
    const row = ws.getRow(r);
    const b = bounds.get(it.indicator);
    row.values = [
      it.indicator,
      it.version,
      ++no,
      it.name_en && it.name_en !== it.name_vi ? `${it.name_vi}\n${it.name_en}` : it.name_vi,
      it.unit,
      it.required ? '*' : '',
      it.previous?.value ?? null,
      it.value,
      it.comment,
    ];
    row.eachCell({ includeEmpty: true }, (c, col) => {
      if (col <= COL.version) return;
      c.font = { name: FONT, size: 11 };
      c.border = THIN;
      c.alignment = { vertical: 'top', wrapText: col === COL.name || col === COL.comment };
    });
    ws.getCell(r, COL.no).alignment = { vertical: 'top', horizontal: 'center' };
    ws.getCell(r, COL.required).alignment = { vertical: 'top', horizontal: 'center' };
    const { dv, fmt } = validationOf(it.value_type, b?.min_value ?? null, b?.max_value ?? null);
    ws.getCell(r, COL.previous).numFmt = fmt;
    const v = ws.getCell(r, COL.value);
    v.numFmt = fmt;
    v.dataValidation = dv;
    for (const col of [COL.value, COL.comment]) {
      const c = ws.getCell(r, col);
      c.protection = { locked: false };
      c.fill = ENTRY_FILL;
    }
    ws.getCell(r, COL.comment).dataValidation = {
      type: 'textLength',
      operator: 'lessThanOrEqual',
      formulae: [MAX_COMMENT],
      allowBlank: true,
      showErrorMessage: true,
      errorTitle: VALIDATION_TITLE,
      error: `Ghi chú tối đa ${MAX_COMMENT} ký tự. / At most ${MAX_COMMENT} characters.`,
    };
    // LibreOffice and Excel do not grow rows for wrapped text written by a program: set the height.
    row.height = Math.max(
      16,
      15 * Math.max(linesOf(String(ws.getCell(r, COL.name).value ?? ''), 58), linesOf(it.comment ?? '', 36)),
    );
    r++;
  }
  await ws.protect('', {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatCells: false,
    formatColumns: false,
    formatRows: true,
    insertColumns: false,
    insertRows: false,
    insertHyperlinks: false,
    deleteColumns: false,
    deleteRows: false,
    sort: false,
    autoFilter: false,
    pivotTables: false,
  });

  const help = wb.addWorksheet(SUBMISSION_HELP_SHEET, {
    views: [{ showGridLines: false }],
    pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  help.getColumn(1).width = 78;
  const lines: Array<[string, boolean]> = [
    [`Mẫu nhập số liệu: ${form.name_vi} — ${uName} — ${formatPeriodVi(p)}`, true],
    [
      '1. Chỉ nhập vào các ô màu vàng của trang "Báo cáo": cột "Giá trị" và cột "Ghi chú, giải trình". Các ô khác bị khóa.',
      false,
    ],
    [
      '2. Nhập số; không nhập công thức, không nhập chữ vào ô số. Tỷ lệ phần trăm nhập số từ 0 đến 100 (không có dấu %). Ô có danh sách thả xuống chỉ nhận 1 (có) hoặc 0 (không). Chỉ tiêu có dấu * là bắt buộc khi gửi báo cáo.',
      false,
    ],
    [
      '3. Ô "Giá trị" để trống nghĩa là chưa có số liệu; xóa một số liệu đã nhập sẽ xóa nó khỏi bản nháp. Số 0 là một giá trị.',
      false,
    ],
    [
      '4. Không thêm, xóa, sắp xếp lại dòng hay cột và không đổi tên trang: các cột ẩn A–B chứa mã chỉ tiêu và phiên bản số liệu để hệ thống nhận lại tệp.',
      false,
    ],
    [
      '5. Tải tệp lên đúng đợt báo cáo và đơn vị này. Số liệu được lưu vào bản nháp của báo cáo (chưa gửi); hãy kiểm tra rồi gửi trên hệ thống. Nếu có lỗi, hệ thống chỉ rõ trang, ô (ví dụ H7) và quy tắc bị vi phạm, và không lưu số liệu nào. Nếu số liệu đã được người khác sửa sau khi tải mẫu, hệ thống từ chối và yêu cầu tải mẫu mới.',
      false,
    ],
    ['', false],
    [`Reporting template: ${form.name_en} — ${uName} — ${formatPeriodEn(p)}`, true],
    [
      '1. Type only in the yellow cells of the sheet "Báo cáo": the "Value" and "Comment" columns. Other cells are locked.',
      false,
    ],
    [
      '2. Enter numbers; no formulas and no text in number cells. Percentages are numbers from 0 to 100 (without %). Cells with a drop-down take only 1 (yes) or 0 (no). Indicators marked * are required when the submission is sent.',
      false,
    ],
    [
      '3. A blank "Value" cell means no figure; deleting a figure you entered removes it from the draft. Zero is a value.',
      false,
    ],
    [
      '4. Do not add, delete or reorder rows or columns, nor rename sheets: hidden columns A–B hold the indicator code and the value version the system needs to read the file back.',
      false,
    ],
    [
      "5. Upload the file to this same round and unit. The values are saved into the submission's draft (not sent); check them and submit in the system. Any fault names the sheet, the cell (e.g. H7) and the rule, and nothing is saved. If a value was changed by someone else after you downloaded the template, the upload is refused: download a fresh template.",
      false,
    ],
  ];
  lines.forEach(([t, bold], k) => {
    const c = help.getCell(k + 1, 1);
    c.value = t;
    c.font = { name: FONT, size: 12, bold };
    c.alignment = { wrapText: true, vertical: 'top' };
    help.getRow(k + 1).height = 16 * linesOf(t, bold ? 66 : 74);
  });
  await help.protect('', { selectLockedCells: true, selectUnlockedCells: true });

  const meta = wb.addWorksheet(SUBMISSION_META_SHEET, { state: 'veryHidden' });
  const metaRows: Array<[string, string | number]> = [
    ['format', SUBMISSION_TEMPLATE_FORMAT],
    ['submission', s.id],
    ['round', s.round_id],
    ['org_unit', s.unit_code],
    ['period', s.period],
    ['form', s.form_code],
    ['form_version', s.form_version],
    ['submission_version', s.version],
    ['generated_at', new Date().toISOString()],
  ];
  metaRows.forEach(([k, v], i) => {
    meta.getCell(i + 1, 1).value = k;
    meta.getCell(i + 1, 2).value = v;
  });
  await meta.protect('', {});
  return {
    // exceljs protects sheets, not the workbook: lock its structure (no adding, renaming, unhiding sheets)
    buffer: lockWorkbookStructure(Buffer.from(await wb.xlsx.writeBuffer())),
    filename: `bao-cao-${s.form_code}-${s.unit_code}-${s.period}.xlsx`,
    submission: s,
  };
}

// ---------------------------------------------------------------------------------------------
// Import

export interface SubmissionTemplateResult {
  submission: SubmissionOut;
  file: string;
  sha256: string;
  /** Item rows read from the file. */
  rows: number;
  saved: Array<{ indicator: string; cell: string; outcome: 'created' | 'updated' | 'unchanged' }>;
  unchanged: number;
}

type Cell = ExcelJS.Cell;

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('');
  if (typeof v === 'object' && 'text' in v && typeof v.text === 'string') return v.text;
  return String(v);
};

const isFormula = (c: Cell): boolean => {
  const v = c.value;
  return (
    c.type === ExcelJS.ValueType.Formula ||
    (v !== null && typeof v === 'object' && ('formula' in v || 'sharedFormula' in v))
  );
};

const YES = new Set(['1', 'co', 'yes', 'true', 'x']);
const NO = new Set(['0', 'khong', 'no', 'false']);

interface ReadRow {
  line: number;
  indicator: string;
  version: number;
  value: number | null;
  comment: string | null;
}

function unreadable(file: string, e: Error): ChisoError {
  return new ChisoError({
    code: 'xlsx.unreadable',
    status: 422,
    file,
    vi: `Tệp ${file} không đọc được như một tệp Excel .xlsx (tệp hỏng hoặc bị cắt cụt?): ${e.message}`,
    en: `File ${file} cannot be read as an Excel .xlsx file (damaged or truncated?): ${e.message}`,
  });
}

/**
 * Reads a filled-in submission template against the submission it must belong to. Returns the item
 * rows, or throws `template.rejected` (422) listing every fault with its sheet and cell.
 */
export async function readSubmissionTemplate(
  buffer: Buffer,
  file: string,
  s: SubmissionRow,
  items: Map<
    string,
    { value_type: string; min_value: number | null; max_value: number | null; code: string }
  >,
): Promise<ReadRow[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (e) {
    throw unreadable(file, e as Error);
  }
  const faults: ChisoErrorInit[] = [];
  const fault = (sheet: string, cell: string, code: string, vi: string, en: string, field?: string) =>
    faults.push({
      code,
      file,
      row: Number(cell.replace(/^[A-Z]+/, '')) || undefined,
      column: cell,
      ...(field ? { field } : {}),
      vi: `Trang '${sheet}', ô ${cell}: ${vi}`,
      en: `Sheet '${sheet}', cell ${cell}: ${en}`,
      details: { sheet, cell, rule: code },
    } as ChisoErrorInit);
  const reject = () => {
    const first = faults[0]!;
    return new ChisoError({
      code: 'template.rejected',
      status: 422,
      file,
      ...(first.row ? { row: first.row } : {}),
      ...(first.column ? { column: first.column } : {}),
      vi: `Tệp ${file} bị từ chối: ${faults.length} lỗi, không có số liệu nào được lưu. Lỗi đầu tiên — ${first.vi}`,
      en: `File ${file} was rejected: ${faults.length} fault(s); no value was saved. First fault — ${first.en}`,
      errors: faults,
    });
  };

  const ws = wb.getWorksheet(SUBMISSION_SHEET);
  const meta = wb.getWorksheet(SUBMISSION_META_SHEET);
  const keys = ws ? KEY_HEADERS.map((_, i) => cellText(ws.getRow(4).getCell(i + 1).value).trim()) : [];
  if (!ws || !meta || keys.join(',') !== KEY_HEADERS.join(',')) {
    const names = wb.worksheets.map((w) => `'${w.name}'`).join(', ') || '—';
    throw new ChisoError({
      code: 'template.wrong_sheet',
      status: 422,
      file,
      vi: `Tệp ${file} không phải mẫu báo cáo của chiso: cần trang '${SUBMISSION_SHEET}' (cột khóa ${KEY_HEADERS.join(', ')} ở hàng 4) và trang ẩn '${SUBMISSION_META_SHEET}'; tệp có các trang ${names}. Hãy tải mẫu của đợt báo cáo và đơn vị này.`,
      en: `File ${file} is not a chiso submission template: it needs the sheet '${SUBMISSION_SHEET}' (key columns ${KEY_HEADERS.join(', ')} in row 4) and the hidden sheet '${SUBMISSION_META_SHEET}'; the file has ${names}. Download the template of this round and unit.`,
    });
  }
  // The file must be the template of this submission.
  const m = new Map<string, string>();
  for (let i = 1; i <= meta.rowCount; i++)
    m.set(cellText(meta.getCell(i, 1).value).trim(), cellText(meta.getCell(i, 2).value).trim());
  const expect: Array<[string, string, string, string]> = [
    ['format', SUBMISSION_TEMPLATE_FORMAT, 'định dạng mẫu', 'template format'],
    ['round', String(s.round_id), 'đợt báo cáo', 'round'],
    ['org_unit', s.unit_code, 'đơn vị', 'org unit'],
    ['period', s.period, 'kỳ', 'period'],
    ['form', s.form_code, 'biểu mẫu', 'form'],
    ['form_version', String(s.form_version), 'phiên bản biểu mẫu', 'form version'],
  ];
  for (const [k, want, vi, en] of expect) {
    const got = m.get(k) ?? '';
    if (got !== want) {
      const row = [...m.keys()].indexOf(k) + 1;
      fault(
        SUBMISSION_META_SHEET,
        `B${row > 0 ? row : 1}`,
        'template.other_submission',
        `tệp là mẫu của ${vi} '${got || '—'}', không phải '${want}' của báo cáo này. Hãy tải mẫu của đợt báo cáo và đơn vị này.`,
        `the file is the template of ${en} '${got || '—'}', not '${want}' of this submission. Download the template of this round and unit.`,
      );
    }
  }
  if (faults.length) throw reject();

  const sheet = ws.name;
  const out: ReadRow[] = [];
  const seen = new Map<string, number>();
  for (let r = FIRST_ITEM_ROW; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const keyCell = row.getCell(COL.key);
    const verCell = row.getCell(COL.version);
    const valueCell = row.getCell(COL.value);
    const commentCell = row.getCell(COL.comment);
    const key = cellText(keyCell.value).trim();
    const H = `H${r}`;
    const I = `I${r}`;
    if (!key) {
      // A section title or an empty row: nothing may be entered there.
      const entered = [valueCell, commentCell].find(
        (c) => c.value !== null && c.value !== undefined && cellText(c.value).trim() !== '' && !c.isMerged,
      );
      if (entered || isFormula(keyCell))
        fault(
          sheet,
          entered ? entered.address : `A${r}`,
          'template.row_without_key',
          'dòng không có mã chỉ tiêu (dòng thêm vào mẫu, hoặc cột khóa bị xóa?); chỉ nhập vào các dòng chỉ tiêu của mẫu.',
          'the row has no indicator code (a row added to the template, or a key cleared?); enter values only in the template’s indicator rows.',
        );
      continue;
    }
    const item = items.get(key);
    if (isFormula(keyCell) || !item) {
      fault(
        sheet,
        `A${r}`,
        'template.key_tampered',
        `cột khóa ẩn chứa '${key}', không phải mã một chỉ tiêu của biểu mẫu ${s.form_code} cho đơn vị này (cột khóa bị sửa?). Hãy tải mẫu mới.`,
        `the hidden key column holds '${key}', not the code of an item of form ${s.form_code} for this unit (a key edited?). Download a fresh template.`,
        'indicator',
      );
      continue;
    }
    if (seen.has(key)) {
      fault(
        sheet,
        `A${r}`,
        'template.duplicate_key',
        `chỉ tiêu '${key}' đã có ở dòng ${seen.get(key)} (dòng bị sao chép?).`,
        `indicator '${key}' is already in row ${seen.get(key)} (a copied row?).`,
        'indicator',
      );
      continue;
    }
    seen.set(key, r);
    const vraw = verCell.value;
    const version = typeof vraw === 'number' ? vraw : Number(cellText(vraw).trim() || Number.NaN);
    if (isFormula(verCell) || !Number.isInteger(version) || version < 0) {
      fault(
        sheet,
        `B${r}`,
        'template.key_tampered',
        `cột khóa ẩn 'version' phải là số nguyên không âm (nhận '${cellText(vraw)}'); cột khóa bị sửa? Hãy tải mẫu mới.`,
        `the hidden key column 'version' must be a whole number of 0 or more (got '${cellText(vraw)}'); a key edited? Download a fresh template.`,
        'version',
      );
      continue;
    }
    let value: number | null = null;
    let ok = true;
    const bad = (code: string, vi: string, en: string) => {
      ok = false;
      fault(sheet, H, code, vi, en, 'value');
    };
    const v = valueCell.value;
    if (isFormula(valueCell)) {
      const e = formulaError('value', String((v as { formula?: string }).formula ?? ''));
      bad(e.code, e.vi, e.en);
    } else if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) {
      value = null;
    } else if (typeof v === 'number') {
      const c = checkMagnitude('value', v);
      if (c.ok) value = c.value;
      else bad(c.error.code, c.error.vi, c.error.en);
    } else if (typeof v === 'boolean') {
      if (item.value_type === 'boolean') value = v ? 1 : 0;
      else
        bad(
          'value.type',
          'ô chứa giá trị đúng/sai, cần một số.',
          'the cell holds TRUE/FALSE; a number is needed.',
        );
    } else if (typeof v === 'string' || (typeof v === 'object' && 'richText' in v)) {
      const text = cellText(v).trim();
      const folded = foldVi(text).toLowerCase();
      if (item.value_type === 'boolean' && (YES.has(folded) || NO.has(folded)))
        value = YES.has(folded) ? 1 : 0;
      else {
        const c = parseNumberCell('value', text);
        if (c.ok) value = c.value;
        else bad(c.error.code, c.error.vi, c.error.en);
      }
    } else if (v instanceof Date) {
      bad('value.type', 'ô chứa ngày tháng, cần một số.', 'the cell holds a date; a number is needed.');
    } else {
      bad(
        'value.type',
        `ô chứa '${cellText(v)}' (lỗi hoặc kiểu khác), cần một số.`,
        `the cell holds '${cellText(v)}' (an error or another kind of value); a number is needed.`,
      );
    }
    if (ok && value !== null) {
      try {
        checkValue(item, value);
      } catch (e) {
        if (!isChisoError(e)) throw e;
        bad(e.code, e.vi, e.en);
      }
    }
    let comment: string | null = null;
    const cv = commentCell.value;
    if (isFormula(commentCell) || (typeof cv === 'string' && isFormulaText(cv))) {
      const e = formulaError(
        'comment',
        isFormula(commentCell) ? String((cv as { formula?: string }).formula ?? '') : String(cv),
      );
      ok = false;
      fault(sheet, I, e.code, e.vi, e.en, 'comment');
    } else {
      const t = unescapeText(cellText(cv)).trim();
      if (t.length > MAX_COMMENT) {
        ok = false;
        fault(
          sheet,
          I,
          'comment.too_long',
          `ghi chú dài ${t.length} ký tự, tối đa ${MAX_COMMENT}.`,
          `the comment is ${t.length} characters long; at most ${MAX_COMMENT}.`,
          'comment',
        );
      }
      comment = t || null;
    }
    if (ok) out.push({ line: r, indicator: key, version, value, comment });
  }
  if (faults.length) throw reject();
  return out;
}

const same = (a: number | null, b: number | null) =>
  a === b || (a !== null && b !== null && Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(a)));

/**
 * Imports a filled-in template into the unit's submission as a draft save: the guards of the data
 * entry API, the file's value versions as optimistic versions, one transaction, audited.
 */
export async function importSubmissionTemplate(
  store: Store,
  caller: Caller,
  roundId: number,
  unitCode: string,
  buffer: Buffer,
  options: { file?: string; now?: Date } = {},
): Promise<SubmissionTemplateResult> {
  const file = options.file ?? 'bao-cao.xlsx';
  const sha256 = createHash('sha256').update(buffer).digest('hex');
  return store.db.transaction(async (tx) => {
    const found = await submissionOfUnit(tx, roundId, unitCode);
    // The guards first (reporter on the unit, editable, round open), then the file.
    const s = await guardEdit(tx, caller, found.id, options.now ?? new Date());
    const items = new Map((await submissionItems(tx, s)).map((i) => [i.code, i]));
    const read = await readSubmissionTemplate(buffer, file, s, items);
    const current = new Map<string, SubmissionValueOut>(
      (await submissionValues(tx, s)).map((v) => [v.indicator, v]),
    );
    const changed = read.filter((r) => {
      const c = current.get(r.indicator);
      return !c || !same(c.value, r.value) || (c.comment ?? null) !== r.comment;
    });
    const cellOf = new Map<number, ReadRow>();
    for (const [i, r] of changed.entries()) cellOf.set(i, r);
    const saved: SubmissionTemplateResult['saved'] = [];
    if (changed.length) {
      try {
        const res = await saveDraftValues(
          tx,
          caller,
          s.id,
          {
            values: changed.map((r) => ({
              indicator: r.indicator,
              value: r.value,
              comment: r.comment,
              version: r.version,
            })),
          },
          options.now ? { now: options.now } : {},
        );
        for (const [i, v] of res.values.entries())
          saved.push({ indicator: v.indicator, cell: `H${changed[i]!.line}`, outcome: v.outcome });
      } catch (e) {
        if (!isChisoError(e)) throw e;
        throw inCells(e, file, cellOf);
      }
      await appendAudit(tx, {
        actor: caller.name,
        action: 'submission.import_xlsx',
        entity: 'submission',
        entityId: s.id,
        data: { file, sha256, rows: read.length, saved: saved.length },
      });
    }
    return {
      submission: (await getSubmission(tx, s.id))!,
      file,
      sha256,
      rows: read.length,
      saved,
      unchanged: read.length - saved.filter((x) => x.outcome !== 'unchanged').length,
    };
  });
}

/** A fault of saveDraftValues (fields `values.<i>.<what>`) told by sheet and cell. */
function inCells(e: ChisoError, file: string, rowsByIndex: Map<number, ReadRow>): ChisoError {
  const list = e.errors.length ? e.errors : [e.toJSON()];
  const errors = list.map((f) => {
    const m = /^values\.(\d+)\.(\w+)/.exec(f.field ?? '');
    const r = m ? rowsByIndex.get(Number(m[1])) : undefined;
    if (!r) return f;
    const what = m![2]!;
    const cell = `${what === 'version' ? 'H' : what === 'comment' ? 'I' : what === 'indicator' ? 'A' : 'H'}${r.line}`;
    return {
      ...f,
      file,
      row: r.line,
      column: cell,
      vi: `Trang '${SUBMISSION_SHEET}', ô ${cell}: ${f.vi}`,
      en: `Sheet '${SUBMISSION_SHEET}', cell ${cell}: ${f.en}`,
      details: { ...(f.details ?? {}), sheet: SUBMISSION_SHEET, cell, rule: f.code },
    };
  });
  const first = errors[0]!;
  const stale = e.status === 409;
  return new ChisoError({
    code: stale ? e.code : 'template.rejected',
    status: stale ? 409 : e.status === 400 ? 422 : e.status,
    file,
    ...(first.row ? { row: first.row } : {}),
    ...(first.column ? { column: first.column } : {}),
    vi: stale
      ? `Tệp ${file}: số liệu đã được thay đổi sau khi tải mẫu (${first.vi}). Không có số liệu nào được lưu; hãy tải mẫu mới.`
      : `Tệp ${file} bị từ chối: ${errors.length} lỗi, không có số liệu nào được lưu. Lỗi đầu tiên — ${first.vi}`,
    en: stale
      ? `File ${file}: values were changed after the template was downloaded (${first.en}). Nothing was saved; download a fresh template.`
      : `File ${file} was rejected: ${errors.length} fault(s); no value was saved. First fault — ${first.en}`,
    errors,
    ...(e.details ? { details: e.details } : {}),
  });
}
