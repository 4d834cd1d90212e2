/**
 * The demo plans: every YAML file of data/demo/plans imported as any plan file is, then synthetic
 * quarterly progress for their tasks so that the pages have something to show. Every synthetic report
 * carries provenance 'synthetic' and says so in its narrative; no real progress report is in the seeds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import {
  formatPeriod,
  type Period,
  periodEnd,
  periodOfDate,
  periodStart,
  shiftPeriod,
} from '../../core/period.ts';
import { deadlineDate, type Deadline } from '../../core/tasks.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { importPlanYaml } from './import-plan.ts';

export const SYNTHETIC_PROGRESS_NOTE =
  'Báo cáo minh họa tổng hợp (synthetic), không phải báo cáo thật / Synthetic demo report, not a real report';

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface DemoTask {
  id: number;
  plan_id: number;
  number: string;
  lead_unit_id: number | null;
  lead_level: string | null;
  deadline_kind: Deadline['kind'];
  deadline_value: string | null;
  recurrence: string | null;
  issuer_unit_id: number | null;
  issued_on: string | null;
  title_vi: string;
}

interface ProgressSeed {
  task: number;
  unit: number;
  period: Period;
  role: 'lead' | 'co_lead' | 'coordinating';
  status: 'not_started' | 'in_progress' | 'done' | 'blocked';
  percent: number | null;
  completed: string | null;
  reportedAt: string;
}

/** The day a quarter's report is sent in the demo: the 18th of its last month, 09:00 in Viet Nam. */
const reportDay = (p: Period): string => `${periodEnd(p).slice(0, 8)}18T09:00:00+07:00`;

