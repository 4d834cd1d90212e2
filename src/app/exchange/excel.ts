/**
 * Excel: entry templates (indicators × units × one period) that go out and come back, and table
 * exports with Vietnamese headers.
 *
 * A template has a sheet "Nhập số liệu" whose hidden columns A–C hold the keys (indicator, unit,
 * period); D–F describe the row; only G (value) and H (comment) are unlocked on a protected sheet.
 * Each value cell has a data validation after its indicator's type: a drop-down 0/1 for yes/no
 * indicators, a whole number for counts and ranks, a decimal 0–100 for percentages. Current values are
 * prefilled, so a template returned unchanged changes nothing. The sheet "Hướng dẫn" explains it in
 * Vietnamese and English. Import reads the cells back (formulas refused), through the bulk pipeline:
 * every fault names the sheet, the cell ('G7') and the rule; nothing is written unless all is clean.
 */
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { ChisoError, type ChisoErrorInit } from '../../core/errors.ts';
import {
  formatPeriod,
  formatPeriodEn,
  formatPeriodVi,
  parsePeriod,
  periodEnd,
  periodStart,
} from '../../core/period.ts';
import { checkMagnitude, formulaError, parseNumberCell } from '../../formats/cells.ts';
import type { ValueRow } from '../../formats/value-row.ts';
import { type XlsxColumn, xlsxTableStream } from '../../formats/xlsx-table.ts';
import type { Readable } from 'node:stream';
import { rows, type Store } from '../../store/db.ts';
import { type IndicatorOut, listIndicators } from '../catalogue/indicators.ts';
import { listTargets, type TargetOut } from '../catalogue/targets.ts';
import type { ValueFilter } from '../catalogue/values.ts';
import { primed, valueBatches } from './export-values.ts';
import { type ImportOptions, type ImportSummary, importValueRows } from './import-values.ts';
import type { ValueExportRow } from '../../formats/values-csv.ts';
import { createHash } from 'node:crypto';

export const TEMPLATE_SHEET = 'Nhập số liệu';
export const TEMPLATE_FORMAT = 'chiso-template/1';
const KEY_HEADERS = ['indicator_code', 'org_unit_code', 'period'] as const;
const FIRST_ROW = 3;

export interface TemplateSpec {
  period: string;
  indicators?: string[];
  orgUnits?: string[];
  level?: string;
  subtree?: string;
}

const bad = (code: string, field: string, vi: string, en: string) => new ChisoError({ code, field, vi, en });

