/**
 * Loads the Ho Chi Minh City demo (data/demo/) into an empty database, in one transaction:
 * administrative levels; the city's units before and after the 1 July 2025 reorganisation with the
 * old→new lineage; departments; source documents; indicators; every target and reported actual of the
 * seed documents; and synthetic time series (marked provenance 'synthetic') so that the dashboards,
 * roll-ups and index have something to show. Real figures keep their source document and quote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { formatPeriod, parsePeriod, periodStart } from '../../core/period.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { createIndicator } from '../catalogue/indicators.ts';
import type { IndicatorInput } from '../catalogue/schemas.ts';
import { createTarget } from '../catalogue/targets.ts';
import { loadDemoIndex } from '../engine/demo.ts';
import { loadDemoPlans } from '../plans/load-demo-plans.ts';

export const DEMO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'demo');

const LEVELS = [
  { code: 'city', name_vi: 'Cấp tỉnh, thành phố', name_en: 'Province / city', sort: 1 },
  { code: 'department', name_vi: 'Sở, ban, ngành', name_en: 'Department', sort: 2 },
  { code: 'district', name_vi: 'Cấp huyện (quận, huyện, TP Thủ Đức)', name_en: 'District', sort: 3 },
  { code: 'commune', name_vi: 'Cấp xã (phường, xã, thị trấn, đặc khu)', name_en: 'Commune / ward', sort: 4 },
  { code: 'enterprise', name_vi: 'Doanh nghiệp nhà nước', name_en: 'State-owned enterprise', sort: 5 },
];

const GROUPS: Record<string, { vi: string; en: string; sort: number }> = {
  'chu-de': { vi: 'Chỉ tiêu theo chủ đề', en: 'Theme targets', sort: 1 },
  'chinh-quyen-so': { vi: 'Chính quyền số', en: 'Digital government', sort: 2 },
  'kinh-te-so': { vi: 'Kinh tế số', en: 'Digital economy', sort: 3 },
  'xa-hoi-so': { vi: 'Xã hội số', en: 'Digital society', sort: 4 },
  'an-toan-thong-tin': { vi: 'An toàn, an ninh thông tin', en: 'Information security', sort: 5 },
  'ket-qua': { vi: 'Kết quả đạt được', en: 'Achieved results', sort: 6 },
  dti: { vi: 'Bộ chỉ số chuyển đổi số (DTI)', en: 'Digital transformation index (DTI)', sort: 7 },
};

export const REORG_DATE = '2025-07-01';
export const LAST_OLD_DAY = '2025-06-30';

interface UnitRow {
  code: string;
  official_code: string | null;
  name_vi: string;
  name_en: string | null;
  type: string | null;
  level: string;
  parent: string | null;
  groups: string[];
  valid_from: string | null;
  valid_to: string | null;
  is_coordinator: boolean;
  source: string;
}

function readCsv(file: string): Array<Record<string, string>> {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0]!.split(',');
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new ChisoError({
        code: 'demo.csv',
        file,
        row: i + 2,
        vi: `Dòng có ${cells.length} cột, cần ${header.length}.`,
        en: `The row has ${cells.length} columns; ${header.length} expected.`,
      });
    }
    return Object.fromEntries(header.map((h, j) => [h, cells[j]!]));
  });
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The organisation tree of the demo, old and new, with the old→new mapping. */
export function demoUnits(dir = DEMO_DIR): {
  units: UnitRow[];
  lineage: Array<{ from: string; to: string; partial: boolean; kind: string; date: string }>;
} {
  const src2024 = 'data/demo/units/units-2024.csv (thanglequoc/vietnamese-provinces-database v2.4.1, MIT)';
  const src2025 = 'data/demo/units/units-2025.csv (thanglequoc/vietnamese-provinces-database v3.0.2, MIT)';
  const srcMap = 'data/demo/units/mapping-2025.csv (dvhcvn/20250701, MIT)';
  const units: UnitRow[] = [];
  const districtOf = new Map<string, string>();
  for (const r of readCsv(join(dir, 'units', 'units-2024.csv'))) {
    if (r.level === '1') {
      units.push({
        code: '79',
        official_code: '79',
        name_vi: 'Thành phố Hồ Chí Minh',
        name_en: 'Ho Chi Minh City',
        type: 'Thành phố',
        level: 'city',
        parent: null,
        groups: [],
        valid_from: null,
        valid_to: null,
        is_coordinator: false,
        source: `${src2024}; ${src2025}`,
      });
    } else if (r.level === '2') {
      units.push({
        code: `79.${r.code}`,
        official_code: r.code!,
        name_vi: r.name!,
        name_en: null,
        type: r.type!,
        level: 'district',
        parent: '79',
        groups: ['quan-huyen'],
        valid_from: null,
        valid_to: LAST_OLD_DAY,
        is_coordinator: false,
        source: src2024,
      });
    } else {
      districtOf.set(r.code!, r.parent_code!);
      units.push({
        code: `79.${r.parent_code}.${r.code}`,
        official_code: r.code!,
        name_vi: r.name!,
        name_en: null,
        type: r.type!,
        level: 'commune',
        parent: `79.${r.parent_code}`,
        groups: ['phuong-xa'],
        valid_from: null,
        valid_to: LAST_OLD_DAY,
        is_coordinator: false,
        source: src2024,
      });
    }
  }
  // The provinces merged into the city on 1 July 2025, and their units named in the mapping.
  units.push(
    {
      code: '74',
      official_code: '74',
      name_vi: 'Tỉnh Bình Dương',
      name_en: 'Binh Duong Province',
      type: 'Tỉnh',
      level: 'city',
      parent: null,
      groups: [],
      valid_from: null,
      valid_to: LAST_OLD_DAY,
      is_coordinator: false,
      source: srcMap,
    },
    {
      code: '77',
      official_code: '77',
      name_vi: 'Tỉnh Bà Rịa - Vũng Tàu',
      name_en: 'Ba Ria - Vung Tau Province',
      type: 'Tỉnh',
      level: 'city',
      parent: null,
      groups: [],
      valid_from: null,
      valid_to: LAST_OLD_DAY,
      is_coordinator: false,
      source: srcMap,
    },
  );
  const mapping = readCsv(join(dir, 'units', 'mapping-2025.csv'));
  const oldCode = (code: string, province: string): string => {
    if (province === '79') return `79.${districtOf.get(code)}.${code}`;
    return `${province}.${code}`;
  };
  const seenOld = new Set<string>();
  for (const m of mapping) {
    if (m.old_province_code === '79' || seenOld.has(`${m.old_province_code}.${m.old_code}`)) continue;
    seenOld.add(`${m.old_province_code}.${m.old_code}`);
    const isDistrict = m.old_code === '755';
    units.push({
      code: `${m.old_province_code}.${m.old_code}`,
      official_code: m.old_code!,
      name_vi: m.old_name!,
      name_en: null,
      type: m.old_name!.split(' ')[0] === 'Thị' ? 'Thị trấn' : m.old_name!.split(' ')[0]!,
      level: isDistrict ? 'district' : 'commune',
      parent: m.old_province_code!,
      groups: [isDistrict ? 'quan-huyen' : 'phuong-xa'],
      valid_from: null,
      valid_to: LAST_OLD_DAY,
      is_coordinator: false,
      source: srcMap,
    });
  }
  for (const r of readCsv(join(dir, 'units', 'units-2025.csv'))) {
    if (r.level !== '2') continue;
    units.push({
      code: `79.${r.code}`,
      official_code: r.code!,
      name_vi: r.name!,
      name_en: null,
      type: r.type!,
      level: 'commune',
      parent: '79',
      groups: ['phuong-xa'],
      valid_from: REORG_DATE,
      valid_to: null,
      is_coordinator: false,
      source: src2025,
    });
  }
  const lineage = mapping.map((m) => ({
    from: oldCode(m.old_code!, m.old_province_code!),
    to: `79.${m.new_code}`,
    partial: m.note === 'partial',
    kind: m.note === 'partial' ? 'split' : 'merge',
    date: REORG_DATE,
  }));
  for (const p of ['74', '77'])
    lineage.push({ from: p, to: '79', partial: false, kind: 'merge', date: REORG_DATE });

  // Departments and other city-level bodies.
  interface DeptRow {
    code: string;
    official_code?: string | null;
    name_vi: string;
    name_en?: string | null;
    level: string;
    parent?: string | null;
    valid_from?: string | null;
    valid_to?: string | null;
    successors?: Array<{ code: string; date: string; kind: string }>;
    coordinator?: boolean;
    source?: string | null;
  }
  const deptFiles = ['departments.json', 'other-units.json']
    .map((f) => join(dir, 'org', f))
    .filter((f) => existsSync(f));
  const seen = new Set(units.map((u) => u.code));
  for (const f of deptFiles) {
    for (const d of readJson<DeptRow[]>(f)) {
      if (seen.has(d.code)) continue;
      seen.add(d.code);
      units.push({
        code: d.code,
        official_code: d.official_code ?? null,
        name_vi: d.name_vi,
        name_en: d.name_en ?? null,
        type: d.level === 'enterprise' ? 'Doanh nghiệp' : 'Sở, ban, ngành',
        level: d.level,
        parent: d.parent ?? '79',
        groups: [d.level === 'enterprise' ? 'dnnn' : 'so-nganh'],
        valid_from: d.valid_from ?? null,
        valid_to: d.valid_to ?? null,
        is_coordinator: Boolean(d.coordinator),
        source: d.source ?? f.slice(f.indexOf('data/demo')),
      });
      for (const s of d.successors ?? []) {
        lineage.push({ from: d.code, to: s.code, partial: s.kind === 'split', kind: s.kind, date: s.date });
      }
    }
  }
  return { units, lineage };
}

