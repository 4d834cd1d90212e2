/**
 * Export of data values in chiso's own CSV and JSON, streamed in id order (the import reads both back).
 */
import { sql } from 'drizzle-orm';
import { valuesCsvChunks, type ValueExportRow } from '../../formats/values-csv.ts';
import { valuesJsonChunks } from '../../formats/values-json.ts';
import { type Executor, rows, type Store } from '../../store/db.ts';
import { type ValueFilter, valueWhere } from '../catalogue/values.ts';

/** Values matching the filter (drafts included unless the filter narrows them), in batches. */
export async function* valueBatches(
  ex: Executor,
  filter: ValueFilter = { draft_scopes: ['/'] },
  batch = 5000,
): AsyncGenerator<ValueExportRow[]> {
  const where = valueWhere(filter);
  let after = 0;
  for (;;) {
    const items = await rows<ValueExportRow & { id: number }>(
      ex,
      sql`select v.id, i.code as indicator_code, i.name_vi as indicator_name_vi, v.period, u.code as org_unit_code,
            u.name_vi as org_unit_name_vi, v.disagg, v.value, i.unit as unit_of_measure, v.provenance, v.status,
            d.code as source_document, v.comment
          from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
          left join document d on d.id = v.source_document_id
          where ${where} and v.id > ${after} order by v.id limit ${batch}`,
    );
    if (items.length === 0) return;
    yield items;
    after = items[items.length - 1]!.id;
    if (items.length < batch) return;
  }
}

/**
 * An iterable whose first item has already been read. Downloads call it before sending any header,
 * so that a rejected filter (a bad period, say) or a failing first query becomes a clean 4xx/5xx
 * problem, not a 200 whose body is cut short.
 */
export async function primed<T>(source: AsyncIterable<T>): Promise<AsyncGenerator<T>> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  })();
}

/** The export as text chunks; the filter is checked and the first batch read before this resolves. */
export async function exportValuesChunks(
  store: Store,
  format: 'csv' | 'json',
  filter?: ValueFilter,
): Promise<AsyncGenerator<string>> {
  const batches = await primed(valueBatches(store.db, filter));
  return format === 'csv' ? valuesCsvChunks(batches) : valuesJsonChunks(batches);
}

/** The whole export as one string (tests, small exports). */
export async function exportValuesText(
  store: Store,
  format: 'csv' | 'json',
  filter?: ValueFilter,
): Promise<string> {
  let out = '';
  for await (const c of await exportValuesChunks(store, format, filter)) out += c;
  return out;
}
