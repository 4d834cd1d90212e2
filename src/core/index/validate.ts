/**
 * validateMethodology: checks that a value (typically parsed JSON) is a well-formed
 * IndexMethodology — every field of the right type, node codes unique, children existing, the
 * graph acyclic and reachable from the root or a view, weights ≥ 0, method parameters sane — and
 * returns it typed. Every fault names the node's path (e.g. `nodes[3](KTS).children[1].weight`).
 * All faults are collected; the thrown ChisoError is the first, with the others in `errors`.
 */
import { ChisoError, type ChisoErrorInit } from '../errors.ts';
import type { IndexMethodology, IndexNode } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => isNum(v) && Number.isInteger(v);

const NORMALISATIONS = [
  'none',
  'minmax',
  'zscore',
  'rank',
  'percentile_rank',
  'target',
  'goalposts',
  'points',
];
const AGGREGATIONS = ['arithmetic', 'geometric', 'harmonic', 'generalised', 'sum', 'copeland'];
const IMPUTATIONS = ['none', 'mean', 'median', 'zero'];
const FALLBACKS = ['none', 'log', 'log_ct', 'log_ct_orig'];

class Faults {
  readonly list: ChisoErrorInit[] = [];
  add(code: string, field: string, vi: string, en: string): void {
    this.list.push({ code, field, vi: `${field}: ${vi}`, en: `${field}: ${en}` });
  }
}

