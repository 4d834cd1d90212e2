import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatChange, formatNumber, formatValue } from './format.ts';

const intl = (lang: 'vi' | 'en', n: number, digits: number) =>
  new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits }).format(n);

describe('formatNumber', () => {
  it('writes Vietnamese and English separators', () => {
    expect(formatNumber('vi', 1234.5)).toBe('1.234,5');
    expect(formatNumber('en', 1234.5)).toBe('1,234.5');
    expect(formatNumber('vi', -1234567.125)).toBe('-1.234.567,13');
    expect(formatNumber('en', 0.005, 2)).toBe('0.01');
    expect(formatNumber('vi', 999.999, 2)).toBe('1.000');
    expect(formatNumber('vi', 12, 0)).toBe('12');
    expect(formatNumber('vi', null)).toBe('–');
    expect(formatNumber('en', Number.NaN)).toBe('–');
    expect(formatValue('vi', 85.5, '%')).toBe('85,5%');
    expect(formatChange('en', -2.25)).toBe('−2.25');
  });

  it('is what Intl.NumberFormat writes for vi-VN and en-GB, for any number and number of decimals', () => {
    const numbers = fc.oneof(
      fc.double({ min: -1e16, max: 1e16, noNaN: true }),
      fc.integer({ min: -1e9, max: 1e9 }),
      // halves and other ties at the rounding digit
      fc
        .tuple(fc.integer({ min: -1e7, max: 1e7 }), fc.integer({ min: 0, max: 4 }))
        .map(([k, d]) => (k + 0.5) / 10 ** d),
      fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
      fc.constantFrom(0, -0, 1e21, -1e21, 1.5e22, 0.1 + 0.2, 1.005, 2.675),
    );
    fc.assert(
      fc.property(numbers, fc.integer({ min: 0, max: 6 }), fc.constantFrom('vi', 'en'), (n, digits, lang) => {
        expect(formatNumber(lang as 'vi' | 'en', n, digits)).toBe(intl(lang as 'vi' | 'en', n, digits));
      }),
      { numRuns: 20_000 },
    );
  });
});
