/**
 * lockSubmission: a reviewer (or admin) locks an approved submission; lockRound locks every approved
 * submission of a round that the caller may review. Locked figures are final until an admin reopens.
 */
import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../../store/db.ts';
import { type Caller, inSubtrees } from './access.ts';
import { roundForUpdate } from './open-round.ts';
import type { SubmissionOut } from './schemas.ts';
import { getSubmission, guardStep, recordStep } from './workflow.ts';

export async function lockSubmission(
  ex: Executor,
  caller: Caller,
  id: number,
  input: { version: number },
  options: { now?: Date } = {},
): Promise<SubmissionOut> {
  const s = await guardStep(ex, caller, id, 'lock', input.version, options.now ?? new Date());
  await recordStep(ex, caller, s, 'lock', { set: sql`locked_by = ${caller.name}, locked_at = now()` });
  return (await getSubmission(ex, id))!;
}

/** Locks the round's approved submissions in the caller's review scope; returns their ids. */
export async function lockRound(
  ex: Executor,
  caller: Caller,
  roundId: number,
  options: { now?: Date } = {},
): Promise<number[]> {
  await roundForUpdate(ex, roundId);
  const approved = await rows<{ id: number; version: number }>(
    ex,
    sql`select s.id, s.version from submission s join org_unit u on u.id = s.org_unit_id
        where s.round_id = ${roundId} and s.status = 'approved' and s.archived_at is null
          and ${inSubtrees(sql`u.path`, caller.roots('reviewer'))}
        order by u.path`,
  );
  for (const a of approved) await lockSubmission(ex, caller, a.id, { version: a.version }, options);
  return approved.map((a) => a.id);
}