async function insertUnits(
  ex: Executor,
  units: UnitRow[],
): Promise<Map<string, { id: number; path: string }>> {
  const ids = new Map<string, { id: number; path: string }>();
  // Insert level by level of the tree, so that every parent has its id before its children.
  const byCode = new Map(units.map((u) => [u.code, u]));
  const depthOf = (u: UnitRow): number => {
    let d = 0;
    for (let p = u.parent; p; p = byCode.get(p)?.parent ?? null) d++;
    return d;
  };
  const layers = new Map<number, UnitRow[]>();
  for (const u of units) {
    const d = depthOf(u);
    layers.set(d, [...(layers.get(d) ?? []), u]);
  }
  for (const d of [...layers.keys()].sort((a, b) => a - b)) {
    const layer = layers.get(d)!;
    for (let i = 0; i < layer.length; i += 500) {
      const chunk = layer.slice(i, i + 500);
      const inserted = await rows<{ id: number; code: string }>(
        ex,
        sql`insert into org_unit (code, official_code, name_vi, name_en, type, level, parent_id, depth, groups, valid_from, valid_to, is_coordinator, source, search_text)
            values ${sql.join(
              chunk.map((u) => {
                const parent = u.parent ? ids.get(u.parent) : undefined;
                if (u.parent && !parent) throw new Error(`demo unit ${u.code}: unknown parent ${u.parent}`);
                return sql`(${u.code}, ${u.official_code}, ${u.name_vi}, ${u.name_en}, ${u.type}, ${u.level}, ${parent?.id ?? null},
                  ${d}, ${`{${u.groups.join(',')}}`}::text[], ${u.valid_from}, ${u.valid_to},
                  ${u.is_coordinator}, ${u.source}, ${foldVi(`${u.code} ${u.official_code ?? ''} ${u.name_vi} ${u.name_en ?? ''}`)})`;
              }),
              sql`, `,
            )}
            returning id, code`,
      );
      for (const r of inserted) {
        const u = byCode.get(r.code)!;
        const parent = u.parent ? ids.get(u.parent) : undefined;
        ids.set(r.code, { id: r.id, path: `${parent ? parent.path : '/'}${r.id}/` });
      }
    }
  }
  // Paths in one statement per chunk.
  const entries = [...ids.entries()];
  for (let i = 0; i < entries.length; i += 1000) {
    const chunk = entries.slice(i, i + 1000);
    await ex.execute(
      sql`update org_unit as u set path = v.path from (values ${sql.join(
        chunk.map(([, v]) => sql`(${v.id}::int, ${v.path})`),
        sql`, `,
      )}) as v(id, path) where u.id = v.id`,
    );
  }
  return ids;
}

