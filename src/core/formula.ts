/**
 * A small, safe expression language for derived indicators and validation rules. It is parsed by
 * hand into an AST and evaluated by walking it: no eval, no Function, no access to anything but
 * the numbers handed in through `lookup`.
 *
 * Syntax
 *   operands     CQS_01          bare code: a letter or '_' then letters, digits, '_' or '.'
 *                                (Unicode letters allowed: CĐS_01). Case is kept.
 *                [CQS-01]        bracketed code: any characters except whitespace and [ ] ( ) , @
 *                                Use it for codes with '-', codes starting with a digit ([1.2.3])
 *                                and codes spelled like a keyword ([and]).
 *                X@-1  [CQS-01]@-1   period offset: the value n periods away in the indicator's own
 *                                period type (-1 = previous period, @+1/@1 = next). Integer only.
 *                12  0.5  .5  1e-3   numbers (no sign: '-' is the unary operator)
 *   operators    lowest → highest precedence
 *                or · and · not · < <= > >= == != (not chainable) · + - · * / · unary - · ^ (right-assoc)
 *                so -2^2 = -(2^2) and 2^-1 = 0.5. Keywords and function names are case-insensitive.
 *   functions    if(cond, a, b)  min(…)  max(…)  sum(…)  avg(…)  abs(x)  round(x[, n])  coalesce(…)
 *
 * Values are numbers; conditions are numbers too (0 = false, anything else = true; comparisons and
 * logic give 1 or 0). `==` and friends compare with a relative tolerance of 1e-9 so that
 * `A == B + C` holds for decimal data.
 *
 * Missing data: a missing operand (lookup returns null) makes the result null, except that
 *   - coalesce(…) returns its first non-null argument;
 *   - if(c, a, b) evaluates only the branch chosen (null when c is null);
 *   - `and`/`or` follow three-valued logic: 0 and null = 0, 1 or null = 1, otherwise null.
 * Division by zero and any non-finite result (0^-1, (-8)^0.5, overflow) give null.
 */
import { ChisoError } from './errors.ts';

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';
export type FunctionName = 'if' | 'min' | 'max' | 'sum' | 'avg' | 'abs' | 'round' | 'coalesce';

export type FormulaAst =
  | { kind: 'number'; value: number }
  | { kind: 'ref'; code: string; offset: number }
  | { kind: 'neg'; arg: FormulaAst }
  | { kind: 'not'; arg: FormulaAst }
  | { kind: 'binary'; op: BinaryOp; left: FormulaAst; right: FormulaAst }
  | { kind: 'call'; fn: FunctionName; args: FormulaAst[] };

/** Arity of each function: [min, max] number of arguments. */
export const FORMULA_FUNCTIONS: Readonly<Record<FunctionName, readonly [number, number]>> = {
  if: [3, 3],
  min: [1, Number.POSITIVE_INFINITY],
  max: [1, Number.POSITIVE_INFINITY],
  sum: [1, Number.POSITIVE_INFINITY],
  avg: [1, Number.POSITIVE_INFINITY],
  abs: [1, 1],
  round: [1, 2],
  coalesce: [1, Number.POSITIVE_INFINITY],
};

const KEYWORDS = new Set(['and', 'or', 'not']);
const MAX_DEPTH = 200;

const BARE_START = /[\p{L}_]/u;
const BARE_PART = /[\p{L}\p{M}\p{N}_.]/u;
const BARE_CODE = /^[\p{L}_][\p{L}\p{M}\p{N}_.]*$/u;
const BRACKET_FORBIDDEN = /[\s[\](),@]/u;

/** Whether a code can be written without brackets. */
export const isBareCode = (code: string): boolean =>
  BARE_CODE.test(code) && !KEYWORDS.has(code.toLowerCase());

/** Whether a string is a valid indicator code for formulas (bare or bracketed). */
export const isFormulaCode = (code: string): boolean =>
  typeof code === 'string' && code.length > 0 && !BRACKET_FORBIDDEN.test(code);

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { t: 'num'; pos: number; text: string; value: number }
  | { t: 'ident'; pos: number; text: string }
  | { t: 'code'; pos: number; text: string }
  | { t: 'op'; pos: number; text: string }
  | { t: 'eof'; pos: number; text: '' };

