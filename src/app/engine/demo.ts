/**
 * The index part of the HCMC demo: the three methodology versions of data/demo/index (provincial
 * DTI of 922/QĐ-BTTTT, HCMC's departments and districts of 79/QĐ-UBND) stored as data, and input
 * values of their DTI-* indicators for the demo units. No real scores of those main indicators are
 * in the source documents, so the inputs are generated — deterministically, marked provenance
 * 'synthetic' with the synthetic comment — for every unit of the methodology's level that existed
 * in each year the methodology applies to. Real figures are never overwritten.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { IndexMethodology } from '../../core/index/index.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { activeOn } from './arrays.ts';
import { addMethodology } from './methodologies.ts';

export const DEMO_METHODOLOGIES = [
  { file: 'dti-922.json', document: '922/QĐ-BTTTT', seed: 922 },
  { file: 'hcmc-departments.json', document: '79/QĐ-UBND', seed: 7901 },
  { file: 'hcmc-districts.json', document: '79/QĐ-UBND', seed: 7902 },
] as const;

const SYNTHETIC_COMMENT =
  'Số liệu minh họa tổng hợp (synthetic), không phải số liệu thật / Synthetic demo value, not a real figure';

/** mulberry32: the same numbers on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The points a leaf can reach: its max_points, else the root's share, else 100. */
function leafMax(m: IndexMethodology, code: string): number {
  const node = m.nodes.find((n) => n.code === code)!;
  if (node.max_points !== undefined) return node.max_points;
  const root = m.nodes.find((n) => n.code === m.root)!;
  const leaves = m.nodes.filter((n) => n.indicator !== undefined).length;
  return root.max_points !== undefined ? root.max_points / leaves : 100;
}

export interface DemoIndexSummary {
  methodologies: number;
  synthetic_values: number;
}

/** Stores the demo methodologies and their synthetic inputs (inside the demo loader's transaction). */
export async function loadDemoIndex(
  tx: Executor,
  options: { dir: string; synthetic?: boolean; actor?: string },
): Promise<DemoIndexSummary> {
  const actor = options.actor ?? 'system:demo';
  const dir = join(options.dir, 'index');
  const summary: DemoIndexSummary = { methodologies: 0, synthetic_values: 0 };
  for (const spec of DEMO_METHODOLOGIES) {
    const file = join(dir, spec.file);
    if (!existsSync(file)) continue;
    const definition = JSON.parse(readFileSync(file, 'utf8')) as IndexMethodology;
    const [doc] = await rows(tx, sql`select 1 from document where code = ${spec.document}`);
    await addMethodology(tx, actor, {
      definition: definition as unknown as Record<string, unknown>,
      source_document: doc ? spec.document : null,
    });
    summary.methodologies++;
    if (options.synthetic === false) continue;

    const leaves = definition.nodes.filter(
      (n) => n.indicator !== undefined && leafMax(definition, n.code) > 0,
    );
    const inds = await rows<{ id: number; code: string; levels: string[] }>(
      tx,
      sql`select id, code, levels from indicator where code = any(${sql.param(leaves.map((l) => l.indicator!))}::text[])`,
    );
    const indByCode = new Map(inds.map((i) => [i.code, i]));
    const level = inds[0]?.levels[0];
    if (!level) continue;
    // The provincial index compares provinces; the city's own indices its own departments and districts.
    const units = await rows<{
      id: number;
      code: string;
      valid_from: string | null;
      valid_to: string | null;
    }>(
      tx,
      sql`select u.id, u.code, u.valid_from, u.valid_to from org_unit u
          where u.level = ${level} and u.archived_at is null
            and (${level} = 'city' or u.path like (select path from org_unit where code = '79') || '%')
          order by u.code`,
    );
    const random = rng(spec.seed);
    const last = definition.valid_to ?? definition.valid_from + 1;
    const values: Array<{ ind: number; unit: number; period: string; value: number }> = [];
    for (const u of units) {
      // Each unit has its own level of maturity that improves a little every year.
      const maturity = 0.45 + random() * 0.45;
      for (let year = definition.valid_from; year <= last; year++) {
        if (!activeOn(u.valid_from, u.valid_to, `${year}-12-31`)) continue;
        const q = Math.min(0.97, maturity + 0.04 * (year - definition.valid_from));
        for (const leaf of leaves) {
          const ind = indByCode.get(leaf.indicator!);
          if (!ind) continue;
          const max = leafMax(definition, leaf.code);
          const share = Math.min(1, Math.max(0, q + (random() - 0.5) * 0.25));
          values.push({
            ind: ind.id,
            unit: u.id,
            period: String(year),
            value: Math.round(max * share * 100) / 100,
          });
        }
      }
    }
    for (let i = 0; i < values.length; i += 2000) {
      const chunk = values.slice(i, i + 2000);
      const inserted = await rows(
        tx,
        sql`insert into data_value (indicator_id, org_unit_id, period, period_start, value, provenance, status, comment, changed_by)
            select x.i, x.u, x.p, make_date(x.p::int, 1, 1), x.v, 'synthetic', 'approved', ${SYNTHETIC_COMMENT}, ${actor}
            from unnest(${sql.param(chunk.map((v) => v.ind))}::int[], ${sql.param(chunk.map((v) => v.unit))}::int[],
                        ${sql.param(chunk.map((v) => v.period))}::text[], ${sql.param(chunk.map((v) => v.value))}::float8[]) as x(i, u, p, v)
            on conflict (indicator_id, org_unit_id, period, disagg) do nothing
            returning 1`,
      );
      summary.synthetic_values += inserted.length;
    }
  }
  await appendAudit(tx, { actor, action: 'demo.load_index', entity: 'database', data: summary });
  return summary;
}
