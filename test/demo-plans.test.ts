/**
 * The demo plans in data/demo/plans: they parse, their task trees are well formed, every unit they
 * name exists, deadlines use the allowed forms, and plan 681/KH-UBND is complete.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const plansDir = join(root, 'data/demo/plans');
const departmentsFile = join(root, 'data/demo/org/departments.json');
const otherUnitsFile = join(root, 'data/demo/org/other-units.json');
/** The source documents live in shared/, beside the repository (also in CI). */
const seedsDir = resolve(root, '../shared/seeds');

interface Task {
  number: string;
  title_vi: string;
  title_en: string;
  description_vi?: string;
  description_en?: string;
  lead_unit: string | null;
  co_lead_units?: string[];
  coordinating_units: string[];
  deadline: string | null;
  deadline_text: string | null;
  output_vi: string | null;
  output_en?: string | null;
  indicators: string[];
  quote: string;
  children?: Task[];
}

interface Plan {
  code: string;
  document: string | null;
  title_vi: string;
  title_en: string;
  issuer: string;
  date: string | null;
  status: string;
  seed: string;
  note: string;
  tasks: Task[];
}

function loadPlan(file: string): Plan {
  return parse(readFileSync(join(plansDir, file), 'utf8')) as Plan;
}

/** Every task of a tree, depth first, with its parent's number (null at the top). */
function walk(tasks: Task[], parent: string | null = null): { task: Task; parent: string | null }[] {
  return tasks.flatMap((task) => [{ task, parent }, ...walk(task.children ?? [], task.number)]);
}

function leaves(task: Task): Task[] {
  return task.children?.length ? task.children.flatMap(leaves) : [task];
}

/** Every string `code` found anywhere in a JSON value, whatever the file's exact shape. */
function codesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(codesIn);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const own = typeof record.code === 'string' ? [record.code] : [];
    return [...own, ...Object.values(record).flatMap(codesIn)];
  }
  return [];
}

const GROUPS = ['ALL.department', 'ALL.district', 'ALL.commune', 'ALL.enterprise'];

/** The department codes agreed for departments.json, used only while that file is not there yet. */
const AGREED_DEPARTMENTS = [
  ...['79.VPUB', '79.STTTT', '79.SKHDT', '79.STC', '79.SNV', '79.STP', '79.SCT', '79.SGDDT', '79.SYT'],
  ...['79.SGTVT', '79.STNMT', '79.SXD', '79.SQHKT', '79.SLDTBXH', '79.SVHTT', '79.SDL', '79.SKHCN'],
  ...['79.SNNPTNT', '79.SNGV', '79.SATTP', '79.TTTP', '79.CATP', '79.BQLKCXCN', '79.BQLKCNC'],
];

function knownUnitCodes(): Set<string> {
  const codes = new Set<string>(['79', ...GROUPS]);
  const departments = existsSync(departmentsFile)
    ? codesIn(JSON.parse(readFileSync(departmentsFile, 'utf8')))
    : AGREED_DEPARTMENTS;
  const others = codesIn(JSON.parse(readFileSync(otherUnitsFile, 'utf8')));
  for (const code of [...departments, ...others]) codes.add(code);
  return codes;
}

function isDeadline(value: string | null): boolean {
  if (value === null || value === 'recurring') return true;
  if (/^\d{4}(Q[1-4]|S[12])?$/.test(value)) return true;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!iso) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** Whitespace-insensitive comparison with the seed text. */
const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();

const PLANS: [file: string, code: string][] = [
  ['681-KH-UBND.yaml', '681/KH-UBND'],
  ['KH-CDS-2024.yaml', 'KH-CDS-2024'],
];

