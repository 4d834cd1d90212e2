/**
 * Accounts at start: the first administrator of an installation (CHISO_ADMIN_USER /
 * CHISO_ADMIN_PASSWORD, only while there is no account at all), and — only when
 * CHISO_DEMO_ACCOUNTS=1 — the demo accounts of the HCMC demo, one per role.
 */
import { sql } from 'drizzle-orm';
import { rows, type Store } from '../../store/db.ts';
import { grantRole, type RoleName } from './grants.ts';
import { createUser, findUser, SYSTEM_ACTOR } from './users.ts';

/** The password of every demo account (documented in the user guide). Never use demo accounts in production. */
export const DEMO_PASSWORD = 'chiso-demo-2025';

export const DEMO_ACCOUNTS: ReadonlyArray<{
  username: string;
  display_name: string;
  role: RoleName;
  /** Unit code, null for every unit. */
  unit: string | null;
}> = [
  { username: 'demo.admin', display_name: 'Quản trị chương trình (demo)', role: 'admin', unit: null },
  { username: 'demo.lanhdao', display_name: 'Lãnh đạo Thành phố (demo)', role: 'viewer', unit: null },
  {
    username: 'demo.skhcn.reviewer',
    display_name: 'Sở KH&CN — thẩm định (demo)',
    role: 'reviewer',
    unit: '79',
  },
  {
    username: 'demo.skhcn.reporter',
    display_name: 'Sở KH&CN — báo cáo (demo)',
    role: 'reporter',
    unit: '79.SKHCN',
  },
  {
    username: 'demo.tandinh.reporter',
    display_name: 'Phường Tân Định — báo cáo (demo)',
    role: 'reporter',
    unit: '79.26737',
  },
  {
    username: 'demo.quan1.reporter',
    display_name: 'Quận 1 (trước 7/2025) — báo cáo (demo)',
    role: 'reporter',
    unit: '79.760',
  },
];

export async function countUsers(store: Store): Promise<number> {
  const [r] = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from app_user`);
  return r?.n ?? 0;
}

/**
 * Creates the first administrator (admin on every unit) when CHISO_ADMIN_PASSWORD is set and the
 * database has no account. Returns the username created, or null.
 */
export async function ensureFirstAdmin(
  store: Store,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  const password = env.CHISO_ADMIN_PASSWORD;
  if (!password) return null;
  if ((await countUsers(store)) > 0) return null;
  const username = (env.CHISO_ADMIN_USER || 'admin').trim().toLowerCase();
  await store.db.transaction(async (tx) => {
    await createUser(tx, SYSTEM_ACTOR, { username, display_name: 'Quản trị viên', password });
    await grantRole(tx, SYSTEM_ACTOR, username, { role: 'admin', org_unit: null });
  });
  return username;
}

/** Creates the demo accounts that are missing and whose unit exists. Returns the usernames created. */
export async function ensureDemoAccounts(store: Store): Promise<string[]> {
  const created: string[] = [];
  for (const a of DEMO_ACCOUNTS) {
    if (await findUser(store.db, a.username)) continue;
    if (a.unit) {
      const [u] = await rows<{ id: number }>(store.db, sql`select id from org_unit where code = ${a.unit}`);
      if (!u) continue;
    }
    await store.db.transaction(async (tx) => {
      await createUser(tx, SYSTEM_ACTOR, {
        username: a.username,
        display_name: a.display_name,
        password: DEMO_PASSWORD,
      });
      await grantRole(tx, SYSTEM_ACTOR, a.username, { role: a.role, org_unit: a.unit });
    });
    created.push(a.username);
  }
  return created;
}

/** Both of the above, as `chiso serve` runs them at start. */
export async function bootstrapAccounts(
  store: Store,
  env: NodeJS.ProcessEnv,
  log: (msg: string) => void,
): Promise<void> {
  const admin = await ensureFirstAdmin(store, env);
  if (admin) log(`first administrator '${admin}' created (admin on every unit)`);
  if (env.CHISO_DEMO_ACCOUNTS === '1') {
    const demo = await ensureDemoAccounts(store);
    if (demo.length) log(`demo accounts created: ${demo.join(', ')} (password in docs/USER-GUIDE.md)`);
  }
}
