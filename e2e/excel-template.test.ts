/**
 * Data entry through Excel in a real browser: a reporter downloads the unit's .xlsx template from the
 * data-entry page, fills it in (as a person would in Excel; here with exceljs), uploads it, and the
 * values appear in the form as a draft. A wrong cell is refused with its sheet and cell, and nothing
 * changes. Screenshot: screenshots/excel-template-desktop.png.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_ITEM_ROW, SUBMISSION_SHEET } from '../src/app/exchange/submission-template.ts';
import { axe, DESKTOP, launch, loginToWorkspace, newPage, serious, settle, shoot } from './browser.ts';
import { apiSession, DEMO_PASSWORD, type E2EServer, startServer } from './server.ts';

let server: E2EServer;
let browser: Browser;
const REPORTER = { username: 'e2e.excel', password: 'Bao-cao-bang-Excel-2026' };
const dir = mkdtempSync(join(tmpdir(), 'chiso-e2e-xlsx-'));

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  const admin = await apiSession(server.url, 'demo.admin', DEMO_PASSWORD);
  await admin.post('/api/forms', {
    code: 'E2E-XLSX',
    name_vi: 'Báo cáo năm nhập bằng Excel',
    name_en: 'Yearly report entered with Excel',
    period_type: 'year',
    items: [
      { indicator: 'CD-01', required: true },
      { indicator: 'CQS-01', required: false },
    ],
  });
  await admin.post('/api/rounds', {
    form: 'E2E-XLSX',
    period: '2024',
    org_unit: '79',
    level: 'city',
    deadline: '2099-01-31',
  });
  await admin.post('/api/auth/users', {
    username: REPORTER.username,
    display_name: 'Cán bộ nhập Excel',
    password: REPORTER.password,
    must_change_password: false, // a scripted account: no temporary password to change first
    grants: [{ role: 'reporter', org_unit: '79' }],
  });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

async function setCell(
  file: string,
  code: string,
  column: string,
  value: ExcelJS.CellValue,
): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(SUBMISSION_SHEET)!;
  let row = 0;
  for (let r = FIRST_ITEM_ROW; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === code) row = r;
  expect(row, `a row for ${code}`).toBeGreaterThan(0);
  ws.getCell(`${column}${row}`).value = value;
  const out = join(dir, `filled-${code}-${Date.now()}.xlsx`);
  writeFileSync(out, Buffer.from(await wb.xlsx.writeBuffer()));
  return out;
}

describe('data entry with the Excel template', () => {
  it('downloads the template, uploads it filled in, and the draft holds the values', async () => {
    const page = await newPage(browser, DESKTOP);
    await loginToWorkspace(page, server.url, REPORTER);
    await settle(page);
    const due = page.locator('section', { has: page.getByRole('heading', { name: /^Đến hạn/ }) });
    await due
      .locator('li.task', { hasText: 'Báo cáo năm nhập bằng Excel' })
      .getByRole('link', { name: 'Nhập số liệu' })
      .click();
    await page.waitForURL(/\/workspace\/submissions\/\d+$/);
    await settle(page);

    // the template, downloaded as a person would
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Tải biểu mẫu Excel (.xlsx)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const template = join(dir, 'template.xlsx');
    await download.saveAs(template);

    // a wrong cell: text where a number belongs — refused with the cell, nothing saved
    const before = await page.getByLabel(/CD-01/).inputValue();
    const bad = await setCell(template, 'CD-01', 'H', 'chín mươi');
    await page.getByLabel('Tải lên biểu mẫu đã điền').setInputFiles(bad);
    const alert = page.locator('.excel-template [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Tệp không được nhập.*H\d+/s);
    expect(await page.getByLabel(/CD-01/).inputValue()).toBe(before);
    expect(before).not.toBe('93,5');

    // the right value: saved as a draft, shown in the form
    const good = await setCell(template, 'CD-01', 'H', 93.5);
    await page.getByLabel('Tải lên biểu mẫu đã điền').setInputFiles(good);
    await page.locator('.excel-template .notice-success').waitFor();
    expect(await page.locator('.excel-template .notice-success').textContent()).toContain(
      '1 giá trị thay đổi',
    );
    await page.waitForFunction(
      () => (document.querySelector('input[name="CD-01"]') as HTMLInputElement | null)?.value === '93,5',
      undefined,
      { timeout: 30_000 },
    );
    const [draft] = await server.store.query<{ value: number; status: string }>(
      `select v.value, v.status from data_value v join indicator i on i.id = v.indicator_id
       join org_unit u on u.id = v.org_unit_id
       where i.code = 'CD-01' and u.code = '79' and v.period = '2024' and v.status = 'draft'`,
    );
    expect(draft).toMatchObject({ value: 93.5, status: 'draft' });
    await shoot(page, 'excel-template-desktop');
    const v = serious(await axe(page));
    expect(v, JSON.stringify(v, null, 1)).toEqual([]);
  });
});
