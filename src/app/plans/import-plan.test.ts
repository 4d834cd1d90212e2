/**
 * Plan import: bad files (YAML and Excel) are refused with every fault at its row and column and change
 * nothing; good files import atomically and idempotently; the export reads back unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import { ChisoError, type ChisoErrorInit } from '../../core/errors.ts';
import { rows, type Store } from '../../store/db.ts';
import { DEMO_DIR } from '../demo/load-demo.ts';
import { exportPlanXlsx } from './export-plan.ts';
import {
  importPlanFile,
  importPlanXlsx,
  importPlanYaml,
  resolveAssignee,
  unitDirectory,
} from './import-plan.ts';
import { setTaskProgress } from './progress.ts';

let store: Store;
beforeAll(async () => {
  store = await openDemoStore();
});
afterAll(() => store.close());

const counts = async () =>
  (
    await rows<Record<string, number>>(
      store.db,
      sql`select (select count(*)::int from plan) as plans, (select count(*)::int from task) as tasks,
                 (select count(*)::int from task_assignment) as assignments, (select count(*)::int from task_indicator) as indicators,
                 (select count(*)::int from task_progress) as progress, (select count(*)::int from audit_log) as audit,
                 (select count(*)::int from task where archived_at is not null) as archived`,
    )
  )[0]!;

async function refusal(f: () => Promise<unknown>): Promise<ChisoError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('expected the import to be refused');
}

const importYaml = (text: string, file = 'test.yaml', dryRun = false) =>
  store.db.transaction((tx) => importPlanYaml(tx, 'tester', text, file, { dryRun }));
const importXlsx = (content: Uint8Array, file = 'test.xlsx') =>
  store.db.transaction((tx) => importPlanXlsx(tx, 'tester', content, file));

/** The 1-based line of the first line holding `needle`. */
const lineOf = (text: string, needle: string): number =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const BAD_YAML = `code: TEST-BAD
title_vi: Kế hoạch thử nghiệm
issuer: UBND Thành phố Hồ Chí Minh
date: 2024-01-15
status: active
tasks:
  - number: I
    title_vi: Phần một
    children:
      - number: I.1
        title_vi: Nhiệm vụ một
        lead_unit: 79.STTTT
        deadline: 2024Q2
        deadline_text: Quý 02/2024
      - number: I.2
        title_vi: ""
        lead_unit: 79.SKHDT
      - number: I.3
        title_vi: Nhiệm vụ ba
        lead_unit: 79.KHONGCO
      - number: I.4
        title_vi: Nhiệm vụ bốn
        deadline_text: Quý 5/2024
      - number: I.1
        title_vi: Nhiệm vụ trùng số
      - number: II.1
        title_vi: Nhiệm vụ ngoài nhóm
`;

