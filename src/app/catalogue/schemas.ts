/**
 * Input and output shapes of the catalogue, as Zod schemas shared by the HTTP layer (validation and
 * the OpenAPI document) and the use cases. Field names are snake_case as in the API and the files.
 */
import { z } from 'zod';

export const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;
export const zCode = z.string().regex(CODE_RE, 'letters, digits and . _ - / (1–64 characters)');
export const zIsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
export const zPeriodCode = z.string().min(4).max(10);

export const VALUE_TYPES = ['percent', 'number', 'integer', 'rank', 'boolean'] as const;
export const DIRECTIONS = ['increase', 'decrease', 'target'] as const;
export const ROLLUPS = ['sum', 'mean', 'weighted_mean', 'min', 'max', 'none'] as const;
export const PERIOD_TYPES = ['year', 'half', 'quarter', 'month'] as const;
export const PERIOD_ROLLUPS = ['sum', 'last', 'mean'] as const;
export const COMPARATORS = ['>=', '<=', '=', 'range'] as const;
export const PROVENANCES = ['entered', 'imported', 'computed', 'estimated', 'synthetic'] as const;
export const LINEAGE_KINDS = ['merge', 'split', 'rename', 'transfer'] as const;

export const zOrgLevel = z.object({
  code: zCode,
  name_vi: z.string(),
  name_en: z.string(),
  sort: z.int32(),
});

export const zOrgUnitInput = z.object({
  code: zCode,
  official_code: z.string().max(32).nullish(),
  name_vi: z.string().min(1).max(300),
  name_en: z.string().max(300).nullish(),
  type: z.string().max(60).nullish(),
  level: zCode,
  parent: zCode.nullish(),
  groups: z.array(zCode).max(20).optional(),
  valid_from: zIsoDate.nullish(),
  valid_to: zIsoDate.nullish(),
  is_coordinator: z.boolean().optional(),
  source: z.string().max(2000).nullish(),
});
export type OrgUnitInput = z.infer<typeof zOrgUnitInput>;
export const zOrgUnitPatch = zOrgUnitInput
  .omit({ code: true })
  .partial()
  .extend({ version: z.number().int() });

export const zOrgUnit = z.object({
  code: z.string(),
  official_code: z.string().nullable(),
  name_vi: z.string(),
  name_en: z.string().nullable(),
  type: z.string().nullable(),
  level: z.string(),
  parent: z.string().nullable(),
  path: z.string(),
  depth: z.number(),
  groups: z.array(z.string()),
  valid_from: z.string().nullable(),
  valid_to: z.string().nullable(),
  is_coordinator: z.boolean(),
  source: z.string().nullable(),
  version: z.number(),
});
export type OrgUnitOut = z.infer<typeof zOrgUnit>;

export const zLineageInput = z.object({
  from: zCode,
  to: zCode,
  effective_date: zIsoDate,
  kind: z.enum(LINEAGE_KINDS),
  partial: z.boolean().optional(),
  share: z.number().min(0).max(1).nullish(),
  source: z.string().max(2000).nullish(),
});
export type LineageInput = z.infer<typeof zLineageInput>;

/**
 * A reorganisation recorded at once: the predecessors close the day before `effective_date`, the
 * successors open on it (when they had no start), and lineage links join them. merge: several → one;
 * split: one → several (each successor may carry its share); rename: one → one. Each predecessor
 * carries the version the writer last saw (a stale one gets 409).
 */
export const REORGANISATION_KINDS = ['merge', 'split', 'rename'] as const;
export const zReorganisationInput = z
  .object({
    kind: z.enum(REORGANISATION_KINDS),
    effective_date: zIsoDate,
    predecessors: z
      .array(z.object({ code: zCode, version: z.number().int() }).strict())
      .min(1)
      .max(200),
    successors: z
      .array(
        z
          .object({
            code: zCode,
            version: z.number().int().optional(),
            share: z.number().min(0).max(1).nullish(),
          })
          .strict(),
      )
      .min(1)
      .max(200),
    source: z.string().max(2000).nullish(),
  })
  .strict();
export type ReorganisationInput = z.infer<typeof zReorganisationInput>;

export const zDocumentInput = z.object({
  code: z.string().min(1).max(64),
  kind: z.string().max(30).optional(),
  number: z.string().max(30).nullish(),
  symbol: z.string().max(60).nullish(),
  date: zIsoDate.nullish(),
  issuer: z.string().max(300).nullish(),
  title_vi: z.string().min(1).max(1000),
  title_en: z.string().max(1000).nullish(),
  seed: z.string().max(200).nullish(),
  url: z.string().max(1000).nullish(),
  note: z.string().max(4000).nullish(),
});
export type DocumentInput = z.infer<typeof zDocumentInput>;
export const zDocumentPatch = zDocumentInput
  .omit({ code: true })
  .partial()
  .extend({ version: z.number().int() });

export const zIndicatorInput = z.object({
  code: zCode,
  name_vi: z.string().min(1).max(500),
  name_en: z.string().max(500).nullish(),
  definition_vi: z.string().max(4000).nullish(),
  definition_en: z.string().max(4000).nullish(),
  unit: z.string().max(40).default(''),
  value_type: z.enum(VALUE_TYPES),
  direction: z.enum(DIRECTIONS),
  rollup: z.enum(ROLLUPS),
  denominator: zCode.nullish(),
  period_type: z.enum(PERIOD_TYPES),
  period_rollup: z.enum(PERIOD_ROLLUPS).default('last'),
  formula: z.string().max(2000).nullish(),
  group: zCode.nullish(),
  levels: z.array(zCode).max(10).default([]),
  min_value: z.number().nullish(),
  max_value: z.number().nullish(),
  source_document: z.string().max(64).nullish(),
  responsible_unit: zCode.nullish(),
  published: z.boolean().default(true),
});
export type IndicatorInput = z.input<typeof zIndicatorInput>;
export const zIndicatorPatch = zIndicatorInput
  .omit({ code: true })
  .partial()
  .extend({ version: z.number().int() });

export const zTargetInput = z
  .object({
    indicator: zCode,
    org_unit: zCode.nullish(),
    org_level: zCode.nullish(),
    period: zPeriodCode,
    comparator: z.enum(COMPARATORS),
    value: z.number(),
    value_max: z.number().nullish(),
    baseline_period: zPeriodCode.nullish(),
    baseline_value: z.number().nullish(),
    source_document: z.string().max(64).nullish(),
    quote: z.string().max(4000).nullish(),
    note: z.string().max(4000).nullish(),
  })
  .strict();
export type TargetInput = z.infer<typeof zTargetInput>;
export const zTargetPatch = zTargetInput
  .omit({ indicator: true })
  .partial()
  .extend({ version: z.number().int() })
  .strict();

export const zValueInput = z
  .object({
    indicator: zCode,
    org_unit: zCode,
    period: zPeriodCode,
    disagg: z.string().max(200).optional(),
    value: z.number().nullable(),
    provenance: z.enum(PROVENANCES).default('entered'),
    comment: z.string().max(4000).nullish(),
    source_document: z.string().max(64).nullish(),
    /** The version the writer last saw; absent when creating. A stale version gets 409. */
    version: z.number().int().optional(),
  })
  .strict();
export type ValueInput = z.input<typeof zValueInput>;
