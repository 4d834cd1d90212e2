/**
 * DHIS2 aggregate exchange: dataValueSets as JSON, CSV and XML (DXF2), and IHE ADX XML — readers that
 * yield chiso value rows and streaming writers. Pure: identifiers are translated by a `Dhis2Ids`
 * object the caller builds from the mapping table (see ../../shared/reference/dhis2.md §2).
 *
 * - Periods: DHIS2 codes `2024`, `2024S1`, `2024Q1`, `202403` (and `2024-03`) both ways; ADX uses ISO
 *   8601 intervals `2024-01-01/P1Y`, `2024-07-01/P6M`, `2024-10-01/P3M`, `2024-03-01/P1M`.
 * - CSV: DHIS2 writes `dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value,
 *   storedby, lastupdated, comment, followup, deleted`. On import, like DHIS2 2.43, columns are matched
 *   by header name, case-insensitively (`timestamp` = `lastupdated`); a file without a header row is
 *   read by position in that order, as DHIS2 up to 2.42 does; unknown columns are category=option
 *   pairs (ADX style) that form the disaggregation.
 * - Disaggregation: a category option combo maps to a chiso `disagg`; ADX category attributes
 *   become `Category=option` pairs sorted and joined by ';'. Blank or the default combo is the total.
 * - Attribute option combos: chiso has none; only the default (blank, `default` or `HllvX50cXC0`) is
 *   accepted.
 * - XML (DXF2 and ADX) is read as a stream of SAX events (./xml-stream.ts): each value is yielded
 *   when its element closes, so files of any size are read in constant memory.
 * - Values are strings in DHIS2; booleans `true`/`false` become 1/0. `deleted=true` rows are refused
 *   (chiso archives values; it does not delete them through an import).
 */
import { ChisoError, type ChisoErrorInit } from '../core/errors.ts';
import {
  formatPeriod,
  fromDhis2Period,
  type Period,
  parsePeriod,
  periodStart,
  toDhis2Period,
  tryParsePeriod,
} from '../core/period.ts';
import { parseNumberCell } from './cells.ts';
import { type CsvCell, csvLine } from './csv.ts';
import { csvRecords } from './csv-read.ts';
import { streamJson } from './json-stream.ts';
import { type ByteSource, utf8Text } from './utf8.ts';
import { xmlEvents } from './xml-stream.ts';
import type { ValueRow } from './value-row.ts';

export type Dhis2Kind = 'dataElement' | 'orgUnit' | 'categoryOptionCombo';

/** Translation of identifiers. `toChiso` returns null when the identifier is unknown. */
export interface Dhis2Ids {
  toChiso(kind: Dhis2Kind, dhis2Id: string): string | null;
  toDhis2(kind: Dhis2Kind, chisoCode: string): string;
}

export const DEFAULT_COC_IDS = new Set(['', 'default', 'HllvX50cXC0']);

export const DHIS2_CSV_COLUMNS = [
  'dataelement',
  'period',
  'orgunit',
  'categoryoptioncombo',
  'attributeoptioncombo',
  'value',
  'storedby',
  'lastupdated',
  'comment',
  'followup',
  'deleted',
] as const;

// ---------------------------------------------------------------------------------------------
// Periods

const periodError = (code: string, input: string, vi: string, en: string) =>
  new ChisoError({ code, vi, en, details: { input } });

/** A DHIS2 period code (yearly, six-monthly, quarterly, monthly `202403` or `2024-03`) as a chiso period. */
export function periodFromDhis2(code: string): Period {
  if (/^\d{4}-\d{2}$/.test(code)) {
    const p = tryParsePeriod(code);
    if (p) return p;
  }
  return fromDhis2Period(code);
}

export const periodToDhis2 = (p: Period): string => toDhis2Period(p);

const ADX_DURATION: Record<string, { type: Period['type']; months: number }> = {
  P1Y: { type: 'year', months: 12 },
  P12M: { type: 'year', months: 12 },
  P6M: { type: 'half', months: 6 },
  P3M: { type: 'quarter', months: 3 },
  P1M: { type: 'month', months: 1 },
};