describe('a bad YAML plan file', () => {
  it('is refused with every fault at its row and column, in Vietnamese and English, and changes nothing', async () => {
    const before = await counts();
    const e = await refusal(() => importYaml(BAD_YAML, 'ke-hoach-loi.yaml'));
    expect(e.code).toBe('plan.invalid');
    expect(e.status).toBe(422);
    expect(e.location.file).toBe('ke-hoach-loi.yaml');
    const faults = e.errors.map((x: ChisoErrorInit) => ({ code: x.code, row: x.row, column: x.column }));
    expect(faults).toEqual([
      { code: 'task.title_missing', row: lineOf(BAD_YAML, 'title_vi: ""'), column: 'title_vi' },
      { code: 'task.unit_unknown', row: lineOf(BAD_YAML, '79.KHONGCO'), column: 'lead_unit' },
      { code: 'deadline.invalid', row: lineOf(BAD_YAML, 'Quý 5/2024'), column: 'deadline_text' },
      {
        code: 'task.duplicate_number',
        row: lineOf(BAD_YAML, 'title_vi: Nhiệm vụ trùng số') - 1,
        column: 'number',
      },
      { code: 'task.outside_parent', row: lineOf(BAD_YAML, 'number: II.1'), column: 'number' },
    ]);
    for (const x of e.errors) {
      expect(x.file).toBe('ke-hoach-loi.yaml');
      expect(x.vi).toMatch(/^Dòng \d+, cột /);
      expect(x.en).toMatch(/^Row \d+, column /);
      expect(x.field).toMatch(/^tasks\[0\]\.children\[\d\]\./);
    }
    expect(e.errors[1]!.vi).toContain('79.KHONGCO');
    expect(e.errors[3]!.vi).toContain(`dòng ${lineOf(BAD_YAML, 'number: I.1')}`);
    expect(e.vi).toContain('5 lỗi');
    expect(e.en).toContain('5 faults; nothing was changed');
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a YAML syntax error', 'code: X\ntitle_vi: [unclosed\ntasks: []\n', 'plan.yaml_syntax'],
    [
      'a misspelt field',
      'code: X\ntitle_vi: T\ntasks:\n  - number: "1"\n    title_vi: A\n    lead_units: 79.STTTT\n',
      'plan.unknown_field',
    ],
    [
      'a malformed number',
      'code: X\ntitle_vi: T\ntasks:\n  - number: "1 a"\n    title_vi: A\n',
      'task.number_malformed',
    ],
    ['no task at all', 'code: X\ntitle_vi: T\ntasks: []\n', 'plan.no_tasks'],
    ['no plan title', 'code: X\ntasks:\n  - number: "1"\n    title_vi: A\n', 'plan.title_missing'],
    [
      'an unknown document',
      'code: X\ndocument: 9999/KH-KHONG\ntitle_vi: T\ntasks:\n  - number: "1"\n    title_vi: A\n',
      'plan.document_unknown',
    ],
    [
      'an unknown level',
      'code: X\ntitle_vi: T\ntasks:\n  - number: "1"\n    title_vi: A\n    lead_unit: ALL.province\n',
      'task.unit_unknown',
    ],
    [
      'an unknown indicator',
      'code: X\ntitle_vi: T\ntasks:\n  - number: "1"\n    title_vi: A\n    indicators: [KHONG-CO]\n',
      'task.indicator_unknown',
    ],
    [
      'a deadline that contradicts its text',
      'code: X\ntitle_vi: T\ntasks:\n  - number: "1"\n    title_vi: A\n    deadline: 2024Q3\n    deadline_text: Quý 01/2024\n',
      'deadline.inconsistent',
    ],
    [
      'a bad status',
      'code: X\ntitle_vi: T\nstatus: done\ntasks:\n  - number: "1"\n    title_vi: A\n',
      'plan.status',
    ],
    [
      'a task tree that refers to itself',
      'code: X\ntitle_vi: T\ntasks: &t\n  - number: "1"\n    title_vi: A\n    children: *t\n',
      'plan.too_deep',
    ],
  ])('refuses %s (%s)', async (_what, text, code) => {
    const before = await counts();
    const e = await refusal(() => importYaml(text));
    expect(e.code).toBe('plan.invalid');
    expect(e.errors.map((x) => x.code)).toContain(code);
    expect(e.errors.find((x) => x.code === code)!.row).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
  });
});

/** An annex sheet: a title row, the header row, then rows. */
async function annex(
  rowsOf: Array<Array<string | Date | null>>,
  options: { meta?: Array<[string, string | Date]>; header?: string[] } = {},
): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Phụ lục 1');
  ws.addRow(['PHỤ LỤC 1: DANH MỤC NHIỆM VỤ']);
  ws.addRow(
    options.header ?? [
      'STT',
      'Nhiệm vụ',
      'Đơn vị chủ trì',
      'Đơn vị phối hợp',
      'Thời gian hoàn thành',
      'Sản phẩm',
    ],
  );
  for (const r of rowsOf) ws.addRow(r);
  if (options.meta) {
    const meta = wb.addWorksheet('Kế hoạch');
    for (const [k, v] of options.meta) meta.addRow([k, v]);
  }
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

const META: Array<[string, string | Date]> = [
  ['Mã kế hoạch', 'TEST-XLSX'],
  ['Tên kế hoạch', 'Kế hoạch chuyển đổi số thử nghiệm năm 2024'],
  ['Cơ quan ban hành', 'UBND Thành phố Hồ Chí Minh'],
  ['Ngày ban hành', new Date(Date.UTC(2024, 0, 15))],
];

describe('a bad Excel plan file', () => {
  it('is refused with every fault at its sheet row and column letter, and changes nothing', async () => {
    const content = await annex(
      [
        ['I', 'Hạ tầng số', null, null, null, null],
        [
          'I.1',
          'Nâng cấp mạng truyền số liệu chuyên dùng',
          'Sở Thông tin và Truyền thông',
          'Các sở, ban, ngành',
          'Quý II/2024',
          'Mạng được nâng cấp',
        ],
        ['I.2', null, '79.STTTT', null, 'Năm 2024', null],
        ['I.3', 'Xây dựng kho dữ liệu', 'Sở Không Tồn Tại', null, '30/6/2024', null],
        ['I.4', 'Đào tạo kỹ năng số', '79.SNV', null, 'sớm nhất có thể', null],
        ['I.1', 'Nhiệm vụ trùng số', '79.STTTT', null, null, null],
        ['II', 'Chính quyền số', null, null, null, null],
        ['I.5', 'Nhiệm vụ đặt sai nhóm', '79.STTTT', null, null, null],
      ],
      { meta: META },
    );
    const before = await counts();
    const e = await refusal(() => importXlsx(content, 'phu-luc.xlsx'));
    expect(e.code).toBe('plan.invalid');
    const faults = e.errors.map((x) => ({ code: x.code, row: x.row, column: x.column }));
    expect(faults).toEqual([
      { code: 'task.title_missing', row: 5, column: 'B (Nhiệm vụ)' },
      { code: 'task.unit_unknown', row: 6, column: 'C (Đơn vị chủ trì)' },
      { code: 'deadline.malformed', row: 7, column: 'E (Thời gian hoàn thành)' },
      { code: 'task.duplicate_number', row: 8, column: 'A (STT)' },
      { code: 'task.outside_parent', row: 10, column: 'A (STT)' },
    ]);
    expect(e.errors[0]!.vi).toMatch(/^Dòng 5, cột B \(Nhiệm vụ\)/);
    expect(e.errors[1]!.en).toContain('Sở Không Tồn Tại');
    expect(e.errors[3]!.vi).toContain('dòng 4');
    expect(await counts()).toEqual(before);
  });

  it('reports a sheet without the annex header, a missing parent and an unreadable file', async () => {
    const noHeader = await annex([['1', 'A']], { header: ['Số', 'Việc'], meta: META });
    expect((await refusal(() => importXlsx(noHeader))).errors[0]!.code).toBe('plan.xlsx_header');
    const orphan = await annex(
      [
        ['1', 'Một'],
        ['2.1', 'Con của 2'],
      ],
      { meta: META },
    );
    const e = await refusal(() => importXlsx(orphan));
    expect(e.errors).toMatchObject([{ code: 'task.parent_missing', row: 4, column: 'A (STT)' }]);
    const garbage = new Uint8Array([0x50, 0x4b, 1, 2, 3, 4, 5]);
    expect(
      (await refusal(() => store.db.transaction((tx) => importPlanFile(tx, 't', garbage, 'x.xlsx'))))
        .errors[0]!.code,
    ).toBe('plan.xlsx_unreadable');
    const noMeta = await annex([['1', 'Một']]);
    expect((await refusal(() => importXlsx(noMeta))).errors.map((x) => x.code)).toEqual([
      'plan.code_missing',
      'plan.title_missing',
    ]);
  });
});

describe('importing a good Excel annex', () => {
  const good = () =>
    annex(
      [
        ['I', 'Hạ tầng số', null, null, null, null],
        [
          'I.1',
          'Nâng cấp mạng truyền số liệu chuyên dùng',
          'Sở Thông tin và Truyền thông',
          'Các sở, ban, ngành\nSở Tài chính',
          'Quý II/2024',
          'Mạng được nâng cấp',
        ],
        ['I.2', 'Báo cáo tiến độ', 'UBND các quận, huyện', '79.STTTT', 'Định kỳ hàng quý', 'Báo cáo'],
        ['I.3', 'Ban hành quy chế dữ liệu', '79.STP', null, new Date(Date.UTC(2024, 5, 30)), 'Quy chế'],
        ['II', 'Chính quyền số', 'Sở Nội vụ; Sở Tư pháp', null, 'Năm 2024', null],
      ],
      { meta: META },
    );

  it('creates the plan with units, levels and deadlines resolved, then imports again without change', async () => {
    const before = await counts();
    const s1 = await importXlsx(await good());
    expect(s1).toMatchObject({ plan: 'TEST-XLSX', outcome: 'created', tasks: { total: 5, created: 5 } });
    const tasks = await rows<{
      number: string;
      parent: string | null;
      lead: string | null;
      lead_level: string | null;
      deadline_kind: string;
      deadline_value: string | null;
      recurrence: string | null;
      deadline_date: string | null;
    }>(
      store.db,
      sql`select t.number, p.number as parent, u.code as lead, t.lead_level, t.deadline_kind, t.deadline_value, t.recurrence, t.deadline_date
          from task t left join task p on p.id = t.parent_id left join org_unit u on u.id = t.lead_unit_id
          join plan pl on pl.id = t.plan_id where pl.code = 'TEST-XLSX' order by t.sort`,
    );
    expect(tasks).toEqual([
      {
        number: 'I',
        parent: null,
        lead: null,
        lead_level: null,
        deadline_kind: 'none',
        deadline_value: null,
        recurrence: null,
        deadline_date: null,
      },
      {
        number: 'I.1',
        parent: 'I',
        lead: '79.STTTT',
        lead_level: null,
        deadline_kind: 'quarter',
        deadline_value: '2024Q2',
        recurrence: null,
        deadline_date: '2024-06-30',
      },
      {
        number: 'I.2',
        parent: 'I',
        lead: null,
        lead_level: 'district',
        deadline_kind: 'recurring',
        deadline_value: null,
        recurrence: 'quarter',
        deadline_date: null,
      },
      {
        number: 'I.3',
        parent: 'I',
        lead: '79.STP',
        lead_level: null,
        deadline_kind: 'date',
        deadline_value: '2024-06-30',
        recurrence: null,
        deadline_date: '2024-06-30',
      },
      {
        number: 'II',
        parent: null,
        lead: '79.SNV',
        lead_level: null,
        deadline_kind: 'year',
        deadline_value: '2024',
        recurrence: null,
        deadline_date: '2024-12-31',
      },
    ]);
    const assignments = await rows<{ number: string; role: string; who: string }>(
      store.db,
      sql`select t.number, a.role, coalesce(u.code, 'ALL.' || a.org_level) as who from task_assignment a join task t on t.id = a.task_id
          join plan pl on pl.id = t.plan_id left join org_unit u on u.id = a.org_unit_id where pl.code = 'TEST-XLSX' order by t.sort, a.role, a.sort`,
    );
    expect(assignments).toEqual([
      { number: 'I.1', role: 'coordinating', who: 'ALL.department' },
      { number: 'I.1', role: 'coordinating', who: '79.STC' },
      { number: 'I.2', role: 'coordinating', who: '79.STTTT' },
      { number: 'II', role: 'co_lead', who: '79.STP' },
    ]);
    const [plan] = await rows<{ issuer_unit: string; issued_on: string }>(
      store.db,
      sql`select u.code as issuer_unit, p.issued_on from plan p join org_unit u on u.id = p.issuer_unit_id where p.code = 'TEST-XLSX'`,
    );
    expect(plan).toEqual({ issuer_unit: '79', issued_on: '2024-01-15' });

    const afterFirst = await counts();
    expect(afterFirst.audit).toBe(before.audit! + 1);
    const s2 = await importXlsx(await good());
    expect(s2).toMatchObject({
      outcome: 'unchanged',
      tasks: { total: 5, created: 0, updated: 0, unchanged: 5, archived: 0 },
    });
    expect(await counts()).toEqual(afterFirst);
  });

  it('updates changed tasks, archives dropped ones and keeps their progress', async () => {
    const [task] = await rows<{ id: number }>(
      store.db,
      sql`select t.id from task t join plan p on p.id = t.plan_id where p.code = 'TEST-XLSX' and t.number = 'I.3'`,
    );
    await store.db.transaction((tx) =>
      setTaskProgress(tx, 'reporter', task!.id, {
        org_unit: '79.STP',
        period: '2024Q1',
        status: 'in_progress',
        percent: 40,
      }),
    );
    const changed = await annex(
      [
        ['I', 'Hạ tầng số', null, null, null, null],
        [
          'I.1',
          'Nâng cấp mạng truyền số liệu chuyên dùng của thành phố',
          'Sở Thông tin và Truyền thông',
          'Các sở, ban, ngành',
          'Quý III/2024',
          'Mạng được nâng cấp',
        ],
        ['I.2', 'Báo cáo tiến độ', 'UBND các quận, huyện', '79.STTTT', 'Định kỳ hàng quý', 'Báo cáo'],
        ['II', 'Chính quyền số', 'Sở Nội vụ; Sở Tư pháp', null, 'Năm 2024', null],
      ],
      { meta: META },
    );
    const s = await importXlsx(changed);
    expect(s.outcome).toBe('updated');
    expect(s.tasks).toEqual({ total: 4, created: 0, updated: 2, unchanged: 2, archived: 1 });
    expect(s.changes).toEqual(
      expect.arrayContaining([
        {
          number: 'I.1',
          change: 'updated',
          fields: expect.arrayContaining(['title_vi', 'deadline_value', 'deadline_text', 'assignments']),
        },
        { number: 'I.3', change: 'archived' },
      ]),
    );
    const [kept] = await rows<{ archived: boolean; n: number }>(
      store.db,
      sql`select t.archived_at is not null as archived, (select count(*)::int from task_progress where task_id = t.id) as n from task t where t.id = ${task!.id}`,
    );
    expect(kept).toEqual({ archived: true, n: 1 });
    const [link] = await rows<{ n: number; archived: number }>(
      store.db,
      sql`select count(*)::int as n, count(*) filter (where a.archived_at is not null)::int as archived from task_assignment a
          join task t on t.id = a.task_id join plan p on p.id = t.plan_id where p.code = 'TEST-XLSX' and t.number = 'I.1'`,
    );
    expect(link).toEqual({ n: 2, archived: 1 });
    // Bringing the task back revives the same row.
    const s3 = await importXlsx(await good());
    expect(s3.tasks).toMatchObject({ created: 0, archived: 0 });
    expect(s3.changes).toEqual(
      expect.arrayContaining([{ number: 'I.3', change: 'updated', fields: ['archived'] }]),
    );
  });

  it('writes nothing on a dry run', async () => {
    const before = await counts();
    const text = BAD_YAML.replace('TEST-BAD', 'TEST-DRY')
      .replace('title_vi: ""', 'title_vi: Có tên')
      .replace('79.KHONGCO', '79.SYT')
      .replace('Quý 5/2024', 'Quý 4/2024')
      .replace(
        'number: I.1\n        title_vi: Nhiệm vụ trùng số',
        'number: I.5\n        title_vi: Nhiệm vụ năm',
      )
      .replace('number: II.1', 'number: I.6');
    const s = await importYaml(text, 'dry.yaml', true);
    expect(s).toMatchObject({ dry_run: true, outcome: 'created', tasks: { created: 7 } });
    expect(await counts()).toEqual(before);
  });
});

describe('the demo plans', () => {
  it('import again from their files without any change', async () => {
    const before = await counts();
    for (const f of ['681-KH-UBND.yaml', 'KH-CDS-2024.yaml']) {
      const s = await importYaml(readFileSync(join(DEMO_DIR, 'plans', f), 'utf8'), `data/demo/plans/${f}`);
      expect(s.outcome, f).toBe('unchanged');
    }
    expect(await counts()).toEqual(before);
  });

  it('export to Excel and read back unchanged', async () => {
    const content = await exportPlanXlsx(store.db, '681/KH-UBND', { asOf: '2021-12-31' });
    const before = await counts();
    const s = await store.db.transaction((tx) => importPlanFile(tx, 'tester', content, 'export-681.xlsx'));
    expect(s).toMatchObject({ plan: '681/KH-UBND', format: 'xlsx', outcome: 'unchanged' });
    expect(s.tasks.unchanged).toBe(65);
    expect(await counts()).toEqual(before);
  });
});

describe('unit references', () => {
  it('resolves codes, names, “UBND X”, names with codes, level phrases and ALL.<level>', async () => {
    const dir = await unitDirectory(store.db);
    const code = (t: string, day: string | null = '2021-03-10') => {
      const r = resolveAssignee(dir, t, day);
      return r === null ? null : 'ambiguous' in r ? r.ambiguous : 'level' in r ? `ALL.${r.level}` : r.code;
    };
    expect(code('79.STTTT')).toBe('79.STTTT');
    expect(code('Sở Thông tin và Truyền thông')).toBe('79.STTTT');
    expect(code('so thong tin va truyen thong')).toBe('79.STTTT');
    expect(code('Sở Quy hoạch - Kiến trúc (79.SQHKT2025)')).toBe('79.SQHKT2025');
    expect(code('Sở Quy hoạch - Kiến trúc', '2021-03-10')).toBe('79.SQHKT');
    expect(code('Sở Quy hoạch - Kiến trúc', '2026-01-01')).toBe('79.SQHKT2025');
    expect(code('Sở Quy hoạch - Kiến trúc', null)).toEqual(['79.SQHKT', '79.SQHKT2025']);
    expect(code('Các sở, ban, ngành')).toBe('ALL.department');
    expect(code('UBND các quận, huyện')).toBe('ALL.district');
    expect(code('Các doanh nghiệp nhà nước')).toBe('ALL.enterprise');
    expect(code('ALL.commune')).toBe('ALL.commune');
    expect(code('Tất cả đơn vị cấp: Sở, ban, ngành (ALL.department)')).toBe('ALL.department');
    expect(code('ALL.province')).toBeNull();
    expect(code('Sở Không Tồn Tại')).toBeNull();
  });
});
