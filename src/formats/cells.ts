/**
 * Reading one cell of a file: numbers written as text, spreadsheet formulas, escaped text. Pure.
 *
 * - Numbers: an optional sign, digits, an optional '.' fraction and exponent (`12`, `-3.5`, `1e6`).
 *   A decimal comma (`12,5`), thousands separators, `NaN`, `Infinity` and magnitudes above 1e15 are
 *   refused: above 1e15 a double no longer holds every integer, so the figure would change silently.
 * - Formulas: a text cell starting with `=`, `+`, `-` or `@` that is not a number is what a spreadsheet
 *   would run as a formula (CSV injection). It is refused; to keep such text, start it with an
 *   apostrophe, which is what chiso's own writers do and what the readers remove again.
 */
import type { ChisoErrorInit } from '../core/errors.ts';

export const MAX_ABS_VALUE = 1e15;

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export type CellResult<T> = { ok: true; value: T } | { ok: false; error: Omit<ChisoErrorInit, 'row'> };

export const isFormulaText = (s: string): boolean => /^[=+\-@]/.test(s) && !NUMBER_RE.test(s.trim());

/** Removes the apostrophe that protects text starting with a formula character. */
export function unescapeText(s: string): string {
  return /^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s;
}

export function formulaError(column: string, text: string): Omit<ChisoErrorInit, 'row'> {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return {
    code: 'cell.formula',
    column,
    vi: `Cột '${column}': ô chứa công thức bảng tính '${shown}'; chỉ nhận giá trị, không nhận công thức (muốn giữ chữ, thêm dấu ' ở đầu).`,
    en: `Column '${column}': the cell holds a spreadsheet formula '${shown}'; only values are accepted, not formulas (to keep it as text, start it with ').`,
  };
}

/** Checks a number already parsed (from JSON or a spreadsheet): finite and within ±1e15. */
export function checkMagnitude(column: string, v: number, shown: string = String(v)): CellResult<number> {
  if (!Number.isFinite(v)) {
    return {
      ok: false,
      error: {
        code: 'value.not_finite',
        column,
        vi: `Cột '${column}': '${shown}' không phải số hữu hạn.`,
        en: `Column '${column}': '${shown}' is not a finite number.`,
      },
    };
  }
  if (Math.abs(v) > MAX_ABS_VALUE) {
    return {
      ok: false,
      error: {
        code: 'value.too_large',
        column,
        vi: `Cột '${column}': số ${shown} vượt quá giới hạn ±1e15.`,
        en: `Column '${column}': the number ${shown} is beyond the limit of ±1e15.`,
      },
    };
  }
  return { ok: true, value: v === 0 ? 0 : v };
}

/** Parses a numeric cell written as text. Blank → null (missing). */
export function parseNumberCell(column: string, raw: string): CellResult<number | null> {
  const s = raw.trim();
  if (s === '') return { ok: true, value: null };
  if (NUMBER_RE.test(s)) return checkMagnitude(column, Number(s), s);
  if (/^[=@]/.test(s) || /^[+-]\D/.test(s)) return { ok: false, error: formulaError(column, s) };
  if (/^[+-]?(nan|inf|infinity)$/i.test(s)) return checkMagnitude(column, Number.NaN, s);
  const hint = /^[+-]?\d+,\d+$/.test(s)
    ? { vi: ' Dùng dấu chấm (.) làm dấu thập phân.', en: ' Use a point (.) as the decimal separator.' }
    : /^[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?$/.test(s)
      ? { vi: ' Không dùng dấu phân cách hàng nghìn.', en: ' Do not use thousands separators.' }
      : { vi: '', en: '' };
  return {
    ok: false,
    error: {
      code: 'value.not_a_number',
      column,
      vi: `Cột '${column}': '${s}' không phải là số.${hint.vi}`,
      en: `Column '${column}': '${s}' is not a number.${hint.en}`,
    },
  };
}

/** A text cell: refuses formulas, removes the protecting apostrophe. Blank → null. */
export function parseTextCell(column: string, raw: string): CellResult<string | null> {
  if (raw === '') return { ok: true, value: null };
  // Most cells start with none of = + - @ ' (a formula or an escape): nothing to check or remove.
  const c = raw.charCodeAt(0);
  if (c !== 0x3d && c !== 0x2b && c !== 0x2d && c !== 0x40 && c !== 0x27) return { ok: true, value: raw };
  if (isFormulaText(raw)) return { ok: false, error: formulaError(column, raw) };
  return { ok: true, value: unescapeText(raw) };
}

/** Spreadsheet column letters of a 1-based index: 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}
