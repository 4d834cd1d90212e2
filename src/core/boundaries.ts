/**
 * Unit boundaries as GeoJSON (RFC 7946): the checks of a boundary file, without a database. A file is
 * a FeatureCollection; each Feature carries the org unit's code in a property (`code`, else `ma`, else
 * `ma_don_vi`) and a Polygon or MultiPolygon geometry in WGS84 longitude/latitude. Every fault is
 * reported with the feature's index and the property or coordinate path (`features[3].geometry…`),
 * in Vietnamese and English; all faults of a file are collected (up to MAX_FAULTS) so one round of
 * fixes suffices. Coordinates are rounded to 6 decimals (about 0.1 m) and each feature's bounding box
 * is computed.
 */
import { ChisoError, type ChisoErrorInit } from './errors.ts';

/** The properties that may carry the unit's code, in the order they are looked at. */
export const CODE_PROPERTIES = ['code', 'ma', 'ma_don_vi'] as const;
/** Largest accepted file (bytes). */
export const MAX_BOUNDARY_BYTES = 64 * 1024 * 1024;
/** Faults listed for one file at most (the rest are counted). */
export const MAX_FAULTS = 100;

export type Position = [number, number];
export type Ring = Position[];
export type BoundaryGeometry =
  | { type: 'Polygon'; coordinates: Ring[] }
  | { type: 'MultiPolygon'; coordinates: Ring[][] };
/** [west, south, east, north] */
export type BBox = [number, number, number, number];

export interface BoundaryFeature {
  /** 0-based index of the feature in the file's `features` array. */
  index: number;
  /** The code as written in the file (trimmed). */
  code: string;
  /** Which property it came from. */
  codeProperty: string;
  geometry: BoundaryGeometry;
  bbox: BBox;
  /** `valid_from` property of the feature, when given (YYYY-MM-DD). */
  validFrom: string | null;
}

export interface ParsedBoundaries {
  features: BoundaryFeature[];
  /** The collection's own `source` (or `licence`/`license`) member, when it has one. */
  source: string | null;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6 + 0; // + 0: no negative zero

/** Line and column (1-based) of a character offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  return { line, column: offset - last };
}

/**
 * The offset of the first syntax fault of a text that JSON.parse refused (its message does not always
 * say where): a plain scan of the JSON grammar. -1 when the scan finds none.
 */
export function jsonFaultOffset(text: string): number {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < n && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++)
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail();
            }
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x') || i >= n) fail();
      }
      i++;
    }
    if (i >= n) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    value();
    ws();
    return i < n ? i : -1;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, n) : -1;
  }
}

