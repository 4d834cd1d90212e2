/**
 * Excel templates of a reporting round's form for one unit: generated, filled in with exceljs (as a
 * reporter would in Excel), imported back into the unit's submission as a draft save — and refused,
 * by sheet and cell with nothing saved, when the file is malformed, tampered with, stale or sent by
 * someone without the right.
 */
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalFor, type TestApp, testApp } from '../../../test/fixtures.ts';
import { openRoundsStore, RATE, TOTAL, TRAINED, WARD_A, WARD_B } from '../../../test/rounds-fixture.ts';
import type { Principal } from '../../http/policies/index.ts';
import { rows } from '../../store/db.ts';
import { createIndicator } from '../catalogue/indicators.ts';
import { createForm } from '../rounds/create-form.ts';
import { zipEntryText } from '../../formats/xlsx-protect.ts';
import { FIRST_ITEM_ROW, SUBMISSION_META_SHEET, SUBMISSION_SHEET } from './submission-template.ts';

const FORM = 'QT-XLSX';
const ONE_STOP = 'CO_MOT_CUA_SO';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let t: TestApp;
let reporter: Principal;
let otherReporter: Principal;
let viewer: Principal;
let admin: Principal;
let roundId: number;
const subs = new Map<string, number>();
let lastFile: Buffer | null = null;

beforeAll(async () => {
  const store = await openRoundsStore();
  await store.db.transaction(async (tx) => {
    await createIndicator(tx, 'test', {
      code: ONE_STOP,
      name_vi: 'Có bộ phận một cửa số',
      name_en: 'Has a digital one-stop desk',
      value_type: 'boolean',
      direction: 'increase',
      rollup: 'sum',
      period_type: 'quarter',
      unit: 'có/không',
    });
    await createForm(tx, 'test', {
      code: FORM,
      name_vi: 'Báo cáo quý thử nghiệm mẫu Excel',
      name_en: 'Quarterly report, Excel template test',
      period_type: 'quarter',
      sections: [
        { code: 'A', name_vi: 'Hồ sơ', name_en: 'Dossiers' },
        { code: 'B', name_vi: 'Tổ chức', name_en: 'Organisation' },
      ],
      items: [
        { indicator: TOTAL, required: true, section: 'A' },
        { indicator: RATE, required: true, section: 'A' },
        { indicator: TRAINED, required: false, section: 'B' },
        { indicator: ONE_STOP, required: false, section: 'B' },
      ],
    });
  });
  t = await testApp(store);
  reporter = await principalFor(store, [['reporter', '79.760']]);
  otherReporter = await principalFor(store, [['reporter', '79.761']]);
  viewer = await principalFor(store, [['viewer', '79.760']]);
  admin = await principalFor(store, [['admin', '79']]);
  t.as(admin);
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/rounds',
    payload: { form: FORM, period: '2025Q1', org_unit: '79.760', level: 'commune' },
  });
  expect(r.statusCode, r.body).toBe(201);
  roundId = r.json().id;
  const list = await t.app.inject({ method: 'GET', url: `/api/submissions?round=${roundId}` });
  for (const s of list.json().items as Array<{ id: number; org_unit: string }>) subs.set(s.org_unit, s.id);
});
afterAll(() => t?.close());

async function template(unit: string, who: Principal | null = reporter): Promise<ExcelJS.Workbook> {
  t.as(who);
  const r = await t.app.inject({ method: 'GET', url: `/api/rounds/${roundId}/units/${unit}/template.xlsx` });
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toContain(XLSX);
  lastFile = r.rawPayload;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
  return wb;
}

