/**
 * How approvals reach the engine. The submission workflow calls its `onApproved` hooks inside the
 * approving transaction; catalogue `setValue` (administrators writing approved values directly)
 * calls `notifyApproved` the same way. The transaction is routed to the engine of its database when
 * one runs in this process; otherwise the change is only recorded in engine_change (not persisted),
 * and the next engine to catch up — in this or another process — computes and stores its results.
 */
import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../../store/db.ts';
import { onApproved } from '../rounds/hooks.ts';
import { ENGINE_LOCK, appendChange, engineForTx } from './engine.ts';
import type { CellRef, UpdateCounts } from './model.ts';

export interface ApprovedCells {
  /** org_unit ids. */
  unitIds: number[];
  /** Period code of every cell. */
  period: string;
  /** indicator ids: every unit × indicator pair changed. */
  indicatorIds: number[];
}

/** Brings derived results up to date for approved values that changed (call inside the writing transaction). */
export async function notifyApproved(tx: Executor, e: ApprovedCells): Promise<UpdateCounts | null> {
  const refs: CellRef[] = [];
  for (const unitId of e.unitIds)
    for (const indicatorId of e.indicatorIds) refs.push({ indicatorId, unitId, period: e.period });
  if (refs.length === 0) return null;
  const engine = await engineForTx(tx);
  if (engine) return engine.applyApproved(tx, refs);
  await tx.execute(sql`select pg_advisory_xact_lock(${ENGINE_LOCK})`);
  const [x] = await rows<{ xid: string }>(tx, sql`select pg_current_xact_id()::text as xid`);
  await appendChange(tx, crypto.randomUUID(), x!.xid, refs, false);
  return null;
}

onApproved.push((tx, e) =>
  notifyApproved(tx, { unitIds: [e.unitId], period: e.period, indicatorIds: e.indicatorIds }).then(() => {}),
);
