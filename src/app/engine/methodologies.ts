/**
 * Index methodology versions (bộ chỉ số) stored as data: add a version (validated by the core's
 * validateMethodology, audited), list them.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ChisoError, type ChisoErrorInit } from '../../core/errors.ts';
import { type IndexMethodology, validateMethodology } from '../../core/index/index.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { documentId } from '../catalogue/refs.ts';
import { DEFAULT_SENSITIVITY, type SensitivitySettings } from './catalogue.ts';

export const zSensitivitySettings = z.object({
  runs: z.number().int().min(0).max(5000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
  weight_noise: z.number().min(0).max(1),
});

export const zMethodologyInput = z.object({
  /** The methodology JSON (docs/COMPUTE.md "Index input", field `methodology`). */
  definition: z.record(z.string(), z.unknown()),
  sensitivity: zSensitivitySettings.partial().optional(),
  source_document: z.string().max(64).nullish(),
});
export type MethodologyInput = z.infer<typeof zMethodologyInput>;

export interface MethodologyOut {
  id: number;
  code: string;
  version: string;
  name_vi: string;
  name_en: string;
  valid_from: number;
  valid_to: number | null;
  root: string;
  views: string[];
  nodes: number;
  sensitivity: SensitivitySettings;
  source_document: string | null;
  created_by: string | null;
  created_at: string;
  definition?: IndexMethodology;
}

/** Adds a methodology version. Throws the validator's ChisoError (fields under `definition.`) when invalid. */
export async function addMethodology(
  ex: Executor,
  actor: string,
  input: MethodologyInput,
): Promise<MethodologyOut> {
  let def: IndexMethodology;
  try {
    def = validateMethodology(input.definition);
  } catch (e) {
    if (!(e instanceof ChisoError)) throw e;
    const move = (f: string | undefined) => (f === undefined ? 'definition' : `definition.${f}`);
    throw new ChisoError({
      ...e.toJSON(),
      field: move(e.location.field),
      errors: e.errors.map((x) => ({ ...x, field: move(x.field) })),
    });
  }
  await checkReferences(ex, def);
  const [dup] = await rows(
    ex,
    sql`select 1 from index_methodology where code = ${def.code} and version = ${def.version}`,
  );
  if (dup) {
    throw new ChisoError({
      code: 'index_methodology.duplicate',
      status: 409,
      field: 'definition.version',
      vi: `Bộ chỉ số ${def.code} đã có phiên bản ${def.version}; hãy đặt phiên bản mới.`,
      en: `Index ${def.code} already has version ${def.version}; give the new one another version.`,
    });
  }
  const sensitivity = { ...DEFAULT_SENSITIVITY, ...(input.sensitivity ?? {}) };
  const docId = await documentId(ex, input.source_document);
  const [row] = await rows<{ id: number }>(
    ex,
    sql`insert into index_methodology (code, version, name_vi, name_en, valid_from, valid_to, definition, sensitivity, source_document_id, created_by)
        values (${def.code}, ${def.version}, ${def.name_vi}, ${def.name_en}, ${def.valid_from}, ${def.valid_to},
                ${JSON.stringify(def)}::jsonb, ${JSON.stringify(sensitivity)}::jsonb, ${docId}, ${actor})
        returning id`,
  );
  await appendAudit(ex, {
    actor,
    action: 'index_methodology.create',
    entity: 'index_methodology',
    entityId: row!.id,
    data: {
      code: def.code,
      version: def.version,
      valid_from: def.valid_from,
      valid_to: def.valid_to,
      sensitivity,
    },
  });
  return (await getMethodology(ex, row!.id, true))!;
}

/**
 * What the core cannot know: every leaf's indicator is in the catalogue (not archived), and the
 * levels the definition ranks (`levels`, an application field) are org-unit levels. One error
 * listing every fault, each at its field under `definition.`.
 */
