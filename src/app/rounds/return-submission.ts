/** returnSubmission: a reviewer sends a submitted report back to its unit, with a comment. */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import type { Executor } from '../../store/db.ts';
import type { Caller } from './access.ts';
import type { SubmissionOut } from './schemas.ts';
import { getSubmission, guardStep, moveValues, recordStep } from './workflow.ts';
import { moveTaskReports } from '../plans/task-reports.ts';

export async function returnSubmission(
  ex: Executor,
  caller: Caller,
  id: number,
  input: { version: number; comment: string },
  options: { now?: Date } = {},
): Promise<SubmissionOut> {
  const comment = input.comment?.trim() ?? '';
  const s = await guardStep(ex, caller, id, 'return', input.version, options.now ?? new Date());
  if (!comment)
    throw new ChisoError({
      code: 'submission.comment_required',
      field: 'comment',
      vi: 'Cần ghi rõ lý do trả lại báo cáo.',
      en: 'Say why the submission is returned.',
    });
  await moveValues(ex, caller.name, s, ['submitted'], 'draft');
  await moveTaskReports(ex, caller.name, s, ['submitted'], 'draft');
  await recordStep(ex, caller, s, 'return', {
    comment,
    set: sql`reviewed_by = ${caller.name}, reviewed_at = now(), return_comment = ${comment}`,
  });
  return (await getSubmission(ex, id))!;
}
