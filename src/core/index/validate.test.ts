import { describe, expect, it } from 'vitest';
import { ChisoError } from '../errors.ts';
import type { IndexMethodology, IndexNode } from './types.ts';
import { validateMethodology } from './validate.ts';

const node = (code: string, rest: Partial<IndexNode>): IndexNode => ({
  code,
  name_vi: code,
  name_en: code,
  ...rest,
});
const base = (nodes: IndexNode[], extra: Record<string, unknown> = {}): IndexMethodology =>
  ({
    code: 'T',
    version: '1',
    name_vi: 'Thử',
    name_en: 'Test',
    valid_from: 2022,
    valid_to: null,
    root: 'R',
    nodes,
    ...extra,
  }) as IndexMethodology;

function faults(input: unknown): { code: string; field?: string; vi: string; en: string }[] {
  try {
    validateMethodology(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ChisoError);
    const err = e as ChisoError;
    return err.errors.length
      ? (err.errors as { code: string; field?: string; vi: string; en: string }[])
      : [err.toJSON()];
  }
  return [];
}

const ok = base([node('R', { children: [{ code: 'A', weight: 2 }] }), node('A', { indicator: 'a' })]);

describe('validateMethodology', () => {
  it('accepts a valid methodology and returns it', () => {
    expect(validateMethodology(ok)).toBe(ok);
  });
  it('finds a cycle and names it', () => {
    const f = faults(
      base([
        node('R', { children: [{ code: 'A' }] }),
        node('A', { children: [{ code: 'B' }] }),
        node('B', { children: [{ code: 'A' }, { code: 'L' }] }),
        node('L', { indicator: 'l' }),
      ]),
    );
    const cycle = f.find((x) => x.code === 'index.methodology.cycle');
    expect(cycle?.field).toBe('nodes[2](B).children');
    expect(cycle?.en).toContain('A → B → A');
  });
  it('rejects negative weights, unknown and repeated children with the node path', () => {
    const f = faults(
      base([
        node('R', { children: [{ code: 'A', weight: -1 }, { code: 'X' }, { code: 'A' }] }),
        node('A', { indicator: 'a' }),
      ]),
    );
    expect(f.map((x) => [x.code, x.field])).toEqual([
      ['index.edge.weight', 'nodes[0](R).children[0].weight'],
      ['index.edge.unknown', 'nodes[0](R).children[1]'],
      ['index.edge.duplicate', 'nodes[0](R).children[2]'],
    ]);
    expect(f[0]?.vi).toContain('nodes[0](R).children[0].weight');
  });
  it('rejects repeated codes, unreachable nodes, a missing root, leaf-and-aggregate nodes', () => {
    const f = faults(
      base(
        [
          node('R', { children: [{ code: 'A' }] }),
          node('A', { indicator: 'a' }),
          node('A', { indicator: 'b' }),
          node('Z', { indicator: 'z', children: [{ code: 'A' }] }),
        ],
        { root: 'Q' },
      ),
    );
    const codes = f.map((x) => x.code);
    expect(codes).toContain('index.node.duplicate');
    expect(codes).toContain('index.node.kind');
    expect(codes).toContain('index.methodology.root');
    const g = faults(
      base([
        node('R', { children: [{ code: 'A' }] }),
        node('A', { indicator: 'a' }),
        node('Z', { indicator: 'z' }),
      ]),
    );
    expect(g.map((x) => [x.code, x.field])).toEqual([['index.node.unreachable', 'nodes[2](Z)']]);
  });
  it('accepts views as further tops; all-zero weights are rejected', () => {
    const m = base(
      [
        node('R', { children: [{ code: 'A' }] }),
        node('A', { indicator: 'a' }),
        node('V', { children: [{ code: 'A', weight: 3 }] }),
      ],
      {
        views: ['V'],
      },
    );
    expect(validateMethodology(m)).toBe(m);
    const f = faults(
      base([node('R', { children: [{ code: 'A', weight: 0 }] }), node('A', { indicator: 'a' })]),
    );
    expect(f[0]?.code).toBe('index.edge.weights_zero');
  });
  it('checks method parameters', () => {
    const f = faults(
      base([
        node('R', {
          aggregation: { kind: 'generalised', p: 0 },
          children: [{ code: 'A' }, { code: 'B' }, { code: 'C' }, { code: 'D' }, { code: 'E' }],
        }),
        node('A', { indicator: 'a', normalisation: { kind: 'minmax', lower: 5, upper: 1 } }),
        node('B', {
          indicator: 'b',
          normalisation: { kind: 'points', rule: { kind: 'linear', full_at: 1 } },
        }),
        node('C', { indicator: 'c', normalisation: { kind: 'goalposts', min: 3, max: 3 } }),
        node('D', { indicator: 'd', direction: 'lower' }),
        node('E', { indicator: 'e', normalisation: { kind: 'wobble' } as never, min_share: 2 }),
      ]),
    );
    expect(f.map((x) => [x.code, x.field])).toEqual([
      ['index.aggregation.parameter', 'nodes[0](R).aggregation'],
      ['index.edge.direction', 'nodes[0](R).children[3]'],
      ['index.normalisation.bounds', 'nodes[1](A).normalisation'],
      ['index.points.max_missing', 'nodes[2](B).normalisation'],
      ['index.normalisation.bounds', 'nodes[3](C).normalisation'],
      ['index.node.min_share', 'nodes[5](E).min_share'],
      ['index.normalisation.unknown', 'nodes[5](E).normalisation'],
    ]);
  });
  it('checks points rules against max_points and the direction', () => {
    const f = faults(
      base([
        node('R', { children: [{ code: 'A' }, { code: 'B' }] }),
        node('A', {
          indicator: 'a',
          max_points: 10,
          normalisation: { kind: 'points', rule: { kind: 'thresholds', steps: [{ at: 1, points: 20 }] } },
        }),
        node('B', {
          indicator: 'b',
          direction: 'lower',
          max_points: 10,
          normalisation: { kind: 'points', rule: { kind: 'linear', zero_at: 0, full_at: 5 } },
        }),
      ]),
    );
    expect(f.map((x) => [x.code, x.field])).toEqual([
      ['index.points.rule', 'nodes[1](A).normalisation.rule.steps[0]'],
      ['index.points.direction', 'nodes[2](B).normalisation.rule'],
    ]);
  });
  it('checks the top-level fields and years', () => {
    const f = faults({ ...ok, code: '', valid_from: 2025, valid_to: 2020, rank_decimals: -1 });
    expect(f.map((x) => x.field)).toEqual(['code', 'valid_to', 'rank_decimals']);
    expect(faults(null)[0]?.code).toBe('index.methodology.not_object');
    expect(faults({ ...ok, nodes: [] })[0]?.code).toBe('index.methodology.nodes');
  });
  it('gives Vietnamese and English messages', () => {
    const f = faults(
      base([node('R', { children: [{ code: 'A', weight: -1 }] }), node('A', { indicator: 'a' })]),
    );
    expect(f[0]?.vi).toMatch(/trọng số/);
    expect(f[0]?.en).toMatch(/weight/);
  });
});
