/**
 * Evidence files through the API: multipart upload, type sniffing (real XLSX and DOCX files made by
 * exceljs and docx), refusals, checksum, safe names, download only within scope, archive.
 */
import { createHash } from 'node:crypto';
import { Document, Packer, Paragraph } from 'docx';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES } from '../../../app/rounds/upload-attachment.ts';
import { rows } from '../../../store/db.ts';
import type { Principal } from '../../policies/index.ts';
import { SAMPLES, zipOf } from '../../../../test/evidence-samples.ts';
import { principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import {
  FORM,
  openRoundsStore,
  TOTAL,
  vnDaysFromNow,
  WARD_A,
  WARD_B,
} from '../../../../test/rounds-fixture.ts';

let t: TestApp;
let reporter: Principal;
let wardReporter: Principal;
let outsider: Principal;
let reviewer: Principal;
let subA: number;
let subB: number;
let xlsx: Uint8Array;
let docx: Uint8Array;

beforeAll(async () => {
  const store = await openRoundsStore();
  t = await testApp(store);
  reporter = await principalFor(store, [['reporter', '79.760']]);
  wardReporter = await principalFor(store, [['reporter', WARD_B]]);
  outsider = await principalFor(store, [['viewer', '79.761']]);
  reviewer = await principalFor(store, [['reviewer', '79']]);
  t.as(await principalFor(store, [['admin', '79']]));
  const round = await t.app.inject({
    method: 'POST',
    url: '/api/rounds',
    payload: {
      form: FORM,
      period: '2024Q2',
      org_unit: '79.760',
      level: 'commune',
      deadline: vnDaysFromNow(20),
    },
  });
  const subs = (
    await t.app.inject({ method: 'GET', url: `/api/submissions?round=${round.json().id}` })
  ).json();
  const idOf = (u: string) => subs.items.find((s: { org_unit: string }) => s.org_unit === u).id as number;
  subA = idOf(WARD_A);
  subB = idOf(WARD_B);

  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Số liệu').addRow(['HS_TONG', 200]);
  xlsx = new Uint8Array(await wb.xlsx.writeBuffer());
  docx = new Uint8Array(
    await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('Báo cáo quý II/2024')] }] })),
  );
});
afterAll(() => t.close());