export interface DemoIndicator extends IndicatorInput {
  seed?: string;
}

interface DemoTarget {
  indicator: string;
  period: string;
  org_unit?: string | null;
  org_level?: string | null;
  comparator: '>=' | '<=' | '=' | 'range';
  value: number;
  value_max?: number | null;
  baseline?: { period: string; value: number } | null;
  source_document?: string | null;
  quote?: string | null;
  note?: string | null;
}

interface DemoValue {
  indicator: string;
  org_unit: string;
  period: string;
  value: number;
  provenance?: string;
  source_document?: string | null;
  quote?: string | null;
  comment?: string | null;
}

/** Deterministic pseudo-random numbers (mulberry32) for the synthetic series. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SYNTHETIC_COMMENT =
  'Số liệu minh họa tổng hợp (synthetic), không phải số liệu thật / Synthetic demo value, not a real figure';

export interface DemoSummary {
  units: number;
  lineage: number;
  documents: number;
  indicators: number;
  targets: number;
  values: number;
  synthetic_values: number;
}

/** True when the database holds no org unit yet. */
export async function isEmpty(store: Store): Promise<boolean> {
  const [r] = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from org_unit`);
  return (r?.n ?? 0) === 0;
}

export async function loadDemo(
  store: Store,
  options: { synthetic?: boolean; dir?: string } = {},
): Promise<DemoSummary> {
  const dir = options.dir ?? DEMO_DIR;
  const synthetic = options.synthetic ?? true;
  return store.db.transaction(async (tx) => {
    const actor = 'system:demo';
    for (const l of LEVELS) {
      await tx.execute(
        sql`insert into org_level (code, name_vi, name_en, sort) values (${l.code}, ${l.name_vi}, ${l.name_en}, ${l.sort}) on conflict (code) do nothing`,
      );
    }
    const { units, lineage } = demoUnits(dir);
    const ids = await insertUnits(tx, units);
    const links = lineage.filter((l) => ids.has(l.from) && ids.has(l.to));
    for (let i = 0; i < links.length; i += 500) {
      await tx.execute(
        sql`insert into org_lineage (from_unit_id, to_unit_id, effective_date, kind, partial, source) values ${sql.join(
          links
            .slice(i, i + 500)
            .map(
              (l) =>
                sql`(${ids.get(l.from)!.id}, ${ids.get(l.to)!.id}, ${l.date}, ${l.kind}, ${l.partial}, ${'data/demo/units/mapping-2025.csv; data/demo/org/departments.json'})`,
            ),
          sql`, `,
        )} on conflict do nothing`,
      );
    }

    // Documents.
    interface DocRow {
      code: string;
      kind?: string;
      number?: string | null;
      symbol?: string | null;
      date?: string | null;
      issuer?: string | null;
      title_vi: string;
      title_en?: string | null;
      seed?: string | null;
      note?: string | null;
    }
    const docs = readJson<DocRow[]>(join(dir, 'documents.json'));
    for (const d of docs) {
      await tx.execute(
        sql`insert into document (code, kind, number, symbol, issued_on, issuer, title_vi, title_en, seed, note, search_text)
            values (${d.code}, ${d.kind ?? 'other'}, ${d.number ?? null}, ${d.symbol ?? null}, ${d.date ?? null}, ${d.issuer ?? null},
                    ${d.title_vi}, ${d.title_en ?? null}, ${d.seed ?? null}, ${d.note ?? null}, ${foldVi(`${d.code} ${d.title_vi} ${d.title_en ?? ''}`)})`,
      );
    }

    // Indicators: the programme's own, then the DTI components of the index methodologies.
    const indicators = readJson<DemoIndicator[]>(join(dir, 'indicators.json'));
    const dtiFile = join(dir, 'index', 'indicators.json');
    if (existsSync(dtiFile)) indicators.push(...readJson<DemoIndicator[]>(dtiFile));
    for (const code of new Set(indicators.map((i) => i.group).filter(Boolean) as string[])) {
      const g = GROUPS[code] ?? { vi: code, en: code, sort: 50 };
      await tx.execute(
        sql`insert into indicator_group (code, name_vi, name_en, sort) values (${code}, ${g.vi}, ${g.en}, ${g.sort}) on conflict do nothing`,
      );
    }
    // Denominators first, so that references resolve.
    const withoutDen = indicators.filter((i) => !i.denominator);
    const withDen = indicators.filter((i) => i.denominator);
    for (const i of [...withoutDen, ...withDen]) {
      const { seed: _seed, ...input } = i;
      await createIndicator(tx, actor, input);
    }

    // Targets (every one cites its document).
    const targets = readJson<DemoTarget[]>(join(dir, 'targets.json'));
    for (const [n, t] of targets.entries()) {
      try {
        await createTarget(tx, actor, {
          indicator: t.indicator,
          org_unit: t.org_unit ?? null,
          org_level: t.org_level ?? null,
          period: t.period,
          comparator: t.comparator,
          value: t.value,
          value_max: t.value_max ?? null,
          baseline_period: t.baseline?.period ?? null,
          baseline_value: t.baseline?.value ?? null,
          source_document: t.source_document ?? null,
          quote: t.quote ?? null,
          note: t.note ?? null,
        });
      } catch (e) {
        if (e instanceof ChisoError)
          throw new ChisoError({ ...e.toJSON(), file: 'data/demo/targets.json', row: n + 1 });
        throw e;
      }
    }

    // Reported actuals.
    const indId = new Map(
      (await rows<{ code: string; id: number }>(tx, sql`select code, id from indicator`)).map((r) => [
        r.code,
        r.id,
      ]),
    );
    const docId = new Map(
      (await rows<{ code: string; id: number }>(tx, sql`select code, id from document`)).map((r) => [
        r.code,
        r.id,
      ]),
    );
    const valuesFile = join(dir, 'values.json');
    const actuals = existsSync(valuesFile) ? readJson<DemoValue[]>(valuesFile) : [];
    const valueRows: Array<{
      ind: number;
      unit: number;
      period: string;
      value: number;
      provenance: string;
      doc: number | null;
      quote: string | null;
      comment: string | null;
    }> = [];
    for (const [n, v] of actuals.entries()) {
      const ind = indId.get(v.indicator);
      const unit = ids.get(v.org_unit);
      if (!ind || !unit) {
        throw new ChisoError({
          code: 'demo.reference',
          file: 'data/demo/values.json',
          row: n + 1,
          vi: `Mã không tồn tại: ${!ind ? v.indicator : v.org_unit}.`,
          en: `Unknown code: ${!ind ? v.indicator : v.org_unit}.`,
        });
      }
      valueRows.push({
        ind,
        unit: unit.id,
        period: formatPeriod(parsePeriod(v.period)),
        value: v.value,
        provenance: v.provenance ?? 'imported',
        doc: v.source_document ? (docId.get(v.source_document) ?? null) : null,
        quote: v.quote ?? null,
        comment: v.comment ?? null,
      });
    }
    const realKeys = new Set(valueRows.map((r) => `${r.ind}|${r.unit}|${r.period}`));

    // Synthetic series: for each indicator with targets, the units its targets cover, years 2021–2025
    // moving from a plausible start toward the target, with noise; never where a real figure exists.
    let syntheticCount = 0;
    if (synthetic) {
      const rand = seededRandom(20241231);
      const tgt = await rows<{
        indicator_id: number;
        value_type: string;
        direction: string;
        period_type: string;
        org_unit_id: number | null;
        org_level: string | null;
        value: number;
        comparator: string;
        period: string;
      }>(
        tx,
        sql`select t.indicator_id, i.value_type, i.direction, i.period_type, t.org_unit_id, t.org_level, t.value, t.comparator, t.period
            from target t join indicator i on i.id = t.indicator_id where i.period_type = 'year' order by t.id`,
      );
      const unitsByLevel = new Map<
        string,
        Array<{ id: number; validTo: string | null; validFrom: string | null }>
      >();
      for (const u of units) {
        const list = unitsByLevel.get(u.level) ?? [];
        list.push({ id: ids.get(u.code)!.id, validTo: u.valid_to, validFrom: u.valid_from });
        unitsByLevel.set(u.level, list);
      }
      const done = new Set<string>();
      for (const t of tgt) {
        const scope = t.org_unit_id
          ? [{ id: t.org_unit_id, validTo: null, validFrom: null }]
          : (unitsByLevel.get(t.org_level ?? '') ?? []).filter(
              (u) => u.id && (u.validTo === null || u.validTo >= '2021-12-31'),
            );
        // Keep the demo light: at most 60 units per level target.
        for (const u of scope.slice(0, 60)) {
          const key = `${t.indicator_id}|${u.id}`;
          if (done.has(key)) continue;
          done.add(key);
          const target = t.value;
          const isRank = t.value_type === 'rank';
          const start = isRank
            ? Math.max(1, Math.round(target + 3 + rand() * 5))
            : target * (0.45 + rand() * 0.3);
          for (let year = 2021; year <= 2025; year++) {
            const yEnd = `${year}-12-31`;
            const yStart = `${year}-01-01`;
            if ((u.validTo && u.validTo < yStart) || (u.validFrom && u.validFrom > yEnd)) continue;
            const period = String(year);
            if (realKeys.has(`${t.indicator_id}|${u.id}|${period}`)) continue;
            const progress = (year - 2020) / 5;
            let v = isRank
              ? Math.max(1, Math.round(start - (start - target) * progress + (rand() - 0.5) * 2))
              : start + (target - start) * progress * (0.7 + rand() * 0.5);
            if (t.value_type === 'percent') v = Math.min(100, Math.max(0, v));
            if (t.value_type === 'integer') v = Math.round(v);
            if (!isRank) v = Math.round(v * 100) / 100;
            valueRows.push({
              ind: t.indicator_id,
              unit: u.id,
              period,
              value: v,
              provenance: 'synthetic',
              doc: null,
              quote: null,
              comment: SYNTHETIC_COMMENT,
            });
            realKeys.add(`${t.indicator_id}|${u.id}|${period}`);
            syntheticCount++;
          }
        }
      }
    }
    for (let i = 0; i < valueRows.length; i += 1000) {
      await tx.execute(
        sql`insert into data_value (indicator_id, org_unit_id, period, period_start, value, provenance, status, source_document_id, quote, comment, changed_by)
            values ${sql.join(
              valueRows
                .slice(i, i + 1000)
                .map(
                  (r) =>
                    sql`(${r.ind}, ${r.unit}, ${r.period}, ${periodStart(parsePeriod(r.period))}, ${r.value}, ${r.provenance}, 'approved', ${r.doc}, ${r.quote}, ${r.comment}, ${actor})`,
                ),
              sql`, `,
            )}
            on conflict (indicator_id, org_unit_id, period, disagg) do nothing`,
      );
    }
    const summary: DemoSummary = {
      units: units.length,
      lineage: links.length,
      documents: docs.length,
      indicators: indicators.length,
      targets: targets.length,
      values: valueRows.length - syntheticCount,
      synthetic_values: syntheticCount,
    };
    await appendAudit(tx, { actor, action: 'demo.load', entity: 'database', data: summary });
    await loadDemoPlans(tx, dir, { synthetic });
    await loadDemoIndex(tx, { dir, synthetic });
    return summary;
  });
}
