/**
 * Task progress: what one unit reports on one task for one period — status, percent complete,
 * narrative, evidence. The units that lead a task (its lead and co-leads, or every unit of a lead
 * level; the plan's issuer when no unit leads it) report its progress; coordinating units add their
 * part. Writes use optimistic versions (a stale version gets 409 with the current report), keep every
 * version in task_progress_history and append to the audit log.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ChisoError } from '../../core/errors.ts';
import { formatPeriod, parseIsoDate, periodEnd, periodStart } from '../../core/period.ts';
import { PROGRESS_STATUSES } from '../../core/tasks.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { periodOf, unitRef } from '../catalogue/refs.ts';
import { zCode, zIsoDate, zPeriodCode } from '../catalogue/schemas.ts';
import { todayInVietnam } from './plans.ts';

export const zProgressInput = z
  .object({
    org_unit: zCode,
    period: zPeriodCode,
    status: z.enum(PROGRESS_STATUSES),
    percent: z.number().int().min(0).max(100).nullish(),
    narrative: z.string().max(8000).nullish(),
    evidence: z.string().max(2000).nullish(),
    completed_on: zIsoDate.nullish(),
    /** The version the writer last saw; absent when creating. A stale version gets 409. */
    version: z.number().int().optional(),
  })
  .strict();
export type ProgressInput = z.input<typeof zProgressInput>;

export type TaskRole = 'lead' | 'co_lead' | 'coordinating';

export interface TaskProgressOut {
  id: number;
  task_id: number;
  plan: string;
  number: string;
  org_unit: string;
  org_unit_name_vi: string;
  period: string;
  role: TaskRole;
  status: string;
  percent: number | null;
  narrative: string | null;
  evidence: string | null;
  completed_on: string | null;
  provenance: string;
  version: number;
  reported_by: string;
  reported_at: string;
}

const PROGRESS_COLUMNS = sql`tp.id, tp.task_id, p.code as plan, t.number, u.code as org_unit, u.name_vi as org_unit_name_vi, tp.period,
  tp.role, tp.status, tp.percent, tp.narrative, tp.evidence, tp.completed_on, tp.provenance, tp.version, tp.reported_by, tp.reported_at`;
const PROGRESS_FROM = sql`task_progress tp join task t on t.id = tp.task_id join plan p on p.id = t.plan_id join org_unit u on u.id = tp.org_unit_id`;

export async function getTaskProgress(ex: Executor, id: number): Promise<TaskProgressOut | null> {
  const [r] = await rows<TaskProgressOut>(
    ex,
    sql`select ${PROGRESS_COLUMNS} from ${PROGRESS_FROM} where tp.id = ${id}`,
  );
  return r ?? null;
}

export interface TaskRef {
  id: number;
  plan_id: number;
  plan: string;
  plan_status: string;
  number: string;
  lead_unit_id: number | null;
  lead_level: string | null;
  issuer_unit_id: number | null;
  has_children: boolean;
}

