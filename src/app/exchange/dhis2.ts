/**
 * DHIS2 exchange use cases: the identifier mapping (dhis2_mapping), import of dataValueSets (JSON,
 * CSV, XML) and ADX through the bulk import pipeline, and export in the same formats.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ChisoError } from '../../core/errors.ts';
import {
  adxChunks,
  categoriesOfDisagg,
  type Dhis2ExportRow,
  type Dhis2Ids,
  type Dhis2Kind,
  dhis2CsvChunks,
  dhis2JsonChunks,
  readAdx,
  readDhis2Csv,
  readDhis2Json,
  readDhis2Xml,
} from '../../formats/dhis2.ts';
import { hashing, type InputSource } from '../../formats/utf8.ts';
import type { ValueRow } from '../../formats/value-row.ts';
import { type Executor, rows, type Store } from '../../store/db.ts';
import { DHIS2_MAPPING_KINDS } from '../../store/schema-exchange.ts';
import { appendAudit } from '../audit.ts';
import { type ValueFilter, valueWhere } from '../catalogue/values.ts';
import { primed } from './export-values.ts';
import { type ImportOptions, type ImportSummary, importValueRows } from './import-values.ts';

export const zDhis2MappingInput = z
  .object({
    kind: z.enum(DHIS2_MAPPING_KINDS),
    dhis2_id: z.string().min(1).max(230),
    chiso_code: z.string().max(200),
    note: z.string().max(2000).nullish(),
  })
  .strict();
export type Dhis2MappingInput = z.infer<typeof zDhis2MappingInput>;

export interface Dhis2MappingOut {
  id: number;
  kind: Dhis2Kind;
  dhis2_id: string;
  chiso_code: string;
  note: string | null;
  version: number;
}

export async function listDhis2Mappings(ex: Executor, kind?: Dhis2Kind): Promise<Dhis2MappingOut[]> {
  return rows<Dhis2MappingOut>(
    ex,
    sql`select id, kind, dhis2_id, chiso_code, note, version from dhis2_mapping
        where archived_at is null ${kind ? sql`and kind = ${kind}` : sql``} order by kind, dhis2_id`,
  );
}

async function checkChisoCode(ex: Executor, m: Dhis2MappingInput): Promise<void> {
  const table = m.kind === 'dataElement' ? 'indicator' : m.kind === 'orgUnit' ? 'org_unit' : null;
  if (!table) {
    if (m.chiso_code.length === 0 || m.chiso_code.length > 200)
      throw new ChisoError({
        code: 'dhis2.mapping_disagg',
        field: 'chiso_code',
        vi: 'Phân tổ phải dài 1–200 ký tự (tổ hợp mặc định là tổng, không cần ánh xạ).',
        en: 'A disaggregation is 1–200 characters (the default combo is the total and needs no mapping).',
      });
    return;
  }
  const [r] = await rows(
    ex,
    sql`select 1 from ${sql.raw(table)} where code = ${m.chiso_code} and archived_at is null`,
  );
  if (!r)
    throw new ChisoError({
      code: `${table}.unknown`,
      field: 'chiso_code',
      vi: `Không có ${table === 'indicator' ? 'chỉ tiêu' : 'đơn vị'} với mã '${m.chiso_code}'.`,
      en: `There is no ${table === 'indicator' ? 'indicator' : 'org unit'} with code '${m.chiso_code}'.`,
    });
}

/**
 * Sets mappings (one transaction, audited). A mapping replaces — by archiving — any active mapping of
 * the same kind for the same DHIS2 identifier or the same chiso code. Identical mappings are left alone.
 */
export async function setDhis2Mappings(
  store: Store,
  actor: string,
  input: Dhis2MappingInput[],
): Promise<{ created: number; unchanged: number }> {
  return store.db.transaction(async (tx) => {
    let created = 0;
    let unchanged = 0;
    for (const [i, raw] of input.entries()) {
      const m = zDhis2MappingInput.parse(raw);
      try {
        await checkChisoCode(tx, m);
      } catch (e) {
        if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), row: i + 1 });
        throw e;
      }
      const [same] = await rows(
        tx,
        sql`select id from dhis2_mapping where archived_at is null and kind = ${m.kind} and dhis2_id = ${m.dhis2_id} and chiso_code = ${m.chiso_code}`,
      );
      if (same) {
        unchanged++;
        continue;
      }
      await tx.execute(sql`update dhis2_mapping set archived_at = now(), version = version + 1, updated_at = now()
        where archived_at is null and kind = ${m.kind} and (dhis2_id = ${m.dhis2_id} or chiso_code = ${m.chiso_code})`);
      const [row] = await rows<{ id: number }>(
        tx,
        sql`insert into dhis2_mapping (kind, dhis2_id, chiso_code, note) values (${m.kind}, ${m.dhis2_id}, ${m.chiso_code}, ${m.note ?? null}) returning id`,
      );
      await appendAudit(tx, {
        actor,
        action: 'dhis2_mapping.set',
        entity: 'dhis2_mapping',
        entityId: row!.id,
        data: { kind: m.kind, dhis2_id: m.dhis2_id, chiso_code: m.chiso_code },
      });
      created++;
    }
    return { created, unchanged };
  });
}

