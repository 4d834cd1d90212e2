/**
 * Evidence (minh chứng): uploadAttachment stores a file for a submission or for one of its values,
 * after sniffing its type from the content (src/core/media-type.ts) and computing its SHA-256;
 * archiveAttachment withdraws one (kept, never deleted). Only the unit's reporters, only while the
 * submission can be edited. Readers: listAttachments, readAttachment (the bytes, for download).
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { classifyUpload } from '../../core/media-type.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { type Caller, isoTs, notFound } from './access.ts';
import type { AttachmentOut } from './schemas.ts';
import { guardEdit, submissionItems } from './workflow.ts';

/** Largest evidence file accepted. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

const COLUMNS = sql`a.id, a.submission_id, i.code as indicator, a.filename, a.media_type, a.size, a.sha256,
  a.uploaded_by, ${isoTs('a.created_at')} as created_at`;
const FROM = sql`attachment a left join indicator i on i.id = a.indicator_id`;

export async function listAttachments(ex: Executor, submissionId: number): Promise<AttachmentOut[]> {
  return rows<AttachmentOut>(
    ex,
    sql`select ${COLUMNS} from ${FROM} where a.submission_id = ${submissionId} and a.archived_at is null order by a.id`,
  );
}

export async function uploadAttachment(
  ex: Executor,
  caller: Caller,
  submissionId: number,
  file: { filename: string; bytes: Uint8Array; indicator?: string | null | undefined },
  options: { now?: Date } = {},
): Promise<AttachmentOut> {
  const s = await guardEdit(ex, caller, submissionId, options.now ?? new Date());
  if (file.bytes.length > MAX_ATTACHMENT_BYTES)
    throw new ChisoError({
      code: 'attachment.too_large',
      status: 413,
      field: 'file',
      vi: `Tệp lớn hơn giới hạn ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB.`,
      en: `The file is larger than the ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB limit.`,
    });
  const { filename, mediaType } = classifyUpload(file.filename, file.bytes);
  let indicatorId: number | null = null;
  if (file.indicator) {
    const item = (await submissionItems(ex, s)).find((i) => i.code === file.indicator);
    if (!item)
      throw new ChisoError({
        code: 'submission.not_an_item',
        field: 'indicator',
        vi: `Chỉ tiêu '${file.indicator}' không thuộc báo cáo #${s.id}.`,
        en: `Indicator '${file.indicator}' is not an item of submission #${s.id}.`,
      });
    indicatorId = item.indicator_id;
  }
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  const [a] = await rows<{ id: number }>(
    ex,
    sql`insert into attachment (submission_id, indicator_id, filename, media_type, size, sha256, content, uploaded_by)
        values (${s.id}, ${indicatorId}, ${filename}, ${mediaType}, ${file.bytes.length}, ${sha256},
                ${Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength)}, ${caller.name})
        returning id`,
  );
  await ex.execute(sql`update submission set version = version + 1, updated_at = now() where id = ${s.id}`);
  await appendAudit(ex, {
    actor: caller.name,
    action: 'attachment.upload',
    entity: 'attachment',
    entityId: a!.id,
    data: {
      submission: s.id,
      indicator: file.indicator ?? null,
      filename,
      media_type: mediaType,
      size: file.bytes.length,
      sha256,
    },
  });
  const [out] = await rows<AttachmentOut>(ex, sql`select ${COLUMNS} from ${FROM} where a.id = ${a!.id}`);
  return out!;
}

/** The attachment's submission id (for scope checks), or 404. */
export async function attachmentSubmission(ex: Executor, id: number): Promise<number> {
  const [a] = await rows<{ submission_id: number }>(
    ex,
    sql`select submission_id from attachment where id = ${id} and archived_at is null`,
  );
  if (!a) throw notFound({ vi: 'tệp minh chứng', en: 'attachment' }, id);
  return a.submission_id;
}

export async function archiveAttachment(
  ex: Executor,
  caller: Caller,
  id: number,
  reason: string,
  options: { now?: Date } = {},
): Promise<void> {
  const submissionId = await attachmentSubmission(ex, id);
  const s = await guardEdit(ex, caller, submissionId, options.now ?? new Date());
  await ex.execute(
    sql`update attachment set archived_at = now(), archived_by = ${caller.name}, archive_reason = ${reason} where id = ${id}`,
  );
  await ex.execute(sql`update submission set version = version + 1, updated_at = now() where id = ${s.id}`);
  await appendAudit(ex, {
    actor: caller.name,
    action: 'attachment.archive',
    entity: 'attachment',
    entityId: id,
    data: { submission: s.id, reason },
  });
}

export async function readAttachment(
  ex: Executor,
  id: number,
): Promise<AttachmentOut & { content: Uint8Array }> {
  const [a] = await rows<AttachmentOut & { content: Uint8Array }>(
    ex,
    sql`select ${COLUMNS}, a.content from ${FROM} where a.id = ${id} and a.archived_at is null`,
  );
  if (!a) throw notFound({ vi: 'tệp minh chứng', en: 'attachment' }, id);
  return a;
}
