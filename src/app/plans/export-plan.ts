/**
 * A plan's progress table as an Excel workbook, in Vietnamese:
 * - "Nhiệm vụ": one row per task with the annex's columns (STT, Nhiệm vụ, Đơn vị chủ trì, Đơn vị phối
 *   hợp, Thời gian hoàn thành, Sản phẩm …) and the status at the reference date, so that the sheet can
 *   be edited and imported again (import-plan.ts reads the same columns; status columns are ignored);
 * - "Kế hoạch": the plan's fields as label/value rows;
 * - "Báo cáo của đơn vị": every progress report (task × unit × period).
 * Frozen header rows, column widths, dates as real dates shown dd/mm/yyyy.
 */
import ExcelJS from 'exceljs';
import { PROGRESS_STATUS_LABELS, type ProgressState, parseDeadlineText } from '../../core/tasks.ts';
import { ChisoError } from '../../core/errors.ts';
import type { Executor } from '../../store/db.ts';
import {
  getPlanRow,
  isoDay,
  planProgress,
  planTasksFlat,
  type AssigneeOut,
  type StatusContext,
  type TaskOut,
} from './plans.ts';

const DATE_FORMAT = 'dd/mm/yyyy';

const asDate = (iso: string | null): Date | null => (iso ? new Date(`${iso.slice(0, 10)}T00:00:00Z`) : null);

/** A unit as the import reads it back: "Name (code)"; a level: "Tất cả đơn vị cấp: Name (ALL.level)". */
export function assigneeCell(a: AssigneeOut): string {
  if (a.kind === 'level')
    return `${a.name_vi.replace(/^Mọi đơn vị cấp: /, 'Tất cả đơn vị cấp: ')} (${a.code})`;
  return `${a.name_vi} (${a.code})`;
}

/** The deadline as written when it reads back the same, else in the canonical Vietnamese form. */
function deadlineCell(t: TaskOut): string {
  const d = t.deadline;
  if (d.text) {
    try {
      const back = parseDeadlineText(d.text);
      if (back.kind === d.kind && back.value === d.value && back.recurrence === d.recurrence) return d.text;
    } catch {
      // not a form the import reads: fall through
    }
  }
  return d.label_vi;
}

const PROVENANCE_VI: Record<string, string> = {
  entered: 'Nhập trực tiếp',
  imported: 'Nhập từ tệp',
  computed: 'Tính toán',
  estimated: 'Ước tính',
  synthetic: 'Minh họa (synthetic), không phải số liệu thật',
};
const ROLE_VI: Record<string, string> = {
  lead: 'Chủ trì',
  co_lead: 'Đồng chủ trì',
  coordinating: 'Phối hợp',
};

function styleHeader(ws: ExcelJS.Worksheet, columns: number): void {
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.height = 32;
  for (let c = 1; c <= columns; c++) {
    header.getCell(c).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    header.getCell(c).border = { bottom: { style: 'thin' } };
  }
  ws.views = [{ state: 'frozen', ySplit: 1, xSplit: 0 }];
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns } };
}

