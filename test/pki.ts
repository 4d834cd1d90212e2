/**
 * A private PKI for tests, built with pkijs on WebCrypto: a root CA, an intermediate CA and signer
 * certificates (as a Vietnamese CA issues them to an official), and detached CMS SignedData over
 * given bytes with the signed attributes contentType, messageDigest and signingTime.
 */
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY = 86400e3;

export interface Issued {
  cert: pkijs.Certificate;
  keys: CryptoKeyPair;
}

let serial = 1000;

function name(target: pkijs.RelativeDistinguishedNames, parts: Array<[string, string]>) {
  for (const [type, value] of parts)
    target.typesAndValues.push(
      new pkijs.AttributeTypeAndValue({
        type,
        value: type === '2.5.4.6' ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }),
      }),
    );
}

const CN = '2.5.4.3';
const O = '2.5.4.10';
const C = '2.5.4.6';
const UID = '0.9.2342.19200300.100.1.1';

/** Issues a certificate; self-signed when `issuer` is absent. */
export async function issue(options: {
  subject: Array<[string, string]>;
  issuer?: Issued;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  keyUsage?: 'sign' | 'encipher';
  /** CRL distribution point URLs (extension cRLDistributionPoints). */
  crlUrls?: string[];
}): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: serial++ });
  name(cert.subject, options.subject);
  if (options.issuer) cert.issuer = options.issuer.cert.subject;
  else name(cert.issuer, options.subject);
  cert.notBefore.value = options.notBefore ?? new Date(Date.now() - 30 * DAY);
  cert.notAfter.value = options.notAfter ?? new Date(Date.now() + 365 * DAY);
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey);
  const bc = new pkijs.BasicConstraints({
    cA: !!options.ca,
    ...(options.ca ? { pathLenConstraint: 2 } : {}),
  });
  // keyUsage bits: digitalSignature 0x80, nonRepudiation 0x40, keyEncipherment 0x20, keyCertSign 0x04, cRLSign 0x02.
  const usage = options.ca ? 0x06 : options.keyUsage === 'encipher' ? 0x20 : 0xc0;
  const ku = new asn1js.BitString({
    valueHex: new Uint8Array([usage]).buffer,
    unusedBits: options.ca ? 1 : 6,
  });
  cert.extensions = [
    new pkijs.Extension({
      extnID: '2.5.29.19',
      critical: true,
      extnValue: bc.toSchema().toBER(false),
      parsedValue: bc,
    }),
    new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: ku.toBER(false), parsedValue: ku }),
  ];
  if (options.crlUrls?.length) {
    const cdp = new pkijs.CRLDistributionPoints({
      distributionPoints: [
        new pkijs.DistributionPoint({
          distributionPoint: options.crlUrls.map((value) => new pkijs.GeneralName({ type: 6, value })),
        }),
      ],
    });
    cert.extensions.push(
      new pkijs.Extension({
        extnID: '2.5.29.31',
        critical: false,
        extnValue: cdp.toSchema().toBER(false),
        parsedValue: cdp,
      }),
    );
  }
  await cert.sign(options.issuer?.keys.privateKey ?? keys.privateKey, 'SHA-256');
  return { cert, keys };
}

export interface TestPki {
  root: Issued;
  intermediate: Issued;
  signer: Issued;
  /** PEM of the trust roots file (the root only). */
  rootsPem: string;
}

/** Root → intermediate → signer, the signer named like a Vietnamese official's certificate. */
export async function makePki(label = 'chiso test'): Promise<TestPki> {
  const root = await issue({
    subject: [
      [C, 'VN'],
      [O, label],
      [CN, `${label} Root CA`],
    ],
    ca: true,
  });
  const intermediate = await issue({
    subject: [
      [C, 'VN'],
      [O, label],
      [CN, `${label} Issuing CA`],
    ],
    issuer: root,
    ca: true,
  });
  const signer = await issue({
    subject: [
      [C, 'VN'],
      [O, 'UBND Quận 1'],
      [UID, 'CMND:079000000001'],
      [CN, 'Nguyễn Văn An'],
    ],
    issuer: intermediate,
  });
  return { root, intermediate, signer, rootsPem: toPem(root.cert) };
}

