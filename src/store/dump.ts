/**
 * Portable dump and restore between PGlite and PostgreSQL (either direction). The dump is a JSON
 * Lines file: a header naming the format and the migrations applied, then for each table one line
 * per batch of rows, each row as the database's own `row_to_json`. Restore loads into an empty,
 * migrated database with `json_populate_recordset`, so every type round-trips as the database sees
 * it, then moves each id sequence past the highest id. Both run in one transaction.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { ChisoError } from '../core/errors.ts';
import { rows, type Store } from './db.ts';

export const DUMP_FORMAT = 'chiso-dump/1';

/** Tables in an order where every row's references are loaded before it. */
export const DUMP_TABLES = [
  'org_level',
  'org_unit',
  'org_lineage',
  'document',
  'indicator_group',
  'indicator',
  'target',
  'data_value',
  'data_value_history',
  'plan',
  'task',
  'form',
  'form_item',
  'validation_rule',
  'round',
  'submission',
  'submission_event',
  'attachment',
  'submission_signature',
  'reporting_contact',
  'reminder_delivery',
  'app_user',
  'role_grant',
  'session',
  'api_token',
  'login_attempt',
  'oidc_request',
  'task_assignment',
  'task_indicator',
  'task_progress',
  'task_progress_history',
  'task_report',
  'feedback_key',
  'feedback',
  'feedback_rate',
  'dhis2_mapping',
  'unit_boundary',
  'index_methodology',
  'computed_value',
  'progress_status',
  'index_result',
  'engine_change',
  'engine_state',
  'audit_log',
] as const;

const extraTables: string[] = [];
/** Modules that add tables (accounts, rounds, plans …) register them here, in dependency order. */
export function registerDumpTables(...tables: string[]): void {
  for (const t of tables) if (!extraTables.includes(t)) extraTables.push(t);
}
export const dumpTables = (): string[] => [...DUMP_TABLES, ...extraTables];

/** Public tables that no dump order names: a new table must be added to the dump, or it would be lost. */
export async function tablesMissingFromDump(store: Store): Promise<string[]> {
  const all = await rows<{ t: string }>(
    store.db,
    sql`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const known = new Set(dumpTables());
  return all
    .map((r) => r.t)
    .filter((t) => !known.has(t))
    .sort();
}

async function assertComplete(store: Store): Promise<void> {
  const missing = await tablesMissingFromDump(store);
  if (missing.length) {
    throw new ChisoError({
      code: 'dump.unknown_tables',
      status: 500,
      vi: `Các bảng chưa có trong thứ tự sao lưu: ${missing.join(', ')}.`,
      en: `Tables missing from the dump order: ${missing.join(', ')}.`,
    });
  }
}

const ident = (t: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(t)) throw new Error(`bad table name ${t}`);
  return `"${t}"`;
};

/** Writes the whole database to `file`; returns the number of rows written. */
export async function dumpDatabase(store: Store, file: string, batch = 2000): Promise<number> {
  await assertComplete(store);
  const out = createWriteStream(file, { encoding: 'utf8' });
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  let total = 0;
  await store.db.transaction(async (tx) => {
    await tx.execute(sql`set transaction isolation level repeatable read`);
    const migrations = await rows<{ hash: string }>(
      tx,
      sql`select hash from drizzle.__drizzle_migrations order by id`,
    ).catch(() => []);
    await write(
      JSON.stringify({
        format: DUMP_FORMAT,
        at: new Date().toISOString(),
        migrations: migrations.map((m) => m.hash),
        tables: dumpTables(),
      }),
    );
    for (const table of dumpTables()) {
      for (let offset = 0; ; offset += batch) {
        const chunk = await rows<{ j: string }>(
          tx,
          sql.raw(
            `select row_to_json(t)::text as j from (select * from ${ident(table)} order by 1 limit ${batch} offset ${offset}) t`,
          ),
        );
        if (chunk.length === 0) break;
        await write(`{"table":${JSON.stringify(table)},"rows":[${chunk.map((r) => r.j).join(',')}]}`);
        total += chunk.length;
        if (chunk.length < batch) break;
      }
    }
  });
  out.end();
  await once(out, 'finish');
  return total;
}

/** Loads a dump into an empty database; returns the number of rows loaded. Atomic. */
export async function restoreDatabase(store: Store, file: string): Promise<number> {
  await assertComplete(store);
  const [existing] = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from org_unit`);
  if ((existing?.n ?? 0) > 0) {
    throw new ChisoError({
      code: 'restore.not_empty',
      vi: 'Chỉ khôi phục được vào một cơ sở dữ liệu trống.',
      en: 'A dump can only be restored into an empty database.',
    });
  }
  let total = 0;
  let lineNo = 0;
  const known = new Set(dumpTables());
  await store.db.transaction(async (tx) => {
    // Opened inside the transaction: readline drops lines emitted before iteration starts.
    const lines = createInterface({
      input: createReadStream(file, { encoding: 'utf8' }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      lineNo++;
      if (!line.trim()) continue;
      let obj: { format?: string; table?: string; rows?: unknown[] };
      try {
        obj = JSON.parse(line) as typeof obj;
      } catch {
        throw new ChisoError({
          code: 'restore.malformed',
          file,
          row: lineNo,
          vi: 'Dòng không phải JSON hợp lệ.',
          en: 'The line is not valid JSON.',
        });
      }
      if (lineNo === 1) {
        if (obj.format !== DUMP_FORMAT) {
          throw new ChisoError({
            code: 'restore.format',
            file,
            row: 1,
            vi: `Không phải tệp sao lưu chiso (${DUMP_FORMAT}).`,
            en: `Not a chiso dump (${DUMP_FORMAT}).`,
          });
        }
        continue;
      }
      if (!obj.table || !known.has(obj.table) || !Array.isArray(obj.rows)) {
        throw new ChisoError({
          code: 'restore.malformed',
          file,
          row: lineNo,
          vi: `Bảng không hợp lệ: ${obj.table}.`,
          en: `Unknown table: ${obj.table}.`,
        });
      }
      const t = ident(obj.table);
      await tx.execute(
        sql`${sql.raw(`insert into ${t} select * from json_populate_recordset(null::${t}, `)}${JSON.stringify(obj.rows)}::json)`,
      );
      total += obj.rows.length;
    }
    // Move every serial sequence past the restored ids.
    const seqs = await rows<{ t: string; c: string; s: string }>(
      tx,
      sql`select c.table_name as t, c.column_name as c, pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) as s
          from information_schema.columns c where c.table_schema = 'public' and c.column_default like 'nextval%'`,
    );
    for (const q of seqs) {
      if (!q.s) continue;
      await tx.execute(
        sql.raw(
          `select setval('${q.s}', coalesce((select max(${ident(q.c)}) from ${ident(q.t)}), 0) + 1, false)`,
        ),
      );
    }
  });
  return total;
}
