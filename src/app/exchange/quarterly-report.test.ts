import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import type { Store } from '../../store/db.ts';
import { convertToPdf, hasSoffice } from './pdf.ts';
import {
  quarterlyReportData,
  quarterlyReportDocx,
  quarterlyReportModel,
  quarterlyReportXlsx,
} from './quarterly-report.ts';

let store: Store;
beforeAll(async () => {
  store = await openDemoStore();
});
afterAll(async () => {
  await store?.close();
});

describe('quarterly report content', () => {
  it('takes the issuer valid at the end of the quarter, the targets of the year, figures and tasks', async () => {
    const d = await quarterlyReportData(store.db, '2024Q4');
    expect(d.root).toMatchObject({ code: '79', name_vi: 'Thành phố Hồ Chí Minh' });
    expect(d.issuer).toMatchObject({ code: '79.STTTT', name_vi: 'Sở Thông tin và Truyền thông' });
    // After the merger of 1 March 2025 the coordinator is the Department of Science and Technology.
    expect((await quarterlyReportData(store.db, '2025Q2')).issuer?.code).toBe('79.SKHCN');
    const dti = d.targets.find((t) => t.indicator_code === 'DTI-RANK' && t.period === '2024');
    expect(dti).toMatchObject({ comparator: '<=', target: 5 });
    for (const t of d.targets) {
      if (t.units_reported !== null) continue;
      expect(t.status_vi).toBe(t.met === null ? 'Chưa có số liệu' : t.met ? 'Đạt' : 'Chưa đạt');
    }
    expect(d.targets.some((t) => t.units_reported !== null)).toBe(true);
    const m = quarterlyReportModel(d, { date: '2025-01-05', number: '5' });
    expect(m).toMatchObject({
      parentBody: ['Ủy ban nhân dân', 'Thành phố Hồ Chí Minh'],
      issuer: ['Sở Thông tin và Truyền thông'],
      symbol: 'BC-STTTT',
      summary: 'Kết quả thực hiện các chỉ tiêu, nhiệm vụ quý IV năm 2024',
    });
    expect(m.distribution.at(-1)).toBe('Lưu: VT, STTTT.');
    expect(m.body.filter((b) => b.kind === 'heading').map((b) => (b as { text: string }).text)).toEqual(
      d.tasks.length
        ? [
            'I. Kết quả thực hiện các chỉ tiêu',
            'II. Số liệu Quý IV/2024 và năm 2024',
            'III. Tiến độ thực hiện nhiệm vụ',
          ]
        : ['I. Kết quả thực hiện các chỉ tiêu', 'II. Số liệu Quý IV/2024 và năm 2024'],
    );
  });

  it('refuses a period that is not a quarter', async () => {
    await expect(quarterlyReportData(store.db, '2024')).rejects.toMatchObject({
      code: 'report.period_not_quarter',
    });
    await expect(quarterlyReportData(store.db, '2024Q7')).rejects.toMatchObject({
      code: 'period.malformed',
      location: { field: 'period' },
    });
  });

  it('writes an .xlsx annex with Vietnamese headers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await quarterlyReportXlsx(store, '2024Q4')) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Mục tiêu')!;
    expect(ws.getRow(3).getCell(2).value).toBe('Tên chỉ tiêu');
    expect(ws.getRow(4).getCell(2).value).toBe('Indicator');
    const codes = new Set<string>();
    ws.eachRow((r, n) => {
      if (n > 4) codes.add(String(r.getCell(1).value));
    });
    expect(codes.has('DTI-RANK')).toBe(true);
    expect(wb.getWorksheet('Số liệu')).toBeDefined();
  });
});

describe.skipIf(!hasSoffice())('quarterly report through LibreOffice', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chiso-report-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('converts to an A4 PDF in the Decree 30 layout: header block, number and date, title, page numbers from page 2, signature and Nơi nhận', async () => {
    const docx = await quarterlyReportDocx(store, '2024Q4', { date: '2025-01-05', number: '5' });
    const pdf = await convertToPdf(docx, 'docx');
    const file = join(dir, 'r.pdf');
    writeFileSync(file, pdf);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThan(1);
    expect(info).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    const pageText = (n: number) =>
      execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), file, '-'], {
        encoding: 'utf8',
      });
    const first = pageText(1);
    for (const s of [
      'ỦY BAN NHÂN DÂN',
      'THÀNH PHỐ HỒ CHÍ MINH',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'SỞ THÔNG TIN VÀ',
      'TRUYỀN THÔNG',
      'Số: 05/BC-STTTT',
      'Thành phố Hồ Chí Minh, ngày 05 tháng 01 năm 2025',
      'BÁO CÁO',
      'Kết quả thực hiện các chỉ tiêu, nhiệm vụ quý IV năm 2024',
      'Kính gửi: Ủy ban nhân dân Thành phố Hồ Chí Minh.',
      'I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU',
      'Bảng 1. Mục tiêu và kết quả thực hiện',
    ])
      expect(first).toContain(s);
    // The motto and the parent body share the first line; the number and the date share a line.
    const lines = first.split('\n');
    expect(lines.some((l) => /ỦY BAN NHÂN DÂN\s+CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/.test(l))).toBe(true);
    expect(lines.some((l) => /Số: 05\/BC-STTTT\s+Thành phố Hồ Chí Minh, ngày 05/.test(l))).toBe(true);
    // No page number on page 1; page 2 starts with its number, centred at the top.
    expect(first.trimStart().startsWith('ỦY BAN')).toBe(true);
    expect(pageText(2).trimStart().split('\n')[0]!.trim()).toBe('2');
    const last = pageText(pages);
    expect(last).toContain('Nơi nhận:');
    expect(last).toContain('GIÁM ĐỐC');
    expect(last).toContain('- Lưu: VT, STTTT.');
    expect(last.replace(/\s+/g, ' ')).toContain('kính báo cáo Ủy ban nhân dân Thành phố Hồ Chí Minh./.');
    // Margins: body text starts about 30 mm (85 pt) from the left edge and ends ≥ 15 mm (42.5 pt) from the right.
    const bbox = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' });
    const xs = [...bbox.matchAll(/xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[3]),
      Number(m[2]),
    ]);
    const minX = Math.min(...xs.map((x) => x[0]!));
    const maxX = Math.max(...xs.map((x) => x[1]!));
    const minY = Math.min(...xs.map((x) => x[2]!));
    expect(minX).toBeGreaterThan(82);
    expect(minX).toBeLessThan(100);
    expect(maxX).toBeLessThan(595.3 - 42);
    expect(minY).toBeGreaterThan(50); // 20 mm = 56.7 pt, less the ascent of the first line
    // Fonts: Times New Roman or its metric twin Liberation Serif, embedded.
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    expect(fonts).toMatch(/TimesNewRoman|Times New Roman|LiberationSerif/);
  }, 240_000);

  it('converts the .xlsx annex too', async () => {
    const pdf = await convertToPdf(await quarterlyReportXlsx(store, '2024Q4'), 'xlsx');
    const file = join(dir, 'x.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Phụ lục: Mục tiêu và kết quả thực hiện — Quý IV/2024');
    expect(text).toContain('DTI-RANK');
  }, 240_000);
});
