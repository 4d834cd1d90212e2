/**
 * Certificate revocation for signature verification, with CRLs (RFC 5280):
 *  - CRL files in a folder (CHISO_CRL_DIR, by default the folder of the trust-roots file): every
 *    `*.crl` or `*.crl.pem` (DER or PEM "X509 CRL"), re-read when a file changes;
 *  - when a certificate names a CRL distribution point over http(s) and fetching is on
 *    (CHISO_CRL_FETCH, default on), the CRL is fetched with a short timeout
 *    (CHISO_CRL_FETCH_TIMEOUT_MS, default 3000), and cached until its nextUpdate, at most
 *    CHISO_CRL_CACHE_SECONDS (default 3600); a failed fetch is remembered for a minute so that one
 *    verification does not wait twice.
 * A CRL is used only when it is signed by the certificate's issuer and is current (thisUpdate not in
 * the future, nextUpdate not past). Every certificate of the chain below the trust root is checked.
 * The answer is `good`, `revoked` (with the date and reason) or `unknown` (no current CRL could be
 * had, with why) — the caller decides what `unknown` means (CHISO_REVOCATION_UNKNOWN: `warn`, the
 * default, accepts with a warning; `refuse` fails the verification). OCSP is not implemented.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { formatName } from './cms.ts';

const OID_CRL_DP = '2.5.29.31';
const OID_CRL_REASON = '2.5.29.21';
const FAILURE_MEMORY_MS = 60_000;
const MAX_CRL_BYTES = 20 * 1024 * 1024;
const CLOCK_SKEW_MS = 5 * 60_000;

const REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export type UnknownPolicy = 'warn' | 'refuse';

export interface RevocationOptions {
  /** Folder of CRL files; null: none. */
  crlDir: string | null;
  fetch: boolean;
  timeoutMs: number;
  cacheSeconds: number;
  unknownPolicy: UnknownPolicy;
  /** Fetches a URL's bytes (tests and proxies may replace it). */
  fetcher?: (url: string, timeoutMs: number) => Promise<Uint8Array>;
}

export type RevocationState = 'good' | 'revoked' | 'unknown';

export interface CertificateRevocation {
  subject: string;
  serial: string;
  state: RevocationState;
  /** Where the answer came from: a file path or a URL. */
  source: string | null;
  revokedAt?: Date;
  reason?: string;
  /** Why the state is unknown. */
  why?: string;
}

export interface ChainRevocation {
  state: RevocationState;
  certificates: CertificateRevocation[];
}

const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');
const serialOf = (c: pkijs.Certificate): string => hex(c.serialNumber.valueBlock.valueHexView);

/** Reads a CRL from DER or PEM bytes; null when it is neither. */
export function parseCrl(bytes: Uint8Array): pkijs.CertificateRevocationList | null {
  let der = bytes;
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(
      Buffer.from(bytes).toString('latin1'),
    );
    if (!m) return null;
    der = new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  }
  try {
    const asn = asn1js.fromBER(new Uint8Array(der).buffer); // a copy: a Buffer may sit in a shared pool
    if (asn.offset === -1) return null;
    return new pkijs.CertificateRevocationList({ schema: asn.result });
  } catch {
    return null;
  }
}

/** The http(s) URLs of a certificate's CRL distribution points. */
export function crlUrls(cert: pkijs.Certificate): string[] {
  const ext = cert.extensions?.find((e) => e.extnID === OID_CRL_DP);
  const cdp = ext?.parsedValue as pkijs.CRLDistributionPoints | undefined;
  const out: string[] = [];
  for (const dp of cdp?.distributionPoints ?? []) {
    const names = dp.distributionPoint;
    if (!Array.isArray(names)) continue;
    for (const n of names)
      if (n.type === 6 && typeof n.value === 'string' && /^https?:\/\//i.test(n.value)) out.push(n.value);
  }
  return out;
}

async function defaultFetcher(url: string, timeoutMs: number): Promise<Uint8Array> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const len = Number(r.headers.get('content-length') ?? 0);
  if (len > MAX_CRL_BYTES) throw new Error(`CRL too large (${len} bytes)`);
  const body = new Uint8Array(await r.arrayBuffer());
  if (body.length > MAX_CRL_BYTES) throw new Error(`CRL too large (${body.length} bytes)`);
  return body;
}

