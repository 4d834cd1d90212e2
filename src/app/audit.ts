/**
 * The audit log: every write appends one entry inside the same transaction. Entries form a hash
 * chain: hash = sha256(prev_hash + payload), payload being the canonical JSON of the entry. A gapless
 * `seq`, taken under a transaction-scoped advisory lock, makes removal of an entry detectable too.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Executor, rows, type Store } from '../store/db.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  entity: string;
  entityId?: string | number | null;
  data?: unknown;
}

const GENESIS = '0'.repeat(64);
const AUDIT_LOCK = 7263002;

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const chainHash = (prevHash: string, payload: string): string =>
  createHash('sha256').update(prevHash).update(payload).digest('hex');

/** Appends entries to the chain. Call inside the transaction of the write it records. */
export async function appendAudit(tx: Executor, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [head] = await rows<{ seq: number | string; hash: string }>(
    tx,
    sql`select seq, hash from audit_log order by seq desc limit 1`,
  );
  let seq = head ? Number(head.seq) : 0;
  let prev = head?.hash ?? GENESIS;
  for (const e of entries) {
    seq += 1;
    const at = new Date().toISOString();
    const entityId = e.entityId === undefined || e.entityId === null ? null : String(e.entityId);
    const data = e.data === undefined ? null : JSON.parse(canonicalJson(e.data));
    const payload = canonicalJson({
      seq,
      at,
      actor: e.actor,
      action: e.action,
      entity: e.entity,
      entityId,
      data,
    });
    const hash = chainHash(prev, payload);
    await tx.execute(sql`insert into audit_log (seq, at, actor, action, entity, entity_id, data, payload, prev_hash, hash)
      values (${seq}, ${at}, ${e.actor}, ${e.action}, ${e.entity}, ${entityId}, ${data === null ? null : JSON.stringify(data)}::jsonb, ${payload}, ${prev}, ${hash})`);
    prev = hash;
  }
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** The first bad entry: its seq (or the missing seq) and what is wrong. */
  firstBad?: { seq: number; id?: number; problem: string };
}

/** Walks the whole chain in order and reports the first entry that was altered, inserted or removed. */
export async function verifyAuditChain(store: Store, batch = 5000): Promise<AuditVerification> {
  let prev = GENESIS;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await store.query<{
      id: number;
      seq: number;
      actor: string;
      action: string;
      entity: string;
      entity_id: string | null;
      data: unknown;
      payload: string;
      prev_hash: string;
      hash: string;
    }>(
      `select id, seq, actor, action, entity, entity_id, data, payload, prev_hash, hash
       from audit_log where seq >= $1 order by seq limit $2`,
      [expectedSeq, batch],
    );
    if (rows.length === 0) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      const fail = (problem: string): AuditVerification => ({
        ok: false,
        checked,
        firstBad: { seq: expectedSeq, id: Number(r.id), problem },
      });
      if (seq !== expectedSeq) return fail(`entry ${expectedSeq} is missing (next is ${seq})`);
      if (r.prev_hash !== prev) return fail('prev_hash does not match the previous entry');
      if (chainHash(prev, r.payload) !== r.hash) return fail('hash does not match the payload');
      let p: Record<string, unknown>;
      try {
        p = JSON.parse(r.payload) as Record<string, unknown>;
      } catch {
        return fail('payload is not JSON');
      }
      const same =
        p.seq === seq &&
        p.actor === r.actor &&
        p.action === r.action &&
        p.entity === r.entity &&
        p.entityId === r.entity_id &&
        canonicalJson(p.data) === canonicalJson(r.data ?? null);
      if (!same) return fail('columns differ from the hashed payload');
      prev = r.hash;
      expectedSeq += 1;
      checked += 1;
    }
  }
  return { ok: true, checked };
}