function fault(code: string, field: string, vi: string, en: string, index?: number): ChisoErrorInit {
  return { code, field, vi, en, ...(index !== undefined ? { details: { feature: index } } : {}) };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CheckedBoundaries extends ParsedBoundaries {
  /** Every feature that names a unit (once), good geometry or not: for checking the codes. */
  codes: Array<{ index: number; code: string; codeProperty: string }>;
  faults: ChisoErrorInit[];
  /** Faults beyond MAX_FAULTS, counted only. */
  more: number;
}

/** The one error of a file with faults: `errors` lists them, in the order of the features. */
export function boundaryFaults(file: string, faults: ChisoErrorInit[], more = 0): ChisoError {
  const sorted = [...faults].sort(
    (a, b) =>
      ((a.details?.feature as number | undefined) ?? -1) - ((b.details?.feature as number | undefined) ?? -1),
  );
  const n = faults.length + more;
  const over = Math.max(0, n - MAX_FAULTS);
  return new ChisoError({
    code: 'boundary.invalid',
    status: 422,
    file,
    vi: `Tệp ranh giới '${file}' có ${n} lỗi; không có gì được nhập.${over ? ` (${over} lỗi sau không liệt kê.)` : ''}`,
    en: `The boundary file '${file}' has ${n} faults; nothing was imported.${over ? ` (${over} further faults not listed.)` : ''}`,
    errors: sorted.slice(0, MAX_FAULTS),
  });
}

/**
 * Parses and checks a boundary file. Throws one ChisoError (status 422, or 413 for size, 400 for a
 * file that is not JSON) whose `errors` lists every fault with its place.
 */
export function parseBoundaryFile(
  content: string | Uint8Array,
  file = 'boundaries.geojson',
  options: { maxBytes?: number } = {},
): ParsedBoundaries {
  const c = checkBoundaryFile(content, file, options);
  if (c.faults.length) throw boundaryFaults(file, c.faults, c.more);
  return { features: c.features, source: c.source };
}

/**
 * Checks a boundary file and returns its good features and its faults (per-feature faults are not
 * thrown, so that a caller can add its own — unknown units — and report all at once). A file that is
 * too large, not JSON, not a FeatureCollection or empty is thrown at once.
 */
export function checkBoundaryFile(
  content: string | Uint8Array,
  file = 'boundaries.geojson',
  options: { maxBytes?: number | undefined } = {},
): CheckedBoundaries {
  const max = options.maxBytes ?? MAX_BOUNDARY_BYTES;
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  if (size > max) {
    throw new ChisoError({
      code: 'boundary.too_large',
      status: 413,
      file,
      vi: `Tệp ranh giới '${file}' quá lớn (${size} byte); tối đa ${max} byte. Hãy làm tròn toạ độ hoặc chia tệp theo cấp.`,
      en: `The boundary file '${file}' is too large (${size} bytes); at most ${max} bytes. Round the coordinates or split the file by level.`,
      details: { size, max },
    });
  }
  const decoded = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content);
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const m = /position (\d+)/.exec(message);
    const offset = m ? Number(m[1]) : jsonFaultOffset(text);
    const at = offset >= 0 ? lineColumn(text, offset) : null;
    const where = at ? ` (dòng ${at.line}, cột ${at.column})` : '';
    const whereEn = at ? ` (line ${at.line}, column ${at.column})` : '';
    throw new ChisoError({
      code: 'boundary.not_json',
      status: 400,
      file,
      ...(at ? { row: at.line, column: at.column, position: offset } : {}),
      vi: `Tệp '${file}' không phải JSON hợp lệ${where}: ${message}`,
      en: `The file '${file}' is not valid JSON${whereEn}: ${message}`,
    });
  }
  const faults: ChisoErrorInit[] = [];
  let more = 0;
  const add = (f: ChisoErrorInit) => {
    if (faults.length < MAX_FAULTS) faults.push({ file, ...f });
    else more++;
  };
  if (!isObject(data) || data.type !== 'FeatureCollection' || !Array.isArray(data.features)) {
    throw new ChisoError({
      code: 'boundary.not_feature_collection',
      status: 422,
      file,
      field: 'type',
      vi: `Tệp '${file}' phải là một GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}.`,
      en: `The file '${file}' must be a GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}.`,
    });
  }
  const features = data.features as unknown[];
  if (features.length === 0) {
    throw new ChisoError({
      code: 'boundary.empty',
      status: 422,
      file,
      field: 'features',
      vi: `Tệp '${file}' không có đối tượng (feature) nào.`,
      en: `The file '${file}' has no features.`,
    });
  }
  const sourceMember = [data.source, data.licence, data.license].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );

  const out: BoundaryFeature[] = [];
  const codes: CheckedBoundaries['codes'] = [];
  const firstOf = new Map<string, number>();
  features.forEach((f, index) => {
    const at = `features[${index}]`;
    if (!isObject(f) || f.type !== 'Feature') {
      add(
        fault(
          'boundary.not_feature',
          `${at}.type`,
          `Đối tượng thứ ${index} không phải một GeoJSON Feature ("type": "Feature").`,
          `Feature ${index} is not a GeoJSON Feature ("type": "Feature").`,
          index,
        ),
      );
      return;
    }
    const props = isObject(f.properties) ? f.properties : {};
    const prop = CODE_PROPERTIES.find((p) => props[p] !== undefined && props[p] !== null);
    const raw = prop ? props[prop] : undefined;
    const code = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : '';
    let ok = true;
    if (!prop || code === '') {
      ok = false;
      add(
        fault(
          'boundary.code_missing',
          `${at}.properties.code`,
          `Đối tượng thứ ${index} không có mã đơn vị: cần thuộc tính ${CODE_PROPERTIES.map((p) => `"${p}"`).join(' hoặc ')} (chuỗi khác rỗng).`,
          `Feature ${index} has no unit code: it needs a property ${CODE_PROPERTIES.map((p) => `"${p}"`).join(' or ')} (a non-empty string).`,
          index,
        ),
      );
    } else if (firstOf.has(code)) {
      ok = false;
      const first = firstOf.get(code)!;
      add(
        fault(
          'boundary.duplicate_unit',
          `${at}.properties.${prop}`,
          `Đối tượng thứ ${index}: đơn vị '${code}' xuất hiện hai lần trong tệp: ở đối tượng thứ ${first} và thứ ${index}. Mỗi đơn vị chỉ có một ranh giới (dùng MultiPolygon cho nhiều phần).`,
          `Feature ${index}: unit '${code}' appears twice in the file: in features ${first} and ${index}. A unit has one boundary (use a MultiPolygon for several parts).`,
          index,
        ),
      );
    } else {
      firstOf.set(code, index);
      codes.push({ index, code, codeProperty: prop });
    }

    let validFrom: string | null = null;
    const vf = props.valid_from;
    if (vf !== undefined && vf !== null) {
      if (typeof vf === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(vf) && !Number.isNaN(Date.parse(vf))) {
        validFrom = vf;
      } else {
        ok = false;
        add(
          fault(
            'boundary.valid_from',
            `${at}.properties.valid_from`,
            `Đối tượng thứ ${index}: "valid_from" phải là một ngày YYYY-MM-DD.`,
            `Feature ${index}: "valid_from" must be a date YYYY-MM-DD.`,
            index,
          ),
        );
      }
    }

    const geometry = checkGeometry(f.geometry, `${at}.geometry`, index, add);
    if (!geometry || !ok || !prop) return;
    out.push({
      index,
      code,
      codeProperty: prop,
      geometry: geometry.geometry,
      bbox: geometry.bbox,
      validFrom,
    });
  });
  return { features: out, codes, faults, more, source: sourceMember?.trim() ?? null };
}

