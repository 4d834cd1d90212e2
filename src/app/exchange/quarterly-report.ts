/**
 * The quarterly consolidated report (báo cáo định kỳ quý): gathered from the database, written as
 * .docx in the Decree 30/2020 layout (src/formats/report-docx.ts) with an .xlsx annex, and as PDF
 * through LibreOffice when it is installed.
 *
 * Content, all from data:
 * - issuer: the programme's coordinating unit valid on the last day of the quarter (is_coordinator),
 *   under the root unit's people's committee; the symbol is BC-<the coordinator's code suffix>;
 * - the targets of the quarter and of its year for the root unit and for whole levels, each with the
 *   approved figure of its period and whether it is met (src/core/progress.ts: isTargetMet,
 *   attainment); level targets count the units that meet them;
 * - the root unit's approved figures of the quarter and of its year, beside the same period a year
 *   earlier;
 * - task progress reported for the quarter (plans), a section that is left out when there is none.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import {
  formatPeriod,
  formatPeriodVi,
  type Period,
  parsePeriod,
  periodEnd,
  shiftPeriod,
} from '../../core/period.ts';
import { attainment, isTargetMet } from '../../core/progress.ts';
import { type OfficialReport, officialReportDocx, type ReportBlock } from '../../formats/report-docx.ts';
import { type XlsxSheet, xlsxTableBuffer } from '../../formats/xlsx-table.ts';
import { type Executor, rows, type Store } from '../../store/db.ts';

export interface QuarterlyReportOptions {
  /** ISO date of the report; default today in Vietnam (UTC+7). */
  date?: string;
  number?: string;
  /** Ký hiệu; default BC-<coordinator code suffix>. */
  symbol?: string;
  /** What the report is on: "Kết quả thực hiện <subject> quý IV năm 2024". */
  subject?: string;
  signer?: { authority: string; position?: string; name?: string };
  distribution?: string[];
}

export interface TargetLine {
  indicator_code: string;
  indicator_name_vi: string;
  unit_of_measure: string;
  period: string;
  scope: string;
  comparator: string;
  target: number;
  target_max: number | null;
  actual: number | null;
  met: boolean | null;
  attainment: number | null;
  units_met: number | null;
  units_reported: number | null;
  status_vi: string;
  status_en: string;
  source_document: string | null;
}

export interface ValueLine {
  indicator_code: string;
  indicator_name_vi: string;
  unit_of_measure: string;
  period: string;
  value: number | null;
  previous_period: string;
  previous_value: number | null;
  source_document: string | null;
}

export interface TaskLine {
  plan: string;
  number: string;
  title_vi: string;
  lead_unit: string;
  status: string;
  status_vi: string;
  percent: number | null;
  narrative: string | null;
}

export interface QuarterlyReportData {
  period: string;
  period_vi: string;
  root: { code: string; name_vi: string };
  issuer: { code: string; name_vi: string } | null;
  documents: Array<{
    code: string;
    title_vi: string;
    number: string | null;
    symbol: string | null;
    issued_on: string | null;
    issuer: string | null;
  }>;
  targets: TargetLine[];
  values: ValueLine[];
  tasks: TaskLine[];
}

const TASK_STATUS_VI: Record<string, string> = {
  not_started: 'Chưa triển khai',
  in_progress: 'Đang triển khai',
  done: 'Hoàn thành',
  blocked: 'Gặp vướng mắc',
};

const nf = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
export const formatNumberVi = (v: number | null): string => (v === null ? '' : nf.format(v));

const COMPARATOR_SIGN: Record<string, string> = { '>=': '≥', '<=': '≤', '=': '=' };
export function formatTargetVi(t: Pick<TargetLine, 'comparator' | 'target' | 'target_max'>): string {
  if (t.comparator === 'range') return `${formatNumberVi(t.target)} – ${formatNumberVi(t.target_max)}`;
  return `${COMPARATOR_SIGN[t.comparator] ?? t.comparator} ${formatNumberVi(t.target)}`;
}

const ROMAN = ['I', 'II', 'III', 'IV'];