/** An ADX period `start/duration` (ISO 8601) as a chiso period: years, halves, quarters and months. */
export function fromAdxPeriod(text: string): Period {
  const m = /^(\d{4})-(\d{2})-(\d{2})\/(P\d+[YMD])$/.exec(text.trim());
  const unsupported = () =>
    periodError(
      'period.adx_unsupported',
      text,
      `Kỳ ADX không hợp lệ hoặc chưa hỗ trợ: '${text}' — cần dạng ngày-bắt-đầu/thời-lượng như 2024-01-01/P1Y, 2024-07-01/P6M, 2024-10-01/P3M, 2024-03-01/P1M, bắt đầu ngày 01 của kỳ.`,
      `Invalid or unsupported ADX period: '${text}' — expected start/duration such as 2024-01-01/P1Y, 2024-07-01/P6M, 2024-10-01/P3M or 2024-03-01/P1M, starting on the first day of the period.`,
    );
  if (!m) throw unsupported();
  const [, y, mo, d, dur] = m;
  const spec = ADX_DURATION[dur!];
  const month = Number(mo);
  if (!spec || d !== '01' || month < 1 || month > 12 || (month - 1) % spec.months !== 0) throw unsupported();
  const year = Number(y);
  const p: Period = { type: spec.type, year, index: (month - 1) / spec.months + 1 };
  try {
    formatPeriod(p);
  } catch {
    throw unsupported();
  }
  return p;
}

const ADX_DURATION_OF: Record<Period['type'], string> = {
  year: 'P1Y',
  half: 'P6M',
  quarter: 'P3M',
  month: 'P1M',
};

export const toAdxPeriod = (p: Period): string => `${periodStart(p)}/${ADX_DURATION_OF[p.type]}`;

// ---------------------------------------------------------------------------------------------
// One DHIS2 data value → a chiso value row

export interface Dhis2Value {
  dataElement?: string | undefined;
  period?: string | undefined;
  orgUnit?: string | undefined;
  categoryOptionCombo?: string | undefined;
  attributeOptionCombo?: string | undefined;
  value?: string | number | boolean | null | undefined;
  comment?: string | null | undefined;
  deleted?: string | boolean | undefined;
  /** ADX or CSV category=option pairs. */
  categories?: Record<string, string>;
}

/** The disaggregation text of ADX-style category attributes: 'Age=under5;Sex=F'. */
export const disaggOfCategories = (c: Record<string, string>): string =>
  Object.keys(c)
    .sort()
    .map((k) => `${k}=${c[k]}`)
    .join(';');

/** The inverse of disaggOfCategories, or null when the text is not of that form. */
export function categoriesOfDisagg(disagg: string): Record<string, string> | null {
  if (!disagg) return {};
  const out: Record<string, string> = {};
  for (const part of disagg.split(';')) {
    const m = /^([A-Za-z_][\w.-]*)=([^;=]*)$/.exec(part);
    if (!m) return null;
    out[m[1]!] = m[2]!;
  }
  return out;
}

export interface Dhis2RowContext {
  file: string;
  line: number;
  ids: Dhis2Ids;
  /** How periods are written: DHIS2 codes or ADX intervals. */
  periods: 'dhis2' | 'adx';
  /** Column / attribute names for messages. */
  names?: Partial<Record<keyof Dhis2Value, string>>;
}

