/**
 * `chiso user …` / `chiso token …` and the accounts created at start (first administrator, demo
 * accounts) — on PGlite and PostgreSQL.
 */
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../test/fixtures.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, bootstrapAccounts } from '../app/auth/bootstrap.ts';
import { readAuthSettings } from '../app/auth/config.ts';
import { activeGrants } from '../app/auth/grants.ts';
import { login } from '../app/auth/sessions.ts';
import { resolveApiToken } from '../app/auth/tokens.ts';
import { rows, type Store } from '../store/db.ts';
import { usersCli } from './users.ts';

let store: Store;
const settings = readAuthSettings({});
beforeAll(async () => {
  store = await openDemoStore();
}, 600_000); // the demo's first load in a worker takes minutes on a busy machine
afterAll(() => store.close());

async function run(args: string[], stdin = '') {
  const out: string[] = [];
  const code = await usersCli(store, args, { stdin: Readable.from([stdin]), out: (l) => out.push(l) });
  return { code, out };
}

describe('chiso user / token', () => {
  it('adds a user with a role on a unit and a password read from standard input', async () => {
    const r = await run(
      [
        'user',
        'add',
        'Le.Van.Cuong',
        '--role',
        'admin',
        '--unit',
        '79',
        '--password-stdin',
        '--name',
        'Lê Văn Cường',
      ],
      'mật khẩu dòng lệnh\n',
    );
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe("user 'le.van.cuong' created with admin on 79");
    const s = await login(
      store,
      { username: 'le.van.cuong', password: 'mật khẩu dòng lệnh', ip: '127.0.0.1' },
      settings,
    );
    expect(await activeGrants(store.db, s.user.id)).toEqual([
      expect.objectContaining({ role: 'admin', unitPath: '/1/' }),
    ]);
    const [a] = await rows<{ actor: string }>(
      store.db,
      sql`select actor from audit_log where action = 'user.create' order by seq desc limit 1`,
    );
    expect(a!.actor).toBe('cli');
  });

  it('refuses a bad role or a missing unit, changing nothing', async () => {
    await expect(run(['user', 'add', 'x.bad', '--role', 'boss', '--unit', '79'])).rejects.toMatchObject({
      code: 'cli.usage',
    });
    await expect(run(['user', 'add', 'x.bad', '--role', 'viewer'])).rejects.toMatchObject({
      code: 'cli.usage',
    });
    await expect(run(['user', 'add', 'x.bad', '--role', 'viewer', '--unit', '99.999'])).rejects.toMatchObject(
      { status: 404 },
    );
    const [n] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from app_user where username = 'x.bad'`,
    );
    expect(n!.n).toBe(0);
  });

  it('creates an API token printed once, which authenticates, and revokes it', async () => {
    await run(['user', 'add', 'etl.robot', '--role', 'reporter', '--unit', '79.SKHCN']);
    const r = await run(['token', 'create', 'etl.robot', '--name', 'nightly import', '--expires-days', '30']);
    const token = r.out[0]!;
    expect(token).toMatch(/^chiso_/);
    expect(await resolveApiToken(store.db, token, new Date())).toMatchObject({ username: 'etl.robot' });
    const [t] = await rows<{ id: number }>(
      store.db,
      sql`select id from api_token where name = 'nightly import'`,
    );
    await run(['token', 'revoke', 'etl.robot', String(t!.id)]);
    expect(await resolveApiToken(store.db, token, new Date())).toBeNull();
  });

  it('sets a password from standard input and lists accounts with their roles', async () => {
    await run(['user', 'passwd', 'etl.robot', '--password-stdin'], 'robot password 2026');
    await login(store, { username: 'etl.robot', password: 'robot password 2026', ip: '127.0.0.1' }, settings);
    const list = await run(['user', 'list']);
    expect(list.out).toContain('etl.robot\tactive\treporter@79.SKHCN\t');
  });
});

describe('accounts at start', () => {
  it('creates the first administrator only while there is no account, and demo accounts only when asked', async () => {
    const fresh = await openDemoStore();
    try {
      const log: string[] = [];
      await bootstrapAccounts(fresh, {}, (m) => log.push(m));
      const count = async () =>
        (await rows<{ n: number }>(fresh.db, sql`select count(*)::int as n from app_user`))[0]!.n;
      expect(await count()).toBe(0);
      await bootstrapAccounts(
        fresh,
        { CHISO_ADMIN_PASSWORD: 'first admin password', CHISO_ADMIN_USER: 'Quan.Tri' },
        (m) => log.push(m),
      );
      expect(log).toEqual(["first administrator 'quan.tri' created (admin on every unit)"]);
      const s = await login(
        fresh,
        { username: 'quan.tri', password: 'first admin password', ip: '127.0.0.1' },
        settings,
      );
      expect(await activeGrants(fresh.db, s.user.id)).toEqual([
        { role: 'admin', unitId: null, unitPath: '/' },
      ]);
      // a second start does nothing, even with another password
      await bootstrapAccounts(fresh, { CHISO_ADMIN_PASSWORD: 'another password!!' }, (m) => log.push(m));
      expect(await count()).toBe(1);
      await bootstrapAccounts(fresh, { CHISO_DEMO_ACCOUNTS: '1' }, (m) => log.push(m));
      expect(await count()).toBe(1 + DEMO_ACCOUNTS.length);
      for (const a of DEMO_ACCOUNTS) {
        const r = await login(
          fresh,
          { username: a.username, password: DEMO_PASSWORD, ip: '127.0.0.1' },
          settings,
        );
        const grants = await activeGrants(fresh.db, r.user.id);
        expect(grants.map((g) => g.role)).toEqual([a.role]);
      }
    } finally {
      await fresh.close();
    }
  }, 300_000);
});
