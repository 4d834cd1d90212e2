import { describe, expect, it } from 'vitest';
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
});
