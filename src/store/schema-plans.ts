/**
 * Plans and tasks (kế hoạch, nhiệm vụ), task progress, and public feedback (góp ý).
 *
 * A plan is a document with a tree of tasks numbered as in the document (II.2.a …). A task is led
 * by one unit or by every unit of a level ("các sở, ban, ngành": lead_level 'department'); further
 * leads and coordinating units (phối hợp) — units or whole levels — are in task_assignment. Progress
 * is reported per task × unit × period with an optimistic version; every version is kept in
 * task_progress_history. Feedback is routed to the responsible unit, answered publicly, and hidden
 * (never deleted) by a moderator with a reason. Nothing is hard-deleted: rows are archived.
 */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  serial,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { document, indicator, orgLevel, orgUnit, target } from './schema.ts';
import { attachment, submission } from './schema-rounds.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });
const createdAt = tz('created_at').notNull().defaultNow();
const updatedAt = tz('updated_at').notNull().defaultNow();
const archivedAt = tz('archived_at');

/** Plans (kế hoạch): a document with a tree of tasks. */
export const plan = pgTable(
  'plan',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    documentId: integer('document_id').references(() => document.id),
    titleVi: text('title_vi').notNull(),
    titleEn: text('title_en'),
    /** The issuer as the document names it ("UBND Thành phố Hồ Chí Minh"). */
    issuer: text('issuer'),
    /** The issuer's unit, when known: feedback on the plan goes there. */
    issuerUnitId: integer('issuer_unit_id').references(() => orgUnit.id),
    issuedOn: date('issued_on', { mode: 'string' }),
    status: text('status').notNull().default('active'),
    /** The day the plan was closed: recurring tasks are not judged after it. */
    closedOn: date('closed_on', { mode: 'string' }),
    seed: text('seed'),
    note: text('note'),
    /** The file the plan was last imported from. */
    source: text('source'),
    searchText: text('search_text').notNull().default(''),
    version: integer('version').notNull().default(1),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [
    uniqueIndex('plan_code_uq').on(t.code),
    check('plan_status_ck', sql`${t.status} in ('draft','active','closed')`),
  ],
);

/** Tasks (nhiệm vụ), a tree per plan, numbered as in the document. */
export const task = pgTable(
  'task',
  {
    id: serial('id').primaryKey(),
    planId: integer('plan_id')
      .notNull()
      .references(() => plan.id),
    number: text('number').notNull(),
    parentId: integer('parent_id').references((): AnyPgColumn => task.id),
    /** Position among all tasks of the plan, in document order. */
    sort: integer('sort').notNull(),
    depth: smallint('depth').notNull().default(0),
    titleVi: text('title_vi').notNull(),
    titleEn: text('title_en'),
    descriptionVi: text('description_vi'),
    descriptionEn: text('description_en'),
    /** Chủ trì: one unit, or every unit of a level — never both. */
    leadUnitId: integer('lead_unit_id').references(() => orgUnit.id),
    leadLevel: text('lead_level').references(() => orgLevel.code),
    deadlineKind: text('deadline_kind').notNull().default('none'),
    /** An ISO date (kind 'date') or a period code (month … year). */
    deadlineValue: text('deadline_value'),
    /** The deadline as the document writes it. */
    deadlineText: text('deadline_text'),
    /** Last day of a dated deadline, for sorting and filtering. */
    deadlineDate: date('deadline_date', { mode: 'string' }),
    /** Recurring tasks: the period of the report they owe. */
    recurrence: text('recurrence'),
    outputVi: text('output_vi'),
    outputEn: text('output_en'),
    quote: text('quote'),
    searchText: text('search_text').notNull().default(''),
    version: integer('version').notNull().default(1),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [
    uniqueIndex('task_number_uq').on(t.planId, t.number),
    index('task_parent_idx').on(t.parentId),
    index('task_lead_unit_idx').on(t.leadUnitId),
    index('task_deadline_idx').on(t.deadlineDate),
    check('task_lead_ck', sql`${t.leadUnitId} is null or ${t.leadLevel} is null`),
    check(
      'task_deadline_kind_ck',
      sql`${t.deadlineKind} in ('date','month','quarter','half','year','recurring','none')`,
    ),
    check(
      'task_deadline_value_ck',
      sql`(${t.deadlineKind} in ('recurring','none')) = (${t.deadlineValue} is null)`,
    ),
    check(
      'task_recurrence_ck',
      sql`(${t.deadlineKind} = 'recurring') = (${t.recurrence} is not null) and (${t.recurrence} is null or ${t.recurrence} in ('month','quarter','half','year'))`,
    ),
  ],
);

/**
 * Further units of a task: co-leads (đồng chủ trì: the text gives one task to several units jointly)
 * and coordinating units (phối hợp). Each row names one unit or every unit of a level.
 */
export const taskAssignment = pgTable(
  'task_assignment',
  {
    id: serial('id').primaryKey(),
    taskId: integer('task_id')
      .notNull()
      .references(() => task.id),
    role: text('role').notNull(),
    orgUnitId: integer('org_unit_id').references(() => orgUnit.id),
    orgLevel: text('org_level').references(() => orgLevel.code),
    sort: smallint('sort').notNull().default(0),
    createdAt,
    archivedAt,
  },
  (t) => [
    unique('task_assignment_uq').on(t.taskId, t.role, t.orgUnitId, t.orgLevel).nullsNotDistinct(),
    index('task_assignment_unit_idx').on(t.orgUnitId),
    check('task_assignment_role_ck', sql`${t.role} in ('co_lead','coordinating')`),
    check('task_assignment_scope_ck', sql`(${t.orgUnitId} is null) <> (${t.orgLevel} is null)`),
  ],
);

/** Indicators (and optionally one of their targets) that measure a task. */
export const taskIndicator = pgTable(
  'task_indicator',
  {
    id: serial('id').primaryKey(),
    taskId: integer('task_id')
      .notNull()
      .references(() => task.id),
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicator.id),
    targetId: integer('target_id').references(() => target.id),
    createdAt,
    archivedAt,
  },
  (t) => [
    unique('task_indicator_uq').on(t.taskId, t.indicatorId, t.targetId).nullsNotDistinct(),
    index('task_indicator_indicator_idx').on(t.indicatorId),
  ],
);

