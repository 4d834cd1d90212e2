import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/db.ts';
import type { Store } from '../store/db.ts';
import { appendAudit, canonicalJson, verifyAuditChain } from './audit.ts';

let store: Store;
beforeEach(async () => {
  store = await openTestStore();
  await store.db.transaction(async (tx) => {
    for (let i = 1; i <= 5; i++) {
      await appendAudit(tx, {
        actor: 'alice',
        action: 'value.update',
        entity: 'data_value',
        entityId: i,
        data: { v: i },
      });
    }
  });
});
afterEach(() => store.close());

describe('audit chain', () => {
  it('verifies an untouched chain', async () => {
    expect(await verifyAuditChain(store)).toEqual({ ok: true, checked: 5 });
  });

  it('names the first edited entry', async () => {
    await store.query(`update audit_log set data = '{"v": 99}'::jsonb where seq = 3`);
    const r = await verifyAuditChain(store);
    expect(r.ok).toBe(false);
    expect(r.firstBad?.seq).toBe(3);
  });

  it('detects an edited payload even when the hash is recomputed for that entry alone', async () => {
    await store.query(
      `update audit_log set actor = 'mallory', payload = replace(payload, 'alice', 'mallory') where seq = 2`,
    );
    const r = await verifyAuditChain(store);
    expect(r.firstBad?.seq).toBe(2);
  });

  it('names a removed entry', async () => {
    await store.query('alter table audit_log disable trigger audit_log_no_delete');
    await store.query('delete from audit_log where seq = 4');
    const r = await verifyAuditChain(store);
    expect(r.ok).toBe(false);
    expect(r.firstBad?.seq).toBe(4);
    expect(r.firstBad?.problem).toMatch(/missing/);
  });

  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(
      canonicalJson({ a: { c: [3, { e: 2, f: 1 }], d: 2 }, b: 1 }),
    );
  });
});