export async function exportPlanXlsx(ex: Executor, code: string, ctx: StatusContext): Promise<Uint8Array> {
  const plan = await getPlanRow(ex, code, ctx.includeDrafts ?? true);
  if (!plan) {
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có kế hoạch '${code}'.`,
      en: `There is no plan '${code}'.`,
    });
  }
  const tasks = await planTasksFlat(ex, plan.id, ctx);
  const reports = await planProgress(ex, plan.id);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'chiso';
  wb.title = plan.title_vi;
  wb.created = new Date(`${ctx.asOf}T00:00:00Z`);

  const ws = wb.addWorksheet('Nhiệm vụ');
  ws.columns = [
    { header: 'STT', key: 'number', width: 10 },
    { header: 'Nhiệm vụ', key: 'title_vi', width: 60 },
    { header: 'Đơn vị chủ trì', key: 'lead', width: 34 },
    { header: 'Đơn vị phối hợp', key: 'coordinating', width: 34 },
    { header: 'Thời gian hoàn thành', key: 'deadline', width: 22 },
    { header: 'Sản phẩm', key: 'output_vi', width: 36 },
    { header: 'Hạn cuối', key: 'deadline_date', width: 12, style: { numFmt: DATE_FORMAT } },
    { header: `Tình trạng (đến ${ctx.asOf.split('-').reverse().join('/')})`, key: 'status', width: 18 },
    { header: 'Tỷ lệ hoàn thành (%)', key: 'percent', width: 12 },
    { header: 'Đơn vị đã báo cáo / phải báo cáo', key: 'units', width: 16 },
    { header: 'Nhiệm vụ (tiếng Anh)', key: 'title_en', width: 50 },
    { header: 'Sản phẩm (tiếng Anh)', key: 'output_en', width: 30 },
    { header: 'Mô tả', key: 'description_vi', width: 40 },
    { header: 'Mô tả (tiếng Anh)', key: 'description_en', width: 40 },
    { header: 'Chỉ tiêu', key: 'indicators', width: 16 },
    { header: 'Trích dẫn', key: 'quote', width: 50 },
  ];
  for (const t of tasks) {
    const row = ws.addRow({
      number: t.number,
      title_vi: t.title_vi,
      lead: [...(t.lead ? [t.lead] : []), ...t.co_leads].map(assigneeCell).join('\n'),
      coordinating: t.coordinating.map(assigneeCell).join('\n'),
      deadline: deadlineCell(t),
      output_vi: t.output_vi ?? '',
      deadline_date: asDate(t.deadline.date),
      status: t.status_label_vi,
      percent: t.percent,
      units: t.is_leaf ? `${t.units_reported}/${t.units_expected}` : '',
      title_en: t.title_en ?? '',
      output_en: t.output_en ?? '',
      description_vi: t.description_vi ?? '',
      description_en: t.description_en ?? '',
      indicators: t.indicators.map((i) => i.code).join('\n'),
      quote: t.quote ?? '',
    });
    row.alignment = { vertical: 'top', wrapText: true };
    row.getCell('number').numFmt = '@';
    if (!t.is_leaf) row.font = { bold: true };
  }
  styleHeader(ws, ws.columns.length);

  const meta = wb.addWorksheet('Kế hoạch');
  meta.columns = [
    { header: 'Thông tin', key: 'label', width: 32 },
    { header: 'Giá trị', key: 'value', width: 90 },
  ];
  const metaRows: Array<[string, string | Date | null]> = [
    ['Mã kế hoạch', plan.code],
    ['Số ký hiệu văn bản', plan.document],
    ['Tên kế hoạch', plan.title_vi],
    ['Tên kế hoạch (tiếng Anh)', plan.title_en],
    ['Cơ quan ban hành', plan.issuer],
    ['Đơn vị ban hành', plan.issuer_unit],
    ['Ngày ban hành', asDate(plan.issued_on)],
    ['Trạng thái', plan.status],
    ['Ngày kết thúc', asDate(plan.closed_on)],
    ['Nguồn', plan.seed],
    ['Ghi chú', plan.note],
    ['Tình trạng tính đến ngày', asDate(ctx.asOf)],
  ];
  for (const [label, value] of metaRows) {
    const row = meta.addRow({ label, value: value ?? '' });
    row.alignment = { vertical: 'top', wrapText: true };
    if (value instanceof Date) row.getCell('value').numFmt = DATE_FORMAT;
  }
  styleHeader(meta, 2);

  const rep = wb.addWorksheet('Báo cáo của đơn vị');
  rep.columns = [
    { header: 'STT nhiệm vụ', key: 'number', width: 12 },
    { header: 'Tên nhiệm vụ', key: 'title_vi', width: 50 },
    { header: 'Mã đơn vị', key: 'org_unit', width: 14 },
    { header: 'Đơn vị báo cáo', key: 'org_unit_name_vi', width: 34 },
    { header: 'Vai trò', key: 'role', width: 14 },
    { header: 'Kỳ báo cáo', key: 'period', width: 11 },
    { header: 'Tình trạng', key: 'status', width: 16 },
    { header: 'Tỷ lệ hoàn thành (%)', key: 'percent', width: 12 },
    { header: 'Nội dung báo cáo', key: 'narrative', width: 60 },
    { header: 'Minh chứng', key: 'evidence', width: 30 },
    { header: 'Ngày hoàn thành', key: 'completed_on', width: 14, style: { numFmt: DATE_FORMAT } },
    { header: 'Ngày báo cáo', key: 'reported_on', width: 14, style: { numFmt: DATE_FORMAT } },
    { header: 'Người báo cáo', key: 'reported_by', width: 20 },
    { header: 'Nguồn số liệu', key: 'provenance', width: 24 },
  ];
  for (const r of reports) {
    const row = rep.addRow({
      number: r.number,
      title_vi: r.title_vi,
      org_unit: r.org_unit,
      org_unit_name_vi: r.org_unit_name_vi,
      role: ROLE_VI[r.role] ?? r.role,
      period: r.period,
      status: PROGRESS_STATUS_LABELS[r.status as ProgressState]?.vi ?? r.status,
      percent: r.percent,
      narrative: r.narrative ?? '',
      evidence: r.evidence ?? '',
      completed_on: asDate(r.completed_on),
      reported_on: asDate(isoDay(r.reported_at)),
      reported_by: r.reported_by,
      provenance: PROVENANCE_VI[r.provenance] ?? r.provenance,
    });
    row.alignment = { vertical: 'top', wrapText: true };
    row.getCell('number').numFmt = '@';
  }
  styleHeader(rep, rep.columns.length);

  const buffer = await wb.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}