/** Builds an entry template. */
export async function valuesTemplateXlsx(store: Store, spec: TemplateSpec): Promise<Buffer> {
  let p: ReturnType<typeof parsePeriod>;
  try {
    p = parsePeriod(spec.period);
  } catch (e) {
    if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field: 'period' });
    throw e;
  }
  const period = formatPeriod(p);
  const start = periodStart(p);
  const end = periodEnd(p);
  const inds = await rows<{
    code: string;
    name_vi: string;
    name_en: string | null;
    unit: string;
    value_type: string;
    levels: string[];
  }>(
    store.db,
    sql`select code, name_vi, name_en, unit, value_type, levels from indicator where archived_at is null and period_type = ${p.type}
        ${
          spec.indicators?.length
            ? sql`and code in (${sql.join(
                spec.indicators.map((c) => sql`${c}`),
                sql`, `,
              )})`
            : sql``
        }
        order by code`,
  );
  for (const c of spec.indicators ?? [])
    if (!inds.some((i) => i.code === c))
      throw bad(
        'indicator.unknown',
        'indicators',
        `Không có chỉ tiêu '${c}' báo cáo theo kỳ của ${period}.`,
        `No indicator '${c}' reported per the period type of ${period}.`,
      );
  const units = await rows<{ code: string; name_vi: string; level: string }>(
    store.db,
    sql`select u.code, u.name_vi, u.level from org_unit u where u.archived_at is null
          and (u.valid_from is null or u.valid_from <= ${end}) and (u.valid_to is null or u.valid_to >= ${start})
          ${
            spec.orgUnits?.length
              ? sql`and u.code in (${sql.join(
                  spec.orgUnits.map((c) => sql`${c}`),
                  sql`, `,
                )})`
              : sql``
          }
          ${spec.level ? sql`and u.level = ${spec.level}` : sql``}
          ${spec.subtree ? sql`and u.path like (select path from org_unit where code = ${spec.subtree}) || '%'` : sql``}
          ${!spec.orgUnits?.length && !spec.level && !spec.subtree ? sql`and u.parent_id is null` : sql``}
        order by u.path`,
  );
  for (const c of spec.orgUnits ?? [])
    if (!units.some((u) => u.code === c))
      throw bad(
        'org_unit.unknown',
        'org_units',
        `Không có đơn vị '${c}' tồn tại trong kỳ ${period}.`,
        `No unit '${c}' existing in period ${period}.`,
      );
  const current = await rows<{
    indicator: string;
    unit: string;
    value: number | null;
    comment: string | null;
  }>(
    store.db,
    sql`select i.code as indicator, u.code as unit, v.value, v.comment from data_value v join indicator i on i.id = v.indicator_id
        join org_unit u on u.id = v.org_unit_id where v.period = ${period} and v.disagg = '' and v.archived_at is null`,
  );
  const cur = new Map(current.map((c) => [`${c.indicator}\u0000${c.unit}`, c]));

  const wb = new ExcelJS.Workbook();
  wb.creator = 'chiso';
  wb.title = `${TEMPLATE_FORMAT} ${period}`;
  wb.subject = TEMPLATE_FORMAT;
  const ws = wb.addWorksheet(TEMPLATE_SHEET, { views: [{ state: 'frozen', ySplit: 2, xSplit: 6 }] });
  ws.columns = [
    { width: 12, hidden: true },
    { width: 12, hidden: true },
    { width: 9, hidden: true },
    { width: 60 },
    { width: 34 },
    { width: 10 },
    { width: 16 },
    { width: 40 },
  ];
  const h1 = ws.getRow(1);
  h1.values = [
    ...KEY_HEADERS,
    'Chỉ tiêu',
    'Đơn vị',
    'Đơn vị tính',
    `Giá trị ${formatPeriodVi(p)}`,
    'Ghi chú',
  ];
  const h2 = ws.getRow(2);
  h2.values = [
    ...KEY_HEADERS,
    'Indicator',
    'Org unit',
    'Unit of measure',
    `Value ${formatPeriodEn(p)}`,
    'Comment',
  ];
  for (const r of [h1, h2])
    r.eachCell((c) => {
      c.font = { name: 'Times New Roman', bold: r === h1, italic: r === h2, size: 11 };
      c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
      c.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    });
  let n = FIRST_ROW;
  for (const i of inds) {
    for (const u of units) {
      if (i.levels.length && !i.levels.includes(u.level)) continue;
      const v = cur.get(`${i.code}\u0000${u.code}`);
      const row = ws.getRow(n);
      row.values = [
        i.code,
        u.code,
        period,
        i.name_vi,
        u.name_vi,
        i.unit,
        v?.value ?? null,
        v?.comment ?? null,
      ];
      row.font = { name: 'Times New Roman', size: 11 };
      row.alignment = { wrapText: true, vertical: 'top' };
      for (const col of [7, 8]) {
        const c = row.getCell(col);
        c.protection = { locked: false };
        c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
      }
      const cell = row.getCell(7);
      const dv = validationFor(i.value_type);
      if (dv) cell.dataValidation = dv;
      n++;
    }
  }
  await ws.protect('', {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatColumns: true,
    formatRows: true,
    insertRows: false,
    deleteRows: false,
    insertColumns: false,
    deleteColumns: false,
    sort: false,
    autoFilter: false,
  });
  const help = wb.addWorksheet('Hướng dẫn');
  help.getColumn(1).width = 110;
  const lines = [
    `Mẫu nhập số liệu ${formatPeriodVi(p)} — chiso (${TEMPLATE_FORMAT})`,
    '1. Chỉ nhập vào các ô màu vàng: cột "Giá trị" và cột "Ghi chú" của trang "Nhập số liệu". Các ô khác bị khóa.',
    '2. Nhập số, dùng dấu chấm (.) hoặc dấu thập phân của Excel; không nhập công thức; tỷ lệ phần trăm từ 0 đến 100; ô có danh sách thả xuống chỉ nhận 0 (không) hoặc 1 (có).',
    '3. Để trống ô "Giá trị" nghĩa là chưa báo cáo: số liệu hiện có không bị xóa. Số 0 là một giá trị.',
    '4. Không thêm, xóa hay sắp xếp lại dòng, cột; không đổi tên trang. Các cột ẩn A–C chứa mã chỉ tiêu, mã đơn vị và kỳ.',
    '5. Gửi lại tệp để nhập: nếu có lỗi, hệ thống chỉ rõ trang, ô (ví dụ G7) và quy tắc bị vi phạm; không số liệu nào được ghi cho đến khi tệp hết lỗi.',
    '',
    `Data entry template for ${formatPeriodEn(p)} — chiso (${TEMPLATE_FORMAT})`,
    '1. Type only in the yellow cells: the "Value" and "Comment" columns of the sheet "Nhập số liệu". Other cells are locked.',
    "2. Enter numbers (a point or Excel's own decimal separator); no formulas; percentages from 0 to 100; cells with a drop-down take only 0 (no) or 1 (yes).",
    '3. A blank value means "not reported": the current figure is kept. Zero is a value.',
    '4. Do not add, delete or reorder rows or columns, nor rename sheets. Hidden columns A–C hold the indicator code, unit code and period.',
    '5. Upload the file to import it: any fault names the sheet, the cell (e.g. G7) and the rule; nothing is written until the file is clean.',
  ];
  lines.forEach((t, k) => {
    const c = help.getCell(k + 1, 1);
    c.value = t;
    c.font = { name: 'Times New Roman', size: 12, bold: k === 0 || k === 7 };
    c.alignment = { wrapText: true };
  });
  await help.protect('', { selectLockedCells: true, selectUnlockedCells: true });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function validationFor(valueType: string): ExcelJS.DataValidation | null {
  const common = { allowBlank: true, showErrorMessage: true, errorStyle: 'stop' as const };
  switch (valueType) {
    case 'boolean':
      return {
        ...common,
        type: 'list',
        formulae: ['"0,1"'],
        errorTitle: 'Giá trị không hợp lệ / Invalid value',
        error: 'Chọn 0 (không) hoặc 1 (có). / Choose 0 (no) or 1 (yes).',
      };
    case 'percent':
      return {
        ...common,
        type: 'decimal',
        operator: 'between',
        formulae: [0, 100],
        errorTitle: 'Giá trị không hợp lệ / Invalid value',
        error: 'Tỷ lệ phần trăm từ 0 đến 100. / A percentage from 0 to 100.',
      };
    case 'integer':
      return {
        ...common,
        type: 'whole',
        operator: 'between',
        formulae: [-1e15, 1e15],
        errorTitle: 'Giá trị không hợp lệ / Invalid value',
        error: 'Nhập số nguyên. / Enter a whole number.',
      };
    case 'rank':
      return {
        ...common,
        type: 'whole',
        operator: 'greaterThanOrEqual',
        formulae: [1],
        errorTitle: 'Giá trị không hợp lệ / Invalid value',
        error: 'Thứ hạng là số nguyên từ 1. / A rank is a whole number from 1.',
      };
    default:
      return {
        ...common,
        type: 'decimal',
        operator: 'between',
        formulae: [-1e15, 1e15],
        errorTitle: 'Giá trị không hợp lệ / Invalid value',
        error: 'Nhập một số. / Enter a number.',
      };
  }
}

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('');
  return String(v);
};

