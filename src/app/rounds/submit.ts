/**
 * submit: a reporter sends the submission for review. The checks of validateSubmissionData run
 * first: any error blocks (422 `submission.invalid`, every finding listed); every warning needs a
 * comment, given by the warning's key (422 `submission.warning_comment_required` names the missing
 * ones). Accepted after the deadline, flagged late. Draft values become 'submitted'.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import type { Executor } from '../../store/db.ts';
import { type Caller, vnDate } from './access.ts';
import { type SubmissionOut, zSubmitInput } from './schemas.ts';
import { validateSubmissionData } from './validate-submission.ts';
import { getSubmission, guardStep, moveValues, recordStep } from './workflow.ts';
import type { z } from 'zod';
import { moveTaskReports } from '../plans/task-reports.ts';

/** Shortest comment accepted for a warning. */
export const MIN_WARNING_COMMENT = 3;

export async function submit(
  ex: Executor,
  caller: Caller,
  id: number,
  raw: z.input<typeof zSubmitInput>,
  options: { now?: Date } = {},
): Promise<SubmissionOut> {
  const input = zSubmitInput.parse(raw);
  const now = options.now ?? new Date();
  const s = await guardStep(ex, caller, id, 'submit', input.version, now);
  const report = await validateSubmissionData(ex, s);
  if (report.errors.length) {
    const first = report.errors[0]!;
    throw new ChisoError({
      code: 'submission.invalid',
      status: 422,
      vi: `Báo cáo còn ${report.errors.length} lỗi, chưa thể gửi. Lỗi đầu tiên: ${first.vi}`,
      en: `The submission has ${report.errors.length} error(s) and cannot be sent. First: ${first.en}`,
      errors: report.errors.map((f) => ({ code: f.code, vi: f.vi, en: f.en, field: f.key })),
      details: { report },
    });
  }
  const comments: Record<string, string> = {};
  const missing = [];
  for (const w of report.warnings) {
    const c = input.comments[w.key]?.trim() ?? '';
    if (c.length < MIN_WARNING_COMMENT) missing.push(w);
    else comments[w.key] = c;
  }
  if (missing.length) {
    throw new ChisoError({
      code: 'submission.warning_comment_required',
      status: 422,
      field: `comments.${missing[0]!.key}`,
      vi: `Cần giải thích ${missing.length} cảnh báo trước khi gửi (mỗi cảnh báo một ý kiến, ít nhất ${MIN_WARNING_COMMENT} ký tự): ${missing.map((m) => m.key).join(', ')}.`,
      en: `Explain ${missing.length} warning(s) before sending (one comment each, at least ${MIN_WARNING_COMMENT} characters): ${missing.map((m) => m.key).join(', ')}.`,
      errors: missing.map((m) => ({
        code: 'submission.warning_comment_required',
        field: `comments.${m.key}`,
        vi: m.vi,
        en: m.en,
      })),
      details: { report },
    });
  }
  const late = vnDate(now) > s.deadline;
  await moveValues(ex, caller.name, s, ['draft'], 'submitted');
  await moveTaskReports(ex, caller.name, s, ['draft'], 'submitted');
  await recordStep(ex, caller, s, 'submit', {
    data: { late, warnings: report.warnings.map((w) => ({ key: w.key, comment: comments[w.key] })) },
    set: sql`late = ${late}, submitted_by = ${caller.name}, submitted_at = now(),
      warning_comments = ${report.warnings.length ? JSON.stringify(comments) : null}::jsonb,
      return_comment = null`,
  });
  return (await getSubmission(ex, id))!;
}
