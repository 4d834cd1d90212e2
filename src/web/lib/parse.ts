/**
 * Reading a number typed by a person. In Vietnamese "1.234,5" is 1234.5 (dot groups thousands,
 * comma marks decimals); in English "1,234.5". A lone separator followed by exactly three digits in
 * a group pattern (1.234 in vi, 1,234 in en) groups thousands; otherwise it marks decimals, so
 * "85.5" and "85,5" are both 85.5 in either language.
 */
import type { Lang } from '../i18n/i18n.tsx';

export type Parsed = { ok: true; value: number | null } | { ok: false };

export function parseNumber(lang: Lang, raw: string): Parsed {
  const s = raw
    .trim()
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(/^−/, '-');
  if (s === '') return { ok: true, value: null };
  if (!/^[-+]?[\d.,]+$/.test(s) || !/\d/.test(s)) return { ok: false };
  const group = lang === 'vi' ? '.' : ',';
  const decimal = lang === 'vi' ? ',' : '.';
  const esc = (c: string) => (c === '.' ? '\\.' : c);
  let normal: string;
  if (s.includes(group) && s.includes(decimal)) {
    const at = s.lastIndexOf(decimal);
    const int = s.slice(0, at);
    const frac = s.slice(at + 1);
    if (!/^\d*$/.test(frac) || !new RegExp(`^[-+]?\\d{1,3}(${esc(group)}\\d{3})+$`).test(int))
      return { ok: false };
    normal = `${int.replaceAll(group, '')}.${frac}`;
  } else {
    const sep = s.includes('.') ? '.' : s.includes(',') ? ',' : null;
    if (!sep) normal = s;
    else {
      const parts = s.split(sep);
      const thousands =
        sep === group &&
        parts.length >= 2 &&
        /^[-+]?[1-9]\d{0,2}$/.test(parts[0]!) &&
        parts.slice(1).every((p) => /^\d{3}$/.test(p));
      if (thousands) normal = parts.join('');
      else if (parts.length === 2) normal = `${parts[0]}.${parts[1]}`;
      else return { ok: false };
    }
  }
  const n = Number(normal);
  return Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
}

/** A number as a person would type it back (no grouping, the language's decimal mark). */
export function toInput(lang: Lang, n: number | null): string {
  if (n === null) return '';
  const s = String(n);
  return lang === 'vi' ? s.replace('.', ',') : s;
}