type Fetched =
  | { crl: pkijs.CertificateRevocationList; at: number; nextUpdate: number }
  | { error: string; at: number };
const fetched = new Map<string, Fetched>();
const inflight = new Map<string, Promise<Fetched>>();
const fileCache = new Map<string, { mtimeMs: number; crl: pkijs.CertificateRevocationList | null }>();

/** Forgets every fetched CRL (tests; an operator's reload). */
export function clearCrlCache(): void {
  fetched.clear();
  fileCache.clear();
}

export function revocationOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RevocationOptions {
  const num = (v: string | undefined, d: number) => {
    const n = Number(v);
    return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : d;
  };
  const roots = env.CHISO_TRUST_ROOTS;
  return {
    crlDir: env.CHISO_CRL_DIR || (roots ? dirname(roots) : null),
    fetch: !['0', 'false', 'off', 'no'].includes((env.CHISO_CRL_FETCH ?? '').toLowerCase()),
    timeoutMs: num(env.CHISO_CRL_FETCH_TIMEOUT_MS, 3000),
    cacheSeconds: num(env.CHISO_CRL_CACHE_SECONDS, 3600),
    unknownPolicy: env.CHISO_REVOCATION_UNKNOWN === 'refuse' ? 'refuse' : 'warn',
  };
}

export class RevocationChecker {
  /** CRLs this checker has already looked up: one verification fetches each URL at most once. */
  private readonly seen = new Map<string, Fetched>();

  constructor(readonly options: RevocationOptions) {}

