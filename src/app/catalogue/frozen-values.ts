/**
 * Values that the reporting workflow holds. A value belongs to a submission when the submission's
 * round is for the value's period, the submission is the value's unit's and the indicator is an item
 * of the form version the round uses (every disaggregation of it). While that submission is
 * submitted (waiting for review), approved or locked, nobody may change the value behind the
 * workflow's back: not the catalogue's direct write (`setValue`, `archiveValue`) and not a bulk
 * import (CSV, JSON, Excel, DHIS2, Open SDG — all go through `importValueRows`). Only the workflow
 * frees it again: a reviewer returns a submitted report, an administrator reopens an approved or
 * locked one with a reason.
 *
 * `findFrozen` is the one check every writer uses: one query for any number of keys.
 */
import { type SQL, sql } from 'drizzle-orm';
import { ChisoError, type ChisoErrorInit } from '../../core/errors.ts';
import { type Executor, rows } from '../../store/db.ts';

/** Submission statuses in which the submission's values cannot be changed outside the workflow. */
export const FROZEN_STATUSES = ['submitted', 'approved', 'locked'] as const;
export type FrozenStatus = (typeof FROZEN_STATUSES)[number];

export interface FrozenHit {
  /** The key's `line` (its row in an import file; 0 for a single write). */
  line: number;
  sheet: string | null;
  cell: string | null;
  indicator_code: string;
  org_unit_code: string;
  period: string;
  submission_id: number;
  submission_status: FrozenStatus;
  round_id: number;
  form_code: string;
  /** How many keys are frozen in all (the hits may be limited). */
  total: number;
}

/**
 * The keys that belong to a submission in a frozen state, in line order, at most `limit`.
 * `keys` is a relation with the columns line, indicator_id, org_unit_id, period, sheet, cell.
 */
export async function findFrozen(ex: Executor, keys: SQL, limit = 1000): Promise<FrozenHit[]> {
  const hits = await rows<FrozenHit>(
    ex,
    sql`with k as (${keys}),
      hit as (
        select distinct on (k.line, k.indicator_id, k.org_unit_id, k.period)
          k.line, k.sheet, k.cell, k.indicator_id, k.org_unit_id, k.period,
          s.id as submission_id, s.status as submission_status, r.id as round_id, r.form_id
        from k
        join submission s on s.org_unit_id = k.org_unit_id and s.archived_at is null
          and s.status in (${sql.join(
            FROZEN_STATUSES.map((x) => sql`${x}`),
            sql`, `,
          )})
        join round r on r.id = s.round_id and r.period = k.period and r.archived_at is null
        join form_item fi on fi.form_id = r.form_id and fi.form_version = r.form_version
          and fi.indicator_id = k.indicator_id
        order by k.line, k.indicator_id, k.org_unit_id, k.period, s.id)
      select h.line::int as line, h.sheet, h.cell, i.code as indicator_code, u.code as org_unit_code, h.period,
        h.submission_id, h.submission_status, h.round_id, f.code as form_code, (count(*) over ())::int as total
      from hit h join indicator i on i.id = h.indicator_id join org_unit u on u.id = h.org_unit_id
        join form f on f.id = h.form_id
      order by h.line, i.code
      limit ${limit}`,
  );
  return hits;
}

/** One key (a single write) as a relation for `findFrozen`. */
export function singleKey(indicatorId: number, orgUnitId: number, period: string): SQL {
  return sql`select 0 as line, null::text as sheet, null::text as cell, ${indicatorId}::int as indicator_id,
    ${orgUnitId}::int as org_unit_id, ${period}::text as period`;
}

const STATE: Record<FrozenStatus, { vi: string; en: string; how_vi: string; how_en: string }> = {
  submitted: {
    vi: 'đã gửi và đang chờ duyệt',
    en: 'submitted and waiting for review',
    how_vi: 'Người duyệt trả lại báo cáo thì đơn vị mới sửa được.',
    how_en: 'It can be changed after a reviewer returns the report.',
  },
  approved: {
    vi: 'đã được duyệt',
    en: 'approved',
    how_vi: 'Chỉ quản trị viên mở lại báo cáo (kèm lý do) thì mới sửa được.',
    how_en: 'Only an administrator reopening the report (with a reason) allows a change.',
  },
  locked: {
    vi: 'đã khóa',
    en: 'locked',
    how_vi: 'Chỉ quản trị viên mở lại báo cáo (kèm lý do) thì mới sửa được.',
    how_en: 'Only an administrator reopening the report (with a reason) allows a change.',
  },
};

/** The rule broken by a frozen key, in Vietnamese and English; `line` prefixes it for import files. */
export function frozenError(h: FrozenHit, at?: { file: string; column: string }): ChisoErrorInit {
  const s = STATE[h.submission_status];
  const key = `${h.indicator_code} / ${h.org_unit_code} / ${h.period}`;
  const where = at ? { vi: `Dòng ${h.line}: `, en: `Line ${h.line}: ` } : { vi: '', en: '' };
  return {
    code: 'value.locked',
    status: 409,
    ...(at ? { file: at.file, row: h.line, column: at.column, field: 'value' } : { field: 'value' }),
    vi: `${where.vi}Số liệu ${key} thuộc báo cáo #${h.submission_id} (biểu ${h.form_code}, đợt #${h.round_id}) ${s.vi}; không được sửa ngoài quy trình báo cáo. ${s.how_vi}`,
    en: `${where.en}Value ${key} belongs to submission #${h.submission_id} (form ${h.form_code}, round #${h.round_id}), which is ${s.en}; it cannot be changed outside the reporting workflow. ${s.how_en}`,
    details: {
      submission: h.submission_id,
      submission_status: h.submission_status,
      round: h.round_id,
      form: h.form_code,
      indicator: h.indicator_code,
      org_unit: h.org_unit_code,
      period: h.period,
    },
  };
}

/** Throws 409 `value.locked` when the value (indicator × unit × period) is held by the workflow. */
export async function assertValueEditable(
  ex: Executor,
  indicatorId: number,
  orgUnitId: number,
  period: string,
): Promise<void> {
  const [hit] = await findFrozen(ex, singleKey(indicatorId, orgUnitId, period), 1);
  if (hit) throw new ChisoError(frozenError(hit));
}