export async function loadDemoPlans(
  ex: Executor,
  dir: string,
  options: { synthetic?: boolean } = {},
): Promise<{ plans: number; tasks: number; progress: number }> {
  const actor = 'system:demo';
  const plansDir = join(dir, 'plans');
  let files: string[] = [];
  try {
    files = readdirSync(plansDir)
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort();
  } catch {
    return { plans: 0, tasks: 0, progress: 0 };
  }
  let tasks = 0;
  for (const f of files) {
    const s = await importPlanYaml(
      ex,
      actor,
      readFileSync(join(plansDir, f), 'utf8'),
      `data/demo/plans/${f}`,
    );
    tasks += s.tasks.total;
  }
  if (options.synthetic === false) return { plans: files.length, tasks, progress: 0 };

  const leaves = await rows<DemoTask>(
    ex,
    sql`select t.id, t.plan_id, t.number, t.lead_unit_id, t.lead_level, t.deadline_kind, t.deadline_value, t.recurrence,
          p.issuer_unit_id, p.issued_on, p.title_vi
        from task t join plan p on p.id = t.plan_id
        where t.archived_at is null and p.status = 'active'
          and not exists (select 1 from task c where c.parent_id = t.id and c.archived_at is null)
        order by p.code, t.sort`,
  );
  const assignments = await rows<{
    task_id: number;
    role: string;
    org_unit_id: number | null;
    org_level: string | null;
  }>(
    ex,
    sql`select task_id, role, org_unit_id, org_level from task_assignment where archived_at is null order by task_id, sort`,
  );
  const units = await rows<{ id: number; level: string; valid_from: string | null; valid_to: string | null }>(
    ex,
    sql`select id, level, valid_from, valid_to from org_unit where archived_at is null order by code`,
  );
  const rand = random(20210310);
  const seeds: ProgressSeed[] = [];
  for (const t of leaves) {
    const year = Number(t.issued_on?.slice(0, 4) ?? /năm (\d{4})/.exec(t.title_vi)?.[1] ?? Number.NaN);
    if (!Number.isInteger(year)) continue;
    const start = t.issued_on ?? `${year}-01-01`;
    const first = periodOfDate(start, 'quarter');
    const quarters = [0, 1, 2, 3].map((i) => shiftPeriod(first, i)).filter((p) => p.year === year);
    const validIn = (u: { valid_from: string | null; valid_to: string | null }, p: Period) =>
      (u.valid_from === null || u.valid_from <= periodEnd(p)) &&
      (u.valid_to === null || u.valid_to >= periodStart(p));
    const mine = assignments.filter((a) => a.task_id === t.id);
    const leadSide = new Map<number, 'lead' | 'co_lead'>();
    if (t.lead_unit_id !== null) leadSide.set(t.lead_unit_id, 'lead');
    const byLevel = (level: string, role: 'lead' | 'co_lead') => {
      for (const u of units)
        if (u.level === level && validIn(u, first) && !leadSide.has(u.id)) leadSide.set(u.id, role);
    };
    if (t.lead_level) byLevel(t.lead_level, 'lead');
    for (const a of mine) {
      if (a.role !== 'co_lead') continue;
      if (a.org_unit_id !== null && !leadSide.has(a.org_unit_id)) leadSide.set(a.org_unit_id, 'co_lead');
      if (a.org_level) byLevel(a.org_level, 'co_lead');
    }
    // A task no unit leads is answered for by the plan's issuer (as in progress.ts and plans.ts).
    const noLead =
      t.lead_unit_id === null && t.lead_level === null && !mine.some((a) => a.role === 'co_lead');
    if (noLead && t.issuer_unit_id !== null) leadSide.set(t.issuer_unit_id, 'lead');
    const due = deadlineDate({
      kind: t.deadline_kind,
      value: t.deadline_value,
      recurrence: null,
      text: null,
    });
    const unitById = new Map(units.map((u) => [u.id, u]));
    for (const [unitId, role] of leadSide) {
      const unit = unitById.get(unitId)!;
      const owed = quarters.filter((p) => validIn(unit, p));
      if (owed.length === 0) continue;
      const draw = rand();
      if (t.deadline_kind === 'recurring') {
        for (const p of owed) {
          if (rand() < 0.08) continue; // a missed quarter
          seeds.push({
            task: t.id,
            unit: unitId,
            period: p,
            role,
            status: rand() < 0.05 ? 'blocked' : 'in_progress',
            percent: null,
            completed: null,
            reportedAt: reportDay(p),
          });
        }
        continue;
      }
      if (draw < 0.08) continue; // never reported
      // Dated tasks finish in their deadline's quarter (on time), the quarter after (late) or not at all;
      // tasks without a deadline finish in some quarter of the year, or not at all.
      const dueIndex = due ? owed.findIndex((p) => periodEnd(p) >= due) : -1;
      const someQuarter = Math.floor(rand() * owed.length);
      const finish =
        draw < 0.65
          ? dueIndex >= 0
            ? dueIndex
            : someQuarter
          : draw < 0.82
            ? dueIndex >= 0
              ? dueIndex + 1
              : someQuarter
            : owed.length;
      let percent = 0;
      for (const [i, p] of owed.entries()) {
        const finished = i === finish;
        percent = finished ? 100 : Math.min(95, percent + 15 + Math.round(rand() * 30));
        let completed: string | null = null;
        if (finished) {
          completed = `${periodEnd(p).slice(0, 8)}${String(5 + Math.floor(rand() * 10)).padStart(2, '0')}`;
          if (due && i === dueIndex && completed > due) completed = due;
        }
        seeds.push({
          task: t.id,
          unit: unitId,
          period: p,
          role,
          status: finished ? 'done' : rand() < 0.06 ? 'blocked' : 'in_progress',
          percent,
          completed,
          reportedAt: reportDay(p),
        });
        if (finished) break;
      }
    }
    // Coordinating units (named ones) add their part once.
    for (const a of mine) {
      if (a.role !== 'coordinating' || a.org_unit_id === null || leadSide.has(a.org_unit_id)) continue;
      const unit = unitById.get(a.org_unit_id)!;
      const p = quarters.find((q) => validIn(unit, q));
      if (!p || rand() < 0.3) continue;
      seeds.push({
        task: t.id,
        unit: a.org_unit_id,
        period: p,
        role: 'coordinating',
        status: 'in_progress',
        percent: null,
        completed: null,
        reportedAt: reportDay(p),
      });
    }
  }
  const label = (s: ProgressSeed): string =>
    `${SYNTHETIC_PROGRESS_NOTE}. ${
      s.role === 'coordinating'
        ? 'Đơn vị phối hợp đã cung cấp thông tin theo đề nghị của đơn vị chủ trì.'
        : s.status === 'done'
          ? 'Đơn vị đã hoàn thành nhiệm vụ.'
          : s.status === 'blocked'
            ? 'Nhiệm vụ gặp vướng mắc về kinh phí, đang chờ bố trí.'
            : 'Đơn vị đang triển khai nhiệm vụ theo kế hoạch.'
    }`;
  for (let i = 0; i < seeds.length; i += 500) {
    const chunk = seeds.slice(i, i + 500);
    const inserted = await rows<{ id: number }>(
      ex,
      sql`insert into task_progress (task_id, org_unit_id, period, period_start, role, status, percent, narrative, completed_on,
            provenance, reported_by, reported_at)
          values ${sql.join(
            chunk.map(
              (s) =>
                sql`(${s.task}, ${s.unit}, ${formatPeriod(s.period)}, ${periodStart(s.period)}, ${s.role}, ${s.status}, ${s.percent},
                  ${label(s)}, ${s.completed}, 'synthetic', ${actor}, ${s.reportedAt})`,
            ),
            sql`, `,
          )}
          on conflict (task_id, org_unit_id, period) do nothing
          returning id`,
    );
    if (inserted.length) {
      await ex.execute(
        sql`insert into task_progress_history (progress_id, version, status, percent, narrative, evidence, completed_on, provenance,
              archived, reported_by, reported_at)
            select id, version, status, percent, narrative, evidence, completed_on, provenance, false, reported_by, reported_at
            from task_progress where id in (${sql.join(
              inserted.map((r) => sql`${r.id}`),
              sql`, `,
            )})`,
      );
    }
  }
  await appendAudit(ex, {
    actor,
    action: 'demo.task_progress',
    entity: 'task_progress',
    data: { synthetic_reports: seeds.length, note: SYNTHETIC_PROGRESS_NOTE },
  });
  return { plans: files.length, tasks, progress: seeds.length };
}