/** Reads a filled-in template into value rows. */
export async function readValuesTemplate(buffer: Buffer, file: string): Promise<ValueRow[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (e) {
    throw new ChisoError({
      code: 'xlsx.unreadable',
      file,
      vi: `Tệp ${file} không đọc được như một tệp Excel .xlsx (tệp hỏng hoặc bị cắt cụt?): ${(e as Error).message}`,
      en: `File ${file} cannot be read as an Excel .xlsx file (damaged or truncated?): ${(e as Error).message}`,
    });
  }
  const ws = wb.getWorksheet(TEMPLATE_SHEET);
  const keys = ws ? KEY_HEADERS.map((_, i) => cellText(ws.getRow(1).getCell(i + 1).value)) : [];
  if (!ws || keys.join(',') !== KEY_HEADERS.join(','))
    throw new ChisoError({
      code: 'xlsx.not_a_template',
      file,
      vi: `Tệp ${file} không phải mẫu nhập của chiso: cần trang '${TEMPLATE_SHEET}' với các cột khóa ${KEY_HEADERS.join(', ')} ở hàng 1.`,
      en: `File ${file} is not a chiso entry template: it needs the sheet '${TEMPLATE_SHEET}' with key columns ${KEY_HEADERS.join(', ')} in row 1.`,
    });
  const out: ValueRow[] = [];
  const sheet = ws.name;
  for (let r = FIRST_ROW; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const [a = '', b = '', c = ''] = [1, 2, 3].map((k) => cellText(row.getCell(k).value).trim());
    const valueCell = row.getCell(7);
    const commentCell = row.getCell(8);
    if (!a && !b && !c) {
      if (valueCell.value !== null && valueCell.value !== undefined)
        out.push({
          line: r,
          sheet,
          indicator: '',
          org_unit: '',
          period: '',
          disagg: '',
          value: null,
          errors: [
            {
              code: 'xlsx.row_without_keys',
              file,
              row: r,
              column: `G${r}`,
              field: 'value',
              vi: `Trang '${sheet}', ô G${r}: dòng không có mã chỉ tiêu/đơn vị (dòng được thêm vào mẫu?).`,
              en: `Sheet '${sheet}', cell G${r}: the row has no indicator/unit keys (a row added to the template?).`,
            },
          ],
        });
      continue;
    }
    const errors: ChisoErrorInit[] = [];
    const cellErr = (ref: string, field: string, e: Omit<ChisoErrorInit, 'row'>) =>
      errors.push({
        ...e,
        file,
        row: r,
        column: ref,
        field,
        vi: `Trang '${sheet}', ô ${ref}: ${e.vi}`,
        en: `Sheet '${sheet}', cell ${ref}: ${e.en}`,
      });
    let value: number | null = null;
    const v = valueCell.value;
    if (
      valueCell.type === ExcelJS.ValueType.Formula ||
      (v && typeof v === 'object' && ('formula' in v || 'sharedFormula' in v))
    )
      cellErr(`G${r}`, 'value', formulaError('value', String((v as { formula?: string }).formula ?? '')));
    else if (v === null || v === undefined || v === '') {
      continue; // not reported: nothing to import for this row
    } else if (typeof v === 'number') {
      const m = checkMagnitude('value', v);
      if (m.ok) value = m.value;
      else cellErr(`G${r}`, 'value', m.error);
    } else if (typeof v === 'boolean') value = v ? 1 : 0;
    else if (typeof v === 'string' || (typeof v === 'object' && 'richText' in v)) {
      const m = parseNumberCell('value', cellText(v));
      if (m.ok) value = m.value;
      else cellErr(`G${r}`, 'value', m.error);
    } else
      cellErr(`G${r}`, 'value', {
        code: 'value.type',
        vi: 'ô phải chứa một số (không phải ngày tháng hay lỗi).',
        en: 'the cell must hold a number (not a date or an error).',
      });
    let comment: string | null = null;
    const cv = commentCell.value;
    if (commentCell.type === ExcelJS.ValueType.Formula || (cv && typeof cv === 'object' && 'formula' in cv))
      cellErr(
        `H${r}`,
        'comment',
        formulaError('comment', String((cv as { formula?: string }).formula ?? '')),
      );
    else comment = cellText(cv) || null;
    out.push({
      line: r,
      sheet,
      where: { indicator: `A${r}`, org_unit: `B${r}`, period: `C${r}`, value: `G${r}`, comment: `H${r}` },
      indicator: a,
      org_unit: b,
      period: c,
      disagg: '',
      value,
      comment,
      errors,
    });
  }
  return out;
}