export function valueRowFromDhis2(v: Dhis2Value, ctx: Dhis2RowContext): ValueRow {
  const errors: ChisoErrorInit[] = [];
  const name = (k: keyof Dhis2Value) => ctx.names?.[k] ?? k;
  const err = (k: keyof Dhis2Value, code: string, vi: string, en: string) =>
    errors.push({ code, file: ctx.file, row: ctx.line, column: name(k), field: k, vi, en });
  const row: ValueRow = {
    line: ctx.line,
    where: {
      indicator: name('dataElement'),
      period: name('period'),
      org_unit: name('orgUnit'),
      disagg: name('categoryOptionCombo'),
      value: name('value'),
      comment: name('comment'),
    },
    indicator: '',
    org_unit: '',
    period: '',
    disagg: '',
    value: null,
    errors,
  };
  const mapId = (k: 'dataElement' | 'orgUnit', what: { vi: string; en: string }): string => {
    const id = String(v[k] ?? '').trim();
    if (!id) {
      err(k, 'dhis2.missing', `thiếu ${what.vi}.`, `the ${what.en} is missing.`);
      return '';
    }
    const code = ctx.ids.toChiso(k, id);
    if (code === null) {
      err(
        k,
        'dhis2.unmapped',
        `${what.vi} DHIS2 '${id}' chưa được ánh xạ sang mã chiso (và không có mã chiso nào trùng tên).`,
        `DHIS2 ${what.en} '${id}' has no mapping to a chiso code (and no chiso code of that spelling exists).`,
      );
      return '';
    }
    return code;
  };
  row.indicator = mapId('dataElement', { vi: 'Phần tử dữ liệu', en: 'data element' });
  row.org_unit = mapId('orgUnit', { vi: 'Đơn vị', en: 'org unit' });
  const pe = String(v.period ?? '').trim();
  if (!pe) err('period', 'dhis2.missing', 'thiếu kỳ báo cáo.', 'the period is missing.');
  else {
    try {
      row.period = formatPeriod(ctx.periods === 'adx' ? fromAdxPeriod(pe) : periodFromDhis2(pe));
    } catch (e) {
      if (!(e instanceof ChisoError)) throw e;
      err('period', e.code, e.vi, e.en);
    }
  }
  const coc = String(v.categoryOptionCombo ?? '').trim();
  if (coc && !DEFAULT_COC_IDS.has(coc)) {
    const d = ctx.ids.toChiso('categoryOptionCombo', coc);
    if (d === null)
      err(
        'categoryOptionCombo',
        'dhis2.unmapped',
        `Tổ hợp phân tổ DHIS2 '${coc}' chưa được ánh xạ sang phân tổ chiso.`,
        `DHIS2 category option combo '${coc}' has no mapping to a chiso disaggregation.`,
      );
    else row.disagg = d;
  } else if (v.categories && Object.keys(v.categories).length > 0) {
    row.disagg = disaggOfCategories(v.categories);
    row.where!.disagg = Object.keys(v.categories).sort().join(',');
  }
  const aoc = String(v.attributeOptionCombo ?? '').trim();
  if (aoc && !DEFAULT_COC_IDS.has(aoc))
    err(
      'attributeOptionCombo',
      'dhis2.attribute_option_combo',
      `chiso không có tổ hợp thuộc tính (attributeOptionCombo '${aoc}'); chỉ nhận giá trị mặc định.`,
      `chiso has no attribute option combos ('${aoc}'); only the default is accepted.`,
    );
  const deleted = v.deleted === true || String(v.deleted ?? '').toLowerCase() === 'true';
  if (deleted)
    err(
      'deleted',
      'dhis2.deleted',
      'Không xóa số liệu qua nhập tệp: chiso lưu trữ (archive) số liệu thay vì xóa.',
      'Values are not deleted through an import: chiso archives values instead.',
    );
  const raw = v.value;
  if (typeof raw === 'boolean') row.value = raw ? 1 : 0;
  else if (typeof raw === 'number') {
    const r = parseNumberCell(name('value'), String(raw));
    if (r.ok) row.value = r.value;
    else errors.push({ ...r.error, file: ctx.file, row: ctx.line, field: 'value' });
  } else if (raw !== null && raw !== undefined) {
    const s = String(raw).trim();
    if (s.toLowerCase() === 'true') row.value = 1;
    else if (s.toLowerCase() === 'false') row.value = 0;
    else {
      const r = parseNumberCell(name('value'), s);
      if (r.ok) row.value = r.value;
      else errors.push({ ...r.error, file: ctx.file, row: ctx.line, field: 'value' });
    }
  }
  if (v.comment !== undefined)
    row.comment = v.comment === null || v.comment === '' ? null : String(v.comment);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Readers

const SET_ATTRIBUTES = ['dataSet', 'period', 'orgUnit', 'attributeOptionCombo', 'completeDate'] as const;

/** dataValueSets JSON: `{ dataSet?, period?, orgUnit?, attributeOptionCombo?, dataValues: [ … ] }`. */
export async function* readDhis2Json(
  source: ByteSource,
  ids: Dhis2Ids,
  file = 'dataValueSets.json',
): AsyncGenerator<ValueRow> {
  const shared: Record<string, string> = {};
  let started = false;
  for await (const ev of streamJson(utf8Text(source, file), { file, streamKeys: ['dataValues'] })) {
    if (ev.kind === 'member') {
      if ((SET_ATTRIBUTES as readonly string[]).includes(ev.key) && typeof ev.value === 'string') {
        if (started)
          throw new ChisoError({
            code: 'dhis2.attribute_after_values',
            file,
            row: ev.line,
            field: ev.key,
            vi: `Tệp ${file}, dòng ${ev.line}: thuộc tính chung '${ev.key}' phải đứng trước 'dataValues'.`,
            en: `File ${file}, line ${ev.line}: the shared attribute '${ev.key}' must come before 'dataValues'.`,
          });
        shared[ev.key] = ev.value;
      }
      continue;
    }
    if (ev.key !== 'dataValues') continue;
    started = true;
    const o = ev.value as Record<string, unknown>;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      yield {
        line: ev.line,
        indicator: '',
        org_unit: '',
        period: '',
        disagg: '',
        value: null,
        errors: [
          {
            code: 'import.not_an_object',
            file,
            row: ev.line,
            vi: 'Phần tử của dataValues phải là một đối tượng JSON.',
            en: 'An element of dataValues must be a JSON object.',
          },
        ],
      };
      continue;
    }
    const str = (k: string) => (o[k] === undefined || o[k] === null ? undefined : String(o[k]));
    yield valueRowFromDhis2(
      {
        dataElement: str('dataElement'),
        period: str('period') ?? shared.period,
        orgUnit: str('orgUnit') ?? shared.orgUnit,
        categoryOptionCombo: str('categoryOptionCombo'),
        attributeOptionCombo: str('attributeOptionCombo') ?? shared.attributeOptionCombo,
        value: o.value as Dhis2Value['value'],
        comment: o.comment === undefined ? undefined : (o.comment as string | null),
        deleted: o.deleted as Dhis2Value['deleted'],
      },
      { file, line: ev.line, ids, periods: 'dhis2' },
    );
  }
}

