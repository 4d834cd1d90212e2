import { expect, it } from 'vitest';

// Fails on purpose: test/exit-code.test.ts checks that such a run exits non-zero.
it('fails on purpose', () => {
  expect(1 + 1).toBe(3);
});
