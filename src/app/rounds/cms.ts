/**
 * Verification of detached CMS / PKCS#7 SignedData signatures (RFC 5652), the form in which
 * Vietnamese CAs' signing tools sign files, with pkijs:
 *  1. the input is a ContentInfo holding SignedData with exactly one signer (base64 DER or PEM);
 *  2. the signed content is the given bytes (detached; if the content is attached it must equal them);
 *  3. the signing time is the signed attribute signingTime (else the time of verification) and may
 *     not lie more than 5 minutes in the future;
 *  4. the signer's certificate was valid at the signing time and, when it has a key-usage extension,
 *     allows digitalSignature or nonRepudiation;
 *  5. the certificate chains, through the certificates carried in the signature, to one of the trust
 *     roots, every certificate valid at the signing time;
 *  6. the message digest and the signature itself verify.
 *  7. with a revocation checker (revocation.ts): no certificate of the chain below the trust root is
 *     revoked according to a current CRL (files, or fetched from the certificate's distribution
 *     point). A revoked certificate fails, whenever it was revoked (without a trusted timestamp the
 *     signature cannot be proven older than the revocation); a state that cannot be known fails only
 *     under the policy `refuse`, otherwise the signature is valid with revocation `unknown`.
 * OCSP is not checked.
 * Failures are reported, not thrown, with a stable code and a message in Vietnamese and English.
 */
import { readFileSync, statSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ChisoError } from '../../core/errors.ts';
import type { ChainRevocation, RevocationChecker } from './revocation.ts';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_KEY_USAGE = '2.5.29.15';
const FUTURE_SKEW_MS = 5 * 60 * 1000;

const NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'E',
};

/** A distinguished name as text, most specific first: "CN=…, O=…, C=VN". */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => {
      const v = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
      return `${NAMES[tv.type] ?? tv.type}=${typeof v === 'string' ? v : String(v ?? '')}`;
    })
    .reverse()
    .join(', ');
}

const hex = (v: ArrayBuffer | Uint8Array): string =>
  Buffer.from(v instanceof Uint8Array ? v : new Uint8Array(v)).toString('hex');

