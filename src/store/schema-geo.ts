/**
 * Unit boundaries (ranh giới đơn vị): one GeoJSON geometry (Polygon or MultiPolygon, WGS84, coordinates
 * rounded to 6 decimals) per org unit at a time. A new import for a unit archives its previous geometry
 * (archived_at); nothing is deleted (trigger in the migration). `source` is the text a map must show
 * (where the polygons come from and under which licence); `provenance` says how they came in.
 */
import { sql } from 'drizzle-orm';
import {
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { orgUnit } from './schema.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const unitBoundary = pgTable(
  'unit_boundary',
  {
    id: serial('id').primaryKey(),
    orgUnitId: integer('org_unit_id')
      .notNull()
      .references(() => orgUnit.id),
    /** GeoJSON geometry object: {type: 'Polygon'|'MultiPolygon', coordinates}. */
    geometry: jsonb('geometry').notNull(),
    /** [west, south, east, north] in degrees. */
    minLon: doublePrecision('min_lon').notNull(),
    minLat: doublePrecision('min_lat').notNull(),
    maxLon: doublePrecision('max_lon').notNull(),
    maxLat: doublePrecision('max_lat').notNull(),
    /** Where the polygons come from and their licence, shown with every map drawn from them. */
    source: text('source').notNull(),
    /** How the row came in: 'imported' (a file through the CLI or the API), 'synthetic' (tests). */
    provenance: text('provenance').notNull().default('imported'),
    /** The file name it was imported from, when known. */
    file: text('file'),
    validFrom: date('valid_from', { mode: 'string' }),
    createdBy: text('created_by').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    archivedAt: tz('archived_at'),
  },
  (t) => [
    uniqueIndex('unit_boundary_current_uq').on(t.orgUnitId).where(sql`${t.archivedAt} is null`),
    index('unit_boundary_unit_idx').on(t.orgUnitId),
    check('unit_boundary_provenance_ck', sql`${t.provenance} in ('imported','synthetic')`),
    check(
      'unit_boundary_bbox_ck',
      sql`${t.minLon} <= ${t.maxLon} and ${t.minLat} <= ${t.maxLat} and ${t.minLon} >= -180 and ${t.maxLon} <= 180 and ${t.minLat} >= -90 and ${t.maxLat} <= 90`,
    ),
  ],
);
