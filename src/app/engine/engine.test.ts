/**
 * The engine on a small, fully known catalogue (test/engine-fixture.ts): roll-ups up the tree of
 * each period, lineage across the 2025 reorganisation, quarters to years, weighted means, formulas,
 * target resolution with conflicting documents, the composite index — and freshness: after an
 * approval exactly the affected results are recomputed, the stored results equal a computation
 * from scratch, and an incremental update gives the same bits as a full computation.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_PROFILES } from '../../core/progress.ts';
import { rows, type Store } from '../../store/db.ts';
import { openTestStore } from '../../../test/db.ts';
import {
  approve,
  buildEngineFixture,
  NEW_WARDS,
  OLD_WARDS,
  seedValue,
} from '../../../test/engine-fixture.ts';
import { appendAudit } from '../audit.ts';
import { setValue } from '../catalogue/values.ts';
import { KIND } from './arrays.ts';
import { Engine } from './engine.ts';
import { Model } from './model.ts';
import { persistAll } from './persist.ts';
import { indexResultsFor, indexResultsJson } from './queries.ts';

let store: Store;
let engine: Engine;

beforeAll(async () => {
  store = await openTestStore();
  await buildEngineFixture(store);
  engine = await Engine.start(store, { profile: 'open-sdg', currentYear: 2025 });
});
afterAll(async () => {
  engine?.dispose();
  await store?.close();
});

/** The value of a cell in the engine's model. */
function cell(m: Model, ind: string, unit: string, period: string): number {
  const i = m.cat.indicatorByCode.get(ind)!;
  const u = m.cat.unitByCode.get(unit)!;
  const at = m.cat.calendar.locate(period)!;
  return m.layer(i, at.type)!.val[at.k * m.nUnits + u]!;
}
function kind(m: Model, ind: string, unit: string, period: string): number {
  const i = m.cat.indicatorByCode.get(ind)!;
  const u = m.cat.unitByCode.get(unit)!;
  const at = m.cat.calendar.locate(period)!;
  return m.layer(i, at.type)!.kind[at.k * m.nUnits + u]!;
}

/** Everything the model holds, in a comparable form (values bit for bit). */
function snapshot(m: Model) {
  const layers: Record<string, string> = {};
  m.layers.forEach((byType, i) => {
    for (const [t, l] of byType) {
      layers[`${m.cat.indicators[i]!.code}/${t}`] =
        Buffer.from(l.val.buffer, l.val.byteOffset, l.val.byteLength).toString('base64') +
        Buffer.from(l.kind).toString('base64');
    }
  });
  const statuses = [...m.statuses.values()].map((s) => JSON.stringify({ ...s, target: s.target.id })).sort();
  const index = [...m.index.values()]
    .map((r) =>
      JSON.stringify({
        key: r.key,
        units: r.units,
        nodes: r.result && Object.values(r.result.nodes).map((n) => [n.code, [...n.score], [...n.rank]]),
        strengths: r.result?.strengths,
        sens: r.sensitivity?.units,
      }),
    )
    .sort();
  return { layers, statuses, index };
}

async function freshModel(): Promise<Model> {
  return Model.load(store.db, METHOD_PROFILES['open-sdg'], 2025);
}

