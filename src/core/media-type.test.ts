import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import { classifyUpload, contentDisposition, safeFilename, sniffFile, zipEntryNames } from './media-type.ts';
import { SAMPLES, zipOf } from '../../test/evidence-samples.ts';

const refusal = (fn: () => unknown): ChisoError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('sniffing', () => {
  it('recognises PDF, PNG, JPEG, XLSX, DOCX and UTF-8 text from their bytes', () => {
    expect(sniffFile(SAMPLES.pdf)).toBe('pdf');
    expect(sniffFile(SAMPLES.png)).toBe('png');
    expect(sniffFile(SAMPLES.jpeg)).toBe('jpeg');
    expect(sniffFile(SAMPLES.xlsx)).toBe('xlsx');
    expect(sniffFile(SAMPLES.docx)).toBe('docx');
    expect(sniffFile(SAMPLES.csv)).toBe('txt');
    expect(zipEntryNames(SAMPLES.xlsx)).toEqual(['[Content_Types].xml', 'xl/workbook.xml']);
  });

  it('refuses executables, scripts, macro-enabled Office files, other ZIPs and binary junk', () => {
    expect(refusal(() => sniffFile(SAMPLES.exe)).code).toBe('attachment.executable');
    expect(refusal(() => sniffFile(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]))).code).toBe(
      'attachment.executable',
    );
    expect(refusal(() => sniffFile(new Uint8Array(Buffer.from('#!/bin/sh\nrm -rf /\n')))).code).toBe(
      'attachment.executable',
    );
    const xlsm = zipOf({
      '[Content_Types].xml': '<Types/>',
      'xl/workbook.xml': '<workbook/>',
      'xl/vbaProject.bin': 'macro',
    });
    expect(refusal(() => sniffFile(xlsm)).code).toBe('attachment.macro');
    expect(refusal(() => sniffFile(zipOf({ 'a.exe': 'x' }))).code).toBe('attachment.type_not_allowed');
    expect(refusal(() => sniffFile(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]))).code).toBe(
      'attachment.corrupt',
    );
    expect(refusal(() => sniffFile(new Uint8Array([0, 1, 2, 0xff, 0xfe]))).code).toBe(
      'attachment.type_not_allowed',
    );
    expect(refusal(() => sniffFile(new Uint8Array([0xc3, 0x28]))).code).toBe('attachment.type_not_allowed');
    expect(refusal(() => sniffFile(new Uint8Array())).code).toBe('attachment.empty');
  });

  it('requires the extension to match the content, and stores the sniffed type', () => {
    expect(classifyUpload('bao-cao.pdf', SAMPLES.pdf)).toEqual({
      filename: 'bao-cao.pdf',
      kind: 'pdf',
      mediaType: 'application/pdf',
    });
    expect(classifyUpload('Số liệu.CSV', SAMPLES.csv).kind).toBe('csv');
    expect(classifyUpload('ghi-chu.txt', SAMPLES.csv).kind).toBe('txt');
    expect(classifyUpload('anh.JPG', SAMPLES.jpeg).mediaType).toBe('image/jpeg');
    const e = refusal(() => classifyUpload('bao-cao.pdf', SAMPLES.png));
    expect(e).toMatchObject({
      code: 'attachment.type_mismatch',
      status: 415,
      details: { sniffed: 'png', extension: 'pdf' },
    });
    expect(refusal(() => classifyUpload('setup.pdf', SAMPLES.exe)).code).toBe('attachment.executable');
    expect(refusal(() => classifyUpload('bang.xlsx', SAMPLES.docx)).code).toBe('attachment.type_mismatch');
  });
});

describe('file names', () => {
  it('keeps only the last component, without control or reserved characters', () => {
    expect(safeFilename('../../etc/passwd.txt')).toBe('passwd.txt');
    expect(safeFilename('C:\\Users\\a\\Báo cáo quý 1.pdf')).toBe('Báo cáo quý 1.pdf');
    expect(safeFilename('..\\..\\x.pdf')).toBe('x.pdf');
    expect(safeFilename('a\u0000b<>:"|?*.pdf')).toBe('ab.pdf');
    expect(safeFilename('.hidden.pdf')).toBe('hidden.pdf');
    expect(safeFilename(`${'x'.repeat(300)}.pdf`)).toHaveLength(200);
    expect(safeFilename(`${'x'.repeat(300)}.pdf`).endsWith('.pdf')).toBe(true);
    // NFD input (macOS) is stored NFC.
    expect(safeFilename('Ba\u0301o.pdf')).toBe('Báo.pdf');
    expect(refusal(() => safeFilename('../..')).code).toBe('attachment.filename');
    expect(refusal(() => safeFilename('README')).code).toBe('attachment.filename');
  });

  it('carries Vietnamese names in Content-Disposition (RFC 6266 / 8187)', () => {
    expect(contentDisposition('Báo cáo (quý 1).pdf')).toBe(
      `attachment; filename="Bao cao (quy 1).pdf"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%28qu%C3%BD%201%29.pdf`,
    );
    expect(contentDisposition('Đề án "số".pdf')).toBe(
      `attachment; filename="De an _so_.pdf"; filename*=UTF-8''%C4%90%E1%BB%81%20%C3%A1n%20%22s%E1%BB%91%22.pdf`,
    );
  });
});
