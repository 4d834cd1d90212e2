/**
 * Reading plans and tasks with their status at a reference date.
 *
 * Who answers for a task (its responsible units): its lead unit and co-leads; for a lead or co-lead
 * level ("các sở, ban, ngành") every unit of that level that existed on the day judged (the
 * deadline when it has passed, else the reference date); and every unit that reported as lead or
 * co-lead. A task no unit leads is answered for by the plan's issuer (the People's Committee that
 * issued it). Each responsible unit gets a status from its own reports (src/core/tasks.ts); the task's
 * status is the most severe of them; a task with sub-tasks takes the most severe of its sub-tasks'
 * (and of its own units', when any report on it directly).
 */
import { sql } from 'drizzle-orm';
import {
  combineStatuses,
  type Deadline,
  deadlineCode,
  deadlineDate,
  formatDeadlineEn,
  formatDeadlineVi,
  type ProgressPoint,
  type Recurrence,
  TASK_STATUS_LABELS,
  type TaskStatus,
  type TaskStatusResult,
  unitTaskStatus,
} from '../../core/tasks.ts';
import { compareTaskNumbers } from '../../core/tasks.ts';
import { foldVi } from '../../core/text.ts';
import { daysBetween } from '../../core/period.ts';
import { type Executor, rows } from '../../store/db.ts';
import { LEVEL_PREFIX } from './import-plan.ts';

