/**
 * Test fixtures: databases with the HCMC demo loaded, a server around them, and principals holding a
 * role on a unit subtree (for tests that are not about logging in).
 */
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { loadDemo } from '../src/app/demo/load-demo.ts';
import { readConfig } from '../src/config.ts';
import { type App, buildServer } from '../src/http/server.ts';
import type { Principal, Role } from '../src/http/policies/index.ts';
import { openStore, rows, type Store } from '../src/store/db.ts';
import { createPostgresDatabase, pgliteTemplateFile, testDbKind } from './db.ts';

let pgliteDemo: Promise<Blob> | undefined;
/** The name of the PostgreSQL database the demo stores are copied from. */
let pgDemoTemplate: Promise<string> | undefined;

/** A fresh database holding the demo (without synthetic values unless asked: faster and exact). */
export async function openDemoStore(): Promise<Store> {
  if (testDbKind === 'postgres') {
    const made = inject('pgTemplates')?.demo;
    pgDemoTemplate ??= made
      ? Promise.resolve(made)
      : (async () => {
          const url = await createPostgresDatabase();
          const s = await openStore({ databaseUrl: url, poolSize: 2 });
          await loadDemo(s);
          await s.close();
          return new URL(url).pathname.slice(1);
        })();
    return openStore({ databaseUrl: await createPostgresDatabase(await pgDemoTemplate), poolSize: 4 });
  }
  pgliteDemo ??=
    pgliteTemplateFile('demo') ??
    (async () => {
      const s = await openStore({ dataDir: 'memory://' });
      await loadDemo(s);
      const blob = await s.pglite!.dumpDataDir('none');
      await s.close();
      return blob;
    })();
  return openStore({ dataDir: 'memory://', pgliteFrom: await pgliteDemo });
}

/** A principal holding `role` on the subtree of each unit code ('/' for every unit). */
export async function principalFor(
  store: Store,
  grants: Array<[Role, string]>,
  username = `test-${grants.map(([r, u]) => `${r}@${u}`).join('+')}`,
): Promise<Principal> {
  const out: Principal['grants'] = [];
  for (const [role, code] of grants) {
    if (code === '/') {
      out.push({ role, unitId: null, unitPath: '/' });
      continue;
    }
    const [u] = await rows<{ id: number; path: string }>(
      store.db,
      sql`select id, path from org_unit where code = ${code}`,
    );
    if (!u) throw new Error(`no unit ${code}`);
    out.push({ role, unitId: u.id, unitPath: u.path });
  }
  return { kind: 'token', userId: 0, username, grants: out };
}

export interface TestApp {
  app: App;
  store: Store;
  /** Sets who the next requests come from (null: anonymous). */
  as(principal: Principal | null): void;
  close(): Promise<void>;
}

/**
 * A server over `store` whose caller is whatever `as()` last set: tests of features other than
 * logging in choose their principal directly. Login itself is tested with the real authenticator.
 */
export async function testApp(store: Store): Promise<TestApp> {
  let current: Principal | null = null;
  const app = await buildServer({ store, config: readConfig({}), authenticate: async () => current });
  await app.ready();
  return {
    app,
    store,
    as(p) {
      current = p;
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
