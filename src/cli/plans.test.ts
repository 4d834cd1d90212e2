/**
 * `chiso plan import FILE [--dry-run]`: a dry run writes nothing, a good file imports, a bad file is
 * refused with every fault at its row and field in both languages, changes nothing and exits 1 —
 * in-process, and once as a separate process for the exit code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, type Store } from '../store/db.ts';
import { openRoundsStore } from '../../test/rounds-fixture.ts';
import { type Output, planImportCli } from './plans.ts';

const dir = mkdtempSync(join(tmpdir(), 'chiso-plan-cli-'));
let store: Store;
beforeAll(async () => {
  store = await openRoundsStore();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const GOOD = `code: KH-CLI
title_vi: Kế hoạch nhập bằng dòng lệnh
issuer: UBND Thành phố Hồ Chí Minh
date: 2024-02-01
status: active
tasks:
  - number: '1'
    title_vi: Xây dựng kho dữ liệu dùng chung
    lead_unit: 79.STTTT
    deadline: 2024Q4
  - number: '2'
    title_vi: Tập huấn kỹ năng số
    lead_unit: '79.760'
    deadline: 2024
`;
// Row 9: an unknown lead unit; row 14: a deadline that is not one.
const BAD = `code: KH-CLI
title_vi: Kế hoạch nhập bằng dòng lệnh
issuer: UBND Thành phố Hồ Chí Minh
date: 2024-02-01
status: active
tasks:
  - number: '1'
    title_vi: Xây dựng kho dữ liệu dùng chung
    lead_unit: 79.KHONG-CO
    deadline: 2024Q4
  - number: '2'
    title_vi: Tập huấn kỹ năng số
    lead_unit: '79.760'
    deadline: quý 5 năm 2024
`;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function capture(): Output & { lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) };
}
const taskCount = async () =>
  (
    await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from task t join plan p on p.id = t.plan_id where p.code = 'KH-CLI'`,
    )
  )[0]!.n;

describe('chiso plan import', () => {
  it('dry run: reports what would change and writes nothing', async () => {
    const io = capture();
    expect(
      await planImportCli(store, file('good.yaml', GOOD), { dryRun: true }, io),
      io.lines.err.join('\n'),
    ).toBe(0);
    expect(io.lines.out[0]).toBe(
      '[dry run] plan KH-CLI: created; tasks 2 (created 2, updated 0, unchanged 0, archived 0)',
    );
    expect(await taskCount()).toBe(0);
  });

  it('imports a good file', async () => {
    const io = capture();
    expect(await planImportCli(store, file('good.yaml', GOOD), {}, io)).toBe(0);
    expect(io.lines.out[0]).toMatch(/^plan KH-CLI: created; tasks 2 \(created 2/);
    expect(await taskCount()).toBe(2);
  });

  it('refuses a bad file with every fault at its row, in vi and en, and changes nothing', async () => {
    const io = capture();
    const [before] = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from audit_log`);
    expect(await planImportCli(store, file('bad.yaml', BAD), {}, io)).toBe(1);
    const err = io.lines.err.join('\n');
    expect(err).toContain('The file was not imported (nothing changed).');
    expect(err).toMatch(/file bad\.yaml, row 9\b[^\n]*: [^\n]*79\.KHONG-CO/);
    expect(err).toMatch(/file bad\.yaml, row 14\b/);
    expect(err).toMatch(/Lỗi: /);
    expect(await taskCount()).toBe(2);
    const [after] = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from audit_log`);
    expect(after!.n).toBe(before!.n);
  });

  it('exits with 1 as a process on a bad file', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(import.meta.dirname, '..', '..', 'bin', 'chiso.mjs'),
        'plan',
        'import',
        file('broken.yaml', 'code: [\n'),
      ],
      {
        env: { ...process.env, CHISO_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('The file was not imported (nothing changed).');
    expect(r.stderr).toMatch(/file broken\.yaml, row \d+/);
  });
});
