/**
 * The `chiso` command as a separate process: the data-folder lock between processes, clean shutdown
 * on SIGTERM, and `audit verify` exit codes.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../src/app/audit.ts';
import { openStore } from '../src/store/db.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'chiso.mjs');
const dir = mkdtempSync(join(tmpdir(), 'chiso-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (dataDir: string) => ({
  ...process.env,
  CHISO_DATA_DIR: dataDir,
  CHISO_DEMO: '0',
  PORT: '0',
  DATABASE_URL: '',
  LOG_LEVEL: 'warn',
});

function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: env(dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 150_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

describe('chiso command', () => {
  it('refuses a second process on the same data folder, and shuts down cleanly on SIGTERM', async () => {
    const data = join(dir, 'lock');
    const { child, url } = await startServer(data);
    try {
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
      const second = spawnSync(process.execPath, [bin, 'migrate'], {
        env: env(data),
        encoding: 'utf8',
        timeout: 150_000,
      });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`tiến trình ${child.pid}`);
      expect(second.stderr).toContain(`in use by process ${child.pid}`);
      expect(existsSync(join(data, 'chiso.lock'))).toBe(true);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(existsSync(join(data, 'chiso.lock'))).toBe(false);
    // The folder opens again and still holds its schema.
    const again = spawnSync(process.execPath, [bin, 'migrate'], {
      env: env(data),
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(again.status).toBe(0);
  }, 600_000);

  it('audit verify exits 0 on an intact chain and 1 naming the first altered entry', async () => {
    const data = join(dir, 'audit');
    const store = await openStore({ dataDir: data });
    await store.db.transaction(async (tx) => {
      for (let i = 0; i < 4; i++)
        await appendAudit(tx, { actor: 'a', action: 'x', entity: 'e', entityId: i, data: { i } });
    });
    await store.close();
    const ok = spawnSync(process.execPath, [bin, 'audit', 'verify'], {
      env: env(data),
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/OK: 4 entries/);
    const s2 = await openStore({ dataDir: data });
    await s2.query(`update audit_log set data = '{"i": 42}' where seq = 3`);
    await s2.close();
    const bad = spawnSync(process.execPath, [bin, 'audit', 'verify'], {
      env: env(data),
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/BROKEN at entry 3/);
  }, 400_000);

  it('rejects an unknown command with usage and exit code 2', () => {
    const r = spawnSync(process.execPath, [bin, 'frobnicate'], {
      env: env(join(dir, 'x')),
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Usage: npx chiso/);
  });
});
