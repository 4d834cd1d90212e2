/**
 * Input and output shapes of accounts and access, as Zod schemas shared by the HTTP layer
 * (validation and the OpenAPI document) and the use cases. Rules the schema cannot say precisely
 * (username characters, password policy) are checked by the use cases with a vi/en message.
 */
import { z } from 'zod';
import { ROLE_NAMES } from './grants.ts';

const zSecret = z.string().min(1).max(4096);

export const zLoginInput = z.object({
  username: z.string().min(1).max(200),
  password: zSecret,
});

export const zPasswordChange = z.object({
  current_password: zSecret,
  new_password: zSecret,
});

export const zPasswordReset = z.object({
  password: zSecret,
  /** Default true: the user must change this password at their next sign-in. */
  must_change_password: z.boolean().optional(),
});

export const zGrantInput = z.object({
  role: z.enum(ROLE_NAMES),
  /** Unit code; null grants the role on every unit. */
  org_unit: z.string().min(1).max(64).nullable(),
});

export const zUserInput = z.object({
  username: z.string().min(1).max(64),
  display_name: z.string().max(200).optional(),
  email: z.string().max(320).nullish(),
  /** Omit for an account that signs in only through single sign-on (or until a password is set). */
  password: zSecret.nullish(),
  /** Default true when a password is given: the user must change it at their first sign-in. */
  must_change_password: z.boolean().optional(),
  grants: z.array(zGrantInput).max(50).optional(),
});

export const zUserPatch = z.object({
  display_name: z.string().max(200).optional(),
  email: z.string().max(320).nullish(),
});

export const zReason = z.object({ reason: z.string().min(3).max(2000) });

export const zTokenInput = z.object({
  name: z.string().min(1).max(100),
  expires_in_days: z.number().int().min(1).max(3650).nullish(),
});

export const zUsernameParams = z.object({ username: z.string().min(1).max(200) });
export const zIdParams = z.object({ id: z.coerce.number().int().positive() });

export const zGrantOut = z.object({
  id: z.number(),
  role: z.enum(ROLE_NAMES),
  org_unit: z.string().nullable(),
  org_unit_name_vi: z.string().nullable(),
  path: z.string(),
  created_at: z.string(),
});

export const zUserOut = z.object({
  id: z.number(),
  username: z.string(),
  display_name: z.string(),
  email: z.string().nullable(),
  disabled: z.boolean(),
  locked: z.boolean(),
  locked_until: z.string().nullable(),
  has_password: z.boolean(),
  /** The password is temporary: until it is changed, every route but POST /api/auth/password, GET /api/auth/me and POST /api/auth/logout answers 403 auth.password_change_required. */
  must_change_password: z.boolean(),
  sso: z.boolean(),
  last_login_at: z.string().nullable(),
  created_at: z.string(),
  grants: z.array(zGrantOut),
});

export const zMe = z.object({
  user: zUserOut,
  /** How this request was authenticated. */
  auth: z.enum(['session', 'token']),
  /** Send as header x-csrf-token with every POST/PUT/PATCH/DELETE of a cookie session. */
  csrf_token: z.string().nullable(),
  session: z.object({ idle_expires_at: z.string(), absolute_expires_at: z.string() }).nullable(),
});

export const zTokenOut = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string(),
  username: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const zTokenCreated = zTokenOut.extend({
  /** The token itself: shown this once, never again. */
  token: z.string(),
});