describe('values', () => {
  it('rolls up the tree of each period: old districts before the reorganisation, new wards after', () => {
    const m = engine.model;
    const pop = (u: string, p: string) => seedValue('POP', u, p);
    expect(cell(m, 'POP', 'D1', '2024')).toBe(pop('W11', '2024') + pop('W12', '2024'));
    expect(cell(m, 'POP', 'C', '2024')).toBe(pop('W11', '2024') + pop('W12', '2024') + pop('W21', '2024'));
    // After 1 July 2025 the city is the sum of the new wards; the old districts no longer count.
    expect(cell(m, 'POP', 'C', '2025')).toBe(pop('N1', '2025') + pop('N2', '2025'));
    expect(kind(m, 'POP', 'C', '2025')).toBe(KIND.rollup);
  });

  it('carries the old wards’ history onto the new wards (lineage) without counting it twice', () => {
    const m = engine.model;
    const pop = (u: string, p: string) => seedValue('POP', u, p);
    expect(cell(m, 'POP', 'N1', '2023')).toBe(pop('W11', '2023') + pop('W12', '2023'));
    expect(kind(m, 'POP', 'N1', '2023')).toBe(KIND.lineage);
    expect(cell(m, 'POP', 'N2', '2022')).toBe(pop('W21', '2022'));
    // Mean indicator: the mean of the predecessors.
    expect(cell(m, 'SCORE', 'N1', '2024')).toBe(
      (seedValue('SCORE', 'W11', '2024') + seedValue('SCORE', 'W12', '2024')) / 2,
    );
    // The city's series continues from its own tree; it is not the sum of the lineage values.
    const c2024 = cell(m, 'POP', 'C', '2024');
    expect(c2024).toBe(pop('W11', '2024') + pop('W12', '2024') + pop('W21', '2024'));
  });

  it('sums quarters into years, including the quarters a new ward inherited', () => {
    const m = engine.model;
    const q = (u: string, y: number) => [1, 2, 3, 4].map((i) => seedValue('CASES', u, `${y}Q${i}`));
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(cell(m, 'CASES', 'W11', '2023')).toBe(sum(q('W11', 2023)));
    expect(kind(m, 'CASES', 'W11', '2023')).toBe(KIND.period);
    const n1q1 = seedValue('CASES', 'W11', '2025Q1') + seedValue('CASES', 'W12', '2025Q1');
    expect(cell(m, 'CASES', 'N1', '2025Q1')).toBe(n1q1);
    expect(kind(m, 'CASES', 'N1', '2025Q1')).toBe(KIND.lineage);
    const n1q2 = seedValue('CASES', 'W11', '2025Q2') + seedValue('CASES', 'W12', '2025Q2');
    expect(cell(m, 'CASES', 'N1', '2025')).toBe(
      n1q1 + n1q2 + seedValue('CASES', 'N1', '2025Q3') + seedValue('CASES', 'N1', '2025Q4'),
    );
  });

  it('weights a mean by the denominator and evaluates formulas on rolled-up operands', () => {
    const m = engine.model;
    const w = (u: string) => seedValue('POP', u, '2024');
    const r = (u: string) => seedValue('RATE', u, '2024');
    expect(cell(m, 'RATE', 'D1', '2024')).toBeCloseTo(
      (w('W11') * r('W11') + w('W12') * r('W12')) / (w('W11') + w('W12')),
      10,
    );
    expect(cell(m, 'CPC', 'C', '2024')).toBeCloseTo(
      (cell(m, 'CASES', 'C', '2024') / cell(m, 'POP', 'C', '2024')) * 1000,
      10,
    );
    expect(kind(m, 'CPC', 'C', '2024')).toBe(KIND.formula);
  });
});

describe('progress', () => {
  it('assesses a unit against each target of each document; the latest document is primary', () => {
    const m = engine.model;
    const c = m.cat.unitByCode.get('C')!;
    const mine = [...m.statuses.values()].filter((s) => s.unit === c);
    expect(mine).toHaveLength(2);
    const primary = mine.find((s) => s.primary)!;
    expect(primary.target.documentCode).toBe('DOC-B');
    expect(primary.target.value).toBe(75);
    expect(primary.conflicts).toBe(1);
    expect(mine.find((s) => !s.primary)!.target.documentCode).toBe('DOC-A');
    for (const s of mine) {
      expect(s.latestPeriod).toBe('2025');
      expect(s.latestValue).toBe(cell(m, 'SCORE', 'C', '2025'));
      expect(s.profile).toBe('open-sdg');
      expect(s.status).not.toBe('insufficient_data');
    }
  });

  it('applies a level target to the units of that level existing at the end of the target period', () => {
    const m = engine.model;
    const score = m.cat.indicatorByCode.get('SCORE')!;
    const units = [...m.statuses.values()]
      .filter((s) => s.ind === score && s.scope === 'level')
      .map((s) => m.cat.units[s.unit]!.code)
      .sort();
    expect(units).toEqual(NEW_WARDS);
    const n1 = [...m.statuses.values()].find((s) => s.unit === m.cat.unitByCode.get('N1'))!;
    // Its series includes the years carried from W11 and W12.
    expect(n1.basePeriod).toBe('2021');
    expect(n1.baseValue).toBe((seedValue('SCORE', 'W11', '2021') + seedValue('SCORE', 'W12', '2021')) / 2);
    expect(n1.projection).not.toBeNull();
  });
});

