/**
 * Hooks of the submission workflow. Subscribers push a function onto a list; the workflow calls each
 * in order, awaited, INSIDE the transaction that approves (or reopens) the submission, with that
 * transaction's handle: a subscriber that throws rolls the approval back. The engine subscribes to
 * `onApproved` to recompute derived values incrementally.
 *
 *   import { onApproved } from '../rounds/hooks.ts';
 *   onApproved.push(async (tx, { unitId, period, indicatorIds }) => { … });
 */
import type { Executor } from '../../store/db.ts';

export interface SubmissionValuesEvent {
  /** org_unit.id of the submission's unit. */
  unitId: number;
  /** Period code, e.g. '2024Q1'. */
  period: string;
  /** indicator.id of every item of the submission that has a value. */
  indicatorIds: number[];
  submissionId: number;
}

export type SubmissionHook = (tx: Executor, event: SubmissionValuesEvent) => Promise<void> | void;

/** Called after a submission's values became 'approved'. */
export const onApproved: SubmissionHook[] = [];
/** Called after an approved or locked submission was reopened (its values stay approved until edited). */
export const onReopened: SubmissionHook[] = [];

export async function runHooks(
  hooks: SubmissionHook[],
  tx: Executor,
  event: SubmissionValuesEvent,
): Promise<void> {
  for (const h of hooks) await h(tx, event);
}
