/**
 * Archiving a target over HTTP on the HCMC demo: a reason is required, a stale version is refused,
 * the archived target leaves the active list and the conflicts, stays readable with its reason in
 * the history (`?archived=true`, GET by id), can no longer be changed, and the audit log keeps the
 * reason — on PGlite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import type { TargetConflict, TargetOut } from '../../../app/catalogue/targets.ts';
import { rows } from '../../../store/db.ts';
import type { Principal } from '../../policies/index.ts';

let t: TestApp;
let admin: Principal;
let districtAdmin: Principal;

beforeAll(async () => {
  t = await testApp(await openDemoStore());
  admin = await principalFor(t.store, [['admin', '79']], 'target.admin');
  districtAdmin = await principalFor(t.store, [['admin', '79.760']], 'district.admin');
});
afterAll(async () => {
  await t.close();
});

async function send(method: string, url: string, payload?: unknown, who: Principal | null = admin) {
  t.as(who);
  const r = await t.app.inject({
    method: method as 'GET',
    url,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
}
const conflictKey = (c: TargetConflict) => `${c.indicator_code}|${c.period}|${c.scope}`;

describe('archiving a target', () => {
  it('takes it out of the list and the conflicts, keeps it in the history with its reason', async () => {
    const conflicts = (await send('GET', '/api/targets/conflicts')).body.items as TargetConflict[];
    const pair = conflicts.find((c) => c.targets.length === 2);
    expect(pair, 'the demo has a conflict between two documents').toBeDefined();
    const victim = pair!.targets[1]!;
    const before = (await send('GET', `/api/targets/${victim.id}`)).body as unknown as TargetOut;
    expect(before.archived_at).toBeNull();

    // a reason is required, a stale version refused; nothing changes
    const noReason = await send('POST', `/api/targets/${victim.id}/archive`, { reason: '  ' });
    expect(noReason.body).toMatchObject({ code: 'request.invalid', field: 'body.reason', status: 400 });
    const stale = await send('POST', `/api/targets/${victim.id}/archive`, {
      reason: 'Văn bản đã được thay thế',
      version: before.version + 5,
    });
    expect(stale.body).toMatchObject({ code: 'conflict.stale_version', status: 409 });
    expect((await send('GET', `/api/targets/${victim.id}`)).body.archived_at).toBeNull();
    // a district administrator is not programme-wide
    expect(
      (await send('POST', `/api/targets/${victim.id}/archive`, { reason: 'Không có quyền' }, districtAdmin))
        .status,
    ).toBe(403);

    const reason = 'Kế hoạch cũ đã được thay thế bởi văn bản mới';
    const ok = await send('POST', `/api/targets/${victim.id}/archive`, { reason, version: before.version });
    expect(ok).toEqual({ status: 200, body: { archived: true } });

    // gone from the active list and from the conflicts
    const active = (
      await send('GET', `/api/targets?indicator=${encodeURIComponent(pair!.indicator_code)}&limit=500`)
    ).body.items as TargetOut[];
    expect(active.map((x) => x.id)).not.toContain(victim.id);
    expect(active.map((x) => x.id)).toContain(pair!.targets[0]!.id);
    const after = (await send('GET', '/api/targets/conflicts')).body.items as TargetConflict[];
    expect(after.map(conflictKey)).not.toContain(conflictKey(pair!));
    expect(after.length).toBe(conflicts.length - 1);
    // the public can no longer find it in the list either
    const anon = (
      await send('GET', `/api/targets?indicator=${pair!.indicator_code}&limit=500`, undefined, null)
    ).body.items as TargetOut[];
    expect(anon.map((x) => x.id)).not.toContain(victim.id);

    // kept in the history, with when and why
    const history = (await send('GET', '/api/targets?archived=true&limit=500')).body.items as TargetOut[];
    const kept = history.find((x) => x.id === victim.id);
    expect(kept).toMatchObject({ archive_reason: reason, comparator: victim.comparator });
    expect(kept!.archived_at).toEqual(expect.any(String));
    expect(history.every((x) => x.archived_at !== null)).toBe(true);
    expect((await send('GET', `/api/targets/${victim.id}`)).body).toMatchObject({
      id: victim.id,
      archive_reason: reason,
    });

    // it cannot be archived again nor changed
    const again = await send('POST', `/api/targets/${victim.id}/archive`, { reason: 'lần hai' });
    expect(again.body).toMatchObject({ code: 'target.archived', status: 409 });
    const patch = await send('PATCH', `/api/targets/${victim.id}`, {
      note: 'sửa',
      version: before.version + 1,
    });
    expect(patch.body).toMatchObject({ code: 'target.archived', status: 409 });
    expect(patch.body.en).toMatch(/archived/);

    // audited once, with the reason; the row is still there
    const audit = await rows<{ actor: string; data: { reason: string } }>(
      t.store.db,
      sql`select actor, data from audit_log where action = 'target.archive' and entity_id = ${String(victim.id)}`,
    );
    expect(audit).toEqual([{ actor: 'target.admin', data: { reason } }]);
    const [row] = await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from target where id = ${victim.id} and archived_at is not null`,
    );
    expect(row!.n).toBe(1);
  });
});
