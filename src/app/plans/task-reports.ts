/**
 * Task progress inside the reporting rounds. A form may hold task items (form_item kind 'task'): a
 * submission's unit reports on each task it leads (lead, co_lead) or coordinates (coordinating) —
 * status, percent complete, narrative, evidence (an attachment of the submission and/or a reference).
 * The report (task_report) follows its submission like the values: saved as draft in the same
 * transaction as the values (saveDraftValues), submitted with it, back to draft when it is returned,
 * and on approval copied into task_progress (setTaskProgress, with the submission and the approver),
 * which is what the task's status — due, overdue, at risk, done — is computed from.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ChisoError, type ChisoErrorInit, isChisoError } from '../../core/errors.ts';
import { parseIsoDate } from '../../core/period.ts';
import {
  type Deadline,
  type DeadlineKind,
  formatDeadlineEn,
  formatDeadlineVi,
  PROGRESS_STATUS_LABELS,
  PROGRESS_STATUSES,
  type ProgressState,
  type Recurrence,
} from '../../core/tasks.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import type { Finding } from '../../core/validation.ts';
import { type TaskRole, roleOfUnit, setTaskProgress, taskRef } from './progress.ts';
import { todayInVietnam } from './plans.ts';

/** What a reporter sends for one task item. Status and percent are checked by hand for precise errors. */
export const zTaskReportInput = z
  .object({
    task: z.number().int().positive().describe('The task id (a task item of the form)'),
    status: z
      .string()
      .max(40)
      .describe(`One of ${PROGRESS_STATUSES.join(', ')}`),
    percent: z.number().nullish().describe('Percent complete, a whole number 0–100'),
    narrative: z.string().max(8000).nullish().describe("Required when the status is 'blocked'"),
    evidence: z.string().max(2000).nullish().describe('A link or document reference'),
    attachment: z
      .number()
      .int()
      .positive()
      .nullish()
      .describe('An attachment of this submission (POST /api/submissions/:id/attachments) as evidence'),
    completed_on: z.string().max(10).nullish().describe("The day the work was done (status 'done')"),
    version: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('The report version you last saw (0 or absent: there was none)'),
  })
  .strict();
export type TaskReportInput = z.input<typeof zTaskReportInput>;

/** The status words a reporter may use, in both languages, for error messages. */
const STATUS_LIST_VI = PROGRESS_STATUSES.map((s) => `'${s}' (${PROGRESS_STATUS_LABELS[s].vi})`).join(', ');
const STATUS_LIST_EN = PROGRESS_STATUSES.map((s) => `'${s}' (${PROGRESS_STATUS_LABELS[s].en})`).join(', ');
/** Statuses that need a narrative (what is in the way, what is being done about it). */
export const NARRATIVE_REQUIRED: readonly ProgressState[] = ['blocked'];
export const MIN_NARRATIVE = 10;

/** The minimal view of a submission this module needs (workflow.ts SubmissionRow satisfies it). */
export interface SubmissionLike {
  id: number;
  org_unit_id: number;
  unit_code: string;
  unit_level: string;
  period: string;
  form_id: number;
  form_code: string;
  form_version: number;
}

export interface TaskReportOut {
  id: number;
  state: 'draft' | 'submitted' | 'approved';
  status: ProgressState;
  percent: number | null;
  narrative: string | null;
  evidence: string | null;
  attachment: { id: number; filename: string } | null;
  completed_on: string | null;
  version: number;
  entered_by: string;
  updated_at: string;
}

export interface SubmissionTaskItem {
  position: number;
  section: string | null;
  required: boolean;
  task_id: number;
  plan: string;
  number: string;
  title_vi: string;
  title_en: string | null;
  output_vi: string | null;
  output_en: string | null;
  deadline_vi: string;
  deadline_en: string;
  /** The unit's part: its report is the task's progress (lead, co_lead) or its contribution. */
  role: TaskRole;
  report: TaskReportOut | null;
  /** The unit's latest reported (approved) progress on the task, from earlier periods or reports. */
  last: { period: string; status: ProgressState; percent: number | null } | null;
}

