/**
 * The demo catalogue in data/demo: documents, departments, indicators, targets and values. Every
 * reference resolves, codes are unique, quotes are verbatim from the seeds, and the figures named
 * in shared/seeds/README.md are present with the right value, comparator, year, level and source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(root, 'data/demo');
/** The source documents live in shared/, beside the repository. */
const seedsDir = resolve(root, '../shared/seeds');

interface DocumentRecord {
  code: string;
  kind: string;
  number: string | null;
  symbol: string | null;
  date: string | null;
  issuer: string | null;
  title_vi: string;
  title_en: string;
  seed: string | null;
  note: string;
}

interface UnitRecord {
  code: string;
  name_vi: string;
  name_en: string;
  level: string;
  parent: string;
  valid_from: string | null;
  valid_to: string | null;
  successors: { code: string; date: string; kind: string }[];
  coordinator?: boolean;
  coordinator_from?: string;
  source: string;
}

interface IndicatorRecord {
  code: string;
  name_vi: string;
  name_en: string;
  definition_vi: string;
  definition_en: string;
  unit: string;
  value_type: string;
  direction: string;
  rollup: string;
  denominator: string | null;
  period_type: string;
  period_rollup: string;
  formula: string | null;
  group: string;
  levels: string[];
  source_document: string;
  responsible_unit: string | null;
}

interface TargetRecord {
  indicator: string;
  period: string;
  org_unit?: string;
  org_level?: string;
  comparator: string;
  value: number;
  value_max: number | null;
  baseline: { period: string; value: number } | null;
  source_document: string;
  seed: string;
  quote: string;
  note?: string;
}

interface ValueRecord {
  indicator: string;
  org_unit: string;
  period: string;
  value: number;
  provenance: string;
  source_document: string;
  seed: string;
  quote: string;
  comment: string;
}

function load<T>(path: string): T[] {
  return JSON.parse(readFileSync(join(demo, path), 'utf8')) as T[];
}

const documents = load<DocumentRecord>('documents.json');
const units = load<UnitRecord>('org/departments.json');
const otherUnitsFile = join(demo, 'org/other-units.json');
const otherUnits = existsSync(otherUnitsFile) ? load<{ code: string }>('org/other-units.json') : [];
const indicators = load<IndicatorRecord>('indicators.json');
const targets = load<TargetRecord>('targets.json');
const values = load<ValueRecord>('values.json');

const documentCodes = new Set(documents.map((d) => d.code));
const unitCodes = new Set(['79', ...units.map((u) => u.code), ...otherUnits.map((u) => u.code)]);
const indicatorByCode = new Map(indicators.map((i) => [i.code, i]));

const LEVELS = ['city', 'department', 'district', 'commune', 'enterprise'];
const SEED_FILE = /^\d{3}_[0-9a-f]{16}\.txt$/;
const YEAR = /^\d{4}$/;

function isIsoDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)
  );
}

const seedText = new Map<string, string>();
function seed(file: string): string {
  let text = seedText.get(file);
  if (text === undefined) {
    text = readFileSync(join(seedsDir, file), 'utf8');
    seedText.set(file, text);
  }
  return text;
}

