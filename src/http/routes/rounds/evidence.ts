/**
 * Evidence and signatures: upload (multipart), list, download and archive attachments; the canonical
 * content of a submission (what a signer signs); add, list and re-verify detached CMS signatures.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { trustRootsFromEnv } from '../../../app/rounds/cms.ts';
import { revocationFromEnv } from '../../../app/rounds/revocation.ts';
import { zAttachment, zSignature, zSignatureInput } from '../../../app/rounds/schemas.ts';
import {
  addSignature,
  canonicalContent,
  listSignatures,
  reverifySignature,
  warmRevocation,
} from '../../../app/rounds/sign-submission.ts';
import {
  archiveAttachment,
  listAttachments,
  MAX_ATTACHMENT_BYTES,
  readAttachment,
  uploadAttachment,
} from '../../../app/rounds/upload-attachment.ts';
import { loadSubmission } from '../../../app/rounds/workflow.ts';
import { ChisoError } from '../../../core/errors.ts';
import { contentDisposition } from '../../../core/media-type.ts';
import { rows } from '../../../store/db.ts';
import { policy } from '../../policies/index.ts';
import type { App, ServerDeps } from '../../server.ts';
import { attachmentUnit, callerOf, signatureUnit, submissionUnit } from './scope.ts';
import { type TxRunner, zId, zReason } from './shared.ts';

const tooLarge = () =>
  new ChisoError({
    code: 'attachment.too_large',
    status: 413,
    field: 'file',
    vi: `Tệp lớn hơn giới hạn ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB.`,
    en: `The file is larger than the ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB limit.`,
  });

export function evidenceRoutes(app: App, { store }: ServerDeps, tx: TxRunner): void {
  const db = store.db;
  const onSubmission = submissionUnit(store);

  app.post(
    '/api/submissions/:id/attachments',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Upload evidence (multipart/form-data, one part named "file"; ?indicator=CODE for a value)',
        description: `At most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB. The type is sniffed from the content: PDF, PNG, JPEG, XLSX, DOCX, CSV, TXT (UTF-8); executables, macro-enabled files and mismatched extensions are refused (415).`,
        consumes: ['multipart/form-data'],
        params: zId,
        querystring: z.object({ indicator: z.string().max(64).optional() }),
        response: { 201: zAttachment },
      },
      config: { policy: policy.onUnits('reporter', onSubmission) },
    },
    async (req, reply) => {
      let filename: string;
      let bytes: Buffer;
      try {
        const part = await req.file();
        if (!part)
          throw new ChisoError({
            code: 'attachment.no_file',
            field: 'file',
            vi: 'Không có tệp nào được gửi lên (cần một phần "file").',
            en: 'No file was sent (a part named "file" is needed).',
          });
        filename = part.filename;
        bytes = await part.toBuffer();
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
        if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
          throw new ChisoError({
            code: 'request.media_type',
            status: 415,
            vi: 'Cần gửi tệp dưới dạng multipart/form-data.',
            en: 'Send the file as multipart/form-data.',
          });
        throw e;
      }
      const a = await tx((t) =>
        uploadAttachment(t, callerOf(req), req.params.id, {
          filename,
          bytes,
          indicator: req.query.indicator,
        }),
      );
      return reply.status(201).send(a);
    },
  );
  app.get(
    '/api/submissions/:id/attachments',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Evidence of a submission',
        params: zId,
        response: { 200: z.object({ items: z.array(zAttachment) }) },
      },
      config: { policy: policy.onUnits('viewer', onSubmission) },
    },
    async (req) => ({ items: await listAttachments(db, req.params.id) }),
  );
  app.get(
    '/api/attachments/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Download an evidence file (only within your scope)',
        params: zId,
        produces: ['application/octet-stream'],
      },
      config: { policy: policy.onUnits('viewer', attachmentUnit(store)) },
    },
    async (req, reply) => {
      const a = await readAttachment(db, req.params.id);
      return reply
        .header('content-type', a.media_type)
        .header('content-disposition', contentDisposition(a.filename))
        .header('content-length', a.size)
        .header('x-content-sha256', a.sha256)
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(a.content));
    },
  );
  app.post(
    '/api/attachments/:id/archive',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Withdraw an evidence file (kept, never deleted) while the submission can be edited',
        params: zId,
        body: zReason,
      },
      config: { policy: policy.onUnits('reporter', attachmentUnit(store)) },
    },
    async (req) => {
      await tx((t) => archiveAttachment(t, callerOf(req), req.params.id, req.body.reason));
      return { archived: true };
    },
  );

  // ---- signatures ----
  app.get(
    '/api/submissions/:id/content',
    {
      schema: {
        tags: ['signatures'],
        summary:
          'The canonical content of the submission (chiso-submission/1, RFC 8785 JSON): the bytes to sign',
        params: zId,
        produces: ['application/json'],
      },
      config: { policy: policy.onUnits('viewer', onSubmission) },
    },
    async (req, reply) => {
      const c = await canonicalContent(db, await loadSubmission(db, req.params.id));
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('x-content-sha256', c.sha256)
        .header('cache-control', 'no-store')
        .send(Buffer.from(c.bytes));
    },
  );
  app.post(
    '/api/submissions/:id/signatures',
    {
      schema: {
        tags: ['signatures'],
        summary:
          'Attach a detached CMS/PKCS#7 signature over GET /content; verified against the trust roots before it is stored',
        params: zId,
        body: zSignatureInput,
        response: { 201: zSignature },
      },
      config: { policy: policy.onUnits('reporter', onSubmission) },
    },
    async (req, reply) => {
      const revocation = revocationFromEnv();
      // CRLs are fetched before the transaction (cached), so that no network wait holds it open.
      await warmRevocation(req.body.signature, revocation);
      const s = await tx((t) =>
        addSignature(t, callerOf(req), req.params.id, req.body.signature, trustRootsFromEnv(), {
          revocation,
        }),
      );
      return reply.status(201).send(s);
    },
  );
  app.get(
    '/api/submissions/:id/signatures',
    {
      schema: {
        tags: ['signatures'],
        summary: 'Signatures of a submission, with their last verification',
        params: zId,
        response: { 200: z.object({ items: z.array(zSignature) }) },
      },
      config: { policy: policy.onUnits('viewer', onSubmission) },
    },
    async (req) => ({ items: await listSignatures(db, req.params.id) }),
  );
  app.post(
    '/api/signatures/:id/verify',
    {
      schema: {
        tags: ['signatures'],
        summary: 'Verify a stored signature again against the submission’s content now',
        params: zId,
        response: { 200: zSignature.extend({ current_content_sha256: z.string() }) },
      },
      config: { policy: policy.onUnits('viewer', signatureUnit(store)) },
    },
    async (req) => {
      const revocation = revocationFromEnv();
      const [stored] = await rows<{ signature: Uint8Array }>(
        db,
        sql`select signature from submission_signature where id = ${req.params.id} and archived_at is null`,
      );
      if (stored) await warmRevocation(new Uint8Array(stored.signature), revocation);
      return tx((t) =>
        reverifySignature(t, callerOf(req), req.params.id, trustRootsFromEnv(), { revocation }),
      );
    },
  );
}
