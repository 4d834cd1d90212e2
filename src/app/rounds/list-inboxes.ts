/**
 * Inboxes. A reporter's: the submissions of their units in open rounds that still need them — due
 * (before or on the deadline), overdue (after it) or returned — soonest deadline first. A reviewer's:
 * the submitted reports of their units waiting for review (not those they submitted themselves),
 * each with its values beside the previous period's approved values.
 */
import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../../store/db.ts';
import { type Caller, inSubtrees, isoTs, vnDate } from './access.ts';
import type { zComparison, zReporterInboxItem, zReviewerInboxItem } from './schemas.ts';
import { previousPeriod } from './workflow.ts';
import type { z } from 'zod';

type ReporterItem = z.infer<typeof zReporterInboxItem>;
type ReviewerItem = z.infer<typeof zReviewerInboxItem>;

export async function reporterInbox(
  ex: Executor,
  caller: Caller,
  f: { category?: 'due' | 'overdue' | 'returned' | undefined; round?: number | undefined },
  page: { limit: number; offset: number },
  options: { now?: Date } = {},
): Promise<{ items: ReporterItem[]; total: number }> {
  const now = options.now ?? new Date();
  const today = vnDate(now);
  const category = sql`case when s.status = 'returned' then 'returned'
    when r.deadline < ${today}::date then 'overdue' else 'due' end`;
  const where = sql`s.archived_at is null and s.status in ('draft', 'returned') and r.status = 'open'
    and r.archived_at is null and r.opens_at <= ${now.toISOString()}::timestamptz
    and ${inSubtrees(sql`u.path`, caller.roots('reporter'))}
    and (${f.round ?? null}::int is null or s.round_id = ${f.round ?? null})
    and (${f.category ?? null}::text is null or ${category} = ${f.category ?? null})`;
  const from = sql`submission s join round r on r.id = s.round_id join form f on f.id = r.form_id
    join org_unit u on u.id = s.org_unit_id`;
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from ${from} where ${where}`);
  const items = await rows<ReporterItem>(
    ex,
    sql`select s.id as submission_id, s.round_id, f.code as form, f.name_vi as form_name_vi, f.name_en as form_name_en,
          r.period, u.code as org_unit, u.name_vi as org_unit_name_vi, s.status, s.version, r.deadline::text as deadline,
          (r.deadline - ${today}::date) as days_left, ${category} as category, s.return_comment
        from ${from} where ${where}
        order by r.deadline, u.path, s.id limit ${page.limit} offset ${page.offset}`,
  );
  return { items, total: c?.n ?? 0 };
}

export async function reviewerInbox(
  ex: Executor,
  caller: Caller,
  f: {
    round?: number | undefined;
    form?: string | undefined;
    period?: string | undefined;
    subtree?: string | undefined;
    level?: string | undefined;
    late?: boolean | undefined;
  },
  page: { limit: number; offset: number },
): Promise<{ items: ReviewerItem[]; total: number }> {
  const where = sql`s.archived_at is null and s.status = 'submitted' and r.archived_at is null
    and ${inSubtrees(sql`u.path`, caller.roots('reviewer'))}
    and s.submitted_by is distinct from ${caller.name}
    and (${f.round ?? null}::int is null or s.round_id = ${f.round ?? null})
    and (${f.form ?? null}::text is null or f.code = ${f.form ?? null})
    and (${f.period ?? null}::text is null or r.period = ${f.period ?? null})
    and (${f.level ?? null}::text is null or u.level = ${f.level ?? null})
    and (${f.late ?? null}::boolean is null or s.late = ${f.late ?? null})
    and (${f.subtree ?? null}::text is null or u.path like (select path from org_unit where code = ${f.subtree ?? null}) || '%')`;
  const from = sql`submission s join round r on r.id = s.round_id join form f on f.id = r.form_id
    join org_unit u on u.id = s.org_unit_id`;
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from ${from} where ${where}`);
  const list = await rows<Omit<ReviewerItem, 'comparison' | 'previous_period'> & { org_unit_id: number }>(
    ex,
    sql`select s.id as submission_id, s.round_id, f.code as form, r.period, u.code as org_unit, u.id as org_unit_id,
          u.name_vi as org_unit_name_vi, u.level as org_level, s.version, s.late, r.deadline::text as deadline,
          s.submitted_by, ${isoTs('s.submitted_at')} as submitted_at,
          (select count(*)::int from jsonb_object_keys(coalesce(s.warning_comments, '{}'::jsonb))) as warnings_commented
        from ${from} where ${where}
        order by s.submitted_at, s.id limit ${page.limit} offset ${page.offset}`,
  );
  if (list.length === 0) return { items: [], total: c?.n ?? 0 };
  const ids = sql.join(
    list.map((l) => sql`${l.submission_id}`),
    sql`, `,
  );
  const values = await rows<{
    submission_id: number;
    indicator_id: number;
    indicator: string;
    value: number | null;
  }>(
    ex,
    sql`select s.id as submission_id, i.id as indicator_id, i.code as indicator, v.value
        from submission s join round r on r.id = s.round_id join org_unit u on u.id = s.org_unit_id
          join form_item fi on fi.form_id = r.form_id and fi.form_version = r.form_version
          join indicator i on i.id = fi.indicator_id
          left join data_value v on v.indicator_id = i.id and v.org_unit_id = s.org_unit_id and v.period = r.period
            and v.disagg = '' and v.archived_at is null
        where s.id in (${ids}) and (cardinality(i.levels) = 0 or u.level = any(i.levels))
        order by s.id, fi.position`,
  );
  const prevPeriods = [...new Set(list.map((l) => previousPeriod(l.period)))];
  const prev = await rows<{
    org_unit_id: number;
    indicator_id: number;
    period: string;
    value: number | null;
  }>(
    ex,
    sql`select org_unit_id, indicator_id, period, value from data_value
        where status = 'approved' and archived_at is null and disagg = ''
          and period in (${sql.join(
            prevPeriods.map((p) => sql`${p}`),
            sql`, `,
          )})
          and org_unit_id in (${sql.join(
            list.map((l) => sql`${l.org_unit_id}`),
            sql`, `,
          )})`,
  );
  const prevKey = (u: number, i: number, p: string) => `${u}|${i}|${p}`;
  const prevMap = new Map(prev.map((p) => [prevKey(p.org_unit_id, p.indicator_id, p.period), p.value]));
  const items = list.map(({ org_unit_id, ...l }) => {
    const pp = previousPeriod(l.period);
    const comparison: Array<z.infer<typeof zComparison>> = values
      .filter((v) => v.submission_id === l.submission_id)
      .map((v) => {
        const p = prevMap.get(prevKey(org_unit_id, v.indicator_id, pp)) ?? null;
        return {
          indicator: v.indicator,
          value: v.value,
          previous: p,
          change_pct:
            v.value !== null && p !== null && p !== 0
              ? Math.round(((v.value - p) / Math.abs(p)) * 100 * 1e4) / 1e4
              : null,
        };
      });
    return { ...l, previous_period: pp, comparison };
  });
  return { items, total: c?.n ?? 0 };
}
