import { describe, expect, it } from 'vitest';
import { isChisoError } from './errors.ts';
import { compareVi, findUnstorableText, foldVi, matchesVi, unstorableTextError } from './text.ts';

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

describe('findUnstorableText', () => {
  it('finds a lone surrogate or a NUL at its path, and passes well-formed text (pairs included)', () => {
    expect(findUnstorableText({ a: ['ok', 'Tiếng Việt 😀'], b: { c: 1, d: null } })).toBeNull();
    expect(findUnstorableText({ documents: [{ note: 'x' }, { note: 'a\ud800b' }] })).toEqual({
      path: 'documents[1].note',
      reason: 'surrogate',
    });
    expect(findUnstorableText({ x: 'tail \udc00' })).toEqual({ path: 'x', reason: 'surrogate' });
    expect(findUnstorableText(['a\u0000'])).toEqual({ path: '[0]', reason: 'nul' });
    expect(findUnstorableText({ ['k\ud83d']: 1 })).toEqual({ path: 'k\ud83d', reason: 'surrogate' });
  });
  it('walks only plain objects and arrays (a stream or a class instance is not parsed input)', () => {
    class Box {
      note = 'a\ud800';
    }
    expect(findUnstorableText(new Box())).toBeNull();
    expect(findUnstorableText({ inner: new Box(), ok: 'x' })).toBeNull();
    expect(findUnstorableText(Object.assign(Object.create(null), { t: 'a\u0000' }))).toEqual({
      path: 't',
      reason: 'nul',
    });
  });
  it('makes a precise ChisoError in vi and en', () => {
    const e = unstorableTextError({ path: 'documents[1].note', reason: 'surrogate' }, 'c.json');
    expect(isChisoError(e)).toBe(true);
    expect(e).toMatchObject({ code: 'input.lone_surrogate', status: 400 });
    expect(e.location).toEqual({ file: 'c.json', field: 'documents[1].note' });
    expect(e.vi).toContain('documents[1].note');
  });
});