interface ItemRow {
  position: number;
  section: string | null;
  required: boolean;
  task_id: number;
  plan: string;
  number: string;
  title_vi: string;
  title_en: string | null;
  output_vi: string | null;
  output_en: string | null;
  deadline_kind: DeadlineKind;
  deadline_value: string | null;
  deadline_text: string | null;
  recurrence: Recurrence | null;
}

/** The task items of the submission's form that concern its unit, with the unit's current report. */
export async function submissionTaskItems(ex: Executor, s: SubmissionLike): Promise<SubmissionTaskItem[]> {
  const items = await rows<ItemRow>(
    ex,
    sql`select fi.position, fi.section, fi.required, t.id as task_id, p.code as plan, t.number, t.title_vi, t.title_en,
          t.output_vi, t.output_en, t.deadline_kind, t.deadline_value, t.deadline_text, t.recurrence
        from form_item fi join task t on t.id = fi.task_id join plan p on p.id = t.plan_id
        where fi.form_id = ${s.form_id} and fi.form_version = ${s.form_version} and fi.kind = 'task'
        order by fi.position`,
  );
  if (!items.length) return [];
  const reports = new Map(
    (
      await rows<TaskReportOut & { task_id: number; attachment_id: number | null; filename: string | null }>(
        ex,
        sql`select r.id, r.task_id, r.state, r.status, r.percent, r.narrative, r.evidence, r.attachment_id, a.filename,
              r.completed_on::text as completed_on, r.version, r.entered_by, r.updated_at::text as updated_at
            from task_report r left join attachment a on a.id = r.attachment_id
            where r.submission_id = ${s.id} and r.archived_at is null`,
      )
    ).map(({ attachment_id, filename, ...r }) => [
      r.task_id,
      { ...r, attachment: attachment_id ? { id: attachment_id, filename: filename ?? '' } : null },
    ]),
  );
  const last = new Map(
    (
      await rows<{ task_id: number; period: string; status: ProgressState; percent: number | null }>(
        ex,
        sql`select distinct on (tp.task_id) tp.task_id, tp.period, tp.status, tp.percent from task_progress tp
            where tp.org_unit_id = ${s.org_unit_id} and tp.archived_at is null and tp.task_id in (${sql.join(
              items.map((i) => sql`${i.task_id}`),
              sql`, `,
            )})
            order by tp.task_id, tp.period_start desc, tp.reported_at desc`,
      )
    ).map(({ task_id, ...l }) => [task_id, l]),
  );
  const unit = { id: s.org_unit_id, level: s.unit_level };
  const out: SubmissionTaskItem[] = [];
  for (const i of items) {
    const role = await roleOfUnit(ex, await taskRef(ex, i.task_id), unit);
    if (!role) continue;
    const deadline: Deadline = {
      kind: i.deadline_kind,
      value: i.deadline_value,
      recurrence: i.recurrence,
      text: i.deadline_text,
    };
    const { task_id: _t, ...report } = (reports.get(i.task_id) ?? {}) as TaskReportOut & { task_id?: number };
    out.push({
      position: i.position,
      section: i.section,
      required: i.required,
      task_id: i.task_id,
      plan: i.plan,
      number: i.number,
      title_vi: i.title_vi,
      title_en: i.title_en,
      output_vi: i.output_vi,
      output_en: i.output_en,
      deadline_vi: formatDeadlineVi(deadline),
      deadline_en: formatDeadlineEn(deadline),
      role,
      report: reports.has(i.task_id) ? (report as TaskReportOut) : null,
      last: last.get(i.task_id) ?? null,
    });
  }
  return out;
}