async function checkReferences(ex: Executor, def: IndexMethodology): Promise<void> {
  const faults: ChisoErrorInit[] = [];
  const codes = [...new Set(def.nodes.flatMap((n) => (n.indicator === undefined ? [] : [n.indicator])))];
  const found = codes.length
    ? await rows<{ code: string }>(
        ex,
        sql`select code from indicator where archived_at is null and code = any(${sql.param(codes)}::text[])`,
      )
    : [];
  const known = new Set(found.map((r) => r.code));
  def.nodes.forEach((n, i) => {
    if (n.indicator === undefined || known.has(n.indicator)) return;
    const field = `definition.nodes[${i}](${n.code}).indicator`;
    faults.push({
      code: 'index_methodology.unknown_indicator',
      field,
      vi: `${field}: không có chỉ tiêu mã '${n.indicator}' trong danh mục.`,
      en: `${field}: there is no indicator '${n.indicator}' in the catalogue.`,
    });
  });
  const levels = (def as unknown as { levels?: unknown }).levels;
  if (levels !== undefined) {
    if (!Array.isArray(levels) || !levels.every((l) => typeof l === 'string')) {
      faults.push({
        code: 'index_methodology.levels',
        field: 'definition.levels',
        vi: 'definition.levels: là danh sách mã cấp đơn vị.',
        en: 'definition.levels: must be a list of org-unit level codes.',
      });
    } else {
      const lv = await rows<{ code: string }>(ex, sql`select code from org_level`);
      const all = new Set(lv.map((r) => r.code));
      levels.forEach((l: string, i) => {
        if (all.has(l)) return;
        faults.push({
          code: 'index_methodology.unknown_level',
          field: `definition.levels[${i}]`,
          vi: `definition.levels[${i}]: không có cấp đơn vị '${l}'.`,
          en: `definition.levels[${i}]: there is no org-unit level '${l}'.`,
        });
      });
    }
  }
  if (faults.length) throw new ChisoError({ ...faults[0]!, status: 400, errors: faults });
}

const COLUMNS = sql`m.id, m.code, m.version, m.name_vi, m.name_en, m.valid_from, m.valid_to, m.definition,
  m.sensitivity, d.code as source_document, m.created_by, m.created_at`;

function out(r: Record<string, unknown>, withDefinition: boolean): MethodologyOut {
  const def = (
    typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition
  ) as IndexMethodology;
  const o: MethodologyOut = {
    id: r.id as number,
    code: r.code as string,
    version: r.version as string,
    name_vi: r.name_vi as string,
    name_en: r.name_en as string,
    valid_from: r.valid_from as number,
    valid_to: (r.valid_to as number | null) ?? null,
    root: def.root,
    views: def.views ?? [],
    nodes: def.nodes.length,
    sensitivity: {
      ...DEFAULT_SENSITIVITY,
      ...((typeof r.sensitivity === 'string' ? JSON.parse(r.sensitivity) : r.sensitivity) as object),
    },
    source_document: (r.source_document as string | null) ?? null,
    created_by: (r.created_by as string | null) ?? null,
    created_at: String(r.created_at),
  };
  if (withDefinition) o.definition = def;
  return o;
}

export async function getMethodology(
  ex: Executor,
  id: number,
  withDefinition = false,
): Promise<MethodologyOut | null> {
  const [r] = await rows<Record<string, unknown>>(
    ex,
    sql`select ${COLUMNS} from index_methodology m left join document d on d.id = m.source_document_id where m.id = ${id}`,
  );
  return r ? out(r, withDefinition) : null;
}

export async function listMethodologies(ex: Executor, withDefinition = false): Promise<MethodologyOut[]> {
  const list = await rows<Record<string, unknown>>(
    ex,
    sql`select ${COLUMNS} from index_methodology m left join document d on d.id = m.source_document_id
        where m.archived_at is null order by m.code, m.valid_from, m.id`,
  );
  return list.map((r) => out(r, withDefinition));
}
