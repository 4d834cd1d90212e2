/**
 * Builds the web application into dist/web when it is missing or older than its sources (src/web,
 * the src/core modules it imports, vite.config.ts). Run before `npm start` (the `prestart` script, bin/build-web.mjs)
 * and by the browser tests; `--force` always builds. Concurrent callers wait for one build.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(REPO_ROOT, 'dist', 'web');
const LOCK = join(REPO_ROOT, 'dist', '.web-build.lock');
const SOURCES = ['src/web', 'src/core', 'vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when dist/web/index.html exists and is newer than every source file. */
export function webIsFresh(): boolean {
  const index = join(OUT, 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  return SOURCES.every((s) => newestMtime(join(REPO_ROOT, s)) <= built);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // another build runs; a lock older than 5 minutes is from a build that died
      const age = existsSync(LOCK) ? Date.now() - statSync(LOCK).mtimeMs : 0;
      if (age > 300_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > 600_000) throw new Error('timed out waiting for another web build');
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds dist/web unless it is fresh. Returns whether it built. */
export async function buildWebIfStale(
  options: { force?: boolean; log?: (m: string) => void } = {},
): Promise<boolean> {
  const log = options.log ?? (() => {});
  if (!options.force && webIsFresh()) return false;
  return withLock(async () => {
    if (!options.force && webIsFresh()) return false; // built by whoever held the lock
    let vite: typeof import('vite');
    try {
      vite = await import('vite');
    } catch {
      if (existsSync(join(OUT, 'index.html'))) {
        log('vite is not installed (production install?): serving the existing dist/web');
        return false;
      }
      throw new Error('dist/web is missing and vite is not installed: run `npm ci` then `npm run build:web`');
    }
    log('building the web application (vite build)…');
    await vite.build({ configFile: resolve(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
    return true;
  });
}
