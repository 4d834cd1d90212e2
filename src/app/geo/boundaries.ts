/**
 * Unit boundaries: importing a GeoJSON FeatureCollection (checked by core/boundaries.ts) and reading
 * the current geometries back as a FeatureCollection for maps.
 *
 * A feature names its unit by chiso code (`code`, `ma` or `ma_don_vi`); a value that is no chiso code
 * is tried as an official code among the units in force (valid_to empty) and taken when exactly one
 * unit has it. The import is atomic (the caller's transaction; every fault at once, nothing written
 * unless the whole file is good) and idempotent: a unit whose geometry, source and validity are
 * unchanged is left alone; a changed one has its previous geometry archived (archived_at), never
 * deleted. One audit entry records the import.
 */
import { sql } from 'drizzle-orm';
import {
  type BBox,
  type BoundaryGeometry,
  boundaryFaults,
  checkBoundaryFile,
} from '../../core/boundaries.ts';
import { ChisoError, type ChisoErrorInit } from '../../core/errors.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit, canonicalJson } from '../audit.ts';

export interface BoundaryImportOptions {
  dryRun?: boolean;
  /** Source and licence of the polygons; else the collection's own `source`/`licence` member. */
  source?: string | null;
  /** Default `valid_from` of the geometries (a feature's own `valid_from` wins). */
  validFrom?: string | null;
  provenance?: 'imported' | 'synthetic';
  maxBytes?: number;
}

export interface BoundaryImportSummary {
  file: string;
  dry_run: boolean;
  source: string;
  features: number;
  created: number;
  replaced: number;
  unchanged: number;
  units: Array<{ code: string; change: 'created' | 'replaced' | 'unchanged' }>;
}

interface UnitRef {
  id: number;
  code: string;
  official_code: string | null;
}

