import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import { isChisoError } from '../../core/errors.ts';
import type { Store } from '../../store/db.ts';
import { exportTableXlsx, importValuesTemplate, TEMPLATE_SHEET, valuesTemplateXlsx } from './excel.ts';
import { exportValuesText } from './export-values.ts';

const stores: Store[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});
async function demo() {
  const s = await openDemoStore();
  stores.push(s);
  return s;
}
async function load(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}
const save = async (wb: ExcelJS.Workbook) => Buffer.from(await wb.xlsx.writeBuffer());
const rowOf = (ws: ExcelJS.Worksheet, ind: string, unit: string) => {
  for (let r = 3; r <= ws.rowCount; r++)
    if (ws.getCell(r, 1).value === ind && ws.getCell(r, 2).value === unit) return r;
  throw new Error(`no row ${ind} ${unit}`);
};

describe('Excel entry templates', () => {
  it('builds a protected template with hidden keys, drop-downs, validations and instructions in vi and en', async () => {
    const store = await demo();
    const wb = await load(
      await valuesTemplateXlsx(store, {
        period: '2019',
        indicators: ['CD-01', 'KQ-HOTICH'],
        orgUnits: ['79', '79.760'],
      }),
    );
    const ws = wb.getWorksheet(TEMPLATE_SHEET)!;
    expect([1, 2, 3].map((c) => ws.getColumn(c).hidden)).toEqual([true, true, true]);
    expect(ws.getCell('D1').value).toBe('Chỉ tiêu');
    expect(ws.getCell('D2').value).toBe('Indicator');
    // CD-01 applies to the city and districts; KQ-HOTICH only to the city: 3 rows.
    expect(ws.rowCount).toBe(5);
    const r = rowOf(ws, 'CD-01', '79.760');
    expect(ws.getCell(r, 7).protection?.locked).toBe(false);
    expect(ws.getCell(r, 4).protection?.locked).not.toBe(false);
    expect(ws.getCell(r, 7).dataValidation).toMatchObject({ type: 'decimal', formulae: [0, 100] });
    expect(ws.getCell(rowOf(ws, 'KQ-HOTICH', '79'), 7).dataValidation).toMatchObject({ type: 'whole' });
    expect((ws as unknown as { sheetProtection: { sheet: boolean } }).sheetProtection.sheet).toBe(true);
    const help = wb.getWorksheet('Hướng dẫn')!;
    const texts: string[] = [];
    help.eachRow((row) => texts.push(String(row.getCell(1).value)));
    expect(texts.some((t) => t.includes('Chỉ nhập vào các ô màu vàng'))).toBe(true);
    expect(texts.some((t) => t.includes('Type only in the yellow cells'))).toBe(true);
  });

  it('a boolean indicator gets a 0/1 drop-down', async () => {
    const store = await demo();
    await store.db.transaction(async (tx) => {
      const { createIndicator } = await import('../catalogue/indicators.ts');
      await createIndicator(tx, 't', {
        code: 'YN-01',
        name_vi: 'Có cổng dữ liệu mở',
        value_type: 'boolean',
        direction: 'increase',
        rollup: 'max',
        period_type: 'year',
      });
    });
    const wb = await load(await valuesTemplateXlsx(store, { period: '2024', indicators: ['YN-01'] }));
    expect(wb.getWorksheet(TEMPLATE_SHEET)!.getCell('G3').dataValidation).toMatchObject({
      type: 'list',
      formulae: ['"0,1"'],
    });
  });

  it('round-trips: filled template → import → a new template carries the values → importing it changes nothing', async () => {
    const store = await demo();
    const spec = { period: '2019', indicators: ['CD-01', 'KQ-HOTICH'], orgUnits: ['79', '79.760'] };
    const empty = await valuesTemplateXlsx(store, spec);
    expect(await importValuesTemplate(store, 't', empty)).toMatchObject({ rows: 0, created: 0 });
    const wb = await load(empty);
    const ws = wb.getWorksheet(TEMPLATE_SHEET)!;
    ws.getCell(rowOf(ws, 'CD-01', '79'), 7).value = 41.5;
    ws.getCell(rowOf(ws, 'CD-01', '79'), 8).value = 'Việt Nam: số liệu sơ bộ';
    ws.getCell(rowOf(ws, 'CD-01', '79.760'), 7).value = 0;
    ws.getCell(rowOf(ws, 'KQ-HOTICH', '79'), 7).value = '1200';
    const s = await importValuesTemplate(store, 't', await save(wb), { file: 'q.xlsx' });
    expect(s).toMatchObject({ rows: 3, created: 3, rejected_count: 0, format: 'xlsx-template' });
    const before = await exportValuesText(store, 'csv');
    const again = await valuesTemplateXlsx(store, spec);
    const ws2 = (await load(again)).getWorksheet(TEMPLATE_SHEET)!;
    expect(ws2.getCell(rowOf(ws2, 'CD-01', '79'), 7).value).toBe(41.5);
    expect(ws2.getCell(rowOf(ws2, 'CD-01', '79'), 8).value).toBe('Việt Nam: số liệu sơ bộ');
    expect(await importValuesTemplate(store, 't', again)).toMatchObject({
      unchanged: 3,
      created: 0,
      updated: 0,
    });
    expect(await exportValuesText(store, 'csv')).toBe(before);
  });

  it('names the sheet and the cell of every fault: formulas, percent range, text, dates; nothing is written', async () => {
    const store = await demo();
    const before = await exportValuesText(store, 'csv');
    const wb = await load(
      await valuesTemplateXlsx(store, {
        period: '2019',
        indicators: ['CD-01', 'KQ-HOTICH'],
        orgUnits: ['79', '79.760'],
      }),
    );
    const ws = wb.getWorksheet(TEMPLATE_SHEET)!;
    const r1 = rowOf(ws, 'CD-01', '79');
    const r2 = rowOf(ws, 'CD-01', '79.760');
    const r3 = rowOf(ws, 'KQ-HOTICH', '79');
    ws.getCell(r1, 7).value = { formula: 'SUM(1,2)', result: 3 } as ExcelJS.CellFormulaValue;
    ws.getCell(r2, 7).value = 150;
    ws.getCell(r3, 7).value = 'mười hai';
    const e = await importValuesTemplate(store, 't', await save(wb)).catch((x: unknown) => x);
    expect(isChisoError(e)).toBe(true);
    if (!isChisoError(e)) return;
    expect(e.errors.map((x) => [x.column, x.code])).toEqual(
      [
        [`G${r1}`, 'cell.formula'],
        [`G${r2}`, 'value.percent_range'],
        [`G${r3}`, 'value.not_a_number'],
      ].sort((a, b) => Number(a[0]!.slice(1)) - Number(b[0]!.slice(1))),
    );
    expect(e.errors[0]!.details).toEqual({ sheet: TEMPLATE_SHEET });
    expect(e.errors.find((x) => x.column === `G${r1}`)!.vi).toContain(`Trang '${TEMPLATE_SHEET}', ô G${r1}`);
    expect(await exportValuesText(store, 'csv')).toBe(before);
    await expect(importValuesTemplate(store, 't', Buffer.from('not a zip'))).rejects.toMatchObject({
      code: 'xlsx.unreadable',
    });
  });
});

describe('table exports to .xlsx', () => {
  it('values, targets and indicators with Vietnamese headers', async () => {
    const store = await demo();
    for (const [table, sheet, header] of [
      ['values', 'Số liệu', 'Mã chỉ tiêu'],
      ['targets', 'Mục tiêu', 'Mã chỉ tiêu'],
      ['indicators', 'Chỉ tiêu', 'Mã'],
    ] as const) {
      const chunks: Buffer[] = [];
      for await (const c of await exportTableXlsx(store, table)) chunks.push(c as Buffer);
      const ws = (await load(Buffer.concat(chunks))).getWorksheet(sheet)!;
      expect(ws.getCell('A3').value).toBe(header);
      expect(ws.rowCount).toBeGreaterThan(10);
    }
  });
});