export interface SignerInfoOut {
  subject: string;
  serial: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CmsVerification {
  ok: boolean;
  code: string;
  vi: string;
  en: string;
  signer: SignerInfoOut | null;
  signingTime: Date | null;
  /** The revocation check of the chain; null when no checker was given or the check was not reached. */
  revocation: ChainRevocation | null;
}

/** Decodes base64 DER or PEM ('-----BEGIN PKCS7-----', 'CMS', 'PKCS #7 SIGNED DATA'); throws 400. */
export function decodeSignature(text: string): Uint8Array {
  const pem = /-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  const body = (pem ? pem[2]! : text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new ChisoError({
      code: 'signature.malformed',
      field: 'signature',
      vi: 'Chữ ký không phải base64 (DER) hoặc PEM hợp lệ.',
      en: 'The signature is not valid base64 (DER) or PEM.',
    });
  }
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/** Parses the CMS structure; throws a 400 ChisoError when it is not SignedData with one signer. */
export function parseSignedData(der: Uint8Array): pkijs.SignedData {
  const bad = (code: string, vi: string, en: string) => new ChisoError({ code, field: 'signature', vi, en });
  let ci: pkijs.ContentInfo;
  try {
    const asn = asn1js.fromBER(der.slice().buffer);
    if (asn.offset === -1) throw new Error(asn.result.error);
    ci = new pkijs.ContentInfo({ schema: asn.result });
  } catch {
    throw bad(
      'signature.malformed',
      'Không đọc được cấu trúc CMS/PKCS#7.',
      'The CMS/PKCS#7 structure cannot be read.',
    );
  }
  if (ci.contentType !== OID_SIGNED_DATA)
    throw bad(
      'signature.not_signed_data',
      `Tệp CMS không chứa SignedData (loại ${ci.contentType}).`,
      `The CMS does not hold SignedData (type ${ci.contentType}).`,
    );
  let sd: pkijs.SignedData;
  try {
    sd = new pkijs.SignedData({ schema: ci.content });
  } catch {
    throw bad('signature.malformed', 'Không đọc được SignedData.', 'The SignedData cannot be read.');
  }
  if (sd.signerInfos.length !== 1)
    throw bad(
      'signature.signers',
      `Chữ ký phải có đúng một người ký (có ${sd.signerInfos.length}).`,
      `The signature must have exactly one signer (it has ${sd.signerInfos.length}).`,
    );
  return sd;
}

function signingTimeOf(sd: pkijs.SignedData): Date | null {
  const attrs = sd.signerInfos[0]?.signedAttrs?.attributes ?? [];
  const a = attrs.find((x) => x.type === OID_SIGNING_TIME);
  const v = a?.values[0] as { toDate?: () => Date } | undefined;
  return v?.toDate ? v.toDate() : null;
}

function signerCertificate(sd: pkijs.SignedData): pkijs.Certificate | null {
  const sid = sd.signerInfos[0]!.sid;
  if (!(sid instanceof pkijs.IssuerAndSerialNumber)) {
    // SubjectKeyIdentifier: pkijs matches it during verify; take the only end-entity certificate.
    const certs = (sd.certificates ?? []).filter(
      (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
    );
    return certs.length === 1 ? certs[0]! : null;
  }
  for (const c of sd.certificates ?? []) {
    if (
      c instanceof pkijs.Certificate &&
      c.issuer.isEqual(sid.issuer) &&
      c.serialNumber.isEqual(sid.serialNumber)
    )
      return c;
  }
  return null;
}

function describe(cert: pkijs.Certificate): SignerInfoOut {
  return {
    subject: formatName(cert.subject),
    serial: hex(cert.serialNumber.valueBlock.valueHexView),
    issuer: formatName(cert.issuer),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
  };
}

/** Whether the key-usage extension, if any, allows signing documents. */
function keyUsageAllowsSigning(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === OID_KEY_USAGE);
  if (!ext) return true;
  const bits = (ext.parsedValue as asn1js.BitString | undefined)?.valueBlock?.valueHexView;
  if (!bits || bits.length === 0) return false;
  // bit 0 digitalSignature (0x80), bit 1 nonRepudiation / contentCommitment (0x40).
  return (bits[0]! & 0xc0) !== 0;
}

const fmtDate = (d: Date): string => d.toISOString();

/** Verifies a detached signature over `content` against the trust roots. Never throws for a bad signature. */
export async function verifyDetachedCms(
  sd: pkijs.SignedData,
  content: Uint8Array,
  trustRoots: pkijs.Certificate[],
  now: Date = new Date(),
  revocation?: RevocationChecker,
): Promise<CmsVerification> {
  const cert = signerCertificate(sd);
  const signer = cert ? describe(cert) : null;
  const signingTime = signingTimeOf(sd);
  const at = signingTime ?? now;
  const fail = (code: string, vi: string, en: string): CmsVerification => ({
    ok: false,
    code,
    vi,
    en,
    signer,
    signingTime,
    revocation: null,
  });
  if (!cert)
    return fail(
      'signature.no_signer_certificate',
      'Chữ ký không kèm chứng thư số của người ký.',
      'The signature does not carry the signer’s certificate.',
    );
  const eContent = sd.encapContentInfo.eContent;
  if (eContent) {
    const attached = new Uint8Array(eContent.getValue());
    if (Buffer.compare(Buffer.from(attached), Buffer.from(content)) !== 0)
      return fail(
        'signature.content_mismatch',
        'Nội dung kèm trong chữ ký khác với nội dung hiện tại của báo cáo.',
        'The content carried in the signature differs from the submission’s current content.',
      );
  }
  if (signingTime && signingTime.getTime() > now.getTime() + FUTURE_SKEW_MS)
    return fail(
      'signature.future_signing_time',
      `Thời điểm ký ${fmtDate(signingTime)} ở tương lai.`,
      `The signing time ${fmtDate(signingTime)} is in the future.`,
    );
  if (at < cert.notBefore.value || at > cert.notAfter.value)
    return fail(
      'signature.certificate_not_valid',
      `Chứng thư số của người ký không có hiệu lực vào thời điểm ký ${fmtDate(at)} (hiệu lực ${fmtDate(cert.notBefore.value)} – ${fmtDate(cert.notAfter.value)}).`,
      `The signer’s certificate was not valid at the signing time ${fmtDate(at)} (valid ${fmtDate(cert.notBefore.value)} – ${fmtDate(cert.notAfter.value)}).`,
    );
  if (!keyUsageAllowsSigning(cert))
    return fail(
      'signature.key_usage',
      'Chứng thư số của người ký không cho phép dùng để ký (keyUsage).',
      'The signer’s certificate does not allow signing (keyUsage).',
    );
  if (trustRoots.length === 0)
    return fail(
      'signature.no_trust_roots',
      'Máy chủ chưa được cấu hình chứng thư gốc tin cậy (CHISO_TRUST_ROOTS).',
      'No trust roots are configured on the server (CHISO_TRUST_ROOTS).',
    );
  try {
    const r = await sd.verify({
      signer: 0,
      data: content.slice().buffer,
      trustedCerts: trustRoots,
      checkChain: true,
      checkDate: at,
      extendedMode: true,
    });
    if (!r.signatureVerified)
      return fail(
        'signature.invalid',
        'Chữ ký số không đúng với nội dung báo cáo.',
        'The digital signature does not match the submission’s content.',
      );
  } catch (e) {
    const err = e as { code?: number; message?: string };
    if (err.code === 5)
      return fail(
        'signature.untrusted_chain',
        `Chứng thư số của người ký không dẫn tới chứng thư gốc tin cậy nào (hoặc có chứng thư hết hiệu lực): ${err.message ?? ''}`,
        `The signer’s certificate does not chain to a trusted root (or a certificate in the chain was not valid): ${err.message ?? ''}`,
      );
    if (err.code === 15 && /digest/i.test(err.message ?? ''))
      return fail(
        'signature.content_mismatch',
        'Nội dung báo cáo đã thay đổi sau khi ký (mã băm không khớp).',
        'The submission’s content changed after it was signed (the message digest does not match).',
      );
    return fail(
      'signature.invalid',
      `Chữ ký số không hợp lệ: ${err.message ?? String(e)}`,
      `The digital signature is not valid: ${err.message ?? String(e)}`,
    );
  }
  if (!revocation)
    return {
      ok: true,
      code: 'signature.valid',
      vi: 'Chữ ký hợp lệ.',
      en: 'The signature is valid.',
      signer,
      signingTime,
      revocation: null,
    };
  const rev = await revocation.checkChain(chainOf(cert, sd, trustRoots), now);
  const revoked = rev.certificates.find((c) => c.state === 'revoked');
  if (revoked) {
    const when = revoked.revokedAt ? fmtDate(revoked.revokedAt) : '?';
    const before = revoked.revokedAt && revoked.revokedAt <= at;
    const whose = revoked.serial === signer?.serial ? 'của người ký' : `trong chuỗi (${revoked.subject})`;
    const whoseEn =
      revoked.serial === signer?.serial
        ? 'The signer’s certificate'
        : `A certificate of the chain (${revoked.subject})`;
    return {
      ...fail(
        'signature.certificate_revoked',
        `Chứng thư số ${whose} đã bị thu hồi lúc ${when}${revoked.reason ? ` (lý do: ${revoked.reason})` : ''}${before ? ', trước thời điểm ký' : ''}; theo ${revoked.source}.`,
        `${whoseEn} was revoked at ${when}${revoked.reason ? ` (reason: ${revoked.reason})` : ''}${before ? ', before the signing time' : ''}; according to ${revoked.source}.`,
      ),
      revocation: rev,
    };
  }
  if (rev.state === 'unknown') {
    const why = rev.certificates
      .filter((c) => c.state === 'unknown')
      .map((c) => `${c.subject}: ${c.why}`)
      .join(' | ');
    const vi = `Không xác định được tình trạng thu hồi của chứng thư số (không có CRL hiện hành): ${why}`;
    const en = `The revocation status of the certificates cannot be determined (no current CRL): ${why}`;
    if (revocation.options.unknownPolicy === 'refuse')
      return { ...fail('signature.revocation_unknown', vi, en), revocation: rev };
    return { ok: true, code: 'signature.revocation_unknown', vi, en, signer, signingTime, revocation: rev };
  }
  return {
    ok: true,
    code: 'signature.valid',
    vi: 'Chữ ký hợp lệ; chứng thư số không bị thu hồi.',
    en: 'The signature is valid; no certificate is revoked.',
    signer,
    signingTime,
    revocation: rev,
  };
}

/** The signer's chain, signer first, up to a trust root (issuers from the signature and the roots). */
export function chainOf(
  cert: pkijs.Certificate,
  sd: pkijs.SignedData,
  trustRoots: pkijs.Certificate[],
): pkijs.Certificate[] {
  const pool = [
    ...trustRoots,
    ...(sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate),
  ];
  const chain = [cert];
  for (let c = cert; chain.length < 10; ) {
    if (trustRoots.includes(c)) break;
    const issuer =
      trustRoots.find((r) => r.subject.isEqual(c.issuer)) ??
      pool.find((p) => p !== c && p.subject.isEqual(c.issuer));
    if (!issuer || issuer === c) break;
    chain.push(issuer);
    c = issuer;
  }
  return chain;
}

/** The certificates carried by a signature (for fetching their CRLs ahead of a transaction). */
export function certificatesOf(sd: pkijs.SignedData): pkijs.Certificate[] {
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

/** Reads the certificates of a PEM file (several '-----BEGIN CERTIFICATE-----' blocks). */
export function parsePemCertificates(pem: string, file = 'CHISO_TRUST_ROOTS'): pkijs.Certificate[] {
  const out: pkijs.Certificate[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem), n = 1; m; m = re.exec(pem), n++) {
    try {
      out.push(pkijs.Certificate.fromBER(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))));
    } catch {
      throw new ChisoError({
        code: 'trust_roots.malformed',
        status: 500,
        file,
        row: n,
        vi: `Chứng thư thứ ${n} trong tệp chứng thư gốc không đọc được.`,
        en: `Certificate ${n} of the trust-roots file cannot be read.`,
      });
    }
  }
  return out;
}

let cache: { path: string; mtimeMs: number; certs: pkijs.Certificate[] } | undefined;

/** The trust roots named by CHISO_TRUST_ROOTS (a PEM file), re-read when the file changes. */
export function trustRootsFromEnv(env: NodeJS.ProcessEnv = process.env): pkijs.Certificate[] {
  const path = env.CHISO_TRUST_ROOTS;
  if (!path) return [];
  const mtimeMs = statSync(path).mtimeMs;
  if (cache && cache.path === path && cache.mtimeMs === mtimeMs) return cache.certs;
  const certs = parsePemCertificates(readFileSync(path, 'utf8'), path);
  cache = { path, mtimeMs, certs };
  return certs;
}