async function upload(unit: string, wb: ExcelJS.Workbook | Buffer, who: Principal | null = reporter) {
  t.as(who);
  const payload = Buffer.isBuffer(wb) ? wb : Buffer.from(await wb.xlsx.writeBuffer());
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/rounds/${roundId}/units/${unit}/template?file=bao-cao.xlsx`,
    headers: { 'content-type': XLSX },
    payload,
  });
  return { status: r.statusCode, body: r.json() };
}

/** The row of an indicator in the sheet. */
function rowOf(wb: ExcelJS.Workbook, code: string): number {
  const ws = wb.getWorksheet(SUBMISSION_SHEET)!;
  for (let r = FIRST_ITEM_ROW; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === code) return r;
  throw new Error(`no row for ${code}`);
}
const set = (wb: ExcelJS.Workbook, code: string, col: 'H' | 'I' | 'A' | 'B', v: ExcelJS.CellValue) => {
  wb.getWorksheet(SUBMISSION_SHEET)!.getCell(`${col}${rowOf(wb, code)}`).value = v;
};

async function draft(unit: string) {
  return rows<{
    indicator: string;
    value: number | null;
    comment: string | null;
    status: string;
    version: number;
  }>(
    t.store.db,
    sql`select i.code as indicator, v.value, v.comment, v.status, v.version from data_value v
        join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
        where u.code = ${unit} and v.period = '2025Q1' and v.archived_at is null`,
  ).then((list) => list.sort((a, b) => (a.indicator < b.indicator ? -1 : 1)));
}
const auditCount = async () =>
  (await rows<{ n: number }>(t.store.db, sql`select count(*)::int as n from audit_log`))[0]!.n;

describe('submission templates (.xlsx)', () => {
  it('is a protected workbook: hidden keys, unlocked entry cells, validations, drop-down, instructions vi/en', async () => {
    const wb = await template(WARD_A);
    expect(wb.worksheets.map((w) => w.name)).toEqual([SUBMISSION_SHEET, 'Hướng dẫn', SUBMISSION_META_SHEET]);
    expect(wb.getWorksheet(SUBMISSION_META_SHEET)!.state).toBe('veryHidden');
    // the workbook's structure is locked (exceljs cannot; src/formats/xlsx-protect.ts adds it)
    expect(zipEntryText(lastFile!, 'xl/workbook.xml')).toContain('<workbookProtection lockStructure="1"/>');
    const ws = wb.getWorksheet(SUBMISSION_SHEET)!;
    expect(ws.getColumn(1).hidden).toBe(true);
    expect(ws.getColumn(2).hidden).toBe(true);
    expect(ws.getColumn(8).hidden).toBe(false);
    const prot = (ws as unknown as { sheetProtection: Record<string, unknown> }).sheetProtection;
    // OOXML: an absent permission is withheld; only row heights may be changed (long comments)
    expect(prot).toMatchObject({ sheet: true, formatRows: true });
    for (const k of ['insertRows', 'deleteRows', 'insertColumns', 'deleteColumns', 'formatColumns', 'sort'])
      expect(prot[k], k).not.toBe(true);
    const r = rowOf(wb, RATE);
    expect(ws.getCell(`H${r}`).protection).toMatchObject({ locked: false });
    expect(ws.getCell(`I${r}`).protection).toMatchObject({ locked: false });
    expect(ws.getCell(`G${r}`).protection?.locked).not.toBe(false);
    expect(ws.getCell(`D${r}`).protection?.locked).not.toBe(false);
    expect(ws.getCell(`H${r}`).dataValidation).toMatchObject({
      type: 'decimal',
      operator: 'between',
      formulae: [0, 100],
    });
    expect(ws.getCell(`H${rowOf(wb, TOTAL)}`).dataValidation).toMatchObject({ type: 'whole' });
    expect(ws.getCell(`H${rowOf(wb, ONE_STOP)}`).dataValidation).toMatchObject({
      type: 'list',
      formulae: ['"1,0"'],
    });
    // sections are rows of their own, before their items; item order follows the form
    expect(String(ws.getCell(`C${FIRST_ITEM_ROW}`).value)).toBe('Hồ sơ / Dossiers');
    expect(rowOf(wb, TOTAL)).toBe(FIRST_ITEM_ROW + 1);
    expect(rowOf(wb, TRAINED)).toBe(FIRST_ITEM_ROW + 4);
    const help = wb.getWorksheet('Hướng dẫn')!;
    const text = help.getColumn(1).values.join('\n');
    expect(text).toContain('Chỉ nhập vào các ô màu vàng');
    expect(text).toContain('Type only in the yellow cells');
  });

  it('round trip: generate → fill → import → the draft holds the values; re-importing changes nothing', async () => {
    const wb = await template(WARD_A);
    set(wb, TOTAL, 'H', 120);
    set(wb, RATE, 'H', 45.5);
    set(wb, TRAINED, 'H', '7'); // typed as text: still a number
    set(wb, ONE_STOP, 'H', 1);
    set(wb, RATE, 'I', 'Ước tính theo số liệu tháng 3');
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const a = await upload(WARD_A, file);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.saved.map((s: { indicator: string; outcome: string }) => [s.indicator, s.outcome])).toEqual(
      [
        [TOTAL, 'created'],
        [RATE, 'created'],
        [TRAINED, 'created'],
        [ONE_STOP, 'created'],
      ],
    );
    expect(a.body.submission.status).toBe('draft');
    expect(await draft(WARD_A)).toEqual([
      { indicator: TRAINED, value: 7, comment: null, status: 'draft', version: 1 },
      { indicator: ONE_STOP, value: 1, comment: null, status: 'draft', version: 1 },
      { indicator: TOTAL, value: 120, comment: null, status: 'draft', version: 1 },
      { indicator: RATE, value: 45.5, comment: 'Ước tính theo số liệu tháng 3', status: 'draft', version: 1 },
    ]);
    // the same file again: everything equal, nothing written (its versions are old, but nothing changes)
    const audit = await auditCount();
    const again = await upload(WARD_A, file);
    expect(again.status).toBe(200);
    expect(again.body.saved).toEqual([]);
    expect(again.body.unchanged).toBe(4);
    expect(await auditCount()).toBe(audit);
    // a fresh template carries the draft values and their versions; a change and a clear come back
    const wb2 = await template(WARD_A);
    const ws2 = wb2.getWorksheet(SUBMISSION_SHEET)!;
    expect(ws2.getCell(`H${rowOf(wb2, TOTAL)}`).value).toBe(120);
    expect(ws2.getCell(`B${rowOf(wb2, TOTAL)}`).value).toBe(1);
    set(wb2, TOTAL, 'H', 130);
    set(wb2, TRAINED, 'H', null);
    const b = await upload(WARD_A, wb2);
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(b.body.saved.map((s: { indicator: string; cell: string }) => [s.indicator, s.cell])).toEqual([
      [TOTAL, `H${rowOf(wb2, TOTAL)}`],
      [TRAINED, `H${rowOf(wb2, TRAINED)}`],
    ]);
    const after = new Map((await draft(WARD_A)).map((d) => [d.indicator, d.value]));
    expect(after.get(TOTAL)).toBe(130);
    expect(after.get(TRAINED) ?? null).toBeNull();
  });

  it('refuses malformed cells by sheet, cell and rule, and saves nothing', async () => {
    const before = await draft(WARD_B);
    const audit = await auditCount();
    const wb = await template(WARD_B);
    const r = (c: string) => rowOf(wb, c);
    set(wb, TOTAL, 'H', { formula: 'SUM(1,2)', result: 3 } as ExcelJS.CellValue);
    set(wb, RATE, 'H', 'bốn mươi');
    set(wb, TRAINED, 'H', 1e20);
    set(wb, ONE_STOP, 'H', 2);
    set(wb, RATE, 'I', '=HYPERLINK("http://x")');
    const bad = await upload(WARD_B, wb);
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('template.rejected');
    const faults = (
      bad.body.errors as Array<{
        column: string;
        code: string;
        vi: string;
        en: string;
        details: { sheet: string; cell: string; rule: string };
      }>
    ).map((e) => [e.column, e.code]);
    expect(faults).toEqual([
      [`H${r(TOTAL)}`, 'cell.formula'],
      [`H${r(RATE)}`, 'value.not_a_number'],
      [`I${r(RATE)}`, 'cell.formula'],
      [`H${r(TRAINED)}`, 'value.too_large'],
      [`H${r(ONE_STOP)}`, 'value.boolean'],
    ]);
    const first = bad.body.errors[0];
    expect(first.details).toEqual({ sheet: SUBMISSION_SHEET, cell: `H${r(TOTAL)}`, rule: 'cell.formula' });
    expect(first.vi).toContain(`Trang '${SUBMISSION_SHEET}', ô H${r(TOTAL)}`);
    expect(first.en).toContain(`Sheet '${SUBMISSION_SHEET}', cell H${r(TOTAL)}`);
    // a percentage above 100 and a date
    const wb2 = await template(WARD_B);
    set(wb2, RATE, 'H', 150);
    set(wb2, TOTAL, 'H', { error: '#DIV/0!' } as ExcelJS.CellValue);
    const bad2 = await upload(WARD_B, wb2);
    expect(bad2.status).toBe(422);
    expect(bad2.body.errors.map((e: { column: string; code: string }) => [e.column, e.code])).toEqual([
      [`H${rowOf(wb2, TOTAL)}`, 'value.type'],
      [`H${rowOf(wb2, RATE)}`, 'value.percent_range'],
    ]);
    expect(await draft(WARD_B)).toEqual(before);
    expect(await auditCount()).toBe(audit);
  });

  it('refuses tampered keys, a wrong sheet, another unit’s template and a damaged file', async () => {
    const before = await draft(WARD_B);
    const wb = await template(WARD_B);
    set(wb, TOTAL, 'A', 'HS_KHAC');
    set(wb, RATE, 'B', 'x');
    set(wb, TRAINED, 'H', 3);
    const keys = await upload(WARD_B, wb);
    expect(keys.status).toBe(422);
    expect(keys.body.errors.map((e: { column: string; code: string }) => [e.column, e.code])).toEqual([
      [`A${rowOf(wb, 'HS_KHAC')}`, 'template.key_tampered'],
      [`B${rowOf(wb, RATE)}`, 'template.key_tampered'],
    ]);
    // a value typed into a row added below the items
    const wbS = await template(WARD_B);
    const below = wbS.getWorksheet(SUBMISSION_SHEET)!.rowCount + 2;
    wbS.getWorksheet(SUBMISSION_SHEET)!.getCell(`H${below}`).value = 5;
    const sec = await upload(WARD_B, wbS);
    expect(sec.status).toBe(422);
    expect(sec.body.errors[0]).toMatchObject({
      column: `H${below}`,
      code: 'template.row_without_key',
    });
    // the sheet renamed
    const wb2 = await template(WARD_B);
    wb2.getWorksheet(SUBMISSION_SHEET)!.name = 'Sheet1';
    const sheet = await upload(WARD_B, wb2);
    expect(sheet.status).toBe(422);
    expect(sheet.body.code).toBe('template.wrong_sheet');
    expect(sheet.body.vi).toContain("'Sheet1'");
    // Ward A's template sent to Ward B
    const wbA = await template(WARD_A);
    const other = await upload(WARD_B, wbA);
    expect(other.status).toBe(422);
    expect(other.body.errors[0]).toMatchObject({
      code: 'template.other_submission',
      details: { sheet: SUBMISSION_META_SHEET },
    });
    expect(other.body.errors[0].en).toContain(`'${WARD_A}'`);
    // a truncated file
    const buf = Buffer.from(await (await template(WARD_B)).xlsx.writeBuffer());
    const cut = await upload(WARD_B, buf.subarray(0, Math.floor(buf.length / 2)));
    expect(cut.status).toBe(422);
    expect(cut.body.code).toBe('xlsx.unreadable');
    expect(await draft(WARD_B)).toEqual(before);
  });

  it('has the guards of the data-entry API: scope, role, editable status, optimistic versions', async () => {
    const wb = await template(WARD_B);
    set(wb, TOTAL, 'H', 80);
    // another district's reporter and a viewer are refused by the route's policy
    expect((await upload(WARD_B, wb, otherReporter)).status).toBe(403);
    expect((await upload(WARD_B, wb, viewer)).status).toBe(403);
    expect((await upload(WARD_B, wb, null)).status).toBe(401);
    // a viewer may download; another district's reporter may not
    await template(WARD_B, viewer);
    t.as(otherReporter);
    const dl = await t.app.inject({
      method: 'GET',
      url: `/api/rounds/${roundId}/units/${WARD_B}/template.xlsx`,
    });
    expect(dl.statusCode).toBe(403);
    // someone saves through the form after the template was downloaded: the template is stale (409)
    t.as(reporter);
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/submissions/${subs.get(WARD_B)}/values`,
      payload: { values: [{ indicator: TOTAL, value: 75, version: 0 }] },
    });
    expect(put.statusCode, put.body).toBe(200);
    const stale = await upload(WARD_B, wb);
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('conflict.stale_version');
    expect(stale.body.errors[0]).toMatchObject({ column: `H${rowOf(wb, TOTAL)}` });
    expect((await draft(WARD_B)).find((d) => d.indicator === TOTAL)?.value).toBe(75);
    // submitted: no longer editable
    const fresh = await template(WARD_B);
    set(fresh, TOTAL, 'H', 76);
    await t.store.db.execute(sql`update submission set status = 'submitted' where id = ${subs.get(WARD_B)!}`);
    const locked = await upload(WARD_B, fresh);
    expect(locked.status).toBe(409);
    expect(locked.body.code).toBe('submission.invalid_transition');
    await t.store.db.execute(sql`update submission set status = 'draft' where id = ${subs.get(WARD_B)!}`);
    const ok = await upload(WARD_B, fresh);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await draft(WARD_B)).find((d) => d.indicator === TOTAL)?.value).toBe(76);
    // unknown unit of the round
    t.as(admin);
    const none = await t.app.inject({
      method: 'GET',
      url: `/api/rounds/${roundId}/units/79.761.26764/template.xlsx`,
    });
    expect(none.statusCode).toBe(404);
  });
});
