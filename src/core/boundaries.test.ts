/**
 * The boundary file checks: each rule refuses with its feature index and property path (vi and en),
 * all faults of a file at once; a good file comes back rounded to 6 decimals with its bounding boxes.
 */
import { describe, expect, it } from 'vitest';
import { square, syntheticSquares } from '../../test/boundary-samples.ts';
import { jsonFaultOffset, lineColumn, parseBoundaryFile } from './boundaries.ts';
import { ChisoError } from './errors.ts';

function faultsOf(content: unknown, maxBytes?: number): ChisoError {
  try {
    parseBoundaryFile(typeof content === 'string' ? content : JSON.stringify(content), 'b.geojson', {
      ...(maxBytes ? { maxBytes } : {}),
    });
  } catch (e) {
    expect(e).toBeInstanceOf(ChisoError);
    return e as ChisoError;
  }
  throw new Error('the file was accepted');
}

const feature = (properties: Record<string, unknown>, geometry: unknown) => ({
  type: 'Feature',
  properties,
  geometry,
});
const poly = (ring: unknown) => ({ type: 'Polygon', coordinates: [ring] });
const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });
const good = (code: string) => feature({ code }, poly(square(106.7, 10.8)));

/** The one fault of a file with a good feature 0 and a bad feature 1. */
function oneFault(bad: unknown) {
  const e = faultsOf(fc(good('A'), bad));
  expect(e.code).toBe('boundary.invalid');
  expect(e.status).toBe(422);
  expect(e.errors).toHaveLength(1);
  const f = e.errors[0]!;
  expect(f.details).toEqual({ feature: 1 });
  expect(f.vi).toMatch(/Đối tượng thứ 1/);
  expect(f.en).toMatch(/Feature 1/);
  expect(f.file).toBe('b.geojson');
  return f;
}