function syntaxError(src: string, position: number, vi: string, en: string): ChisoError {
  return new ChisoError({
    code: 'formula.syntax',
    vi: `Lỗi cú pháp công thức tại vị trí ${position}: ${vi}`,
    en: `Formula syntax error at position ${position}: ${en}`,
    position,
    details: { formula: src },
  });
}

const describeVi = (tok: Token): string => (tok.t === 'eof' ? 'hết công thức' : `'${tok.text}'`);
const describeEn = (tok: Token): string => (tok.t === 'eof' ? 'the end of the formula' : `'${tok.text}'`);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
/** The whole character (one or two UTF-16 units) starting at index i. */
const codePointAt = (s: string, i: number): string => String.fromCodePoint(s.codePointAt(i) ?? 0);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1]))) {
      while (isDigit(src[i])) i++;
      if (src[i] === '.') {
        i++;
        if (!isDigit(src[i])) {
          throw syntaxError(src, i, "cần chữ số sau dấu '.'", "expected a digit after '.'");
        }
        while (isDigit(src[i])) i++;
      }
      if (src[i] === 'e' || src[i] === 'E') {
        let j = i + 1;
        if (src[j] === '+' || src[j] === '-') j++;
        if (isDigit(src[j])) {
          while (isDigit(src[j])) j++;
          i = j;
        }
      }
      const text = src.slice(start, i);
      const value = Number(text);
      if (!Number.isFinite(value)) {
        throw syntaxError(
          src,
          start,
          `số quá lớn: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`,
          `number too large: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`,
        );
      }
      out.push({ t: 'num', pos: start, text, value });
      continue;
    }
    if (BARE_START.test(codePointAt(src, i))) {
      i += codePointAt(src, i).length;
      while (i < src.length && BARE_PART.test(codePointAt(src, i))) i += codePointAt(src, i).length;
      out.push({ t: 'ident', pos: start, text: src.slice(start, i) });
      continue;
    }
    if (c === '[') {
      i++;
      while (i < src.length && src[i] !== ']') {
        if (BRACKET_FORBIDDEN.test(src[i]!)) {
          throw syntaxError(
            src,
            i,
            "mã chỉ tiêu trong [ ] không được chứa khoảng trắng hoặc các ký tự [ ] ( ) , @ — cần ']'",
            "an indicator code in [ ] cannot contain whitespace or [ ] ( ) , @ — expected ']'",
          );
        }
        i++;
      }
      if (i >= src.length)
        throw syntaxError(src, i, "cần ']' để đóng mã chỉ tiêu", "expected ']' to close the code");
      if (i === start + 1)
        throw syntaxError(src, i, "cần mã chỉ tiêu trong '[ ]'", "expected an indicator code inside '[ ]'");
      out.push({ t: 'code', pos: start, text: src.slice(start + 1, i) });
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '==' || two === '!=') {
      out.push({ t: 'op', pos: start, text: two });
      i += 2;
      continue;
    }
    if ('+-*/^<>(),@'.includes(c)) {
      out.push({ t: 'op', pos: start, text: c });
      i++;
      continue;
    }
    if (c === '=') throw syntaxError(src, i, "dùng '==' để so sánh bằng", "use '==' to test equality");
    if (c === '!') throw syntaxError(src, i, "dùng 'not' hoặc '!='", "use 'not' or '!='");
    if (two === '&&') throw syntaxError(src, i, "dùng 'and'", "use 'and'");
    if (two === '||') throw syntaxError(src, i, "dùng 'or'", "use 'or'");
    throw syntaxError(src, i, `ký tự không hợp lệ '${c}'`, `unexpected character '${c}'`);
  }
  out.push({ t: 'eof', pos: src.length, text: '' });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parser (recursive descent; one function per precedence level)