/** The checks of one report's fields, each fault naming its field. Returns the normalised fields. */
export function checkTaskReport(
  input: TaskReportInput,
  field: string,
  today: string,
): {
  faults: ChisoErrorInit[];
  status: ProgressState;
  percent: number | null;
  narrative: string | null;
  evidence: string | null;
  completedOn: string | null;
} {
  const faults: ChisoErrorInit[] = [];
  const status = input.status as ProgressState;
  if (!(PROGRESS_STATUSES as readonly string[]).includes(input.status)) {
    faults.push({
      code: 'task_report.status',
      field: `${field}.status`,
      vi: `Trạng thái '${input.status}' không hợp lệ; chọn một trong: ${STATUS_LIST_VI}.`,
      en: `Status '${input.status}' is not valid; use one of: ${STATUS_LIST_EN}.`,
    });
  }
  let percent = input.percent ?? null;
  if (percent !== null && (!Number.isInteger(percent) || percent < 0 || percent > 100)) {
    faults.push({
      code: 'task_report.percent_range',
      field: `${field}.percent`,
      vi: `Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100 (%), không phải ${percent}.`,
      en: `Percent complete must be a whole number from 0 to 100, not ${percent}.`,
    });
    percent = null;
  } else if (status === 'done') {
    if (percent !== null && percent !== 100)
      faults.push({
        code: 'progress.done_percent',
        field: `${field}.percent`,
        vi: `Đã hoàn thành thì tỷ lệ hoàn thành là 100%, không phải ${percent}%.`,
        en: `A done task is 100% complete, not ${percent}%.`,
      });
    percent = 100;
  } else if (status === 'not_started') {
    if (percent !== null && percent !== 0)
      faults.push({
        code: 'progress.not_started_percent',
        field: `${field}.percent`,
        vi: `Chưa triển khai thì tỷ lệ hoàn thành là 0%, không phải ${percent}%.`,
        en: `A task not started is 0% complete, not ${percent}%.`,
      });
    percent = 0;
  } else if (status === 'in_progress' && percent === null) {
    faults.push({
      code: 'task_report.percent_required',
      field: `${field}.percent`,
      vi: 'Đang thực hiện: hãy nhập tỷ lệ hoàn thành (0–100%).',
      en: 'In progress: give the percent complete (0–100).',
    });
  }
  const narrative = input.narrative?.trim() || null;
  if (NARRATIVE_REQUIRED.includes(status) && (narrative?.length ?? 0) < MIN_NARRATIVE) {
    faults.push({
      code: 'task_report.narrative_required',
      field: `${field}.narrative`,
      vi: `Trạng thái '${PROGRESS_STATUS_LABELS[status].vi}': hãy mô tả vướng mắc và hướng xử lý (ít nhất ${MIN_NARRATIVE} ký tự).`,
      en: `Status '${PROGRESS_STATUS_LABELS[status].en}': describe what is in the way and what is being done (at least ${MIN_NARRATIVE} characters).`,
    });
  }
  const completedOn = input.completed_on?.trim() || null;
  if (completedOn !== null) {
    if (status !== 'done') {
      faults.push({
        code: 'progress.completed_on_without_done',
        field: `${field}.completed_on`,
        vi: "Chỉ ghi ngày hoàn thành khi trạng thái là 'done' (đã hoàn thành).",
        en: "A completion date goes with status 'done' only.",
      });
    } else {
      let ok = true;
      try {
        parseIsoDate(completedOn);
      } catch (e) {
        if (!isChisoError(e)) throw e;
        ok = false;
        faults.push({ ...e.toJSON(), field: `${field}.completed_on` });
      }
      if (ok && completedOn > today)
        faults.push({
          code: 'progress.completed_in_future',
          field: `${field}.completed_on`,
          vi: `Ngày hoàn thành ${completedOn} ở sau hôm nay (${today}).`,
          en: `The completion date ${completedOn} is after today (${today}).`,
        });
    }
  }
  return { faults, status, percent, narrative, evidence: input.evidence?.trim() || null, completedOn };
}

export interface TaskSaveResult {
  faults: ChisoErrorInit[];
  stale: unknown[];
  tasks: Array<{ task: number; outcome: 'created' | 'updated' | 'unchanged'; report: TaskReportOut }>;
}

/**
 * Saves the unit's reports on the submission's task items as drafts. The caller has guarded and
 * locked the submission (saveDraftValues); faults are returned, not thrown, so that values and task
 * reports are refused together; the caller's transaction is rolled back when there is any.
 */
