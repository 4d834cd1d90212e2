/**
 * Reporting rounds: forms (versioned sets of indicators), validation rules between indicators,
 * rounds (a form opened for one period and a set of units), one submission per unit and round with
 * its workflow events, evidence attachments, detached CMS signatures and the units' reporting
 * contacts (cán bộ đầu mối) who receive reminders. Nothing is hard-deleted: rows are archived.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { indicator, orgLevel, orgUnit } from './schema.ts';
import { task } from './schema-plans.ts';

/** Raw bytes (bytea): Buffer on node-postgres, Uint8Array on PGlite. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });
const createdAt = tz('created_at').notNull().defaultNow();
const updatedAt = tz('updated_at').notNull().defaultNow();
const archivedAt = tz('archived_at');

/**
 * Forms (biểu mẫu): a named set of indicators reported for one period type. Changing the items makes
 * a new version; the items of every version are kept (form_item.form_version), and a round keeps the
 * version it was opened with.
 */
export const form = pgTable(
  'form',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    nameVi: text('name_vi').notNull(),
    nameEn: text('name_en').notNull(),
    descriptionVi: text('description_vi'),
    descriptionEn: text('description_en'),
    periodType: text('period_type').notNull(),
    /** The current version of the items; bumped by every change (also the optimistic version). */
    version: integer('version').notNull().default(1),
    /** Sections of the form in order: [{code, name_vi, name_en}], items name their section. */
    sections: jsonb('sections').notNull().default(sql`'[]'::jsonb`),
    createdBy: text('created_by').notNull(),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [
    uniqueIndex('form_code_uq').on(t.code),
    check('form_period_type_ck', sql`${t.periodType} in ('year','half','quarter','month')`),
  ],
);

/**
 * The items of each version of a form, in order: an indicator (kind 'indicator') or a task of a plan
 * (kind 'task': the units that lead or coordinate it report its progress in the round).
 */
export const formItem = pgTable(
  'form_item',
  {
    id: serial('id').primaryKey(),
    formId: integer('form_id')
      .notNull()
      .references(() => form.id),
    formVersion: integer('form_version').notNull(),
    position: smallint('position').notNull(),
    kind: text('kind').notNull().default('indicator'),
    indicatorId: integer('indicator_id').references(() => indicator.id),
    taskId: integer('task_id').references(() => task.id),
    section: text('section'),
    required: boolean('required').notNull().default(false),
  },
  (t) => [
    uniqueIndex('form_item_position_uq').on(t.formId, t.formVersion, t.position),
    index('form_item_indicator_idx').on(t.indicatorId),
    index('form_item_task_idx').on(t.taskId),
    check('form_item_kind_ck', sql`${t.kind} in ('indicator','task')`),
    check('form_item_indicator_ck', sql`${t.kind} <> 'indicator' or ${t.indicatorId} is not null`),
    check(
      'form_item_task_ck',
      sql`(${t.kind} = 'task') = (${t.taskId} is not null) and (${t.kind} <> 'task' or ${t.indicatorId} is null)`,
    ),
  ],
);

/**
 * Validation rules (quy tắc kiểm tra), like DHIS2's: `left operator right`, both sides expressions of
 * the formula language (src/core/formula.ts) over indicator codes. An `error` blocks a submission; a
 * `warning` needs a comment. A rule applies to the submissions of forms of its period type that
 * contain one of its indicators (or only to `form_id` when set).
 */
export const validationRule = pgTable(
  'validation_rule',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    nameVi: text('name_vi').notNull(),
    nameEn: text('name_en').notNull(),
    descriptionVi: text('description_vi'),
    descriptionEn: text('description_en'),
    leftExpr: text('left_expr').notNull(),
    operator: text('operator').notNull(),
    rightExpr: text('right_expr').notNull(),
    importance: text('importance').notNull(),
    periodType: text('period_type').notNull(),
    formId: integer('form_id').references(() => form.id),
    version: integer('version').notNull().default(1),
    createdBy: text('created_by').notNull(),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [
    uniqueIndex('validation_rule_code_uq').on(t.code),
    check('validation_rule_operator_ck', sql`${t.operator} in ('==','!=','<','<=','>','>=')`),
    check('validation_rule_importance_ck', sql`${t.importance} in ('error','warning')`),
    check('validation_rule_period_type_ck', sql`${t.periodType} in ('year','half','quarter','month')`),
  ],
);

