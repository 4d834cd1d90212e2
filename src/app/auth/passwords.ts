/**
 * Passwords: the policy (at least 10 characters, not the username), argon2id hashing with the
 * OWASP parameters, and verification that costs the same whether or not the account exists.
 */
import { randomBytes } from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { ChisoError } from '../../core/errors.ts';
import { foldVi } from '../../core/text.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

/** argon2id, 19 MiB, 2 passes, 1 lane (OWASP Password Storage Cheat Sheet). */
const ARGON2 = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** Throws `auth.password_policy` naming the rule the password breaks. */
export function checkPasswordPolicy(username: string, password: string, field = 'password'): void {
  const length = [...password].length;
  const fail = (vi: string, en: string) =>
    new ChisoError({ code: 'auth.password_policy', status: 400, field, vi, en });
  if (length < MIN_PASSWORD_LENGTH) {
    throw fail(
      `Mật khẩu phải có ít nhất ${MIN_PASSWORD_LENGTH} ký tự (hiện có ${length}).`,
      `The password must have at least ${MIN_PASSWORD_LENGTH} characters (it has ${length}).`,
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw fail(
      `Mật khẩu dài quá ${MAX_PASSWORD_LENGTH} ký tự.`,
      `The password is longer than ${MAX_PASSWORD_LENGTH} characters.`,
    );
  }
  const u = foldVi(username);
  const p = foldVi(password);
  if (p === u || (u.length >= 3 && p.includes(u))) {
    throw fail(
      'Mật khẩu không được là (hoặc chứa) tên đăng nhập.',
      'The password must not be (or contain) the username.',
    );
  }
  if (new Set(password).size < 3) {
    throw fail(
      'Mật khẩu phải có ít nhất 3 ký tự khác nhau.',
      'The password must contain at least 3 different characters.',
    );
  }
}

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2);

let dummy: Promise<string> | undefined;
/** A hash of a random secret, verified against when there is no account, so timing reveals nothing. */
const dummyHash = (): Promise<string> => {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummy;
};

/**
 * True when `password` matches `passwordHash`. With no hash (unknown user, single-sign-on-only
 * account) a dummy hash is verified instead and the answer is false.
 */
export async function verifyPassword(
  passwordHash: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (!password || password.length > MAX_PASSWORD_LENGTH * 4) {
    await verify(await dummyHash(), 'x').catch(() => false);
    return false;
  }
  if (!passwordHash) {
    await verify(await dummyHash(), password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
