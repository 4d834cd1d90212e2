/**
 * Backup and restore with the operator's commands: `chiso dump` from PGlite, `chiso restore` into
 * PostgreSQL, `chiso dump` from there, `chiso restore` into a new PGlite folder — after accounts, API
 * tokens and value writes through the real server. The three dumps are identical (after their header line, which records when the dump was made), the catalogue
 * exports are identical, and `chiso audit verify` passes on every copy.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adminToken,
  chiso,
  http,
  newPostgresDatabase,
  newTarget,
  report,
  startServer,
  writableKeys,
} from './lib/harness.ts';

describe('backup and restore across databases', () => {
  it('PGlite → dump → PostgreSQL → dump → PGlite gives identical dumps and exports', async () => {
    const source = await newTarget('pglite');
    const store = await source.openStore();
    const token = await adminToken(store);
    const keys = await writableKeys(store, 20);
    await store.close();
    const server = await startServer(source.env);
    try {
      for (const [i, k] of keys.entries()) {
        const r = await http(`${server.url}/api/values`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}` },
          json: { ...k, value: i, comment: `backup ${i}` },
        });
        expect([200, 201]).toContain(r.status);
      }
    } finally {
      await server.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'chiso-hard-backup-'));
    const run = (args: string[], env: Record<string, string>) => {
      const r = chiso(args, env);
      expect(r.status, `chiso ${args.join(' ')}: ${r.out}`).toBe(0);
      return r.out;
    };
    const pgEnv = { DATABASE_URL: await newPostgresDatabase() };
    const back = { DATABASE_URL: '', CHISO_DATA_DIR: join(dir, 'restored') };

    run(['dump', '--out', join(dir, 'a.jsonl')], source.env);
    run(['restore', join(dir, 'a.jsonl')], pgEnv);
    run(['dump', '--out', join(dir, 'b.jsonl')], pgEnv);
    run(['restore', join(dir, 'b.jsonl')], back);
    run(['dump', '--out', join(dir, 'c.jsonl')], back);
    for (const [name, env] of [
      ['source', source.env],
      ['postgres', pgEnv],
      ['restored', back],
    ] as const) {
      expect(run(['audit', 'verify'], env)).toMatch(/audit chain OK/);
      run(['catalogue', 'export', '--out', join(dir, `${name}.catalogue.json`)], env);
    }
    // Identical after the header line (which records when the dump was made).
    const body = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').slice(1).join('\n');
    const a = readFileSync(join(dir, 'a.jsonl'), 'utf8');
    expect(a.split('\n')[0]).toMatch(/"format":"chiso-dump\/1"/);
    expect(body('b.jsonl')).toBe(body('a.jsonl'));
    expect(body('c.jsonl')).toBe(body('a.jsonl'));
    const cat = readFileSync(join(dir, 'source.catalogue.json'), 'utf8');
    expect(readFileSync(join(dir, 'postgres.catalogue.json'), 'utf8')).toBe(cat);
    expect(readFileSync(join(dir, 'restored.catalogue.json'), 'utf8')).toBe(cat);
    // The dump holds the accounts, the token hashes and the writes, not the tokens themselves.
    expect(a).toContain('hard.admin');
    expect(a).not.toContain(token);
    expect(a).toContain('backup 19');
    report('backup', { dump_lines: a.split('\n').length - 1, dump_bytes: a.length, copies: 3 });
  });
});
