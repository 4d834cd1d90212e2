/**
 * Exchange with other systems: the mapping between DHIS2 identifiers and chiso codes.
 *
 * kind 'dataElement' ↔ indicator code, 'orgUnit' ↔ org unit code, 'categoryOptionCombo' ↔ a chiso
 * disaggregation (the `disagg` text of a value; '' is the total). A DHIS2 identifier (uid or code,
 * whichever the exchanged files use) maps to one chiso code and back; an identifier without a mapping
 * is taken as a chiso code of the same spelling when one exists (DHIS2's idScheme=CODE). Rows are
 * archived, never deleted.
 */
import { sql } from 'drizzle-orm';
import { check, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const DHIS2_MAPPING_KINDS = ['dataElement', 'orgUnit', 'categoryOptionCombo'] as const;

export const dhis2Mapping = pgTable(
  'dhis2_mapping',
  {
    id: serial('id').primaryKey(),
    kind: text('kind').notNull(),
    dhis2Id: text('dhis2_id').notNull(),
    chisoCode: text('chiso_code').notNull(),
    note: text('note'),
    version: integer('version').notNull().default(1),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    archivedAt: tz('archived_at'),
  },
  (t) => [
    uniqueIndex('dhis2_mapping_dhis2_uq').on(t.kind, t.dhis2Id).where(sql`${t.archivedAt} is null`),
    uniqueIndex('dhis2_mapping_chiso_uq').on(t.kind, t.chisoCode).where(sql`${t.archivedAt} is null`),
    check('dhis2_mapping_kind_ck', sql`${t.kind} in ('dataElement','orgUnit','categoryOptionCombo')`),
  ],
);
