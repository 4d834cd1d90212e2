/**
 * Data values: the figure of one indicator for one unit and period, with provenance, comment and full
 * history. Writes use optimistic versions: a writer names the version it saw, and a stale write gets
 * 409 with the current state, never a silent overwrite. Nothing is deleted: a value is archived.
 */
import { type SQL, sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { formatPeriod, periodEnd, periodStart } from '../../core/period.ts';
import { foldVi } from '../../core/text.ts';
import { checkValue } from '../../core/values.ts';
import { csvCell } from '../../formats/csv.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { notifyApproved } from '../engine/notify.ts';
import { assertValueEditable } from './frozen-values.ts';
import { documentId, indicatorRef, periodOf, unitRef } from './refs.ts';
import { type ValueInput, zValueInput } from './schemas.ts';

export interface ValueOut {
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

export const VALUE_COLUMNS = sql`v.id, i.code as indicator_code, i.name_vi as indicator_name_vi, v.period,
  u.code as org_unit_code, u.name_vi as org_unit_name_vi, u.level as org_level, v.disagg, v.value,
  i.unit as unit_of_measure, v.provenance, v.status, v.comment, d.code as source_document, v.quote, v.version,
  v.updated_at, v.changed_by`;

export const VALUE_FROM = sql`data_value v join indicator i on i.id = v.indicator_id
  join org_unit u on u.id = v.org_unit_id left join document d on d.id = v.source_document_id`;

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

export interface SetValueOptions {
  status?: 'draft' | 'submitted' | 'approved';
  /** Skip the check that the unit's level is one of the indicator's levels (computed roll-ups). */
  anyLevel?: boolean;
}

/** Validates a value against its indicator, unit and period. Returns the resolved keys. */
export async function resolveValueKeys(ex: Executor, input: ValueInput, options: SetValueOptions = {}) {
  const ind = await indicatorRef(ex, input.indicator);
  const unit = await unitRef(ex, input.org_unit);
  const p = periodOf(input.period);
  if (p.type !== ind.period_type) {
    throw new ChisoError({
      code: 'value.period_type',
      field: 'period',
      vi: `Chỉ tiêu '${ind.code}' báo cáo theo kỳ '${ind.period_type}', không nhận kỳ '${input.period}'.`,
      en: `Indicator '${ind.code}' is reported per '${ind.period_type}', not for period '${input.period}'.`,
    });
  }
  if (!options.anyLevel && ind.levels.length > 0 && !ind.levels.includes(unit.level)) {
    throw new ChisoError({
      code: 'value.level_not_allowed',
      field: 'org_unit',
      vi: `Chỉ tiêu '${ind.code}' không áp dụng cho cấp '${unit.level}' của đơn vị '${unit.code}'.`,
      en: `Indicator '${ind.code}' does not apply to level '${unit.level}' of unit '${unit.code}'.`,
    });
  }
  const start = periodStart(p);
  const end = periodEnd(p);
  if ((unit.valid_to && unit.valid_to < start) || (unit.valid_from && unit.valid_from > end)) {
    throw new ChisoError({
      code: 'value.unit_not_valid',
      field: 'org_unit',
      vi: `Đơn vị '${unit.code}' không tồn tại trong kỳ ${input.period} (hiệu lực ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
      en: `Unit '${unit.code}' did not exist in period ${input.period} (valid ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
    });
  }
  checkValue(ind, input.value);
  return { ind, unit, period: formatPeriod(p), periodStart: start };
}

export async function getValue(ex: Executor, id: number): Promise<ValueOut | null> {
  const [v] = await rows<ValueOut>(ex, sql`select ${VALUE_COLUMNS} from ${VALUE_FROM} where v.id = ${id}`);
  return v ?? null;
}

/** Creates or changes one value. */
export async function setValue(
  ex: Executor,
  actor: string,
  raw: ValueInput,
  options: SetValueOptions = {},
): Promise<{ value: ValueOut; outcome: WriteOutcome }> {
  const input = zValueInput.parse(raw);
  const { ind, unit, period, periodStart: start } = await resolveValueKeys(ex, input, options);
  const disagg = input.disagg ?? '';
  const docId = await documentId(ex, input.source_document);
  const status = options.status ?? 'approved';
  const [current] = await rows<{
    id: number;
    version: number;
    value: number | null;
    comment: string | null;
    provenance: string;
    status: string;
    archived: boolean;
  }>(
    ex,
    sql`select id, version, value, comment, provenance, status, archived_at is not null as archived from data_value
        where indicator_id = ${ind.id} and org_unit_id = ${unit.id} and period = ${period} and disagg = ${disagg}
        for update`,
  );
  if (!current) {
    if (input.version !== undefined && input.version !== 0) {
      throw new ChisoError({
        code: 'conflict.stale_version',
        status: 409,
        vi: 'Số liệu này chưa tồn tại; không thể cập nhật theo phiên bản đã nêu.',
        en: 'This value does not exist yet; it cannot be updated from the given version.',
        details: { current: null },
      });
    }
    await assertValueEditable(ex, ind.id, unit.id, period);
    const [row] = await rows<{ id: number }>(
      ex,
      sql`insert into data_value (indicator_id, org_unit_id, period, period_start, disagg, value, provenance, status, comment, source_document_id, changed_by)
          values (${ind.id}, ${unit.id}, ${period}, ${start}, ${disagg}, ${input.value}, ${input.provenance}, ${status}, ${input.comment ?? null}, ${docId}, ${actor})
          returning id`,
    );
    await appendAudit(ex, {
      actor,
      action: 'value.create',
      entity: 'data_value',
      entityId: row!.id,
      data: { indicator: ind.code, org_unit: unit.code, period, disagg, value: input.value, status },
    });
    if (status === 'approved')
      await notifyApproved(ex, { unitIds: [unit.id], period, indicatorIds: [ind.id] });
    return { value: (await getValue(ex, row!.id))!, outcome: 'created' };
  }
  const same =
    input.version === current.version &&
    current.value === input.value &&
    (current.comment ?? null) === (input.comment ?? null) &&
    current.provenance === input.provenance &&
    current.status === status &&
    !current.archived;
  if (same) return { value: (await getValue(ex, current.id))!, outcome: 'unchanged' };
  // Held by a submission that is submitted, approved or locked: only the workflow may change it.
  await assertValueEditable(ex, ind.id, unit.id, period);
  if (input.version === undefined || input.version !== current.version) {
    throw new ChisoError({
      code: 'conflict.stale_version',
      status: 409,
      vi: `Số liệu ${ind.code} / ${unit.code} / ${period} đã được người khác thay đổi (phiên bản hiện tại ${current.version}). Hãy tải lại và thử lại.`,
      en: `Value ${ind.code} / ${unit.code} / ${period} was changed by someone else (current version ${current.version}). Reload and try again.`,
      details: { current: await getValue(ex, current.id) },
    });
  }
  await ex.execute(
    sql`update data_value set value = ${input.value}, provenance = ${input.provenance}, status = ${status},
        comment = ${input.comment ?? null}, source_document_id = coalesce(${docId}, source_document_id),
        version = version + 1, changed_by = ${actor}, archived_at = null, updated_at = now()
        where id = ${current.id}`,
  );
  await appendAudit(ex, {
    actor,
    action: 'value.update',
    entity: 'data_value',
    entityId: current.id,
    data: { from: current.value, to: input.value, version: current.version + 1, status },
  });
  if (status === 'approved' || current.status === 'approved')
    await notifyApproved(ex, { unitIds: [unit.id], period, indicatorIds: [ind.id] });
  return { value: (await getValue(ex, current.id))!, outcome: 'updated' };
}

/** Archives a value (it stops counting; its history stays). */
export async function archiveValue(ex: Executor, actor: string, id: number, version: number, reason: string) {
  const current = await getValue(ex, id);
  if (!current)
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có số liệu ${id}.`,
      en: `No value ${id}.`,
    });
  if (current.version !== version) {
    throw new ChisoError({
      code: 'conflict.stale_version',
      status: 409,
      vi: 'Số liệu đã được người khác thay đổi. Hãy tải lại và thử lại.',
      en: 'The value was changed by someone else. Reload and try again.',
      details: { current },
    });
  }
  const [keys] = await rows<{ indicator_id: number; org_unit_id: number; period: string }>(
    ex,
    sql`select indicator_id, org_unit_id, period from data_value where id = ${id}`,
  );
  await assertValueEditable(ex, keys!.indicator_id, keys!.org_unit_id, keys!.period);
  await ex.execute(
    sql`update data_value set archived_at = now(), version = version + 1, changed_by = ${actor}, comment = ${reason}, updated_at = now() where id = ${id}`,
  );
  await appendAudit(ex, {
    actor,
    action: 'value.archive',
    entity: 'data_value',
    entityId: id,
    data: { reason },
  });
}

export interface ValueHistoryEntry {
  version: number;
  value: number | null;
  provenance: string;
  status: string;
  comment: string | null;
  changed_by: string | null;
  changed_at: string;
  archived: boolean;
  current: boolean;
}

/** Every version of a value, oldest first, the current one last. */
export async function valueHistory(ex: Executor, id: number): Promise<ValueHistoryEntry[]> {
  return rows<ValueHistoryEntry>(
    ex,
    sql`select version, value, provenance, status, comment, changed_by, changed_at, archived, false as current
          from data_value_history where data_value_id = ${id}
        union all
        select version, value, provenance, status, comment, changed_by, updated_at as changed_at, archived_at is not null, true
          from data_value where id = ${id}
        order by version`,
  );
}

export interface ValueFilter {
  indicator?: string | undefined;
  indicators?: string[] | undefined;
  org_unit?: string | undefined;
  subtree?: string | undefined;
  level?: string | undefined;
  group?: string | undefined;
  period?: string | undefined;
  period_from?: string | undefined;
  period_to?: string | undefined;
  provenance?: string | undefined;
  q?: string | undefined;
  /** With org_unit: also the values of every predecessor through lineage (merges and splits). */
  follow_lineage?: boolean | undefined;
  /** Unit-subtree paths in which the caller may see draft and submitted values. */
  draft_scopes?: string[] | undefined;
  /** The subtree's path when already looked up (`withSubtreePath`); null: no such unit. */
  subtree_path?: string | null | undefined;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function valueWhere(f: ValueFilter) {
  const parts = [sql`v.archived_at is null`];
  if (f.indicator) parts.push(sql`i.code = ${f.indicator}`);
  if (f.indicators?.length)
    parts.push(
      sql`i.code in (${sql.join(
        f.indicators.map((c) => sql`${c}`),
        sql`, `,
      )})`,
    );
  if (f.org_unit) {
    if (f.follow_lineage) {
      parts.push(sql`v.org_unit_id in (
        with recursive pre(id, depth) as (
          select id, 0 from org_unit where code = ${f.org_unit}
          union select l.from_unit_id, pre.depth + 1 from org_lineage l join pre on l.to_unit_id = pre.id where pre.depth < 20)
        select id from pre)`);
    } else parts.push(sql`u.code = ${f.org_unit}`);
  }
  if (f.subtree_path !== undefined)
    parts.push(f.subtree_path === null ? sql`false` : sql`u.path like ${`${likeEscape(f.subtree_path)}%`}`);
  else if (f.subtree)
    parts.push(sql`u.path like (select path from org_unit where code = ${f.subtree}) || '%'`);
  if (f.level) parts.push(sql`u.level = ${f.level}`);
  if (f.group) parts.push(sql`i.group_code = ${f.group}`);
  if (f.period) parts.push(sql`v.period = ${formatPeriod(periodOf(f.period))}`);
  if (f.period_from)
    parts.push(sql`v.period_start >= ${periodStart(periodOf(f.period_from, 'period_from'))}`);
  if (f.period_to) parts.push(sql`v.period_start <= ${periodStart(periodOf(f.period_to, 'period_to'))}`);
  if (f.provenance) parts.push(sql`v.provenance = ${f.provenance}`);
  for (const w of foldVi(f.q ?? '')
    .split(' ')
    .filter(Boolean))
    parts.push(sql`(i.search_text like ${`%${w}%`} or u.search_text like ${`%${w}%`})`);
  const scopes = f.draft_scopes ?? [];
  if (scopes.length === 0) parts.push(sql`v.status = 'approved'`);
  else
    parts.push(
      sql`(v.status = 'approved' or ${sql.join(
        scopes.map((s) => sql`u.path like ${`${s}%`}`),
        sql` or `,
      )})`,
    );
  return sql.join(parts, sql` and `);
}

export async function listValues(
  ex: Executor,
  f: ValueFilter,
  page: { limit: number; offset: number },
): Promise<{ items: ValueOut[]; total: number }> {
  const where = valueWhere(await withSubtreePath(ex, f));
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from ${VALUE_FROM} where ${where}`);
  const items = await rows<ValueOut>(
    ex,
    sql`select ${VALUE_COLUMNS} from ${VALUE_FROM} where ${where}
        order by i.code, v.period_start, u.path, v.disagg limit ${page.limit} offset ${page.offset}`,
  );
  return { items, total: c?.n ?? 0 };
}

/** The values CSV's columns, in order (GET /api/values.csv). */
export const VALUE_CSV = [
  'indicator_code',
  'indicator_name_vi',
  'period',
  'org_unit_code',
  'org_unit_name_vi',
  'org_level',
  'disagg',
  'value',
  'unit_of_measure',
  'provenance',
  'status',
  'source_document',
  'comment',
  'version',
] as const satisfies ReadonlyArray<keyof ValueOut>;

/**
 * One batch of the CSV: the next `batch` matching values after id `after`, in id order — the
 * value's own columns only; the indicator's, unit's and document's text is looked up once by id.
 */
export const valueCsvBatchSql = (where: SQL, after: number, batch: number) =>
  sql`select v.id, v.indicator_id, v.org_unit_id, v.period, v.disagg, v.value, v.provenance, v.status,
             v.source_document_id, v.comment, v.version
        from ${VALUE_FROM} where ${where} and v.id > ${after} order by v.id limit ${batch}`;

interface CsvRow {
  id: number;
  indicator_id: number;
  org_unit_id: number;
  period: string;
  disagg: string;
  value: number | null;
  provenance: string;
  status: string;
  source_document_id: number | null;
  comment: string | null;
  version: number;
}

/** CSV cells written once per id: an indicator's code and name, its unit of measure; a unit's code, name and level; a document's code. */
interface CellCache {
  indicator: Map<number, string>;
  measure: Map<number, string>;
  unit: Map<number, string>;
  document: Map<number, string>;
}

/** Adds to the cache the cells of the batch's indicators, units and documents not in it yet (one query). */
async function lookUpCells(ex: Executor, cache: CellCache, items: CsvRow[]): Promise<void> {
  const missing = (ids: Iterable<number>, have: Map<number, string>) =>
    [...new Set(ids)].filter((id) => !have.has(id)).map((id) => sql`${id}`);
  const ind = missing(
    items.map((r) => Number(r.indicator_id)),
    cache.indicator,
  );
  const unit = missing(
    items.map((r) => Number(r.org_unit_id)),
    cache.unit,
  );
  const doc = missing(
    items.flatMap((r) => (r.source_document_id === null ? [] : [Number(r.source_document_id)])),
    cache.document,
  );
  const parts = [
    ind.length &&
      sql`select 0 as kind, id, array[code, name_vi, unit] as cells from indicator where id in (${sql.join(ind, sql`, `)})`,
    unit.length &&
      sql`select 1 as kind, id, array[code, name_vi, level] as cells from org_unit where id in (${sql.join(unit, sql`, `)})`,
    doc.length &&
      sql`select 2 as kind, id, array[code] as cells from document where id in (${sql.join(doc, sql`, `)})`,
  ].filter((q): q is SQL => q !== 0);
  if (parts.length === 0) return;
  for (const r of await rows<{ kind: number; id: number; cells: Array<string | null> }>(
    ex,
    sql.join(parts, sql` union all `),
  )) {
    const id = Number(r.id);
    if (r.kind === 0) {
      cache.indicator.set(id, `${csvCell(r.cells[0])},${csvCell(r.cells[1])}`);
      cache.measure.set(id, csvCell(r.cells[2]));
    } else (r.kind === 1 ? cache.unit : cache.document).set(id, r.cells.map(csvCell).join(','));
  }
}

/**
 * All matching values as the lines of the values CSV (no header: `VALUE_CSV` is its header), in id
 * order, one text per batch — the bytes of `csvLine` over VALUE_CSV for every row
 * (property-tested). Each row is read as its own few columns; the cells of its indicator (code,
 * name; unit of measure), unit (code, name, level) and document are written once per id, so a
 * large answer makes few strings and objects per row.
 */
export async function* valueCsvLines(
  ex: Executor,
  filter: ValueFilter,
  batch = 5000,
): AsyncGenerator<string> {
  const where = valueWhere(await withSubtreePath(ex, filter));
  const cache: CellCache = { indicator: new Map(), measure: new Map(), unit: new Map(), document: new Map() };
  let after = 0;
  for (;;) {
    const items = await rows<CsvRow>(ex, valueCsvBatchSql(where, after, batch));
    if (items.length === 0) return;
    await lookUpCells(ex, cache, items);
    let out = '';
    for (const r of items) {
      const ind = Number(r.indicator_id);
      const doc = r.source_document_id === null ? '' : cache.document.get(Number(r.source_document_id));
      out += `${cache.indicator.get(ind)},${csvCell(r.period)},${cache.unit.get(Number(r.org_unit_id))},${csvCell(r.disagg)},${csvCell(r.value)},${cache.measure.get(ind)},${csvCell(r.provenance)},${csvCell(r.status)},${doc},${csvCell(r.comment)},${r.version}\r\n`;
    }
    yield out;
    after = Number(items[items.length - 1]!.id);
    if (items.length < batch) return;
  }
}

/**
 * The filter with its subtree's path looked up first, so that the values query selects the units
 * by a constant prefix (the path index) rather than by a pattern known only when it runs.
 */
export async function withSubtreePath(ex: Executor, f: ValueFilter): Promise<ValueFilter> {
  if (!f.subtree || f.subtree_path !== undefined) return f;
  const [u] = await rows<{ path: string }>(ex, sql`select path from org_unit where code = ${f.subtree}`);
  return { ...f, subtree_path: u?.path ?? null };
}