/** The ways a seed may write a figure: 15,38 for 15.38; 111.473 for 111473; "12 triệu"; "40 tỷ". */
function writtenForms(value: number): string[] {
  const [whole = '', fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const forms = [String(value), fraction ? `${grouped},${fraction}` : grouped];
  if (value >= 1e6 && value % 1e6 === 0) forms.push(`${value / 1e6} triệu`);
  if (value >= 1e9 && value % 1e9 === 0) forms.push(`${value / 1e9} tỷ`);
  return forms;
}

/** Targets read from “mỗi người dân có …” (every citizen has …): the 100 is not written as a figure. */
const EVERY_CITIZEN = new Set(['KTXH-13', 'KTXH-14', 'KTXH-15', 'KTXH-16', 'KTXH-17', 'KTXH-18']);

function findTargets(filter: Partial<TargetRecord>): TargetRecord[] {
  return targets.filter((t) =>
    Object.entries(filter).every(([key, value]) => t[key as keyof TargetRecord] === value),
  );
}

describe('data/demo/documents.json', () => {
  it('has unique codes and well-formed records', () => {
    expect(documentCodes.size).toBe(documents.length);
    for (const doc of documents) {
      expect(['plan', 'decision', 'resolution', 'news', 'article', 'other'], doc.code).toContain(doc.kind);
      expect(doc.date === null || isIsoDate(doc.date), doc.code).toBe(true);
      expect(doc.seed === null || SEED_FILE.test(doc.seed), doc.code).toBe(true);
      expect(doc.title_vi && doc.title_en && doc.note, doc.code).toBeTruthy();
    }
  });

  it('lists the programme documents and one record per news or article seed', () => {
    for (const code of ['2392/QĐ-UBND', '2393/QĐ-UBND', '681/KH-UBND', 'KH-CDS-2024', '1726/QĐ-BTTTT']) {
      expect(documentCodes.has(code), code).toBe(true);
    }
    const byCode = new Map(documents.map((d) => [d.code, d]));
    expect(byCode.get('681/KH-UBND')?.date).toBe('2021-03-10');
    expect(byCode.get('2393/QĐ-UBND')?.date).toBe('2020-07-03');
    expect(byCode.get('681/KH-UBND')?.seed).toBe('001_41c00149c6fa7477.txt');
    expect(byCode.get('SEED-002')?.kind).toBe('news');
    expect(byCode.get('SEED-003')?.kind).toBe('article');
    expect(byCode.get('SEED-004')?.kind).toBe('news');
  });

  it.skipIf(!existsSync(seedsDir))('names seed files that exist', () => {
    for (const doc of documents)
      if (doc.seed) expect(existsSync(join(seedsDir, doc.seed)), doc.code).toBe(true);
  });
});

describe('data/demo/org/departments.json', () => {
  it('has unique codes, sane intervals and resolvable successors', () => {
    expect(new Set(units.map((u) => u.code)).size).toBe(units.length);
    for (const unit of units) {
      expect(unit.code, unit.code).toMatch(/^79\.[A-Z0-9]+$/);
      expect(unit.parent).toBe('79');
      expect(LEVELS, unit.code).toContain(unit.level);
      expect(unit.source, unit.code).toBeTruthy();
      for (const date of [unit.valid_from, unit.valid_to])
        expect(date === null || isIsoDate(date)).toBe(true);
      if (unit.valid_from && unit.valid_to) expect(unit.valid_from < unit.valid_to, unit.code).toBe(true);
      for (const next of unit.successors) {
        expect(unitCodes.has(next.code), `${unit.code} → ${next.code}`).toBe(true);
        expect(['merge', 'split', 'rename']).toContain(next.kind);
        expect(isIsoDate(next.date)).toBe(true);
      }
    }
  });

  it('has the agreed department codes and does not redefine other-units.json', () => {
    const own = new Set(units.map((u) => u.code));
    const agreed = ['79.VPUB', '79.STTTT', '79.SKHDT', '79.STC', '79.SNV', '79.STP', '79.SCT', '79.SGDDT'];
    agreed.push('79.SYT', '79.SGTVT', '79.STNMT', '79.SXD', '79.SQHKT', '79.SLDTBXH', '79.SVHTT', '79.SDL');
    agreed.push('79.SKHCN', '79.SNNPTNT', '79.SNGV', '79.SATTP', '79.TTTP', '79.CATP', '79.BQLKCXCN');
    agreed.push('79.BQLKCNC', '79.SGTCC', '79.SDTTG', '79.SNNMT', '79.BDMQLDN');
    for (const code of agreed) expect(own.has(code), code).toBe(true);
    for (const other of otherUnits) expect(own.has(other.code), other.code).toBe(false);
  });

  it('models the 1 March 2025 mergers, and hands coordination from Sở TT&TT to Sở KH&CN', () => {
    const only = (code: string) => units.filter((u) => u.code === code);
    const first = (code: string): UnitRecord => {
      const unit = only(code)[0];
      if (!unit) throw new Error(`no unit ${code}`);
      return unit;
    };
    const sttt = first('79.STTTT');
    expect(sttt.valid_to).toBe('2025-02-28');
    expect(sttt.successors).toEqual([{ code: '79.SKHCN', date: '2025-03-01', kind: 'merge' }]);
    expect(first('79.SKHDT').successors[0]).toMatchObject({ code: '79.STC', date: '2025-03-01' });
    expect(first('79.SLDTBXH').successors[0]).toMatchObject({ code: '79.SNV', date: '2025-03-01' });
    expect(first('79.SNNPTNT').successors[0]).toMatchObject({ code: '79.STNMT', date: '2025-03-01' });
    expect(first('79.STNMT').successors[0]).toMatchObject({ code: '79.SNNMT', date: '2025-07-01' });
    expect(first('79.SXD').successors).toContainEqual({
      code: '79.SQHKT2025',
      date: '2025-10-01',
      kind: 'split',
    });

    const coordinators = units.filter((u) => u.coordinator);
    expect(coordinators.map((u) => u.code).sort()).toEqual(['79.SKHCN', '79.STTTT']);
    const coordinatorOn = (date: string) =>
      coordinators.filter((u) => {
        const from = u.coordinator_from ?? u.valid_from;
        return (from === null || from <= date) && (u.valid_to === null || date <= u.valid_to);
      });
    expect(coordinatorOn('2024-12-31').map((u) => u.code)).toEqual(['79.STTTT']);
    expect(coordinatorOn('2025-03-01').map((u) => u.code)).toEqual(['79.SKHCN']);
  });
});

describe('data/demo/indicators.json', () => {
  it('has unique, well-formed codes', () => {
    expect(indicatorByCode.size).toBe(indicators.length);
    for (const i of indicators) expect(i.code).toMatch(/^[A-Z][A-Z0-9-]{1,30}$/);
  });

  it('uses the allowed enumerations and resolves every reference', () => {
    const groups = ['chu-de', 'chinh-quyen-so', 'kinh-te-so', 'xa-hoi-so', 'an-toan-thong-tin', 'ket-qua'];
    for (const i of indicators) {
      expect(['percent', 'number', 'integer', 'rank', 'boolean'], i.code).toContain(i.value_type);
      expect(['increase', 'decrease', 'target'], i.code).toContain(i.direction);
      expect(['sum', 'mean', 'weighted_mean', 'min', 'max', 'none'], i.code).toContain(i.rollup);
      expect(['sum', 'last', 'mean'], i.code).toContain(i.period_rollup);
      expect(i.period_type).toBe('year');
      expect(groups, i.code).toContain(i.group);
      expect(i.levels.length, i.code).toBeGreaterThan(0);
      for (const level of i.levels) expect(LEVELS, i.code).toContain(level);
      if (i.rollup === 'weighted_mean') expect(i.denominator, i.code).not.toBeNull();
      if (i.denominator !== null) expect(indicatorByCode.has(i.denominator), i.code).toBe(true);
      if (i.value_type === 'rank') expect([i.direction, i.rollup], i.code).toEqual(['decrease', 'none']);
      expect(documentCodes.has(i.source_document), `${i.code}: ${i.source_document}`).toBe(true);
      if (i.responsible_unit !== null) expect(unitCodes.has(i.responsible_unit), i.code).toBe(true);
      for (const text of [i.name_vi, i.name_en, i.definition_vi, i.definition_en, i.unit]) {
        expect(text, i.code).toBeTruthy();
      }
    }
  });
});

describe('data/demo/targets.json', () => {
  it('resolves every reference, with one scope per record and a level the indicator is measured at', () => {
    for (const t of targets) {
      const where = `${t.indicator} ${t.period} ${t.org_unit ?? t.org_level} ${t.value}`;
      const indicator = indicatorByCode.get(t.indicator);
      expect(indicator, where).toBeDefined();
      expect(t.period, where).toMatch(YEAR);
      expect((t.org_unit === undefined) !== (t.org_level === undefined), where).toBe(true);
      if (t.org_unit !== undefined) {
        expect(unitCodes.has(t.org_unit), where).toBe(true);
        if (t.org_unit === '79') expect(indicator?.levels, where).toContain('city');
      } else {
        expect(indicator?.levels, where).toContain(t.org_level);
      }
      expect(['>=', '<=', '=', 'range'], where).toContain(t.comparator);
      expect(typeof t.value, where).toBe('number');
      if (t.comparator === 'range') expect(typeof t.value_max, where).toBe('number');
      else expect(t.value_max, where).toBeNull();
      if (t.baseline !== null) expect(t.baseline.period, where).toMatch(YEAR);
      expect(documentCodes.has(t.source_document), where).toBe(true);
      expect(t.seed, where).toMatch(SEED_FILE);
      expect(t.quote, where).toBeTruthy();
    }
  });

  it.skipIf(!existsSync(seedsDir))('quotes each target verbatim from its seed, figure included', () => {
    for (const t of targets) {
      const where = `${t.indicator} ${t.period} ${t.org_unit ?? t.org_level}`;
      expect(seed(t.seed).includes(t.quote), where).toBe(true);
      if (!EVERY_CITIZEN.has(t.indicator)) {
        expect(
          writtenForms(t.value).some((form) => t.quote.includes(form)),
          where,
        ).toBe(true);
      }
    }
  });

  it('keeps the 2024 per-level digitisation targets 70 / 60 / 55', () => {
    const rows = findTargets({ indicator: 'CQS-09', period: '2024' });
    const byLevel = Object.fromEntries(rows.map((t) => [t.org_level, [t.comparator, t.value]]));
    expect(byLevel).toEqual({ department: ['>=', 70], district: ['>=', 60], commune: ['>=', 55] });
    for (const t of rows)
      expect([t.source_document, t.seed]).toEqual(['KH-CDS-2024', '000_76faffa0aecaf348.txt']);
  });

  it('keeps both conflicting 2024 digital-economy targets, 22% and 25% of GRDP', () => {
    const rows = findTargets({ indicator: 'KTXH-01', period: '2024', org_unit: '79' });
    expect(rows.map((t) => t.value).sort()).toEqual([22, 25]);
    for (const t of rows) expect([t.comparator, t.source_document]).toEqual(['>=', 'KH-CDS-2024']);
  });

  it('has the 2025 and 2030 digital-economy targets of the programme, 25% and 40%', () => {
    const programme = findTargets({ indicator: 'KTXH-01', source_document: '2393/QĐ-UBND' });
    expect(programme.map((t) => [t.period, t.value]).sort()).toEqual([
      ['2025', 25],
      ['2030', 40],
    ]);
    expect(findTargets({ indicator: 'KTXH-01', period: '2022', source_document: 'SEED-003' })[0]?.value).toBe(
      15,
    );
  });

  it('has the work-records-online targets by level: 90/80/60 in 2025, 100/100/95 in 2030', () => {
    for (const [period, expected] of [
      ['2025', { city: 90, district: 80, commune: 60 }],
      ['2030', { city: 100, district: 100, commune: 95 }],
    ] as const) {
      const rows = findTargets({ indicator: 'CQS-11', period });
      expect(Object.fromEntries(rows.map((t) => [t.org_level, t.value]))).toEqual(expected);
      for (const t of rows) {
        expect([t.comparator, t.source_document, t.seed]).toEqual([
          '>=',
          '2393/QĐ-UBND',
          '004_5dde52014ab3f2b8.txt',
        ]);
      }
    }
  });

  it('reads “top 5 / top 2” as a rank <= target and growth targets in %/năm', () => {
    const dti = findTargets({ indicator: 'DTI-RANK', period: '2024' });
    expect(dti.map((t) => [t.comparator, t.value])).toEqual([['<=', 5]]);
    const egov = findTargets({ indicator: 'CQS-12' }).map((t) => [t.period, t.comparator, t.value]);
    expect(egov.sort()).toEqual([
      ['2025', '<=', 5],
      ['2030', '<=', 2],
    ]);
    expect(indicatorByCode.get('KTXH-19')?.unit).toBe('%/năm');
    const growth = findTargets({ indicator: 'KTXH-19' }).map((t) => [t.period, t.value]);
    expect(growth.sort()).toEqual([
      ['2025', 7],
      ['2030', 9],
    ]);
    expect(findTargets({ indicator: 'CQS-10', period: '2025' }).map((t) => t.value)).toEqual([50]);
    expect(
      findTargets({ indicator: 'KTXH-20' })
        .map((t) => t.value)
        .sort(),
    ).toEqual([60, 85]);
  });
});

describe('data/demo/values.json', () => {
  it('resolves every reference', () => {
    for (const v of values) {
      const where = `${v.indicator} ${v.org_unit} ${v.period}`;
      const indicator = indicatorByCode.get(v.indicator);
      expect(indicator, where).toBeDefined();
      expect(unitCodes.has(v.org_unit), where).toBe(true);
      if (v.org_unit === '79') expect(indicator?.levels, where).toContain('city');
      expect(v.period, where).toMatch(YEAR);
      expect(typeof v.value, where).toBe('number');
      expect(['entered', 'imported', 'computed', 'estimated'], where).toContain(v.provenance);
      expect(documentCodes.has(v.source_document), where).toBe(true);
      expect(v.seed, where).toMatch(SEED_FILE);
      expect(v.comment, where).toBeTruthy();
    }
  });

  it.skipIf(!existsSync(seedsDir))('quotes each value verbatim from its seed, figure included', () => {
    for (const v of values) {
      const where = `${v.indicator} ${v.period} ${v.source_document}`;
      expect(seed(v.seed).includes(v.quote), where).toBe(true);
      expect(
        writtenForms(v.value).some((form) => v.quote.includes(form)),
        where,
      ).toBe(true);
    }
  });

  it('has the DTI ranks 5, 3, 2 for 2020–2022 and the 2022 digital economy at 15.38% of GRDP', () => {
    const dti = values.filter((v) => v.indicator === 'DTI-RANK' && v.source_document === 'SEED-002');
    expect(Object.fromEntries(dti.map((v) => [v.period, v.value]))).toEqual({ 2020: 5, 2021: 3, 2022: 2 });
    const economy = values.filter((v) => v.indicator === 'KTXH-01');
    expect(economy.map((v) => [v.org_unit, v.period, v.value, v.source_document])).toEqual([
      ['79', '2022', 15.38, 'SEED-003'],
    ]);
  });

  it('has the results reported by news and articles', () => {
    const get = (indicator: string, period: string) =>
      values.filter((v) => v.indicator === indicator && v.period === period).map((v) => v.value);
    expect(get('KQ-HOTICH', '2022')).toEqual([12000000]);
    expect(get('KQ-MAYCHU', '2024')).toEqual([1000]);
    expect(get('KQ-METRONET', '2024')).toEqual([800]);
    expect(get('KQ-GIS-LOP', '2023')).toEqual([87]);
    expect(get('KQ-1022-DONVI', '2023')).toEqual([86]);
    expect(get('KQ-1022-DAUMOI', '2023')).toEqual([625]);
    expect(get('KQ-PHATNGUOI', '2022')).toEqual([111473]);
    expect(get('KQ-PHATNGUOI-TIEN', '2022')).toEqual([40000000000]);
  });
});