const CSV_ALIASES: Record<string, (typeof DHIS2_CSV_COLUMNS)[number]> = {
  timestamp: 'lastupdated',
};

/** dataValueSets CSV (see the header comment for how columns are found). */
export async function* readDhis2Csv(
  source: ByteSource,
  ids: Dhis2Ids,
  file = 'dataValueSets.csv',
): AsyncGenerator<ValueRow> {
  let index: Map<string, number> | null = null;
  let categories: Array<[string, number]> = [];
  let names: string[] = [];
  for await (const rec of csvRecords(source, { file })) {
    if (!index) {
      const first = rec.cells.map((c) => c.trim().toLowerCase());
      index = new Map();
      if (first[0] === 'dataelement') {
        names = rec.cells.map((c) => c.trim());
        first.forEach((n, i) => {
          const key = CSV_ALIASES[n] ?? n;
          if ((DHIS2_CSV_COLUMNS as readonly string[]).includes(key)) {
            if (index!.has(key))
              throw new ChisoError({
                code: 'import.duplicate_column',
                file,
                row: rec.line,
                column: names[i]!,
                vi: `Tệp ${file}, dòng tiêu đề: cột '${names[i]}' xuất hiện hai lần.`,
                en: `File ${file}, header row: column '${names[i]}' appears twice.`,
              });
            index!.set(key, i);
          } else categories.push([names[i]!, i]);
        });
        const missing = ['dataelement', 'period', 'orgunit', 'value'].filter((k) => !index!.has(k));
        if (missing.length)
          throw new ChisoError({
            code: 'import.missing_column',
            file,
            row: rec.line,
            column: missing.join(', '),
            vi: `Tệp ${file}, dòng tiêu đề: thiếu cột ${missing.join(', ')}.`,
            en: `File ${file}, header row: missing column(s) ${missing.join(', ')}.`,
          });
        continue;
      }
      // No header: DHIS2 ≤ 2.42 positional layout.
      names = [...DHIS2_CSV_COLUMNS];
      DHIS2_CSV_COLUMNS.forEach((c, i) => {
        if (i < rec.cells.length) index!.set(c, i);
      });
      categories = [];
      if (rec.cells.length < 6)
        throw new ChisoError({
          code: 'csv.column_count',
          file,
          row: rec.line,
          vi: `Tệp ${file}, dòng ${rec.line}: không có dòng tiêu đề và chỉ có ${rec.cells.length} ô; bố cục DHIS2 theo vị trí cần ít nhất 6 (đến 'value').`,
          en: `File ${file}, line ${rec.line}: no header row and only ${rec.cells.length} cells; DHIS2's positional layout needs at least 6 (up to 'value').`,
        });
    }
    const get = (k: string) => {
      const i = index!.get(k);
      return i === undefined ? undefined : rec.cells[i];
    };
    const cats: Record<string, string> = {};
    for (const [n, i] of categories) if (rec.cells[i]) cats[n] = rec.cells[i]!;
    const col = (k: string) => names[index!.get(k) ?? -1] ?? k;
    yield valueRowFromDhis2(
      {
        dataElement: get('dataelement'),
        period: get('period'),
        orgUnit: get('orgunit'),
        categoryOptionCombo: get('categoryoptioncombo'),
        attributeOptionCombo: get('attributeoptioncombo'),
        value: get('value'),
        comment: get('comment'),
        deleted: get('deleted'),
        categories: cats,
      },
      {
        file,
        line: rec.line,
        ids,
        periods: 'dhis2',
        names: {
          dataElement: col('dataelement'),
          period: col('period'),
          orgUnit: col('orgunit'),
          categoryOptionCombo: col('categoryoptioncombo'),
          attributeOptionCombo: col('attributeoptioncombo'),
          value: col('value'),
          comment: col('comment'),
          deleted: col('deleted'),
        },
      },
    );
  }
}

