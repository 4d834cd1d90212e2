/**
 * The catalogue in memory for imports: indicators, units and documents by code, loaded once per import
 * so that a million rows are checked without a million queries. `checkRow` applies the same rules as
 * `resolveValueKeys` (src/app/catalogue/values.ts) and `checkValue` (src/core/values.ts): known codes,
 * a well-formed period of the indicator's type, a unit of an allowed level that existed in the
 * period, a value of the indicator's type and bounds.
 */
import { sql } from 'drizzle-orm';
import { type ChisoErrorInit, isChisoError } from '../../core/errors.ts';
import { formatPeriod, parsePeriod, periodEnd, periodStart } from '../../core/period.ts';
import { checkValue } from '../../core/values.ts';
import type { ValueField, ValueRow } from '../../formats/value-row.ts';
import { type Executor, rows } from '../../store/db.ts';
import type { IndicatorRef, UnitRef } from '../catalogue/refs.ts';
import { PROVENANCES } from '../catalogue/schemas.ts';

export interface CatalogueMaps {
  indicators: Map<string, IndicatorRef & { unit: string; name_en: string | null }>;
  units: Map<string, UnitRef & { name_en: string | null }>;
  documents: Map<string, number>;
  /** ids back to codes, for messages and exports */
  indicatorById: Map<number, string>;
  unitById: Map<number, string>;
  /** Periods already read in this import (a file repeats a few period codes many times). */
  periods?: Map<string, ParsedPeriod>;
}

/** A period code read once: its canonical form and dates, or the fault it raised. */
type ParsedPeriod =
  | { ok: true; period: string; start: string; end: string; type: string }
  | { ok: false; code: string; vi: string; en: string };

function readPeriod(maps: CatalogueMaps, code: string): ParsedPeriod {
  maps.periods ??= new Map();
  let r = maps.periods.get(code);
  if (r) return r;
  try {
    const p = parsePeriod(code);
    r = { ok: true, period: formatPeriod(p), start: periodStart(p), end: periodEnd(p), type: p.type };
  } catch (e) {
    if (!isChisoError(e)) throw e;
    r = { ok: false, code: e.code, vi: e.vi, en: e.en };
  }
  // Bounded: a file of distinct malformed codes must not grow the map without limit.
  if (maps.periods.size < 10_000) maps.periods.set(code, r);
  return r;
}

export async function loadCatalogueMaps(ex: Executor): Promise<CatalogueMaps> {
  const inds = await rows<IndicatorRef & { unit: string; name_en: string | null }>(
    ex,
    sql`select id, code, value_type, period_type, levels, min_value, max_value, rollup, name_vi, name_en, unit
        from indicator where archived_at is null`,
  );
  const units = await rows<UnitRef & { name_en: string | null }>(
    ex,
    sql`select id, code, level, path, valid_from, valid_to, name_vi, name_en from org_unit where archived_at is null`,
  );
  const docs = await rows<{ id: number; code: string }>(
    ex,
    sql`select id, code from document where archived_at is null`,
  );
  return {
    indicators: new Map(inds.map((i) => [i.code, i])),
    units: new Map(units.map((u) => [u.code, u])),
    documents: new Map(docs.map((d) => [d.code, d.id])),
    indicatorById: new Map(inds.map((i) => [i.id, i.code])),
    unitById: new Map(units.map((u) => [u.id, u.code])),
    periods: new Map(),
  };
}

export const VALUE_STATUSES = ['draft', 'submitted', 'approved'] as const;

/** A row ready to be staged. */
export interface StagedRow {
  line: number;
  indicator_id: number;
  org_unit_id: number;
  period: string;
  period_start: string;
  disagg: string;
  value: number | null;
  provenance: string | null;
  status: string | null;
  comment: string | null;
  /** Whether the file gave a comment (a blank one clears it); otherwise the current comment stays. */
  comment_given: boolean;
  source_document_id: number | null;
}

/** Checks a row against the catalogue. Returns the staged row, or the row's faults. */
/**
 * The faults of one row being checked. A class rather than closures made per row: the loader's
 * keep-names helper renames every closure each time it is made, a cost paid on every row.
 */
class RowCheck {
  readonly errors: ChisoErrorInit[];
  /** Fields whose cells already failed while reading (most rows have none). */
  readonly bad: Set<unknown> | null;
  constructor(
    readonly row: ValueRow,
    readonly file: string,
  ) {
    this.errors = row.errors.length > 0 ? [...row.errors] : [];
    this.bad = this.errors.length > 0 ? new Set(this.errors.map((e) => e.field ?? e.column)) : null;
  }
  col(f: ValueField): string {
    return this.row.where?.[f] ?? f;
  }
  fail(f: ValueField, code: string, vi: string, en: string): void {
    this.errors.push({ code, file: this.file, row: this.row.line, column: this.col(f), field: f, vi, en });
  }
  required(f: 'indicator' | 'org_unit' | 'period', vi: string, en: string): boolean {
    const row = this.row;
    if (row[f] !== '' || this.bad?.has(this.col(f)) || this.bad?.has(f)) return row[f] !== '';
    this.fail(f, 'import.blank_key', `${vi} trống.`, `${en} is blank.`);
    return false;
  }
}

