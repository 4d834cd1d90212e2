/**
 * The real server for the browser tests: dist/web (built first when stale), the HCMC demo in a fresh
 * database (test/fixtures.ts), the real authenticator with the demo accounts, on a random port.
 */
import { ensureDemoAccounts } from '../src/app/auth/bootstrap.ts';
import { buildWebIfStale } from '../src/cli/build-web.ts';
import { readConfig } from '../src/config.ts';
import { authenticatorFor } from '../src/http/auth.ts';
import { buildServer } from '../src/http/server.ts';
import type { Store } from '../src/store/db.ts';
import { openDemoStore } from '../test/fixtures.ts';

export { DEMO_PASSWORD } from '../src/app/auth/bootstrap.ts';

export interface E2EServer {
  url: string;
  store: Store;
  close(): Promise<void>;
}

export async function startServer(): Promise<E2EServer> {
  await buildWebIfStale();
  const store = await openDemoStore();
  await ensureDemoAccounts(store);
  const app = await buildServer({ store, config: readConfig({}), authenticate: authenticatorFor(store) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** A JSON API client with its own cookie session (for setting up what the browser then uses). */
export async function apiSession(base: string, username: string, password: string) {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrf_token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
    put: <T>(path: string, body?: unknown) => call<T>('PUT', path, body),
  };
}
