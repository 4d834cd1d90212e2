/**
 * Reporting contacts (cán bộ đầu mối): the people a unit names for its reports. Reminders are
 * e-mailed to them. addContact, archiveContact (kept, never deleted), listContacts.
 */
import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { unitRef } from '../catalogue/refs.ts';
import { type Caller, inSubtrees, notFound, requireRole } from './access.ts';
import { type ContactInput, type zContact, zContactInput } from './schemas.ts';

type ContactOut = z.infer<typeof zContact>;
const COLUMNS = sql`c.id, u.code as org_unit, c.name, c.email, c.phone, c.position`;
const FROM = sql`reporting_contact c join org_unit u on u.id = c.org_unit_id`;

export async function listContacts(
  ex: Executor,
  roots: string[],
  f: { org_unit?: string | undefined },
): Promise<ContactOut[]> {
  return rows<ContactOut>(
    ex,
    sql`select ${COLUMNS} from ${FROM} where c.archived_at is null and ${inSubtrees(sql`u.path`, roots)}
          and (${f.org_unit ?? null}::text is null or u.code = ${f.org_unit ?? null})
        order by u.path, c.name, c.id`,
  );
}

export async function addContact(ex: Executor, caller: Caller, raw: ContactInput): Promise<ContactOut> {
  const input = zContactInput.parse(raw);
  const unit = await unitRef(ex, input.org_unit);
  requireRole(caller, 'admin', unit);
  const [r] = await rows<{ id: number }>(
    ex,
    sql`insert into reporting_contact (org_unit_id, name, email, phone, position, created_by)
        values (${unit.id}, ${input.name}, ${input.email}, ${input.phone ?? null}, ${input.position ?? null}, ${caller.name})
        returning id`,
  );
  await appendAudit(ex, {
    actor: caller.name,
    action: 'reporting_contact.add',
    entity: 'reporting_contact',
    entityId: r!.id,
    data: input,
  });
  const [out] = await rows<ContactOut>(ex, sql`select ${COLUMNS} from ${FROM} where c.id = ${r!.id}`);
  return out!;
}

export async function contactUnitPath(ex: Executor, id: number): Promise<string> {
  const [c] = await rows<{ path: string }>(
    ex,
    sql`select u.path from ${FROM} where c.id = ${id} and c.archived_at is null`,
  );
  if (!c) throw notFound({ vi: 'người đầu mối', en: 'reporting contact' }, id);
  return c.path;
}

export async function archiveContact(
  ex: Executor,
  caller: Caller,
  id: number,
  reason: string,
): Promise<void> {
  const [c] = await rows<{ path: string; code: string }>(
    ex,
    sql`select u.path, u.code from ${FROM} where c.id = ${id} and c.archived_at is null for update of c`,
  );
  if (!c) throw notFound({ vi: 'người đầu mối', en: 'reporting contact' }, id);
  requireRole(caller, 'admin', c);
  await ex.execute(
    sql`update reporting_contact set archived_at = now(), updated_at = now() where id = ${id}`,
  );
  await appendAudit(ex, {
    actor: caller.name,
    action: 'reporting_contact.archive',
    entity: 'reporting_contact',
    entityId: id,
    data: { reason },
  });
}
