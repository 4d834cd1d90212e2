import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { toChisoError } from './problem.ts';

describe('toChisoError', () => {
  it('maps a unique violation to 409 whether the driver error is bare or wrapped by Drizzle', () => {
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
    });
    expect(toChisoError(pgError).status).toBe(409);
    const wrapped = new DrizzleQueryError('insert into data_value …', [], pgError);
    expect(toChisoError(wrapped)).toMatchObject({ status: 409, code: 'conflict.duplicate' });
  });
  it('maps serialization failures and deadlocks to a retryable 409', () => {
    for (const code of ['40001', '40P01']) {
      const e = new DrizzleQueryError(
        'update …',
        [],
        Object.assign(new Error('could not serialize'), { code }),
      );
      expect(toChisoError(e)).toMatchObject({ status: 409, code: 'conflict.retry' });
    }
  });
  it('maps data exceptions (out-of-range numbers, mistyped text, NUL characters) to 400', () => {
    for (const code of ['22003', '22P02', '22001', '22021']) {
      const e = new DrizzleQueryError(
        'insert …',
        [],
        Object.assign(new Error('integer out of range'), { code }),
      );
      expect(toChisoError(e)).toMatchObject({ status: 400, code: 'request.out_of_range' });
    }
  });
  it('keeps anything else a 500 without details', () => {
    const e = toChisoError(
      new DrizzleQueryError('select …', [], Object.assign(new Error('boom'), { code: 'XX000' })),
    );
    expect(e.status).toBe(500);
    expect(e.en).not.toContain('boom');
  });
});