const ADX_RESERVED = new Set(['dataElement', 'value', 'categoryOptionCombo', 'attributeOptionCombo']);

/**
 * IHE ADX (`urn:ihe:qrph:adx:2015`): groups with dataSet, period (ISO 8601 interval) and orgUnit.
 * Streamed: each value is yielded when its element closes, so the file is never held whole.
 */
export async function* readAdx(
  source: ByteSource,
  ids: Dhis2Ids,
  file = 'data.adx.xml',
): AsyncGenerator<ValueRow> {
  let depth = 0;
  let group: Record<string, string> | null = null;
  let gi = 0;
  let dv: { attributes: Record<string, string>; line: number; annotation: string | null } | null = null;
  let inAnnotation = false;
  for await (const events of xmlEvents(utf8Text(source, file), file)) {
    for (const ev of events) {
      if (ev.kind === 'open') {
        depth++;
        if (depth === 1) {
          if (ev.name !== 'adx')
            throw new ChisoError({
              code: 'adx.root',
              file,
              row: ev.line,
              vi: `Tệp ${file} không phải ADX (phần tử gốc phải là <adx xmlns="urn:ihe:qrph:adx:2015">, không phải <${ev.name}>).`,
              en: `File ${file} is not ADX (the root element must be <adx xmlns="urn:ihe:qrph:adx:2015">, not <${ev.name}>).`,
            });
        } else if (depth === 2 && ev.name === 'group') {
          group = ev.attributes;
          gi++;
        } else if (depth === 3 && group && ev.name === 'dataValue') {
          dv = { attributes: ev.attributes, line: ev.line, annotation: null };
        } else if (depth === 4 && dv && ev.name === 'annotation') inAnnotation = true;
        continue;
      }
      if (ev.kind === 'text') {
        if (inAnnotation && dv) dv.annotation = (dv.annotation ?? '') + ev.text;
        continue;
      }
      depth--;
      if (depth === 3 && ev.name === 'annotation') inAnnotation = false;
      else if (depth === 1 && ev.name === 'group') group = null;
      else if (depth === 2 && dv && group && ev.name === 'dataValue') {
        const { attributes: a, line } = dv;
        const annotation = dv.annotation?.trim();
        dv = null;
        const missing = ['orgUnit', 'period', 'dataSet'].filter((k) => !group![k]);
        if (missing.length) {
          yield {
            line,
            indicator: '',
            org_unit: '',
            period: '',
            disagg: '',
            value: null,
            errors: [
              {
                code: 'adx.group_attributes',
                file,
                row: line,
                column: `group[${gi}]`,
                vi: `Nhóm thứ ${gi} thiếu thuộc tính bắt buộc: ${missing.join(', ')}.`,
                en: `Group ${gi} lacks mandatory attribute(s): ${missing.join(', ')}.`,
              },
            ],
          };
          continue;
        }
        const cats: Record<string, string> = {};
        for (const [k, v] of Object.entries(a)) if (!ADX_RESERVED.has(k)) cats[k] = v;
        yield valueRowFromDhis2(
          {
            dataElement: a.dataElement,
            period: group.period,
            orgUnit: group.orgUnit,
            categoryOptionCombo: a.categoryOptionCombo,
            attributeOptionCombo: a.attributeOptionCombo ?? group.attributeOptionCombo,
            value: a.value,
            comment: annotation || undefined,
            categories: cats,
          },
          { file, line, ids, periods: 'adx' },
        );
      }
    }
  }
}

