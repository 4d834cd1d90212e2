/**
 * Shared machinery of the hard tests: the size knob, real `chiso serve` processes, databases holding
 * the HCMC demo with an administrator and an API token, and writable value keys.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { inject } from 'vitest';
import { grantRole } from '../../src/app/auth/grants.ts';
import { createApiToken } from '../../src/app/auth/tokens.ts';
import { createUser, SYSTEM_ACTOR } from '../../src/app/auth/users.ts';
import { resolveValueKeys } from '../../src/app/catalogue/values.ts';
import { loadDemo } from '../../src/app/demo/load-demo.ts';
import { isChisoError } from '../../src/core/errors.ts';
import { openStore, rows, type Store } from '../../src/store/db.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'chiso.mjs');
export const RUN_TS = join(ROOT, 'bin', 'run-ts.mjs');

/** CHISO_HARD_SCALE=ci (default) or full. */
export const SCALE: 'ci' | 'full' = process.env.CHISO_HARD_SCALE === 'full' ? 'full' : 'ci';
export const pick = <T>(ci: T, full: T): T => (SCALE === 'full' ? full : ci);

/** Figures of a run, printed as one JSON line per test (`HARD-FIGURES {...}`) for docs/RELIABILITY.md. */
export function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`HARD-FIGURES ${JSON.stringify({ test: name, scale: SCALE, ...figures })}\n`);
}

export type DbKind = 'pglite' | 'postgres';

export interface Target {
  kind: DbKind;
  /** Environment of `chiso` processes on this database. */
  env: Record<string, string>;
  openStore(): Promise<Store>;
}

export const ADMIN_USER = 'hard.admin';
export const ADMIN_PASSWORD = 'Hard-test-password-7391';

/** A new empty PostgreSQL database on the run's server. */
export async function newPostgresDatabase(): Promise<string> {
  const base = inject('databaseUrl');
  const name = `chiso_h_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database (PGlite data folder or PostgreSQL database) holding the demo, without synthetic values. */
export async function newTarget(kind: DbKind): Promise<Target> {
  let t: Target;
  if (kind === 'postgres') {
    const url = await newPostgresDatabase();
    t = {
      kind,
      env: { DATABASE_URL: url, CHISO_DATA_DIR: mkdtempSync(join(tmpdir(), 'chiso-hard-unused-')) },
      openStore: () => openStore({ databaseUrl: url, poolSize: 4 }),
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'chiso-hard-data-'));
    t = {
      kind,
      env: { DATABASE_URL: '', CHISO_DATA_DIR: dir },
      openStore: () => openStore({ dataDir: dir }),
    };
  }
  const store = await t.openStore();
  try {
    await loadDemo(store, { synthetic: false });
  } finally {
    await store.close();
  }
  return t;
}

/** Creates an administrator on every unit and returns a fresh API token of theirs. */
export async function adminToken(store: Store, username = ADMIN_USER): Promise<string> {
  return store.db.transaction(async (tx) => {
    const [u] = await rows<{ id: number }>(tx, sql`select id from app_user where username = ${username}`);
    if (!u) {
      await createUser(tx, SYSTEM_ACTOR, {
        username,
        display_name: 'Hard test admin',
        password: ADMIN_PASSWORD,
      });
      await grantRole(tx, SYSTEM_ACTOR, username, { role: 'admin', org_unit: null });
    }
    const t = await createApiToken(tx, SYSTEM_ACTOR, username, { name: `hard-${Date.now()}` }, new Date());
    return t.token;
  });
}

export interface ValueKey {
  indicator: string;
  org_unit: string;
  period: string;
}

/** Value keys (yearly, not computed) that PUT /api/values accepts, as the catalogue says. */
export async function writableKeys(store: Store, max: number): Promise<ValueKey[]> {
  const cands = await rows<ValueKey>(
    store.db,
    sql`select i.code as indicator, u.code as org_unit, '2024' as period
        from indicator i join org_unit u on (cardinality(i.levels) = 0 or u.level = any(i.levels))
        where i.period_type = 'year' and i.formula is null and i.value_type in ('integer', 'number', 'percent')
          and (u.valid_to is null or u.valid_to >= '2024-12-31') and (u.valid_from is null or u.valid_from <= '2024-01-01')
        order by i.code, u.code`,
  );
  const out: ValueKey[] = [];
  for (const k of cands) {
    try {
      await resolveValueKeys(store.db, { ...k, value: 1 });
      out.push(k);
    } catch (e) {
      if (!isChisoError(e)) throw e;
    }
    if (out.length >= max) break;
  }
  return out;
}

export interface Server {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res();
    else child.once('exit', () => res());
  });
}

/** Starts `node bin/chiso.mjs serve` on a free port of the loopback interface. */
export function startServer(env: Record<string, string>, timeoutMs = 300_000): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        CHISO_DEMO: '0',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${out.slice(-4000)}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
      const m = /ready on http:\/\/localhost:(\d+)/.exec(out);
      if (m && !ready) {
        ready = true;
        clearTimeout(timer);
        const server: Server = {
          url: `http://127.0.0.1:${m[1]}`,
          child,
          output: () => out,
          async kill() {
            child.kill('SIGKILL');
            await exited(child);
          },
          async stop() {
            child.kill('SIGTERM');
            await exited(child);
          },
        };
        resolve(server);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`server exited (${code ?? signal}) before it was ready:\n${out.slice(-4000)}`));
      }
    });
  });
}

/** Runs `chiso <args>` to completion. */
export function chiso(args: string[], env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A seeded pseudo-random generator (mulberry32), so that a failing run can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HttpResult {
  status: number;
  body: unknown;
  headers: Headers;
  text: string;
}

/** fetch with a time limit; a connection error throws (the caller decides what it means). */
export async function http(
  url: string,
  init: RequestInit & { json?: unknown; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const { json, timeoutMs = 30_000, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(url, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers, text };
}