export async function saveTaskReports(
  ex: Executor,
  actor: string,
  s: SubmissionLike,
  inputs: TaskReportInput[],
  options: { today?: string; fieldPrefix?: string } = {},
): Promise<TaskSaveResult> {
  const result: TaskSaveResult = { faults: [], stale: [], tasks: [] };
  if (!inputs.length) return result;
  const today = options.today ?? todayInVietnam();
  const prefix = options.fieldPrefix ?? 'tasks';
  const items = new Map((await submissionTaskItems(ex, s)).map((i) => [i.task_id, i]));
  const seen = new Set<number>();
  for (const [i, raw] of inputs.entries()) {
    const field = `${prefix}.${i}`;
    const input = zTaskReportInput.parse(raw);
    const item = items.get(input.task);
    if (!item) {
      result.faults.push({
        code: 'submission.not_a_task_item',
        field: `${field}.task`,
        vi: `Nhiệm vụ #${input.task} không thuộc biểu mẫu ${s.form_code} (phiên bản ${s.form_version}) hoặc đơn vị '${s.unit_code}' không chủ trì, phối hợp nhiệm vụ này.`,
        en: `Task #${input.task} is not an item of form ${s.form_code} (version ${s.form_version}), or unit '${s.unit_code}' neither leads nor coordinates it.`,
      });
      continue;
    }
    if (seen.has(input.task)) {
      result.faults.push({
        code: 'submission.duplicate_task',
        field: `${field}.task`,
        vi: `Nhiệm vụ ${item.number} xuất hiện hai lần.`,
        en: `Task ${item.number} appears twice.`,
      });
      continue;
    }
    seen.add(input.task);
    const ref = await taskRef(ex, input.task);
    if (ref.plan_status !== 'active') {
      result.faults.push({
        code: 'progress.plan_not_active',
        field: `${field}.task`,
        vi: `Kế hoạch '${ref.plan}' không còn đang thực hiện: không báo cáo tiến độ nhiệm vụ ${ref.number}.`,
        en: `Plan '${ref.plan}' is not active: no progress is reported on task ${ref.number}.`,
      });
      continue;
    }
    const checked = checkTaskReport(input, field, today);
    const attachment = input.attachment ?? null;
    if (attachment !== null) {
      const [a] = await rows<{ id: number }>(
        ex,
        sql`select id from attachment where id = ${attachment} and submission_id = ${s.id} and archived_at is null`,
      );
      if (!a)
        checked.faults.push({
          code: 'task_report.attachment',
          field: `${field}.attachment`,
          vi: `Tệp minh chứng #${attachment} không phải tệp đính kèm (còn hiệu lực) của báo cáo #${s.id}.`,
          en: `Evidence file #${attachment} is not a (current) attachment of submission #${s.id}.`,
        });
    }
    if (checked.faults.length) {
      result.faults.push(...checked.faults);
      continue;
    }
    const current = item.report;
    const seenVersion = input.version ?? 0;
    if ((current?.version ?? 0) !== seenVersion) {
      result.stale.push(current);
      result.faults.push({
        code: 'conflict.stale_version',
        status: 409,
        field: `${field}.version`,
        vi: `Báo cáo tiến độ nhiệm vụ ${item.number} đã được người khác thay đổi (phiên bản hiện tại ${current?.version ?? 0}). Hãy tải lại và thử lại.`,
        en: `The progress report on task ${item.number} was changed by someone else (current version ${current?.version ?? 0}). Reload and try again.`,
        details: { current },
      });
      continue;
    }
    const fields = {
      status: checked.status,
      percent: checked.percent,
      narrative: checked.narrative,
      evidence: checked.evidence,
      attachment,
      completed_on: checked.completedOn,
    };
    if (
      current &&
      current.state === 'draft' &&
      current.status === fields.status &&
      current.percent === fields.percent &&
      current.narrative === fields.narrative &&
      current.evidence === fields.evidence &&
      (current.attachment?.id ?? null) === fields.attachment &&
      current.completed_on === fields.completed_on
    ) {
      result.tasks.push({ task: input.task, outcome: 'unchanged', report: current });
      continue;
    }
    let id: number;
    if (!current) {
      const [row] = await rows<{ id: number }>(
        ex,
        sql`insert into task_report (submission_id, task_id, org_unit_id, period, role, state, status, percent, narrative,
              attachment_id, evidence, completed_on, entered_by)
            values (${s.id}, ${input.task}, ${s.org_unit_id}, ${s.period}, ${item.role}, 'draft', ${fields.status},
              ${fields.percent}, ${fields.narrative}, ${fields.attachment}, ${fields.evidence}, ${fields.completed_on}, ${actor})
            returning id`,
      );
      id = row!.id;
    } else {
      id = current.id;
      await ex.execute(
        sql`update task_report set state = 'draft', role = ${item.role}, status = ${fields.status}, percent = ${fields.percent},
              narrative = ${fields.narrative}, attachment_id = ${fields.attachment}, evidence = ${fields.evidence},
              completed_on = ${fields.completed_on}, entered_by = ${actor}, version = version + 1, updated_at = now()
            where id = ${id}`,
      );
    }
    await appendAudit(ex, {
      actor,
      action: current ? 'task_report.update' : 'task_report.create',
      entity: 'task_report',
      entityId: id,
      data: {
        submission: s.id,
        plan: item.plan,
        task: item.number,
        org_unit: s.unit_code,
        period: s.period,
        role: item.role,
        ...fields,
      },
    });
    const saved = (await submissionTaskItems(ex, s)).find((x) => x.task_id === input.task)!.report!;
    result.tasks.push({ task: input.task, outcome: current ? 'updated' : 'created', report: saved });
  }
  return result;
}