describe('composite index', () => {
  it('ranks the wards existing each year, with a sensitivity interval', () => {
    const m = engine.model;
    const idx = m.cat.methodologies.find((x) => x.code === 'IDX')!;
    const y2024 = m.index.get(`${idx.id}:2024`)!;
    expect(y2024.units.map((u) => m.cat.units[u]!.code)).toEqual(OLD_WARDS);
    const y2025 = m.index.get(`${idx.id}:2025`)!;
    expect(y2025.units.map((u) => m.cat.units[u]!.code)).toEqual(NEW_WARDS);
    const root = y2024.result!.nodes.I!;
    expect([...root.rank].sort()).toEqual([1, 2, 3]);
    for (const s of y2024.sensitivity!.units) {
      expect(s.q5!).toBeLessThanOrEqual(s.median!);
      expect(s.median!).toBeLessThanOrEqual(s.q95!);
    }
  });
});

describe('freshness', () => {
  it('after one approval recomputes exactly the affected results, and nothing else is written', async () => {
    const before = await storedRows();
    await new Promise((r) => setTimeout(r, 20));
    const old = cell(engine.model, 'SCORE', 'W11', '2024');
    await approve(store, 'SCORE', 'W11', '2024', old + 17);
    const last = engine.stats.last!;
    expect(last.source).toBe('approval');
    // W11 itself, its district D1 and the city C (mean roll-up), and N1, which inherits W11's 2024 value.
    expect(last.cells).toBe(4);
    // C's two targets for 2025 and N1's level target (its series includes the 2024 value).
    expect(last.statuses).toBe(3);
    // The ward index for 2024: 3 wards × 3 nodes.
    expect(last.indexRows).toBe(9);
    expect(last.total).toBe(16);
    const after = await storedRows();
    const moved = [...after.entries()]
      .filter(([k, v]) => before.get(k)?.updated_at !== v.updated_at)
      .map(([k]) => k);
    const m = engine.model;
    const id = (u: string) => m.cat.units[m.cat.unitByCode.get(u)!]!.id;
    const score = m.cat.indicators[m.cat.indicatorByCode.get('SCORE')!]!.id;
    const idx = m.cat.methodologies.find((x) => x.code === 'IDX')!.id;
    const allowed = new Set<string>([
      `computed_value|${score}|${id('D1')}|2024`,
      `computed_value|${score}|${id('C')}|2024`,
      `computed_value|${score}|${id('N1')}|2024`,
      ...[...m.statuses.values()]
        .filter((s) => s.unit === m.cat.unitByCode.get('C') || s.unit === m.cat.unitByCode.get('N1'))
        .map((s) => `progress_status|${score}|${m.cat.units[s.unit]!.id}|${s.target.id}`),
      ...OLD_WARDS.flatMap((w) => ['I', 'S', 'R'].map((n) => `index_result|${idx}|2024|${id(w)}|${n}`)),
      // The 2025 rank change is measured against 2024: a new ward's previous rank may move.
      ...NEW_WARDS.flatMap((w) => ['I', 'S', 'R'].map((n) => `index_result|${idx}|2025|${id(w)}|${n}`)),
    ]);
    expect(moved.length).toBeGreaterThan(0);
    for (const k of moved) expect(allowed.has(k), k).toBe(true);
    // The affected results did change.
    expect(after.get(`computed_value|${score}|${id('D1')}|2024`)!.value).not.toBe(
      before.get(`computed_value|${score}|${id('D1')}|2024`)!.value,
    );
    expect(cell(engine.model, 'SCORE', 'C', '2024')).toBeCloseTo(
      (seedValue('SCORE', 'W11', '2024') + 17 + seedValue('SCORE', 'W12', '2024')) / 2 / 2 +
        seedValue('SCORE', 'W21', '2024') / 2,
      10,
    );
    // And the stored results are exactly those of a computation from scratch.
    expect(await store.db.transaction((tx) => persistAll(tx, engine.model))).toEqual({
      computed: 0,
      statuses: 0,
      index: 0,
    });
  });

  it('gives the same bits incrementally as from scratch, and the total is the roll-up of the parts (fast-check)', async () => {
    const units = [...OLD_WARDS, 'D1', 'C'];
    const cells = fc.record({
      ind: fc.constantFrom('POP', 'CASES', 'SCORE', 'RATE'),
      unit: fc.constantFrom(...units),
      year: fc.constantFrom(2021, 2022, 2023, 2024),
      q: fc.integer({ min: 1, max: 4 }),
      value: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null, freq: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(cells, { minLength: 1, maxLength: 4 }), async (changes) => {
        for (const c of changes) {
          if (c.ind === 'RATE' && !OLD_WARDS.includes(c.unit)) continue;
          const period = c.ind === 'CASES' ? `${c.year}Q${c.q}` : String(c.year);
          await approve(
            store,
            c.ind,
            c.unit,
            period,
            c.value === null ? null : c.ind === 'RATE' ? c.value / 50 : c.value,
          );
        }
        await engine.ensureCurrent();
        const m = engine.model;
        expect(snapshot(m)).toEqual(snapshot(await freshModel()));
        // Total = roll-up of the parts, at every quarter, for a unit without its own figure.
        for (const y of [2021, 2022, 2023, 2024]) {
          for (let q = 1; q <= 4; q++) {
            const p = `${y}Q${q}`;
            if (kind(m, 'CASES', 'D1', p) !== KIND.own) {
              const parts = ['W11', 'W12'].map((w) => cell(m, 'CASES', w, p)).filter((v) => !Number.isNaN(v));
              expect(cell(m, 'CASES', 'D1', p)).toBe(parts.length ? parts[0]! + (parts[1] ?? 0) : Number.NaN);
            }
          }
        }
      }),
      { numRuns: 12, seed: 4242 },
    );
    expect(await store.db.transaction((tx) => persistAll(tx, engine.model))).toEqual({
      computed: 0,
      statuses: 0,
      index: 0,
    });
  });

  it('answers reads without asking the database while nothing was written (PGlite), and sees the next write', async () => {
    await engine.ensureCurrent();
    await engine.ensureCurrent();
    const queries = engine.stats.currencyQueries;
    for (let k = 0; k < 20; k++) await engine.ensureCurrent();
    // PGlite: one process owns the data folder, its store counts the writes; PostgreSQL: other
    // processes write too, so every read asks
    expect(engine.stats.currencyQueries - queries).toBe(store.kind === 'pglite' ? 0 : 20);
    // a catalogue change written outside the engine (an org unit's audit entry): the next read sees it
    const rebuilds = engine.stats.rebuilds;
    await store.db.transaction((tx) =>
      appendAudit(tx, { actor: 'test', action: 'update', entity: 'org_unit', entityId: 'W11' }),
    );
    await engine.ensureCurrent();
    expect(engine.stats.rebuilds).toBe(rebuilds + 1);
    const after = engine.stats.currencyQueries;
    await engine.ensureCurrent();
    expect(engine.stats.currencyQueries - after).toBeLessThanOrEqual(1);
  });

  it('undoes an approval whose transaction rolls back', async () => {
    const before = snapshot(engine.model);
    await expect(
      store.db.transaction(async (tx) => {
        const [cur] = await rows<{ version: number }>(
          tx,
          sql`select v.version from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
              where i.code = 'POP' and u.code = 'W12' and v.period = '2023'`,
        );
        await setValue(tx, 'test', {
          indicator: 'POP',
          org_unit: 'W12',
          period: '2023',
          value: 123456,
          provenance: 'entered',
          version: cur!.version,
        });
        expect(cell(engine.model, 'POP', 'D1', '2023')).toBeGreaterThan(123456);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await engine.ensureCurrent();
    expect(snapshot(engine.model)).toEqual(before);
    expect(await store.db.transaction((tx) => persistAll(tx, engine.model))).toEqual({
      computed: 0,
      statuses: 0,
      index: 0,
    });
  });

  it('catches up with changes made while no engine ran (recorded, then computed and stored)', async () => {
    engine.dispose();
    await approve(store, 'POP', 'W21', '2022', 4321);
    const [pending] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from engine_change where not persisted`,
    );
    expect(pending!.n).toBe(1);
    engine = await Engine.start(store, { profile: 'open-sdg', currentYear: 2025 });
    expect(cell(engine.model, 'POP', 'D2', '2022')).toBe(4321);
    const [after] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from engine_change where not persisted`,
    );
    expect(after!.n).toBe(0);
    expect(await store.db.transaction((tx) => persistAll(tx, engine.model))).toEqual({
      computed: 0,
      statuses: 0,
      index: 0,
    });
  });

  it('sees catalogue changes: a new target is assessed before the next answer', async () => {
    const { createTarget } = await import('../catalogue/targets.ts');
    await store.db.transaction((tx) =>
      createTarget(tx, 'test', {
        indicator: 'POP',
        org_unit: 'C',
        period: '2025',
        comparator: '>=',
        value: 1,
      }),
    );
    await engine.ensureCurrent();
    const pop = engine.model.cat.indicatorByCode.get('POP')!;
    const s = [...engine.model.statuses.values()].find((x) => x.ind === pop)!;
    expect(s.status).toBe('target_achieved');
    const [stored] = await rows<{ status: string }>(
      store.db,
      sql`select status from progress_status where indicator_id = ${engine.model.cat.indicators[pop]!.id}`,
    );
    expect(stored!.status).toBe('target_achieved');
  });
});

describe('index results', () => {
  it('writes the same JSON straight from the arrays as JSON.stringify of the result objects', async () => {
    const m = engine.model;
    const queries = [{}, { period: '2021' }, { period: '2024' }, { period: '2025' }, { period: '2019' }];
    for (const mi of m.cat.methodologies) queries.push({ period: '2024', version: mi.version } as never);
    let units = 0;
    let refused = 0;
    for (const q of queries) {
      const objects = await indexResultsFor(store.db, m, 'IDX', q).catch((e: Error) => e);
      if (objects instanceof Error) {
        // A year outside every version (2019): the same refusal.
        expect(() => indexResultsJson(m, 'IDX', q)).toThrow(objects.message);
        refused++;
        continue;
      }
      units += objects.units.length;
      expect(indexResultsJson(m, 'IDX', q).text).toBe(JSON.stringify(objects));
    }
    expect(units).toBeGreaterThan(0);
    expect(refused).toBe(1);
    expect(() => indexResultsJson(m, 'NOPE', {})).toThrow(/NOPE/);
  });
  it('after a change, the body written from the last body’s unchanged members is still the same JSON', async () => {
    const q = { period: '2024' };
    const before = indexResultsJson(engine.model, 'IDX', q).text;
    // The ward with the highest SCORE doubles it: min-max moves the middle ward's S score while its
    // raw value and rank stay (a member that must be written again though two of its figures did
    // not change), and the index of every ward.
    const top = [...OLD_WARDS].sort(
      (a, b) => cell(engine.model, 'SCORE', b, '2024') - cell(engine.model, 'SCORE', a, '2024'),
    )[0]!;
    const old = cell(engine.model, 'SCORE', top, '2024');
    await approve(store, 'SCORE', top, '2024', old * 2);
    try {
      await engine.ensureCurrent();
      const after = indexResultsJson(engine.model, 'IDX', q);
      expect(after.text).not.toBe(before);
      expect(after.text).toBe(JSON.stringify(await indexResultsFor(store.db, engine.model, 'IDX', q)));
      expect(after.bytes().toString('utf8')).toBe(after.text);
      // The unchanged members came from the previous body: the R member of a ward is the same text.
      const r = (text: string) =>
        Object.fromEntries(
          (
            JSON.parse(text) as { units: Array<{ org_unit: { code: string }; nodes: { R: unknown } }> }
          ).units.map((u) => [u.org_unit.code, u.nodes.R]),
        );
      expect(r(after.text)).toEqual(r(before));
    } finally {
      await approve(store, 'SCORE', top, '2024', old);
      await engine.ensureCurrent();
    }
    expect(indexResultsJson(engine.model, 'IDX', q).text).toBe(before);
  });
});

/** Every stored result row with its value and updated_at, by table and key. */
async function storedRows(): Promise<Map<string, { value: unknown; updated_at: string }>> {
  const out = new Map<string, { value: unknown; updated_at: string }>();
  for (const r of await rows<{ k: string; v: unknown; t: string }>(
    store.db,
    sql`select 'computed_value|' || indicator_id || '|' || org_unit_id || '|' || period as k, value::text as v, updated_at::text as t from computed_value
        union all select 'progress_status|' || indicator_id || '|' || org_unit_id || '|' || target_id, status || ':' || coalesce(score::text, ''), updated_at::text from progress_status
        union all select 'index_result|' || methodology_id || '|' || period || '|' || org_unit_id || '|' || node, score::text, updated_at::text from index_result`,
  )) {
    out.set(r.k, { value: r.v, updated_at: r.t });
  }
  return out;
}