export async function importBoundaries(
  tx: Executor,
  actor: string,
  content: string | Uint8Array,
  file: string,
  options: BoundaryImportOptions = {},
): Promise<BoundaryImportSummary> {
  const parsed = checkBoundaryFile(content, file, { maxBytes: options.maxBytes });
  const source = (options.source ?? '').trim() || parsed.source;
  if (!source) {
    throw new ChisoError({
      code: 'boundary.source_missing',
      status: 422,
      file,
      field: 'source',
      vi: 'Hãy ghi nguồn và giấy phép của ranh giới (tuỳ chọn --source, tham số source=, hoặc thuộc tính "source" của FeatureCollection). Bản đồ luôn hiển thị dòng này.',
      en: 'Give the source and licence of the boundaries (the --source option, the source= parameter, or the FeatureCollection\'s "source" member). Maps always show this line.',
    });
  }
  if (source.length > 1000) {
    throw new ChisoError({
      code: 'boundary.source_too_long',
      status: 422,
      file,
      field: 'source',
      vi: 'Nguồn/giấy phép dài quá 1000 ký tự.',
      en: 'The source/licence is longer than 1000 characters.',
    });
  }
  const validFrom = options.validFrom ?? null;
  if (validFrom !== null && !/^\d{4}-\d{2}-\d{2}$/.test(validFrom)) {
    throw new ChisoError({
      code: 'boundary.valid_from',
      status: 422,
      field: 'valid_from',
      vi: '"valid_from" phải là một ngày YYYY-MM-DD.',
      en: '"valid_from" must be a date YYYY-MM-DD.',
    });
  }

  // resolve the codes: chiso codes first, then official codes of units in force (when unambiguous)
  const codes = parsed.codes.map((f) => f.code);
  const byCode = new Map(
    (
      await rows<UnitRef>(
        tx,
        sql`select id, code, official_code from org_unit where archived_at is null and code = any(${sql.param(codes)}::text[])`,
      )
    ).map((u) => [u.code, u]),
  );
  const rest = codes.filter((c) => !byCode.has(c));
  const byOfficial = new Map<string, UnitRef[]>();
  if (rest.length) {
    for (const u of await rows<UnitRef>(
      tx,
      sql`select id, code, official_code from org_unit where archived_at is null and valid_to is null and official_code = any(${sql.param(rest)}::text[])`,
    )) {
      const list = byOfficial.get(u.official_code!) ?? [];
      list.push(u);
      byOfficial.set(u.official_code!, list);
    }
  }
  const faults: ChisoErrorInit[] = [...parsed.faults];
  const good = new Map(parsed.features.map((f) => [f.index, f]));
  const resolved: Array<{ unit: UnitRef; f: (typeof parsed.features)[number] }> = [];
  const seen = new Map<number, number>();
  for (const f of parsed.codes) {
    const field = `features[${f.index}].properties.${f.codeProperty}`;
    let unit = byCode.get(f.code);
    if (!unit) {
      const official = byOfficial.get(f.code) ?? [];
      if (official.length === 1) unit = official[0];
      else {
        faults.push({
          code: official.length > 1 ? 'boundary.ambiguous_unit' : 'boundary.unknown_unit',
          file,
          field,
          details: { feature: f.index },
          vi:
            official.length > 1
              ? `Đối tượng thứ ${f.index}: mã '${f.code}' là mã chính thức của nhiều đơn vị (${official.map((u) => u.code).join(', ')}); hãy dùng mã chiso.`
              : `Đối tượng thứ ${f.index}: không có đơn vị mã '${f.code}' trong danh mục.`,
          en:
            official.length > 1
              ? `Feature ${f.index}: '${f.code}' is the official code of several units (${official.map((u) => u.code).join(', ')}); use the chiso code.`
              : `Feature ${f.index}: there is no unit with the code '${f.code}' in the catalogue.`,
        });
        continue;
      }
    }
    const first = seen.get(unit!.id);
    if (first !== undefined) {
      faults.push({
        code: 'boundary.duplicate_unit',
        file,
        field,
        details: { feature: f.index },
        vi: `Đối tượng thứ ${f.index}: đơn vị '${unit!.code}' xuất hiện hai lần trong tệp: ở đối tượng thứ ${first} và thứ ${f.index}.`,
        en: `Feature ${f.index}: unit '${unit!.code}' appears twice in the file: in features ${first} and ${f.index}.`,
      });
      continue;
    }
    seen.set(unit!.id, f.index);
    const checked = good.get(f.index);
    if (checked) resolved.push({ unit: unit!, f: checked });
  }
  if (faults.length) throw boundaryFaults(file, faults, parsed.more);

  const current = new Map(
    (
      await rows<{
        id: number;
        org_unit_id: number;
        geometry: unknown;
        source: string;
        valid_from: string | null;
      }>(
        tx,
        sql`select id, org_unit_id, geometry, source, valid_from::text as valid_from from unit_boundary
            where archived_at is null and org_unit_id = any(${sql.param(resolved.map((r) => r.unit.id))}::int[])`,
      )
    ).map((r) => [r.org_unit_id, r]),
  );
  const geometryOf = (g: unknown) => canonicalJson(typeof g === 'string' ? JSON.parse(g) : g);
  const summary: BoundaryImportSummary = {
    file,
    dry_run: options.dryRun ?? false,
    source,
    features: resolved.length,
    created: 0,
    replaced: 0,
    unchanged: 0,
    units: [],
  };
  const writes: Array<{
    unit: UnitRef;
    geometry: BoundaryGeometry;
    bbox: BBox;
    validFrom: string | null;
    old?: number;
  }> = [];
  for (const { unit, f } of resolved) {
    const vf = f.validFrom ?? validFrom;
    const old = current.get(unit.id);
    if (
      old &&
      old.source === source &&
      (old.valid_from ?? null) === vf &&
      geometryOf(old.geometry) === canonicalJson(f.geometry)
    ) {
      summary.unchanged++;
      summary.units.push({ code: unit.code, change: 'unchanged' });
      continue;
    }
    if (old) summary.replaced++;
    else summary.created++;
    summary.units.push({ code: unit.code, change: old ? 'replaced' : 'created' });
    writes.push({ unit, geometry: f.geometry, bbox: f.bbox, validFrom: vf, ...(old ? { old: old.id } : {}) });
  }
  if (summary.dry_run || writes.length === 0) return summary;

  const archived = writes.flatMap((w) => (w.old !== undefined ? [w.old] : []));
  if (archived.length)
    await tx.execute(
      sql`update unit_boundary set archived_at = now() where id = any(${sql.param(archived)}::int[]) and archived_at is null`,
    );
  for (const w of writes) {
    await tx.execute(sql`insert into unit_boundary
      (org_unit_id, geometry, min_lon, min_lat, max_lon, max_lat, source, provenance, file, valid_from, created_by)
      values (${w.unit.id}, ${JSON.stringify(w.geometry)}::jsonb, ${w.bbox[0]}, ${w.bbox[1]}, ${w.bbox[2]}, ${w.bbox[3]},
        ${source}, ${options.provenance ?? 'imported'}, ${file}, ${w.validFrom}, ${actor})`);
  }
  await appendAudit(tx, {
    actor,
    action: 'boundary.import',
    entity: 'unit_boundary',
    entityId: file,
    data: {
      file,
      source,
      provenance: options.provenance ?? 'imported',
      created: summary.created,
      replaced: summary.replaced,
      unchanged: summary.unchanged,
      units: writes.map((w) => w.unit.code),
    },
  });
  return summary;
}

