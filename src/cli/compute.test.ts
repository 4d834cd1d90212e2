import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChisoError } from '../core/errors.ts';
import { computeIndexFromJson } from './compute.ts';

/** The example of docs/COMPUTE.md "## Index input", so the documentation stays true. */
function docExample(): Record<string, unknown> {
  const doc = readFileSync(new URL('../../docs/COMPUTE.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Index input'));
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('no JSON example under "## Index input"');
  return JSON.parse(block) as Record<string, unknown>;
}

type Out = {
  nodes: { code: string; score: (number | null)[]; rank: (number | null)[]; raw: (number | null)[] }[];
  strengths: { unit: string; strengths: { node: string }[]; weaknesses: { node: string }[] }[];
  rank_change: { unit: string; change: number | null }[];
  sensitivity: {
    failed_runs: number;
    units: { unit: string; nominal: number; median: number; mean: number; q5: number; q95: number }[];
    remove_elements: { element: string; mean_abs_diff: number; rank_diffs: number[] }[];
  };
};

function fieldOf(input: unknown): string | undefined {
  try {
    computeIndexFromJson(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ChisoError);
    return (e as ChisoError).location.field;
  }
  return undefined;
}

describe('computeIndexFromJson', () => {
  it('computes the documented example: scores, ranks, strengths, rank change, sensitivity', () => {
    const out = computeIndexFromJson(docExample()) as Out;
    const root = out.nodes.find((n) => n.code === 'I');
    expect(root?.score.map((x) => Math.round((x as number) * 100) / 100)).toEqual([27.78, 41.67, 22.22, 100]);
    expect(root?.rank).toEqual([3, 2, 4, 1]);
    expect(out.nodes.map((n) => n.code)).toEqual(['I', 'x1', 'x2', 'x3']);
    expect(out.strengths[0]).toMatchObject({
      unit: 'A',
      strengths: [{ node: 'x2' }],
      weaknesses: [{ node: 'x3' }],
    });
    expect(out.rank_change.map((r) => r.change)).toEqual([-1, 1, 0, 0]);
    expect(out.sensitivity.failed_runs).toBe(0);
    expect(out.sensitivity.units[0]).toEqual({ unit: 'A', nominal: 3, mean: 3.07, median: 3, q5: 3, q95: 4 });
    expect(out.sensitivity.remove_elements.map((e) => e.mean_abs_diff)).toEqual([0, 0.5, 1]);
  });

  it('gives plain JSON: null for missing, no typed arrays', () => {
    const input = docExample();
    input.values = [
      [1, null, 2],
      [2, 2, 3],
      [3, 1, 1],
      [4, 5, 4],
    ];
    delete input.sensitivity;
    const out = computeIndexFromJson(input) as Out;
    const text = JSON.stringify(out);
    expect(JSON.parse(text)).toEqual(out);
    expect(out.nodes.find((n) => n.code === 'x2')?.raw).toEqual([null, 2, 1, 5]);
    expect(Array.isArray(out.nodes[0]?.score)).toBe(true);
  });

  it('computes the demo DTI methodology', () => {
    const methodology = JSON.parse(
      readFileSync(new URL('../../data/demo/index/dti-922.json', import.meta.url), 'utf8'),
    ) as { nodes: { indicator?: string; max_points?: number }[] };
    const leaves = methodology.nodes.filter((n) => n.indicator);
    const out = computeIndexFromJson({
      methodology,
      units: ['P1', 'P2'],
      indicators: leaves.map((l) => l.indicator),
      values: [leaves.map((l) => (l.max_points ?? 0) * 0.8), leaves.map((l) => (l.max_points ?? 0) * 0.5)],
      year: 2022,
    }) as Out;
    const dti = out.nodes.find((n) => n.code === 'DTI');
    expect(dti?.score[0]).toBeCloseTo(0.8, 12);
    expect(dti?.score[1]).toBeCloseTo(0.5, 12);
    expect(dti?.rank).toEqual([1, 2]);
  });

  it('rejects bad input with the place in the file', () => {
    const ex = docExample();
    expect(fieldOf(null)).toBe('input');
    expect(fieldOf({ ...ex, methodology: undefined })).toBe('methodology');
    expect(fieldOf({ ...ex, units: 'A' })).toBe('units');
    expect(fieldOf({ ...ex, values: [[1, 2, 3]] })).toBe('values');
    expect(
      fieldOf({
        ...ex,
        values: [
          [1, 3, 2],
          [2, 2],
          [3, 1, 1],
          [4, 5, 4],
        ],
      }),
    ).toBe('values[1]');
    expect(
      fieldOf({
        ...ex,
        values: [
          [1, '3', 2],
          [2, 2, 3],
          [3, 1, 1],
          [4, 5, 4],
        ],
      }),
    ).toBe('values[0][1]');
    expect(fieldOf({ ...ex, year: 2023 })).toBe('year');
    expect(fieldOf({ ...ex, indicators: ['X1', 'X2', 'X9'] })).toBe('methodology.nodes[3](x3).indicator');
    expect(fieldOf({ ...ex, strengths: { top: -1 } })).toBe('strengths.top');
    expect(fieldOf({ ...ex, previous_ranks: { A: 'first' } })).toBe('previous_ranks');
    expect(fieldOf({ ...ex, sensitivity: { seed: 1 } })).toBe('sensitivity.runs');
    expect(fieldOf({ ...ex, sensitivity: { runs: 5, seed: 1, weight_noise: 3 } })).toBe(
      'sensitivity.weight_noise',
    );
    expect(
      fieldOf({
        ...ex,
        sensitivity: { runs: 5, seed: 1, alternatives: { aggregation: [{ kind: 'mode' }] } },
      }),
    ).toBe('sensitivity.alternatives.aggregation[0]');
  });

  it('names the faulty node of a bad methodology, in both languages', () => {
    const ex = docExample() as { methodology: { nodes: Record<string, unknown>[] } };
    const bad = structuredClone(ex);
    (bad.methodology.nodes[2] as Record<string, unknown>).normalisation = {
      kind: 'minmax',
      lower: 9,
      upper: 1,
    };
    (bad.methodology.nodes[0] as { children: { code: string; weight?: number }[] }).children[0] = {
      code: 'x1',
      weight: -2,
    };
    try {
      computeIndexFromJson(bad);
      throw new Error('expected a rejection');
    } catch (e) {
      const err = e as ChisoError;
      expect(err.location.field).toBe('methodology.nodes[0](I).children[0].weight');
      expect(err.errors.map((x) => x.field)).toEqual([
        'methodology.nodes[0](I).children[0].weight',
        'methodology.nodes[2](x2).normalisation',
      ]);
      expect(err.vi).toMatch(/trọng số/);
      expect(err.en).toMatch(/weight/);
    }
  });
});