export function toPem(cert: pkijs.Certificate): string {
  const b64 = Buffer.from(cert.toSchema(true).toBER(false)).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
}

/** A detached CMS SignedData over `content`, DER. */
export async function signDetached(
  content: Uint8Array,
  signer: Issued,
  chain: pkijs.Certificate[],
  options: { signingTime?: Date; attach?: boolean } = {},
): Promise<Uint8Array> {
  const digest = await webcrypto.subtle.digest('SHA-256', content);
  const attrs = [
    new pkijs.Attribute({
      type: '1.2.840.113549.1.9.3',
      values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })],
    }),
    new pkijs.Attribute({
      type: '1.2.840.113549.1.9.4',
      values: [new asn1js.OctetString({ valueHex: digest })],
    }),
    new pkijs.Attribute({
      type: '1.2.840.113549.1.9.5',
      values: [new asn1js.UTCTime({ valueDate: options.signingTime ?? new Date() })],
    }),
  ];
  const sd = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: '1.2.840.113549.1.7.1',
      ...(options.attach ? { eContent: new asn1js.OctetString({ valueHex: content.slice().buffer }) } : {}),
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: signer.cert.issuer,
          serialNumber: signer.cert.serialNumber,
        }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs }),
      }),
    ],
    certificates: [signer.cert, ...chain],
  });
  await sd.sign(signer.keys.privateKey, 0, 'SHA-256', content.slice().buffer);
  const ci = new pkijs.ContentInfo({
    contentType: pkijs.ContentInfo.SIGNED_DATA,
    content: sd.toSchema(true),
  });
  return new Uint8Array(ci.toSchema().toBER(false));
}

export const toBase64 = (der: Uint8Array): string => Buffer.from(der).toString('base64');
export const toPkcs7Pem = (der: Uint8Array): string =>
  `-----BEGIN PKCS7-----\n${toBase64(der).replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`;

/** A CRL signed by `issuer` listing `revoked` (with their revocation dates), DER. */
export async function makeCrl(
  issuer: Issued,
  revoked: Array<{ cert: pkijs.Certificate; at?: Date; reason?: number }>,
  options: { thisUpdate?: Date; nextUpdate?: Date | null } = {},
): Promise<Uint8Array> {
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = issuer.cert.subject;
  crl.thisUpdate = new pkijs.Time({ type: 0, value: options.thisUpdate ?? new Date(Date.now() - 3600e3) });
  if (options.nextUpdate !== null)
    crl.nextUpdate = new pkijs.Time({ type: 0, value: options.nextUpdate ?? new Date(Date.now() + 7 * DAY) });
  if (revoked.length)
    crl.revokedCertificates = revoked.map(
      (r) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({
            valueHex: r.cert.serialNumber.valueBlock.valueHexView.slice().buffer,
          }),
          revocationDate: new pkijs.Time({ type: 0, value: r.at ?? new Date(Date.now() - 60e3) }),
          ...(r.reason !== undefined
            ? {
                crlEntryExtensions: new pkijs.Extensions({
                  extensions: [
                    new pkijs.Extension({
                      extnID: '2.5.29.21',
                      critical: false,
                      extnValue: new asn1js.Enumerated({ value: r.reason }).toBER(false),
                    }),
                  ],
                }),
              }
            : {}),
        }),
    );
  await crl.sign(issuer.keys.privateKey, 'SHA-256');
  return new Uint8Array(crl.toSchema(true).toBER(false));
}

export const crlToPem = (der: Uint8Array): string =>
  `-----BEGIN X509 CRL-----\n${toBase64(der).replace(/(.{64})/g, '$1\n')}\n-----END X509 CRL-----\n`;