/** Checks a normalisation spec; shared with the sensitivity options. */
export function checkNormalisation(
  spec: unknown,
  at: string,
  faults: Faults,
  node?: { max_points?: unknown; direction?: unknown },
): void {
  if (!isObj(spec) || !NORMALISATIONS.includes(spec.kind as string)) {
    faults.add(
      'index.normalisation.unknown',
      at,
      `cách chuẩn hóa không hợp lệ; dùng một trong ${NORMALISATIONS.join(', ')}`,
      `unknown normalisation; use one of ${NORMALISATIONS.join(', ')}`,
    );
    return;
  }
  const opt = (k: string) => spec[k] === undefined || isNum(spec[k]);
  switch (spec.kind) {
    case 'minmax': {
      if (
        !opt('lower') ||
        !opt('upper') ||
        ((spec.lower as number) ?? 0) >= ((spec.upper as number) ?? 100)
      ) {
        faults.add(
          'index.normalisation.bounds',
          at,
          'min-max cần lower < upper (mặc định 0 và 100)',
          'min-max needs lower < upper (default 0 and 100)',
        );
      }
      break;
    }
    case 'zscore':
      if (!opt('mean') || !opt('sd') || (spec.sd !== undefined && !((spec.sd as number) > 0))) {
        faults.add(
          'index.normalisation.bounds',
          at,
          'z-score cần mean là số và sd > 0',
          'z-score needs a numeric mean and sd > 0',
        );
      }
      break;
    case 'target':
      if (!opt('target') || (spec.cap !== undefined && typeof spec.cap !== 'boolean')) {
        faults.add(
          'index.normalisation.target',
          at,
          'target phải là số, cap là true/false',
          'target must be a number and cap true/false',
        );
      }
      if (spec.from !== undefined && spec.from !== 'min' && spec.from !== 'zero') {
        faults.add(
          'index.normalisation.target',
          at,
          "from phải là 'min' hoặc 'zero'",
          "from must be 'min' or 'zero'",
        );
      }
      if (spec.from === 'zero' && node?.direction === 'lower') {
        faults.add(
          'index.normalisation.target',
          at,
          "from: 'zero' (giá trị/mục tiêu) chỉ dùng khi càng cao càng tốt",
          "from: 'zero' (value/target) only works for direction 'higher'",
        );
      }
      break;
    case 'goalposts':
      if (!isNum(spec.min) || !isNum(spec.max) || spec.min >= spec.max) {
        faults.add('index.normalisation.bounds', at, 'goalposts cần min < max', 'goalposts need min < max');
      }
      if (spec.scale !== undefined && !((spec.scale as number) > 0 && isNum(spec.scale))) {
        faults.add('index.normalisation.bounds', at, 'scale phải > 0', 'scale must be > 0');
      }
      if (spec.clip !== undefined && typeof spec.clip !== 'boolean') {
        faults.add('index.normalisation.bounds', at, 'clip phải là true/false', 'clip must be true/false');
      }
      break;
    case 'points': {
      const max = node?.max_points;
      if (!(isNum(max) && max > 0)) {
        faults.add(
          'index.points.max_missing',
          at,
          'chấm điểm theo quy tắc cần max_points > 0 ở nút',
          'points by rule need the node to have max_points > 0',
        );
      }
      const rule = spec.rule;
      if (!isObj(rule)) {
        faults.add('index.points.rule', at, 'thiếu quy tắc chấm điểm (rule)', 'missing points rule');
      } else if (rule.kind === 'thresholds') {
        const steps = rule.steps;
        if (!Array.isArray(steps) || steps.length === 0) {
          faults.add(
            'index.points.rule',
            `${at}.rule.steps`,
            'cần ít nhất một mức',
            'needs at least one step',
          );
        } else {
          steps.forEach((s, i) => {
            const p = isObj(s) ? s.points : undefined;
            if (!isObj(s) || !isNum(s.at) || !isNum(p) || p < 0 || (isNum(max) && p > max)) {
              faults.add(
                'index.points.rule',
                `${at}.rule.steps[${i}]`,
                'mỗi mức cần at là số và 0 ≤ points ≤ max_points',
                'each step needs a numeric at and 0 ≤ points ≤ max_points',
              );
            }
          });
        }
      } else if (rule.kind === 'linear') {
        const zero = rule.zero_at === undefined ? 0 : rule.zero_at;
        const full = rule.full_at;
        if (!isNum(zero) || !(isNum(full) || full === 'target') || full === zero) {
          faults.add(
            'index.points.rule',
            `${at}.rule`,
            "tuyến tính cần zero_at là số và full_at là số khác zero_at hoặc 'target'",
            "linear needs a numeric zero_at and full_at a different number or 'target'",
          );
        } else if (isNum(full) && (node?.direction === 'lower') !== full < zero) {
          faults.add(
            'index.points.direction',
            `${at}.rule`,
            'chiều của zero_at → full_at trái với direction của nút',
            'zero_at → full_at runs against the node direction',
          );
        }
      } else {
        faults.add(
          'index.points.rule',
          `${at}.rule`,
          "quy tắc phải là 'thresholds' hoặc 'linear'",
          "rule must be 'thresholds' or 'linear'",
        );
      }
      break;
    }
  }
}

/** Checks an aggregation spec; shared with the sensitivity options. */
export function checkAggregation(spec: unknown, at: string, faults: Faults): void {
  if (!isObj(spec) || !AGGREGATIONS.includes(spec.kind as string)) {
    faults.add(
      'index.aggregation.unknown',
      at,
      `cách tổng hợp không hợp lệ; dùng một trong ${AGGREGATIONS.join(', ')}`,
      `unknown aggregation; use one of ${AGGREGATIONS.join(', ')}`,
    );
    return;
  }
  if (spec.kind === 'generalised' && !(isNum(spec.p) && spec.p !== 0)) {
    faults.add(
      'index.aggregation.parameter',
      at,
      'trung bình tổng quát cần tham số p khác 0',
      'the generalised mean needs a parameter p ≠ 0',
    );
  }
}

export function throwFaults(faults: Faults): void {
  const [first, ...rest] = faults.list;
  if (!first) return;
  throw new ChisoError({ ...first, ...(rest.length ? { errors: faults.list } : {}) });
}

export { Faults };