/** Moves the submission's task reports from some states to another (submit, return). */
export async function moveTaskReports(
  ex: Executor,
  actor: string,
  s: SubmissionLike,
  from: Array<'draft' | 'submitted' | 'approved'>,
  to: 'draft' | 'submitted',
): Promise<number> {
  const moved = await rows<{ id: number }>(
    ex,
    sql`update task_report set state = ${to}, updated_at = now()
        where submission_id = ${s.id} and archived_at is null and state in (${sql.join(
          from.map((f) => sql`${f}`),
          sql`, `,
        )}) returning id`,
  );
  if (moved.length)
    await appendAudit(ex, {
      actor,
      action: 'task_report.state',
      entity: 'submission',
      entityId: s.id,
      data: { task_reports: moved.map((m) => m.id).sort((a, b) => a - b), from, to },
    });
  return moved.length;
}

/**
 * On approval: every submitted task report of the submission becomes the unit's reported progress on
 * its task for the period (task_progress, provenance 'entered', with the submission, the evidence file
 * and the approver), and the report is marked approved.
 */
export async function approveTaskReports(
  ex: Executor,
  approver: string,
  s: SubmissionLike,
  options: { today?: string } = {},
): Promise<number[]> {
  const reports = await rows<{
    id: number;
    task_id: number;
    status: ProgressState;
    percent: number | null;
    narrative: string | null;
    evidence: string | null;
    attachment_id: number | null;
    filename: string | null;
    completed_on: string | null;
    entered_by: string;
  }>(
    ex,
    sql`select r.id, r.task_id, r.status, r.percent, r.narrative, r.evidence, r.attachment_id, a.filename,
          r.completed_on::text as completed_on, r.entered_by
        from task_report r left join attachment a on a.id = r.attachment_id
        where r.submission_id = ${s.id} and r.state = 'submitted' and r.archived_at is null order by r.id`,
  );
  const progressIds: number[] = [];
  for (const r of reports) {
    const [cur] = await rows<{ version: number }>(
      ex,
      sql`select version from task_progress where task_id = ${r.task_id} and org_unit_id = ${s.org_unit_id} and period = ${s.period}`,
    );
    const evidence = r.evidence ?? (r.filename ? `📎 ${r.filename}` : null);
    try {
      const { progress } = await setTaskProgress(
        ex,
        r.entered_by,
        r.task_id,
        {
          org_unit: s.unit_code,
          period: s.period,
          status: r.status,
          percent: r.percent,
          narrative: r.narrative,
          evidence,
          completed_on: r.completed_on,
          ...(cur ? { version: cur.version } : {}),
        },
        options.today ? { today: options.today } : {},
      );
      await ex.execute(
        sql`update task_progress set submission_id = ${s.id}, attachment_id = ${r.attachment_id}, approved_by = ${approver},
              approved_at = now() where id = ${progress.id}`,
      );
      await ex.execute(
        sql`update task_report set state = 'approved', progress_id = ${progress.id}, updated_at = now() where id = ${r.id}`,
      );
      progressIds.push(progress.id);
    } catch (e) {
      if (!isChisoError(e)) throw e;
      const [t] = await rows<{ number: string }>(ex, sql`select number from task where id = ${r.task_id}`);
      throw new ChisoError({
        ...e.toJSON(),
        vi: `Nhiệm vụ ${t?.number ?? r.task_id}: ${e.vi}`,
        en: `Task ${t?.number ?? r.task_id}: ${e.en}`,
      });
    }
  }
  return progressIds;
}

