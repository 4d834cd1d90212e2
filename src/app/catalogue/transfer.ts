/**
 * Export and import of the whole catalogue as one JSON file (format `chiso-catalogue/1`): levels,
 * units, lineage, documents, indicator groups, indicators and targets. Import is atomic: every record
 * is validated first and every fault is reported with its section, row and field; only a clean file
 * is applied, in one transaction. Existing codes are updated, new ones created, identical targets
 * left alone, so importing the same file twice changes nothing.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ChisoError, type ChisoErrorInit } from '../../core/errors.ts';
import { findUnstorableText, unstorableTextError } from '../../core/text.ts';
import { rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { createDocument, getDocument, updateDocument } from './documents.ts';
import { createIndicator, getIndicator, updateIndicator } from './indicators.ts';
import { addLineage, createOrgUnit, getOrgUnit, updateOrgUnit } from './org-units.ts';
import {
  zDocumentInput,
  zIndicatorInput,
  zLineageInput,
  zOrgLevel,
  zOrgUnitInput,
  zTargetInput,
} from './schemas.ts';
import { createTarget, listTargets } from './targets.ts';

export const CATALOGUE_FORMAT = 'chiso-catalogue/1';

const zGroup = z.object({
  code: z.string(),
  name_vi: z.string(),
  name_en: z.string(),
  sort: z.int32(),
});

const SECTIONS = {
  org_levels: zOrgLevel,
  org_units: zOrgUnitInput,
  lineage: zLineageInput,
  documents: zDocumentInput,
  indicator_groups: zGroup,
  indicators: zIndicatorInput,
  targets: zTargetInput,
} as const;
type Section = keyof typeof SECTIONS;

export interface Catalogue {
  format: string;
  org_levels: z.infer<typeof zOrgLevel>[];
  org_units: z.infer<typeof zOrgUnitInput>[];
  lineage: z.infer<typeof zLineageInput>[];
  documents: z.infer<typeof zDocumentInput>[];
  indicator_groups: z.infer<typeof zGroup>[];
  indicators: z.input<typeof zIndicatorInput>[];
  targets: z.infer<typeof zTargetInput>[];
}

export async function exportCatalogue(store: Store): Promise<Catalogue> {
  const db = store.db;
  const strip = <T extends Record<string, unknown>>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;
  const units = await rows<Record<string, unknown>>(
    db,
    sql`select u.code, u.official_code, u.name_vi, u.name_en, u.type, u.level, p.code as parent, u.groups, u.valid_from, u.valid_to,
               u.is_coordinator, u.source
        from org_unit u left join org_unit p on p.id = u.parent_id where u.archived_at is null order by u.depth, u.code`,
  );
  const lineage = await rows<Record<string, unknown>>(
    db,
    sql`select f.code as from, t.code as to, l.effective_date, l.kind, l.partial, l.share, l.source
        from org_lineage l join org_unit f on f.id = l.from_unit_id join org_unit t on t.id = l.to_unit_id order by l.id`,
  );
  const docs = await rows<Record<string, unknown>>(
    db,
    sql`select code, kind, number, symbol, issued_on as date, issuer, title_vi, title_en, seed, url, note from document where archived_at is null order by id`,
  );
  const inds = await rows<Record<string, unknown>>(
    db,
    sql`select i.code, i.name_vi, i.name_en, i.definition_vi, i.definition_en, i.unit, i.value_type, i.direction, i.rollup,
               den.code as denominator, i.period_type, i.period_rollup, i.formula, i.group_code as "group", i.levels,
               i.min_value, i.max_value, d.code as source_document, ru.code as responsible_unit, i.published
        from indicator i left join indicator den on den.id = i.denominator_id left join document d on d.id = i.source_document_id
        left join org_unit ru on ru.id = i.responsible_unit_id where i.archived_at is null order by i.id`,
  );
  const targets = (await listTargets(db, {}, { limit: 1_000_000, offset: 0 })).items.map((t) =>
    strip({
      indicator: t.indicator_code,
      org_unit: t.scope === 'unit' ? t.org_unit_code : null,
      org_level: t.scope === 'level' ? t.org_level : null,
      period: t.period,
      comparator: t.comparator,
      value: t.value,
      value_max: t.value_max,
      baseline_period: t.baseline_period,
      baseline_value: t.baseline_value,
      source_document: t.source_document,
      quote: t.quote,
      note: t.note,
    }),
  );
  return {
    format: CATALOGUE_FORMAT,
    org_levels: await rows(db, sql`select code, name_vi, name_en, sort from org_level order by sort, code`),
    org_units: units.map(strip) as Catalogue['org_units'],
    lineage: lineage.map(strip) as Catalogue['lineage'],
    documents: docs.map(strip) as Catalogue['documents'],
    indicator_groups: await rows(
      db,
      sql`select code, name_vi, name_en, sort from indicator_group order by sort, code`,
    ),
    indicators: inds.map(strip) as Catalogue['indicators'],
    targets: targets as Catalogue['targets'],
  };
}

export interface ImportSummary {
  dry_run: boolean;
  created: number;
  updated: number;
  unchanged: number;
}

class DryRun extends Error {}

/** Validates and applies a catalogue file; throws a ChisoError listing every fault when it is not clean. */
export async function importCatalogue(
  store: Store,
  actor: string,
  data: unknown,
  options: { dryRun?: boolean; file?: string } = {},
): Promise<ImportSummary> {
  const file = options.file ?? 'catalogue.json';
  const errors: ChisoErrorInit[] = [];
  const obj = (data ?? {}) as Record<string, unknown>;
  if (obj.format !== CATALOGUE_FORMAT) {
    throw new ChisoError({
      code: 'catalogue.format',
      file,
      field: 'format',
      vi: `Tệp không phải danh mục chiso (format phải là '${CATALOGUE_FORMAT}').`,
      en: `The file is not a chiso catalogue (format must be '${CATALOGUE_FORMAT}').`,
    });
  }
  const bad = findUnstorableText(obj);
  if (bad) throw unstorableTextError(bad, file);
  const parsed: Partial<Record<Section, unknown[]>> = {};
  for (const [section, schema] of Object.entries(SECTIONS) as Array<[Section, z.ZodTypeAny]>) {
    const list = obj[section] ?? [];
    if (!Array.isArray(list)) {
      errors.push({
        code: 'catalogue.section',
        file,
        field: section,
        vi: `'${section}' phải là một mảng.`,
        en: `'${section}' must be an array.`,
      });
      continue;
    }
    parsed[section] = list.map((item, i) => {
      const r = schema.safeParse(item);
      if (!r.success) {
        for (const issue of r.error.issues) {
          const field = [section, ...issue.path.map(String)].join('.');
          errors.push({
            code: 'catalogue.invalid',
            file,
            row: i + 1,
            field,
            vi: `${section} #${i + 1}, trường '${issue.path.join('.')}': ${issue.message}`,
            en: `${section} #${i + 1}, field '${issue.path.join('.')}': ${issue.message}`,
          });
        }
        return null;
      }
      return r.data;
    });
  }
  if (errors.length) throw invalid(file, errors);

  const summary: ImportSummary = { dry_run: Boolean(options.dryRun), created: 0, updated: 0, unchanged: 0 };
  try {
    await store.db.transaction(async (tx) => {
      const at = async (section: Section, i: number, fn: () => Promise<void>) => {
        try {
          await fn();
        } catch (e) {
          if (e instanceof ChisoError) {
            errors.push({
              ...e.toJSON(),
              file,
              row: i + 1,
              field: `${section}.${e.location.field ?? ''}`.replace(/\.$/, ''),
            });
            throw invalid(file, errors);
          }
          throw e;
        }
      };
      for (const l of (parsed.org_levels ?? []) as z.infer<typeof zOrgLevel>[]) {
        await tx.execute(
          sql`insert into org_level (code, name_vi, name_en, sort) values (${l.code}, ${l.name_vi}, ${l.name_en}, ${l.sort})
              on conflict (code) do update set name_vi = excluded.name_vi, name_en = excluded.name_en, sort = excluded.sort`,
        );
      }
      for (const [i, u] of ((parsed.org_units ?? []) as z.infer<typeof zOrgUnitInput>[]).entries()) {
        await at('org_units', i, async () => {
          const cur = await getOrgUnit(tx, u.code);
          if (!cur) {
            await createOrgUnit(tx, actor, u);
            summary.created++;
            return;
          }
          const { code: _c, parent: _p, ...rest } = u;
          const same = Object.entries(rest).every(
            ([k, v]) =>
              JSON.stringify((cur as Record<string, unknown>)[k] ?? null) === JSON.stringify(v ?? null),
          );
          if (same) summary.unchanged++;
          else {
            await updateOrgUnit(tx, actor, u.code, { ...rest, version: cur.version });
            summary.updated++;
          }
        });
      }
      for (const [i, l] of ((parsed.lineage ?? []) as z.infer<typeof zLineageInput>[]).entries()) {
        await at('lineage', i, async () => {
          const [exists] = await rows(
            tx,
            sql`select 1 from org_lineage l join org_unit f on f.id = l.from_unit_id join org_unit t on t.id = l.to_unit_id
                where f.code = ${l.from} and t.code = ${l.to} and l.effective_date = ${l.effective_date}`,
          );
          if (exists) summary.unchanged++;
          else {
            await addLineage(tx, actor, l);
            summary.created++;
          }
        });
      }
      for (const [i, d] of ((parsed.documents ?? []) as z.infer<typeof zDocumentInput>[]).entries()) {
        await at('documents', i, async () => {
          const cur = await getDocument(tx, d.code);
          if (!cur) {
            await createDocument(tx, actor, d);
            summary.created++;
            return;
          }
          const { code: _c, ...rest } = d;
          const same = Object.entries(rest).every(
            ([k, v]) =>
              JSON.stringify((cur as unknown as Record<string, unknown>)[k] ?? null) ===
              JSON.stringify(v ?? null),
          );
          if (same) summary.unchanged++;
          else {
            await updateDocument(tx, actor, d.code, { ...rest, version: cur.version });
            summary.updated++;
          }
        });
      }
      for (const g of (parsed.indicator_groups ?? []) as z.infer<typeof zGroup>[]) {
        await tx.execute(
          sql`insert into indicator_group (code, name_vi, name_en, sort) values (${g.code}, ${g.name_vi}, ${g.name_en}, ${g.sort})
              on conflict (code) do update set name_vi = excluded.name_vi, name_en = excluded.name_en, sort = excluded.sort`,
        );
      }
      const inds = (parsed.indicators ?? []) as z.infer<typeof zIndicatorInput>[];
      // Create without denominators and formulas first, so that indicators may reference each other in
      // any order; the second pass sets every field.
      const createdNow = new Set<string>();
      for (const [i, ind] of inds.entries()) {
        await at('indicators', i, async () => {
          if (!(await getIndicator(tx, ind.code))) {
            await createIndicator(tx, actor, { ...ind, denominator: null, formula: null });
            createdNow.add(ind.code);
            summary.created++;
          }
        });
      }
      for (const [i, ind] of inds.entries()) {
        await at('indicators', i, async () => {
          const cur = (await getIndicator(tx, ind.code))!;
          const { code: _c, ...rest } = ind;
          const same = Object.entries(rest).every(
            ([k, v]) =>
              JSON.stringify((cur as unknown as Record<string, unknown>)[k] ?? null) ===
              JSON.stringify(v ?? null),
          );
          if (!same) await updateIndicator(tx, actor, ind.code, { ...rest, version: cur.version });
          if (!createdNow.has(ind.code)) {
            if (same) summary.unchanged++;
            else summary.updated++;
          }
        });
      }
      const existing = new Set(
        (await listTargets(tx, {}, { limit: 1_000_000, offset: 0 })).items.map((t) =>
          JSON.stringify([
            t.indicator_code,
            t.scope === 'unit' ? t.org_unit_code : null,
            t.scope === 'level' ? t.org_level : null,
            t.period,
            t.comparator,
            t.value,
            t.value_max,
            t.source_document,
          ]),
        ),
      );
      for (const [i, t] of ((parsed.targets ?? []) as z.infer<typeof zTargetInput>[]).entries()) {
        await at('targets', i, async () => {
          const key = JSON.stringify([
            t.indicator,
            t.org_unit ?? null,
            t.org_level ?? null,
            t.period,
            t.comparator,
            t.value,
            t.value_max ?? null,
            t.source_document ?? null,
          ]);
          if (existing.has(key)) {
            summary.unchanged++;
            return;
          }
          await createTarget(tx, actor, t);
          existing.add(key);
          summary.created++;
        });
      }
      await appendAudit(tx, {
        actor,
        action: 'catalogue.import',
        entity: 'catalogue',
        entityId: file,
        data: summary,
      });
      if (options.dryRun) throw new DryRun();
    });
  } catch (e) {
    if (!(e instanceof DryRun)) throw e;
  }
  return summary;
}

function invalid(file: string, errors: ChisoErrorInit[]): ChisoError {
  const first = errors[0]!;
  return new ChisoError({
    code: 'catalogue.invalid',
    file,
    vi: `Tệp ${file} có ${errors.length} lỗi; không có gì được thay đổi. Lỗi đầu tiên: ${first.vi}`,
    en: `${file} has ${errors.length} error(s); nothing was changed. First: ${first.en}`,
    errors,
  });
}