/** Today in Viet Nam (UTC+7), 'YYYY-MM-DD'. */
export function todayInVietnam(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Ho_Chi_Minh',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

export interface AssigneeOut {
  /** A unit code, or 'ALL.<level>' for every unit of a level. */
  code: string;
  kind: 'unit' | 'level';
  name_vi: string;
  name_en: string | null;
}

export interface PlanRow {
  id: number;
  code: string;
  document: string | null;
  title_vi: string;
  title_en: string | null;
  issuer: string | null;
  issuer_unit: string | null;
  issuer_unit_id: number | null;
  issued_on: string | null;
  status: string;
  closed_on: string | null;
  seed: string | null;
  note: string | null;
  source: string | null;
  version: number;
  updated_at: string;
}

interface TaskRow {
  id: number;
  plan_id: number;
  number: string;
  parent_id: number | null;
  sort: number;
  depth: number;
  title_vi: string;
  title_en: string | null;
  description_vi: string | null;
  description_en: string | null;
  lead_unit_id: number | null;
  lead_unit: string | null;
  lead_unit_name_vi: string | null;
  lead_unit_name_en: string | null;
  lead_level: string | null;
  lead_level_name_vi: string | null;
  lead_level_name_en: string | null;
  deadline_kind: Deadline['kind'];
  deadline_value: string | null;
  deadline_text: string | null;
  recurrence: Recurrence | null;
  output_vi: string | null;
  output_en: string | null;
  quote: string | null;
  search_text: string;
  version: number;
}

interface AssignmentRow {
  task_id: number;
  role: 'co_lead' | 'coordinating';
  org_unit_id: number | null;
  code: string | null;
  name_vi: string | null;
  name_en: string | null;
  org_level: string | null;
  level_name_vi: string | null;
  level_name_en: string | null;
}

export interface ProgressRow {
  id: number;
  task_id: number;
  org_unit_id: number;
  org_unit: string;
  org_unit_name_vi: string;
  period: string;
  role: 'lead' | 'co_lead' | 'coordinating';
  status: ProgressPoint['status'];
  percent: number | null;
  narrative: string | null;
  evidence: string | null;
  completed_on: string | null;
  provenance: string;
  version: number;
  reported_by: string;
  reported_at: string;
}

interface LevelUnit {
  id: number;
  code: string;
  name_vi: string;
  level: string;
  valid_from: string | null;
  valid_to: string | null;
}

export interface UnitStatus {
  org_unit: string;
  org_unit_name_vi: string;
  role: 'lead' | 'co_lead';
  status: TaskStatus;
  status_reason: string | null;
  percent: number | null;
  period: string | null;
  last_reported_at: string | null;
  completed_on: string | null;
}

export interface TaskOut {
  id: number;
  plan: string;
  number: string;
  parent_number: string | null;
  depth: number;
  sort: number;
  is_leaf: boolean;
  title_vi: string;
  title_en: string | null;
  description_vi: string | null;
  description_en: string | null;
  /** The lead: a unit code, 'ALL.<level>', or null. */
  lead_unit: string | null;
  lead: AssigneeOut | null;
  co_leads: AssigneeOut[];
  coordinating: AssigneeOut[];
  deadline: {
    kind: Deadline['kind'];
    /** The structured code: an ISO date, a period code, 'recurring' or ''. */
    code: string;
    value: string | null;
    text: string | null;
    recurrence: Recurrence | null;
    /** Last day of a dated deadline. */
    date: string | null;
    label_vi: string;
    label_en: string;
  };
  output_vi: string | null;
  output_en: string | null;
  quote: string | null;
  indicators: Array<{ code: string; name_vi: string; name_en: string | null; target_id: number | null }>;
  status: TaskStatus;
  status_label_vi: string;
  status_label_en: string;
  status_reason: string | null;
  percent: number | null;
  days_left: number | null;
  /** Recurring: the period judged. */
  period: string | null;
  units_expected: number;
  units_reported: number;
  units_done: number;
  version: number;
}

export interface TaskDetail extends TaskOut {
  plan_title_vi: string;
  plan_title_en: string | null;
  unit_statuses: UnitStatus[];
  progress: ProgressRow[];
  feedback: { total: number; answered: number };
}

export interface StatusContext {
  asOf: string;
  /** Show draft plans (signed-in users); the public sees active and closed plans only. */
  includeDrafts?: boolean;
  dueWithinDays?: number;
  atRiskMargin?: number;
}

export const PLAN_COLUMNS = sql`p.id, p.code, d.code as document, p.title_vi, p.title_en, p.issuer, iu.code as issuer_unit,
  p.issuer_unit_id, p.issued_on, p.status, p.closed_on, p.seed, p.note, p.source, p.version, p.updated_at`;
export const PLAN_FROM = sql`plan p left join document d on d.id = p.document_id left join org_unit iu on iu.id = p.issuer_unit_id`;

export async function getPlanRow(ex: Executor, code: string, includeDrafts = true): Promise<PlanRow | null> {
  const [p] = await rows<PlanRow>(
    ex,
    sql`select ${PLAN_COLUMNS} from ${PLAN_FROM} where p.code = ${code} and p.archived_at is null
        and (${includeDrafts} or p.status <> 'draft')`,
  );
  return p ?? null;
}

const deadlineOfRow = (t: TaskRow): Deadline => ({
  kind: t.deadline_kind,
  value: t.deadline_value,
  recurrence: t.recurrence,
  text: t.deadline_text,
});

/** Everything needed to judge the tasks of some plans. */
interface Loaded {
  plans: Map<number, PlanRow>;
  tasks: TaskRow[];
  assignments: Map<number, AssignmentRow[]>;
  progress: Map<number, ProgressRow[]>;
  indicators: Map<number, TaskOut['indicators']>;
  levelUnits: Map<string, LevelUnit[]>;
  levelNames: Map<string, { vi: string; en: string }>;
  issuerUnits: Map<number, { id: number; code: string; name_vi: string }>;
}

async function load(ex: Executor, planIds: number[]): Promise<Loaded> {
  const ids = planIds.length ? planIds : [-1];
  const idList = sql.join(
    ids.map((i) => sql`${i}`),
    sql`, `,
  );
  const plans = new Map(
    (await rows<PlanRow>(ex, sql`select ${PLAN_COLUMNS} from ${PLAN_FROM} where p.id in (${idList})`)).map(
      (p) => [p.id, p],
    ),
  );
  const tasks = await rows<TaskRow>(
    ex,
    sql`select t.id, t.plan_id, t.number, t.parent_id, t.sort, t.depth, t.title_vi, t.title_en, t.description_vi, t.description_en,
          t.lead_unit_id, u.code as lead_unit, u.name_vi as lead_unit_name_vi, u.name_en as lead_unit_name_en, t.lead_level,
          l.name_vi as lead_level_name_vi, l.name_en as lead_level_name_en, t.deadline_kind, t.deadline_value, t.deadline_text,
          t.recurrence, t.output_vi, t.output_en, t.quote, t.search_text, t.version
        from task t left join org_unit u on u.id = t.lead_unit_id left join org_level l on l.code = t.lead_level
        where t.plan_id in (${idList}) and t.archived_at is null order by t.plan_id, t.sort`,
  );
  const assignments = new Map<number, AssignmentRow[]>();
  for (const a of await rows<AssignmentRow>(
    ex,
    sql`select a.task_id, a.role, a.org_unit_id, u.code, u.name_vi, u.name_en, a.org_level, l.name_vi as level_name_vi, l.name_en as level_name_en
        from task_assignment a join task t on t.id = a.task_id left join org_unit u on u.id = a.org_unit_id
        left join org_level l on l.code = a.org_level
        where t.plan_id in (${idList}) and a.archived_at is null order by a.task_id, a.role, a.sort`,
  )) {
    assignments.set(a.task_id, [...(assignments.get(a.task_id) ?? []), a]);
  }
  const progress = new Map<number, ProgressRow[]>();
  for (const p of await rows<ProgressRow>(
    ex,
    sql`select tp.id, tp.task_id, tp.org_unit_id, u.code as org_unit, u.name_vi as org_unit_name_vi, tp.period, tp.role, tp.status,
          tp.percent, tp.narrative, tp.evidence, tp.completed_on, tp.provenance, tp.version, tp.reported_by, tp.reported_at
        from task_progress tp join task t on t.id = tp.task_id join org_unit u on u.id = tp.org_unit_id
        where t.plan_id in (${idList}) and tp.archived_at is null order by tp.task_id, tp.period_start, tp.reported_at`,
  )) {
    progress.set(p.task_id, [...(progress.get(p.task_id) ?? []), p]);
  }
  const indicators = new Map<number, TaskOut['indicators']>();
  for (const i of await rows<{
    task_id: number;
    code: string;
    name_vi: string;
    name_en: string | null;
    target_id: number | null;
  }>(
    ex,
    sql`select ti.task_id, i.code, i.name_vi, i.name_en, ti.target_id from task_indicator ti join task t on t.id = ti.task_id
        join indicator i on i.id = ti.indicator_id where t.plan_id in (${idList}) and ti.archived_at is null order by ti.task_id, i.code`,
  )) {
    const { task_id, ...rest } = i;
    indicators.set(task_id, [...(indicators.get(task_id) ?? []), rest]);
  }
  const levels = new Set<string>();
  for (const t of tasks) if (t.lead_level) levels.add(t.lead_level);
  for (const list of assignments.values())
    for (const a of list) if (a.role === 'co_lead' && a.org_level) levels.add(a.org_level);
  const levelUnits = new Map<string, LevelUnit[]>();
  if (levels.size) {
    for (const u of await rows<LevelUnit>(
      ex,
      sql`select id, code, name_vi, level, valid_from, valid_to from org_unit
          where archived_at is null and level in (${sql.join(
            [...levels].map((l) => sql`${l}`),
            sql`, `,
          )}) order by code`,
    )) {
      levelUnits.set(u.level, [...(levelUnits.get(u.level) ?? []), u]);
    }
  }
  const levelNames = new Map(
    (
      await rows<{ code: string; name_vi: string; name_en: string }>(
        ex,
        sql`select code, name_vi, name_en from org_level`,
      )
    ).map((l) => [l.code, { vi: l.name_vi, en: l.name_en }]),
  );
  const issuerUnits = new Map<number, { id: number; code: string; name_vi: string }>();
  const issuerIds = [...plans.values()].map((p) => p.issuer_unit_id).filter((x): x is number => x !== null);
  if (issuerIds.length) {
    for (const u of await rows<{ id: number; code: string; name_vi: string }>(
      ex,
      sql`select id, code, name_vi from org_unit where id in (${sql.join(
        issuerIds.map((i) => sql`${i}`),
        sql`, `,
      )})`,
    ))
      issuerUnits.set(u.id, u);
  }
  return { plans, tasks, assignments, progress, indicators, levelUnits, levelNames, issuerUnits };
}

const validOn = (u: { valid_from: string | null; valid_to: string | null }, day: string): boolean =>
  (u.valid_from === null || u.valid_from <= day) && (u.valid_to === null || u.valid_to >= day);

const toPoint = (p: ProgressRow): ProgressPoint => ({
  period: p.period,
  status: p.status,
  percent: p.percent,
  reportedOn: isoDay(p.reported_at),
  completedOn: p.completed_on,
});

/** The calendar day (in Viet Nam) of a timestamp as the drivers return it. */
export function isoDay(ts: string | Date): string {
  const d =
    ts instanceof Date ? ts : new Date(ts.includes('T') || ts.includes(' ') ? ts.replace(' ', 'T') : ts);
  return Number.isNaN(d.getTime()) ? String(ts).slice(0, 10) : todayInVietnam(d);
}

interface Judged {
  out: TaskOut;
  unitStatuses: UnitStatus[];
}

function assigneeOut(
  a: { code: string | null; name_vi: string | null; name_en: string | null; org_level: string | null },
  levelNames: Loaded['levelNames'],
): AssigneeOut {
  if (a.org_level) {
    const n = levelNames.get(a.org_level);
    return {
      code: `${LEVEL_PREFIX}${a.org_level}`,
      kind: 'level',
      name_vi: `Mọi đơn vị cấp: ${n?.vi ?? a.org_level}`,
      name_en: `Every unit of level: ${n?.en ?? a.org_level}`,
    };
  }
  return { code: a.code ?? '', kind: 'unit', name_vi: a.name_vi ?? '', name_en: a.name_en };
}

/** Judges every task of the loaded plans. */
function judge(data: Loaded, ctx: StatusContext): Map<number, Judged> {
  const out = new Map<number, Judged>();
  const children = new Map<number, TaskRow[]>();
  for (const t of data.tasks) {
    if (t.parent_id !== null) children.set(t.parent_id, [...(children.get(t.parent_id) ?? []), t]);
  }
  const byId = new Map(data.tasks.map((t) => [t.id, t]));
  const options = (plan: PlanRow) => ({
    asOf: ctx.asOf,
    start: plan.issued_on,
    until: plan.closed_on,
    ...(ctx.dueWithinDays !== undefined ? { dueWithinDays: ctx.dueWithinDays } : {}),
    ...(ctx.atRiskMargin !== undefined ? { atRiskMargin: ctx.atRiskMargin } : {}),
  });

  const judgeOne = (t: TaskRow): Judged => {
    const done = out.get(t.id);
    if (done) return done;
    const plan = data.plans.get(t.plan_id)!;
    const deadline = deadlineOfRow(t);
    const end = deadlineDate(deadline);
    let day = ctx.asOf;
    if (end !== null && end < day) day = end;
    if (plan.closed_on && plan.closed_on < day) day = plan.closed_on;
    const assignments = data.assignments.get(t.id) ?? [];
    const reports = data.progress.get(t.id) ?? [];

    // The responsible units and the role each has.
    const responsible = new Map<number, { code: string; name_vi: string; role: 'lead' | 'co_lead' }>();
    const addLevel = (level: string, role: 'lead' | 'co_lead') => {
      for (const u of data.levelUnits.get(level) ?? [])
        if (validOn(u, day) && !responsible.has(u.id))
          responsible.set(u.id, { code: u.code, name_vi: u.name_vi, role });
    };
    if (t.lead_unit_id !== null)
      responsible.set(t.lead_unit_id, { code: t.lead_unit!, name_vi: t.lead_unit_name_vi!, role: 'lead' });
    if (t.lead_level) addLevel(t.lead_level, 'lead');
    for (const a of assignments) {
      if (a.role !== 'co_lead') continue;
      if (a.org_unit_id !== null && !responsible.has(a.org_unit_id))
        responsible.set(a.org_unit_id, { code: a.code!, name_vi: a.name_vi!, role: 'co_lead' });
      if (a.org_level) addLevel(a.org_level, 'co_lead');
    }
    const noLead =
      t.lead_unit_id === null && t.lead_level === null && !assignments.some((a) => a.role === 'co_lead');
    if (noLead && plan.issuer_unit_id !== null) {
      const u = data.issuerUnits.get(plan.issuer_unit_id);
      if (u) responsible.set(u.id, { code: u.code, name_vi: u.name_vi, role: 'lead' });
    }
    for (const r of reports) {
      if (r.role !== 'coordinating' && !responsible.has(r.org_unit_id))
        responsible.set(r.org_unit_id, { code: r.org_unit, name_vi: r.org_unit_name_vi, role: r.role });
    }

    const kids = (children.get(t.id) ?? []).map(judgeOne);
    const unitStatuses: UnitStatus[] = [];
    const results: TaskStatusResult[] = [];
    const hasOwnReports = reports.some((r) => r.role !== 'coordinating');
    if (kids.length === 0 || hasOwnReports) {
      for (const [unitId, u] of responsible) {
        const own = reports.filter((r) => r.org_unit_id === unitId && r.role !== 'coordinating');
        if (kids.length > 0 && own.length === 0) continue;
        const r = unitTaskStatus(deadline, own.map(toPoint), options(plan));
        results.push(r);
        const last = own.at(-1);
        unitStatuses.push({
          org_unit: u.code,
          org_unit_name_vi: u.name_vi,
          role: u.role,
          status: r.status,
          status_reason: r.reason,
          percent: r.percent,
          period: r.period,
          last_reported_at: last?.reported_at ?? null,
          completed_on: r.completedOn,
        });
      }
    }
    let status: TaskStatus;
    let reason: string | null = null;
    let percent: number | null;
    let daysLeft: number | null;
    let period: string | null = null;
    if (kids.length === 0 && results.length === 0) {
      // Nobody answers for it: judged from its deadline alone.
      const r = unitTaskStatus(deadline, [], options(plan));
      status = r.status;
      reason = r.reason;
      percent = null;
      daysLeft = r.daysLeft;
      period = r.period;
    } else {
      const statuses = [...results.map((r) => r.status), ...kids.map((k) => k.out.status)];
      status = combineStatuses(statuses)!;
      const worst = results.find((r) => r.status === status);
      reason = worst?.reason ?? kids.find((k) => k.out.status === status)?.out.status_reason ?? null;
      period = worst?.period ?? null;
      const percents =
        deadline.kind === 'recurring'
          ? []
          : kids.length > 0
            ? kids.map((k) => k.out.percent).filter((p): p is number => p !== null)
            : results.map((r) => r.percent ?? 0);
      percent = percents.length
        ? Math.round((percents.reduce((a, b) => a + b, 0) / percents.length) * 10) / 10
        : null;
      daysLeft = end !== null ? daysBetween(ctx.asOf, end) : (worst?.daysLeft ?? null);
    }
    const leafUnits = kids.length === 0;
    const lead: AssigneeOut | null =
      t.lead_unit_id !== null
        ? { code: t.lead_unit!, kind: 'unit', name_vi: t.lead_unit_name_vi!, name_en: t.lead_unit_name_en }
        : t.lead_level
          ? assigneeOut(
              { code: null, name_vi: null, name_en: null, org_level: t.lead_level },
              data.levelNames,
            )
          : null;
    const parent = t.parent_id !== null ? byId.get(t.parent_id) : undefined;
    const judged: Judged = {
      out: {
        id: t.id,
        plan: plan.code,
        number: t.number,
        parent_number: parent?.number ?? null,
        depth: t.depth,
        sort: t.sort,
        is_leaf: kids.length === 0,
        title_vi: t.title_vi,
        title_en: t.title_en,
        description_vi: t.description_vi,
        description_en: t.description_en,
        lead_unit: lead?.code ?? null,
        lead,
        co_leads: assignments.filter((a) => a.role === 'co_lead').map((a) => assigneeOut(a, data.levelNames)),
        coordinating: assignments
          .filter((a) => a.role === 'coordinating')
          .map((a) => assigneeOut(a, data.levelNames)),
        deadline: {
          kind: deadline.kind,
          code: deadlineCode(deadline),
          value: deadline.value,
          text: deadline.text,
          recurrence: deadline.recurrence,
          date: end,
          label_vi: formatDeadlineVi(deadline),
          label_en: formatDeadlineEn(deadline),
        },
        output_vi: t.output_vi,
        output_en: t.output_en,
        quote: t.quote,
        indicators: data.indicators.get(t.id) ?? [],
        status,
        status_label_vi: TASK_STATUS_LABELS[status].vi,
        status_label_en: TASK_STATUS_LABELS[status].en,
        status_reason: reason,
        percent,
        days_left: daysLeft,
        period,
        units_expected: leafUnits ? responsible.size : kids.reduce((a, k) => a + k.out.units_expected, 0),
        units_reported: leafUnits
          ? unitStatuses.filter((u) => u.last_reported_at !== null).length
          : kids.reduce((a, k) => a + k.out.units_reported, 0),
        units_done: leafUnits
          ? unitStatuses.filter((u) => u.status === 'done' || u.status === 'done_late').length
          : kids.reduce((a, k) => a + k.out.units_done, 0),
        version: t.version,
      },
      unitStatuses,
    };
    out.set(t.id, judged);
    return judged;
  };
  for (const t of data.tasks) judgeOne(t);
  return out;
}

export interface PlanFilter {
  q?: string | undefined;
  status?: string | undefined;
}

export interface PlanSummary extends Omit<PlanRow, 'issuer_unit_id' | 'id'> {
  tasks: number;
  leaf_tasks: number;
  status_counts: Partial<Record<TaskStatus, number>>;
}

function planWhere(f: PlanFilter, includeDrafts: boolean) {
  const parts = [sql`p.archived_at is null`];
  if (!includeDrafts) parts.push(sql`p.status <> 'draft'`);
  if (f.status) parts.push(sql`p.status = ${f.status}`);
  if (f.q)
    for (const w of foldVi(f.q).split(' ').filter(Boolean)) parts.push(sql`p.search_text like ${`%${w}%`}`);
  return sql.join(parts, sql` and `);
}

/** Plans with their task counts and the number of leaf tasks in each status. */
export async function listPlans(
  ex: Executor,
  f: PlanFilter,
  page: { limit: number; offset: number },
  ctx: StatusContext,
): Promise<{ items: PlanSummary[]; total: number }> {
  const where = planWhere(f, ctx.includeDrafts ?? true);
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from plan p where ${where}`);
  const plans = await rows<PlanRow>(
    ex,
    sql`select ${PLAN_COLUMNS} from ${PLAN_FROM} where ${where}
        order by p.issued_on desc nulls last, p.code limit ${page.limit} offset ${page.offset}`,
  );
  const data = await load(
    ex,
    plans.map((p) => p.id),
  );
  const judged = judge(data, ctx);
  const planOf = new Map(data.tasks.map((t) => [t.id, t.plan_id]));
  const items = plans.map(({ id, issuer_unit_id: _u, ...p }) => {
    const mine = [...judged.values()].filter((j) => planOf.get(j.out.id) === id);
    const counts: Partial<Record<TaskStatus, number>> = {};
    for (const j of mine) if (j.out.is_leaf) counts[j.out.status] = (counts[j.out.status] ?? 0) + 1;
    return {
      ...p,
      tasks: mine.length,
      leaf_tasks: mine.filter((j) => j.out.is_leaf).length,
      status_counts: counts,
    };
  });
  return { items, total: c?.n ?? 0 };
}

export interface TaskTreeNode extends TaskOut {
  children: TaskTreeNode[];
}

/** One plan with its task tree, each task judged at the reference date. */
export async function getPlanTree(
  ex: Executor,
  code: string,
  ctx: StatusContext,
): Promise<
  | (Omit<PlanRow, 'issuer_unit_id'> & {
      tasks: TaskTreeNode[];
      status_counts: Partial<Record<TaskStatus, number>>;
    })
  | null
> {
  const plan = await getPlanRow(ex, code, ctx.includeDrafts ?? true);
  if (!plan) return null;
  const data = await load(ex, [plan.id]);
  const judged = judge(data, ctx);
  const nodes = new Map<number, TaskTreeNode>();
  const roots: TaskTreeNode[] = [];
  const counts: Partial<Record<TaskStatus, number>> = {};
  for (const t of data.tasks) {
    const j = judged.get(t.id)!;
    const node: TaskTreeNode = { ...j.out, children: [] };
    nodes.set(t.id, node);
    if (j.out.is_leaf) counts[j.out.status] = (counts[j.out.status] ?? 0) + 1;
    const parent = t.parent_id !== null ? nodes.get(t.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const { issuer_unit_id: _u, ...rest } = plan;
  return { ...rest, tasks: roots, status_counts: counts };
}

export interface TaskFilter {
  plan?: string | undefined;
  /** Tasks this unit leads or co-leads (also through its level). */
  lead_unit?: string | undefined;
  /** Tasks this unit takes any part in (lead, co-lead or coordinating, also through its level). */
  unit?: string | undefined;
  status?: TaskStatus | undefined;
  deadline_from?: string | undefined;
  deadline_to?: string | undefined;
  deadline_kind?: string | undefined;
  leaf_only?: boolean | undefined;
  q?: string | undefined;
}

/** Tasks of every active or closed plan (or one plan), judged and filtered, in document order. */
export async function listTasks(
  ex: Executor,
  f: TaskFilter,
  page: { limit: number; offset: number },
  ctx: StatusContext,
): Promise<{ items: TaskOut[]; total: number }> {
  const planIds = (
    await rows<{ id: number }>(
      ex,
      f.plan
        ? sql`select id from plan where code = ${f.plan} and archived_at is null and (${ctx.includeDrafts ?? true} or status <> 'draft')`
        : sql`select id from plan where archived_at is null and status <> 'draft' order by issued_on desc nulls last, code`,
    )
  ).map((r) => r.id);
  const data = await load(ex, planIds);
  const judged = judge(data, ctx);
  let unitInfo: { id: number; level: string } | null | undefined;
  const unitCode = f.lead_unit ?? f.unit;
  if (unitCode) {
    const [u] = await rows<{ id: number; level: string }>(
      ex,
      sql`select id, level from org_unit where code = ${unitCode}`,
    );
    unitInfo = u ?? null;
  }
  const words = f.q ? foldVi(f.q).split(' ').filter(Boolean) : [];
  const planOrder = new Map(planIds.map((id, i) => [id, i]));
  const tasks = [...data.tasks].sort(
    (a, b) => planOrder.get(a.plan_id)! - planOrder.get(b.plan_id)! || a.sort - b.sort,
  );
  const items: TaskOut[] = [];
  for (const t of tasks) {
    const j = judged.get(t.id)!;
    const o = j.out;
    if (f.status && o.status !== f.status) continue;
    if (f.leaf_only && !o.is_leaf) continue;
    if (f.deadline_kind && o.deadline.kind !== f.deadline_kind) continue;
    if (f.deadline_from && (o.deadline.date === null || o.deadline.date < f.deadline_from)) continue;
    if (f.deadline_to && (o.deadline.date === null || o.deadline.date > f.deadline_to)) continue;
    if (words.length && !words.every((w) => t.search_text.includes(w))) continue;
    if (unitCode) {
      if (!unitInfo) continue;
      const u = unitInfo;
      const as = data.assignments.get(t.id) ?? [];
      const leads =
        t.lead_unit_id === u.id ||
        t.lead_level === u.level ||
        as.some((a) => a.role === 'co_lead' && (a.org_unit_id === u.id || a.org_level === u.level)) ||
        j.unitStatuses.some((s) => s.org_unit === unitCode);
      const coordinates = as.some(
        (a) => a.role === 'coordinating' && (a.org_unit_id === u.id || a.org_level === u.level),
      );
      if (f.lead_unit && !leads) continue;
      if (f.unit && !leads && !coordinates) continue;
    }
    items.push(o);
  }
  return { items: items.slice(page.offset, page.offset + page.limit), total: items.length };
}

/** One task with the status of each responsible unit and every progress report. */
export async function getTaskDetail(
  ex: Executor,
  id: number,
  ctx: StatusContext,
): Promise<TaskDetail | null> {
  const [t] = await rows<{ plan_id: number }>(
    ex,
    sql`select t.plan_id from task t join plan p on p.id = t.plan_id where t.id = ${id} and t.archived_at is null and p.archived_at is null
        and (${ctx.includeDrafts ?? true} or p.status <> 'draft')`,
  );
  if (!t) return null;
  const data = await load(ex, [t.plan_id]);
  const judged = judge(data, ctx);
  const j = judged.get(id);
  if (!j) return null;
  const plan = data.plans.get(t.plan_id)!;
  const [fb] = await rows<{ total: number; answered: number }>(
    ex,
    sql`select count(*)::int as total, count(*) filter (where status = 'answered')::int as answered
        from feedback where task_id = ${id} and status <> 'hidden'`,
  );
  return {
    ...j.out,
    plan_title_vi: plan.title_vi,
    plan_title_en: plan.title_en,
    unit_statuses: j.unitStatuses.sort((a, b) =>
      a.role === b.role ? a.org_unit.localeCompare(b.org_unit) : a.role === 'lead' ? -1 : 1,
    ),
    progress: data.progress.get(id) ?? [],
    feedback: fb ?? { total: 0, answered: 0 },
  };
}

/** Every progress report of a plan's tasks (the progress table), in document order. */
export async function planProgress(
  ex: Executor,
  planId: number,
): Promise<Array<ProgressRow & { number: string; title_vi: string }>> {
  const list = await rows<ProgressRow & { number: string; title_vi: string }>(
    ex,
    sql`select tp.id, tp.task_id, t.number, t.title_vi, tp.org_unit_id, u.code as org_unit, u.name_vi as org_unit_name_vi, tp.period, tp.role,
          tp.status, tp.percent, tp.narrative, tp.evidence, tp.completed_on, tp.provenance, tp.version, tp.reported_by, tp.reported_at
        from task_progress tp join task t on t.id = tp.task_id join org_unit u on u.id = tp.org_unit_id
        where t.plan_id = ${planId} and t.archived_at is null and tp.archived_at is null
        order by t.sort, tp.period_start, u.code`,
  );
  return list;
}

/** Tasks of a plan in document order with their status (for exports). */
export async function planTasksFlat(ex: Executor, planId: number, ctx: StatusContext): Promise<TaskOut[]> {
  const data = await load(ex, [planId]);
  const judged = judge(data, ctx);
  return data.tasks
    .map((t) => judged.get(t.id)!.out)
    .sort((a, b) => a.sort - b.sort || compareTaskNumbers(a.number, b.number));
}
