import { describe, expect, it } from 'vitest';
import { csvCell, csvChunks, csvLine } from './csv.ts';

describe('csv', () => {
  it('quotes what needs quoting', () => {
    expect(csvLine(['a,b', 'say "hi"', 'x\ny', 1.5, null])).toBe('"a,b","say ""hi""","x\ny",1.5,\r\n');
  });
  it('neutralises formula-looking text but keeps negative numbers', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('-3')).toBe('-3');
  });
  it('streams a BOM, a header and the rows', async () => {
    const out: string[] = [];
    for await (const c of csvChunks([{ key: 'code', get: (r: { c: string }) => r.c }], [[{ c: 'Ấp' }]]))
      out.push(c);
    expect(out.join('')).toBe('\uFEFFcode\r\nẤp\r\n');
  });
});