export async function taskRef(ex: Executor, id: number): Promise<TaskRef> {
  const [t] = await rows<TaskRef>(
    ex,
    sql`select t.id, t.plan_id, p.code as plan, p.status as plan_status, t.number, t.lead_unit_id, t.lead_level, p.issuer_unit_id,
          exists (select 1 from task c where c.parent_id = t.id and c.archived_at is null) as has_children
        from task t join plan p on p.id = t.plan_id
        where t.id = ${id} and t.archived_at is null and p.archived_at is null`,
  );
  if (!t) {
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có nhiệm vụ ${id}.`,
      en: `There is no task ${id}.`,
    });
  }
  return t;
}

/**
 * The part a unit takes in a task: lead (the lead unit, a unit of the lead level, or the plan's
 * issuer when no unit leads the task), co_lead, coordinating — or null.
 */
export async function roleOfUnit(
  ex: Executor,
  task: TaskRef,
  unit: { id: number; level: string },
): Promise<TaskRole | null> {
  if (task.lead_unit_id === unit.id || task.lead_level === unit.level) return 'lead';
  const assignments = await rows<{ role: TaskRole; org_unit_id: number | null; org_level: string | null }>(
    ex,
    sql`select role, org_unit_id, org_level from task_assignment where task_id = ${task.id} and archived_at is null`,
  );
  const match = (role: TaskRole) =>
    assignments.some((a) => a.role === role && (a.org_unit_id === unit.id || a.org_level === unit.level));
  if (match('co_lead')) return 'co_lead';
  const noLead =
    task.lead_unit_id === null && task.lead_level === null && !assignments.some((a) => a.role === 'co_lead');
  if (noLead && task.issuer_unit_id === unit.id) return 'lead';
  if (match('coordinating')) return 'coordinating';
  return null;
}

export interface SetProgressOptions {
  provenance?: 'entered' | 'imported' | 'synthetic';
  /** The reference day (default: today in Viet Nam) for refusing future periods and dates. */
  today?: string;
  /** When the report was made (default now); used by demo and imports. */
  reportedAt?: string;
}

/** Creates or changes one unit's report on one task for one period. */
export async function setTaskProgress(
  ex: Executor,
  actor: string,
  taskId: number,
  raw: ProgressInput,
  options: SetProgressOptions = {},
): Promise<{ progress: TaskProgressOut; outcome: 'created' | 'updated' | 'unchanged' }> {
  const input = zProgressInput.parse(raw);
  const today = options.today ?? todayInVietnam();
  const provenance = options.provenance ?? 'entered';
  const task = await taskRef(ex, taskId);
  if (task.plan_status !== 'active') {
    throw new ChisoError({
      code: 'progress.plan_not_active',
      status: 409,
      vi: `Kế hoạch '${task.plan}' đang ở trạng thái '${task.plan_status}': chỉ báo cáo tiến độ cho kế hoạch đang thực hiện (active).`,
      en: `Plan '${task.plan}' is '${task.plan_status}': progress is reported on active plans only.`,
    });
  }
  if (task.has_children) {
    throw new ChisoError({
      code: 'progress.not_leaf',
      vi: `Nhiệm vụ ${task.number} có các nhiệm vụ con: hãy báo cáo tiến độ của từng nhiệm vụ con.`,
      en: `Task ${task.number} has sub-tasks: report the progress of each sub-task.`,
    });
  }
  const unit = await unitRef(ex, input.org_unit);
  const role = await roleOfUnit(ex, task, unit);
  if (!role) {
    throw new ChisoError({
      code: 'progress.unit_not_assigned',
      field: 'org_unit',
      vi: `Đơn vị '${unit.code}' không chủ trì hay phối hợp nhiệm vụ ${task.number} của kế hoạch ${task.plan}.`,
      en: `Unit '${unit.code}' neither leads nor coordinates task ${task.number} of plan ${task.plan}.`,
    });
  }
  const p = periodOf(input.period);
  const period = formatPeriod(p);
  const start = periodStart(p);
  if (start > today) {
    throw new ChisoError({
      code: 'progress.future_period',
      field: 'period',
      vi: `Kỳ ${period} chưa bắt đầu (từ ${start}).`,
      en: `Period ${period} has not started yet (it starts on ${start}).`,
    });
  }
  if ((unit.valid_to && unit.valid_to < start) || (unit.valid_from && unit.valid_from > periodEnd(p))) {
    throw new ChisoError({
      code: 'progress.unit_not_valid',
      field: 'org_unit',
      vi: `Đơn vị '${unit.code}' không tồn tại trong kỳ ${period} (hiệu lực ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
      en: `Unit '${unit.code}' did not exist in period ${period} (valid ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
    });
  }
  let percent = input.percent ?? null;
  if (input.status === 'done') {
    if (percent !== null && percent !== 100) {
      throw new ChisoError({
        code: 'progress.done_percent',
        field: 'percent',
        vi: `Đã hoàn thành thì tỷ lệ hoàn thành là 100%, không phải ${percent}%.`,
        en: `A done task is 100% complete, not ${percent}%.`,
      });
    }
    percent = 100;
  } else if (input.status === 'not_started') {
    if (percent !== null && percent !== 0) {
      throw new ChisoError({
        code: 'progress.not_started_percent',
        field: 'percent',
        vi: `Chưa triển khai thì tỷ lệ hoàn thành là 0%, không phải ${percent}%.`,
        en: `A task not started is 0% complete, not ${percent}%.`,
      });
    }
    percent = 0;
  }
  const completedOn = input.completed_on ?? null;
  if (completedOn !== null) {
    if (input.status !== 'done') {
      throw new ChisoError({
        code: 'progress.completed_on_without_done',
        field: 'completed_on',
        vi: "Chỉ ghi ngày hoàn thành khi trạng thái là 'done' (đã hoàn thành).",
        en: "A completion date goes with status 'done' only.",
      });
    }
    try {
      parseIsoDate(completedOn);
    } catch (e) {
      if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field: 'completed_on' });
      throw e;
    }
    if (completedOn > today) {
      throw new ChisoError({
        code: 'progress.completed_in_future',
        field: 'completed_on',
        vi: `Ngày hoàn thành ${completedOn} ở sau hôm nay (${today}).`,
        en: `The completion date ${completedOn} is after today (${today}).`,
      });
    }
  }
  const narrative = input.narrative?.trim() || null;
  const evidence = input.evidence?.trim() || null;
  const reportedAt = options.reportedAt ?? null;

  const [current] = await rows<{
    id: number;
    version: number;
    status: string;
    percent: number | null;
    narrative: string | null;
    evidence: string | null;
    completed_on: string | null;
    provenance: string;
    role: string;
    archived: boolean;
  }>(
    ex,
    sql`select id, version, status, percent, narrative, evidence, completed_on, provenance, role, archived_at is not null as archived
        from task_progress where task_id = ${task.id} and org_unit_id = ${unit.id} and period = ${period} for update`,
  );
  if (!current) {
    if (input.version !== undefined && input.version !== 0) {
      throw new ChisoError({
        code: 'conflict.stale_version',
        status: 409,
        vi: 'Báo cáo tiến độ này chưa tồn tại; không thể cập nhật theo phiên bản đã nêu.',
        en: 'This progress report does not exist yet; it cannot be updated from the given version.',
        details: { current: null },
      });
    }
    const [row] = await rows<{ id: number }>(
      ex,
      sql`insert into task_progress (task_id, org_unit_id, period, period_start, role, status, percent, narrative, evidence, completed_on,
            provenance, reported_by, reported_at)
          values (${task.id}, ${unit.id}, ${period}, ${start}, ${role}, ${input.status}, ${percent}, ${narrative}, ${evidence}, ${completedOn},
            ${provenance}, ${actor}, coalesce(${reportedAt}::timestamptz, now()))
          returning id`,
    );
    await history(ex, row!.id);
    await appendAudit(ex, {
      actor,
      action: 'task_progress.create',
      entity: 'task_progress',
      entityId: row!.id,
      data: {
        plan: task.plan,
        task: task.number,
        org_unit: unit.code,
        period,
        role,
        status: input.status,
        percent,
        provenance,
      },
    });
    return { progress: (await getTaskProgress(ex, row!.id))!, outcome: 'created' };
  }
  if (input.version === undefined || input.version !== current.version) {
    throw new ChisoError({
      code: 'conflict.stale_version',
      status: 409,
      vi: `Báo cáo tiến độ nhiệm vụ ${task.number} của ${unit.code} kỳ ${period} đã được người khác thay đổi (phiên bản hiện tại ${current.version}). Hãy tải lại và thử lại.`,
      en: `The progress report on task ${task.number} by ${unit.code} for ${period} was changed by someone else (current version ${current.version}). Reload and try again.`,
      details: { current: await getTaskProgress(ex, current.id) },
    });
  }
  const same =
    current.status === input.status &&
    (current.percent ?? null) === percent &&
    (current.narrative ?? null) === narrative &&
    (current.evidence ?? null) === evidence &&
    (current.completed_on ?? null) === completedOn &&
    current.provenance === provenance &&
    current.role === role &&
    !current.archived;
  if (same) return { progress: (await getTaskProgress(ex, current.id))!, outcome: 'unchanged' };
  await ex.execute(
    sql`update task_progress set role = ${role}, status = ${input.status}, percent = ${percent}, narrative = ${narrative}, evidence = ${evidence},
        completed_on = ${completedOn}, provenance = ${provenance}, reported_by = ${actor},
        reported_at = coalesce(${reportedAt}::timestamptz, now()), archived_at = null, version = version + 1, updated_at = now()
        where id = ${current.id}`,
  );
  await history(ex, current.id);
  await appendAudit(ex, {
    actor,
    action: 'task_progress.update',
    entity: 'task_progress',
    entityId: current.id,
    data: {
      plan: task.plan,
      task: task.number,
      org_unit: unit.code,
      period,
      from: { status: current.status, percent: current.percent },
      to: { status: input.status, percent },
      version: current.version + 1,
    },
  });
  return { progress: (await getTaskProgress(ex, current.id))!, outcome: 'updated' };
}

async function history(ex: Executor, id: number): Promise<void> {
  await ex.execute(
    sql`insert into task_progress_history (progress_id, version, status, percent, narrative, evidence, completed_on, provenance, archived,
          reported_by, reported_at)
        select id, version, status, percent, narrative, evidence, completed_on, provenance, archived_at is not null, reported_by, reported_at
        from task_progress where id = ${id}`,
  );
}

/** Every version of one progress report, oldest first. */
export async function taskProgressHistory(ex: Executor, id: number) {
  return rows<{
    version: number;
    status: string;
    percent: number | null;
    narrative: string | null;
    evidence: string | null;
    completed_on: string | null;
    provenance: string;
    archived: boolean;
    reported_by: string;
    reported_at: string;
  }>(
    ex,
    sql`select version, status, percent, narrative, evidence, completed_on, provenance, archived, reported_by, reported_at
        from task_progress_history where progress_id = ${id} order by version`,
  );
}

/** Archives a report (it stops counting; its history stays). */
export async function archiveTaskProgress(
  ex: Executor,
  actor: string,
  id: number,
  version: number,
  reason: string,
): Promise<void> {
  const current = await getTaskProgress(ex, id);
  if (!current) {
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có báo cáo ${id}.`,
      en: `No report ${id}.`,
    });
  }
  if (current.version !== version) {
    throw new ChisoError({
      code: 'conflict.stale_version',
      status: 409,
      vi: 'Báo cáo đã được người khác thay đổi. Hãy tải lại và thử lại.',
      en: 'The report was changed by someone else. Reload and try again.',
      details: { current },
    });
  }
  await ex.execute(
    sql`update task_progress set archived_at = now(), version = version + 1, reported_by = ${actor}, updated_at = now() where id = ${id}`,
  );
  await history(ex, id);
  await appendAudit(ex, {
    actor,
    action: 'task_progress.archive',
    entity: 'task_progress',
    entityId: id,
    data: {
      plan: current.plan,
      task: current.number,
      org_unit: current.org_unit,
      period: current.period,
      reason,
    },
  });
}