describe.each(PLANS)('demo plan %s', (file, code) => {
  const plan = loadPlan(file);
  const all = walk(plan.tasks);

  it('parses, with the plan fields', () => {
    expect(plan.code).toBe(code);
    expect(['draft', 'active', 'closed']).toContain(plan.status);
    expect(plan.title_vi).toBeTruthy();
    expect(plan.title_en).toBeTruthy();
    expect(plan.issuer).toBeTruthy();
    expect(plan.note).toBeTruthy();
    expect(plan.date === null || isDeadline(plan.date)).toBe(true);
    expect(plan.tasks.length).toBeGreaterThan(0);
  });

  it('has unique task numbers, each child numbered under its parent', () => {
    const numbers = all.map(({ task }) => task.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const { task, parent } of all) {
      expect(typeof task.number).toBe('string');
      if (parent !== null) expect(task.number.startsWith(`${parent}.`), task.number).toBe(true);
    }
  });

  it('gives every task its texts in Vietnamese and English', () => {
    for (const { task } of all) {
      expect(task.title_vi, task.number).toBeTruthy();
      expect(task.title_en, task.number).toBeTruthy();
      expect(task.quote, task.number).toBeTruthy();
      expect(Array.isArray(task.indicators), task.number).toBe(true);
      if (task.output_vi) expect(task.output_en, task.number).toBeTruthy();
      if (task.description_vi) expect(task.description_en, task.number).toBeTruthy();
    }
  });

  it('names only known units', () => {
    const known = knownUnitCodes();
    for (const { task } of all) {
      const named = [
        ...(task.lead_unit === null ? [] : [task.lead_unit]),
        ...(task.co_lead_units ?? []),
        ...task.coordinating_units,
      ];
      for (const unit of named) expect(known.has(unit), `${task.number}: ${unit}`).toBe(true);
      if ((task.co_lead_units ?? []).length > 0) expect(task.lead_unit, task.number).not.toBeNull();
    }
  });

  it('uses only the allowed deadline forms', () => {
    for (const { task } of all) {
      expect(isDeadline(task.deadline), `${task.number}: ${task.deadline}`).toBe(true);
      if (task.deadline_text !== null) expect(task.deadline, task.number).not.toBeNull();
    }
  });

  it.skipIf(!existsSync(join(seedsDir, plan.seed)))('quotes its seed verbatim', () => {
    const seed = squash(readFileSync(join(seedsDir, plan.seed), 'utf8'));
    for (const { task } of all) {
      expect(seed.includes(squash(task.quote)), `${task.number} quote`).toBe(true);
      expect(seed.includes(squash(task.title_vi)), `${task.number} title_vi`).toBe(true);
      if (task.description_vi) expect(seed.includes(squash(task.description_vi)), task.number).toBe(true);
      if (task.deadline_text) expect(seed.includes(task.deadline_text), task.number).toBe(true);
    }
  });
});

describe('plan 681/KH-UBND is complete', () => {
  const plan = loadPlan('681-KH-UBND.yaml');
  const numbers = walk(plan.tasks).map(({ task }) => task.number);

  it('has sections II, III and IV with every numbered item of the document', () => {
    expect(plan.tasks.map((t) => t.number)).toEqual(['II', 'III', 'IV']);
    // The document's own numbering (1., 2., a), b) …), read line by line from the seed.
    const documentNumbers = [
      ...['II.1', 'II.1.a', 'II.1.b', 'II.1.c', 'II.2', 'II.2.a', 'II.2.b', 'II.3'],
      ...['II.4', 'II.4.a', 'II.4.b', 'II.4.c', 'II.4.d', 'II.5', 'II.6'],
      ...['III.1', 'III.2'],
      ...['IV.1', 'IV.1.a', 'IV.1.b', 'IV.1.c', 'IV.1.d', 'IV.1.e'],
      ...['IV.2', 'IV.2.a', 'IV.2.b', 'IV.2.c', 'IV.2.d', 'IV.3', 'IV.3.a', 'IV.3.b', 'IV.4', 'IV.5', 'IV.6'],
    ];
    for (const number of documentNumbers) expect(numbers, number).toContain(number);
  });

  it('has the leaf tasks counted in the document', () => {
    // Counted by hand in 001_41c00149c6fa7477.txt. A leaf is a lettered sub-item or an unnumbered
    // "-" bullet with nothing under it, or a numbered item with neither:
    //   II:  II.1 a–c (3) + II.2.a 3 bullets + II.2.b 2 bullets + II.3 4 bullets
    //        + II.4.a 5 bullets + II.4.b + II.4.c 3 bullets + II.4.d 4 bullets + II.5 + II.6      = 27
    //   III: III.1 2 bullets + III.2 5 bullets                                                   = 7
    //   IV:  IV.1 a–e (5) + IV.2 a–d (4) + IV.3 a–b (2) + IV.4 + IV.5 + IV.6                     = 14
    const counts = Object.fromEntries(plan.tasks.map((section) => [section.number, leaves(section).length]));
    expect(counts).toEqual({ II: 27, III: 7, IV: 14 });
  });

  it('keeps the lead units, coordinating units and deadlines the text gives', () => {
    const byNumber = new Map(walk(plan.tasks).map(({ task }) => [task.number, task]));
    expect(byNumber.get('IV.1.b')?.deadline).toBe('2021Q1');
    expect(byNumber.get('IV.1.b')?.deadline_text).toBe('Hoàn thành trong quý 01 năm 2021');
    expect(byNumber.get('IV.1.e')?.deadline).toBe('recurring');
    expect(byNumber.get('IV.1.e')?.coordinating_units).toContain('79.STTTT');
    for (const n of ['IV.2.a', 'IV.2.b', 'IV.2.c', 'IV.2.d'])
      expect(byNumber.get(n)?.lead_unit).toBe('79.STTTT');
    for (const n of ['IV.3.a', 'IV.3.b']) expect(byNumber.get(n)?.lead_unit).toBe('79.SKHDT');
    expect(byNumber.get('IV.2.d')?.coordinating_units).toEqual(
      expect.arrayContaining(['79.SCT', '79.SKHDT', '79.CTK', '79.VNCPT', '79.CTHUE', '79.CHQ']),
    );
    expect(byNumber.get('IV.4')?.lead_unit).toBe('ALL.enterprise');
    expect(byNumber.get('IV.6')?.lead_unit).toBe('79.STC');
  });
});

