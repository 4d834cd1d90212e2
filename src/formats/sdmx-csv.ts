/**
 * SDMX-CSV (version 1.0 of the SDMX-CSV format): the first column names the dataflow
 * (`AGENCY:ID(VERSION)`), then one column per dimension, `OBS_VALUE`, then attributes.
 *
 * chiso's values dataflow `CHISO:DF_VALUES(1.0)`: dimensions INDICATOR, REF_AREA (org unit code),
 * DISAGGREGATION ('_T' for the total, as SDMX codes totals), TIME_PERIOD (SDMX notation: 2024,
 * 2024-S1, 2024-Q1, 2024-03); attributes UNIT_MEASURE, OBS_STATUS ('A' approved, 'P' provisional),
 * COMMENT. Targets: `CHISO:DF_TARGETS(1.0)` with INDICATOR, REF_AREA (a unit code, or LEVEL:<level>),
 * TIME_PERIOD, and attributes COMPARATOR, OBS_VALUE_MAX, UNIT_MEASURE.
 */
import { ChisoError, type ChisoErrorInit } from '../core/errors.ts';
import { formatPeriod, type Period, parsePeriod } from '../core/period.ts';
import { parseNumberCell, parseTextCell } from './cells.ts';
import { type CsvCell, csvLine } from './csv.ts';
import { csvRecords } from './csv-read.ts';
import type { ByteSource } from './utf8.ts';
import type { ValueRow } from './value-row.ts';

export const VALUES_DATAFLOW = 'CHISO:DF_VALUES(1.0)';
export const TARGETS_DATAFLOW = 'CHISO:DF_TARGETS(1.0)';
export const SDMX_TOTAL = '_T';

export function toSdmxPeriod(p: Period): string {
  switch (p.type) {
    case 'year':
      return String(p.year);
    case 'half':
      return `${p.year}-S${p.index}`;
    case 'quarter':
      return `${p.year}-Q${p.index}`;
    case 'month':
      return `${p.year}-${String(p.index).padStart(2, '0')}`;
  }
}

export function fromSdmxPeriod(s: string): Period {
  const m = /^(\d{4})-([SQ])(\d)$/.exec(s);
  return parsePeriod(m ? `${m[1]}${m[2]}${m[3]}` : s);
}

export interface SdmxValueRow {
  indicator_code: string;
  org_unit_code: string;
  disagg: string;
  period: string;
  value: number | null;
  unit_of_measure: string;
  status: string;
  comment: string | null;
}

export const SDMX_VALUE_COLUMNS = [
  'DATAFLOW',
  'INDICATOR',
  'REF_AREA',
  'DISAGGREGATION',
  'TIME_PERIOD',
  'OBS_VALUE',
  'UNIT_MEASURE',
  'OBS_STATUS',
  'COMMENT',
] as const;

export async function* sdmxValuesCsvChunks(
  batches: AsyncIterable<SdmxValueRow[]> | Iterable<SdmxValueRow[]>,
): AsyncGenerator<string> {
  yield csvLine([...SDMX_VALUE_COLUMNS]);
  for await (const batch of batches) {
    let out = '';
    for (const r of batch) {
      const cells: CsvCell[] = [
        VALUES_DATAFLOW,
        r.indicator_code,
        r.org_unit_code,
        r.disagg === '' ? SDMX_TOTAL : r.disagg,
        toSdmxPeriod(parsePeriod(r.period)),
        r.value,
        r.unit_of_measure,
        r.status === 'approved' ? 'A' : 'P',
        r.comment,
      ];
      out += csvLine(cells);
    }
    if (out) yield out;
  }
}