/** Imports a filled-in template (atomic, idempotent, audited). */
export async function importValuesTemplate(
  store: Store,
  actor: string,
  buffer: Buffer,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const file = options.file ?? 'template.xlsx';
  const data = await readValuesTemplate(buffer, file);
  const sha = createHash('sha256').update(buffer).digest('hex');
  async function* gen() {
    yield* data;
  }
  return importValueRows(
    store,
    actor,
    { format: 'xlsx-template', rows: gen(), sha256: () => sha, bytes: () => buffer.length },
    { ...options, file, action: 'values.import_xlsx', provenance: options.provenance ?? 'entered' },
  );
}

// ---------------------------------------------------------------------------------------------
// Table exports

const VALUE_XLSX: XlsxColumn<ValueExportRow>[] = [
  { vi: 'Mã chỉ tiêu', en: 'Indicator code', width: 14, get: (r) => r.indicator_code },
  { vi: 'Tên chỉ tiêu', en: 'Indicator', width: 60, get: (r) => r.indicator_name_vi },
  { vi: 'Kỳ', en: 'Period', width: 9, get: (r) => r.period },
  { vi: 'Mã đơn vị', en: 'Unit code', width: 14, get: (r) => r.org_unit_code },
  { vi: 'Tên đơn vị', en: 'Org unit', width: 34, get: (r) => r.org_unit_name_vi },
  { vi: 'Phân tổ', en: 'Disaggregation', width: 16, get: (r) => r.disagg },
  { vi: 'Giá trị', en: 'Value', width: 14, get: (r) => r.value },
  { vi: 'Đơn vị tính', en: 'Unit of measure', width: 10, get: (r) => r.unit_of_measure },
  { vi: 'Nguồn gốc', en: 'Provenance', width: 12, get: (r) => r.provenance },
  { vi: 'Trạng thái', en: 'Status', width: 12, get: (r) => r.status },
  { vi: 'Văn bản nguồn', en: 'Source document', width: 16, get: (r) => r.source_document },
  { vi: 'Ghi chú', en: 'Comment', width: 40, get: (r) => r.comment },
];

