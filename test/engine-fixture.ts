/**
 * A small, fully known catalogue for the engine's tests: a city C with two districts (D1: wards
 * W11, W12; D2: ward W21) abolished on 1 July 2025, when the wards merged into new wards N1
 * (W11 + W12) and N2 (W21) directly under the city. Indicators of every kind the engine handles:
 * POP (yearly, sum), CASES (quarterly, sum up the tree and over quarters), RATE (weighted mean by
 * POP; communes only), CPC (formula CASES / POP × 1000), SCORE (mean) with a level target, two
 * disagreeing unit targets for the city from two documents, and an index methodology over communes.
 */
import { sql } from 'drizzle-orm';
import { createDocument } from '../src/app/catalogue/documents.ts';
import { createIndicator } from '../src/app/catalogue/indicators.ts';
import { addLineage, createOrgUnit } from '../src/app/catalogue/org-units.ts';
import { createTarget } from '../src/app/catalogue/targets.ts';
import { setValue } from '../src/app/catalogue/values.ts';
import { addMethodology } from '../src/app/engine/methodologies.ts';
import { settleEngine } from '../src/app/engine/engine.ts';
import { rows, type Store } from '../src/store/db.ts';

export const ACTOR = 'test:engine';
export const OLD_WARDS = ['W11', 'W12', 'W21'];
export const NEW_WARDS = ['N1', 'N2'];
export const YEARS = [2021, 2022, 2023, 2024, 2025];

