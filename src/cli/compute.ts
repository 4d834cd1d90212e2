/**
 * The analyst's entry to the engine without a database: `chiso compute index FILE.json`.
 * The input and output formats are documented in docs/COMPUTE.md ("## Index input").
 * JSON field names are snake_case; missing values are null.
 */
import { ChisoError, type ChisoErrorInit } from '../core/errors.ts';
import {
  type ComputeOptions,
  compareRanks,
  computeIndex,
  type IndexData,
  type IndexMethodology,
  type SensitivityOptions,
  type StrengthOptions,
  sensitivity,
  validateMethodology,
} from '../core/index/index.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(field: string, vi: string, en: string): ChisoError {
  return new ChisoError({ code: 'compute.input', field, vi: `${field}: ${vi}`, en: `${field}: ${en}` });
}

/** Re-throws an engine error with its field renamed to the place in the JSON input. */
function within<T>(rename: (field: string) => string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ChisoError)) throw e;
    const move = (x: ChisoErrorInit): ChisoErrorInit =>
      x.field === undefined ? x : { ...x, field: rename(x.field) };
    const init = move(e.toJSON());
    if (e.errors.length) init.errors = e.errors.map(move);
    throw new ChisoError(init);
  }
}

/** Engine paths `nodes[…]` and top-level methodology fields live under `methodology` in the input. */
const inMethodology = (field: string): string =>
  /^(nodes|code|version|name_vi|name_en|valid_from|valid_to|root|views|rank_decimals|source|note|methodology)\b/.test(
    field,
  )
    ? `methodology.${field}`.replace('methodology.methodology', 'methodology')
    : field;
const inSensitivity = (field: string): string =>
  field.startsWith('nodes[')
    ? `methodology.${field}`
    : `sensitivity.${field.replace('weightNoise', 'weight_noise')}`;

function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s !== '')) {
    throw bad(field, 'cần một danh sách mã (chuỗi) không rỗng', 'needs a non-empty list of codes (strings)');
  }
  return v as string[];
}

/** A units × indicators array of arrays (null = missing) → row-major Float64Array. */
function matrix(v: unknown, field: string, rows: number, cols: number): Float64Array {
  if (!Array.isArray(v) || v.length !== rows) {
    throw bad(field, `cần ${rows} hàng, mỗi đơn vị một hàng`, `needs ${rows} rows, one per unit`);
  }
  const out = new Float64Array(rows * cols);
  v.forEach((row: unknown, u) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw bad(
        `${field}[${u}]`,
        `cần ${cols} giá trị, mỗi chỉ tiêu một giá trị`,
        `needs ${cols} values, one per indicator`,
      );
    }
    row.forEach((x: unknown, k) => {
      if (x === null) out[u * cols + k] = Number.NaN;
      else if (typeof x === 'number' && Number.isFinite(x)) out[u * cols + k] = x;
      else throw bad(`${field}[${u}][${k}]`, 'phải là số hoặc null', 'must be a number or null');
    });
  });
  return out;
}

const list = (a: ArrayLike<number>): (number | null)[] => Array.from(a, (x) => (Number.isNaN(x) ? null : x));

