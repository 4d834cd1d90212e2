/** Small pieces shared by the rounds' route modules. */
import { z } from 'zod';
import type { Tx } from '../../../store/db.ts';

export const zId = z.object({ id: z.coerce.number().int().positive() });
export const zBool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
export const zReason = z.object({ reason: z.string().trim().min(3).max(2000) }).strict();
export type TxRunner = <T>(fn: (t: Tx) => Promise<T>) => Promise<T>;
