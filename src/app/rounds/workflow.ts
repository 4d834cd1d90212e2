/**
 * The submission workflow, in one table, and the guards every step passes:
 *
 *   action   from                 to         who (on the submission's unit)
 *   submit   draft, returned      submitted  reporter (admins too)
 *   return   submitted            returned   reviewer (admins too); a comment is required
 *   approve  submitted            approved   reviewer (admins too), not the one who submitted it
 *   lock     approved             locked     reviewer (admins too)
 *   reopen   approved, locked     returned   admin; a reason is required
 *
 * Guards, in order, each refusal a precise ChisoError: the caller's role on the unit (403
 * `auth.forbidden`), the status (409 `submission.invalid_transition`), the version the caller saw
 * (409 `conflict.stale_version`, with the current state), the round (409 `round.closed`,
 * `round.not_open_yet`, `submission.before_cutoff`), then the step's own rules. A submission after the
 * deadline is accepted and flagged late. Every step is recorded in submission_event and the audit log.
 *
 * Values follow their submission: saved as 'draft'; on submit the draft values become 'submitted';
 * on approve 'approved'; on return back to 'draft'. Values already approved and not edited since stay
 * approved (a reopened submission keeps its approved figures until they are corrected).
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { parsePeriod, shiftPeriod, formatPeriod } from '../../core/period.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { type Caller, type RoundRole, isoTs, notFound, requireRole, vnDate } from './access.ts';
import type { SubmissionOut, SubmissionStatus } from './schemas.ts';

export const ACTIONS = {
  submit: { from: ['draft', 'returned'], to: 'submitted', role: 'reporter' },
  return: { from: ['submitted'], to: 'returned', role: 'reviewer' },
  approve: { from: ['submitted'], to: 'approved', role: 'reviewer' },
  lock: { from: ['approved'], to: 'locked', role: 'reviewer' },
  reopen: { from: ['approved', 'locked'], to: 'returned', role: 'admin' },
} as const satisfies Record<
  string,
  { from: readonly SubmissionStatus[]; to: SubmissionStatus; role: RoundRole }
>;
export type Action = keyof typeof ACTIONS;

/** Statuses in which the reporter may still change values and evidence. */
export const EDITABLE: readonly SubmissionStatus[] = ['draft', 'returned'];

const ACTION_VI: Record<Action | 'save', string> = {
  submit: 'gửi',
  return: 'trả lại',
  approve: 'phê duyệt',
  lock: 'khóa',
  reopen: 'mở lại',
  save: 'sửa số liệu của',
};
export const STATUS_VI: Record<SubmissionStatus, string> = {
  draft: 'bản nháp',
  submitted: 'đã gửi',
  returned: 'bị trả lại',
  approved: 'đã duyệt',
  locked: 'đã khóa',
};

/** A submission with its round, form and unit, as the guards need it. */
export interface SubmissionRow {
  id: number;
  round_id: number;
  status: SubmissionStatus;
  version: number;
  late: boolean;
  submitted_by: string | null;
  org_unit_id: number;
  unit_code: string;
  unit_path: string;
  unit_level: string;
  round_status: string;
  opens_at: string;
  cutoff: string;
  deadline: string;
  period: string;
  period_type: string;
  form_id: number;
  form_code: string;
  form_version: number;
}

const ROW_SELECT = sql`s.id, s.round_id, s.status, s.version, s.late, s.submitted_by, s.org_unit_id,
  u.code as unit_code, u.path as unit_path, u.level as unit_level, r.status as round_status,
  ${isoTs('r.opens_at')} as opens_at, r.cutoff::text as cutoff, r.deadline::text as deadline, r.period,
  f.period_type, f.id as form_id, f.code as form_code, r.form_version
  from submission s join round r on r.id = s.round_id join form f on f.id = r.form_id
  join org_unit u on u.id = s.org_unit_id`;

/** Reads a submission; with `lock`, takes its row lock so that concurrent steps serialise. */
export async function loadSubmission(ex: Executor, id: number, lock = false): Promise<SubmissionRow> {
  const [s] = await rows<SubmissionRow>(
    ex,
    sql`select ${ROW_SELECT} where s.id = ${id} and s.archived_at is null ${lock ? sql`for update of s` : sql``}`,
  );
  if (!s) throw notFound({ vi: 'báo cáo', en: 'submission' }, id);
  return s;
}

export const unitOf = (s: SubmissionRow) => ({ path: s.unit_path, code: s.unit_code });

