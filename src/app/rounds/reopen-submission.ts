/**
 * reopenSubmission: an admin reopens an approved or locked submission, giving the reason; it goes
 * back to its unit as 'returned'. Its values stay approved until the reporter corrects them. The
 * onReopened hooks run inside the same transaction.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import type { Executor } from '../../store/db.ts';
import type { Caller } from './access.ts';
import { onReopened, runHooks } from './hooks.ts';
import type { SubmissionOut } from './schemas.ts';
import { getSubmission, guardStep, recordStep, valuedIndicatorIds } from './workflow.ts';

export async function reopenSubmission(
  ex: Executor,
  caller: Caller,
  id: number,
  input: { version: number; reason: string },
  options: { now?: Date } = {},
): Promise<SubmissionOut> {
  const reason = input.reason?.trim() ?? '';
  const s = await guardStep(ex, caller, id, 'reopen', input.version, options.now ?? new Date());
  if (!reason)
    throw new ChisoError({
      code: 'submission.reason_required',
      field: 'reason',
      vi: 'Cần ghi rõ lý do mở lại báo cáo.',
      en: 'Give the reason for reopening the submission.',
    });
  await recordStep(ex, caller, s, 'reopen', {
    comment: reason,
    set: sql`reopened_by = ${caller.name}, reopened_at = now(), reopen_reason = ${reason},
      return_comment = ${reason}, locked_by = null, locked_at = null`,
  });
  await runHooks(onReopened, ex, {
    unitId: s.org_unit_id,
    period: s.period,
    indicatorIds: await valuedIndicatorIds(ex, s),
    submissionId: s.id,
  });
  return (await getSubmission(ex, id))!;
}
