/**
 * The PostgreSQL schema of chiso, declared once for Drizzle. `drizzle-kit generate` turns changes
 * into forward-only SQL migrations in src/store/migrations/, applied on start on PGlite and on
 * PostgreSQL alike. Nothing is hard-deleted: rows are archived (`archived_at`) and data values
 * keep their full history in `data_value_history` (written by a trigger, see migration 0001).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
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

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'string' }),
};

/** Administrative levels (cấp): city, department, district, commune, enterprise … */
export const orgLevel = pgTable('org_level', {
  code: text('code').primaryKey(),
  nameVi: text('name_vi').notNull(),
  nameEn: text('name_en').notNull(),
  sort: smallint('sort').notNull().default(0),
});

/** Organisation units (đơn vị). `path` is the chain of ids from the root, '/1/5/23/', for subtree queries. */
export const orgUnit = pgTable(
  'org_unit',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    officialCode: text('official_code'),
    nameVi: text('name_vi').notNull(),
    nameEn: text('name_en'),
    type: text('type'),
    level: text('level')
      .notNull()
      .references(() => orgLevel.code),
    parentId: integer('parent_id'),
    path: text('path').notNull().default('/'),
    depth: smallint('depth').notNull().default(0),
    groups: text('groups').array().notNull().default(sql`'{}'::text[]`),
    validFrom: date('valid_from', { mode: 'string' }),
    validTo: date('valid_to', { mode: 'string' }),
    isCoordinator: boolean('is_coordinator').notNull().default(false),
    source: text('source'),
    searchText: text('search_text').notNull().default(''),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('org_unit_code_uq').on(t.code),
    index('org_unit_parent_idx').on(t.parentId),
    index('org_unit_path_idx').using('btree', sql`${t.path} text_pattern_ops`),
    index('org_unit_level_idx').on(t.level),
  ],
);

/** Lineage between units across reorganisations: merges, splits, renames, transfers. */
export const orgLineage = pgTable(
  'org_lineage',
  {
    id: serial('id').primaryKey(),
    fromUnitId: integer('from_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    toUnitId: integer('to_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    effectiveDate: date('effective_date', { mode: 'string' }).notNull(),
    kind: text('kind').notNull(),
    partial: boolean('partial').notNull().default(false),
    share: doublePrecision('share'),
    source: text('source'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    uniqueIndex('org_lineage_uq').on(t.fromUnitId, t.toUnitId, t.effectiveDate),
    index('org_lineage_to_idx').on(t.toUnitId),
    check('org_lineage_kind_ck', sql`${t.kind} in ('merge','split','rename','transfer')`),
  ],
);

/** Source documents (văn bản): plans, decisions, news digests. */
export const document = pgTable(
  'document',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    kind: text('kind').notNull().default('other'),
    number: text('number'),
    symbol: text('symbol'),
    issuedOn: date('issued_on', { mode: 'string' }),
    issuer: text('issuer'),
    titleVi: text('title_vi').notNull(),
    titleEn: text('title_en'),
    seed: text('seed'),
    url: text('url'),
    note: text('note'),
    searchText: text('search_text').notNull().default(''),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [uniqueIndex('document_code_uq').on(t.code)],
);

/** Indicator groups / pillars. */
export const indicatorGroup = pgTable('indicator_group', {
  code: text('code').primaryKey(),
  nameVi: text('name_vi').notNull(),
  nameEn: text('name_en').notNull(),
  sort: smallint('sort').notNull().default(0),
  /** Optimistic version: a rename or reorder names the version it read. */
  version: integer('version').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  /** Archived groups are kept (history, exports) but offered to no new indicator. */
  archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'string' }),
});

