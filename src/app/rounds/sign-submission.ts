/**
 * Signed submissions. A submission may carry detached CMS/PKCS#7 signatures over its canonical
 * content; each is verified on upload (a signature that does not verify is refused and not stored),
 * stored with its signer, and re-verified on demand against the submission's content at that moment,
 * so a value changed after signing makes the signature fail.
 *
 * Canonical content (format `chiso-submission/1`): the UTF-8 bytes of the JSON
 *
 *   {"form":{"code":F,"version":N},"format":"chiso-submission/1","org_unit":U,"period":P,
 *    "values":[{"indicator":C,"value":V}, …]}
 *
 * written without whitespace with object keys sorted (RFC 8785 JSON Canonicalization Scheme: keys by
 * UTF-16 code units, numbers as ECMAScript writes them), where F and N are the form code and the
 * version the round uses, U the unit's code, P the period code, and `values` every item of the form
 * that applies to the unit, ordered by indicator code, with its current value (null when missing).
 * GET /api/submissions/:id/content serves exactly these bytes for a signing tool.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type * as pkijs from 'pkijs';
import { ChisoError, isChisoError } from '../../core/errors.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit, canonicalJson } from '../audit.ts';
import { type Caller, isoTs, notFound, requireRole } from './access.ts';
import {
  type CmsVerification,
  certificatesOf,
  decodeSignature,
  parseSignedData,
  verifyDetachedCms,
} from './cms.ts';
import type { RevocationChecker } from './revocation.ts';
import type { SignatureOut } from './schemas.ts';
import { loadSubmission, type SubmissionRow, submissionItems, unitOf } from './workflow.ts';

export const CONTENT_FORMAT = 'chiso-submission/1';

export interface CanonicalContent {
  text: string;
  bytes: Uint8Array;
  sha256: string;
}

export async function canonicalContent(ex: Executor, s: SubmissionRow): Promise<CanonicalContent> {
  const items = await submissionItems(ex, s);
  const values = items.length
    ? await rows<{ indicator_id: number; value: number | null }>(
        ex,
        sql`select indicator_id, value from data_value
            where org_unit_id = ${s.org_unit_id} and period = ${s.period} and disagg = '' and archived_at is null
              and indicator_id in (${sql.join(
                items.map((i) => sql`${i.indicator_id}`),
                sql`, `,
              )})`,
      )
    : [];
  const byId = new Map(values.map((v) => [v.indicator_id, v.value]));
  const list = items
    .map((i) => ({ indicator: i.code, value: byId.get(i.indicator_id) ?? null }))
    .sort((a, b) => (a.indicator < b.indicator ? -1 : a.indicator > b.indicator ? 1 : 0));
  const text = canonicalJson({
    format: CONTENT_FORMAT,
    form: { code: s.form_code, version: s.form_version },
    org_unit: s.unit_code,
    period: s.period,
    values: list,
  });
  const bytes = new TextEncoder().encode(text);
  return { text, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const COLUMNS = sql`id, submission_id, content_sha256, signer_subject, signer_serial, signer_issuer,
  ${isoTs('signer_not_before')} as signer_not_before, ${isoTs('signer_not_after')} as signer_not_after,
  ${isoTs('signing_time')} as signing_time, ${isoTs('verified_at')} as verified_at, result, result_detail,
  revocation, revocation_detail, uploaded_by, ${isoTs('created_at')} as created_at`;

/** What is stored of a verification's revocation check (null when it was not checked). */
function revocationColumns(v: CmsVerification): { state: string | null; detail: string | null } {
  if (!v.revocation) return { state: null, detail: null };
  const code =
    v.revocation.state === 'good'
      ? 'signature.not_revoked'
      : v.revocation.state === 'revoked'
        ? 'signature.certificate_revoked'
        : 'signature.revocation_unknown';
  const text =
    v.revocation.state === 'good'
      ? { vi: 'Không chứng thư nào trong chuỗi bị thu hồi.', en: 'No certificate of the chain is revoked.' }
      : { vi: v.vi, en: v.en };
  return {
    state: v.revocation.state,
    detail: JSON.stringify({
      code,
      ...text,
      certificates: v.revocation.certificates.map((c) => ({
        subject: c.subject,
        serial: c.serial,
        state: c.state,
        source: c.source,
        ...(c.revokedAt ? { revoked_at: c.revokedAt.toISOString() } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
        ...(c.why ? { why: c.why } : {}),
      })),
    }),
  };
}

/** Fetches, outside any transaction, the CRLs a signature's certificates name (see revocation.ts). */
export async function warmRevocation(signatureText: string | Uint8Array, revocation: RevocationChecker) {
  try {
    const der = typeof signatureText === 'string' ? decodeSignature(signatureText) : signatureText;
    await revocation.warm(certificatesOf(parseSignedData(der)));
  } catch {
    // a malformed signature is reported by the verification itself
  }
}

export async function listSignatures(ex: Executor, submissionId: number): Promise<SignatureOut[]> {
  return rows<SignatureOut>(
    ex,
    sql`select ${COLUMNS} from submission_signature where submission_id = ${submissionId} and archived_at is null order by id`,
  );
}

async function getSignature(ex: Executor, id: number): Promise<SignatureOut> {
  const [s] = await rows<SignatureOut>(ex, sql`select ${COLUMNS} from submission_signature where id = ${id}`);
  if (!s) throw notFound({ vi: 'chữ ký', en: 'signature' }, id);
  return s;
}

/** Verifies and stores a signature over the submission's current content. A bad signature is refused (422). */
export async function addSignature(
  ex: Executor,
  caller: Caller,
  submissionId: number,
  signatureText: string,
  trustRoots: pkijs.Certificate[],
  options: { now?: Date; revocation?: RevocationChecker } = {},
): Promise<SignatureOut> {
  const now = options.now ?? new Date();
  const s = await loadSubmission(ex, submissionId, true);
  requireRole(caller, 'reporter', unitOf(s));
  if (trustRoots.length === 0)
    throw new ChisoError({
      code: 'signature.no_trust_roots',
      status: 503,
      vi: 'Máy chủ chưa được cấu hình chứng thư gốc tin cậy (CHISO_TRUST_ROOTS); chưa thể nhận chữ ký số.',
      en: 'No trust roots are configured on the server (CHISO_TRUST_ROOTS); signatures cannot be accepted.',
    });
  const der = decodeSignature(signatureText);
  const sd = parseSignedData(der);
  const content = await canonicalContent(ex, s);
  const v = await verifyDetachedCms(sd, content.bytes, trustRoots, now, options.revocation);
  const rev = revocationColumns(v);
  if (!v.ok)
    throw new ChisoError({
      code: v.code,
      status: 422,
      field: 'signature',
      vi: v.vi,
      en: v.en,
      details: {
        content_sha256: content.sha256,
        ...(rev.detail ? { revocation: JSON.parse(rev.detail) } : {}),
      },
    });
  const signer = v.signer!;
  const [row] = await rows<{ id: number }>(
    ex,
    sql`insert into submission_signature (submission_id, signature, content_sha256, signer_subject, signer_serial, signer_issuer,
          signer_not_before, signer_not_after, signing_time, verified_at, result, revocation, revocation_detail, uploaded_by)
        values (${s.id}, ${Buffer.from(der)}, ${content.sha256}, ${signer.subject}, ${signer.serial}, ${signer.issuer},
          ${signer.notBefore.toISOString()}, ${signer.notAfter.toISOString()}, ${v.signingTime?.toISOString() ?? null},
          ${now.toISOString()}, 'valid', ${rev.state}, ${rev.detail}::jsonb, ${caller.name})
        returning id`,
  );
  await appendAudit(ex, {
    actor: caller.name,
    action: 'signature.add',
    entity: 'submission_signature',
    entityId: row!.id,
    data: {
      submission: s.id,
      content_sha256: content.sha256,
      signer: signer.subject,
      serial: signer.serial,
      issuer: signer.issuer,
      signature_sha256: createHash('sha256').update(der).digest('hex'),
      revocation: rev.state,
    },
  });
  return getSignature(ex, row!.id);
}

/** The signature's submission id (for scope checks), or 404. */
export async function signatureSubmission(ex: Executor, id: number): Promise<number> {
  const [r] = await rows<{ submission_id: number }>(
    ex,
    sql`select submission_id from submission_signature where id = ${id} and archived_at is null`,
  );
  if (!r) throw notFound({ vi: 'chữ ký', en: 'signature' }, id);
  return r.submission_id;
}

/** Verifies a stored signature again, against the submission's content now; records the result. */
export async function reverifySignature(
  ex: Executor,
  caller: Caller,
  id: number,
  trustRoots: pkijs.Certificate[],
  options: { now?: Date; revocation?: RevocationChecker } = {},
): Promise<SignatureOut & { current_content_sha256: string }> {
  const now = options.now ?? new Date();
  const [stored] = await rows<{ submission_id: number; signature: Uint8Array }>(
    ex,
    sql`select submission_id, signature from submission_signature where id = ${id} and archived_at is null for update`,
  );
  if (!stored) throw notFound({ vi: 'chữ ký', en: 'signature' }, id);
  const s = await loadSubmission(ex, stored.submission_id);
  requireRole(caller, 'viewer', unitOf(s));
  const content = await canonicalContent(ex, s);
  let v: CmsVerification;
  try {
    v = await verifyDetachedCms(
      parseSignedData(new Uint8Array(stored.signature)),
      content.bytes,
      trustRoots,
      now,
      options.revocation,
    );
  } catch (e) {
    // A stored signature that no longer parses (damaged in storage) is reported, not thrown.
    if (!isChisoError(e)) throw e;
    v = { ok: false, code: e.code, vi: e.vi, en: e.en, signer: null, signingTime: null, revocation: null };
  }
  const detail = v.ok ? null : { code: v.code, vi: v.vi, en: v.en };
  const rev = revocationColumns(v);
  await ex.execute(
    sql`update submission_signature set verified_at = ${now.toISOString()}, result = ${v.ok ? 'valid' : 'invalid'},
          result_detail = ${detail ? JSON.stringify(detail) : null}::jsonb,
          revocation = ${rev.state}, revocation_detail = ${rev.detail}::jsonb where id = ${id}`,
  );
  await appendAudit(ex, {
    actor: caller.name,
    action: 'signature.verify',
    entity: 'submission_signature',
    entityId: id,
    data: {
      submission: s.id,
      result: v.ok ? 'valid' : 'invalid',
      code: v.code,
      revocation: rev.state,
      content_sha256: content.sha256,
    },
  });
  return { ...(await getSignature(ex, id)), current_content_sha256: content.sha256 };
}
