/**
 * saveDraftValues: a reporter saves values of their submission (its unit and period) as drafts, each
 * through the catalogue's setValue with the version the reporter saw. All or nothing: when any value
 * is refused (stale version → 409 with the current state of every stale value; bad value → 400 naming
 * `values.<i>.value`), nothing is saved. The submission row is locked first, so two reporters saving
 * at the same moment are serialised and the second one gets the 409.
 */
import { sql } from 'drizzle-orm';
import { ChisoError, type ChisoErrorInit, isChisoError } from '../../core/errors.ts';
import type { Executor } from '../../store/db.ts';
import { type ValueOut, setValue, type WriteOutcome } from '../catalogue/values.ts';
import type { Caller } from './access.ts';
import { type SaveValuesInput, type SubmissionOut, zSaveValues } from './schemas.ts';
import { getSubmission, guardEdit, submissionItems } from './workflow.ts';
import { saveTaskReports, type TaskSaveResult } from '../plans/task-reports.ts';

export interface SaveResult {
  submission: SubmissionOut;
  values: Array<{ indicator: string; outcome: WriteOutcome; value: ValueOut }>;
  /** Task-progress items saved with the values (src/app/plans/task-reports.ts). */
  tasks: TaskSaveResult['tasks'];
}

export async function saveDraftValues(
  ex: Executor,
  caller: Caller,
  submissionId: number,
  raw: SaveValuesInput,
  options: { now?: Date } = {},
): Promise<SaveResult> {
  const input = zSaveValues.parse(raw);
  const s = await guardEdit(ex, caller, submissionId, options.now ?? new Date());
  const items = new Map((await submissionItems(ex, s)).map((i) => [i.code, i]));
  const faults: ChisoErrorInit[] = [];
  const stale: unknown[] = [];
  const seen = new Set<string>();
  const out: SaveResult['values'] = [];
  for (const [i, v] of input.values.entries()) {
    const field = `values.${i}`;
    if (!items.has(v.indicator)) {
      faults.push({
        code: 'submission.not_an_item',
        field: `${field}.indicator`,
        vi: `Chỉ tiêu '${v.indicator}' không thuộc biểu mẫu ${s.form_code} (phiên bản ${s.form_version}) của đơn vị '${s.unit_code}'.`,
        en: `Indicator '${v.indicator}' is not an item of form ${s.form_code} (version ${s.form_version}) for unit '${s.unit_code}'.`,
      });
      continue;
    }
    if (seen.has(v.indicator)) {
      faults.push({
        code: 'submission.duplicate_value',
        field: `${field}.indicator`,
        vi: `Chỉ tiêu '${v.indicator}' xuất hiện hai lần.`,
        en: `Indicator '${v.indicator}' appears twice.`,
      });
      continue;
    }
    seen.add(v.indicator);
    try {
      const r = await setValue(
        ex,
        caller.name,
        {
          indicator: v.indicator,
          org_unit: s.unit_code,
          period: s.period,
          value: v.value,
          comment: v.comment ?? null,
          provenance: 'entered',
          version: v.version === 0 ? undefined : v.version,
        },
        { status: 'draft' },
      );
      out.push({ indicator: v.indicator, outcome: r.outcome, value: r.value });
    } catch (e) {
      if (!isChisoError(e)) throw e;
      if (e.status === 409) stale.push(e.details?.current ?? null);
      faults.push({
        ...e.toJSON(),
        field: `${field}.${e.status === 409 ? 'version' : (e.location.field ?? 'value')}`,
      });
    }
  }
  const tasks = await saveTaskReports(ex, caller.name, s, input.tasks);
  faults.push(...tasks.faults);
  stale.push(...tasks.stale);
  if (faults.length) {
    const conflict = faults.find((f) => f.status === 409);
    const first = conflict ?? faults[0]!;
    throw new ChisoError({
      ...first,
      status: conflict ? 409 : (first.status ?? 400),
      errors: faults,
      ...(conflict ? { details: { current: stale } } : {}),
    });
  }
  if (out.some((o) => o.outcome !== 'unchanged') || tasks.tasks.some((t) => t.outcome !== 'unchanged'))
    await ex.execute(sql`update submission set version = version + 1, updated_at = now() where id = ${s.id}`);
  return { submission: (await getSubmission(ex, s.id))!, values: out, tasks: tasks.tasks };
}
