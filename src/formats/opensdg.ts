/**
 * Open SDG data and metadata (../shared/reference/progress-and-peers.md §1.3).
 *
 * Data: one CSV per indicator in long form; the first column is `Year`, the last is `Value`; between
 * them any categorical columns; a blank categorical cell means "all/total", so the headline is the
 * row whose categorical cells are all blank. chiso writes the org unit in a `Units` column that is
 * blank for the programme's root unit (the headline), then one column per category of its
 * disaggregations ('Sex=female;Age=under5' → columns Age and Sex). `Year` holds the period code
 * (a year, or 2024Q1 / 2024S1 / 2024-03 for shorter periods). No cell may have leading or trailing
 * whitespace (as sdg-build checks).
 *
 * Metadata: Markdown with YAML front matter; fields after the SDMX SDG metadata concepts used by
 * Open SDG plus its indicator configuration (indicator_number, indicator_name, computation_units,
 * reporting_status …).
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ChisoError, type ChisoErrorInit } from '../core/errors.ts';
import { type CellResult, parseNumberCell } from './cells.ts';
import { type CsvCell, csvLine } from './csv.ts';
import { csvRecords } from './csv-read.ts';
import { categoriesOfDisagg, disaggOfCategories } from './dhis2.ts';
import type { ByteSource } from './utf8.ts';
import type { ValueRow } from './value-row.ts';

export const OPENSDG_UNIT_COLUMN = 'Units';

export interface OpenSdgValue {
  period: string;
  /** Org unit code; the root unit is written blank (the headline). */
  org_unit_code: string;
  disagg: string;
  value: number | null;
}

/** The whole CSV of one indicator (values of one indicator are few enough to sort in memory). */
export function openSdgCsv(values: OpenSdgValue[], rootUnit: string): string {
  const cats = new Set<string>();
  for (const v of values) {
    const c = categoriesOfDisagg(v.disagg);
    if (c === null)
      throw new ChisoError({
        code: 'opensdg.disagg',
        vi: `Phân tổ '${v.disagg}' không theo dạng Nhóm=giá trị;… nên không ghi được thành cột Open SDG.`,
        en: `Disaggregation '${v.disagg}' is not of the form Category=value;… and cannot become Open SDG columns.`,
      });
    for (const k of Object.keys(c)) cats.add(k);
  }
  const catCols = [...cats].sort();
  const units = new Set(values.map((v) => v.org_unit_code));
  const withUnits = units.size > 1 || (units.size === 1 && !units.has(rootUnit));
  const header = ['Year', ...(withUnits ? [OPENSDG_UNIT_COLUMN] : []), ...catCols, 'Value'];
  const sorted = [...values].sort(
    (a, b) =>
      (a.period < b.period ? -1 : a.period > b.period ? 1 : 0) ||
      Number(a.org_unit_code !== rootUnit) - Number(b.org_unit_code !== rootUnit) ||
      (a.org_unit_code < b.org_unit_code ? -1 : a.org_unit_code > b.org_unit_code ? 1 : 0) ||
      (a.disagg < b.disagg ? -1 : a.disagg > b.disagg ? 1 : 0),
  );
  let out = csvLine(header);
  for (const v of sorted) {
    const c = categoriesOfDisagg(v.disagg) ?? {};
    const cells: CsvCell[] = [
      v.period,
      ...(withUnits ? [v.org_unit_code === rootUnit ? '' : v.org_unit_code] : []),
      ...catCols.map((k) => c[k] ?? ''),
      v.value,
    ];
    out += csvLine(cells);
  }
  return out;
}

