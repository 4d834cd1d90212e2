/**
 * From a request to the rounds' use cases: the Caller (who, and their roles on unit subtrees) and the
 * scope resolvers that find the unit a submission, round, attachment or signature belongs to, so
 * that route policies decide on that unit.
 */
import type { FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Caller } from '../../../app/rounds/access.ts';
import { ChisoError } from '../../../core/errors.ts';
import { rows, type Store } from '../../../store/db.ts';
import { hasRoleOn, type ScopeResolver, scopeRoots } from '../../policies/index.ts';
import { actorOf } from '../common.ts';

export function callerOf(req: FastifyRequest): Caller {
  return {
    name: actorOf(req),
    can: (role, path) => hasRoleOn(req.principal, role, path),
    roots: (role) => scopeRoots(req.principal, role),
  };
}

const idParam = (req: FastifyRequest): number => {
  const id = Number((req.params as { id?: string | number }).id);
  if (!Number.isInteger(id) || id <= 0)
    throw new ChisoError({
      code: 'request.invalid',
      field: 'params.id',
      vi: 'Mã số không hợp lệ.',
      en: 'The id is not valid.',
    });
  return id;
};

function byQuery(
  store: Store,
  what: { vi: string; en: string },
  query: (id: number) => ReturnType<typeof sql>,
) {
  const resolver: ScopeResolver = async (req) => {
    const id = idParam(req);
    const [r] = await rows<{ path: string }>(store.db, query(id));
    if (!r)
      throw new ChisoError({
        code: 'not_found',
        status: 404,
        vi: `Không tìm thấy ${what.vi} #${id}.`,
        en: `No ${what.en} #${id} was found.`,
      });
    return [r.path];
  };
  return resolver;
}

/** The unit of the submission `:id`. */
export const submissionUnit = (store: Store): ScopeResolver =>
  byQuery(
    store,
    { vi: 'báo cáo', en: 'submission' },
    (id) =>
      sql`select u.path from submission s join org_unit u on u.id = s.org_unit_id where s.id = ${id} and s.archived_at is null`,
  );

/** The root unit of the round `:id`. */
export const roundRoot = (store: Store): ScopeResolver =>
  byQuery(
    store,
    { vi: 'đợt báo cáo', en: 'round' },
    (id) =>
      sql`select u.path from round r join org_unit u on u.id = r.scope_unit_id where r.id = ${id} and r.archived_at is null`,
  );

/** The unit of the submission of the attachment `:id`. */
export const attachmentUnit = (store: Store): ScopeResolver =>
  byQuery(
    store,
    { vi: 'tệp minh chứng', en: 'attachment' },
    (id) => sql`select u.path from attachment a join submission s on s.id = a.submission_id
      join org_unit u on u.id = s.org_unit_id where a.id = ${id} and a.archived_at is null`,
  );

/** The unit of the submission of the signature `:id`. */
export const signatureUnit = (store: Store): ScopeResolver =>
  byQuery(
    store,
    { vi: 'chữ ký', en: 'signature' },
    (id) => sql`select u.path from submission_signature g join submission s on s.id = g.submission_id
      join org_unit u on u.id = s.org_unit_id where g.id = ${id} and g.archived_at is null`,
  );

/** The unit of the reporting contact `:id`. */
export const contactUnit = (store: Store): ScopeResolver =>
  byQuery(
    store,
    { vi: 'người đầu mối', en: 'reporting contact' },
    (id) =>
      sql`select u.path from reporting_contact c join org_unit u on u.id = c.org_unit_id where c.id = ${id} and c.archived_at is null`,
  );