/**
 * Task progress: what one unit reports on one task for one period. The lead units' reports decide the
 * task's status; coordinating units add their part. Optimistic version; history in
 * task_progress_history.
 */
export const taskProgress = pgTable(
  'task_progress',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    taskId: integer('task_id')
      .notNull()
      .references(() => task.id),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    period: text('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    /** The unit's part in the task when it reported: lead, co_lead or coordinating. */
    role: text('role').notNull(),
    status: text('status').notNull(),
    percent: smallint('percent'),
    narrative: text('narrative'),
    /** Where the evidence is: a link, a document number, an attachment id. */
    evidence: text('evidence'),
    completedOn: date('completed_on', { mode: 'string' }),
    provenance: text('provenance').notNull().default('entered'),
    /** The reporting-round submission whose approval made this the reported progress (null: reported directly). */
    submissionId: integer('submission_id').references(() => submission.id),
    /** The evidence file of that submission (attachment), when one was attached. */
    attachmentId: integer('attachment_id').references(() => attachment.id),
    /** Who approved it (the reviewer of the submission) and when. */
    approvedBy: text('approved_by'),
    approvedAt: tz('approved_at'),
    version: integer('version').notNull().default(1),
    reportedBy: text('reported_by').notNull(),
    reportedAt: tz('reported_at').notNull().defaultNow(),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [
    uniqueIndex('task_progress_key_uq').on(t.taskId, t.orgUnitId, t.period),
    index('task_progress_unit_idx').on(t.orgUnitId, t.periodStart),
    check('task_progress_role_ck', sql`${t.role} in ('lead','co_lead','coordinating')`),
    check('task_progress_status_ck', sql`${t.status} in ('not_started','in_progress','done','blocked')`),
    check('task_progress_percent_ck', sql`${t.percent} is null or (${t.percent} between 0 and 100)`),
    check(
      'task_progress_provenance_ck',
      sql`${t.provenance} in ('entered','imported','computed','estimated','synthetic')`,
    ),
  ],
);

/**
 * Task progress inside a reporting round (a form's 'task' item): what one submission's unit reports
 * on one task — the lead units (lead, co_lead) its progress, coordinating units their part. It follows
 * the submission like its values (draft → submitted → approved; back to draft when returned); the
 * approval copies it into task_progress, which is what task status is computed from.
 */
export const taskReport = pgTable(
  'task_report',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    submissionId: integer('submission_id')
      .notNull()
      .references(() => submission.id),
    taskId: integer('task_id')
      .notNull()
      .references(() => task.id),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    period: text('period').notNull(),
    role: text('role').notNull(),
    state: text('state').notNull().default('draft'),
    status: text('status').notNull(),
    percent: smallint('percent'),
    narrative: text('narrative'),
    /** Evidence: an attachment of the submission, and/or a reference (link, document number). */
    attachmentId: integer('attachment_id').references(() => attachment.id),
    evidence: text('evidence'),
    completedOn: date('completed_on', { mode: 'string' }),
    version: integer('version').notNull().default(1),
    enteredBy: text('entered_by').notNull(),
    /** The task_progress row the approval wrote. */
    progressId: bigint('progress_id', { mode: 'number' }).references(() => taskProgress.id),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [
    uniqueIndex('task_report_submission_task_uq').on(t.submissionId, t.taskId),
    index('task_report_task_idx').on(t.taskId, t.period),
    check('task_report_role_ck', sql`${t.role} in ('lead','co_lead','coordinating')`),
    check('task_report_state_ck', sql`${t.state} in ('draft','submitted','approved')`),
    check('task_report_status_ck', sql`${t.status} in ('not_started','in_progress','done','blocked')`),
    check('task_report_percent_ck', sql`${t.percent} is null or (${t.percent} between 0 and 100)`),
  ],
);

/** Every version of every progress report. */
export const taskProgressHistory = pgTable(
  'task_progress_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    progressId: bigint('progress_id', { mode: 'number' })
      .notNull()
      .references(() => taskProgress.id),
    version: integer('version').notNull(),
    status: text('status').notNull(),
    percent: smallint('percent'),
    narrative: text('narrative'),
    evidence: text('evidence'),
    completedOn: date('completed_on', { mode: 'string' }),
    provenance: text('provenance').notNull(),
    archived: boolean('archived').notNull().default(false),
    reportedBy: text('reported_by').notNull(),
    reportedAt: tz('reported_at').notNull(),
  },
  (t) => [uniqueIndex('task_progress_history_uq').on(t.progressId, t.version)],
);

