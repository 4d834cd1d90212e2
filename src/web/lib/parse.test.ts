import { describe, expect, it } from 'vitest';
import { parseNumber, toInput } from './parse.ts';

const v = (lang: 'vi' | 'en', s: string) => {
  const r = parseNumber(lang, s);
  return r.ok ? r.value : 'invalid';
};

describe('parseNumber', () => {
  it('reads Vietnamese separators', () => {
    expect(v('vi', '85,5')).toBe(85.5);
    expect(v('vi', '1.234,5')).toBe(1234.5);
    expect(v('vi', '1.234.567')).toBe(1234567);
    expect(v('vi', '1.234')).toBe(1234);
    expect(v('vi', '0.125')).toBe(0.125);
    expect(v('vi', '85.5')).toBe(85.5);
    expect(v('vi', '-3,25')).toBe(-3.25);
    expect(v('vi', ' 12 345 ')).toBe(12345);
  });
  it('reads English separators', () => {
    expect(v('en', '85.5')).toBe(85.5);
    expect(v('en', '1,234.5')).toBe(1234.5);
    expect(v('en', '1,234')).toBe(1234);
    expect(v('en', '1,5')).toBe(1.5);
  });
  it('empty is missing, not zero; zero is a value', () => {
    expect(v('vi', '')).toBeNull();
    expect(v('vi', '0')).toBe(0);
  });
  it('refuses what is not a number', () => {
    for (const s of ['abc', '1,2,3', '12a', '1.23.4,5', ',', '1,234.5'])
      expect(v('vi', s), s).toBe('invalid');
  });
  it('writes numbers back the way they are typed', () => {
    expect(toInput('vi', 85.5)).toBe('85,5');
    expect(toInput('en', 85.5)).toBe('85.5');
    expect(toInput('vi', null)).toBe('');
  });
});