function invalidTransition(
  s: SubmissionRow,
  action: Action | 'save',
  allowed: readonly string[],
): ChisoError {
  return new ChisoError({
    code: 'submission.invalid_transition',
    status: 409,
    vi: `Không thể ${ACTION_VI[action]} báo cáo #${s.id} đang ở trạng thái '${STATUS_VI[s.status]}' (chỉ khi: ${allowed
      .map((a) => STATUS_VI[a as SubmissionStatus])
      .join(', ')}).`,
    en: `Cannot ${action} submission #${s.id} while it is '${s.status}' (only when ${allowed.join(' or ')}).`,
    details: { status: s.status, action, allowed },
  });
}

export async function staleSubmission(ex: Executor, s: SubmissionRow): Promise<ChisoError> {
  return new ChisoError({
    code: 'conflict.stale_version',
    status: 409,
    vi: `Báo cáo #${s.id} đã thay đổi (phiên bản hiện tại ${s.version}). Hãy tải lại và thử lại.`,
    en: `Submission #${s.id} has changed (current version ${s.version}). Reload and try again.`,
    details: { current: await getSubmission(ex, s.id) },
  });
}

/** The round accepts entries: open and past its opening time. */
export function assertRoundOpen(s: SubmissionRow, now: Date): void {
  if (s.round_status !== 'open')
    throw new ChisoError({
      code: 'round.closed',
      status: 409,
      vi: `Đợt báo cáo #${s.round_id} đã đóng; không thể thay đổi báo cáo.`,
      en: `Round #${s.round_id} is closed; the submission cannot be changed.`,
    });
  if (now.getTime() < Date.parse(s.opens_at))
    throw new ChisoError({
      code: 'round.not_open_yet',
      status: 409,
      vi: `Đợt báo cáo #${s.round_id} chưa mở (mở từ ${s.opens_at}).`,
      en: `Round #${s.round_id} is not open yet (it opens at ${s.opens_at}).`,
      details: { opens_at: s.opens_at },
    });
}

/**
 * Runs the guards of a step and returns the locked submission. `version` is the submission version
 * the caller saw.
 */
export async function guardStep(
  ex: Executor,
  caller: Caller,
  id: number,
  action: Action,
  version: number,
  now: Date,
): Promise<SubmissionRow> {
  const s = await loadSubmission(ex, id, true);
  const step = ACTIONS[action];
  requireRole(caller, step.role, unitOf(s));
  if (!(step.from as readonly string[]).includes(s.status)) throw invalidTransition(s, action, step.from);
  if (s.version !== version) throw await staleSubmission(ex, s);
  if (action === 'submit') {
    assertRoundOpen(s, now);
    const today = vnDate(now);
    if (today < s.cutoff)
      throw new ChisoError({
        code: 'submission.before_cutoff',
        status: 409,
        vi: `Chưa đến ngày chốt số liệu ${s.cutoff} của kỳ ${s.period}; chưa thể gửi báo cáo.`,
        en: `The cut-off date ${s.cutoff} of period ${s.period} has not come yet; the submission cannot be sent.`,
        details: { cutoff: s.cutoff },
      });
  }
  if (action === 'reopen' && s.round_status !== 'open')
    throw new ChisoError({
      code: 'round.closed',
      status: 409,
      vi: `Đợt báo cáo #${s.round_id} đã đóng; hãy mở lại đợt trước khi mở lại báo cáo.`,
      en: `Round #${s.round_id} is closed; reopen the round before reopening the submission.`,
    });
  return s;
}

/** Guards of saving values and evidence: reporter, editable status, open round. */
export async function guardEdit(ex: Executor, caller: Caller, id: number, now: Date): Promise<SubmissionRow> {
  const s = await loadSubmission(ex, id, true);
  requireRole(caller, 'reporter', unitOf(s));
  if (!EDITABLE.includes(s.status)) throw invalidTransition(s, 'save', EDITABLE);
  assertRoundOpen(s, now);
  return s;
}

/** Moves the submission to `to`, bumps its version, records the event and the audit entry. */
export async function recordStep(
  ex: Executor,
  caller: Caller,
  s: SubmissionRow,
  action: Action,
  opts: { comment?: string | null; data?: Record<string, unknown>; set?: ReturnType<typeof sql> } = {},
): Promise<void> {
  const to = ACTIONS[action].to;
  await ex.execute(
    sql`update submission set status = ${to}, version = version + 1, updated_at = now()
        ${opts.set ? sql`, ${opts.set}` : sql``} where id = ${s.id}`,
  );
  await ex.execute(
    sql`insert into submission_event (submission_id, action, from_status, to_status, actor, comment, data)
        values (${s.id}, ${action}, ${s.status}, ${to}, ${caller.name}, ${opts.comment ?? null},
                ${opts.data ? JSON.stringify(opts.data) : null}::jsonb)`,
  );
  await appendAudit(ex, {
    actor: caller.name,
    action: `submission.${action}`,
    entity: 'submission',
    entityId: s.id,
    data: {
      round: s.round_id,
      org_unit: s.unit_code,
      period: s.period,
      from: s.status,
      to,
      version: s.version + 1,
      ...(opts.comment ? { comment: opts.comment } : {}),
      ...(opts.data ?? {}),
    },
  });
}