function strengthOptions(v: unknown): StrengthOptions | false | undefined {
  if (v === undefined || v === false) return v;
  if (!isObj(v)) throw bad('strengths', 'là một đối tượng hoặc false', 'must be an object or false');
  const o: StrengthOptions = {};
  if (v.nodes !== undefined) o.nodes = stringList(v.nodes, 'strengths.nodes');
  for (const [k, key] of [
    ['top', 'top'],
    ['bottom', 'bottom'],
  ] as const) {
    const x = v[k];
    if (x === undefined) continue;
    if (!(typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
      throw bad(`strengths.${k}`, 'là số nguyên ≥ 0', 'must be an integer ≥ 0');
    }
    o[key] = x;
  }
  if (v.min_discard !== undefined) {
    if (typeof v.min_discard !== 'boolean')
      throw bad('strengths.min_discard', 'là true/false', 'must be true/false');
    o.minDiscard = v.min_discard;
  }
  if (v.unique_discard !== undefined) {
    const x = v.unique_discard;
    if (!(typeof x === 'number' && x >= 0 && x <= 1)) {
      throw bad('strengths.unique_discard', 'là tỷ lệ từ 0 đến 1', 'must be a share from 0 to 1');
    }
    o.uniqueDiscard = x;
  }
  return o;
}

function sensitivityOptions(v: unknown, year: number | undefined): SensitivityOptions {
  if (!isObj(v)) throw bad('sensitivity', 'là một đối tượng', 'must be an object');
  const num = (k: string): number | undefined => {
    const x = v[k];
    if (x === undefined) return undefined;
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw bad(`sensitivity.${k}`, 'phải là số', 'must be a number');
    return x;
  };
  const runs = num('runs');
  const seed = num('seed');
  if (runs === undefined) throw bad('sensitivity.runs', 'bắt buộc', 'is required');
  if (seed === undefined) throw bad('sensitivity.seed', 'bắt buộc', 'is required');
  const o: SensitivityOptions = { runs, seed };
  const noise = num('weight_noise');
  if (noise !== undefined) o.weightNoise = noise;
  if (v.alternatives !== undefined) {
    if (!isObj(v.alternatives)) {
      throw bad('sensitivity.alternatives', 'là một đối tượng', 'must be an object');
    }
    o.alternatives = v.alternatives as SensitivityOptions['alternatives'] & object;
  }
  if (v.node !== undefined) {
    if (typeof v.node !== 'string') throw bad('sensitivity.node', 'là mã nút', 'must be a node code');
    o.node = v.node;
  }
  if (v.remove !== undefined) {
    if (!Array.isArray(v.remove) || !v.remove.every((s) => typeof s === 'string')) {
      throw bad('sensitivity.remove', 'là danh sách mã nút', 'must be a list of node codes');
    }
    o.remove = v.remove as string[];
  }
  if (year !== undefined) o.year = year;
  return o;
}

/**
 * Computes a composite index from a JSON input: { methodology, units, indicators, values,
 * targets?, groups?, year?, strengths?, previous_ranks?, sensitivity? }. Returns scores, ranks,
 * bands, strengths and weaknesses per unit, rank changes, and the sensitivity analysis if asked.
 */
export function computeIndexFromJson(input: unknown): unknown {
  if (!isObj(input)) throw bad('input', 'phải là một đối tượng JSON', 'must be a JSON object');
  if (input.methodology === undefined) throw bad('methodology', 'bắt buộc', 'is required');
  const methodology: IndexMethodology = within(inMethodology, () => validateMethodology(input.methodology));
  const units = stringList(input.units, 'units');
  const indicators = stringList(input.indicators, 'indicators');
  const data: IndexData = {
    units,
    indicators,
    values: matrix(input.values, 'values', units.length, indicators.length),
  };
  if (input.targets !== undefined)
    data.targets = matrix(input.targets, 'targets', units.length, indicators.length);
  if (input.groups !== undefined) {
    if (!Array.isArray(input.groups) || !input.groups.every((g) => typeof g === 'string')) {
      throw bad(
        'groups',
        'là danh sách nhãn nhóm, mỗi đơn vị một nhãn',
        'must be a list of group labels, one per unit',
      );
    }
    data.groups = input.groups as string[];
  }
  const options: ComputeOptions = {};
  let year: number | undefined;
  if (input.year !== undefined) {
    if (!(typeof input.year === 'number' && Number.isInteger(input.year))) {
      throw bad('year', 'là năm (số nguyên)', 'must be a year (integer)');
    }
    year = input.year;
    options.year = year;
  }
  const strengths = strengthOptions(input.strengths);
  if (strengths !== undefined) options.strengths = strengths;

  const result = within(inMethodology, () => computeIndex(methodology, data, options));
  const root = result.nodes[result.root];

  const out: Record<string, unknown> = {
    methodology: result.methodology,
    units: result.units,
    root: result.root,
    views: result.views,
    nodes: methodology.nodes
      .map((n) => result.nodes[n.code])
      .filter((n) => n !== undefined)
      .map((n) => ({
        code: n.code,
        name_vi: n.name_vi,
        name_en: n.name_en,
        level: n.level,
        leaf: n.leaf,
        ...(n.indicator !== undefined ? { indicator: n.indicator } : {}),
        higher_is_better: n.higherIsBetter,
        raw: list(n.raw),
        score: list(n.score),
        rank: list(n.rank),
        ...(n.band ? { band: n.band } : {}),
        ...(n.treatment ? { treatment: n.treatment } : {}),
      })),
    strengths: result.strengths,
  };

  if (input.previous_ranks !== undefined) {
    const prev = input.previous_ranks;
    if (!isObj(prev) || !Object.values(prev).every((r) => r === null || (typeof r === 'number' && r >= 1))) {
      throw bad(
        'previous_ranks',
        'là đối tượng { mã đơn vị: thứ hạng kỳ trước | null }',
        'must be an object { unit code: previous rank | null }',
      );
    }
    const codes = Object.keys(prev);
    out.rank_change = compareRanks(
      { units: codes, ranks: codes.map((c) => (prev[c] === null ? Number.NaN : (prev[c] as number))) },
      { units: result.units, ranks: root?.rank ?? [] },
    );
  }

  if (input.sensitivity !== undefined) {
    const so = sensitivityOptions(input.sensitivity, year);
    const s = within(inSensitivity, () => sensitivity(methodology, data, so));
    out.sensitivity = {
      node: s.node,
      runs: s.runs,
      seed: s.seed,
      weight_noise: s.weightNoise,
      failed_runs: s.failedRuns,
      units: s.units,
      remove_elements: s.removeElements.elements.map((e) => ({
        element: e.element,
        mean_abs_diff: e.meanAbsDiff,
        rank_diffs: e.rankDiffs,
      })),
    };
  }
  return out;
}

export { computeProgressFromJson } from './compute-progress.ts';