function multipart(filename: string, bytes: Uint8Array, contentType = 'application/octet-stream') {
  const boundary = '----chisoTestBoundary7MA4YWxkTrZu0gW';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, Buffer.from(bytes), tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function upload(p: Principal | null, id: number, filename: string, bytes: Uint8Array, query = '') {
  t.as(p);
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/submissions/${id}/attachments${query}`,
    ...multipart(filename, bytes),
  });
  return { status: r.statusCode, body: r.json() };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('upload', () => {
  it('stores PDF, PNG, JPEG, XLSX, DOCX and CSV with the sniffed type and a SHA-256', async () => {
    const files: Array<[string, Uint8Array, string]> = [
      ['Công văn 123.pdf', SAMPLES.pdf, 'application/pdf'],
      ['anh-chup.png', SAMPLES.png, 'image/png'],
      ['anh.jpeg', SAMPLES.jpeg, 'image/jpeg'],
      ['Số liệu quý II.xlsx', xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['Báo cáo.docx', docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['so-lieu.csv', SAMPLES.csv, 'text/csv; charset=utf-8'],
    ];
    for (const [name, bytes, type] of files) {
      const r = await upload(reporter, subA, name, bytes);
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(201);
      expect(r.body).toMatchObject({
        filename: name,
        media_type: type,
        size: bytes.length,
        sha256: sha(bytes),
        indicator: null,
      });
    }
    const perValue = await upload(reporter, subA, 'minh-chung.pdf', SAMPLES.pdf, `?indicator=${TOTAL}`);
    expect(perValue.body.indicator).toBe(TOTAL);
    t.as(reviewer);
    const list = (await t.app.inject({ method: 'GET', url: `/api/submissions/${subA}/attachments` })).json();
    expect(list.items).toHaveLength(7);
    const values = (await t.app.inject({ method: 'GET', url: `/api/submissions/${subA}/values` })).json();
    expect(values.items.find((i: { indicator: string }) => i.indicator === TOTAL).attachments).toBe(1);
  });

  it('refuses executables, mismatched extensions, macro files, unknown types, oversize files and other units', async () => {
    const before = await rows<{ n: number }>(t.store.db, sql`select count(*)::int as n from attachment`);
    const cases: Array<[string, Uint8Array, number, string]> = [
      ['setup.exe', SAMPLES.exe, 415, 'attachment.executable'],
      ['bao-cao.pdf', SAMPLES.exe, 415, 'attachment.executable'],
      ['bao-cao.pdf', SAMPLES.png, 415, 'attachment.type_mismatch'],
      ['so-lieu.xlsx', docx, 415, 'attachment.type_mismatch'],
      [
        'so-lieu.xlsx',
        zipOf({
          '[Content_Types].xml': '<Types/>',
          'xl/workbook.xml': '<w/>',
          'xl/vbaProject.bin': 'Sub Auto_Open()',
        }),
        415,
        'attachment.macro',
      ],
      ['so-lieu.txt', new Uint8Array([0, 159, 146, 150]), 415, 'attachment.type_not_allowed'],
      ['README', SAMPLES.csv, 400, 'attachment.filename'],
      ['rong.txt', new Uint8Array(), 400, 'attachment.empty'],
    ];
    for (const [name, bytes, status, code] of cases) {
      const r = await upload(reporter, subA, name, bytes);
      expect([r.status, r.body.code], name).toEqual([status, code]);
    }
    const big = new Uint8Array(MAX_ATTACHMENT_BYTES + 1).fill(0x41);
    const tooBig = await upload(reporter, subA, 'lon.txt', big);
    expect([tooBig.status, tooBig.body.code]).toEqual([413, 'attachment.too_large']);
    expect((await upload(wardReporter, subA, 'x.pdf', SAMPLES.pdf)).status).toBe(403);
    expect((await upload(null, subA, 'x.pdf', SAMPLES.pdf)).status).toBe(401);
    const notAnItem = await upload(reporter, subA, 'x.pdf', SAMPLES.pdf, '?indicator=KHONG_CO');
    expect(notAnItem.body.code).toBe('submission.not_an_item');
    t.as(reporter);
    const json = await t.app.inject({
      method: 'POST',
      url: `/api/submissions/${subA}/attachments`,
      payload: { file: 'x' },
    });
    expect(json.statusCode).toBe(415);
    const after = await rows<{ n: number }>(t.store.db, sql`select count(*)::int as n from attachment`);
    expect(after).toEqual(before);
  });

  it('keeps only a safe file name', async () => {
    const r = await upload(reporter, subB, '../../../etc/Báo cáo.pdf', SAMPLES.pdf);
    expect(r.status).toBe(201);
    expect(r.body.filename).toBe('Báo cáo.pdf');
  });
});

describe('download', () => {
  it('serves the stored bytes within scope, with the sniffed type and a safe Content-Disposition', async () => {
    const up = await upload(wardReporter, subB, 'Biên bản.pdf', SAMPLES.pdf);
    expect(up.status).toBe(201);
    for (const p of [reviewer, reporter, wardReporter]) {
      t.as(p);
      const r = await t.app.inject({ method: 'GET', url: `/api/attachments/${up.body.id}` });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/pdf');
      expect(r.headers['content-disposition']).toBe(
        `attachment; filename="Bien ban.pdf"; filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n.pdf`,
      );
      expect(r.headers['x-content-sha256']).toBe(sha(SAMPLES.pdf));
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(new Uint8Array(r.rawPayload)).toEqual(SAMPLES.pdf);
    }
    // A ward reporter of ward B may not read ward A's evidence, nor may Quận 12.
    const aFile = (
      await rows<{ id: number }>(
        t.store.db,
        sql`select id from attachment where submission_id = ${subA} limit 1`,
      )
    )[0]!;
    for (const p of [wardReporter, outsider]) {
      t.as(p);
      const r = await t.app.inject({ method: 'GET', url: `/api/attachments/${aFile.id}` });
      expect(r.statusCode).toBe(403);
    }
    t.as(null);
    expect((await t.app.inject({ method: 'GET', url: `/api/attachments/${aFile.id}` })).statusCode).toBe(401);
    t.as(reviewer);
    expect((await t.app.inject({ method: 'GET', url: '/api/attachments/999999' })).statusCode).toBe(404);
  });

  it('archives a file (kept, no longer listed) while the submission can be edited', async () => {
    const up = await upload(reporter, subB, 'nham.pdf', SAMPLES.pdf);
    t.as(reporter);
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/attachments/${up.body.id}/archive`,
      payload: { reason: 'Tải nhầm tệp' },
    });
    expect(r.statusCode).toBe(200);
    const list = (await t.app.inject({ method: 'GET', url: `/api/submissions/${subB}/attachments` })).json();
    expect(list.items.map((a: { id: number }) => a.id)).not.toContain(up.body.id);
    const [kept] = await rows<{ archive_reason: string }>(
      t.store.db,
      sql`select archive_reason from attachment where id = ${up.body.id}`,
    );
    expect(kept!.archive_reason).toBe('Tải nhầm tệp');
    expect((await t.app.inject({ method: 'GET', url: `/api/attachments/${up.body.id}` })).statusCode).toBe(
      404,
    );
  });
});