export interface BoundaryFilter {
  level?: string | undefined;
  /** Direct children of this unit. */
  parent?: string | undefined;
  /** This unit and everything below it. */
  subtree?: string | undefined;
  /** Exactly these units. */
  units?: string[] | undefined;
  /** Units in force on this date (YYYY-MM-DD). */
  valid_on?: string | undefined;
}

export interface BoundaryFeatureOut {
  type: 'Feature';
  id: string;
  bbox: BBox;
  geometry: BoundaryGeometry;
  properties: {
    code: string;
    name_vi: string;
    name_en: string | null;
    level: string;
    parent: string | null;
    source: string;
    valid_from: string | null;
  };
}

export interface BoundaryCollection {
  type: 'FeatureCollection';
  bbox: BBox | null;
  /** The distinct source/licence lines of the features (to show with a map). */
  sources: string[];
  features: BoundaryFeatureOut[];
}

/** The current geometries of the units the filter selects (non-archived units and geometries only). */
export async function listBoundaries(ex: Executor, f: BoundaryFilter): Promise<BoundaryCollection> {
  const parts = [sql`b.archived_at is null`, sql`u.archived_at is null`];
  if (f.level) parts.push(sql`u.level = ${f.level}`);
  if (f.parent) parts.push(sql`p.code = ${f.parent}`);
  if (f.subtree)
    parts.push(
      sql`u.path like (select path from org_unit where code = ${f.subtree} and archived_at is null) || '%'`,
    );
  if (f.units) parts.push(sql`u.code = any(${sql.param(f.units)}::text[])`);
  if (f.valid_on)
    parts.push(
      sql`(u.valid_from is null or u.valid_from <= ${f.valid_on}) and (u.valid_to is null or u.valid_to >= ${f.valid_on})`,
    );
  const list = await rows<{
    code: string;
    name_vi: string;
    name_en: string | null;
    level: string;
    parent: string | null;
    geometry: unknown;
    min_lon: number;
    min_lat: number;
    max_lon: number;
    max_lat: number;
    source: string;
    valid_from: string | null;
  }>(
    ex,
    sql`select u.code, u.name_vi, u.name_en, u.level, p.code as parent, b.geometry, b.min_lon, b.min_lat, b.max_lon, b.max_lat,
          b.source, b.valid_from::text as valid_from
        from unit_boundary b join org_unit u on u.id = b.org_unit_id left join org_unit p on p.id = u.parent_id
        where ${sql.join(parts, sql` and `)} order by u.code`,
  );
  let bbox: BBox | null = null;
  const sources = new Set<string>();
  const features = list.map((r): BoundaryFeatureOut => {
    const b: BBox = [Number(r.min_lon), Number(r.min_lat), Number(r.max_lon), Number(r.max_lat)];
    bbox = bbox
      ? [Math.min(bbox[0], b[0]), Math.min(bbox[1], b[1]), Math.max(bbox[2], b[2]), Math.max(bbox[3], b[3])]
      : b;
    sources.add(r.source);
    return {
      type: 'Feature',
      id: r.code,
      bbox: b,
      geometry: (typeof r.geometry === 'string' ? JSON.parse(r.geometry) : r.geometry) as BoundaryGeometry,
      properties: {
        code: r.code,
        name_vi: r.name_vi,
        name_en: r.name_en,
        level: r.level,
        parent: r.parent,
        source: r.source,
        valid_from: r.valid_from,
      },
    };
  });
  return { type: 'FeatureCollection', bbox, sources: [...sources], features };
}
