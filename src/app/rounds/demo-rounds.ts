/**
 * Reporting rounds for the HCMC demo: a yearly form of the programme's commune-level indicators
 * (sections by indicator group) and the 2025 round for every commune and ward of the city after the
 * 1 July 2025 reorganisation, with the Decree 09 window (cut-off 14/12/2025, deadline 20/12/2025);
 * and a yearly task-progress form of the 2024 plan's key tasks (KH-CDS-2024, led by the city: the
 * plan names no other lead unit) with the 2024 round for the city. Values and progress are not
 * invented: the reporters fill them in.
 */
import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../../store/db.ts';
import type { Caller } from './access.ts';
import { createForm } from './create-form.ts';
import { openRound } from './open-round.ts';

export const DEMO_FORM = 'CDS-XA-NAM';
export const DEMO_ROUND_PERIOD = '2025';
export const DEMO_TASK_FORM = 'CDS-NV-NAM';
export const DEMO_TASK_PLAN = 'KH-CDS-2024';
export const DEMO_TASK_PERIOD = '2024';

/** Creates the demo form and round once; returns the round id (null when already there). */
export async function loadDemoRounds(ex: Executor, actor = 'system:demo'): Promise<number | null> {
  const [exists] = await rows(ex, sql`select 1 from form where code = ${DEMO_FORM}`);
  if (exists) return null;
  const items = await rows<{ code: string; group_code: string | null }>(
    ex,
    sql`select code, group_code from indicator
        where archived_at is null and period_type = 'year' and 'commune' = any(levels) and formula is null
        order by code`,
  );
  const groups = await rows<{ code: string; name_vi: string; name_en: string }>(
    ex,
    sql`select code, name_vi, name_en from indicator_group order by sort, code`,
  );
  const used = new Set(items.map((i) => i.group_code).filter(Boolean));
  await createForm(ex, actor, {
    code: DEMO_FORM,
    name_vi: 'Báo cáo kết quả chuyển đổi số cấp xã (năm)',
    name_en: 'Yearly digital-transformation report of communes and wards',
    description_vi: 'Các chỉ tiêu cấp xã của chương trình chuyển đổi số Thành phố (dữ liệu minh họa).',
    description_en: 'The commune-level indicators of the city’s digital-transformation programme (demo).',
    period_type: 'year',
    sections: groups.filter((g) => used.has(g.code)),
    items: items.map((i) => ({ indicator: i.code, required: true, section: i.group_code })),
  });
  const admin: Caller = { name: actor, can: () => true, roots: () => ['/'] };
  await loadDemoTaskRound(ex, admin);
  const round = await openRound(ex, admin, {
    form: DEMO_FORM,
    period: DEMO_ROUND_PERIOD,
    org_unit: '79',
    level: 'commune',
    title_vi: 'Báo cáo kết quả chuyển đổi số năm 2025 của cấp xã',
    title_en: '2025 digital-transformation report of communes and wards',
  });
  return round.id;
}

/**
 * The task-progress form of the 2024 key tasks (every task of KH-CDS-2024 without sub-tasks, in
 * document order) and its 2024 round for the city, which leads them. Skipped when the plan is absent.
 */
async function loadDemoTaskRound(ex: Executor, admin: Caller): Promise<number | null> {
  const tasks = await rows<{ number: string }>(
    ex,
    sql`select t.number from task t join plan p on p.id = t.plan_id
        where p.code = ${DEMO_TASK_PLAN} and p.status = 'active' and t.archived_at is null
          and not exists (select 1 from task c where c.parent_id = t.id and c.archived_at is null)
        order by t.sort`,
  );
  if (!tasks.length) return null;
  await createForm(ex, admin.name, {
    code: DEMO_TASK_FORM,
    name_vi: 'Báo cáo tiến độ nhiệm vụ trọng tâm chuyển đổi số (năm)',
    name_en: 'Yearly progress report on the key digital-transformation tasks',
    description_vi: `Tiến độ các nhiệm vụ trọng tâm của kế hoạch ${DEMO_TASK_PLAN}: tình trạng, tỷ lệ hoàn thành, kết quả, minh chứng.`,
    description_en: `Progress on the key tasks of plan ${DEMO_TASK_PLAN}: status, percent complete, results, evidence.`,
    period_type: 'year',
    items: [],
    tasks: tasks.map((t) => ({ plan: DEMO_TASK_PLAN, number: t.number, required: true })),
  });
  const round = await openRound(ex, admin, {
    form: DEMO_TASK_FORM,
    period: DEMO_TASK_PERIOD,
    org_unit: '79',
    level: 'city',
    title_vi: 'Báo cáo tiến độ nhiệm vụ trọng tâm năm 2024',
    title_en: '2024 progress report on the key tasks',
  });
  return round.id;
}
