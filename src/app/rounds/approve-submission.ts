/**
 * approveSubmission: a reviewer approves a submitted report (not one they submitted themselves); its
 * values become 'approved' and the onApproved hooks run inside the same transaction.
 * approveMany: many at once, each checked and approved in its own savepoint, so one refusal does not
 * undo the others; the answer lists each outcome.
 */
import { sql } from 'drizzle-orm';
import { ChisoError, isChisoError } from '../../core/errors.ts';
import type { Executor } from '../../store/db.ts';
import type { Caller } from './access.ts';
import { onApproved, runHooks } from './hooks.ts';
import type { SubmissionOut } from './schemas.ts';
import { getSubmission, guardStep, moveValues, recordStep, valuedIndicatorIds } from './workflow.ts';
import { approveTaskReports } from '../plans/task-reports.ts';

export async function approveSubmission(
  ex: Executor,
  caller: Caller,
  id: number,
  input: { version: number; comment?: string | null | undefined },
  options: { now?: Date } = {},
): Promise<SubmissionOut> {
  const s = await guardStep(ex, caller, id, 'approve', input.version, options.now ?? new Date());
  if (s.submitted_by === caller.name)
    throw new ChisoError({
      code: 'submission.self_review',
      status: 403,
      vi: `Bạn đã gửi báo cáo #${s.id}; người khác phải phê duyệt.`,
      en: `You submitted submission #${s.id}; someone else must approve it.`,
    });
  await moveValues(ex, caller.name, s, ['submitted'], 'approved');
  await approveTaskReports(ex, caller.name, s);
  await recordStep(ex, caller, s, 'approve', {
    comment: input.comment?.trim() || null,
    set: sql`reviewed_by = ${caller.name}, reviewed_at = now(), return_comment = null`,
  });
  await runHooks(onApproved, ex, {
    unitId: s.org_unit_id,
    period: s.period,
    indicatorIds: await valuedIndicatorIds(ex, s),
    submissionId: s.id,
  });
  return (await getSubmission(ex, id))!;
}

export interface ApproveManyOutcome {
  id: number;
  ok: boolean;
  submission?: SubmissionOut;
  error?: { code: string; status: number; vi: string; en: string };
}

export async function approveMany(
  ex: Executor,
  caller: Caller,
  input: { items: Array<{ id: number; version: number }>; comment?: string | null | undefined },
  options: { now?: Date } = {},
): Promise<ApproveManyOutcome[]> {
  const out: ApproveManyOutcome[] = [];
  for (const item of input.items) {
    try {
      const submission = await ex.transaction((sp) =>
        approveSubmission(sp, caller, item.id, { version: item.version, comment: input.comment }, options),
      );
      out.push({ id: item.id, ok: true, submission });
    } catch (e) {
      if (!isChisoError(e)) throw e;
      out.push({ id: item.id, ok: false, error: { code: e.code, status: e.status, vi: e.vi, en: e.en } });
    }
  }
  return out;
}
