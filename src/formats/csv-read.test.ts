import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitBytes } from '../../test/bytes.ts';
import { isChisoError } from '../core/errors.ts';
import { csvRecords } from './csv-read.ts';

async function firstError(text: string): Promise<unknown> {
  try {
    for await (const _ of csvRecords([Buffer.from(text)], { file: 'x.csv' })) {
      // read everything
    }
  } catch (e) {
    return e;
  }
  return null;
}

describe('csvRecords', () => {
  it('turns a parse error raised while feeding the parser into a ChisoError naming the file and line', async () => {
    // Found by hard/fuzz.test.ts: a quote opening after a space made csv-parse throw from write().
    for (const text of [' "', 'a,b\n1, "x"\n', 'a\n"unclosed']) {
      const e = await firstError(text);
      expect(isChisoError(e), `${JSON.stringify(text)}: ${String(e)}`).toBe(true);
      expect((e as { location: { file?: string } }).location.file).toBe('x.csv');
    }
  });

  it('numbers each record by the line it starts on, as csv-parse with `info: true` would', async () => {
    // The reference: csv-parse's own info object per record (what the reader used before), with the
    // same rule — a record starts after the previous one, its quoted line breaks counted back.
    const reference = (text: string): Array<{ line: number; cells: string[] }> | { row: number } => {
      let records: Array<{ record: string[]; info: { lines: number } }>;
      try {
        records = parse(text.replace(/^\uFEFF/, ''), {
          info: true,
          skip_empty_lines: true,
          relax_column_count: false,
          max_record_size: 1_000_000,
        }) as unknown as typeof records;
      } catch (e) {
        if (e instanceof CsvError) return { row: (e as CsvError & { lines?: number }).lines ?? 0 };
        throw e;
      }
      const out: Array<{ line: number; cells: string[] }> = [];
      let previousEnd = 0;
      for (const { record, info } of records) {
        const breaks = record.reduce((n, c) => n + c.split('\n').length - 1, 0);
        const line = Math.max(previousEnd + 1, info.lines - breaks);
        previousEnd = info.lines;
        if (!record.every((c) => c === '')) out.push({ line, cells: record });
      }
      return out;
    };
    const read = async (chunks: Uint8Array[]) => {
      const out: Array<{ line: number; cells: string[] }> = [];
      try {
        for await (const r of csvRecords(chunks, { file: 'x.csv' })) out.push(r);
      } catch (e) {
        if (isChisoError(e)) return { row: (e as unknown as { location: { row: number } }).location.row };
        throw e;
      }
      return out;
    };
    const cell = fc.constantFrom(
      '',
      'a',
      'Quận 1',
      '1.5',
      '"q ""x"""',
      '"two\nlines"',
      '"cr\r\nlf"',
      '"\n\n"',
      'x"y',
      ' "z"',
    );
    const row = fc.array(cell, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(','));
    const file = fc
      .record({
        rows: fc.array(fc.oneof({ weight: 4, arbitrary: row }, { weight: 1, arbitrary: fc.constant('') }), {
          maxLength: 30,
        }),
        eol: fc.constantFrom('\n', '\r\n'),
        last: fc.boolean(),
        bom: fc.boolean(),
        cuts: fc.array(fc.nat(), { maxLength: 4 }),
      })
      .map(({ rows, eol, last, bom, cuts }) => ({
        text: (bom ? '\uFEFF' : '') + rows.join(eol) + (last ? eol : ''),
        cuts,
      }));
    await fc.assert(
      fc.asyncProperty(file, async ({ text, cuts }) => {
        expect(await read(splitBytes(Buffer.from(text), cuts))).toEqual(reference(text));
      }),
      { numRuns: 400 },
    );
  });
});