const COMPARATOR_VI: Record<string, string> = { '>=': '≥', '<=': '≤', '=': '=', range: 'khoảng' };
const TARGET_XLSX: XlsxColumn<TargetOut>[] = [
  { vi: 'Mã chỉ tiêu', en: 'Indicator code', width: 14, get: (t) => t.indicator_code },
  { vi: 'Tên chỉ tiêu', en: 'Indicator', width: 60, get: (t) => t.indicator_name_vi },
  { vi: 'Kỳ', en: 'Period', width: 9, get: (t) => t.period },
  { vi: 'Đơn vị', en: 'Org unit', width: 30, get: (t) => t.org_unit_name_vi ?? `Cấp: ${t.org_level}` },
  { vi: 'So sánh', en: 'Comparator', width: 8, get: (t) => COMPARATOR_VI[t.comparator] ?? t.comparator },
  { vi: 'Mục tiêu', en: 'Target', width: 12, get: (t) => t.value },
  { vi: 'Mục tiêu (cận trên)', en: 'Target (upper)', width: 12, get: (t) => t.value_max },
  { vi: 'Đơn vị tính', en: 'Unit of measure', width: 10, get: (t) => t.unit_of_measure },
  { vi: 'Kỳ gốc', en: 'Baseline period', width: 9, get: (t) => t.baseline_period },
  { vi: 'Giá trị gốc', en: 'Baseline', width: 12, get: (t) => t.baseline_value },
  { vi: 'Văn bản giao', en: 'Source document', width: 16, get: (t) => t.source_document },
  { vi: 'Trích dẫn', en: 'Quote', width: 60, get: (t) => t.quote },
];

const INDICATOR_XLSX: XlsxColumn<IndicatorOut>[] = [
  { vi: 'Mã', en: 'Code', width: 14, get: (i) => i.code },
  { vi: 'Tên chỉ tiêu', en: 'Name (vi)', width: 60, get: (i) => i.name_vi },
  { vi: 'Tên tiếng Anh', en: 'Name (en)', width: 50, get: (i) => i.name_en },
  { vi: 'Đơn vị tính', en: 'Unit of measure', width: 10, get: (i) => i.unit },
  { vi: 'Kiểu giá trị', en: 'Value type', width: 10, get: (i) => i.value_type },
  { vi: 'Chiều mong muốn', en: 'Direction', width: 10, get: (i) => i.direction },
  { vi: 'Kỳ báo cáo', en: 'Period type', width: 10, get: (i) => i.period_type },
  { vi: 'Nhóm', en: 'Group', width: 16, get: (i) => i.group_name_vi ?? i.group },
  { vi: 'Cấp áp dụng', en: 'Levels', width: 24, get: (i) => i.levels.join(', ') },
  { vi: 'Văn bản nguồn', en: 'Source document', width: 16, get: (i) => i.source_document },
  { vi: 'Đơn vị chủ trì', en: 'Responsible unit', width: 14, get: (i) => i.responsible_unit },
];

/** A table as an .xlsx stream (values are streamed in batches). */
export async function exportTableXlsx(
  store: Store,
  table: 'values' | 'targets' | 'indicators',
  filter: ValueFilter = {},
): Promise<Readable> {
  const meta = { title: `chiso: ${table}`, description: 'chiso' };
  if (table === 'values')
    return xlsxTableStream(
      [
        {
          name: 'Số liệu',
          title: 'Số liệu / Data values',
          columns: VALUE_XLSX,
          rows: await primed(valueBatches(store.db, filter)),
        },
      ] as never,
      meta,
    );
  if (table === 'targets') {
    const list = await listTargets(
      store.db,
      {
        ...(filter.indicator ? { indicator: filter.indicator } : {}),
        ...(filter.period ? { period: filter.period } : {}),
      },
      { limit: 1_000_000, offset: 0 },
    );
    return xlsxTableStream(
      [{ name: 'Mục tiêu', title: 'Mục tiêu / Targets', columns: TARGET_XLSX, rows: [list.items] }] as never,
      meta,
    );
  }
  const list = await listIndicators(store.db, {}, { limit: 1_000_000, offset: 0 });
  return xlsxTableStream(
    [
      {
        name: 'Chỉ tiêu',
        title: 'Danh mục chỉ tiêu / Indicators',
        columns: INDICATOR_XLSX,
        rows: [list.items],
      },
    ] as never,
    meta,
  );
}