/** Findings for submit and validation: a required task item without a report blocks. */
export async function taskFindings(ex: Executor, s: SubmissionLike): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const i of await submissionTaskItems(ex, s)) {
    if (i.required && !i.report)
      out.push({
        key: `task_required:${i.task_id}`,
        severity: 'error',
        code: 'task_report.required',
        vi: `Chưa báo cáo tiến độ nhiệm vụ ${i.number} (${i.plan}) — mục bắt buộc.`,
        en: `No progress reported on task ${i.number} (${i.plan}) — a required item.`,
        details: { task: i.task_id, plan: i.plan, number: i.number },
      });
  }
  return out;
}

// ---- task items of forms ----

export const zFormTaskInput = z
  .object({
    plan: z.string().min(1).max(64).describe('The plan code'),
    number: z.string().min(1).max(64).describe('The task number as the plan writes it (II.2.a)'),
    required: z.boolean().default(false),
    section: z.string().max(40).nullish(),
  })
  .strict();
export type FormTaskInput = z.input<typeof zFormTaskInput>;

export const zFormTaskItem = z.object({
  position: z.number(),
  task_id: z.number(),
  plan: z.string(),
  number: z.string(),
  title_vi: z.string(),
  title_en: z.string().nullable(),
  required: z.boolean(),
  section: z.string().nullable(),
});
export type FormTaskItem = z.infer<typeof zFormTaskItem>;

/**
 * Resolves the task items of a form: each must name a task of an active plan that has no sub-tasks
 * (progress is reported on leaves), once, in a known section. Faults are returned with their field.
 */
