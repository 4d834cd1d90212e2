/**
 * Vietnamese-aware text helpers: folding diacritics so that "chuyen doi so" finds "chuyển đổi số",
 * and a collator that sorts Vietnamese names the way a Vietnamese reader expects.
 */

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

const collator = new Intl.Collator('vi', { sensitivity: 'base', numeric: true });
export const compareVi = (a: string, b: string): number => collator.compare(a, b);
