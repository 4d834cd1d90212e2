/** Shapes of the catalogue API's answers, as the pages use them. */

export interface ListOf<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface OrgLevel {
  code: string;
  name_vi: string;
  name_en: string | null;
  sort: number;
}

export interface IndicatorGroup {
  code: string;
  name_vi: string;
  name_en: string | null;
  sort: number;
}

export type Direction = 'increase' | 'decrease' | 'target' | string;

export interface Indicator {
  code: string;
  name_vi: string;
  name_en: string | null;
  definition_vi: string | null;
  definition_en: string | null;
  unit: string;
  value_type: string;
  direction: Direction;
  rollup: string;
  denominator: string | null;
  period_type: string;
  period_rollup: string;
  formula: string | null;
  group: string | null;
  group_name_vi: string | null;
  group_name_en: string | null;
  levels: string[];
  min_value: number | null;
  max_value: number | null;
  source_document: string | null;
  responsible_unit: string | null;
  published: boolean;
  version: number;
}

export interface Target {
  id: number;
  indicator_code: string;
  indicator_name_vi: string;
  indicator_name_en: string | null;
  period: string;
  org_unit_code: string | null;
  org_unit_name_vi: string | null;
  org_level: string;
  scope: 'unit' | 'level';
  comparator: '>=' | '<=' | '=' | 'range' | string;
  value: number;
  value_max: number | null;
  unit_of_measure: string;
  baseline_period: string | null;
  baseline_value: number | null;
  source_document: string | null;
  quote: string | null;
  note: string | null;
  group: string | null;
  version: number;
  /** Archived targets (`?archived=true`): when, and the reason given. */
  archived_at?: string | null;
  archive_reason?: string | null;
}

export interface TargetConflict {
  indicator_code: string;
  indicator_name_vi: string;
  period: string;
  scope: string;
  targets: Array<{
    id: number;
    comparator: string;
    value: number;
    value_max: number | null;
    source_document: string | null;
    quote: string | null;
  }>;
}

export interface DataValue {
  id: number;
  indicator_code: string;
  indicator_name_vi: string;
  period: string;
  org_unit_code: string;
  org_unit_name_vi: string;
  org_level: string;
  disagg: string;
  value: number | null;
  unit_of_measure: string;
  provenance: string;
  status: string;
  comment: string | null;
  source_document: string | null;
  quote: string | null;
  version: number;
  updated_at: string;
  changed_by: string | null;
}

export interface OrgUnit {
  code: string;
  official_code: string | null;
  name_vi: string;
  name_en: string | null;
  type: string | null;
  level: string;
  parent: string | null;
  path: string;
  depth: number;
  groups: string[];
  valid_from: string | null;
  valid_to: string | null;
  is_coordinator: boolean;
  source: string | null;
  version: number;
}

export interface LineageLink {
  from: string;
  from_name: string;
  to: string;
  to_name: string;
  effective_date: string;
  kind: string;
  partial: boolean;
  share: number | null;
  depth: number;
}

export interface OrgUnitDetail extends OrgUnit {
  children: Array<{ code: string; name_vi: string; level: string; valid_to: string | null }>;
  predecessors: LineageLink[];
  successors: LineageLink[];
}

export interface SourceDocument {
  code: string;
  kind: string;
  number: string | null;
  symbol: string | null;
  date: string | null;
  issuer: string | null;
  title_vi: string;
  title_en: string | null;
  seed: string | null;
  url: string | null;
  note: string | null;
  version: number;
}