/** Indicators (chỉ tiêu / chỉ số). */
export const indicator = pgTable(
  'indicator',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    nameVi: text('name_vi').notNull(),
    nameEn: text('name_en'),
    definitionVi: text('definition_vi'),
    definitionEn: text('definition_en'),
    unit: text('unit').notNull().default(''),
    valueType: text('value_type').notNull(),
    direction: text('direction').notNull(),
    rollup: text('rollup').notNull(),
    denominatorId: integer('denominator_id'),
    periodType: text('period_type').notNull(),
    periodRollup: text('period_rollup').notNull().default('last'),
    formula: text('formula'),
    groupCode: text('group_code').references(() => indicatorGroup.code),
    levels: text('levels').array().notNull().default(sql`'{}'::text[]`),
    minValue: doublePrecision('min_value'),
    maxValue: doublePrecision('max_value'),
    sourceDocumentId: integer('source_document_id').references(() => document.id),
    responsibleUnitId: integer('responsible_unit_id').references(() => orgUnit.id),
    published: boolean('published').notNull().default(true),
    searchText: text('search_text').notNull().default(''),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('indicator_code_uq').on(t.code),
    index('indicator_group_idx').on(t.groupCode),
    check('indicator_value_type_ck', sql`${t.valueType} in ('percent','number','integer','rank','boolean')`),
    check('indicator_direction_ck', sql`${t.direction} in ('increase','decrease','target')`),
    check('indicator_rollup_ck', sql`${t.rollup} in ('sum','mean','weighted_mean','min','max','none')`),
    check('indicator_period_type_ck', sql`${t.periodType} in ('year','half','quarter','month')`),
    check('indicator_period_rollup_ck', sql`${t.periodRollup} in ('sum','last','mean')`),
  ],
);

/** Targets (mục tiêu): indicator × (unit | every unit of a level) × period. */
export const target = pgTable(
  'target',
  {
    id: serial('id').primaryKey(),
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicator.id),
    orgUnitId: integer('org_unit_id').references(() => orgUnit.id),
    orgLevel: text('org_level').references(() => orgLevel.code),
    period: text('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    comparator: text('comparator').notNull(),
    value: doublePrecision('value').notNull(),
    valueMax: doublePrecision('value_max'),
    baselinePeriod: text('baseline_period'),
    baselineValue: doublePrecision('baseline_value'),
    sourceDocumentId: integer('source_document_id').references(() => document.id),
    quote: text('quote'),
    note: text('note'),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [
    index('target_indicator_idx').on(t.indicatorId, t.period),
    check('target_scope_ck', sql`(${t.orgUnitId} is null) <> (${t.orgLevel} is null)`),
    check('target_comparator_ck', sql`${t.comparator} in ('>=','<=','=','range')`),
    check('target_range_ck', sql`(${t.comparator} = 'range') = (${t.valueMax} is not null)`),
  ],
);

/**
 * Data values (số liệu): the current value of indicator × unit × period (× disaggregation).
 * Every change is copied to data_value_history by a trigger; rows are never deleted (archived).
 */
export const dataValue = pgTable(
  'data_value',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicator.id),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    period: text('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    disagg: text('disagg').notNull().default(''),
    value: doublePrecision('value'),
    provenance: text('provenance').notNull(),
    status: text('status').notNull().default('approved'),
    comment: text('comment'),
    sourceDocumentId: integer('source_document_id').references(() => document.id),
    quote: text('quote'),
    version: integer('version').notNull().default(1),
    changedBy: text('changed_by'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('data_value_key_uq').on(t.indicatorId, t.orgUnitId, t.period, t.disagg),
    index('data_value_unit_idx').on(t.orgUnitId, t.periodStart),
    index('data_value_indicator_period_idx').on(t.indicatorId, t.periodStart),
    check(
      'data_value_provenance_ck',
      sql`${t.provenance} in ('entered','imported','computed','estimated','synthetic')`,
    ),
    check('data_value_status_ck', sql`${t.status} in ('draft','submitted','approved')`),
  ],
);

/** Full history of data values: one row per version, appended by trigger. */
export const dataValueHistory = pgTable(
  'data_value_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    dataValueId: bigint('data_value_id', { mode: 'number' }).notNull(),
    version: integer('version').notNull(),
    value: doublePrecision('value'),
    provenance: text('provenance').notNull(),
    status: text('status').notNull(),
    comment: text('comment'),
    changedBy: text('changed_by'),
    archived: boolean('archived').notNull().default(false),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [index('data_value_history_value_idx').on(t.dataValueId, t.version)],
);

/** Append-only, hash-chained log of every write. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Gapless position in the chain (taken under an advisory lock). */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    data: jsonb('data'),
    /** The exact canonical JSON that was hashed: {seq, at, actor, action, entity, entityId, data}. */
    payload: text('payload').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [uniqueIndex('audit_log_seq_uq').on(t.seq), index('audit_log_entity_idx').on(t.entity, t.entityId)],
);
