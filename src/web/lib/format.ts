/**
 * Formatting for the reader's language: numbers with Vietnamese separators in vi (1.234,5), dates
 * as dd/mm/yyyy, period labels from src/core/period.ts.
 */
import { formatPeriodEn, formatPeriodVi, tryParsePeriod } from '../../core/period.ts';
import type { Lang } from '../i18n/i18n.tsx';

const locale = (lang: Lang) => (lang === 'vi' ? 'vi-VN' : 'en-GB');
const numberFormats = new Map<string, Intl.NumberFormat>();

function nf(lang: Lang, maxDigits: number, minDigits = 0): Intl.NumberFormat {
  const k = `${lang}:${maxDigits}:${minDigits}`;
  let f = numberFormats.get(k);
  if (!f) {
    f = new Intl.NumberFormat(locale(lang), {
      maximumFractionDigits: maxDigits,
      minimumFractionDigits: minDigits,
    });
    numberFormats.set(k, f);
  }
  return f;
}

/**
 * Makes the language's usual number format ahead of the first render that needs it: the first one
 * loads the locale's data, tens of milliseconds on a phone (the application's start, app.tsx, gives
 * it a task of its own).
 */
export function prepareNumberFormat(lang: Lang): void {
  nf(lang, 2);
}

/** A number, or an en dash when missing. */
export function formatNumber(lang: Lang, n: number | null | undefined, maxDigits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return nf(lang, maxDigits).format(n);
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
  const s = nf(lang, maxDigits).format(Math.abs(n));
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