const OPERAND_VI = "toán hạng (số, mã chỉ tiêu, hàm hoặc '(')";
const OPERAND_EN = "an operand (number, indicator code, function or '(')";

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.text === text;
  }
  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.t === 'ident' && t.text.toLowerCase() === word;
  }
  private fail(vi: string, en: string, tok: Token = this.peek()): never {
    throw syntaxError(
      this.src,
      tok.pos,
      `cần ${vi} nhưng gặp ${describeVi(tok)}`,
      `expected ${en} but found ${describeEn(tok)}`,
    );
  }
  private expectOp(text: string): void {
    if (!this.isOp(text)) this.fail(`'${text}'`, `'${text}'`);
    this.i++;
  }

  parseAll(): FormulaAst {
    if (this.peek().t === 'eof') this.fail(OPERAND_VI, OPERAND_EN);
    const ast = this.orExpr();
    if (this.peek().t !== 'eof') {
      this.fail('toán tử hoặc hết công thức', 'an operator or the end of the formula');
    }
    return ast;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      throw syntaxError(
        this.src,
        this.peek().pos,
        `công thức lồng nhau quá sâu (tối đa ${MAX_DEPTH} mức)`,
        `the formula is nested too deeply (at most ${MAX_DEPTH} levels)`,
      );
    }
  }

  private orExpr(): FormulaAst {
    this.enter();
    let left = this.andExpr();
    while (this.isKeyword('or')) {
      this.i++;
      left = { kind: 'binary', op: 'or', left, right: this.andExpr() };
    }
    this.depth--;
    return left;
  }

  private andExpr(): FormulaAst {
    let left = this.notExpr();
    while (this.isKeyword('and')) {
      this.i++;
      left = { kind: 'binary', op: 'and', left, right: this.notExpr() };
    }
    return left;
  }

  private notExpr(): FormulaAst {
    if (this.isKeyword('not')) {
      this.i++;
      this.enter();
      const arg = this.notExpr();
      this.depth--;
      return { kind: 'not', arg };
    }
    return this.cmpExpr();
  }

  private cmpExpr(): FormulaAst {
    const left = this.addExpr();
    const t = this.peek();
    if (t.t === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(t.text)) {
      this.i++;
      const right = this.addExpr();
      const after = this.peek();
      if (after.t === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(after.text)) {
        throw syntaxError(
          this.src,
          after.pos,
          "không được nối tiếp phép so sánh (a < b < c); dùng 'and'",
          "comparisons cannot be chained (a < b < c); use 'and'",
        );
      }
      return { kind: 'binary', op: t.text as BinaryOp, left, right };
    }
    return left;
  }

  private addExpr(): FormulaAst {
    let left = this.mulExpr();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || (t.text !== '+' && t.text !== '-')) return left;
      this.i++;
      left = { kind: 'binary', op: t.text, left, right: this.mulExpr() };
    }
  }

  private mulExpr(): FormulaAst {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || (t.text !== '*' && t.text !== '/')) return left;
      this.i++;
      left = { kind: 'binary', op: t.text, left, right: this.unary() };
    }
  }

  private unary(): FormulaAst {
    if (this.isOp('-') || this.isOp('+')) {
      const neg = this.next().text === '-';
      this.enter();
      const arg = this.unary();
      this.depth--;
      return neg ? { kind: 'neg', arg } : arg;
    }
    return this.power();
  }

  private power(): FormulaAst {
    const base = this.primary();
    if (this.isOp('^')) {
      this.i++;
      this.enter();
      const exp = this.unary();
      this.depth--;
      return { kind: 'binary', op: '^', left: base, right: exp };
    }
    return base;
  }

  private primary(): FormulaAst {
    const t = this.peek();
    if (t.t === 'num') {
      this.i++;
      return { kind: 'number', value: t.value };
    }
    if (t.t === 'code') {
      this.i++;
      return this.ref(t.text);
    }
    if (t.t === 'ident') {
      const lower = t.text.toLowerCase();
      const after = this.toks[this.i + 1]!;
      if (after.t === 'op' && after.text === '(') return this.call(t, lower);
      if (KEYWORDS.has(lower)) {
        this.fail(
          `${OPERAND_VI}; từ khóa '${t.text}' muốn dùng làm mã thì viết [${t.text}]`,
          `${OPERAND_EN}; write [${t.text}] to use the keyword as a code`,
        );
      }
      this.i++;
      return this.ref(t.text);
    }
    if (this.isOp('(')) {
      this.i++;
      const inner = this.orExpr();
      this.expectOp(')');
      return inner;
    }
    return this.fail(OPERAND_VI, OPERAND_EN);
  }

  private ref(code: string): FormulaAst {
    if (!this.isOp('@')) return { kind: 'ref', code, offset: 0 };
    this.i++;
    let sign = 1;
    if (this.isOp('-') || this.isOp('+')) sign = this.next().text === '-' ? -1 : 1;
    const n = this.peek();
    if (n.t !== 'num' || !/^\d+$/.test(n.text) || !Number.isSafeInteger(n.value)) {
      this.fail(
        "độ lệch kỳ là số nguyên sau '@' (ví dụ @-1)",
        "an integer period offset after '@' (e.g. @-1)",
      );
    }
    this.i++;
    return { kind: 'ref', code, offset: sign * n.value || 0 };
  }

  private call(nameTok: Token, lower: string): FormulaAst {
    if (!Object.hasOwn(FORMULA_FUNCTIONS, lower)) {
      const names = Object.keys(FORMULA_FUNCTIONS).join(', ');
      throw syntaxError(
        this.src,
        nameTok.pos,
        `không có hàm '${nameTok.text}'; các hàm: ${names}`,
        `unknown function '${nameTok.text}'; expected one of ${names}`,
      );
    }
    const fn = lower as FunctionName;
    this.i += 2; // name and '('
    const args: FormulaAst[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.orExpr());
        if (this.isOp(',')) {
          this.i++;
          continue;
        }
        if (!this.isOp(')')) this.fail("',' hoặc ')'", "',' or ')'");
        break;
      }
    }
    const close = this.next();
    const [min, max] = FORMULA_FUNCTIONS[fn];
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `${min}–${max}`;
      throw syntaxError(
        this.src,
        args.length < min ? close.pos : nameTok.pos,
        `hàm ${fn} cần ${want} đối số, có ${args.length}`,
        `${fn} expects ${want} argument(s), got ${args.length}`,
      );
    }
    return { kind: 'call', fn, args };
  }
}