/** Reads chiso's values SDMX-CSV back (dimensions by header name). */
export async function* readSdmxValuesCsv(
  source: ByteSource,
  file = 'values.sdmx.csv',
): AsyncGenerator<ValueRow> {
  let idx: Map<string, number> | null = null;
  for await (const rec of csvRecords(source, { file })) {
    if (!idx) {
      idx = new Map(rec.cells.map((c, i) => [c.trim().toUpperCase(), i]));
      const missing = ['DATAFLOW', 'INDICATOR', 'REF_AREA', 'TIME_PERIOD', 'OBS_VALUE'].filter(
        (c) => !idx!.has(c),
      );
      if (missing.length)
        throw new ChisoError({
          code: 'import.missing_column',
          file,
          row: rec.line,
          column: missing.join(', '),
          vi: `Tệp ${file}, dòng tiêu đề: thiếu cột ${missing.join(', ')}.`,
          en: `File ${file}, header row: missing column(s) ${missing.join(', ')}.`,
        });
      continue;
    }
    const get = (c: string) => {
      const i = idx!.get(c);
      return i === undefined ? '' : (rec.cells[i] ?? '');
    };
    const errors: ChisoErrorInit[] = [];
    if (get('DATAFLOW') !== VALUES_DATAFLOW)
      errors.push({
        code: 'sdmx.dataflow',
        file,
        row: rec.line,
        column: 'DATAFLOW',
        vi: `Luồng dữ liệu phải là ${VALUES_DATAFLOW}.`,
        en: `The dataflow must be ${VALUES_DATAFLOW}.`,
      });
    let period = get('TIME_PERIOD');
    try {
      period = formatPeriod(fromSdmxPeriod(period));
    } catch {
      // the catalogue check reports the malformed period
    }
    const v = parseNumberCell('OBS_VALUE', get('OBS_VALUE'));
    if (!v.ok) errors.push({ ...v.error, file, row: rec.line });
    const d = get('DISAGGREGATION');
    const row: ValueRow = {
      line: rec.line,
      where: {
        indicator: 'INDICATOR',
        org_unit: 'REF_AREA',
        period: 'TIME_PERIOD',
        value: 'OBS_VALUE',
        disagg: 'DISAGGREGATION',
      },
      indicator: get('INDICATOR').trim(),
      org_unit: get('REF_AREA').trim(),
      period,
      disagg: d === SDMX_TOTAL ? '' : d,
      value: v.ok ? v.value : null,
      errors,
    };
    if (idx.has('COMMENT')) {
      const c = parseTextCell('COMMENT', get('COMMENT'));
      if (c.ok) row.comment = c.value;
      else errors.push({ ...c.error, file, row: rec.line });
    }
    if (idx.has('OBS_STATUS')) {
      const s = get('OBS_STATUS');
      if (s === 'A') row.status = 'approved';
      else if (s !== 'P' && s !== '')
        errors.push({
          code: 'sdmx.obs_status',
          file,
          row: rec.line,
          column: 'OBS_STATUS',
          vi: `OBS_STATUS phải là A hoặc P (nhận được '${s}').`,
          en: `OBS_STATUS must be A or P (got '${s}').`,
        });
    }
    yield row;
  }
}

export interface SdmxTargetRow {
  indicator_code: string;
  org_unit_code: string | null;
  org_level: string;
  period: string;
  comparator: string;
  value: number;
  value_max: number | null;
  unit_of_measure: string;
}

export async function* sdmxTargetsCsvChunks(
  batches: AsyncIterable<SdmxTargetRow[]> | Iterable<SdmxTargetRow[]>,
): AsyncGenerator<string> {
  yield csvLine([
    'DATAFLOW',
    'INDICATOR',
    'REF_AREA',
    'TIME_PERIOD',
    'OBS_VALUE',
    'COMPARATOR',
    'OBS_VALUE_MAX',
    'UNIT_MEASURE',
  ]);
  for await (const batch of batches) {
    let out = '';
    for (const t of batch)
      out += csvLine([
        TARGETS_DATAFLOW,
        t.indicator_code,
        t.org_unit_code ?? `LEVEL:${t.org_level}`,
        toSdmxPeriod(parsePeriod(t.period)),
        t.value,
        t.comparator,
        t.value_max,
        t.unit_of_measure,
      ]);
    if (out) yield out;
  }
}