export function todayInVietnam(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

export function quarterOf(code: string): Period {
  let p: Period;
  try {
    p = parsePeriod(code);
  } catch (e) {
    if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field: 'period' });
    throw e;
  }
  if (p.type !== 'quarter')
    throw new ChisoError({
      code: 'report.period_not_quarter',
      field: 'period',
      vi: `Báo cáo quý cần một kỳ quý như 2024Q4, không phải '${code}'.`,
      en: `A quarterly report needs a quarter such as 2024Q4, not '${code}'.`,
    });
  return p;
}

/** Gathers the report's content. */
export async function quarterlyReportData(ex: Executor, periodCode: string): Promise<QuarterlyReportData> {
  const q = quarterOf(periodCode);
  const quarter = formatPeriod(q);
  const year = String(q.year);
  const end = periodEnd(q);
  const [root] = await rows<{ id: number; code: string; name_vi: string; path: string }>(
    ex,
    sql`select id, code, name_vi, path from org_unit where parent_id is null and archived_at is null
          and (valid_from is null or valid_from <= ${end}) and (valid_to is null or valid_to >= ${end})
        order by (select count(*) from org_unit c where c.path like org_unit.path || '%') desc, id limit 1`,
  );
  if (!root)
    throw new ChisoError({
      code: 'report.no_root',
      status: 409,
      vi: 'Chưa có đơn vị gốc (cấp thành phố) để lập báo cáo.',
      en: 'There is no root unit (city) to report on.',
    });
  const [issuer] = await rows<{ code: string; name_vi: string }>(
    ex,
    sql`select code, name_vi from org_unit where is_coordinator and archived_at is null
          and (valid_from is null or valid_from <= ${end}) and (valid_to is null or valid_to >= ${end})
          and path like ${`${root.path}%`}
        order by valid_from desc nulls last, id limit 1`,
  );
  const targetRows = await rows<{
    indicator_id: number;
    indicator_code: string;
    indicator_name_vi: string;
    unit_of_measure: string;
    period: string;
    org_unit_id: number | null;
    org_unit_code: string | null;
    org_level: string | null;
    level_name: string | null;
    comparator: string;
    value: number;
    value_max: number | null;
    baseline_value: number | null;
    source_document: string | null;
  }>(
    ex,
    sql`select t.indicator_id, i.code as indicator_code, i.name_vi as indicator_name_vi, i.unit as unit_of_measure,
          t.period, t.org_unit_id, u.code as org_unit_code, t.org_level, l.name_vi as level_name,
          t.comparator, t.value, t.value_max, t.baseline_value, d.code as source_document
        from target t join indicator i on i.id = t.indicator_id
        left join org_unit u on u.id = t.org_unit_id left join org_level l on l.code = t.org_level
        left join document d on d.id = t.source_document_id
        where t.archived_at is null and i.archived_at is null and t.period in (${quarter}, ${year})
          and (t.org_unit_id = ${root.id} or t.org_level is not null)
        order by i.code, t.period, t.org_level nulls first, t.id`,
  );
  const targets: TargetLine[] = [];
  for (const t of targetRows) {
    const spec = {
      comparator: t.comparator as '>=' | '<=' | '=' | 'range',
      target: t.value,
      ...(t.value_max !== null ? { targetMax: t.value_max } : {}),
    };
    const base = {
      indicator_code: t.indicator_code,
      indicator_name_vi: t.indicator_name_vi,
      unit_of_measure: t.unit_of_measure,
      period: t.period,
      comparator: t.comparator,
      target: t.value,
      target_max: t.value_max,
      source_document: t.source_document,
    };
    if (t.org_unit_id !== null) {
      const [v] = await rows<{ value: number | null }>(
        ex,
        sql`select value from data_value where indicator_id = ${t.indicator_id} and org_unit_id = ${t.org_unit_id}
            and period = ${t.period} and disagg = '' and status = 'approved' and archived_at is null`,
      );
      const actual = v?.value ?? null;
      const met = isTargetMet({ ...spec, actual });
      targets.push({
        ...base,
        scope: root.name_vi,
        actual,
        met,
        attainment: attainment({ ...spec, actual, baseline: t.baseline_value }),
        units_met: null,
        units_reported: null,
        status_vi: met === null ? 'Chưa có số liệu' : met ? 'Đạt' : 'Chưa đạt',
        status_en: met === null ? 'No data' : met ? 'Met' : 'Not met',
      });
    } else {
      const vals = await rows<{ value: number | null }>(
        ex,
        sql`select v.value from data_value v join org_unit u on u.id = v.org_unit_id
            where v.indicator_id = ${t.indicator_id} and u.level = ${t.org_level} and u.path like ${`${root.path}%`}
              and v.period = ${t.period} and v.disagg = '' and v.status = 'approved' and v.archived_at is null
              and v.value is not null`,
      );
      const met = vals.filter((v) => isTargetMet({ ...spec, actual: v.value })).length;
      targets.push({
        ...base,
        scope: `Mỗi đơn vị: ${t.level_name ?? t.org_level}`,
        actual: null,
        met: vals.length === 0 ? null : met === vals.length,
        attainment: null,
        units_met: met,
        units_reported: vals.length,
        status_vi: vals.length === 0 ? 'Chưa có số liệu' : `${met}/${vals.length} đơn vị đạt`,
        status_en: vals.length === 0 ? 'No data' : `${met} of ${vals.length} units met`,
      });
    }
  }
  const prevQuarter = formatPeriod(shiftPeriod(q, -4));
  const prevYear = String(q.year - 1);
  const values = await rows<ValueLine>(
    ex,
    sql`select i.code as indicator_code, i.name_vi as indicator_name_vi, i.unit as unit_of_measure, v.period, v.value,
          case when v.period = ${quarter} then ${prevQuarter} else ${prevYear} end as previous_period,
          (select p.value from data_value p where p.indicator_id = v.indicator_id and p.org_unit_id = v.org_unit_id
             and p.disagg = '' and p.status = 'approved' and p.archived_at is null
             and p.period = case when v.period = ${quarter} then ${prevQuarter} else ${prevYear} end) as previous_value,
          d.code as source_document
        from data_value v join indicator i on i.id = v.indicator_id left join document d on d.id = v.source_document_id
        where v.org_unit_id = ${root.id} and v.period in (${quarter}, ${year}) and v.disagg = ''
          and v.status = 'approved' and v.archived_at is null and i.archived_at is null
        order by i.code, v.period`,
  );
  const tasks = (
    await rows<Omit<TaskLine, 'status_vi'>>(
      ex,
      sql`select p.code as plan, t.number, t.title_vi, coalesce(lu.name_vi, '') as lead_unit, tp.status, tp.percent, tp.narrative
          from task_progress tp join task t on t.id = tp.task_id join plan p on p.id = t.plan_id
          join org_unit lu on lu.id = tp.org_unit_id
          where tp.period = ${quarter} and tp.archived_at is null and t.archived_at is null and p.archived_at is null
            and tp.role = 'lead'
          order by p.code, t.sort, lu.code`,
    )
  ).map((t) => ({ ...t, status_vi: TASK_STATUS_VI[t.status] ?? t.status }));
  const docCodes = [...new Set(targets.map((t) => t.source_document).filter((c): c is string => c !== null))];
  const documents = docCodes.length
    ? await rows<QuarterlyReportData['documents'][number]>(
        ex,
        sql`select code, title_vi, number, symbol, issued_on, issuer from document
            where code in (${sql.join(
              docCodes.map((c) => sql`${c}`),
              sql`, `,
            )}) and kind in ('plan', 'decision', 'resolution') order by issued_on nulls last, code`,
      )
    : [];
  return {
    period: quarter,
    period_vi: formatPeriodVi(q),
    root: { code: root.code, name_vi: root.name_vi },
    issuer: issuer ?? null,
    documents,
    targets,
    values,
    tasks,
  };
}

const viDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

function documentPhrase(d: QuarterlyReportData['documents'][number]): string {
  const ref = d.number && d.symbol ? ` số ${d.number}/${d.symbol}` : '';
  const on = d.issued_on ? ` ngày ${viDate(d.issued_on)}` : '';
  const by = d.issuer ? ` của ${d.issuer}` : '';
  return `${d.title_vi}${ref}${on}${by}`;
}

/** Builds the document model. */
export function quarterlyReportModel(
  data: QuarterlyReportData,
  options: QuarterlyReportOptions = {},
): OfficialReport {
  const q = quarterOf(data.period);
  const quarterWords = `quý ${ROMAN[q.index - 1]} năm ${q.year}`;
  const issuerName = data.issuer?.name_vi ?? `Ủy ban nhân dân ${data.root.name_vi}`;
  const suffix = data.issuer ? (data.issuer.code.split('.').pop() ?? 'UBND').toUpperCase() : 'UBND';
  const body: ReportBlock[] = [];
  const basis = data.documents.map(documentPhrase);
  body.push({
    kind: 'paragraph',
    text: basis.length
      ? `Thực hiện ${basis.join('; ')}, ${issuerName} báo cáo kết quả thực hiện ${quarterWords} như sau:`
      : `${issuerName} báo cáo kết quả thực hiện ${quarterWords} như sau:`,
  });
  let section = 0;
  const numbered = (t: string) => `${ROMAN[section++] ?? section}. ${t}`;
  const own = data.targets.filter((t) => t.units_reported === null);
  const met = own.filter((t) => t.met === true).length;
  const notMet = own.filter((t) => t.met === false).length;
  const noData = own.filter((t) => t.met === null).length;
  body.push({ kind: 'heading', text: numbered('Kết quả thực hiện các chỉ tiêu') });
  if (data.targets.length === 0)
    body.push({
      kind: 'paragraph',
      text: `Không có chỉ tiêu nào có mục tiêu cho ${formatPeriodVi(q)} hoặc năm ${q.year}.`,
    });
  else {
    body.push({
      kind: 'paragraph',
      text: `Trong ${own.length} mục tiêu đặt cho ${data.root.name_vi} (năm ${q.year} và ${formatPeriodVi(q)}): ${met} mục tiêu đạt, ${notMet} mục tiêu chưa đạt, ${noData} mục tiêu chưa có số liệu được phê duyệt.${data.targets.length > own.length ? ` Ngoài ra có ${data.targets.length - own.length} mục tiêu đặt cho từng đơn vị của một cấp (chi tiết tại Bảng 1).` : ''}`,
    });
    body.push({
      kind: 'table',
      table: {
        caption: 'Bảng 1. Mục tiêu và kết quả thực hiện',
        columns: [
          { title: 'STT', width: 7, align: 'center' },
          { title: 'Chỉ tiêu', width: 34 },
          { title: 'Đơn vị tính', width: 9, align: 'center' },
          { title: 'Kỳ', width: 7, align: 'center' },
          { title: 'Mục tiêu', width: 11, align: 'right' },
          { title: 'Thực hiện', width: 11, align: 'right' },
          { title: 'Tỷ lệ đạt (%)', width: 9, align: 'right' },
          { title: 'Đánh giá', width: 14, align: 'center' },
        ],
        rows: data.targets.map((t, i) => [
          String(i + 1),
          `${t.indicator_name_vi} (${t.indicator_code})${t.units_reported !== null ? ` — ${t.scope}` : ''}`,
          t.unit_of_measure,
          t.period,
          formatTargetVi(t),
          formatNumberVi(t.actual),
          t.attainment === null ? '' : formatNumberVi(Math.round(t.attainment * 1000) / 10),
          t.status_vi,
        ]),
      },
    });
  }
  body.push({ kind: 'heading', text: numbered(`Số liệu ${formatPeriodVi(q)} và năm ${q.year}`) });
  if (data.values.length === 0)
    body.push({
      kind: 'paragraph',
      text: `Chưa có số liệu được phê duyệt của ${data.root.name_vi} cho kỳ báo cáo.`,
    });
  else {
    body.push({
      kind: 'paragraph',
      text: `Số liệu đã được phê duyệt của ${data.root.name_vi}, so với cùng kỳ năm trước (${data.values.length} chỉ tiêu):`,
    });
    body.push({
      kind: 'table',
      table: {
        caption: 'Bảng 2. Số liệu kỳ báo cáo',
        columns: [
          { title: 'STT', width: 7, align: 'center' },
          { title: 'Chỉ tiêu', width: 42 },
          { title: 'Đơn vị tính', width: 10, align: 'center' },
          { title: 'Kỳ', width: 8, align: 'center' },
          { title: 'Giá trị', width: 12, align: 'right' },
          { title: 'Cùng kỳ năm trước', width: 12, align: 'right' },
          { title: 'Nguồn', width: 11 },
        ],
        rows: data.values.map((v, i) => [
          String(i + 1),
          `${v.indicator_name_vi} (${v.indicator_code})`,
          v.unit_of_measure,
          v.period,
          formatNumberVi(v.value),
          formatNumberVi(v.previous_value),
          v.source_document ?? '',
        ]),
      },
    });
  }
  if (data.tasks.length > 0) {
    const done = data.tasks.filter((t) => t.status === 'done').length;
    body.push({ kind: 'heading', text: numbered('Tiến độ thực hiện nhiệm vụ') });
    body.push({
      kind: 'paragraph',
      text: `Có ${data.tasks.length} báo cáo tiến độ nhiệm vụ của đơn vị chủ trì trong ${formatPeriodVi(q)}, trong đó ${done} nhiệm vụ đã hoàn thành.`,
    });
    body.push({
      kind: 'table',
      table: {
        caption: 'Bảng 3. Tiến độ thực hiện nhiệm vụ',
        columns: [
          { title: 'STT', width: 7, align: 'center' },
          { title: 'Nhiệm vụ', width: 45 },
          { title: 'Đơn vị chủ trì', width: 20 },
          { title: 'Tình trạng', width: 15, align: 'center' },
          { title: 'Hoàn thành (%)', width: 10, align: 'right' },
        ],
        rows: data.tasks.map((t, i) => [
          String(i + 1),
          `${t.number}. ${t.title_vi} (${t.plan})`,
          t.lead_unit,
          t.status_vi,
          t.percent === null ? '' : String(t.percent),
        ]),
      },
    });
  }
  body.push({
    kind: 'paragraph',
    text: `Chi tiết số liệu tại Phụ lục kèm theo. Trên đây là báo cáo kết quả thực hiện ${quarterWords} của ${issuerName}, kính báo cáo Ủy ban nhân dân ${data.root.name_vi}./.`,
  });
  return {
    parentBody: data.issuer ? ['Ủy ban nhân dân', data.root.name_vi] : [],
    issuer: data.issuer ? [data.issuer.name_vi] : ['Ủy ban nhân dân', data.root.name_vi],
    number: options.number ?? '',
    symbol: options.symbol ?? `BC-${suffix}`,
    place: data.root.name_vi,
    date: options.date ?? todayInVietnam(),
    typeName: 'Báo cáo',
    summary: `Kết quả thực hiện ${options.subject ?? 'các chỉ tiêu, nhiệm vụ'} ${quarterWords}`,
    recipientsTo: data.issuer ? [`Ủy ban nhân dân ${data.root.name_vi}`] : [],
    body,
    signer: options.signer ?? { authority: data.issuer ? 'Giám đốc' : 'Chủ tịch' },
    distribution: options.distribution ?? [
      'Như trên;',
      `Các sở, ban, ngành, đơn vị có liên quan;`,
      `Lưu: VT, ${suffix}.`,
    ],
    title: `Báo cáo ${formatPeriodVi(q)}`,
    creator: 'chiso',
  };
}

