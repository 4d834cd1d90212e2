/**
 * Rounds (đợt báo cáo): openRound opens a form for one period for the units of a subtree (optionally
 * of one level) and creates a draft submission for each; updateRound moves the deadline or the
 * opening time, closes or reopens the round; getRound / listRounds read them with counts by status
 * within the caller's scope.
 *
 * Units in scope: every unit of the subtree (the root included), of the given level if any, not
 * archived and existing on the last day of the period (so a 2025Q2 round goes to the units before the
 * 1 July 2025 reorganisation, a 2025Q3 round to the units after it).
 *
 * Dates: the reporting window is Decree 09's by default (src/core/period.ts reportingWindow) or the
 * calendar period; submissions are accepted from the cut-off day on, and after the deadline they are
 * accepted but flagged late. Days are calendar days in Vietnam (UTC+7).
 */
import { type SQL, sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import {
  formatPeriod,
  formatPeriodEn,
  formatPeriodVi,
  periodEnd,
  periodStart,
  reportingWindow,
} from '../../core/period.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { levelExists, periodOf, staleVersion, unitRef } from '../catalogue/refs.ts';
import { type Caller, inSubtrees, isoTs, notFound, requireRole } from './access.ts';
import { type RoundInput, type RoundOut, type RoundPatch, zRoundInput, zRoundPatch } from './schemas.ts';

/** SQL selecting the ids of the units a round goes to. */
function unitsInScope(rootPath: string, level: string | null, lastDay: string): SQL {
  return sql`select u.id from org_unit u
    where u.path like ${`${rootPath}%`} and u.archived_at is null
      and (${level}::text is null or u.level = ${level})
      and (u.valid_from is null or u.valid_from <= ${lastDay}::date)
      and (u.valid_to is null or u.valid_to >= ${lastDay}::date)`;
}

const ROUND_COLUMNS = (scope: SQL) => sql`r.id, f.code as form, r.form_version, f.name_vi as form_name_vi,
  f.name_en as form_name_en, r.period, r.title_vi, r.title_en, r.window_rule, r.data_from::text as data_from,
  r.data_to::text as data_to, r.cutoff::text as cutoff, r.deadline::text as deadline, ${isoTs('r.opens_at')} as opens_at,
  su.code as scope_unit, r.scope_level, r.status, r.version, r.created_by, ${isoTs('r.created_at')} as created_at,
  ${isoTs('r.closed_at')} as closed_at,
  (select json_build_object(
      'draft', count(*) filter (where s.status = 'draft'), 'submitted', count(*) filter (where s.status = 'submitted'),
      'returned', count(*) filter (where s.status = 'returned'), 'approved', count(*) filter (where s.status = 'approved'),
      'locked', count(*) filter (where s.status = 'locked'), 'late', count(*) filter (where s.late), 'total', count(*))
    from submission s join org_unit u on u.id = s.org_unit_id
    where s.round_id = r.id and s.archived_at is null and ${scope}) as counts`;
const ROUND_FROM = sql`round r join form f on f.id = r.form_id join org_unit su on su.id = r.scope_unit_id`;

function withLabels(r: Omit<RoundOut, 'period_label_vi' | 'period_label_en'>): RoundOut {
  const p = periodOf(r.period);
  return { ...r, period_label_vi: formatPeriodVi(p), period_label_en: formatPeriodEn(p) };
}

/** One round; counts only over the units in `roots` (null: every unit). */
export async function getRound(
  ex: Executor,
  id: number,
  roots: string[] | null = null,
): Promise<RoundOut | null> {
  const scope = roots === null ? sql`true` : inSubtrees(sql`u.path`, roots);
  const [r] = await rows<Omit<RoundOut, 'period_label_vi' | 'period_label_en'>>(
    ex,
    sql`select ${ROUND_COLUMNS(scope)} from ${ROUND_FROM} where r.id = ${id} and r.archived_at is null`,
  );
  return r ? withLabels(r) : null;
}

export interface RoundFilter {
  status?: string | undefined;
  form?: string | undefined;
  period?: string | undefined;
}

/** Rounds with at least one submission in the caller's subtrees, newest period first. */
export async function listRounds(
  ex: Executor,
  roots: string[],
  f: RoundFilter,
  page: { limit: number; offset: number },
): Promise<{ items: RoundOut[]; total: number }> {
  const scope = inSubtrees(sql`u.path`, roots);
  const where = sql`r.archived_at is null
    and (${f.status ?? null}::text is null or r.status = ${f.status ?? null})
    and (${f.form ?? null}::text is null or f.code = ${f.form ?? null})
    and (${f.period ?? null}::text is null or r.period = ${f.period ?? null})
    and exists (select 1 from submission s join org_unit u on u.id = s.org_unit_id where s.round_id = r.id and ${scope})`;
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from ${ROUND_FROM} where ${where}`);
  const items = await rows<Omit<RoundOut, 'period_label_vi' | 'period_label_en'>>(
    ex,
    sql`select ${ROUND_COLUMNS(scope)} from ${ROUND_FROM} where ${where}
        order by r.period_start desc, r.id desc limit ${page.limit} offset ${page.offset}`,
  );
  return { items: items.map(withLabels), total: c?.n ?? 0 };
}

export async function openRound(
  ex: Executor,
  caller: Caller,
  raw: RoundInput,
  options: { now?: Date } = {},
): Promise<RoundOut> {
  const input = zRoundInput.parse(raw);
  const now = options.now ?? new Date();
  const root = await unitRef(ex, input.org_unit);
  requireRole(caller, 'admin', root);
  const [form] = await rows<{ id: number; code: string; version: number; period_type: string }>(
    ex,
    sql`select id, code, version, period_type from form where code = ${input.form} and archived_at is null`,
  );
  if (!form)
    throw new ChisoError({
      code: 'form.unknown',
      field: 'form',
      vi: `Không có biểu mẫu mã '${input.form}'.`,
      en: `There is no form with code '${input.form}'.`,
    });
  const p = periodOf(input.period);
  if (p.type !== form.period_type)
    throw new ChisoError({
      code: 'round.period_type',
      field: 'period',
      vi: `Biểu mẫu '${form.code}' báo cáo theo kỳ '${form.period_type}', không nhận kỳ '${input.period}'.`,
      en: `Form '${form.code}' is reported per '${form.period_type}', not for period '${input.period}'.`,
    });
  const level = input.level ?? null;
  if (level) await levelExists(ex, level, 'level');
  const period = formatPeriod(p);
  const window = reportingWindow(p, input.window);
  const deadline = input.deadline ?? window.deadline;
  if (deadline < window.cutoff)
    throw new ChisoError({
      code: 'round.deadline_before_cutoff',
      field: 'deadline',
      vi: `Hạn nộp ${deadline} sớm hơn ngày chốt số liệu ${window.cutoff}.`,
      en: `The deadline ${deadline} is before the cut-off date ${window.cutoff}.`,
    });
  const scope = unitsInScope(root.path, level, periodEnd(p));
  const units = await rows<{ id: number; code: string }>(
    ex,
    sql`select id, code from org_unit where id in (${scope}) order by path`,
  );
  if (units.length === 0)
    throw new ChisoError({
      code: 'round.no_units',
      field: level ? 'level' : 'org_unit',
      vi: `Không có đơn vị nào${level ? ` cấp '${level}'` : ''} thuộc '${root.code}' tồn tại vào cuối kỳ ${period}.`,
      en: `No unit${level ? ` of level '${level}'` : ''} under '${root.code}' exists at the end of period ${period}.`,
    });
  // A unit reports an indicator for a period in one submission only.
  const overlap = await rows<{ code: string; round_id: number }>(
    ex,
    sql`select u.code, r.id as round_id from submission s join round r on r.id = s.round_id join org_unit u on u.id = s.org_unit_id
        where r.period = ${period} and r.archived_at is null and s.archived_at is null and s.org_unit_id in (${scope})
          and exists (select 1 from form_item a join form_item b on b.indicator_id = a.indicator_id
                      where a.form_id = r.form_id and a.form_version = r.form_version
                        and b.form_id = ${form.id} and b.form_version = ${form.version})
        order by u.path limit 20`,
  );
  if (overlap.length) {
    const list = overlap.map((o) => `${o.code} (#${o.round_id})`).join(', ');
    throw new ChisoError({
      code: 'round.overlap',
      status: 409,
      vi: `Các đơn vị sau đã có đợt báo cáo kỳ ${period} chứa cùng chỉ tiêu: ${list}.`,
      en: `These units already have a round for ${period} with the same indicators: ${list}.`,
      details: { units: overlap },
    });
  }
  const opensAt = input.opens_at ? new Date(input.opens_at).toISOString() : now.toISOString();
  const [r] = await rows<{ id: number }>(
    ex,
    sql`insert into round (form_id, form_version, period, period_start, title_vi, title_en, window_rule, data_from, data_to,
          cutoff, deadline, opens_at, scope_unit_id, scope_level, created_by)
        values (${form.id}, ${form.version}, ${period}, ${periodStart(p)}, ${input.title_vi ?? null}, ${input.title_en ?? null},
          ${input.window}, ${window.dataFrom}, ${window.dataTo}, ${window.cutoff}, ${deadline}, ${opensAt}, ${root.id}, ${level},
          ${caller.name})
        returning id`,
  );
  const roundId = r!.id;
  await ex.execute(
    sql`insert into submission (round_id, org_unit_id) select ${roundId}, id from org_unit where id in (${scope})`,
  );
  await ex.execute(
    sql`insert into submission_event (submission_id, action, from_status, to_status, actor)
        select id, 'open', null, 'draft', ${caller.name} from submission where round_id = ${roundId}`,
  );
  await appendAudit(ex, {
    actor: caller.name,
    action: 'round.open',
    entity: 'round',
    entityId: roundId,
    data: {
      form: form.code,
      form_version: form.version,
      period,
      org_unit: root.code,
      level,
      window: input.window,
      cutoff: window.cutoff,
      deadline,
      opens_at: opensAt,
      units: units.map((u) => u.code),
    },
  });
  return (await getRound(ex, roundId))!;
}

/** The round row, locked, with its scope root, for changes. */
export async function roundForUpdate(ex: Executor, id: number) {
  const [r] = await rows<{
    id: number;
    version: number;
    status: string;
    cutoff: string;
    deadline: string;
    scope_path: string;
    scope_code: string;
  }>(
    ex,
    sql`select r.id, r.version, r.status, r.cutoff::text as cutoff, r.deadline::text as deadline,
          su.path as scope_path, su.code as scope_code
        from round r join org_unit su on su.id = r.scope_unit_id where r.id = ${id} and r.archived_at is null for update of r`,
  );
  if (!r) throw notFound({ vi: 'đợt báo cáo', en: 'round' }, id);
  return r;
}

export async function updateRound(
  ex: Executor,
  caller: Caller,
  id: number,
  raw: RoundPatch,
): Promise<RoundOut> {
  const patch = zRoundPatch.parse(raw);
  const cur = await roundForUpdate(ex, id);
  requireRole(caller, 'admin', { path: cur.scope_path, code: cur.scope_code });
  if (cur.version !== patch.version) throw staleVersion('round', await getRound(ex, id));
  const deadline = patch.deadline ?? cur.deadline;
  if (deadline < cur.cutoff)
    throw new ChisoError({
      code: 'round.deadline_before_cutoff',
      field: 'deadline',
      vi: `Hạn nộp ${deadline} sớm hơn ngày chốt số liệu ${cur.cutoff}.`,
      en: `The deadline ${deadline} is before the cut-off date ${cur.cutoff}.`,
    });
  const status = patch.status ?? cur.status;
  const closing = status === 'closed' && cur.status !== 'closed';
  const reopening = status === 'open' && cur.status !== 'open';
  await ex.execute(
    sql`update round set deadline = ${deadline},
          opens_at = ${patch.opens_at ? new Date(patch.opens_at).toISOString() : sql`opens_at`},
          title_vi = ${patch.title_vi === undefined ? sql`title_vi` : (patch.title_vi ?? null)},
          title_en = ${patch.title_en === undefined ? sql`title_en` : (patch.title_en ?? null)},
          status = ${status},
          closed_at = ${closing ? sql`now()` : reopening ? null : sql`closed_at`},
          closed_by = ${closing ? caller.name : reopening ? null : sql`closed_by`},
          version = version + 1, updated_at = now()
        where id = ${id}`,
  );
  await appendAudit(ex, {
    actor: caller.name,
    action: closing ? 'round.close' : reopening ? 'round.reopen' : 'round.update',
    entity: 'round',
    entityId: id,
    data: { ...patch, version: cur.version + 1 },
  });
  return (await getRound(ex, id))!;
}