  private localCrls(): Array<{ path: string; crl: pkijs.CertificateRevocationList }> {
    const dir = this.options.crlDir;
    if (!dir) return [];
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /\.crl(\.pem)?$/i.test(n));
    } catch {
      return [];
    }
    const out: Array<{ path: string; crl: pkijs.CertificateRevocationList }> = [];
    for (const n of names.sort()) {
      const path = join(dir, n);
      let mtimeMs: number;
      try {
        mtimeMs = statSync(path).mtimeMs;
      } catch {
        continue;
      }
      let c = fileCache.get(path);
      if (!c || c.mtimeMs !== mtimeMs) {
        c = { mtimeMs, crl: parseCrl(readFileSync(path)) };
        fileCache.set(path, c);
      }
      if (c.crl) out.push({ path, crl: c.crl });
    }
    return out;
  }

  private async fetchCrl(url: string, now: number): Promise<Fetched> {
    const mine = this.seen.get(url);
    if (mine) return mine;
    const f = await this.lookup(url, now);
    this.seen.set(url, f);
    return f;
  }

  private lookup(url: string, now: number): Promise<Fetched> {
    const hit = fetched.get(url);
    const fresh =
      hit &&
      ('error' in hit
        ? now < hit.at + FAILURE_MEMORY_MS
        : now < Math.min(hit.nextUpdate, hit.at + this.options.cacheSeconds * 1000));
    if (hit && fresh) return Promise.resolve(hit);
    const running = inflight.get(url);
    if (running) return running;
    const p = (async (): Promise<Fetched> => {
      let f: Fetched;
      try {
        const bytes = await (this.options.fetcher ?? defaultFetcher)(url, this.options.timeoutMs);
        const crl = parseCrl(bytes);
        f = crl
          ? { crl, at: now, nextUpdate: crl.nextUpdate?.value.getTime() ?? Number.POSITIVE_INFINITY }
          : { error: 'not a CRL', at: now };
      } catch (e) {
        const err = e as Error;
        f = {
          error: err.name === 'TimeoutError' ? `timeout after ${this.options.timeoutMs} ms` : err.message,
          at: now,
        };
      }
      fetched.set(url, f);
      return f;
    })().finally(() => inflight.delete(url));
    inflight.set(url, p);
    return p;
  }

  /** Fetches the CRLs the certificates name, so that a later check finds them cached. Never throws. */
  async warm(certs: pkijs.Certificate[], now: Date = new Date()): Promise<void> {
    if (!this.options.fetch) return;
    await Promise.all(certs.flatMap((c) => crlUrls(c).map((u) => this.fetchCrl(u, now.getTime()))));
  }

  /** Why a CRL cannot be used for a certificate of `issuer`, or null when it can. */
  private async unusable(
    crl: pkijs.CertificateRevocationList,
    issuer: pkijs.Certificate,
    now: Date,
  ): Promise<string | null> {
    if (!crl.issuer.isEqual(issuer.subject)) return 'issued by another CA';
    let ok = false;
    try {
      ok = await crl.verify({ issuerCertificate: issuer });
    } catch {
      ok = false;
    }
    if (!ok) return 'its signature does not verify with the issuer’s key';
    if (crl.thisUpdate.value.getTime() > now.getTime() + CLOCK_SKEW_MS) return 'issued in the future';
    if (crl.nextUpdate && crl.nextUpdate.value.getTime() < now.getTime())
      return `out of date (next update was ${crl.nextUpdate.value.toISOString()})`;
    return null;
  }

  private entryFor(crl: pkijs.CertificateRevocationList, cert: pkijs.Certificate) {
    const serial = serialOf(cert);
    const e = crl.revokedCertificates?.find((r) => hex(r.userCertificate.valueBlock.valueHexView) === serial);
    if (!e) return null;
    const ext = e.crlEntryExtensions?.extensions.find((x) => x.extnID === OID_CRL_REASON);
    let reason: string | undefined;
    if (ext) {
      const asn = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView.slice().buffer);
      const code = (asn.result as asn1js.Enumerated).valueBlock?.valueDec;
      if (typeof code === 'number') reason = REASONS[code] ?? String(code);
    }
    if (reason === 'removeFromCRL') return null;
    return { at: e.revocationDate.value, reason };
  }

  /** The revocation state of one certificate issued by `issuer`. */
  async check(
    cert: pkijs.Certificate,
    issuer: pkijs.Certificate,
    now: Date = new Date(),
  ): Promise<CertificateRevocation> {
    const base = { subject: formatName(cert.subject), serial: serialOf(cert) };
    const problems: string[] = [];
    const decide = (crl: pkijs.CertificateRevocationList, source: string): CertificateRevocation => {
      const entry = this.entryFor(crl, cert);
      return entry
        ? {
            ...base,
            state: 'revoked',
            source,
            revokedAt: entry.at,
            ...(entry.reason ? { reason: entry.reason } : {}),
          }
        : { ...base, state: 'good', source };
    };
    // Local files first: the newest usable CRL of the issuer.
    let best: { path: string; crl: pkijs.CertificateRevocationList } | null = null;
    for (const f of this.localCrls()) {
      if (!f.crl.issuer.isEqual(cert.issuer)) continue;
      const why = await this.unusable(f.crl, issuer, now);
      if (why) {
        problems.push(`${f.path}: ${why}`);
        continue;
      }
      if (!best || f.crl.thisUpdate.value > best.crl.thisUpdate.value) best = f;
    }
    if (best) return decide(best.crl, best.path);
    const urls = crlUrls(cert);
    if (urls.length && !this.options.fetch) problems.push(`fetching is off (${urls.join(', ')})`);
    if (this.options.fetch)
      for (const url of urls) {
        const f = await this.fetchCrl(url, now.getTime());
        if ('error' in f) {
          problems.push(`${url}: ${f.error}`);
          continue;
        }
        const why = await this.unusable(f.crl, issuer, now);
        if (why) {
          problems.push(`${url}: ${why}`);
          continue;
        }
        return decide(f.crl, url);
      }
    if (problems.length === 0) problems.push('no CRL file of the issuer and no CRL distribution point');
    return { ...base, state: 'unknown', source: null, why: problems.join('; ') };
  }

  /** Checks every certificate of a chain (signer first, trust root last; the root is not checked). */
  async checkChain(chain: pkijs.Certificate[], now: Date = new Date()): Promise<ChainRevocation> {
    const certificates: CertificateRevocation[] = [];
    for (let i = 0; i + 1 < chain.length; i++)
      certificates.push(await this.check(chain[i]!, chain[i + 1]!, now));
    const state: RevocationState = certificates.some((c) => c.state === 'revoked')
      ? 'revoked'
      : certificates.some((c) => c.state === 'unknown')
        ? 'unknown'
        : 'good';
    return { state, certificates };
  }
}

/** The checker configured by the environment (see the file's comment). */
export function revocationFromEnv(env: NodeJS.ProcessEnv = process.env): RevocationChecker {
  return new RevocationChecker(revocationOptionsFromEnv(env));
}