/** Checks one geometry; returns it with coordinates rounded to 6 decimals and its bbox, or null (faults added). */
function checkGeometry(
  g: unknown,
  at: string,
  index: number,
  add: (f: ChisoErrorInit) => void,
): { geometry: BoundaryGeometry; bbox: BBox } | null {
  if (!isObject(g) || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
    const got = isObject(g) ? String(g.type) : g === null || g === undefined ? 'null' : typeof g;
    add(
      fault(
        'boundary.geometry_type',
        `${at}.type`,
        `Đối tượng thứ ${index}: hình phải là Polygon hoặc MultiPolygon (nhận được ${got}).`,
        `Feature ${index}: the geometry must be a Polygon or a MultiPolygon (got ${got}).`,
        index,
      ),
    );
    return null;
  }
  const bbox: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  let good = true;
  const malformed = (path: string, vi: string, en: string) => {
    good = false;
    add(
      fault(
        'boundary.coordinates_malformed',
        path,
        `Đối tượng thứ ${index}: ${vi}`,
        `Feature ${index}: ${en}`,
        index,
      ),
    );
  };
  const ring = (r: unknown, path: string): Ring | null => {
    if (!Array.isArray(r)) {
      malformed(path, 'một vòng (ring) phải là một mảng các điểm.', 'a ring must be an array of positions.');
      return null;
    }
    const out: Ring = [];
    // the first bad position of a ring is reported; the rest of that ring is not looked at
    for (let k = 0; k < r.length; k++) {
      const p: unknown = r[k];
      const pp = `${path}[${k}]`;
      if (!Array.isArray(p) || p.length < 2) {
        malformed(pp, 'một điểm phải là [kinh độ, vĩ độ].', 'a position must be [longitude, latitude].');
        return null;
      }
      const [lon, lat] = p as unknown[];
      if (
        typeof lon !== 'number' ||
        typeof lat !== 'number' ||
        !Number.isFinite(lon) ||
        !Number.isFinite(lat)
      ) {
        good = false;
        add(
          fault(
            'boundary.coordinate_not_number',
            pp,
            `Đối tượng thứ ${index}: toạ độ phải là hai số hữu hạn [kinh độ, vĩ độ] (nhận được ${JSON.stringify(p)}).`,
            `Feature ${index}: a position must be two finite numbers [longitude, latitude] (got ${JSON.stringify(p)}).`,
            index,
          ),
        );
        return null;
      }
      if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
        good = false;
        add(
          fault(
            'boundary.coordinate_out_of_range',
            pp,
            `Đối tượng thứ ${index}: toạ độ [${lon}, ${lat}] ngoài phạm vi WGS84 (kinh độ −180…180, vĩ độ −90…90). Tệp phải dùng kinh độ/vĩ độ (EPSG:4326), không dùng toạ độ phẳng như VN-2000.`,
            `Feature ${index}: position [${lon}, ${lat}] is outside WGS84 (longitude −180…180, latitude −90…90). The file must use longitude/latitude (EPSG:4326), not projected coordinates such as VN-2000.`,
            index,
          ),
        );
        return null;
      }
      const q: Position = [round6(lon), round6(lat)];
      if (q[0] < bbox[0]) bbox[0] = q[0];
      if (q[1] < bbox[1]) bbox[1] = q[1];
      if (q[0] > bbox[2]) bbox[2] = q[0];
      if (q[1] > bbox[3]) bbox[3] = q[1];
      out.push(q);
    }
    if (out.length < 4) {
      good = false;
      add(
        fault(
          'boundary.ring_too_short',
          path,
          `Đối tượng thứ ${index}: một vòng cần ít nhất 4 điểm (điểm đầu lặp lại ở cuối); vòng này có ${out.length}.`,
          `Feature ${index}: a ring needs at least 4 positions (the first repeated at the end); this one has ${out.length}.`,
          index,
        ),
      );
      return null;
    }
    const a = out[0]!;
    const z = out[out.length - 1]!;
    const [ra0, ra1] = r[0] as number[];
    const [rz0, rz1] = r[r.length - 1] as number[];
    if (ra0 !== rz0 || ra1 !== rz1) {
      good = false;
      add(
        fault(
          'boundary.ring_not_closed',
          path,
          `Đối tượng thứ ${index}: vòng không khép kín — điểm cuối [${z[0]}, ${z[1]}] phải trùng điểm đầu [${a[0]}, ${a[1]}].`,
          `Feature ${index}: the ring is not closed — its last position [${z[0]}, ${z[1]}] must equal its first [${a[0]}, ${a[1]}].`,
          index,
        ),
      );
      return null;
    }
    return out;
  };
  const polygon = (p: unknown, path: string): Ring[] | null => {
    if (!Array.isArray(p) || p.length === 0) {
      malformed(
        path,
        'một đa giác phải là một mảng khác rỗng các vòng (vòng ngoài trước, rồi các lỗ).',
        'a polygon must be a non-empty array of rings (the outer ring first, then holes).',
      );
      return null;
    }
    const rings = p.map((r, k) => ring(r, `${path}[${k}]`));
    return rings.every((r) => r !== null) ? (rings as Ring[]) : null;
  };
  const coordsAt = `${at}.coordinates`;
  const c = g.coordinates;
  let geometry: BoundaryGeometry | null = null;
  if (g.type === 'Polygon') {
    const p = polygon(c, coordsAt);
    if (p) geometry = { type: 'Polygon', coordinates: p };
  } else if (!Array.isArray(c) || c.length === 0) {
    malformed(
      coordsAt,
      'MultiPolygon phải là một mảng khác rỗng các đa giác.',
      'a MultiPolygon must be a non-empty array of polygons.',
    );
  } else {
    const ps = c.map((p, k) => polygon(p, `${coordsAt}[${k}]`));
    if (ps.every((p) => p !== null)) geometry = { type: 'MultiPolygon', coordinates: ps as Ring[][] };
  }
  if (!good || !geometry) return null;
  return { geometry, bbox };
}