export async function quarterlyReportDocx(
  store: Store,
  period: string,
  options: QuarterlyReportOptions = {},
): Promise<Buffer> {
  const data = await quarterlyReportData(store.db, period);
  return officialReportDocx(quarterlyReportModel(data, options));
}

/** The annex: targets, values and tasks as sheets with Vietnamese headers. */
export async function quarterlyReportXlsx(store: Store, period: string): Promise<Buffer> {
  const data = await quarterlyReportData(store.db, period);
  const sheets: XlsxSheet<never>[] = [
    {
      name: 'Mục tiêu',
      title: `Phụ lục: Mục tiêu và kết quả thực hiện — ${data.period_vi}`,
      columns: [
        { vi: 'Mã chỉ tiêu', en: 'Indicator code', width: 14, get: (t: TargetLine) => t.indicator_code },
        { vi: 'Tên chỉ tiêu', en: 'Indicator', width: 60, get: (t: TargetLine) => t.indicator_name_vi },
        { vi: 'Đơn vị tính', en: 'Unit of measure', width: 10, get: (t: TargetLine) => t.unit_of_measure },
        { vi: 'Kỳ', en: 'Period', width: 9, get: (t: TargetLine) => t.period },
        { vi: 'Phạm vi', en: 'Scope', width: 24, get: (t: TargetLine) => t.scope },
        { vi: 'So sánh', en: 'Comparator', width: 8, get: (t: TargetLine) => t.comparator },
        { vi: 'Mục tiêu', en: 'Target', width: 10, get: (t: TargetLine) => t.target },
        {
          vi: 'Mục tiêu (cận trên)',
          en: 'Target (upper bound)',
          width: 10,
          get: (t: TargetLine) => t.target_max,
        },
        { vi: 'Thực hiện', en: 'Actual', width: 10, get: (t: TargetLine) => t.actual },
        {
          vi: 'Tỷ lệ đạt (%)',
          en: 'Attainment (%)',
          width: 10,
          get: (t: TargetLine) => (t.attainment === null ? null : Math.round(t.attainment * 1000) / 10),
        },
        { vi: 'Số đơn vị đạt', en: 'Units meeting', width: 10, get: (t: TargetLine) => t.units_met },
        {
          vi: 'Số đơn vị có số liệu',
          en: 'Units reporting',
          width: 10,
          get: (t: TargetLine) => t.units_reported,
        },
        { vi: 'Đánh giá', en: 'Assessment', width: 18, get: (t: TargetLine) => t.status_vi },
        { vi: 'Văn bản giao', en: 'Source document', width: 16, get: (t: TargetLine) => t.source_document },
      ],
      rows: [data.targets],
    } as unknown as XlsxSheet<never>,
    {
      name: 'Số liệu',
      title: `Phụ lục: Số liệu ${data.period_vi} — ${data.root.name_vi}`,
      columns: [
        { vi: 'Mã chỉ tiêu', en: 'Indicator code', width: 14, get: (v: ValueLine) => v.indicator_code },
        { vi: 'Tên chỉ tiêu', en: 'Indicator', width: 60, get: (v: ValueLine) => v.indicator_name_vi },
        { vi: 'Đơn vị tính', en: 'Unit of measure', width: 10, get: (v: ValueLine) => v.unit_of_measure },
        { vi: 'Kỳ', en: 'Period', width: 9, get: (v: ValueLine) => v.period },
        { vi: 'Giá trị', en: 'Value', width: 12, get: (v: ValueLine) => v.value },
        { vi: 'Kỳ so sánh', en: 'Comparison period', width: 10, get: (v: ValueLine) => v.previous_period },
        {
          vi: 'Giá trị cùng kỳ',
          en: 'Value a year earlier',
          width: 12,
          get: (v: ValueLine) => v.previous_value,
        },
        { vi: 'Nguồn', en: 'Source', width: 16, get: (v: ValueLine) => v.source_document },
      ],
      rows: [data.values],
    } as unknown as XlsxSheet<never>,
  ];
  if (data.tasks.length)
    sheets.push({
      name: 'Nhiệm vụ',
      title: `Phụ lục: Tiến độ nhiệm vụ — ${data.period_vi}`,
      columns: [
        { vi: 'Kế hoạch', en: 'Plan', width: 14, get: (t: TaskLine) => t.plan },
        { vi: 'Số thứ tự', en: 'Number', width: 10, get: (t: TaskLine) => t.number },
        { vi: 'Nhiệm vụ', en: 'Task', width: 60, get: (t: TaskLine) => t.title_vi },
        { vi: 'Đơn vị chủ trì', en: 'Lead unit', width: 30, get: (t: TaskLine) => t.lead_unit },
        { vi: 'Tình trạng', en: 'Status', width: 16, get: (t: TaskLine) => t.status_vi },
        { vi: 'Hoàn thành (%)', en: 'Done (%)', width: 10, get: (t: TaskLine) => t.percent },
        { vi: 'Kết quả', en: 'Narrative', width: 60, get: (t: TaskLine) => t.narrative },
      ],
      rows: [data.tasks],
    } as unknown as XlsxSheet<never>);
  return xlsxTableBuffer(sheets as XlsxSheet<unknown>[], {
    title: `Phụ lục báo cáo ${data.period_vi}`,
    description: 'chiso',
  });
}
