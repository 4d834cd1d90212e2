/**
 * Source documents: the plans, decisions and news digests every target and value cites.
 */
import { and, eq, sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows } from '../../store/db.ts';
import { document } from '../../store/schema.ts';
import { appendAudit } from '../audit.ts';
import { staleVersion } from './refs.ts';
import type { DocumentInput } from './schemas.ts';

export interface DocumentOut {
  code: string;
  kind: string;
  number: string | null;
  symbol: string | null;
  date: string | null;
  issuer: string | null;
  title_vi: string;
  title_en: string | null;
  seed: string | null;
  url: string | null;
  note: string | null;
  version: number;
}

const COLUMNS = sql`code, kind, number, symbol, issued_on as date, issuer, title_vi, title_en, seed, url, note, version`;
const searchText = (d: DocumentInput) =>
  foldVi([d.code, d.title_vi, d.title_en ?? '', d.issuer ?? ''].join(' '));

export async function getDocument(ex: Executor, code: string): Promise<DocumentOut | null> {
  const [d] = await rows<DocumentOut>(ex, sql`select ${COLUMNS} from document where code = ${code}`);
  return d ?? null;
}

export async function createDocument(
  ex: Executor,
  actor: string,
  input: DocumentInput,
): Promise<DocumentOut> {
  if (await getDocument(ex, input.code)) {
    throw new ChisoError({
      code: 'document.duplicate',
      status: 409,
      field: 'code',
      vi: `Văn bản '${input.code}' đã tồn tại.`,
      en: `Document '${input.code}' already exists.`,
    });
  }
  await ex.insert(document).values({
    code: input.code,
    kind: input.kind ?? 'other',
    number: input.number ?? null,
    symbol: input.symbol ?? null,
    issuedOn: input.date ?? null,
    issuer: input.issuer ?? null,
    titleVi: input.title_vi,
    titleEn: input.title_en ?? null,
    seed: input.seed ?? null,
    url: input.url ?? null,
    note: input.note ?? null,
    searchText: searchText(input),
  });
  await appendAudit(ex, {
    actor,
    action: 'document.create',
    entity: 'document',
    entityId: input.code,
    data: input,
  });
  return (await getDocument(ex, input.code))!;
}

export async function updateDocument(
  ex: Executor,
  actor: string,
  code: string,
  patch: Partial<Omit<DocumentInput, 'code'>> & { version: number },
): Promise<DocumentOut> {
  const current = await getDocument(ex, code);
  if (!current)
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có văn bản '${code}'.`,
      en: `No document '${code}'.`,
    });
  if (current.version !== patch.version) throw staleVersion('document', current);
  const next = { ...current, ...patch, code };
  const done = await ex
    .update(document)
    .set({
      kind: next.kind,
      number: next.number ?? null,
      symbol: next.symbol ?? null,
      issuedOn: next.date ?? null,
      issuer: next.issuer ?? null,
      titleVi: next.title_vi,
      titleEn: next.title_en ?? null,
      seed: next.seed ?? null,
      url: next.url ?? null,
      note: next.note ?? null,
      searchText: searchText(next),
      version: current.version + 1,
      updatedAt: sql`now()`,
    })
    .where(and(eq(document.code, code), eq(document.version, patch.version)))
    .returning({ id: document.id });
  if (done.length === 0) throw staleVersion('document', current);
  await appendAudit(ex, {
    actor,
    action: 'document.update',
    entity: 'document',
    entityId: code,
    data: patch,
  });
  return (await getDocument(ex, code))!;
}

export async function listDocuments(
  ex: Executor,
  f: { q?: string | undefined; kind?: string | undefined },
  page: { limit: number; offset: number },
): Promise<{ items: DocumentOut[]; total: number }> {
  const parts = [sql`archived_at is null`];
  if (f.kind) parts.push(sql`kind = ${f.kind}`);
  for (const w of foldVi(f.q ?? '')
    .split(' ')
    .filter(Boolean))
    parts.push(sql`search_text like ${`%${w}%`}`);
  const where = sql.join(parts, sql` and `);
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from document where ${where}`);
  const items = await rows<DocumentOut>(
    ex,
    sql`select ${COLUMNS} from document where ${where} order by issued_on nulls last, code limit ${page.limit} offset ${page.offset}`,
  );
  return { items, total: c?.n ?? 0 };
}