/** Reads an Open SDG CSV of one indicator into value rows. */
export async function* readOpenSdgCsv(
  source: ByteSource,
  options: { indicator: string; rootUnit: string; file?: string },
): AsyncGenerator<ValueRow> {
  const file = options.file ?? `indicator_${options.indicator}.csv`;
  let header: string[] | null = null;
  for await (const rec of csvRecords(source, { file })) {
    if (!header) {
      header = rec.cells;
      const fail = (code: string, column: string, vi: string, en: string): never => {
        throw new ChisoError({
          code,
          file,
          row: rec.line,
          column,
          vi: `Tệp ${file}: ${vi}`,
          en: `File ${file}: ${en}`,
        });
      };
      if (header[0] !== 'Year')
        fail(
          'opensdg.first_column',
          header[0] ?? '',
          "cột đầu tiên phải là 'Year'.",
          "the first column must be 'Year'.",
        );
      if (header[header.length - 1] !== 'Value')
        fail(
          'opensdg.last_column',
          header.at(-1) ?? '',
          "cột cuối cùng phải là 'Value'.",
          "the last column must be 'Value'.",
        );
      for (const h of header)
        if (h.trim() !== h || /\s/.test(h) || h === '')
          fail(
            'opensdg.column_name',
            h,
            `tên cột '${h}' không được trống hoặc chứa khoảng trắng.`,
            `column name '${h}' must not be blank or contain whitespace.`,
          );
      if (new Set(header).size !== header.length)
        fail('import.duplicate_column', '', 'có tên cột lặp lại.', 'a column name is repeated.');
      continue;
    }
    const errors: ChisoErrorInit[] = [];
    const cats: Record<string, string> = {};
    let unit = options.rootUnit;
    let value: number | null = null;
    let period = '';
    header.forEach((h, i) => {
      const cell = rec.cells[i] ?? '';
      if (cell !== cell.trim()) {
        errors.push({
          code: 'opensdg.whitespace',
          file,
          row: rec.line,
          column: h,
          vi: `Cột '${h}': ô có khoảng trắng ở đầu hoặc cuối.`,
          en: `Column '${h}': the cell has leading or trailing whitespace.`,
        });
        return;
      }
      if (i === 0) period = cell;
      else if (i === header!.length - 1) {
        const r: CellResult<number | null> = parseNumberCell(h, cell);
        if (r.ok) value = r.value;
        else errors.push({ ...r.error, file, row: rec.line });
      } else if (h === OPENSDG_UNIT_COLUMN || h === 'GeoCode') {
        if (cell) unit = cell;
      } else if (cell) {
        if (/[;=]/.test(cell))
          errors.push({
            code: 'opensdg.category_value',
            file,
            row: rec.line,
            column: h,
            vi: `Cột '${h}': giá trị không được chứa ';' hoặc '='.`,
            en: `Column '${h}': a value must not contain ';' or '='.`,
          });
        else cats[h] = cell;
      }
    });
    yield {
      line: rec.line,
      where: { period: 'Year', value: 'Value', org_unit: OPENSDG_UNIT_COLUMN },
      indicator: options.indicator,
      org_unit: unit,
      period,
      disagg: disaggOfCategories(cats),
      value,
      errors,
    };
  }
}

export interface OpenSdgMetadata {
  indicator_number: string;
  indicator_name: string;
  indicator_name_en?: string | null;
  indicator_definition?: string | null;
  computation_units?: string | null;
  reporting_status: 'complete' | 'notstarted';
  graph_type?: string;
  national_indicator_available?: string;
  source_organisation_1?: string | null;
  source_url_1?: string | null;
  META_LAST_UPDATE?: string | null;
  UNIT_MEASURE?: string | null;
  CONTACT_ORGANISATION?: string | null;
  DATA_LICENSE?: string;
  [k: string]: unknown;
}

/** Markdown with YAML front matter; the body is the definition. */
export function openSdgMetadataMarkdown(meta: OpenSdgMetadata, body = ''): string {
  const clean = Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined && v !== null));
  return `---\n${stringifyYaml(clean, { lineWidth: 0 })}---\n${body ? `${body}\n` : ''}`;
}

export function parseOpenSdgMetadata(
  text: string,
  file = 'meta.md',
): { meta: OpenSdgMetadata; body: string } {
  const t = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(t);
  let data: unknown;
  let body = '';
  try {
    if (m) {
      data = parseYaml(m[1]!);
      body = m[2]!.trim();
    } else data = parseYaml(t);
  } catch (e) {
    const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new ChisoError({
      code: 'opensdg.yaml',
      file,
      ...(line ? { row: line + (m ? 1 : 0) } : {}),
      vi: `Tệp ${file}: YAML không hợp lệ — ${(e as Error).message}`,
      en: `File ${file}: invalid YAML — ${(e as Error).message}`,
    });
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new ChisoError({
      code: 'opensdg.metadata',
      file,
      vi: `Tệp ${file}: siêu dữ liệu phải là một ánh xạ YAML.`,
      en: `File ${file}: the metadata must be a YAML mapping.`,
    });
  const meta = data as OpenSdgMetadata;
  for (const k of ['indicator_number', 'indicator_name'] as const)
    if (typeof meta[k] !== 'string' || meta[k] === '')
      throw new ChisoError({
        code: 'opensdg.metadata_field',
        file,
        field: k,
        vi: `Tệp ${file}: thiếu trường '${k}'.`,
        en: `File ${file}: the field '${k}' is missing.`,
      });
  return { meta, body };
}
