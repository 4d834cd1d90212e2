/**
 * `chiso plan import FILE [--dry-run]`: imports a plan from a YAML file or an Excel workbook with the
 * annex's columns (src/app/plans/import-plan.ts), in one transaction — a bad file changes nothing.
 * Every fault is printed with its place (file, row, column, field) in Vietnamese and English, and the
 * command exits with 1; a good file prints what changed (or would change, with --dry-run) and exits 0.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { importPlanFile } from '../app/plans/import-plan.ts';
import { type ChisoErrorInit, type ErrorLocation, isChisoError } from '../core/errors.ts';
import type { Store } from '../store/db.ts';

export const PLAN_HELP = `  plan import FILE [--dry-run]  import a plan and its tasks from YAML or Excel (.xlsx); a bad file changes nothing
`;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const console_: Output = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

/** "file plan.yaml, row 12, column lead_unit" from an error's location. */
export function placeOf(e: ErrorLocation): string {
  const parts: string[] = [];
  if (e.file) parts.push(`file ${e.file}`);
  if (e.row !== undefined) parts.push(`row ${e.row}`);
  if (e.column !== undefined) parts.push(`column ${e.column}`);
  if (e.field) parts.push(`field ${e.field}`);
  if (e.position !== undefined) parts.push(`position ${e.position}`);
  return parts.join(', ');
}

export async function planImportCli(
  store: Store,
  file: string,
  options: { dryRun?: boolean; actor?: string } = {},
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
  try {
    const summary = await store.db.transaction((tx) =>
      importPlanFile(tx, options.actor ?? 'cli', content, basename(file), {
        dryRun: options.dryRun ?? false,
      }),
    );
    const t = summary.tasks;
    io.out(
      `${summary.dry_run ? '[dry run] ' : ''}plan ${summary.plan}: ${summary.outcome}; tasks ${t.total} (created ${t.created}, updated ${t.updated}, unchanged ${t.unchanged}, archived ${t.archived})`,
    );
    for (const c of summary.changes.slice(0, 200))
      io.out(`  ${c.change} ${c.number}${c.fields?.length ? ` (${c.fields.join(', ')})` : ''}`);
    if (summary.changes.length > 200) io.out(`  … ${summary.changes.length - 200} more`);
    return 0;
  } catch (e) {
    if (!isChisoError(e)) throw e;
    const faults: ChisoErrorInit[] = e.errors.length ? e.errors : [{ ...e.toJSON() }];
    io.err(`Lỗi: ${e.vi}`);
    io.err(`Error: ${e.en}`);
    io.err(`Tệp không được nhập (không có thay đổi nào). / The file was not imported (nothing changed).`);
    for (const f of faults) {
      const place = placeOf({ file: basename(file), ...f });
      io.err(`  - ${place}: ${f.vi}`);
      io.err(`    ${f.en}`);
    }
    return 1;
  }
}