export async function resolveFormTasks(
  ex: Executor,
  sectionCodes: Set<string>,
  tasks: FormTaskInput[],
): Promise<{
  faults: ChisoErrorInit[];
  items: Array<{ taskId: number; required: boolean; section: string | null }>;
}> {
  const faults: ChisoErrorInit[] = [];
  const items: Array<{ taskId: number; required: boolean; section: string | null }> = [];
  const seen = new Set<number>();
  for (const [i, raw] of tasks.entries()) {
    const t = zFormTaskInput.parse(raw);
    const field = `tasks.${i}`;
    const [found] = await rows<{ id: number; plan_status: string; has_children: boolean }>(
      ex,
      sql`select t.id, p.status as plan_status,
            exists (select 1 from task c where c.parent_id = t.id and c.archived_at is null) as has_children
          from task t join plan p on p.id = t.plan_id
          where p.code = ${t.plan} and t.number = ${t.number} and t.archived_at is null and p.archived_at is null`,
    );
    if (!found) {
      faults.push({
        code: 'form.unknown_task',
        field: `${field}.number`,
        vi: `Kế hoạch '${t.plan}' không có nhiệm vụ số '${t.number}'.`,
        en: `Plan '${t.plan}' has no task numbered '${t.number}'.`,
      });
      continue;
    }
    if (found.plan_status !== 'active')
      faults.push({
        code: 'form.task_plan_not_active',
        field: `${field}.plan`,
        vi: `Kế hoạch '${t.plan}' đang ở trạng thái '${found.plan_status}': chỉ đưa vào biểu mẫu nhiệm vụ của kế hoạch đang thực hiện.`,
        en: `Plan '${t.plan}' is '${found.plan_status}': only tasks of active plans go into a form.`,
      });
    if (found.has_children)
      faults.push({
        code: 'form.task_not_leaf',
        field: `${field}.number`,
        vi: `Nhiệm vụ ${t.number} có nhiệm vụ con: hãy đưa từng nhiệm vụ con vào biểu mẫu.`,
        en: `Task ${t.number} has sub-tasks: put each sub-task in the form.`,
      });
    if (seen.has(found.id))
      faults.push({
        code: 'form.duplicate_item',
        field: `${field}.number`,
        vi: `Nhiệm vụ ${t.number} (${t.plan}) có hai lần trong biểu mẫu.`,
        en: `Task ${t.number} (${t.plan}) appears twice in the form.`,
      });
    seen.add(found.id);
    const section = t.section ?? null;
    if (section !== null && !sectionCodes.has(section))
      faults.push({
        code: 'form.unknown_section',
        field: `${field}.section`,
        vi: `Mục '${section}' không có trong danh sách mục của biểu mẫu.`,
        en: `Section '${section}' is not one of the form's sections.`,
      });
    items.push({ taskId: found.id, required: t.required ?? false, section });
  }
  return { faults, items };
}

/** The task items of one version of a form, in order. */
export async function formTaskItems(ex: Executor, formId: number, version: number): Promise<FormTaskItem[]> {
  return rows<FormTaskItem>(
    ex,
    sql`select fi.position, t.id as task_id, p.code as plan, t.number, t.title_vi, t.title_en, fi.required, fi.section
        from form_item fi join task t on t.id = fi.task_id join plan p on p.id = t.plan_id
        where fi.form_id = ${formId} and fi.form_version = ${version} and fi.kind = 'task' order by fi.position`,
  );
}

/** Inserts task items after the indicator items (positions from `first`). */
export async function insertFormTasks(
  ex: Executor,
  formId: number,
  version: number,
  first: number,
  items: Array<{ taskId: number; required: boolean; section: string | null }>,
): Promise<void> {
  if (!items.length) return;
  await ex.execute(
    sql`insert into form_item (form_id, form_version, position, kind, task_id, section, required) values ${sql.join(
      items.map(
        (it, i) =>
          sql`(${formId}, ${version}, ${first + i}, 'task', ${it.taskId}, ${it.section}, ${it.required})`,
      ),
      sql`, `,
    )}`,
  );
}

// ---- output shapes (OpenAPI) ----

export const zTaskReportOut = z.object({
  id: z.number(),
  state: z.enum(['draft', 'submitted', 'approved']),
  status: z.enum(PROGRESS_STATUSES),
  percent: z.number().nullable(),
  narrative: z.string().nullable(),
  evidence: z.string().nullable(),
  attachment: z.object({ id: z.number(), filename: z.string() }).nullable(),
  completed_on: z.string().nullable(),
  version: z.number(),
  entered_by: z.string(),
  updated_at: z.string(),
});
export const zSubmissionTaskItem = z.object({
  position: z.number(),
  section: z.string().nullable(),
  required: z.boolean(),
  task_id: z.number(),
  plan: z.string(),
  number: z.string(),
  title_vi: z.string(),
  title_en: z.string().nullable(),
  output_vi: z.string().nullable(),
  output_en: z.string().nullable(),
  deadline_vi: z.string(),
  deadline_en: z.string(),
  role: z.enum(['lead', 'co_lead', 'coordinating']),
  report: zTaskReportOut.nullable(),
  last: z
    .object({ period: z.string(), status: z.enum(PROGRESS_STATUSES), percent: z.number().nullable() })
    .nullable(),
});
export const zTaskSaveOut = z.object({
  task: z.number(),
  outcome: z.enum(['created', 'updated', 'unchanged']),
  report: zTaskReportOut,
});
