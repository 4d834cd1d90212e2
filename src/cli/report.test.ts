import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../test/fixtures.ts';
import type { Store } from '../store/db.ts';
import { runReport } from './report.ts';

let store: Store;
let dir: string;
beforeAll(async () => {
  store = await openDemoStore();
  dir = mkdtempSync(join(tmpdir(), 'chiso-cli-report-'));
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('chiso report quarterly', () => {
  it('writes the .docx and the .xlsx annex named by --out', async () => {
    const docx = join(dir, 'q.docx');
    await runReport(store, { kind: 'quarterly', period: '2024Q4', out: docx, date: '2025-01-05' });
    expect(readFileSync(docx).subarray(0, 2).toString()).toBe('PK');
    const xlsx = join(dir, 'q.xlsx');
    await runReport(store, { kind: 'quarterly', period: '2024Q4', out: xlsx });
    expect(readFileSync(xlsx).subarray(0, 2).toString()).toBe('PK');
  });

  it('explains its usage and refuses other extensions and dates', async () => {
    await expect(runReport(store, { kind: 'yearly', period: '2024', out: 'x.docx' })).rejects.toMatchObject({
      code: 'cli.usage',
    });
    await expect(
      runReport(store, { kind: 'quarterly', period: '2024Q4', out: join(dir, 'x.odt') }),
    ).rejects.toMatchObject({
      code: 'cli.extension',
    });
    await expect(
      runReport(store, { kind: 'quarterly', period: '2024Q4', out: join(dir, 'x.docx'), date: '05/01/2025' }),
    ).rejects.toMatchObject({ code: 'cli.date' });
  });
});
