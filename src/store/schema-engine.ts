/**
 * Tables of the engine (src/app/engine): index methodology versions as data, and the results the
 * engine derives from approved values — roll-ups and derived values, progress statuses, composite
 * index results — persisted so that the API can read them with indexes. The results are a cache of
 * a pure function of the catalogue and the approved values: the engine rewrites only rows whose
 * content changed (`updated_at` moves only then) and never deletes a row (a result that no longer
 * exists keeps its row with a null value).
 *
 * `engine_change` is the change feed that keeps several server processes current: every approval
 * appends one row (gapless `seq`, taken under a transaction-scoped advisory lock, so a reader that
 * sees seq N has seen every change before it). `engine_state` is one row recording how far the
 * persisted results are in sync.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { document, indicator, orgUnit } from './schema.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/** Versions of a composite-index methodology (bộ chỉ số): the JSON definition is the methodology. */
export const indexMethodology = pgTable(
  'index_methodology',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    version: text('version').notNull(),
    nameVi: text('name_vi').notNull(),
    nameEn: text('name_en').notNull(),
    validFrom: integer('valid_from').notNull(),
    validTo: integer('valid_to'),
    /** The methodology as validated by src/core/index validateMethodology (snake_case JSON). */
    definition: jsonb('definition').notNull(),
    /** Sensitivity settings: { runs, seed, weight_noise }. */
    sensitivity: jsonb('sensitivity').notNull(),
    sourceDocumentId: integer('source_document_id').references(() => document.id),
    createdBy: text('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    archivedAt: ts('archived_at'),
  },
  (t) => [uniqueIndex('index_methodology_code_version_uq').on(t.code, t.version)],
);

/**
 * Values the engine derives: tree roll-ups of units without their own figure, values carried
 * across a reorganisation (lineage), derived (formula) indicators, and coarser periods (quarters
 * to years). Own approved figures stay in data_value and are not repeated here.
 */
export const computedValue = pgTable(
  'computed_value',
  {
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicator.id),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    period: text('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    /** Null: the cell was computed once and no longer has a value (e.g. its inputs were archived). */
    value: doublePrecision('value'),
    provenance: text('provenance').notNull().default('computed'),
    /** How: rollup (up the tree), lineage (from predecessor units), formula, period (sub-periods). */
    method: text('method').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'computed_value_pk', columns: [t.indicatorId, t.orgUnitId, t.period] }),
    index('computed_value_unit_idx').on(t.orgUnitId, t.periodStart),
    index('computed_value_indicator_idx').on(t.indicatorId, t.periodStart),
    check('computed_value_provenance_ck', sql`${t.provenance} = 'computed'`),
    check('computed_value_method_ck', sql`${t.method} in ('rollup','lineage','formula','period')`),
  ],
);

/**
 * Progress of an indicator for a unit against one target (indicator × unit × target period ×
 * target): several documents may set targets for the same thing, each is assessed; `is_primary`
 * marks the one reported first (the latest document, see docs/ENGINE-APP.md).
 */
export const progressStatus = pgTable(
  'progress_status',
  {
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicator.id),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    targetId: integer('target_id').notNull(),
    period: text('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    /** 'unit' when the unit has its own target, 'level' when its level's target applies. */
    targetScope: text('target_scope').notNull(),
    isPrimary: boolean('is_primary').notNull(),
    profile: text('profile').notNull(),
    status: text('status').notNull(),
    score: doublePrecision('score'),
    attainment: doublePrecision('attainment'),
    ratio: doublePrecision('ratio'),
    measure: text('measure'),
    cagrActual: doublePrecision('cagr_actual'),
    cagrRequired: doublePrecision('cagr_required'),
    projectionValue: doublePrecision('projection_value'),
    latestValue: doublePrecision('latest_value'),
    latestPeriod: text('latest_period'),
    baseValue: doublePrecision('base_value'),
    basePeriod: text('base_period'),
    comparator: text('comparator').notNull(),
    targetValue: doublePrecision('target_value').notNull(),
    targetMax: doublePrecision('target_max'),
    baselineValue: doublePrecision('baseline_value'),
    sourceDocumentId: integer('source_document_id').references(() => document.id),
    /** improving | worsening | flat: the last change against the desired direction; null with < 2 points. */
    trend: text('trend'),
    reasonCode: text('reason_code').notNull(),
    /** Other targets for the same indicator, unit and period that disagree with this one. */
    conflicts: smallint('conflicts').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /** Set when the target no longer applies (archived target, unit out of scope); never deleted. */
    archivedAt: ts('archived_at'),
  },
  (t) => [
    primaryKey({ name: 'progress_status_pk', columns: [t.indicatorId, t.orgUnitId, t.targetId] }),
    index('progress_status_period_idx').on(t.periodStart, t.indicatorId),
    index('progress_status_unit_idx').on(t.orgUnitId, t.periodStart),
    index('progress_status_status_idx').on(t.status),
  ],
);