export async function archiveDhis2Mapping(store: Store, actor: string, id: number): Promise<void> {
  await store.db.transaction(async (tx) => {
    const [r] = await rows(
      tx,
      sql`update dhis2_mapping set archived_at = now(), version = version + 1, updated_at = now()
      where id = ${id} and archived_at is null returning id`,
    );
    if (!r)
      throw new ChisoError({
        code: 'not_found',
        status: 404,
        vi: `Không có ánh xạ DHIS2 ${id}.`,
        en: `No DHIS2 mapping ${id}.`,
      });
    await appendAudit(tx, { actor, action: 'dhis2_mapping.archive', entity: 'dhis2_mapping', entityId: id });
  });
}

/** Identifier translation from the mapping table, falling back to identical chiso codes. */
export async function loadDhis2Ids(ex: Executor): Promise<Dhis2Ids> {
  const maps = await listDhis2Mappings(ex);
  const to = new Map<string, string>();
  const from = new Map<string, string>();
  for (const m of maps) {
    to.set(`${m.kind}\u0000${m.dhis2_id}`, m.chiso_code);
    from.set(`${m.kind}\u0000${m.chiso_code}`, m.dhis2_id);
  }
  const codes = async (table: string) =>
    new Set(
      (
        await rows<{ code: string }>(ex, sql`select code from ${sql.raw(table)} where archived_at is null`)
      ).map((r) => r.code),
    );
  const indicators = await codes('indicator');
  const units = await codes('org_unit');
  return {
    toChiso(kind, id) {
      const mapped = to.get(`${kind}\u0000${id}`);
      if (mapped !== undefined) return mapped;
      if (kind === 'dataElement') return indicators.has(id) && !from.has(`${kind}\u0000${id}`) ? id : null;
      if (kind === 'orgUnit') return units.has(id) && !from.has(`${kind}\u0000${id}`) ? id : null;
      // chiso's own disaggregations travel as 'Category=option;…' (what chiso writes for unmapped ones).
      return categoriesOfDisagg(id) !== null && !from.has(`${kind}\u0000${id}`) ? id : null;
    },
    toDhis2(kind, code) {
      return from.get(`${kind}\u0000${code}`) ?? code;
    },
  };
}

export type Dhis2Format = 'json' | 'csv' | 'xml' | 'adx';

export const DHIS2_MEDIA_TYPES: Record<Dhis2Format, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'application/csv; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  adx: 'application/adx+xml; charset=utf-8',
};

/** Imports a DHIS2 file through the bulk pipeline (atomic, idempotent, audited, dry run). */
export async function importDhis2(
  store: Store,
  actor: string,
  input: InputSource,
  format: Dhis2Format,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const file = options.file ?? `dataValueSets.${format === 'adx' ? 'adx.xml' : format}`;
  const ids = await loadDhis2Ids(store.db);
  const h = hashing(input);
  let rowsOf: AsyncIterable<ValueRow>;
  if (format === 'json') rowsOf = readDhis2Json(h.source, ids, file);
  else if (format === 'csv') rowsOf = readDhis2Csv(h.source, ids, file);
  else if (format === 'xml') rowsOf = readDhis2Xml(h.source, ids, file);
  else rowsOf = readAdx(h.source, ids, file);
  return importValueRows(
    store,
    actor,
    { format: `dhis2-${format}`, rows: rowsOf, sha256: h.sha256, bytes: h.bytes },
    { ...options, file, action: options.action ?? 'values.import_dhis2' },
  );
}

async function* dhis2Batches(
  ex: Executor,
  filter: ValueFilter,
  batch = 5000,
): AsyncGenerator<Dhis2ExportRow[]> {
  const where = valueWhere(filter);
  let after = 0;
  for (;;) {
    const items = await rows<Dhis2ExportRow & { id: number }>(
      ex,
      sql`select v.id, i.code as indicator_code, u.code as org_unit_code, v.period, v.disagg, v.value, v.comment,
            v.changed_by, v.updated_at
          from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
          where ${where} and v.id > ${after} order by v.id limit ${batch}`,
    );
    if (items.length === 0) return;
    yield items;
    after = items[items.length - 1]!.id;
    if (items.length < batch) return;
  }
}

/** Streams values as DHIS2 JSON, CSV or ADX (XML export is ADX); the first batch is read before it resolves. */
export async function exportDhis2(
  store: Store,
  format: Exclude<Dhis2Format, 'xml'>,
  filter: ValueFilter = {},
  options: { dataSet?: string } = {},
): Promise<AsyncGenerator<string>> {
  const ids = await loadDhis2Ids(store.db);
  const batches = await primed(dhis2Batches(store.db, filter));
  if (format === 'json') return dhis2JsonChunks(batches, ids);
  if (format === 'csv') return dhis2CsvChunks(batches, ids);
  return adxChunks(batches, ids, options.dataSet);
}
