/**
 * `chiso boundaries import FILE.geojson [--dry-run] [--source "…"] [--valid-from YYYY-MM-DD]`: imports
 * unit boundaries from a GeoJSON FeatureCollection (src/app/geo/boundaries.ts) in one transaction — a
 * bad file changes nothing. Every fault is printed with its place (file, feature, property; line and
 * column for a file that is not JSON) in Vietnamese and English and the command exits with 1; a good
 * file prints what changed (or would change, with --dry-run) and exits 0.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { importBoundaries } from '../app/geo/boundaries.ts';
import { type ChisoErrorInit, isChisoError } from '../core/errors.ts';
import type { Store } from '../store/db.ts';
import { type Output, placeOf } from './plans.ts';

export const BOUNDARIES_HELP = `  boundaries import FILE.geojson [--dry-run] [--source "TEXT"] [--valid-from YYYY-MM-DD]
                                import unit boundaries (a GeoJSON FeatureCollection; each feature's unit code
                                in the property "code" or "ma"; Polygon/MultiPolygon in WGS84); a bad file
                                changes nothing; --source: where the polygons come from and their licence
`;

const console_: Output = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

export async function boundariesImportCli(
  store: Store,
  file: string,
  options: { dryRun?: boolean; source?: string; validFrom?: string; actor?: string } = {},
  io: Output = console_,
): Promise<number> {
  let content: Uint8Array;
  try {
    content = readFileSync(file);
  } catch (e) {
    io.err(
      `Lỗi: không đọc được tệp '${file}'.\nError: cannot read the file '${file}': ${(e as Error).message}`,
    );
    return 1;
  }
  const name = basename(file);
  try {
    const s = await store.db.transaction((tx) =>
      importBoundaries(tx, options.actor ?? 'cli', content, name, {
        dryRun: options.dryRun ?? false,
        source: options.source ?? null,
        validFrom: options.validFrom ?? null,
      }),
    );
    io.out(
      `${s.dry_run ? '[dry run] ' : ''}boundaries ${name}: ${s.features} units (created ${s.created}, replaced ${s.replaced}, unchanged ${s.unchanged}); source: ${s.source}`,
    );
    for (const u of s.units.filter((x) => x.change !== 'unchanged').slice(0, 200))
      io.out(`  ${u.change} ${u.code}`);
    return 0;
  } catch (e) {
    if (!isChisoError(e)) throw e;
    const faults: ChisoErrorInit[] = e.errors.length ? e.errors : [{ ...e.toJSON() }];
    io.err(`Lỗi: ${e.vi}`);
    io.err(`Error: ${e.en}`);
    io.err('Tệp không được nhập (không có thay đổi nào). / The file was not imported (nothing changed).');
    for (const f of faults) {
      const feature = (f.details as { feature?: number } | undefined)?.feature;
      const place = placeOf({
        file: name,
        ...(f.row !== undefined ? { row: f.row } : {}),
        ...(f.column !== undefined ? { column: f.column } : {}),
        ...(f.field ? { field: f.field } : {}),
      });
      io.err(`  - ${place}${feature !== undefined ? ` (feature ${feature})` : ''}: ${f.vi}`);
      io.err(`    ${f.en}`);
    }
    return 1;
  }
}