export function checkRow(
  maps: CatalogueMaps,
  row: ValueRow,
  file: string,
): { ok: true; row: StagedRow } | { ok: false; errors: ChisoErrorInit[] } {
  const check = new RowCheck(row, file);
  const { errors, bad } = check;
  let ind: (IndicatorRef & { unit: string }) | undefined;
  if (check.required('indicator', 'Mã chỉ tiêu', 'The indicator code')) {
    ind = maps.indicators.get(row.indicator);
    if (!ind)
      check.fail(
        'indicator',
        'indicator.unknown',
        `Không có chỉ tiêu với mã '${row.indicator}'.`,
        `There is no indicator with code '${row.indicator}'.`,
      );
  }
  let unit: UnitRef | undefined;
  if (check.required('org_unit', 'Mã đơn vị', 'The org unit code')) {
    unit = maps.units.get(row.org_unit);
    if (!unit)
      check.fail(
        'org_unit',
        'org_unit.unknown',
        `Không có đơn vị với mã '${row.org_unit}'.`,
        `There is no org unit with code '${row.org_unit}'.`,
      );
  }
  let period: string | null = null;
  let start = '';
  let end = '';
  let ptype: string | null = null;
  if (check.required('period', 'Kỳ báo cáo', 'The period')) {
    const p = readPeriod(maps, row.period);
    if (p.ok) {
      period = p.period;
      start = p.start;
      end = p.end;
      ptype = p.type;
    } else check.fail('period', p.code, p.vi, p.en);
  }
  if (ind && ptype && ptype !== ind.period_type)
    check.fail(
      'period',
      'value.period_type',
      `Chỉ tiêu '${ind.code}' báo cáo theo kỳ '${ind.period_type}', không nhận kỳ '${row.period}'.`,
      `Indicator '${ind.code}' is reported per '${ind.period_type}', not for period '${row.period}'.`,
    );
  if (ind && unit && ind.levels.length > 0 && !ind.levels.includes(unit.level))
    check.fail(
      'org_unit',
      'value.level_not_allowed',
      `Chỉ tiêu '${ind.code}' không áp dụng cho cấp '${unit.level}' của đơn vị '${unit.code}'.`,
      `Indicator '${ind.code}' does not apply to level '${unit.level}' of unit '${unit.code}'.`,
    );
  if (
    unit &&
    period &&
    ((unit.valid_to && unit.valid_to < start) || (unit.valid_from && unit.valid_from > end))
  )
    check.fail(
      'org_unit',
      'value.unit_not_valid',
      `Đơn vị '${unit.code}' không tồn tại trong kỳ ${period} (hiệu lực ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
      `Unit '${unit.code}' did not exist in period ${period} (valid ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
    );
  if (ind && !bad?.has(check.col('value'))) {
    try {
      checkValue(ind, row.value);
    } catch (e) {
      if (!isChisoError(e)) throw e;
      check.fail('value', e.code, e.vi, e.en);
    }
  }
  if (row.disagg.length > 200)
    check.fail(
      'disagg',
      'import.disagg_too_long',
      'Phân tổ dài quá 200 ký tự.',
      'The disaggregation is longer than 200 characters.',
    );
  if (row.provenance !== undefined && !(PROVENANCES as readonly string[]).includes(row.provenance))
    check.fail(
      'provenance',
      'value.provenance',
      `Nguồn gốc '${row.provenance}' không hợp lệ (${PROVENANCES.join(', ')}).`,
      `Provenance '${row.provenance}' is not valid (${PROVENANCES.join(', ')}).`,
    );
  if (row.status !== undefined && !(VALUE_STATUSES as readonly string[]).includes(row.status))
    check.fail(
      'status',
      'value.status',
      `Trạng thái '${row.status}' không hợp lệ (${VALUE_STATUSES.join(', ')}).`,
      `Status '${row.status}' is not valid (${VALUE_STATUSES.join(', ')}).`,
    );
  let docId: number | null = null;
  if (row.source_document) {
    docId = maps.documents.get(row.source_document) ?? null;
    if (docId === null)
      check.fail(
        'source_document',
        'source_document.unknown',
        `Không có văn bản với mã '${row.source_document}'.`,
        `There is no document with code '${row.source_document}'.`,
      );
  }
  if (row.comment && row.comment.length > 4000)
    check.fail(
      'comment',
      'import.comment_too_long',
      'Ghi chú dài quá 4000 ký tự.',
      'The comment is longer than 4000 characters.',
    );
  if (errors.length > 0 || !ind || !unit || !period) return { ok: false, errors };
  return {
    ok: true,
    row: {
      line: row.line,
      indicator_id: ind.id,
      org_unit_id: unit.id,
      period,
      period_start: start,
      disagg: row.disagg,
      value: row.value,
      provenance: row.provenance ?? null,
      status: row.status ?? null,
      comment: row.comment ?? null,
      comment_given: row.comment !== undefined,
      source_document_id: docId,
    },
  };
}
