/**
 * Formatting for the reader's language: numbers with Vietnamese separators in vi (1.234,5), dates
 * as dd/mm/yyyy, period labels from src/core/period.ts.
 */
import { formatPeriodEn, formatPeriodVi, tryParsePeriod } from '../../core/period.ts';
import type { Lang } from '../i18n/i18n.tsx';

const locale = (lang: Lang) => (lang === 'vi' ? 'vi-VN' : 'en-GB');
const numberFormats = new Map<string, Intl.NumberFormat>();

function nf(lang: Lang, maxDigits: number): Intl.NumberFormat {
  const k = `${lang}:${maxDigits}`;
  let f = numberFormats.get(k);
  if (!f) {
    f = new Intl.NumberFormat(locale(lang), { maximumFractionDigits: maxDigits });
    numberFormats.set(k, f);
  }
  return f;
}

const SEPARATORS: Record<Lang, { group: string; decimal: string }> = {
  vi: { group: '.', decimal: ',' },
  en: { group: ',', decimal: '.' },
};

/** The shortest decimal that reads back as `a` (0 ≤ a < 1e21), in plain notation: whole and fraction digits. */
function decimalDigits(a: number): [string, string] {
  const s = String(a);
  const e = s.indexOf('e');
  if (e < 0) {
    const dot = s.indexOf('.');
    return dot < 0 ? [s, ''] : [s.slice(0, dot), s.slice(dot + 1)];
  }
  // below 1e-6 String() writes an exponent: d.ddd e-x
  const digits = s.slice(0, e).replace('.', '');
  const point = 1 + Number(s.slice(e + 1));
  if (point <= 0) return ['0', '0'.repeat(-point) + digits];
  if (point >= digits.length) return [digits + '0'.repeat(point - digits.length), ''];
  return [digits.slice(0, point), digits.slice(point)];
}

/**
 * `n` with at most `maxDigits` decimals, as Intl.NumberFormat writes it for vi-VN and en-GB: the
 * shortest decimal of the number rounded half away from zero, trailing zeros dropped, grouped by
 * threes (a property test holds the two equal). No Intl formatter is made: the first one loads the
 * locale's data, tens of milliseconds on a phone while the page starts. Intl itself for numbers of
 * 1e21 or more.
 */
function formatDecimal(lang: Lang, n: number, maxDigits: number): string {
  const a = Math.abs(n);
  if (a >= 1e21 || !Number.isInteger(maxDigits) || maxDigits < 0 || maxDigits > 20)
    return nf(lang, maxDigits).format(n);
  let [whole, fraction] = decimalDigits(a);
  if (fraction.length > maxDigits) {
    const up = fraction.charCodeAt(maxDigits) >= 53; // the first digit dropped is 5 or more
    fraction = fraction.slice(0, maxDigits);
    if (up) {
      const digits = [...whole, ...fraction];
      let i = digits.length - 1;
      for (; i >= 0 && digits[i] === '9'; i--) digits[i] = '0';
      if (i < 0) digits.unshift('1');
      else digits[i] = String(Number(digits[i]) + 1);
      whole = digits.slice(0, digits.length - maxDigits).join('');
      fraction = digits.slice(digits.length - maxDigits).join('');
    }
  }
  fraction = fraction.replace(/0+$/, '');
  const { group, decimal } = SEPARATORS[lang];
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  return `${sign}${whole.replace(/\B(?=(\d{3})+$)/g, group)}${fraction ? decimal + fraction : ''}`;
}

/** A number, or an en dash when missing. */
export function formatNumber(lang: Lang, n: number | null | undefined, maxDigits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return formatDecimal(lang, n, maxDigits);
}

/** A value with its unit of measure: "85,5%" / "85.5%", "12 hệ thống". */
export function formatValue(lang: Lang, n: number | null | undefined, unit?: string | null): string {
  const s = formatNumber(lang, n);
  if (s === '–' || !unit) return s;
  if (unit === '%') return `${s}%`;
  if (unit === 'rank') return `#${s}`;
  return `${s} ${unit}`;
}

/** A signed change: "+1,5" / "−2". */
export function formatChange(lang: Lang, n: number | null | undefined, maxDigits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const s = formatDecimal(lang, Math.abs(n), maxDigits);
  return n > 0 ? `+${s}` : n < 0 ? `−${s}` : s;
}

/** dd/mm/yyyy from an ISO date or timestamp (the date part as written, no time-zone shift). */
export function formatDate(_lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** dd/mm/yyyy hh:mm in the reader's time zone, from a timestamp. */
export function formatDateTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso.includes('T') ? iso : iso.replace(' ', 'T'));
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
  return lang === 'vi'
    ? `${pad(d.getHours())}:${pad(d.getMinutes())} ${date}`
    : `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "Năm 2024", "Quý 1/2024" / "2024", "Q1 2024"; an unknown code is shown as it is. */
export function formatPeriod(lang: Lang, code: string): string {
  const p = tryParsePeriod(code);
  if (!p) return code;
  return lang === 'vi' ? formatPeriodVi(p) : formatPeriodEn(p);
}

/** A period inside a sentence: a year is just "2024"; other periods keep their label. */
export function formatPeriodShort(lang: Lang, code: string): string {
  return /^\d{4}$/.test(code) ? code : formatPeriod(lang, code);
}
