/**
 * Helpers shared by the route modules: pagination, CSV twins of list routes, scope resolvers.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { BOM, type CsvColumn, csvLine, csvRows } from '../../formats/csv.ts';
import { rows, type Store } from '../../store/db.ts';
import type { ScopeResolver } from '../policies/index.ts';

export const zPage = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const zListOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), limit: z.number(), offset: z.number() });

export const actorOf = (req: FastifyRequest): string => req.principal?.username ?? 'anonymous';

/**
 * Sends CSV built from batches of rows, streamed. The first batch is read before anything is sent,
 * so that a rejected filter (a bad period, say) becomes a 4xx problem, not a 200 cut short.
 */
export function sendCsv<T>(
  reply: FastifyReply,
  filename: string,
  columns: Array<CsvColumn<T>>,
  batches: AsyncIterable<T[]> | Iterable<T[]>,
): Promise<FastifyReply> {
  return sendCsvText(
    reply,
    filename,
    columns.map((c) => c.key),
    csvRows(columns, batches),
  );
}

/**
 * Sends CSV whose lines are already written (a header row, then text chunks of whole lines),
 * streamed. The first chunk is read before anything is sent (see `sendCsv`).
 */
export async function sendCsvText(
  reply: FastifyReply,
  filename: string,
  header: readonly string[],
  chunks: AsyncIterable<string>,
): Promise<FastifyReply> {
  const it = chunks[Symbol.asyncIterator]();
  const first = await it.next();
  const body = async function* () {
    yield BOM + csvLine([...header]) + (first.done ? '' : first.value);
    if (first.done) return;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  };
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  return reply.send(Readable.from(body()));
}

/** Pages through a list function, for CSV downloads of lists without holding them all at once. */
export async function* pages<T>(
  list: (page: { limit: number; offset: number }) => Promise<{ items: T[] }>,
  size = 5000,
): AsyncGenerator<T[]> {
  for (let offset = 0; ; offset += size) {
    const { items } = await list({ limit: size, offset });
    if (items.length) yield items;
    if (items.length < size) return;
  }
}

/** The tree path of a unit by code, or null when it does not exist (policies then need global rights). */
export async function unitPath(store: Store, code: string | null | undefined): Promise<string | null> {
  if (!code) return null;
  const [u] = await rows<{ path: string }>(store.db, sql`select path from org_unit where code = ${code}`);
  return u?.path ?? null;
}

/** Scope resolver: the unit(s) named by a field of the body, params or query. */
export function unitsFrom(
  store: Store,
  pick: (req: FastifyRequest) => Array<string | null | undefined>,
): ScopeResolver {
  return async (req) => {
    const out: string[] = [];
    for (const code of pick(req)) {
      const p = await unitPath(store, code);
      if (p) out.push(p);
      // an unknown unit code: the handler answers 400/404; global rights are then needed to learn that
    }
    return out;
  };
}
