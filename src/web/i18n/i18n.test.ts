/**
 * The translation files agree (same keys, same placeholders, no empty string), every key the code
 * uses exists, a public page uses only the common files (the "work" namespace loads with the
 * workspace and administration pages), and no text reaches the page without going through them:
 * JSX text and the user-visible attributes (aria-label, title, placeholder, alt) must not be string
 * literals.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import en from './en.json' with { type: 'json' };
import vi from './vi.json' with { type: 'json' };
import workEn from './work/en.json' with { type: 'json' };
import workVi from './work/vi.json' with { type: 'json' };

const WEB = join(import.meta.dirname, '..');

function flatten(o: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** Sources of the pages under workspace/ and admin/ (router.tsx loads the "work" strings for them). */
const WORK_FILE =
  /^features\/(?:admin|admin-workflow|review|workspace)\/|^features\/feedback\/FeedbackInboxPage\.tsx$/;

/** Keys of the "work" namespace used by a source outside the work pages, as "file: key". */
function workKeysOutside(files: Array<[string, string]>, common: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [rel, code] of files) {
    if (WORK_FILE.test(rel)) continue;
    for (const m of code.matchAll(/\bt\(\s*'([\w.]+)'/g)) if (!common.has(m[1]!)) out.push(`${rel}: ${m[1]}`);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Text that a reader would see: anything with a letter (codes and symbols alone are not text). */
const isText = (s: string) => /\p{L}{2,}/u.test(s.trim());

const VISIBLE_ATTRS = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'label']);

/** Literal texts that bypass the translation files, as "file:line: text". */
function untranslated(file: string, code: string): string[] {
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: string[] = [];
  const where = (n: ts.Node) =>
    `${relative(WEB, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (n: ts.Node) => {
    if (ts.isJsxText(n) && isText(n.text)) out.push(`${where(n)}: ${n.text.trim()}`);
    if (ts.isJsxAttribute(n) && VISIBLE_ATTRS.has(n.name.getText(sf)) && n.initializer) {
      const init = n.initializer;
      const lit = ts.isStringLiteral(init)
        ? init
        : ts.isJsxExpression(init) && init.expression && ts.isStringLiteralLike(init.expression)
          ? init.expression
          : null;
      if (lit && isText(lit.text)) out.push(`${where(n)}: ${n.name.getText(sf)}="${lit.text}"`);
    }
    if (
      ts.isJsxExpression(n) &&
      n.expression &&
      ts.isStringLiteralLike(n.expression) &&
      !ts.isJsxAttribute(n.parent) &&
      isText(n.expression.text)
    ) {
      out.push(`${where(n)}: {'${n.expression.text}'}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('translations', () => {
  const common = flatten(vi);
  const work = flatten(workVi);
  const fvi = new Map([...common, ...work]);
  const fen = new Map([...flatten(en), ...flatten(workEn)]);

  it('vi.json and en.json have the same keys, and so have work/vi.json and work/en.json', () => {
    const commonEn = flatten(en);
    const workEnKeys = flatten(workEn);
    expect([...commonEn.keys()].filter((k) => !common.has(k))).toEqual([]);
    expect([...common.keys()].filter((k) => !commonEn.has(k))).toEqual([]);
    expect([...workEnKeys.keys()].filter((k) => !work.has(k))).toEqual([]);
    expect([...work.keys()].filter((k) => !workEnKeys.has(k))).toEqual([]);
  });

  it('no key is in both the common files and the work namespace', () => {
    expect([...work.keys()].filter((k) => common.has(k))).toEqual([]);
  });

  it('pages outside workspace and admin use only the common strings (the work namespace is not loaded there)', () => {
    const files = sources(WEB).map((f): [string, string] => [relative(WEB, f), readFileSync(f, 'utf8')]);
    expect(workKeysOutside(files, common)).toEqual([]);
    // the check can fail: a public page reading a work key is found
    const key = [...work.keys()][0]!;
    expect(workKeysOutside([['features/overview/X.tsx', `t('${key}')`]], common)).toEqual([
      `features/overview/X.tsx: ${key}`,
    ]);
  });

  it('every translation is non-empty and has the same placeholders in both languages', () => {
    for (const [k, v] of fvi) {
      expect(v.trim(), `vi ${k}`).not.toBe('');
      expect(fen.get(k)?.trim(), `en ${k}`).not.toBe('');
      expect(placeholders(fen.get(k) ?? ''), `placeholders of ${k}`).toEqual(placeholders(v));
    }
  });

  it('every key used by the code exists', () => {
    const missing: string[] = [];
    for (const file of sources(WEB)) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/\bt\(\s*'([\w.]+)'/g)) {
        if (!fvi.has(m[1]!)) missing.push(`${relative(WEB, file)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no JSX text or visible attribute is a literal', () => {
    const found = sources(WEB)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) => untranslated(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('the literal check finds literals (so that it can fail)', () => {
    const code = `const A = () => <p title="Xin chào">Chào bạn {'thế giới'} <b aria-label={'nhãn'}>{t('x')}</b> 42 %</p>;`;
    expect(untranslated(join(WEB, 'x.tsx'), code)).toEqual([
      'x.tsx:1: title="Xin chào"',
      'x.tsx:1: Chào bạn',
      "x.tsx:1: {'thế giới'}",
      'x.tsx:1: aria-label="nhãn"',
    ]);
  });
});
