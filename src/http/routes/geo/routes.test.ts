/**
 * The boundary routes: the administrator imports a GeoJSON file (dry run, faults with their feature
 * and property as problem details, a file that is not JSON with its line and column, nothing written on
 * a fault), anyone reads the current geometries as GeoJSON with an ETag; both are in the OpenAPI
 * document; a district administrator may not import (catalogue-wide role).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTHETIC_SOURCE, syntheticSquares } from '../../../../test/boundary-samples.ts';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import type { Principal } from '../../../http/policies/index.ts';

let t: TestApp;
let admin: Principal;
let districtAdmin: Principal;
beforeAll(async () => {
  t = await testApp(await openDemoStore());
  admin = await principalFor(t.store, [['admin', '/']]);
  districtAdmin = await principalFor(t.store, [['admin', '79.760']]);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const WARDS = ['79.26737', '79.26740', '79.26743'];
const post = (body: string | object, query = '', type = 'application/geo+json') =>
  t.app.inject({
    method: 'POST',
    url: `/api/boundaries/import${query}`,
    headers: { 'content-type': type },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('boundary routes', () => {
  it('are documented in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(doc.paths['/api/boundaries']).toHaveProperty('get');
    expect(doc.paths['/api/boundaries/import']).toHaveProperty('post');
  });

  it('an empty collection before any import (public)', async () => {
    t.as(null);
    const r = await t.app.inject('/api/boundaries?level=commune');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(r.json()).toEqual({ type: 'FeatureCollection', bbox: null, sources: [], features: [] });
  });

  it('only a programme-wide administrator imports', async () => {
    t.as(null);
    expect((await post(syntheticSquares(WARDS))).statusCode).toBe(401);
    t.as(districtAdmin);
    expect((await post(syntheticSquares(WARDS))).statusCode).toBe(403);
  });

  it('a dry run answers 200 and writes nothing; the import answers 201', async () => {
    t.as(admin);
    const dry = await post(syntheticSquares(WARDS), '?dry_run=true&file=x.geojson');
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dry_run: true, created: 3, file: 'x.geojson' });
    expect((await t.app.inject('/api/boundaries?level=commune')).json().features).toEqual([]);
    const r = await post(syntheticSquares(WARDS), '?file=x.geojson', 'application/json');
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ dry_run: false, created: 3, replaced: 0, source: SYNTHETIC_SOURCE });
    const again = await post(syntheticSquares(WARDS));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: 0, unchanged: 3 });
  });

  it('reads back GeoJSON by level, parent and units, with an ETag and 304', async () => {
    t.as(null);
    const r = await t.app.inject('/api/boundaries?units=79.26737,79.26743');
    expect(r.statusCode).toBe(200);
    const fc = r.json() as {
      features: Array<{ properties: Record<string, unknown>; geometry: { type: string } }>;
    };
    expect(fc.features.map((f) => f.properties.code)).toEqual(['79.26737', '79.26743']);
    expect(fc.features[0]!.properties).toMatchObject({
      level: 'commune',
      parent: '79',
      source: SYNTHETIC_SOURCE,
    });
    expect(fc.features[0]!.geometry.type).toBe('Polygon');
    const etag = String(r.headers.etag);
    const same = await t.app.inject({
      url: '/api/boundaries?units=79.26737,79.26743',
      headers: { 'if-none-match': etag },
    });
    expect(same.statusCode).toBe(304);
    expect((await t.app.inject('/api/boundaries?unit=79.26740')).json().features).toHaveLength(1);
    expect((await t.app.inject('/api/boundaries?parent=79&level=commune')).json().features).toHaveLength(3);
    expect((await t.app.inject('/api/boundaries?level=district')).json().features).toHaveLength(0);
    expect((await t.app.inject('/api/boundaries?valid_on=1.7.2025')).statusCode).toBe(400);
  });

  it('a bad file is a 422 problem listing each fault with its feature and property; nothing changes', async () => {
    t.as(admin);
    const bad = syntheticSquares(['79.26737', 'KHONG-CO'], { side: 0.5 });
    (bad.features[0]!.geometry as { type: string }).type = 'LineString';
    const r = await post(bad);
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    const p = r.json() as {
      code: string;
      errors: Array<{ code: string; field: string; vi: string; en: string }>;
    };
    expect(p.code).toBe('boundary.invalid');
    // the file's faults and the unknown unit, all at once, in the order of the features
    expect(p.errors.map((e) => [e.code, e.field])).toEqual([
      ['boundary.geometry_type', 'features[0].geometry.type'],
      ['boundary.unknown_unit', 'features[1].properties.code'],
    ]);
    expect(p.errors[1]!.vi).toMatch(/KHONG-CO/);
    expect(p.errors[1]!.en).toMatch(/Feature 1/);
    const fc = (await t.app.inject('/api/boundaries?unit=79.26737')).json() as { bbox: number[] };
    expect(fc.bbox[2]).toBeCloseTo(106.62, 6);
  });

  it('a file that is not JSON is refused with its line and column; an empty body too', async () => {
    t.as(admin);
    const r = await post('{\n  "type": "FeatureCollection",\n  "features": [,]\n}');
    expect(r.statusCode).toBe(400);
    const p = r.json() as { code: string; row: number; column: number; en: string };
    expect(p.code).toBe('boundary.not_json');
    expect(p).toMatchObject({ row: 3, column: 16 });
    expect(p.en).toMatch(/line 3, column 16/);
    expect((await post('')).statusCode).toBe(400);
  });
});