describe('boundary files', () => {
  it('accepts a FeatureCollection, rounds to 6 decimals and computes each bbox', () => {
    const p = parseBoundaryFile(
      JSON.stringify(
        fc(
          feature(
            { ma: '79.760' },
            poly([
              [106.1234567891, 10.5],
              [106.2, 10.5],
              [106.2, 10.6000004],
              [106.1234567891, 10.5],
            ]),
          ),
          feature(
            { code: '79.761', valid_from: '2025-07-01' },
            { type: 'MultiPolygon', coordinates: [[square(106, 10)], [square(107, 11, 0.5)]] },
          ),
        ),
      ),
    );
    expect(p.features.map((f) => [f.code, f.codeProperty, f.index, f.validFrom])).toEqual([
      ['79.760', 'ma', 0, null],
      ['79.761', 'code', 1, '2025-07-01'],
    ]);
    expect(p.features[0]!.geometry.coordinates[0]![0]).toEqual([106.123457, 10.5]);
    expect(p.features[0]!.bbox).toEqual([106.123457, 10.5, 106.2, 10.6]);
    expect(p.features[1]!.bbox).toEqual([106, 10, 107.5, 11.5]);
    expect(p.source).toBeNull();
  });

  it('takes the collection’s source member; numeric codes are read as text', () => {
    const data = { ...syntheticSquares(['1']), source: 'Nguồn X, CC BY 4.0' };
    (data.features[0]!.properties as Record<string, unknown>).code = 26734;
    const p = parseBoundaryFile(JSON.stringify(data));
    expect(p.source).toBe('Nguồn X, CC BY 4.0');
    expect(p.features[0]!.code).toBe('26734');
  });

  it('refuses a file that is not JSON with its line and column', () => {
    const e = faultsOf('{\n  "type": "FeatureCollection",\n  features: []\n}');
    expect(e.code).toBe('boundary.not_json');
    expect(e.location).toMatchObject({ file: 'b.geojson', row: 3, column: 3 });
    expect(e.vi).toMatch(/dòng 3, cột 3/);
    expect(e.en).toMatch(/line 3, column 3/);
  });

  it('refuses a file over the size limit', () => {
    const e = faultsOf(fc(good('A')), 100);
    expect(e.code).toBe('boundary.too_large');
    expect(e.status).toBe(413);
    expect(e.en).toMatch(/at most 100 bytes/);
  });

  it('refuses what is not a FeatureCollection, and an empty one', () => {
    expect(faultsOf({ type: 'Feature', geometry: null }).code).toBe('boundary.not_feature_collection');
    expect(faultsOf(fc()).code).toBe('boundary.empty');
  });

  it('refuses a member that is not a Feature', () => {
    const f = oneFault({ type: 'Polygon', coordinates: [] });
    expect(f.code).toBe('boundary.not_feature');
    expect(f.field).toBe('features[1].type');
  });

  it('refuses a feature without a unit code', () => {
    const f = oneFault(feature({ name: 'Phường X' }, poly(square(106, 10))));
    expect(f.code).toBe('boundary.code_missing');
    expect(f.field).toBe('features[1].properties.code');
    expect(f.en).toMatch(/"code" or "ma"/);
    expect(oneFault(feature({ code: '  ' }, poly(square(106, 10)))).code).toBe('boundary.code_missing');
  });

  it('refuses a unit twice in one file, naming both features', () => {
    const f = oneFault(feature({ ma: 'A' }, poly(square(106, 10))));
    expect(f.code).toBe('boundary.duplicate_unit');
    expect(f.field).toBe('features[1].properties.ma');
    expect(f.en).toMatch(/features 0 and 1/);
  });

  it('refuses a geometry that is not a Polygon or MultiPolygon', () => {
    const f = oneFault(feature({ code: 'B' }, { type: 'Point', coordinates: [106, 10] }));
    expect(f.code).toBe('boundary.geometry_type');
    expect(f.field).toBe('features[1].geometry.type');
    expect(f.en).toMatch(/got Point/);
    expect(oneFault(feature({ code: 'B' }, null)).code).toBe('boundary.geometry_type');
  });

  it('refuses a ring that is not closed', () => {
    const f = oneFault(
      feature(
        { code: 'B' },
        poly([
          [106, 10],
          [106.1, 10],
          [106.1, 10.1],
          [106, 10.1],
        ]),
      ),
    );
    expect(f.code).toBe('boundary.ring_not_closed');
    expect(f.field).toBe('features[1].geometry.coordinates[0]');
  });

  it('refuses a ring of fewer than 4 positions', () => {
    const f = oneFault(
      feature(
        { code: 'B' },
        poly([
          [106, 10],
          [106.1, 10],
          [106, 10],
        ]),
      ),
    );
    expect(f.code).toBe('boundary.ring_too_short');
    expect(f.en).toMatch(/this one has 3/);
  });

  it('refuses coordinates out of range, naming the position (in a MultiPolygon too)', () => {
    const ring = square(106, 10);
    ring[2] = [606000, 1190000]; // projected metres (VN-2000), not degrees
    const f = oneFault(
      feature({ code: 'B' }, { type: 'MultiPolygon', coordinates: [[square(106, 10)], [ring]] }),
    );
    expect(f.code).toBe('boundary.coordinate_out_of_range');
    expect(f.field).toBe('features[1].geometry.coordinates[1][0][2]');
    expect(f.en).toMatch(/VN-2000/);
  });

  it('refuses coordinates that are not finite numbers', () => {
    const ring: unknown[] = square(106, 10);
    ring[1] = ['106.1', 10];
    const f = oneFault(feature({ code: 'B' }, poly(ring)));
    expect(f.code).toBe('boundary.coordinate_not_number');
    expect(f.field).toBe('features[1].geometry.coordinates[0][1]');
  });

  it('refuses malformed coordinate arrays and a bad valid_from', () => {
    expect(oneFault(feature({ code: 'B' }, { type: 'Polygon', coordinates: [] })).code).toBe(
      'boundary.coordinates_malformed',
    );
    expect(oneFault(feature({ code: 'B' }, { type: 'MultiPolygon', coordinates: 5 })).code).toBe(
      'boundary.coordinates_malformed',
    );
    const f = oneFault(feature({ code: 'B', valid_from: '1/7/2025' }, poly(square(106, 10))));
    expect(f.code).toBe('boundary.valid_from');
    expect(f.field).toBe('features[1].properties.valid_from');
  });

  it('lists every fault of a file at once', () => {
    const e = faultsOf(
      fc(
        feature({}, poly(square(106, 10))),
        feature({ code: 'B' }, { type: 'LineString', coordinates: [] }),
        feature({ code: 'C' }, poly(square(200, 10))),
      ),
    );
    expect(e.errors.map((f) => [f.code, (f.details as { feature: number }).feature])).toEqual([
      ['boundary.code_missing', 0],
      ['boundary.geometry_type', 1],
      ['boundary.coordinate_out_of_range', 2],
    ]);
  });

  it('finds the place of a JSON fault when the parser does not say', () => {
    for (const [text, at] of [
      ['[,]', 1],
      ['{"a": 1,}', 8],
      ['{"a" 1}', 5],
      ['{"a": tru}', 9],
      ['{"a": "x\\u12g4"}', 12],
      ['[1, 2', 5],
      ['{"a": 1} x', 9],
      ['{"a": -}', 6],
    ] as const) {
      expect(() => JSON.parse(text)).toThrow();
      expect([text, jsonFaultOffset(text)]).toEqual([text, at]);
    }
    expect(jsonFaultOffset('{"a": [1, -2.5e3, "\\n", true, null, {}]}')).toBe(-1);
  });

  it('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
