/**
 * Signed submissions: detached CMS signatures over the canonical content, verified against trust
 * roots generated here (root → intermediate → signer); a value changed after signing fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, verifyAuditChain } from '../../../app/audit.ts';
import type { Principal } from '../../policies/index.ts';
import { principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import { issue, makePki, signDetached, type TestPki, toBase64, toPkcs7Pem } from '../../../../test/pki.ts';
import {
  FORM,
  ONLINE,
  openRoundsStore,
  RATE,
  TOTAL,
  TRAINED,
  vnDaysFromNow,
  WARD_A,
  WARD_B,
} from '../../../../test/rounds-fixture.ts';

let t: TestApp;
let pki: TestPki;
let dir: string;
let reporter: Principal;
let viewer: Principal;
let outsider: Principal;
let subA: number;
let subB: number;
const savedRoots = process.env.CHISO_TRUST_ROOTS;

beforeAll(async () => {
  pki = await makePki();
  dir = mkdtempSync(join(tmpdir(), 'chiso-roots-'));
  writeFileSync(join(dir, 'roots.pem'), pki.rootsPem);
  process.env.CHISO_TRUST_ROOTS = join(dir, 'roots.pem');
  const store = await openRoundsStore();
  t = await testApp(store);
  reporter = await principalFor(store, [['reporter', '79.760']]);
  viewer = await principalFor(store, [['viewer', '79']]);
  outsider = await principalFor(store, [['reporter', '79.761']]);
  const admin = await principalFor(store, [['admin', '79']]);
  t.as(admin);
  const round = await t.app.inject({
    method: 'POST',
    url: '/api/rounds',
    payload: {
      form: FORM,
      period: '2024Q3',
      org_unit: '79.760',
      level: 'commune',
      deadline: vnDaysFromNow(20),
    },
  });
  const subs = (
    await t.app.inject({ method: 'GET', url: `/api/submissions?round=${round.json().id}` })
  ).json();
  const idOf = (u: string) => subs.items.find((s: { org_unit: string }) => s.org_unit === u).id as number;
  subA = idOf(WARD_A);
  subB = idOf(WARD_B);
  t.as(reporter);
  for (const id of [subA, subB]) {
    const r = await t.app.inject({
      method: 'PUT',
      url: `/api/submissions/${id}/values`,
      payload: {
        values: [
          { indicator: TOTAL, value: 300 },
          { indicator: ONLINE, value: 210 },
          { indicator: RATE, value: 70.25 },
        ],
      },
    });
    expect(r.statusCode).toBe(200);
  }
});
afterAll(async () => {
  if (savedRoots === undefined) delete process.env.CHISO_TRUST_ROOTS;
  else process.env.CHISO_TRUST_ROOTS = savedRoots;
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

async function content(id: number, p: Principal = reporter) {
  t.as(p);
  const r = await t.app.inject({ method: 'GET', url: `/api/submissions/${id}/content` });
  return { status: r.statusCode, bytes: new Uint8Array(r.rawPayload), sha: r.headers['x-content-sha256'] };
}

async function post(p: Principal | null, url: string, payload?: object) {
  t.as(p);
  const r = await t.app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
}

describe('canonical content', () => {
  it('is RFC 8785 JSON of form, unit, period and every item’s value, ordered by indicator code', async () => {
    const c = await content(subA);
    expect(c.status).toBe(200);
    const text = new TextDecoder().decode(c.bytes);
    const expected = {
      format: 'chiso-submission/1',
      form: { code: FORM, version: 1 },
      org_unit: WARD_A,
      period: '2024Q3',
      values: [
        { indicator: TRAINED, value: null },
        { indicator: TOTAL, value: 300 },
        { indicator: ONLINE, value: 210 },
        { indicator: RATE, value: 70.25 },
      ],
    };
    expect(text).toBe(canonicalJson(expected));
    expect(
      text.startsWith('{"form":{"code":"QT-CCHC","version":1},"format":"chiso-submission/1","org_unit"'),
    ).toBe(true);
    expect(c.sha).toBe(createHash('sha256').update(c.bytes).digest('hex'));
    expect((await content(subA, outsider)).status).toBe(403);
    expect((await content(subA, viewer)).status).toBe(200);
  });
});

describe('signatures', () => {
  let signatureId: number;

  it('accepts a detached signature that chains to a trust root, and stores the signer', async () => {
    const c = await content(subA);
    const der = await signDetached(c.bytes, pki.signer, [pki.intermediate.cert]);
    const r = await post(reporter, `/api/submissions/${subA}/signatures`, { signature: toBase64(der) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      result: 'valid',
      result_detail: null,
      content_sha256: c.sha,
      signer_subject: 'CN=Nguyễn Văn An, UID=CMND:079000000001, O=UBND Quận 1, C=VN',
      signer_issuer: 'CN=chiso test Issuing CA, O=chiso test, C=VN',
      uploaded_by: reporter.username,
    });
    expect(r.body.signer_serial).toMatch(/^[0-9a-f]+$/);
    signatureId = r.body.id;
    const again = await post(viewer, `/api/signatures/${signatureId}/verify`);
    expect(again.body).toMatchObject({ result: 'valid', current_content_sha256: c.sha });
  });

  it('fails verification when a value is changed after signing', async () => {
    // Someone edits a figure directly in the database, behind the workflow's back.
    await t.store.db.execute(
      sql`update data_value set value = 70.3 where period = '2024Q3' and value = 70.25
          and org_unit_id = (select id from org_unit where code = ${WARD_A})`,
    );
    const r = await post(viewer, `/api/signatures/${signatureId}/verify`);
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('invalid');
    expect(r.body.result_detail.code).toBe('signature.content_mismatch');
    expect(r.body.current_content_sha256).not.toBe(r.body.content_sha256);
    t.as(viewer);
    const list = (await t.app.inject({ method: 'GET', url: `/api/submissions/${subA}/signatures` })).json();
    expect(list.items).toEqual([expect.objectContaining({ id: signatureId, result: 'invalid' })]);
    // Restoring the figure restores the signature.
    await t.store.db.execute(
      sql`update data_value set value = 70.25 where period = '2024Q3' and value = 70.3
          and org_unit_id = (select id from org_unit where code = ${WARD_A})`,
    );
    expect((await post(viewer, `/api/signatures/${signatureId}/verify`)).body.result).toBe('valid');
    expect((await verifyAuditChain(t.store)).ok).toBe(true);
  });

  it('reports a stored signature damaged in storage as invalid', async () => {
    const c = await content(subA);
    const der = await signDetached(c.bytes, pki.signer, [pki.intermediate.cert]);
    const added = await post(reporter, `/api/submissions/${subA}/signatures`, { signature: toBase64(der) });
    await t.store.db.execute(
      sql`update submission_signature set signature = substring(signature from 1 for 40) where id = ${added.body.id}`,
    );
    const r = await post(viewer, `/api/signatures/${added.body.id}/verify`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ result: 'invalid', result_detail: { code: 'signature.malformed' } });
  });

  it('refuses, and does not store, signatures that do not verify — each with its reason', async () => {
    const c = await content(subB);
    const other = await makePki('foreign');
    const expired = await issue({
      subject: [['2.5.4.3', 'Trần Thị Bình']],
      issuer: pki.intermediate,
      notBefore: new Date(Date.now() - 400 * 86400e3),
      notAfter: new Date(Date.now() - 10 * 86400e3),
    });
    const encipherOnly = await issue({
      subject: [['2.5.4.3', 'Lê Văn Cường']],
      issuer: pki.intermediate,
      keyUsage: 'encipher',
    });
    const otherContent = new TextEncoder().encode(new TextDecoder().decode(c.bytes).replace('300', '301'));
    const cases: Array<[string, Promise<Uint8Array>, string]> = [
      [
        'another CA',
        signDetached(c.bytes, other.signer, [other.intermediate.cert]),
        'signature.untrusted_chain',
      ],
      ['no intermediate', signDetached(c.bytes, pki.signer, []), 'signature.untrusted_chain'],
      [
        'other content',
        signDetached(otherContent, pki.signer, [pki.intermediate.cert]),
        'signature.content_mismatch',
      ],
      [
        'expired certificate',
        signDetached(c.bytes, expired, [pki.intermediate.cert]),
        'signature.certificate_not_valid',
      ],
      [
        'encipherment key',
        signDetached(c.bytes, encipherOnly, [pki.intermediate.cert]),
        'signature.key_usage',
      ],
      [
        'signed in the future',
        signDetached(c.bytes, pki.signer, [pki.intermediate.cert], {
          signingTime: new Date(Date.now() + 86400e3),
        }),
        'signature.future_signing_time',
      ],
      [
        'attached other content',
        signDetached(otherContent, pki.signer, [pki.intermediate.cert], { attach: true }),
        'signature.content_mismatch',
      ],
    ];
    for (const [label, der, code] of cases) {
      const r = await post(reporter, `/api/submissions/${subB}/signatures`, {
        signature: toBase64(await der),
      });
      expect(r.status, label).toBe(422);
      expect(r.body.code, label).toBe(code);
      expect(r.body.vi, label).toMatch(/\S/);
    }
    expect(
      (
        await post(reporter, `/api/submissions/${subB}/signatures`, {
          signature: '@@@@ this is not base64 at all @@@@',
        })
      ).body.code,
    ).toBe('signature.malformed');
    expect(
      (
        await post(reporter, `/api/submissions/${subB}/signatures`, {
          signature: toBase64(new Uint8Array(64).fill(7)),
        })
      ).body.code,
    ).toBe('signature.malformed');
    t.as(viewer);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/submissions/${subB}/signatures` })).json().items,
    ).toEqual([]);
  });

  it('accepts PEM and attached content equal to the submission; checks scope', async () => {
    const c = await content(subB);
    const pem = toPkcs7Pem(
      await signDetached(c.bytes, pki.signer, [pki.intermediate.cert], { attach: true }),
    );
    const r = await post(reporter, `/api/submissions/${subB}/signatures`, { signature: pem });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const der = toBase64(await signDetached(c.bytes, pki.signer, [pki.intermediate.cert]));
    expect((await post(outsider, `/api/submissions/${subB}/signatures`, { signature: der })).status).toBe(
      403,
    );
    expect((await post(viewer, `/api/submissions/${subB}/signatures`, { signature: der })).status).toBe(403);
    expect((await post(null, `/api/submissions/${subB}/signatures`, { signature: der })).status).toBe(401);
    expect((await post(outsider, `/api/signatures/${r.body.id}/verify`)).status).toBe(403);
  });

  it('refuses signatures when no trust roots are configured', async () => {
    const c = await content(subB);
    const der = toBase64(await signDetached(c.bytes, pki.signer, [pki.intermediate.cert]));
    delete process.env.CHISO_TRUST_ROOTS;
    try {
      const r = await post(reporter, `/api/submissions/${subB}/signatures`, { signature: der });
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('signature.no_trust_roots');
    } finally {
      process.env.CHISO_TRUST_ROOTS = join(dir, 'roots.pem');
    }
  });
});
