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
import { csvLine } from '../../formats/csv.ts';
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

/** The SQL of each CSV column (text ones; `value` and `version` are numbers). */
const CSV_TEXT_SQL = {
  indicator_code: sql`i.code`,
  indicator_name_vi: sql`i.name_vi`,
  period: sql`v.period`,
  org_unit_code: sql`u.code`,
  org_unit_name_vi: sql`u.name_vi`,
  org_level: sql`u.level`,
  disagg: sql`v.disagg`,
  unit_of_measure: sql`i.unit`,
  provenance: sql`v.provenance`,
  status: sql`v.status`,
  source_document: sql`d.code`,
  comment: sql`v.comment`,
} as const;

/** A text cell as `csvCell` writes it, for text that does not need the formula guard: quoted when it holds a quote, comma or line break. */
const csvTextSql = (x: ReturnType<typeof sql>) =>
  sql`case when ${x} is null then '' when ${x} ~ ${'[",\r\n]'} then '"' || replace(${x}, '"', '""') || '"' else ${x} end`;

/**
 * When the database's own text of a row could differ from `csvCell`'s, the row is written in
 * JavaScript instead: a text cell that starts like a formula (the guard depends on JavaScript's
 * Number()), or a number that PostgreSQL prints otherwise (exponents, -0, non-finite, or digits
 * that do not read back as the same double).
 */
const CSV_FALLBACK_SQL = sql`(${sql.join(
  Object.values(CSV_TEXT_SQL).map((x) => sql`coalesce(${x} ~ ${'^[-=+@\t\r]'}, false)`),
  sql` or `,
)} or (v.value is not null and not (n.vt ~ '^-?[0-9]+([.][0-9]+)?$' and n.vt <> '-0' and n.vt::float8 = v.value)))`;

const CSV_LINE_SQL = sql`${sql.join(
  VALUE_CSV.map((k) =>
    k === 'value'
      ? sql`coalesce(n.vt, '')`
      : k === 'version'
        ? sql`v.version::text`
        : csvTextSql(CSV_TEXT_SQL[k]),
  ),
  sql` || ',' || `,
)} || ${'\r\n'}`;

/**
 * One batch of CSV lines: the next `batch` matching values after id `after`, cut into segments
 * that each start with at most one row for JavaScript to write (`hard_id`), then the text of the
 * following rows written by the database, in id order.
 */
export const valueCsvBatchSql = (where: SQL, after: number, batch: number) =>
  sql`with r as (
        select v.id, ${CSV_FALLBACK_SQL} as hard, ${CSV_LINE_SQL} as line
          from ${VALUE_FROM} cross join lateral (select v.value::text as vt) n
         where ${where} and v.id > ${after} order by v.id limit ${batch}),
      s as (select id, hard, line, sum(hard::int) over (order by id) as seg from r)
      select min(id) filter (where hard) as hard_id,
             coalesce(string_agg(line, '' order by id) filter (where not hard), '') as text,
             count(*)::int as n, max(id) as last
        from s group by seg order by seg`;

/**
 * All matching values as the lines of the values CSV (no header), in id order, in batches. The
 * database writes each line (one text per batch, no per-row objects); the rare row whose text
 * PostgreSQL would write differently from `csvCell` (see CSV_FALLBACK_SQL) is read as columns and
 * written by `csvLine`, so the bytes are those of `csvLine` over VALUE_CSV for every row.
 */
export async function* valueCsvLines(
  ex: Executor,
  filter: ValueFilter,
  batch = 5000,
): AsyncGenerator<string> {
  const f = await withSubtreePath(ex, filter);
  const where = valueWhere(f);
  let after = 0;
  for (;;) {
    const segs = await rows<{ hard_id: number | null; text: string; n: number; last: number }>(
      ex,
      valueCsvBatchSql(where, after, batch),
    );
    let n = 0;
    for (const s of segs) {
      n += s.n;
      after = Math.max(after, Number(s.last));
    }
    if (n === 0) return;
    const hardIds = segs.flatMap((s) => (s.hard_id === null ? [] : [Number(s.hard_id)]));
    const hard = new Map<number, ValueOut>();
    if (hardIds.length)
      for (const r of await rows<ValueOut>(
        ex,
        sql`select ${VALUE_COLUMNS} from ${VALUE_FROM} where v.id in (${sql.join(
          hardIds.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      ))
        hard.set(Number(r.id), r);
    let out = '';
    for (const s of segs) {
      if (s.hard_id !== null) out += csvLine(VALUE_CSV.map((k) => hard.get(Number(s.hard_id))![k]));
      out += s.text;
    }
    yield out;
    if (n < batch) return;
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