/**
 * Rounds (đợt báo cáo): a form opened for one period for the units of a subtree (optionally of one
 * level), with the reporting window (Decree 09 by default), the day reporting opens and the deadline.
 */
export const round = pgTable(
  'round',
  {
    id: serial('id').primaryKey(),
    formId: integer('form_id')
      .notNull()
      .references(() => form.id),
    formVersion: integer('form_version').notNull(),
    period: text('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    titleVi: text('title_vi'),
    titleEn: text('title_en'),
    /** 'decree09' (15th–14th windows) or 'calendar'. */
    windowRule: text('window_rule').notNull().default('decree09'),
    dataFrom: date('data_from', { mode: 'string' }).notNull(),
    dataTo: date('data_to', { mode: 'string' }).notNull(),
    /** Thời gian chốt số liệu: submissions are accepted from this day on. */
    cutoff: date('cutoff', { mode: 'string' }).notNull(),
    /** Thời hạn gửi báo cáo: later submissions are accepted but flagged late. */
    deadline: date('deadline', { mode: 'string' }).notNull(),
    opensAt: tz('opens_at').notNull(),
    scopeUnitId: integer('scope_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    scopeLevel: text('scope_level').references(() => orgLevel.code),
    status: text('status').notNull().default('open'),
    version: integer('version').notNull().default(1),
    createdBy: text('created_by').notNull(),
    closedBy: text('closed_by'),
    closedAt: tz('closed_at'),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [
    index('round_form_period_idx').on(t.formId, t.period),
    index('round_status_idx').on(t.status, t.deadline),
    check('round_status_ck', sql`${t.status} in ('open','closed')`),
    check('round_window_rule_ck', sql`${t.windowRule} in ('decree09','calendar')`),
    check('round_dates_ck', sql`${t.dataFrom} <= ${t.dataTo} and ${t.cutoff} <= ${t.deadline}`),
  ],
);

/** One unit's report in a round (báo cáo): draft → submitted → returned | approved → locked. */
export const submission = pgTable(
  'submission',
  {
    id: serial('id').primaryKey(),
    roundId: integer('round_id')
      .notNull()
      .references(() => round.id),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    status: text('status').notNull().default('draft'),
    /** Optimistic version: bumped by every transition and every saved value. */
    version: integer('version').notNull().default(1),
    late: boolean('late').notNull().default(false),
    submittedBy: text('submitted_by'),
    submittedAt: tz('submitted_at'),
    /** Comments given on submit for each warning, by warning key. */
    warningComments: jsonb('warning_comments'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: tz('reviewed_at'),
    returnComment: text('return_comment'),
    lockedBy: text('locked_by'),
    lockedAt: tz('locked_at'),
    reopenedBy: text('reopened_by'),
    reopenedAt: tz('reopened_at'),
    reopenReason: text('reopen_reason'),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [
    uniqueIndex('submission_round_unit_uq').on(t.roundId, t.orgUnitId),
    index('submission_unit_idx').on(t.orgUnitId),
    index('submission_status_idx').on(t.status),
    check('submission_status_ck', sql`${t.status} in ('draft','submitted','returned','approved','locked')`),
  ],
);

/** Every step of a submission's workflow (and reminders sent), in order. */
export const submissionEvent = pgTable(
  'submission_event',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    submissionId: integer('submission_id')
      .notNull()
      .references(() => submission.id),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actor: text('actor').notNull(),
    comment: text('comment'),
    data: jsonb('data'),
    at: tz('at').notNull().defaultNow(),
  },
  (t) => [index('submission_event_submission_idx').on(t.submissionId, t.id)],
);

/**
 * Evidence (minh chứng) for a submission, or for one of its values (indicator_id). The bytes live in
 * the database (bytea), so dumps, backups and both drivers carry them alike.
 */
export const attachment = pgTable(
  'attachment',
  {
    id: serial('id').primaryKey(),
    submissionId: integer('submission_id')
      .notNull()
      .references(() => submission.id),
    indicatorId: integer('indicator_id').references(() => indicator.id),
    filename: text('filename').notNull(),
    /** Sniffed from the content, never taken from the client. */
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt,
    archivedAt,
    archivedBy: text('archived_by'),
    archiveReason: text('archive_reason'),
  },
  (t) => [index('attachment_submission_idx').on(t.submissionId)],
);

/** Detached CMS/PKCS#7 signatures over a submission's canonical content, with their verification. */
export const submissionSignature = pgTable(
  'submission_signature',
  {
    id: serial('id').primaryKey(),
    submissionId: integer('submission_id')
      .notNull()
      .references(() => submission.id),
    /** The CMS ContentInfo (SignedData), DER. */
    signature: bytea('signature').notNull(),
    /** SHA-256 of the canonical content the signature was verified against on upload. */
    contentSha256: text('content_sha256').notNull(),
    signerSubject: text('signer_subject').notNull(),
    signerSerial: text('signer_serial').notNull(),
    signerIssuer: text('signer_issuer').notNull(),
    signerNotBefore: tz('signer_not_before'),
    signerNotAfter: tz('signer_not_after'),
    signingTime: tz('signing_time'),
    verifiedAt: tz('verified_at').notNull(),
    result: text('result').notNull(),
    /** Why a verification failed: {code, vi, en}. */
    resultDetail: jsonb('result_detail'),
    /**
     * Revocation at the last verification: 'good', 'revoked', 'unknown' (no current CRL; accepted
     * with a warning unless the policy refuses), or null (verified before revocation was checked).
     */
    revocation: text('revocation'),
    /** The revocation check: {code, vi, en, certificates: [{subject, serial, state, source, …}]}. */
    revocationDetail: jsonb('revocation_detail'),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt,
    archivedAt,
  },
  (t) => [
    index('submission_signature_submission_idx').on(t.submissionId),
    check('submission_signature_result_ck', sql`${t.result} in ('valid','invalid')`),
    check('submission_signature_revocation_ck', sql`${t.revocation} in ('good','revoked','unknown')`),
  ],
);

/** The people a unit names for reporting (cán bộ đầu mối): reminders go to them. */
export const reportingContact = pgTable(
  'reporting_contact',
  {
    id: serial('id').primaryKey(),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone'),
    position: text('position'),
    createdBy: text('created_by').notNull(),
    createdAt,
    updatedAt,
    archivedAt,
  },
  (t) => [index('reporting_contact_unit_idx').on(t.orgUnitId)],
);

/**
 * Reminders sent without a person asking (the scheduler, `chiso reminders send`): one row per
 * submission and calendar day in Vietnam, claimed before the e-mail goes out, so that several server
 * processes on one database never send the same reminder twice in a day. A failed delivery may be
 * claimed again the same day; a claimed or sent one may not.
 */
export const reminderDelivery = pgTable(
  'reminder_delivery',
  {
    id: serial('id').primaryKey(),
    submissionId: integer('submission_id')
      .notNull()
      .references(() => submission.id),
    /** The calendar day in Vietnam (UTC+7) the reminder is for. */
    day: date('day', { mode: 'string' }).notNull(),
    /** 'claimed' (being sent), 'sent', 'failed'. */
    status: text('status').notNull(),
    claimedBy: text('claimed_by').notNull(),
    claimedAt: tz('claimed_at').notNull().defaultNow(),
    finishedAt: tz('finished_at'),
    recipients: jsonb('recipients'),
    rejected: jsonb('rejected'),
    error: text('error'),
    /** How many times it was claimed (a failed delivery tried again). */
    attempts: integer('attempts').notNull().default(1),
  },
  (t) => [
    uniqueIndex('reminder_delivery_submission_day_uq').on(t.submissionId, t.day),
    check('reminder_delivery_status_ck', sql`${t.status} in ('claimed','sent','failed')`),
  ],
);