/** Parse a formula. Throws ChisoError `formula.syntax` with the 0-based `position` of the fault. */
export function parseFormula(src: string): FormulaAst {
  if (typeof src !== 'string')
    throw syntaxError(String(src), 0, 'cần chuỗi công thức', 'expected a formula string');
  return new Parser(src, tokenize(src)).parseAll();
}

// ---------------------------------------------------------------------------------------------
// Dependencies and ordering

/** Every (code, offset) the formula reads, once each, in order of first appearance. */
export function formulaDependencies(ast: FormulaAst): Array<{ code: string; offset: number }> {
  const seen = new Set<string>();
  const out: Array<{ code: string; offset: number }> = [];
  const walk = (n: FormulaAst): void => {
    switch (n.kind) {
      case 'ref': {
        const key = `${n.offset}\u0000${n.code}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push({ code: n.code, offset: n.offset });
        }
        return;
      }
      case 'neg':
      case 'not':
        walk(n.arg);
        return;
      case 'binary':
        walk(n.left);
        walk(n.right);
        return;
      case 'call':
        for (const a of n.args) walk(a);
        return;
      case 'number':
        return;
    }
  };
  walk(ast);
  return out;
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Order derived indicators so that each comes after the derived indicators it reads in the same
 * period. Only offset-0 references order the computation: a reference to an earlier or later
 * period (X@-1) is not a cycle, the caller evaluates periods in order. Codes that are not keys of
 * `defs` are inputs and do not appear in the result. Deterministic: keys are visited in code order.
 * Throws ChisoError `formula.cycle` naming the cycle (details.cycle = ['A', 'B', 'A']).
 */
export function orderFormulas(defs: Record<string, FormulaAst>): string[] {
  const keys = Object.keys(defs).sort(byCode);
  const deps = new Map<string, string[]>();
  for (const k of keys) {
    deps.set(
      k,
      formulaDependencies(defs[k]!)
        .filter((d) => d.offset === 0 && Object.hasOwn(defs, d.code))
        .map((d) => d.code),
    );
  }
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = done
  const order: string[] = [];
  for (const root of keys) {
    if (state.has(root)) continue;
    const stack: Array<{ code: string; next: number }> = [{ code: root, next: 0 }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const ds = deps.get(top.code)!;
      if (top.next < ds.length) {
        const d = ds[top.next++]!;
        const s = state.get(d);
        if (s === 2) continue;
        if (s === 1) {
          const from = stack.findIndex((f) => f.code === d);
          const cycle = [...stack.slice(from).map((f) => f.code), d];
          throw new ChisoError({
            code: 'formula.cycle',
            vi: `Công thức phụ thuộc vòng tròn: ${cycle.join(' → ')}`,
            en: `Circular formula dependency: ${cycle.join(' → ')}`,
            details: { cycle },
          });
        }
        state.set(d, 1);
        stack.push({ code: d, next: 0 });
      } else {
        state.set(top.code, 2);
        order.push(top.code);
        stack.pop();
      }
    }
  }
  return order;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const EQ_TOLERANCE = 1e-9;
const approxEqual = (a: number, b: number): boolean =>
  Math.abs(a - b) <= EQ_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
const finite = (x: number): number | null => (Number.isFinite(x) ? x + 0 : null);
const truth = (x: number): number => (x !== 0 ? 1 : 0);

/** Round half away from zero to n decimals (n < 0 rounds to tens, hundreds …), robust to 2.675-style binary error. */
export function roundHalfAway(x: number, n = 0): number | null {
  if (!Number.isFinite(x) || !Number.isInteger(n) || n < -15 || n > 15) return null;
  const f = 10 ** Math.abs(n);
  const y = n >= 0 ? Math.abs(x) * f : Math.abs(x) / f;
  const r = y >= 2 ** 52 ? y : Math.round(y * (1 + 2 ** -50));
  const res = n >= 0 ? r / f : r * f;
  return finite(x < 0 ? -res : res + 0);
}

export type FormulaLookup = (code: string, offset: number) => number | null;

/**
 * Evaluate a formula. `lookup(code, offset)` returns the operand's value or null when missing
 * (NaN and ±Infinity count as missing). See the module comment for the rules on missing data.
 */
export function evaluateFormula(ast: FormulaAst, lookup: FormulaLookup): number | null {
  const ev = (n: FormulaAst): number | null => {
    switch (n.kind) {
      case 'number':
        return finite(n.value);
      case 'ref': {
        const v = lookup(n.code, n.offset);
        return typeof v === 'number' ? finite(v) : null;
      }
      case 'neg': {
        const v = ev(n.arg);
        return v === null ? null : finite(-v);
      }
      case 'not': {
        const v = ev(n.arg);
        return v === null ? null : v === 0 ? 1 : 0;
      }
      case 'binary':
        return binary(n.op, n.left, n.right);
      case 'call':
        return call(n.fn, n.args);
    }
  };

  const binary = (op: BinaryOp, l: FormulaAst, r: FormulaAst): number | null => {
    if (op === 'and' || op === 'or') {
      const decisive = op === 'and' ? 0 : 1;
      const a = ev(l);
      if (a !== null && truth(a) === decisive) return decisive;
      const b = ev(r);
      if (b !== null && truth(b) === decisive) return decisive;
      return a === null || b === null ? null : 1 - decisive;
    }
    const a = ev(l);
    if (a === null) return null;
    const b = ev(r);
    if (b === null) return null;
    switch (op) {
      case '+':
        return finite(a + b);
      case '-':
        return finite(a - b);
      case '*':
        return finite(a * b);
      case '/':
        return b === 0 ? null : finite(a / b);
      case '^':
        return finite(a ** b);
      case '==':
        return approxEqual(a, b) ? 1 : 0;
      case '!=':
        return approxEqual(a, b) ? 0 : 1;
      case '<':
        return a < b && !approxEqual(a, b) ? 1 : 0;
      case '<=':
        return a < b || approxEqual(a, b) ? 1 : 0;
      case '>':
        return a > b && !approxEqual(a, b) ? 1 : 0;
      case '>=':
        return a > b || approxEqual(a, b) ? 1 : 0;
    }
  };

  const all = (args: FormulaAst[]): number[] | null => {
    const out: number[] = [];
    for (const a of args) {
      const v = ev(a);
      if (v === null) return null;
      out.push(v);
    }
    return out;
  };

  const call = (fn: FunctionName, args: FormulaAst[]): number | null => {
    switch (fn) {
      case 'if': {
        const c = ev(args[0]!);
        if (c === null) return null;
        return ev(c !== 0 ? args[1]! : args[2]!);
      }
      case 'coalesce':
        for (const a of args) {
          const v = ev(a);
          if (v !== null) return v;
        }
        return null;
      case 'round': {
        const vs = all(args);
        if (!vs) return null;
        return roundHalfAway(vs[0]!, vs[1] ?? 0);
      }
      case 'abs': {
        const v = ev(args[0]!);
        return v === null ? null : Math.abs(v);
      }
      default: {
        const vs = all(args);
        if (!vs || vs.length === 0) return null;
        if (fn === 'min') return Math.min(...vs);
        if (fn === 'max') return Math.max(...vs);
        let s = 0;
        for (const v of vs) s += v;
        return finite(fn === 'sum' ? s : s / vs.length);
      }
    }
  };

  return ev(ast);
}

// ---------------------------------------------------------------------------------------------
// Formatting (canonical text; parseFormula(formatFormula(ast)) deep-equals ast for every AST whose
// number literals are finite and ≥ 0 and whose codes satisfy isFormulaCode — which is every AST
// parseFormula produces)

const PREC_OR = 1;
const PREC_AND = 2;
const PREC_NOT = 3;
const PREC_CMP = 4;
const PREC_ADD = 5;
const PREC_MUL = 6;
const PREC_NEG = 7;
const PREC_POW = 8;
const PREC_ATOM = 9;

const BINARY_PREC: Record<BinaryOp, number> = {
  or: PREC_OR,
  and: PREC_AND,
  '<': PREC_CMP,
  '<=': PREC_CMP,
  '>': PREC_CMP,
  '>=': PREC_CMP,
  '==': PREC_CMP,
  '!=': PREC_CMP,
  '+': PREC_ADD,
  '-': PREC_ADD,
  '*': PREC_MUL,
  '/': PREC_MUL,
  '^': PREC_POW,
};

function precOf(n: FormulaAst): number {
  switch (n.kind) {
    case 'number':
      return n.value < 0 || Object.is(n.value, -0) ? PREC_NEG : PREC_ATOM;
    case 'ref':
    case 'call':
      return PREC_ATOM;
    case 'neg':
      return PREC_NEG;
    case 'not':
      return PREC_NOT;
    case 'binary':
      return BINARY_PREC[n.op];
  }
}

function formatCode(code: string): string {
  if (!isFormulaCode(code)) {
    throw new ChisoError({
      code: 'formula.bad_code',
      vi: `Mã chỉ tiêu không dùng được trong công thức: '${code}'`,
      en: `Indicator code cannot be used in a formula: '${code}'`,
    });
  }
  return isBareCode(code) ? code : `[${code}]`;
}

/** Canonical text of a formula, with the fewest parentheses that keep its meaning. */
export function formatFormula(ast: FormulaAst): string {
  const wrap = (n: FormulaAst, paren: boolean): string => (paren ? `(${fmt(n)})` : fmt(n));
  const fmt = (n: FormulaAst): string => {
    switch (n.kind) {
      case 'number':
        if (!Number.isFinite(n.value)) {
          throw new ChisoError({
            code: 'formula.bad_number',
            vi: `Số không hữu hạn trong công thức: ${n.value}`,
            en: `Non-finite number in a formula: ${n.value}`,
          });
        }
        return n.value < 0 || Object.is(n.value, -0) ? `-${String(-n.value)}` : String(n.value);
      case 'ref':
        return n.offset === 0 ? formatCode(n.code) : `${formatCode(n.code)}@${n.offset}`;
      case 'neg':
        return `-${wrap(n.arg, precOf(n.arg) < PREC_NEG)}`;
      case 'not':
        return `not ${wrap(n.arg, precOf(n.arg) < PREC_NOT)}`;
      case 'call':
        return `${n.fn}(${n.args.map(fmt).join(', ')})`;
      case 'binary': {
        const p = BINARY_PREC[n.op];
        const lp = precOf(n.left);
        const rp = precOf(n.right);
        let leftParen: boolean;
        let rightParen: boolean;
        if (p === PREC_POW) {
          leftParen = lp <= p;
          rightParen = rp < p;
        } else if (p === PREC_CMP) {
          leftParen = lp <= p;
          rightParen = rp <= p;
        } else {
          leftParen = lp < p;
          rightParen = rp <= p;
        }
        return `${wrap(n.left, leftParen)} ${n.op} ${wrap(n.right, rightParen)}`;
      }
    }
  };
  return fmt(ast);
}
