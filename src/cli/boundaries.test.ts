/**
 * `chiso boundaries import FILE [--dry-run] [--source]`: a dry run writes nothing, a good file imports
 * (official codes too), a bad file is refused with every fault at its feature and property in both
 * languages and changes nothing, a file that is not JSON is named with its line and column and the
 * process exits with 1. Files are SYNTHETIC squares (test/boundary-samples.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticSquares } from '../../test/boundary-samples.ts';
import { openDemoStore } from '../../test/fixtures.ts';
import { rows, type Store } from '../store/db.ts';
import { boundariesImportCli } from './boundaries.ts';
import type { Output } from './plans.ts';

const dir = mkdtempSync(join(tmpdir(), 'chiso-boundaries-cli-'));
let store: Store;
beforeAll(async () => {
  store = await openDemoStore();
}, 120_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  return p;
}
function capture(): Output & { lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) };
}
const count = async () =>
  (await rows<{ n: number }>(store.db, sql`select count(*)::int as n from unit_boundary`))[0]!.n;
const audits = async () =>
  (await rows<{ n: number }>(store.db, sql`select count(*)::int as n from audit_log`))[0]!.n;

const GOOD = () => {
  const fc = syntheticSquares(['79.26737', '26740'], { property: 'ma' }) as Record<string, unknown>;
  delete fc.source;
  return fc;
};

describe('chiso boundaries import', () => {
  it('dry run: reports what would change and writes nothing', async () => {
    const io = capture();
    const code = await boundariesImportCli(
      store,
      file('good.geojson', GOOD()),
      { dryRun: true, source: 'Nguồn thử (synthetic)' },
      io,
    );
    expect(code, io.lines.err.join('\n')).toBe(0);
    expect(io.lines.out[0]).toBe(
      '[dry run] boundaries good.geojson: 2 units (created 2, replaced 0, unchanged 0); source: Nguồn thử (synthetic)',
    );
    expect(io.lines.out.slice(1)).toEqual(['  created 79.26737', '  created 79.26740']);
    expect(await count()).toBe(0);
  });

  it('imports a good file (the official code 26740 is the ward in force 79.26740)', async () => {
    const io = capture();
    expect(await boundariesImportCli(store, file('good.geojson', GOOD()), { source: 'S' }, io)).toBe(0);
    expect(io.lines.out[0]).toMatch(/^boundaries good\.geojson: 2 units \(created 2,/);
    expect(await count()).toBe(2);
  });

  it('needs a source (named in both languages)', async () => {
    const io = capture();
    expect(await boundariesImportCli(store, file('nosource.geojson', GOOD()), {}, io)).toBe(1);
    expect(io.lines.err.join('\n')).toMatch(
      /field source: Hãy ghi nguồn[^\n]*\n\s+Give the source and licence/,
    );
  });

  it('refuses a bad file with every fault at its feature and property, and changes nothing', async () => {
    const bad = syntheticSquares(['79.26737', '79.KHONG-CO', '79.26743'], { side: 0.3 });
    bad.features[2]!.geometry.coordinates[0]!.splice(1, 2);
    const before = await audits();
    const io = capture();
    expect(await boundariesImportCli(store, file('bad.geojson', bad), {}, io)).toBe(1);
    const err = io.lines.err.join('\n');
    expect(err).toContain('The file was not imported (nothing changed).');
    expect(err).toMatch(
      /file bad\.geojson, field features\[1\]\.properties\.code \(feature 1\): [^\n]*79\.KHONG-CO/,
    );
    expect(err).toMatch(
      /file bad\.geojson, field features\[2\]\.geometry\.coordinates\[0\] \(feature 2\): [^\n]*ít nhất 4 điểm[^\n]*\n\s+Feature 2: a ring needs at least 4 positions/,
    );
    expect(await count()).toBe(2);
    expect(await audits()).toBe(before);
  });

  it('exits with 1 as a process on a file that is not JSON, naming the line and column', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(import.meta.dirname, '..', '..', 'bin', 'chiso.mjs'),
        'boundaries',
        'import',
        file(
          'broken.geojson',
          '{\n  "type": "FeatureCollection",\n  "features": [\n    {"type": "Feature",}\n  ]\n}',
        ),
      ],
      {
        env: { ...process.env, CHISO_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('The file was not imported (nothing changed).');
    expect(r.stderr).toMatch(/file broken\.geojson, row 4, column 24: /);
    expect(r.stderr).toMatch(/line 4, column 24/);
  });
});
