/**
 * Reading submissions: lists (narrowed to the caller's subtrees), a submission's values with the
 * previous period's approved value beside each, and its workflow events.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rows } from '../../store/db.ts';
import { inSubtrees, isoTs } from './access.ts';
import type { SubmissionOut, SubmissionValueOut } from './schemas.ts';
import {
  previousPeriod,
  SUBMISSION_COLUMNS,
  SUBMISSION_FROM,
  type SubmissionRow,
  submissionItems,
} from './workflow.ts';

export interface SubmissionFilter {
  round?: number | undefined;
  status?: string | undefined;
  subtree?: string | undefined;
  level?: string | undefined;
  period?: string | undefined;
  form?: string | undefined;
  late?: boolean | undefined;
}

function where(f: SubmissionFilter, roots: string[]): SQL {
  const parts = [sql`s.archived_at is null`, inSubtrees(sql`u.path`, roots)];
  if (f.round !== undefined) parts.push(sql`s.round_id = ${f.round}`);
  if (f.status) parts.push(sql`s.status = ${f.status}`);
  if (f.subtree) parts.push(sql`u.path like (select path from org_unit where code = ${f.subtree}) || '%'`);
  if (f.level) parts.push(sql`u.level = ${f.level}`);
  if (f.period) parts.push(sql`r.period = ${f.period}`);
  if (f.form) parts.push(sql`f.code = ${f.form}`);
  if (f.late !== undefined) parts.push(sql`s.late = ${f.late}`);
  return sql.join(parts, sql` and `);
}

export async function listSubmissions(
  ex: Executor,
  roots: string[],
  f: SubmissionFilter,
  page: { limit: number; offset: number },
): Promise<{ items: SubmissionOut[]; total: number }> {
  const w = where(f, roots);
  const [c] = await rows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from ${SUBMISSION_FROM} where ${w}`,
  );
  const items = await rows<SubmissionOut>(
    ex,
    sql`select ${SUBMISSION_COLUMNS} from ${SUBMISSION_FROM} where ${w}
        order by r.period_start desc, r.id desc, u.path limit ${page.limit} offset ${page.offset}`,
  );
  return { items, total: c?.n ?? 0 };
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The submission's items with their current values and the previous period's approved values. */
export async function submissionValues(ex: Executor, s: SubmissionRow): Promise<SubmissionValueOut[]> {
  const items = await submissionItems(ex, s);
  if (items.length === 0) return [];
  const prev = previousPeriod(s.period);
  const ids = sql.join(
    items.map((i) => sql`${i.indicator_id}`),
    sql`, `,
  );
  const current = await rows<{
    indicator_id: number;
    id: number;
    value: number | null;
    version: number;
    status: string;
    comment: string | null;
    archived: boolean;
  }>(
    ex,
    sql`select indicator_id, id, value, version, status, comment, archived_at is not null as archived from data_value
        where org_unit_id = ${s.org_unit_id} and period = ${s.period} and disagg = '' and indicator_id in (${ids})`,
  );
  const previous = await rows<{ indicator_id: number; value: number | null }>(
    ex,
    sql`select indicator_id, value from data_value
        where org_unit_id = ${s.org_unit_id} and period = ${prev} and disagg = '' and archived_at is null
          and status = 'approved' and indicator_id in (${ids})`,
  );
  const files = await rows<{ indicator_id: number; n: number }>(
    ex,
    sql`select indicator_id, count(*)::int as n from attachment
        where submission_id = ${s.id} and archived_at is null and indicator_id is not null group by indicator_id`,
  );
  const cur = new Map(current.map((c) => [c.indicator_id, c]));
  const prv = new Map(previous.map((p) => [p.indicator_id, p.value]));
  const nFiles = new Map(files.map((f) => [f.indicator_id, f.n]));
  return items.map((i) => {
    const c = cur.get(i.indicator_id);
    const value = c && !c.archived ? c.value : null;
    const hasPrev = prv.has(i.indicator_id);
    const p = hasPrev ? (prv.get(i.indicator_id) ?? null) : null;
    const change = value !== null && p !== null ? round6(value - p) : null;
    return {
      position: i.position,
      section: i.section,
      indicator: i.code,
      name_vi: i.name_vi,
      name_en: i.name_en,
      unit: i.unit,
      value_type: i.value_type,
      required: i.required,
      value,
      value_id: c?.id ?? null,
      version: c?.version ?? 0,
      status: c && !c.archived ? c.status : null,
      comment: c && !c.archived ? c.comment : null,
      previous: hasPrev ? { period: prev, value: p } : null,
      change,
      change_pct: change !== null && p !== null && p !== 0 ? round6((change / Math.abs(p)) * 100) : null,
      attachments: nFiles.get(i.indicator_id) ?? 0,
    };
  });
}

export async function submissionEvents(ex: Executor, submissionId: number) {
  return rows<{
    id: number;
    action: string;
    from_status: string | null;
    to_status: string;
    actor: string;
    comment: string | null;
    data: unknown;
    at: string;
  }>(
    ex,
    sql`select id, action, from_status, to_status, actor, comment, data, ${isoTs('at')} as at
        from submission_event where submission_id = ${submissionId} order by id`,
  );
}
