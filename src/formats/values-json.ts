/**
 * chiso's values JSON, read incrementally and written streaming: either a top-level array of value
 * objects, or `{"format": "chiso-values/1", "values": [ … ]}`. Each object has the fields of the CSV
 * (`indicator_code` or `indicator`, `period`, `org_unit_code` or `org_unit`, `value`, and optionally
 * `disagg`, `provenance`, `status`, `source_document`, `comment`). `value` is a JSON number or null;
 * a number written as text is a wrong type and is refused. Text is taken as written.
 */
import { ChisoError, type ChisoErrorInit } from '../core/errors.ts';
import { checkMagnitude, formulaError, isFormulaText } from './cells.ts';
import { streamJson } from './json-stream.ts';
import { type ByteSource, utf8Text } from './utf8.ts';
import { DESCRIPTIVE_COLUMNS, VALUE_CSV_COLUMNS, VALUES_FORMAT, type ValueExportRow } from './values-csv.ts';
import type { ValueField, ValueRow } from './value-row.ts';

const FIELD_OF = new Map<string, ValueField>(
  VALUE_CSV_COLUMNS.flatMap((c) => c.names.map((n) => [n, c.field] as const)),
);

export function valueRowFromObject(obj: unknown, line: number, file: string): ValueRow {
  const errors: ChisoErrorInit[] = [];
  const where: Partial<Record<ValueField, string>> = {};
  const row: ValueRow = {
    line,
    where,
    indicator: '',
    period: '',
    org_unit: '',
    disagg: '',
    value: null,
    errors,
  };
  const err = (code: string, column: string, vi: string, en: string) =>
    errors.push({ code, file, row: line, column, vi, en });
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    err(
      'import.not_an_object',
      '',
      'phần tử phải là một đối tượng JSON.',
      'the element must be a JSON object.',
    );
    return row;
  }
  const seen = new Set<ValueField>();
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const field = FIELD_OF.get(k);
    if (!field) {
      if (!DESCRIPTIVE_COLUMNS.has(k))
        err(
          'import.unknown_field',
          k,
          `trường '${k}' không thuộc định dạng.`,
          `field '${k}' is not part of the format.`,
        );
      continue;
    }
    if (seen.has(field)) {
      err('import.duplicate_field', k, `trường '${k}' lặp lại.`, `field '${k}' is given twice.`);
      continue;
    }
    seen.add(field);
    where[field] = k;
    if (field === 'value') {
      if (v === null) row.value = null;
      else if (typeof v === 'number') {
        const r = checkMagnitude(k, v);
        if (r.ok) row.value = r.value;
        else errors.push({ ...r.error, file, row: line });
      } else if (typeof v === 'string' && isFormulaText(v))
        errors.push({ ...formulaError(k, v), file, row: line });
      else
        err(
          'value.type',
          k,
          `'${k}' phải là số JSON hoặc null (nhận được ${typeof v === 'string' ? `chuỗi "${v}"` : typeof v}).`,
          `'${k}' must be a JSON number or null (got ${typeof v === 'string' ? `the string "${v}"` : typeof v}).`,
        );
      continue;
    }
    if (v === null || v === undefined) {
      if (field === 'comment' || field === 'source_document') row[field] = null;
      continue;
    }
    if (typeof v !== 'string') {
      err('value.type', k, `'${k}' phải là chuỗi.`, `'${k}' must be a string.`);
      continue;
    }
    // JSON text is never run by a spreadsheet: it is taken as written (formulas matter in CSV and xlsx).
    const s = v;
    switch (field) {
      case 'indicator':
      case 'period':
      case 'org_unit':
      case 'disagg':
        row[field] = s.trim();
        break;
      case 'provenance':
      case 'status':
        if (s.trim()) row[field] = s.trim();
        break;
      case 'comment':
      case 'source_document':
        row[field] = s === '' ? null : s;
        break;
    }
  }
  for (const c of VALUE_CSV_COLUMNS) {
    if (c.required && !seen.has(c.field))
      err(
        'import.missing_field',
        c.names[0]!,
        `thiếu trường bắt buộc '${c.names[0]}'.`,
        `the required field '${c.names[0]}' is missing.`,
      );
  }
  return row;
}

/** Streams the rows of a chiso values JSON file. */
export async function* readValuesJson(source: ByteSource, file = 'values.json'): AsyncGenerator<ValueRow> {
  for await (const ev of streamJson(utf8Text(source, file), { file, streamKeys: ['values'] })) {
    if (ev.kind === 'member') {
      if (ev.key === 'format' && ev.value !== VALUES_FORMAT) {
        throw new ChisoError({
          code: 'import.format',
          file,
          field: 'format',
          vi: `Tệp ${file}: 'format' phải là '${VALUES_FORMAT}'.`,
          en: `File ${file}: 'format' must be '${VALUES_FORMAT}'.`,
        });
      }
      continue;
    }
    if (ev.key !== null && ev.key !== 'values') continue;
    yield valueRowFromObject(ev.value, ev.line, file);
  }
}

/** Streams values as a chiso values JSON document, one value per line. */
export async function* valuesJsonChunks(
  batches: AsyncIterable<ValueExportRow[]> | Iterable<ValueExportRow[]>,
  meta: Record<string, unknown> = {},
): AsyncGenerator<string> {
  const head = { format: VALUES_FORMAT, ...meta };
  yield `${JSON.stringify(head).slice(0, -1)},"values":[\n`;
  let first = true;
  for await (const batch of batches) {
    let out = '';
    for (const r of batch) {
      out += `${first ? '' : ',\n'}${JSON.stringify({
        indicator_code: r.indicator_code,
        period: r.period,
        org_unit_code: r.org_unit_code,
        disagg: r.disagg,
        value: r.value,
        provenance: r.provenance,
        status: r.status,
        source_document: r.source_document,
        comment: r.comment,
      })}`;
      first = false;
    }
    if (out) yield out;
  }
  yield '\n]}\n';
}