/** DHIS2 DXF2 XML `<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">`, streamed like ADX. */
export async function* readDhis2Xml(
  source: ByteSource,
  ids: Dhis2Ids,
  file = 'dataValueSet.xml',
): AsyncGenerator<ValueRow> {
  let depth = 0;
  let set: Record<string, string> = {};
  for await (const events of xmlEvents(utf8Text(source, file), file)) {
    for (const ev of events) {
      if (ev.kind === 'text') continue;
      if (ev.kind === 'close') {
        depth--;
        continue;
      }
      depth++;
      if (depth === 1) {
        if (ev.name !== 'dataValueSet')
          throw new ChisoError({
            code: 'dhis2.xml_root',
            file,
            row: ev.line,
            vi: `Tệp ${file} không phải dataValueSet DHIS2 (phần tử gốc <dataValueSet>, không phải <${ev.name}>).`,
            en: `File ${file} is not a DHIS2 dataValueSet (root element <dataValueSet>, not <${ev.name}>).`,
          });
        set = ev.attributes;
        continue;
      }
      if (depth !== 2 || ev.name !== 'dataValue') continue;
      const a = ev.attributes;
      yield valueRowFromDhis2(
        {
          dataElement: a.dataElement,
          period: a.period ?? set.period,
          orgUnit: a.orgUnit ?? set.orgUnit,
          categoryOptionCombo: a.categoryOptionCombo,
          attributeOptionCombo: a.attributeOptionCombo ?? set.attributeOptionCombo,
          value: a.value,
          comment: a.comment,
          deleted: a.deleted,
        },
        { file, line: ev.line, ids, periods: 'dhis2' },
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writers

/** A chiso value as the DHIS2 writers need it. */
export interface Dhis2ExportRow {
  indicator_code: string;
  org_unit_code: string;
  period: string;
  disagg: string;
  value: number | null;
  comment: string | null;
  changed_by: string | null;
  updated_at: string | null;
}

const valueText = (v: number | null): string => (v === null ? '' : String(v));
const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const isoTime = (t: string | null): string => (t ? new Date(t).toISOString() : '');

function cocOf(r: Dhis2ExportRow, ids: Dhis2Ids): string {
  return r.disagg === '' ? '' : ids.toDhis2('categoryOptionCombo', r.disagg);
}

export async function* dhis2JsonChunks(
  batches: AsyncIterable<Dhis2ExportRow[]>,
  ids: Dhis2Ids,
): AsyncGenerator<string> {
  yield '{"dataValues":[\n';
  let first = true;
  for await (const batch of batches) {
    let out = '';
    for (const r of batch) {
      const o: Record<string, string | boolean> = {
        dataElement: ids.toDhis2('dataElement', r.indicator_code),
        period: toDhis2Period(parsePeriod(r.period)),
        orgUnit: ids.toDhis2('orgUnit', r.org_unit_code),
        categoryOptionCombo: cocOf(r, ids),
        attributeOptionCombo: '',
        value: valueText(r.value),
        storedBy: r.changed_by ?? '',
        lastUpdated: isoTime(r.updated_at),
        followup: false,
      };
      if (r.comment !== null) o.comment = r.comment;
      out += `${first ? '' : ',\n'}${JSON.stringify(o)}`;
      first = false;
    }
    if (out) yield out;
  }
  yield '\n]}\n';
}

/** DHIS2 CSV in DHIS2's own column order, header included, no BOM (DHIS2 does not write one). */
export async function* dhis2CsvChunks(
  batches: AsyncIterable<Dhis2ExportRow[]>,
  ids: Dhis2Ids,
): AsyncGenerator<string> {
  yield csvLine([...DHIS2_CSV_COLUMNS]);
  for await (const batch of batches) {
    let out = '';
    for (const r of batch) {
      const cells: CsvCell[] = [
        ids.toDhis2('dataElement', r.indicator_code),
        toDhis2Period(parsePeriod(r.period)),
        ids.toDhis2('orgUnit', r.org_unit_code),
        cocOf(r, ids),
        '',
        valueText(r.value),
        r.changed_by ?? '',
        isoTime(r.updated_at),
        r.comment ?? '',
        'false',
        'false',
      ];
      out += csvLine(cells);
    }
    if (out) yield out;
  }
}

/**
 * ADX: one group per run of values with the same unit and period. A disaggregation with a mapped
 * category option combo is written as categoryOptionCombo; one of the form 'Cat=option;…' as
 * category attributes.
 */
export async function* adxChunks(
  batches: AsyncIterable<Dhis2ExportRow[]>,
  ids: Dhis2Ids,
  dataSet = 'CHISO',
): AsyncGenerator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="urn:ihe:qrph:adx:2015">\n';
  let open: string | null = null;
  for await (const batch of batches) {
    let out = '';
    for (const r of batch) {
      const key = `${r.org_unit_code}\u0000${r.period}`;
      if (key !== open) {
        if (open !== null) out += '  </group>\n';
        out += `  <group dataSet="${xmlEscape(dataSet)}" orgUnit="${xmlEscape(ids.toDhis2('orgUnit', r.org_unit_code))}" period="${toAdxPeriod(parsePeriod(r.period))}">\n`;
        open = key;
      }
      let attrs = `dataElement="${xmlEscape(ids.toDhis2('dataElement', r.indicator_code))}"`;
      if (r.disagg !== '') {
        const coc = ids.toDhis2('categoryOptionCombo', r.disagg);
        const cats = coc === r.disagg ? categoriesOfDisagg(r.disagg) : null;
        if (cats) for (const [k, v] of Object.entries(cats)) attrs += ` ${k}="${xmlEscape(v)}"`;
        else attrs += ` categoryOptionCombo="${xmlEscape(coc)}"`;
      }
      attrs += ` value="${valueText(r.value)}"`;
      out +=
        r.comment === null
          ? `    <dataValue ${attrs}/>\n`
          : `    <dataValue ${attrs}><annotation>${xmlEscape(r.comment)}</annotation></dataValue>\n`;
    }
    if (out) yield out;
  }
  if (open !== null) yield '  </group>\n';
  yield '</adx>\n';
}
