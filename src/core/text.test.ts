import { describe, expect, it } from 'vitest';
import { compareVi, foldVi, matchesVi } from './text.ts';

describe('foldVi', () => {
  it('strips tones and maps đ', () => {
    expect(foldVi('Chuyển đổi số')).toBe('chuyen doi so');
    expect(foldVi('ĐẶC KHU Côn Đảo')).toBe('dac khu con dao');
  });
  it('treats composed and decomposed input alike', () => {
    expect(foldVi('Hòa'.normalize('NFD'))).toBe(foldVi('Hòa'.normalize('NFC')));
  });
});

describe('matchesVi', () => {
  it('finds diacritic words from plain input', () => {
    expect(matchesVi('Tỷ lệ hồ sơ chuyển đổi số', 'chuyen doi so')).toBe(true);
    expect(matchesVi('Tỷ lệ hồ sơ', 'chuyen doi so')).toBe(false);
  });
});

describe('compareVi', () => {
  it('sorts numbers naturally', () => {
    expect(['Phường 10', 'Phường 2'].sort(compareVi)).toEqual(['Phường 2', 'Phường 10']);
  });
});
