/**
 * Settings of accounts and access, read from the environment once at start, and the clock every
 * time-dependent rule reads (so that tests can move time forward).
 */
import { ChisoError } from '../../core/errors.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  scopes: string;
  acrValues: string | undefined;
  /** Claims giving the username, display name and e-mail of a new account. */
  usernameClaim: string;
  nameClaim: string;
  emailClaim: string;
  /** How chiso authenticates at the token endpoint. */
  clientAuth: 'client_secret_post' | 'client_secret_basic' | 'none';
  /** Permit an http:// issuer that is not on the loopback interface (never in production). */
  allowHttp: boolean;
}

export interface AuthSettings {
  /** A session ends after this long without a request. */
  idleMinutes: number;
  /** A session ends this long after login whatever happens. */
  absoluteHours: number;
  /** Consecutive failed logins of one username that lock it … */
  maxFailures: number;
  /** … for this long. */
  lockMinutes: number;
  /** Failed logins from one address within the window that make it wait. */
  ipMaxFailures: number;
  ipWindowMinutes: number;
  oidc: OidcSettings | null;
  now: () => Date;
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ChisoError({
      code: 'config.invalid',
      field: name,
      vi: `Biến môi trường ${name}='${raw}' không hợp lệ: cần số nguyên từ ${min} đến ${max}.`,
      en: `Environment variable ${name}='${raw}' is invalid: an integer from ${min} to ${max} is required.`,
    });
  }
  return n;
}

export function readOidcSettings(env: NodeJS.ProcessEnv = process.env): OidcSettings | null {
  const issuer = env.CHISO_OIDC_ISSUER?.trim();
  if (!issuer) return null;
  const missing = ['CHISO_OIDC_CLIENT_ID', 'CHISO_OIDC_REDIRECT_URI'].filter((k) => !env[k]?.trim());
  if (missing.length) {
    throw new ChisoError({
      code: 'config.invalid',
      field: missing[0],
      vi: `Đã đặt CHISO_OIDC_ISSUER nhưng thiếu ${missing.join(', ')}.`,
      en: `CHISO_OIDC_ISSUER is set but ${missing.join(', ')} is missing.`,
    });
  }
  for (const name of ['CHISO_OIDC_ISSUER', 'CHISO_OIDC_REDIRECT_URI']) {
    try {
      new URL(env[name]!.trim());
    } catch {
      throw new ChisoError({
        code: 'config.invalid',
        field: name,
        vi: `${name} không phải một địa chỉ URL hợp lệ.`,
        en: `${name} is not a valid URL.`,
      });
    }
  }
  const clientAuth =
    env.CHISO_OIDC_CLIENT_AUTH?.trim() || (env.CHISO_OIDC_CLIENT_SECRET ? 'client_secret_post' : 'none');
  if (clientAuth !== 'client_secret_post' && clientAuth !== 'client_secret_basic' && clientAuth !== 'none') {
    throw new ChisoError({
      code: 'config.invalid',
      field: 'CHISO_OIDC_CLIENT_AUTH',
      vi: `CHISO_OIDC_CLIENT_AUTH='${clientAuth}' không hợp lệ (client_secret_post, client_secret_basic, none).`,
      en: `CHISO_OIDC_CLIENT_AUTH='${clientAuth}' is invalid (client_secret_post, client_secret_basic, none).`,
    });
  }
  return {
    issuer,
    clientAuth,
    clientId: env.CHISO_OIDC_CLIENT_ID!.trim(),
    clientSecret: env.CHISO_OIDC_CLIENT_SECRET || undefined,
    redirectUri: env.CHISO_OIDC_REDIRECT_URI!.trim(),
    scopes: env.CHISO_OIDC_SCOPES?.trim() || 'openid profile email',
    acrValues: env.CHISO_OIDC_ACR_VALUES?.trim() || undefined,
    usernameClaim: env.CHISO_OIDC_USERNAME_CLAIM?.trim() || 'preferred_username',
    nameClaim: env.CHISO_OIDC_NAME_CLAIM?.trim() || 'name',
    emailClaim: env.CHISO_OIDC_EMAIL_CLAIM?.trim() || 'email',
    allowHttp: env.CHISO_OIDC_ALLOW_HTTP === '1',
  };
}

export function readAuthSettings(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  return {
    idleMinutes: int(env, 'CHISO_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    absoluteHours: int(env, 'CHISO_SESSION_MAX_HOURS', 12, 1, 24 * 30),
    maxFailures: int(env, 'CHISO_LOGIN_MAX_FAILURES', 5, 1, 1000),
    lockMinutes: int(env, 'CHISO_LOGIN_LOCK_MINUTES', 15, 1, 24 * 60),
    ipMaxFailures: int(env, 'CHISO_LOGIN_IP_MAX_FAILURES', 50, 1, 100000),
    ipWindowMinutes: int(env, 'CHISO_LOGIN_IP_WINDOW_MINUTES', 15, 1, 24 * 60),
    oidc: readOidcSettings(env),
    now: () => new Date(),
  };
}

export const addMinutes = (d: Date, m: number): Date => new Date(d.getTime() + m * 60_000);