export interface SubmissionItem {
  position: number;
  section: string | null;
  indicator_id: number;
  code: string;
  name_vi: string;
  name_en: string | null;
  unit: string;
  value_type: string;
  min_value: number | null;
  max_value: number | null;
  required: boolean;
  denominator_code: string | null;
  denominator_value_type: string | null;
}

/** The items of the submission's form version that apply to its unit's level. */
export async function submissionItems(ex: Executor, s: SubmissionRow): Promise<SubmissionItem[]> {
  return rows<SubmissionItem>(
    ex,
    sql`select fi.position, fi.section, i.id as indicator_id, i.code, i.name_vi, i.name_en, i.unit, i.value_type,
          i.min_value, i.max_value, fi.required, d.code as denominator_code, d.value_type as denominator_value_type
        from form_item fi join indicator i on i.id = fi.indicator_id left join indicator d on d.id = i.denominator_id
        where fi.form_id = ${s.form_id} and fi.form_version = ${s.form_version}
          and (cardinality(i.levels) = 0 or ${s.unit_level} = any(i.levels))
        order by fi.position`,
  );
}

/** Moves the submission's values from some statuses to another; returns the indicator ids touched. */
export async function moveValues(
  ex: Executor,
  actor: string,
  s: SubmissionRow,
  from: string[],
  to: 'draft' | 'submitted' | 'approved',
): Promise<number[]> {
  const moved = await rows<{ id: number; indicator_id: number }>(
    ex,
    sql`update data_value v set status = ${to}, version = v.version + 1, changed_by = ${actor}, updated_at = now()
        from form_item fi
        where fi.form_id = ${s.form_id} and fi.form_version = ${s.form_version} and v.indicator_id = fi.indicator_id
          and v.org_unit_id = ${s.org_unit_id} and v.period = ${s.period} and v.disagg = '' and v.archived_at is null
          and v.status in (${sql.join(
            from.map((f) => sql`${f}`),
            sql`, `,
          )})
        returning v.id, v.indicator_id`,
  );
  if (moved.length)
    await appendAudit(ex, {
      actor,
      action: 'value.status',
      entity: 'submission',
      entityId: s.id,
      data: { values: moved.map((m) => m.id).sort((a, b) => a - b), from, to },
    });
  return moved.map((m) => m.indicator_id);
}

/** Indicator ids of the submission's items that have a value row. */
export async function valuedIndicatorIds(ex: Executor, s: SubmissionRow): Promise<number[]> {
  const r = await rows<{ indicator_id: number }>(
    ex,
    sql`select v.indicator_id from data_value v join form_item fi on fi.indicator_id = v.indicator_id
        where fi.form_id = ${s.form_id} and fi.form_version = ${s.form_version} and v.org_unit_id = ${s.org_unit_id}
          and v.period = ${s.period} and v.disagg = '' and v.archived_at is null order by v.indicator_id`,
  );
  return r.map((x) => x.indicator_id);
}

export const previousPeriod = (period: string): string => formatPeriod(shiftPeriod(parsePeriod(period), -1));

// ---- reading ----

export const SUBMISSION_COLUMNS = sql`s.id, s.round_id, f.code as form, r.form_version, r.period, u.code as org_unit,
  u.name_vi as org_unit_name_vi, u.level as org_level, s.status, s.version, s.late, r.deadline::text as deadline,
  r.status as round_status, s.submitted_by, ${isoTs('s.submitted_at')} as submitted_at, s.warning_comments,
  s.reviewed_by, ${isoTs('s.reviewed_at')} as reviewed_at, s.return_comment, s.locked_by,
  ${isoTs('s.locked_at')} as locked_at, s.reopened_by, ${isoTs('s.reopened_at')} as reopened_at, s.reopen_reason,
  ${isoTs('s.updated_at')} as updated_at`;
export const SUBMISSION_FROM = sql`submission s join round r on r.id = s.round_id join form f on f.id = r.form_id
  join org_unit u on u.id = s.org_unit_id`;

export async function getSubmission(ex: Executor, id: number): Promise<SubmissionOut | null> {
  const [s] = await rows<SubmissionOut>(
    ex,
    sql`select ${SUBMISSION_COLUMNS} from ${SUBMISSION_FROM} where s.id = ${id} and s.archived_at is null`,
  );
  return s ?? null;
}