describe('plan KH-CDS-2024', () => {
  it('numbers the 17 unnumbered key-task paragraphs 1 to 17, as its note says', () => {
    const plan = loadPlan('KH-CDS-2024.yaml');
    expect(plan.tasks.map((t) => t.number)).toEqual(Array.from({ length: 17 }, (_, i) => String(i + 1)));
    expect(plan.note).toMatch(/numbered 1, 2, 3/);
  });
});

describe('links from demo tasks to indicators', () => {
  const catalogue = new Set(
    (
      JSON.parse(readFileSync(join(root, 'data/demo/indicators.json'), 'utf8')) as Array<{ code: string }>
    ).map((i) => i.code),
  );
  it.each(PLANS)('%s: every linked indicator exists and each link cites the text it rests on', (file) => {
    const text = readFileSync(join(plansDir, file), 'utf8');
    const linked = walk(loadPlan(file).tasks).filter(({ task }) => task.indicators.length > 0);
    for (const { task } of linked) {
      for (const code of task.indicators) expect(catalogue.has(code), `${task.number} → ${code}`).toBe(true);
      // The comment above the link quotes the task's own words.
      const at = text.indexOf(`indicators: [${task.indicators.join(', ')}]`);
      const comment = text.slice(text.lastIndexOf('\n', text.lastIndexOf('\n', at) - 1), at);
      expect(comment, task.number).toMatch(/# indicators: linked because the text says “/);
      // Each “…” before a ↔ is the task's own words (fragments joined by “ … ”).
      for (const part of comment.split(';')) {
        const quoted = /“([^”]+)”\s*↔/.exec(part)?.[1];
        if (!quoted) continue;
        for (const words of quoted
          .split('…')
          .map((w) => w.trim())
          .filter(Boolean))
          expect(task.quote, `${task.number}: ${words}`).toContain(words);
      }
    }
    if (file === 'KH-CDS-2024.yaml')
      expect(linked.map(({ task }) => task.number)).toEqual(['4', '5', '8', '9', '13', '15']);
  });
});

describe('data/demo/org/other-units.json', () => {
  const units = JSON.parse(readFileSync(otherUnitsFile, 'utf8')) as Record<string, unknown>[];

  it('has well-formed units with unique codes', () => {
    const codes = units.map((u) => u.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const unit of units) {
      expect(unit.code).toMatch(/^79\.[A-Z0-9]+$/);
      expect(unit.name_vi).toBeTruthy();
      expect(unit.name_en).toBeTruthy();
      expect(['department', 'enterprise']).toContain(unit.level);
      expect(unit.parent).toBe('79');
      expect(unit.source).toBeTruthy();
    }
  });

  it.skipIf(!existsSync(departmentsFile))('does not redefine a unit of departments.json', () => {
    const departments = new Set(codesIn(JSON.parse(readFileSync(departmentsFile, 'utf8'))));
    for (const unit of units) expect(departments.has(unit.code as string), unit.code as string).toBe(false);
  });
});
