import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import {
  type BinaryOp,
  type FormulaAst,
  type FunctionName,
  evaluateFormula,
  formatFormula,
  formulaDependencies,
  isBareCode,
  orderFormulas,
  parseFormula,
  roundHalfAway,
} from './formula.ts';

function errorOf(fn: () => unknown): ChisoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('expected a ChisoError');
}

const values: Record<string, number | null> = {
  A: 10,
  B: 4,
  C: 0,
  'CQS-01': 80,
  'CQS-01@-1': 64,
  CĐS_01: 3,
  '1.2.3': 7,
  and: 2,
  M: null,
};
const lookup = (code: string, offset: number): number | null =>
  values[offset === 0 ? code : `${code}@${offset}`] ?? null;
const ev = (src: string): number | null => evaluateFormula(parseFormula(src), lookup);

describe('parseFormula', () => {
  it('builds the AST', () => {
    expect(parseFormula('[CQS-01]@-1 / 2')).toEqual({
      kind: 'binary',
      op: '/',
      left: { kind: 'ref', code: 'CQS-01', offset: -1 },
      right: { kind: 'number', value: 2 },
    });
    expect(parseFormula('MAX(a, 1)')).toEqual({
      kind: 'call',
      fn: 'max',
      args: [
        { kind: 'ref', code: 'a', offset: 0 },
        { kind: 'number', value: 1 },
      ],
    });
    expect(parseFormula('X@+2')).toEqual({ kind: 'ref', code: 'X', offset: 2 });
    expect(parseFormula('X @ 0')).toEqual({ kind: 'ref', code: 'X', offset: 0 });
    expect(parseFormula('+A')).toEqual({ kind: 'ref', code: 'A', offset: 0 });
  });

  it('respects precedence and associativity', () => {
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('10 - 4 - 3')).toBe(3);
    expect(ev('64 / 4 / 2')).toBe(8);
    expect(ev('-2^2')).toBe(-4);
    expect(ev('2^-1')).toBe(0.5);
    expect(ev('2^3^2')).toBe(512);
    expect(ev('-A * -B')).toBe(40);
    expect(ev('1 + 1 == 2 and not 0')).toBe(1);
    expect(ev('not 1 == 2')).toBe(1);
    expect(ev('0 or 1 and 0')).toBe(0);
    expect(ev('1e3 + .5')).toBe(1000.5);
  });

  it('reads bare, bracketed and Vietnamese codes', () => {
    expect(ev('[CQS-01] - [CQS-01]@-1')).toBe(16);
    expect(ev('CĐS_01 * 2')).toBe(6);
    expect(ev('[1.2.3] + [and]')).toBe(9);
    expect(ev('A-B')).toBe(6); // bare codes never contain '-': this is a subtraction
  });

  it.each([
    ['', 0, 'an operand'],
    ['1 +', 3, 'an operand'],
    ['(1 + 2', 6, "')'"],
    ['A B', 2, 'an operator or the end'],
    ['foo(1)', 0, 'unknown function'],
    ['round()', 6, 'round expects 1–2'],
    ['abs(1, 2)', 0, 'abs expects 1'],
    ['if(1, 2)', 7, 'if expects 3'],
    ['1 = 2', 2, "'=='"],
    ['[CQS-01', 7, "']'"],
    ['[]', 1, 'inside'],
    ['[CQS 01]', 4, 'whitespace'],
    ['A < B < C', 6, 'chained'],
    ['X@1.5', 2, 'integer period offset'],
    ['X@', 2, 'integer period offset'],
    ['2 & 3', 2, "unexpected character '&'"],
    ['A && B', 2, "'and'"],
    ['1 + and', 4, '[and]'],
    ['5.', 2, 'digit'],
    ['min(1 2)', 6, "',' or ')'"],
    ['2 * 1e400', 4, 'number too large: 1e400'],
    [`1 + ${'9'.repeat(400)}`, 4, 'number too large'],
  ])('rejects %j at position %i', (src, position, words) => {
    const e = errorOf(() => parseFormula(src));
    expect(e.code).toBe('formula.syntax');
    expect(e.location.position).toBe(position);
    expect(e.en).toContain(words);
    expect(e.vi).toContain('Lỗi cú pháp công thức');
  });

  it('refuses absurd nesting with a syntax error, not a stack overflow', () => {
    const e = errorOf(() => parseFormula('('.repeat(10_000) + '1' + ')'.repeat(10_000)));
    expect(e.code).toBe('formula.syntax');
    expect(e.en).toContain('nested too deeply');
  });

  it('throws only ChisoErrors with a position inside the input (property)', () => {
    const alphabet = fc.constantFrom(...'AB1.2 +-*/^()[],@<=>!-xnotadifmn'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 14 }), (chars) => {
        const src = chars.join('');
        try {
          const ast = parseFormula(src);
          expect(parseFormula(formatFormula(ast))).toEqual(ast);
        } catch (e) {
          expect(e).toBeInstanceOf(ChisoError);
          const pos = (e as ChisoError).location.position!;
          expect(pos).toBeGreaterThanOrEqual(0);
          expect(pos).toBeLessThanOrEqual(src.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('evaluateFormula', () => {
  it('propagates missing values except in coalesce', () => {
    expect(ev('A + M')).toBeNull();
    expect(ev('sum(A, M)')).toBeNull();
    expect(ev('coalesce(M, B, A)')).toBe(4);
    expect(ev('coalesce(M, M)')).toBeNull();
    expect(ev('A + coalesce(M, 0)')).toBe(10);
    expect(ev('UNKNOWN')).toBeNull();
  });

  it('gives null for division by zero and non-finite results', () => {
    expect(ev('A / C')).toBeNull();
    expect(ev('C / A')).toBe(0);
    expect(ev('0^-1')).toBeNull();
    expect(ev('(-8)^0.5')).toBeNull();
    expect(ev('10^400')).toBeNull();
  });

  it('evaluates only the chosen branch of if, and three-valued and/or', () => {
    expect(ev('if(A > B, A, M)')).toBe(10);
    expect(ev('if(A < B, A, M)')).toBeNull();
    expect(ev('if(M, 1, 2)')).toBeNull();
    expect(ev('if(C, 1, 2)')).toBe(2);
    expect(ev('C and M')).toBe(0);
    expect(ev('M and C')).toBe(0);
    expect(ev('A and M')).toBeNull();
    expect(ev('A or M')).toBe(1);
    expect(ev('M or C')).toBeNull();
    expect(ev('not M')).toBeNull();
    expect(ev('A and B')).toBe(1);
  });

  it('computes functions', () => {
    expect(ev('min(A, B, 7)')).toBe(4);
    expect(ev('max(A, B, 7)')).toBe(10);
    expect(ev('sum(A, B, 7)')).toBe(21);
    expect(ev('avg(A, B, 7)')).toBe(7);
    expect(ev('abs(B - A)')).toBe(6);
    expect(ev('round(2.675, 2)')).toBe(2.68);
    expect(ev('round(-2.5)')).toBe(-3);
    expect(ev('round(1234, -2)')).toBe(1200);
    expect(ev('round(1.005, 2)')).toBe(1.01);
    expect(ev('round(1, 0.5)')).toBeNull();
  });

  it('compares decimals with a tolerance', () => {
    expect(ev('0.1 + 0.2 == 0.3')).toBe(1);
    expect(ev('0.1 + 0.2 != 0.3')).toBe(0);
    expect(ev('0.1 + 0.2 <= 0.3')).toBe(1);
    expect(ev('0.1 + 0.2 > 0.3')).toBe(0);
    expect(ev('1 < 2')).toBe(1);
    expect(ev('2 >= 3')).toBe(0);
  });

  it('treats NaN and Infinity from lookup as missing', () => {
    const ast = parseFormula('X + 1');
    expect(evaluateFormula(ast, () => Number.NaN)).toBeNull();
    expect(evaluateFormula(ast, () => Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('roundHalfAway', () => {
    expect(roundHalfAway(0.5)).toBe(1);
    expect(roundHalfAway(-0.5)).toBe(-1);
    expect(roundHalfAway(-0.4)).toBe(0);
    expect(Object.is(roundHalfAway(-0.4), -0)).toBe(false);
    expect(roundHalfAway(8.345, 2)).toBe(8.35);
    expect(roundHalfAway(1, 16)).toBeNull();
  });
});

describe('dependencies and order', () => {
  it('lists each operand once, in order', () => {
    expect(formulaDependencies(parseFormula('A + B@-1 * A + if(B@-1 > 0, [X-1], A)'))).toEqual([
      { code: 'A', offset: 0 },
      { code: 'B', offset: -1 },
      { code: 'X-1', offset: 0 },
    ]);
  });

  it('orders derived indicators after what they read', () => {
    const defs = {
      RATE: parseFormula('NUM / DEN * 100'),
      NUM: parseFormula('[N-1] + [N-2]'),
      DEN: parseFormula('POP'),
      GAP: parseFormula('TARGET - RATE'),
      GROWTH: parseFormula('NUM / NUM@-1 - 1'),
    };
    const order = orderFormulas(defs);
    expect(order).toEqual(['DEN', 'NUM', 'RATE', 'GAP', 'GROWTH']);
  });

  it('names the cycle', () => {
    const e = errorOf(() =>
      orderFormulas({
        A: parseFormula('B + 1'),
        B: parseFormula('C * 2'),
        C: parseFormula('A'),
        D: parseFormula('1'),
      }),
    );
    expect(e.code).toBe('formula.cycle');
    expect(e.details).toEqual({ cycle: ['A', 'B', 'C', 'A'] });
    expect(e.vi).toBe('Công thức phụ thuộc vòng tròn: A → B → C → A');
    expect(errorOf(() => orderFormulas({ A: parseFormula('A + 1') })).details).toEqual({ cycle: ['A', 'A'] });
  });

  it('does not treat references to other periods as cycles', () => {
    expect(orderFormulas({ CUM: parseFormula('coalesce(CUM@-1, 0) + X') })).toEqual(['CUM']);
    expect(orderFormulas({ A: parseFormula('B@-1'), B: parseFormula('A') })).toEqual(['A', 'B']);
  });

  it('puts every definition after its same-period dependencies (property)', () => {
    const codes = ['A', 'B', 'C', 'D', 'E', 'F'];
    fc.assert(
      fc.property(fc.array(fc.subarray(codes), { minLength: 6, maxLength: 6 }), (lists) => {
        // only edges to earlier codes: acyclic by construction
        const defs: Record<string, FormulaAst> = {};
        codes.forEach((c, i) => {
          const ds = lists[i]!.filter((d) => codes.indexOf(d) < i);
          defs[c] = ds.length
            ? { kind: 'call', fn: 'sum', args: ds.map((code) => ({ kind: 'ref', code, offset: 0 })) }
            : { kind: 'number', value: 1 };
        });
        const order = orderFormulas(defs);
        expect([...order].sort()).toEqual(codes);
        for (const c of codes) {
          for (const d of formulaDependencies(defs[c]!)) {
            expect(order.indexOf(d.code)).toBeLessThan(order.indexOf(c));
          }
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Round trip

const arbCode = fc.oneof(
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,6}$/),
  fc.stringMatching(/^[A-Z]{2,4}-\d{2}$/),
  fc.stringMatching(/^\d(\.\d){0,3}$/),
  fc.constantFrom('and', 'OR', 'Not', 'min', 'if', 'round', 'CĐS_01', 'Tỷ_lệ', 'x:y/z', 'e', 'E5'),
);

const arbAst: fc.Arbitrary<FormulaAst> = fc.letrec<{ ast: FormulaAst }>((tie) => ({
  ast: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('number' as const),
      value: fc.oneof(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map((v) => v + 0),
      ),
    }),
    fc.record({
      kind: fc.constant('ref' as const),
      code: arbCode,
      offset: fc.integer({ min: -12, max: 12 }),
    }),
    fc.record({ kind: fc.constant('neg' as const), arg: tie('ast') }),
    fc.record({ kind: fc.constant('not' as const), arg: tie('ast') }),
    fc.record({
      kind: fc.constant('binary' as const),
      op: fc.constantFrom<BinaryOp>('+', '-', '*', '/', '^', '<', '<=', '>', '>=', '==', '!=', 'and', 'or'),
      left: tie('ast'),
      right: tie('ast'),
    }),
    fc
      .constantFrom<FunctionName>('if', 'min', 'max', 'sum', 'avg', 'abs', 'round', 'coalesce')
      .chain((fn) => {
        const n = { if: [3, 3], abs: [1, 1], round: [1, 2] }[fn as string] ?? [1, 4];
        return fc.record({
          kind: fc.constant('call' as const),
          fn: fc.constant(fn),
          args: fc.array(tie('ast'), { minLength: n[0]!, maxLength: n[1]! }),
        });
      }),
  ),
})).ast;

describe('formatFormula', () => {
  it('writes canonical text', () => {
    const f = (s: string) => formatFormula(parseFormula(s));
    expect(f('((A))+ (B*C)')).toBe('A + B * C');
    expect(f('(A+B)*C')).toBe('(A + B) * C');
    expect(f('A-(B-C)')).toBe('A - (B - C)');
    expect(f('(-2)^2')).toBe('(-2) ^ 2');
    expect(f('-(2^2)')).toBe('-2 ^ 2');
    expect(f('2^(3^2)')).toBe('2 ^ 3 ^ 2');
    expect(f('(2^3)^2')).toBe('(2 ^ 3) ^ 2');
    expect(f('NOT (a < b) AND c')).toBe('not a < b and c');
    expect(f('not (a and b)')).toBe('not (a and b)');
    expect(f('(a < b) == c')).toBe('(a < b) == c');
    expect(f('[CQS-01]@-1 + [and] + x@+1')).toBe('[CQS-01]@-1 + [and] + x@1');
    expect(f('IF(a, b, c)')).toBe('if(a, b, c)');
  });

  it('knows which codes need brackets', () => {
    expect(isBareCode('CQS_01')).toBe(true);
    expect(isBareCode('CQS-01')).toBe(false);
    expect(isBareCode('1.2')).toBe(false);
    expect(isBareCode('OR')).toBe(false);
    expect(isBareCode('min')).toBe(true);
  });

  it('rejects codes no syntax can carry', () => {
    const bad: FormulaAst = { kind: 'ref', code: 'A B', offset: 0 };
    expect(errorOf(() => formatFormula(bad)).code).toBe('formula.bad_code');
  });

  it('round-trips: parse(format(ast)) equals ast (property)', () => {
    fc.assert(
      fc.property(arbAst, (ast) => {
        expect(parseFormula(formatFormula(ast))).toEqual(ast);
      }),
      { numRuns: 3000 },
    );
  });

  it('evaluation is unchanged by formatting (property)', () => {
    const lk = (code: string, offset: number) => (code.length % 3 === 0 ? null : code.length + offset);
    fc.assert(
      fc.property(arbAst, (ast) => {
        expect(evaluateFormula(parseFormula(formatFormula(ast)), lk)).toBe(evaluateFormula(ast, lk));
      }),
    );
  });
});
