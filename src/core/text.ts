/**
 * Vietnamese-aware text helpers: folding diacritics so that "chuyen doi so" finds "chuyển đổi số",
 * and a collator that sorts Vietnamese names the way a Vietnamese reader expects.
 */
import { ChisoError } from './errors.ts';

/** Lower-case, strip every combining mark and map đ/Đ to d: the key used for search. */
export function foldVi(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when every word of `query` occurs in `text`, ignoring case and diacritics. */
export function matchesVi(text: string, query: string): boolean {
  const hay = foldVi(text);
  return foldVi(query)
    .split(' ')
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

// Made on first use: building a Vietnamese collator loads its rules (tens of milliseconds on a phone),
// which a page that only imports this module, to search, should not pay while it starts.
let collator: Intl.Collator | undefined;
export function compareVi(a: string, b: string): number {
  collator ??= new Intl.Collator('vi', { sensitivity: 'base', numeric: true });
  return collator.compare(a, b);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first string in a parsed input (object, array or string, walked depth first) that PostgreSQL
 * cannot store: one holding a NUL character or a lone UTF-16 surrogate (JSON allows both as
 * escapes, `\u0000` and `\ud800`). Returns its path (`documents[3].note`; `''` for the input
 * itself) and the reason, or null when every string is storable.
 */
export function findUnstorableText(
  value: unknown,
  path = '',
): { path: string; reason: 'nul' | 'surrogate' } | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { path, reason: 'nul' };
    if (LONE_SURROGATE.test(value)) return { path, reason: 'surrogate' };
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findUnstorableText(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    // Plain objects only (what JSON.parse and YAML readers make): never walk a stream or a class.
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return null;
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      const badKey = findUnstorableText(k, here);
      if (badKey) return badKey;
      const bad = findUnstorableText(v, here);
      if (bad) return bad;
    }
  }
  return null;
}

/** The precise rejection of what findUnstorableText found (400; the field is its path). */
export function unstorableTextError(
  bad: { path: string; reason: 'nul' | 'surrogate' },
  file?: string,
): ChisoError {
  const where = bad.path || '(input)';
  return new ChisoError({
    code: bad.reason === 'nul' ? 'input.nul_character' : 'input.lone_surrogate',
    status: 400,
    ...(file ? { file } : {}),
    field: where,
    vi:
      bad.reason === 'nul'
        ? `Trường ${where} chứa ký tự NUL (\\u0000), không lưu được.`
        : `Trường ${where} chứa ký tự Unicode không hợp lệ (nửa cặp thay thế UTF-16, ví dụ \\ud800), không lưu được.`,
    en:
      bad.reason === 'nul'
        ? `Field ${where} contains a NUL character (\\u0000), which cannot be stored.`
        : `Field ${where} contains invalid Unicode (a lone UTF-16 surrogate such as \\ud800), which cannot be stored.`,
  });
}