/** Composite-index results per methodology version, year, unit and node. */
export const indexResult = pgTable(
  'index_result',
  {
    methodologyId: integer('methodology_id')
      .notNull()
      .references(() => indexMethodology.id),
    period: text('period').notNull(),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    node: text('node').notNull(),
    raw: doublePrecision('raw'),
    score: doublePrecision('score'),
    rank: integer('rank'),
    band: text('band'),
    /** Rank of the same node in the previous year (same methodology code); null when unranked. */
    previousRank: integer('previous_rank'),
    /** previous − current: positive = moved up. */
    rankChange: integer('rank_change'),
    /** Root node only: Monte Carlo rank statistics. */
    sensitivityMedian: doublePrecision('sensitivity_median'),
    sensitivityQ5: doublePrecision('sensitivity_q5'),
    sensitivityQ95: doublePrecision('sensitivity_q95'),
    /** Root node only: [{ node, rank, score }]. */
    strengths: jsonb('strengths'),
    weaknesses: jsonb('weaknesses'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /** Set when the unit or node no longer takes part (methodology archived, unit gone); never deleted. */
    archivedAt: ts('archived_at'),
  },
  (t) => [
    primaryKey({ name: 'index_result_pk', columns: [t.methodologyId, t.period, t.orgUnitId, t.node] }),
    index('index_result_rank_idx').on(t.methodologyId, t.period, t.node, t.rank),
    index('index_result_unit_idx').on(t.orgUnitId),
  ],
);

/** The change feed of approved values (see the module comment). */
export const engineChange = pgTable(
  'engine_change',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    changeId: text('change_id').notNull(),
    /** The writing transaction (pg_current_xact_id) — tells a process its own uncommitted rows. */
    xid: text('xid').notNull(),
    indicatorIds: integer('indicator_ids').array().notNull(),
    orgUnitIds: integer('org_unit_ids').array().notNull(),
    periods: text('periods').array().notNull(),
    /** False when no engine was running in the writing process: the next engine persists the results. */
    persisted: boolean('persisted').notNull(),
    /**
     * Methodology-years ('methodology id:year') whose index_result rows this change has not written
     * yet: an approval writes them just after its commit (write-behind; the API answers index
     * results from the model). Emptied by the engine that writes them; a start with any left
     * rewrites what differs.
     */
    indexPending: text('index_pending').array().notNull().default(sql`'{}'::text[]`),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('engine_change_index_pending_idx').on(t.seq).where(sql`cardinality(index_pending) > 0`)],
);

/** One row: how far the persisted results are in sync with the approved values and the catalogue. */
export const engineState = pgTable('engine_state', {
  id: smallint('id').primaryKey(),
  /** The engine's result format; a different one makes the next start recompute and rewrite. */
  engineVersion: text('engine_version').notNull(),
  profile: text('profile').notNull(),
  /** engine_change.seq and audit_log.seq up to which the persisted results are complete. */
  changeSeq: bigint('change_seq', { mode: 'number' }).notNull(),
  auditSeq: bigint('audit_seq', { mode: 'number' }).notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});
