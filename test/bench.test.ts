/**
 * The benchmark's own correctness (bench/): the generator is deterministic and has the documented
 * shape, and chiso's recompute and the numpy reference (bench/reference.py) agree on a small data
 * set — the condition under which recompute_ratio_vs_numpy compares like with like. No timing here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, type Scale, SCALES } from '../bench/generate.ts';
import { recompute, writeReferenceInput } from '../bench/recompute.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

const small: Scale = {
  ...SCALES.city,
  name: 'city',
  fanout: [5, 4],
  indicators: 30,
  periods: 12,
  seed: 7,
};

describe('benchmark data and reference', () => {
  it('generates the same data from the same seed, and other data from another seed', () => {
    const a = generate(small);
    const b = generate(small);
    expect(a.units.code).toEqual(b.units.code);
    expect(Buffer.from(a.own.buffer).equals(Buffer.from(b.own.buffer))).toBe(true);
    const c = generate({ ...small, seed: 8 });
    expect(Buffer.from(a.own.buffer).equals(Buffer.from(c.own.buffer))).toBe(false);
  });

  it('has the documented city shape: 409 units in three levels, 150 indicators, 40 quarters', () => {
    const d = generate(SCALES.city);
    expect(d.units.code.length).toBe(409);
    expect(Math.max(...d.units.depth)).toBe(2);
    expect(d.indicators).toHaveLength(150);
    expect(d.periods[0]).toBe('2016Q1');
    expect(d.periods.at(-1)).toBe('2025Q4');
    expect(
      d.indicators
        .filter((i) => i.rule === 'weighted_mean')
        .every((i) => d.indicators[i.denominator]!.rule === 'sum'),
    ).toBe(true);
  });

  it('gives the same roll-ups, statuses and index scores in TypeScript and in numpy', () => {
    const d = generate(small);
    const dir = mkdtempSync(join(tmpdir(), 'chiso-bench-ref-'));
    try {
      writeReferenceInput(d, dir);
      const ts = recompute(d).checksums;
      const py = JSON.parse(execFileSync('python3', ['bench/reference.py', dir]).toString()).checksums;
      expect(py.rolled_count).toBe(ts.rolled_count);
      expect(py.yearly_count).toBe(ts.yearly_count);
      expect(rel(py.rolled_sum, ts.rolled_sum)).toBeLessThan(1e-9);
      expect(rel(py.yearly_sum, ts.yearly_sum)).toBeLessThan(1e-9);
      expect(py.statuses).toEqual(ts.statuses);
      expect(py.index_count).toBe(ts.index_count);
      expect(rel(py.index_sum, ts.index_sum)).toBeLessThan(1e-9);
      expect(Object.keys(ts.statuses).length).toBeGreaterThan(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