/** A deterministic value for a cell (so every store built by the fixture holds the same data). */
export function seedValue(ind: string, unit: string, period: string): number {
  let h = 2166136261;
  for (const ch of `${ind}|${unit}|${period}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const r = h / 4294967296;
  switch (ind) {
    case 'POP':
      return 1000 + Math.round(r * 9000);
    case 'CASES':
      return Math.round(r * 200);
    case 'RATE':
      return Math.round(r * 1000) / 10;
    default:
      return Math.round((40 + r * 60) * 100) / 100;
  }
}

export async function buildEngineFixture(store: Store): Promise<void> {
  await store.db.transaction(async (tx) => {
    for (const [code, vi, en, sort] of [
      ['city', 'Thành phố', 'City', 1],
      ['district', 'Quận', 'District', 2],
      ['commune', 'Phường', 'Ward', 3],
    ] as const) {
      await tx.execute(
        sql`insert into org_level (code, name_vi, name_en, sort) values (${code}, ${vi}, ${en}, ${sort}) on conflict do nothing`,
      );
    }
    await tx.execute(
      sql`insert into indicator_group (code, name_vi, name_en, sort) values ('g1', 'Nhóm 1', 'Group 1', 1), ('g2', 'Nhóm 2', 'Group 2', 2)`,
    );
    const unit = (
      code: string,
      level: string,
      parent: string | null,
      from: string | null,
      to: string | null,
    ) =>
      createOrgUnit(tx, ACTOR, {
        code,
        name_vi: `Đơn vị ${code}`,
        level,
        parent,
        valid_from: from,
        valid_to: to,
      });
    await unit('C', 'city', null, null, null);
    await unit('D1', 'district', 'C', null, '2025-06-30');
    await unit('D2', 'district', 'C', null, '2025-06-30');
    await unit('W11', 'commune', 'D1', null, '2025-06-30');
    await unit('W12', 'commune', 'D1', null, '2025-06-30');
    await unit('W21', 'commune', 'D2', null, '2025-06-30');
    await unit('N1', 'commune', 'C', '2025-07-01', null);
    await unit('N2', 'commune', 'C', '2025-07-01', null);
    for (const [from, to] of [
      ['W11', 'N1'],
      ['W12', 'N1'],
      ['W21', 'N2'],
    ] as const) {
      await addLineage(tx, ACTOR, { from, to, effective_date: '2025-07-01', kind: 'merge' });
    }
    await createDocument(tx, ACTOR, { code: 'DOC-A', title_vi: 'Kế hoạch A', date: '2024-01-10' });
    await createDocument(tx, ACTOR, { code: 'DOC-B', title_vi: 'Kế hoạch B', date: '2024-06-20' });
    const levels = ['city', 'district', 'commune'];
    const base = { levels, unit: '', published: true } as const;
    await createIndicator(tx, ACTOR, {
      ...base,
      code: 'POP',
      name_vi: 'Dân số',
      value_type: 'integer',
      direction: 'increase',
      rollup: 'sum',
      period_type: 'year',
      group: 'g1',
    });
    await createIndicator(tx, ACTOR, {
      ...base,
      code: 'CASES',
      name_vi: 'Số hồ sơ',
      value_type: 'integer',
      direction: 'increase',
      rollup: 'sum',
      period_type: 'quarter',
      period_rollup: 'sum',
      group: 'g1',
    });
    await createIndicator(tx, ACTOR, {
      ...base,
      levels: ['commune'],
      code: 'RATE',
      name_vi: 'Tỷ lệ',
      value_type: 'percent',
      direction: 'increase',
      rollup: 'weighted_mean',
      denominator: 'POP',
      period_type: 'year',
      group: 'g2',
    });
    await createIndicator(tx, ACTOR, {
      ...base,
      code: 'CPC',
      name_vi: 'Hồ sơ trên 1000 dân',
      value_type: 'number',
      direction: 'increase',
      rollup: 'none',
      period_type: 'year',
      formula: 'CASES / POP * 1000',
      group: 'g2',
    });
    await createIndicator(tx, ACTOR, {
      ...base,
      code: 'SCORE',
      name_vi: 'Điểm',
      value_type: 'number',
      direction: 'increase',
      rollup: 'mean',
      period_type: 'year',
      group: 'g2',
    });
    await createTarget(tx, ACTOR, {
      indicator: 'SCORE',
      org_level: 'commune',
      period: '2025',
      comparator: '>=',
      value: 80,
      source_document: 'DOC-A',
    });
    await createTarget(tx, ACTOR, {
      indicator: 'SCORE',
      org_unit: 'C',
      period: '2025',
      comparator: '>=',
      value: 70,
      baseline_period: '2021',
      baseline_value: 50,
      source_document: 'DOC-A',
    });
    await createTarget(tx, ACTOR, {
      indicator: 'SCORE',
      org_unit: 'C',
      period: '2025',
      comparator: '>=',
      value: 75,
      source_document: 'DOC-B',
    });
    await addMethodology(tx, ACTOR, {
      definition: {
        code: 'IDX',
        version: '1',
        name_vi: 'Chỉ số phường',
        name_en: 'Ward index',
        valid_from: 2021,
        valid_to: null,
        root: 'I',
        nodes: [
          {
            code: 'I',
            name_vi: 'Chỉ số',
            name_en: 'Index',
            aggregation: { kind: 'arithmetic' },
            children: [{ code: 'S' }, { code: 'R', weight: 2 }],
          },
          {
            code: 'S',
            name_vi: 'Điểm',
            name_en: 'Score',
            indicator: 'SCORE',
            normalisation: { kind: 'minmax', lower: 0, upper: 100 },
          },
          {
            code: 'R',
            name_vi: 'Tỷ lệ',
            name_en: 'Rate',
            indicator: 'RATE',
            normalisation: { kind: 'goalposts', min: 0, max: 100, scale: 100 },
          },
        ],
      },
      sensitivity: { runs: 50, seed: 7, weight_noise: 0.25 },
    });
    // Values: every ward and year it existed; quarters for CASES; the city reports nothing itself.
    const cells: Array<[string, string, string]> = [];
    for (const y of YEARS) {
      const wards = y < 2025 ? OLD_WARDS : NEW_WARDS;
      for (const w of wards) for (const ind of ['POP', 'RATE', 'SCORE']) cells.push([ind, w, String(y)]);
      for (let q = 1; q <= 4; q++) {
        for (const w of y < 2025 || q <= 2 ? OLD_WARDS : NEW_WARDS) cells.push(['CASES', w, `${y}Q${q}`]);
      }
    }
    await tx.execute(
      sql`insert into data_value (indicator_id, org_unit_id, period, period_start, value, provenance, status, changed_by)
          select i.id, u.id, x.p, (case when x.p like '%Q%' then make_date(left(x.p, 4)::int, (right(x.p, 1)::int - 1) * 3 + 1, 1)
                                   else make_date(x.p::int, 1, 1) end), x.v, 'entered', 'approved', ${ACTOR}
          from unnest(${sql.param(cells.map((c) => c[0]))}::text[], ${sql.param(cells.map((c) => c[1]))}::text[],
                      ${sql.param(cells.map((c) => c[2]))}::text[], ${sql.param(cells.map((c) => seedValue(...c)))}::float8[]) as x(i, u, p, v)
          join indicator i on i.code = x.i join org_unit u on u.code = x.u`,
    );
  });
}

/** Sets an approved value directly (as an administrator), in its own transaction. */
export async function approve(
  store: Store,
  indicator: string,
  org_unit: string,
  period: string,
  value: number | null,
): Promise<void> {
  await store.db.transaction(async (tx) => {
    const [cur] = await rows<{ version: number }>(
      tx,
      sql`select v.version from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
          where i.code = ${indicator} and u.code = ${org_unit} and v.period = ${period} and v.disagg = ''`,
    );
    await setValue(tx, ACTOR, {
      indicator,
      org_unit,
      period,
      value,
      provenance: 'entered',
      ...(cur ? { version: cur.version } : {}),
    });
  });
  // As an approving request does: answer once the index rows written after the commit are stored.
  await settleEngine(store);
}
