/**
 * Finds who is calling. Until accounts land (issue 3) nobody is authenticated: every caller is
 * anonymous and every write is refused with 401.
 */
import type { FastifyRequest } from 'fastify';
import type { Store } from '../store/db.ts';
import type { Principal } from './policies/index.ts';

export function authenticatorFor(_store: Store): (req: FastifyRequest) => Promise<Principal | null> {
  return async () => null;
}