/** Validates and returns the methodology, or throws a ChisoError naming every faulty path. */
export function validateMethodology(input: unknown): IndexMethodology {
  const f = new Faults();
  if (!isObj(input)) {
    f.add(
      'index.methodology.not_object',
      'methodology',
      'phải là một đối tượng JSON',
      'must be a JSON object',
    );
    throwFaults(f);
  }
  const m = input as Obj;
  for (const k of ['code', 'version', 'name_vi', 'name_en', 'root']) {
    if (!isStr(m[k])) f.add('index.methodology.field', k, 'bắt buộc, là chuỗi', 'required string');
  }
  if (!isInt(m.valid_from)) {
    f.add(
      'index.methodology.years',
      'valid_from',
      'cần năm bắt đầu (số nguyên)',
      'needs a first year (integer)',
    );
  }
  if (m.valid_to !== null && m.valid_to !== undefined && !isInt(m.valid_to)) {
    f.add(
      'index.methodology.years',
      'valid_to',
      'là năm (số nguyên) hoặc null',
      'must be a year (integer) or null',
    );
  }
  if (isInt(m.valid_from) && isInt(m.valid_to) && m.valid_to < m.valid_from) {
    f.add('index.methodology.years', 'valid_to', 'trước valid_from', 'is before valid_from');
  }
  if (
    m.rank_decimals !== undefined &&
    !(isInt(m.rank_decimals) && m.rank_decimals >= 0 && m.rank_decimals <= 12)
  ) {
    f.add(
      'index.methodology.rank_decimals',
      'rank_decimals',
      'là số nguyên 0..12',
      'must be an integer 0..12',
    );
  }
  for (const k of ['source', 'note']) {
    if (m[k] !== undefined && typeof m[k] !== 'string')
      f.add('index.methodology.field', k, 'là chuỗi', 'must be a string');
  }
  if (m.views !== undefined && !(Array.isArray(m.views) && m.views.every(isStr))) {
    f.add('index.methodology.views', 'views', 'là danh sách mã nút', 'must be a list of node codes');
  }
  if (!Array.isArray(m.nodes) || m.nodes.length === 0) {
    f.add('index.methodology.nodes', 'nodes', 'cần ít nhất một nút', 'needs at least one node');
    throwFaults(f);
  }
  const nodes = m.nodes as unknown[];
  const pos = new Map<string, number>();
  const label = (i: number): string => {
    const n = nodes[i];
    return isObj(n) && isStr(n.code) ? `nodes[${i}](${n.code})` : `nodes[${i}]`;
  };
  nodes.forEach((n, i) => {
    if (!isObj(n) || !isStr(n.code)) return;
    if (pos.has(n.code)) {
      f.add(
        'index.node.duplicate',
        `${label(i)}.code`,
        `mã nút trùng với nodes[${pos.get(n.code)}]`,
        `node code repeats nodes[${pos.get(n.code)}]`,
      );
    } else pos.set(n.code, i);
  });

  nodes.forEach((n, i) => {
    const at = label(i);
    if (!isObj(n)) {
      f.add('index.node.not_object', at, 'phải là một đối tượng', 'must be an object');
      return;
    }
    for (const k of ['code', 'name_vi', 'name_en']) {
      if (!isStr(n[k])) f.add('index.node.field', `${at}.${k}`, 'bắt buộc, là chuỗi', 'required string');
    }
    const leaf = n.indicator !== undefined;
    const agg = n.children !== undefined;
    if (leaf === agg) {
      f.add(
        'index.node.kind',
        at,
        'cần đúng một trong indicator (nút lá) hoặc children (nút tổng hợp)',
        'needs exactly one of indicator (a leaf) or children (an aggregate)',
      );
    }
    if (leaf && !isStr(n.indicator)) {
      f.add('index.node.field', `${at}.indicator`, 'là mã chỉ tiêu', 'must be an indicator code');
    }
    if (n.direction !== undefined && n.direction !== 'higher' && n.direction !== 'lower') {
      f.add(
        'index.node.direction',
        `${at}.direction`,
        "là 'higher' hoặc 'lower'",
        "must be 'higher' or 'lower'",
      );
    }
    if (n.max_points !== undefined && !(isNum(n.max_points) && n.max_points >= 0)) {
      f.add('index.node.max_points', `${at}.max_points`, 'là số ≥ 0', 'must be a number ≥ 0');
    }
    if (n.min_share !== undefined && !(isNum(n.min_share) && n.min_share >= 0 && n.min_share <= 1)) {
      f.add('index.node.min_share', `${at}.min_share`, 'là tỷ lệ từ 0 đến 1', 'must be a share from 0 to 1');
    }
    if (n.normalisation !== undefined) checkNormalisation(n.normalisation, `${at}.normalisation`, f, n);
    if (n.aggregation !== undefined) {
      if (!agg) {
        f.add(
          'index.node.aggregation_on_leaf',
          `${at}.aggregation`,
          'nút lá không có cách tổng hợp',
          'a leaf has no aggregation',
        );
      } else checkAggregation(n.aggregation, `${at}.aggregation`, f);
    }
    if (n.imputation !== undefined) {
      const im = n.imputation;
      if (!isObj(im) || !IMPUTATIONS.includes(im.kind as string)) {
        f.add(
          'index.node.imputation',
          `${at}.imputation`,
          `là một trong ${IMPUTATIONS.join(', ')}`,
          `must be one of ${IMPUTATIONS.join(', ')}`,
        );
      } else if (im.by_group !== undefined && typeof im.by_group !== 'boolean') {
        f.add('index.node.imputation', `${at}.imputation.by_group`, 'là true/false', 'must be true/false');
      }
    }
    if (n.treatment !== undefined) {
      const t = n.treatment;
      const posNum = (v: unknown) => v === undefined || (isNum(v) && v > 0);
      if (
        !isObj(t) ||
        t.kind !== 'winsorise' ||
        !(t.winmax === undefined || (isInt(t.winmax) && t.winmax >= 0)) ||
        !posNum(t.skew_threshold) ||
        !posNum(t.kurt_threshold) ||
        !(t.fallback === undefined || FALLBACKS.includes(t.fallback as string)) ||
        !(t.force === undefined || typeof t.force === 'boolean')
      ) {
        f.add(
          'index.node.treatment',
          `${at}.treatment`,
          `xử lý ngoại lai: kind 'winsorise', winmax nguyên ≥ 0, ngưỡng > 0, fallback thuộc ${FALLBACKS.join(', ')}`,
          `treatment: kind 'winsorise', integer winmax ≥ 0, thresholds > 0, fallback one of ${FALLBACKS.join(', ')}`,
        );
      }
    }
    if (n.bands !== undefined) {
      const bands = n.bands;
      if (!Array.isArray(bands)) {
        f.add('index.node.bands', `${at}.bands`, 'là danh sách', 'must be a list');
      } else {
        let prev = Number.NEGATIVE_INFINITY;
        bands.forEach((b, j) => {
          if (
            !isObj(b) ||
            !isStr(b.code) ||
            !isStr(b.name_vi) ||
            !isStr(b.name_en) ||
            !isNum(b.min) ||
            b.min <= prev
          ) {
            f.add(
              'index.node.bands',
              `${at}.bands[${j}]`,
              'mỗi mức cần code, name_vi, name_en và min tăng dần',
              'each band needs code, name_vi, name_en and an increasing min',
            );
          } else prev = b.min;
        });
      }
    }
    if (agg) {
      const ch = n.children;
      if (!Array.isArray(ch) || ch.length === 0) {
        f.add('index.node.children', `${at}.children`, 'cần ít nhất một nút con', 'needs at least one child');
        return;
      }
      const seen = new Set<string>();
      let positive = 0;
      ch.forEach((e, j) => {
        const ea = `${at}.children[${j}]`;
        if (!isObj(e) || !isStr(e.code)) {
          f.add('index.edge.code', ea, 'cần code của nút con', 'needs the child code');
          return;
        }
        if (!pos.has(e.code)) {
          f.add('index.edge.unknown', ea, `không có nút ${e.code}`, `no node ${e.code}`);
        }
        if (seen.has(e.code))
          f.add('index.edge.duplicate', ea, `nút con ${e.code} lặp lại`, `child ${e.code} repeats`);
        seen.add(e.code);
        if (e.weight !== undefined && !(isNum(e.weight) && e.weight >= 0)) {
          f.add(
            'index.edge.weight',
            `${ea}.weight`,
            'trọng số phải là số ≥ 0',
            'weight must be a number ≥ 0',
          );
        } else if (e.weight === undefined || (e.weight as number) > 0) positive++;
        const child = nodes[pos.get(e.code) ?? -1];
        if (
          isObj(child) &&
          child.direction === 'lower' &&
          (!isObj(child.normalisation) || child.normalisation.kind === 'none')
        ) {
          f.add(
            'index.edge.direction',
            ea,
            `nút con ${e.code} có direction 'lower' mà không chuẩn hóa, nên không thể tổng hợp; hãy chọn một cách chuẩn hóa để đảo chiều`,
            `child ${e.code} has direction 'lower' and no normalisation, so it cannot be aggregated; choose a normalisation, which flips it`,
          );
        }
      });
      if (positive === 0) {
        f.add('index.edge.weights_zero', `${at}.children`, 'mọi trọng số đều bằng 0', 'every weight is 0');
      }
    }
  });

  const tops: string[] = [];
  if (isStr(m.root)) {
    if (!pos.has(m.root))
      f.add('index.methodology.root', 'root', `không có nút ${m.root}`, `no node ${m.root}`);
    else tops.push(m.root);
  }
  if (Array.isArray(m.views)) {
    m.views.forEach((v, i) => {
      if (!isStr(v)) return;
      if (!pos.has(v)) f.add('index.methodology.views', `views[${i}]`, `không có nút ${v}`, `no node ${v}`);
      else tops.push(v);
    });
  }

  // Cycles (iterative DFS with colours) and reachability from the root and views.
  const childrenOf = (code: string): string[] => {
    const n = nodes[pos.get(code) ?? -1];
    if (!isObj(n) || !Array.isArray(n.children)) return [];
    return n.children
      .filter((e): e is Obj => isObj(e) && isStr(e.code) && pos.has(e.code))
      .map((e) => e.code as string);
  };
  const colour = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  for (const start of pos.keys()) {
    if (colour.has(start)) continue;
    const stack: { code: string; next: number }[] = [{ code: start, next: 0 }];
    colour.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { code: string; next: number };
      const kids = childrenOf(top.code);
      if (top.next >= kids.length) {
        colour.set(top.code, 2);
        stack.pop();
        continue;
      }
      const c = kids[top.next++] as string;
      const state = colour.get(c);
      if (state === 1) {
        const from = stack.findIndex((s) => s.code === c);
        const cycle = [...stack.slice(from).map((s) => s.code), c].join(' → ');
        if (!reported.has(cycle)) {
          reported.add(cycle);
          f.add(
            'index.methodology.cycle',
            `${label(pos.get(top.code) as number)}.children`,
            `chu trình ${cycle}`,
            `cycle ${cycle}`,
          );
        }
      } else if (state === undefined) {
        colour.set(c, 1);
        stack.push({ code: c, next: 0 });
      }
    }
  }
  const reach = new Set<string>();
  const todo = [...tops];
  while (todo.length > 0) {
    const c = todo.pop() as string;
    if (reach.has(c)) continue;
    reach.add(c);
    todo.push(...childrenOf(c));
  }
  if (tops.length > 0) {
    for (const [code, i] of pos) {
      if (!reach.has(code)) {
        f.add(
          'index.node.unreachable',
          label(i),
          'không nối tới gốc (root) hay một views nào',
          'is reachable from neither the root nor a view',
        );
      }
    }
  }
  throwFaults(f);
  return input as unknown as IndexMethodology;
}

/** Codes of the nodes by role, for callers that already hold a valid methodology. */
export function leafCodes(m: IndexMethodology): string[] {
  return m.nodes.filter((n: IndexNode) => n.indicator !== undefined).map((n) => n.code);
}