/** A secret of this installation for signing feedback form tokens and hashing addresses. */
export const feedbackKey = pgTable('feedback_key', {
  id: smallint('id').primaryKey(),
  secret: text('secret').notNull(),
  createdAt,
});

/**
 * Public feedback (góp ý) on a plan, a task or an indicator. Routed to the responsible unit, answered
 * publicly by it; moderators hide abuse with a reason. The contact and the address hash never leave
 * the unit's inbox.
 */
export const feedback = pgTable(
  'feedback',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    targetKind: text('target_kind').notNull(),
    planId: integer('plan_id').references(() => plan.id),
    taskId: integer('task_id').references(() => task.id),
    indicatorId: integer('indicator_id').references(() => indicator.id),
    body: text('body').notNull(),
    authorName: text('author_name'),
    authorContact: text('author_contact'),
    routedUnitId: integer('routed_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    status: text('status').notNull().default('new'),
    answer: text('answer'),
    answeredBy: text('answered_by'),
    answeredAt: tz('answered_at'),
    responseTimeSeconds: integer('response_time_seconds'),
    hiddenReason: text('hidden_reason'),
    hiddenBy: text('hidden_by'),
    hiddenAt: tz('hidden_at'),
    /** Keyed hash of the sender's address (never the address). */
    ipHash: text('ip_hash').notNull(),
    /** Hash of the folded text, for duplicate detection. */
    bodyHash: text('body_hash').notNull(),
    /** The form token's nonce: a token serves once. */
    tokenNonce: text('token_nonce').notNull(),
    version: integer('version').notNull().default(1),
    createdAt,
    updatedAt,
  },
  (t) => [
    uniqueIndex('feedback_token_uq').on(t.tokenNonce),
    index('feedback_plan_idx').on(t.planId, t.createdAt),
    index('feedback_task_idx').on(t.taskId, t.createdAt),
    index('feedback_indicator_idx').on(t.indicatorId, t.createdAt),
    index('feedback_routed_idx').on(t.routedUnitId, t.status, t.createdAt),
    index('feedback_body_idx').on(t.bodyHash, t.createdAt),
    check('feedback_target_kind_ck', sql`${t.targetKind} in ('plan','task','indicator')`),
    check(
      'feedback_target_ck',
      sql`(${t.targetKind} = 'plan' and ${t.planId} is not null and ${t.taskId} is null and ${t.indicatorId} is null)
       or (${t.targetKind} = 'task' and ${t.taskId} is not null and ${t.planId} is not null and ${t.indicatorId} is null)
       or (${t.targetKind} = 'indicator' and ${t.indicatorId} is not null and ${t.planId} is null and ${t.taskId} is null)`,
    ),
    check('feedback_status_ck', sql`${t.status} in ('new','answered','hidden')`),
  ],
);

/**
 * Feedback rate counters per address hash and fixed window, shared by every server process: an
 * upsert increments atomically.
 */
export const feedbackRate = pgTable(
  'feedback_rate',
  {
    ipHash: text('ip_hash').notNull(),
    /** 'm10' (ten minutes) or 'd1' (a day). */
    windowKind: text('window_kind').notNull(),
    windowStart: tz('window_start').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [
    uniqueIndex('feedback_rate_pk').on(t.ipHash, t.windowKind, t.windowStart),
    index('feedback_rate_window_idx').on(t.windowStart),
  ],
);
