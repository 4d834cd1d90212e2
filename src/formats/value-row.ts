/**
 * The shape every value reader yields (CSV, JSON, Excel, DHIS2, Open SDG): one row with its place in
 * the file and any faults found while reading its cells. The use case validates it against the
 * catalogue and stages it; readers never touch the database.
 */
import type { ChisoErrorInit } from '../core/errors.ts';

export const VALUE_FIELDS = [
  'indicator',
  'period',
  'org_unit',
  'disagg',
  'value',
  'provenance',
  'status',
  'source_document',
  'comment',
] as const;
export type ValueField = (typeof VALUE_FIELDS)[number];

export interface ValueRow {
  /** 1-based line (CSV, JSON) or sheet row (xlsx) where the row starts. */
  line: number;
  /** xlsx: the sheet's name. */
  sheet?: string;
  /** Where each field came from: a column name (CSV/JSON), or a cell reference like 'D7' (xlsx). */
  where?: Partial<Record<ValueField, string>>;
  indicator: string;
  org_unit: string;
  period: string;
  disagg: string;
  value: number | null;
  /** Absent: not given by the file (existing values keep theirs). */
  provenance?: string | undefined;
  status?: string | undefined;
  comment?: string | null | undefined;
  source_document?: string | null | undefined;
  /** Faults found while reading the cells (formulas, numbers, types); the row is rejected. */
  errors: ChisoErrorInit[];
}

/** One rejected row of an import, as reported to the caller. */
export interface Rejection {
  line: number;
  column: string;
  sheet?: string;
  cell?: string;
  code: string;
  vi: string;
  en: string;
}
