/**
 * Importing a plan from a file (YAML or Excel, read by plan-file.ts): every code is checked against
 * the catalogue — units, levels, the document, indicators and targets — and every fault is reported
 * at once with its file, row and column, in Vietnamese and English. Nothing is written unless the
 * whole file is valid (the caller runs this in one transaction, so a failure while writing rolls back
 * too). Importing the same file again changes nothing: the plan is matched by its code and its tasks
 * by their numbers; changed tasks are updated, tasks no longer in the file are archived, never
 * deleted, and their progress stays.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { deadlineDate } from '../../core/tasks.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import {
  type AssigneeRef,
  type PlanDraft,
  type PlanMeta,
  readPlanXlsx,
  readPlanYaml,
  type TaskDraft,
} from './plan-file.ts';

/** The pseudo-code of "every unit of a level": 'ALL.department', 'ALL.district' … */
export const LEVEL_PREFIX = 'ALL.';

export type Assignee = { unitId: number; code: string } | { level: string };

export interface UnitRow {
  id: number;
  code: string;
  name_vi: string;
  level: string;
  valid_from: string | null;
  valid_to: string | null;
}

/** Phrases the annexes use for "every unit of a level" (folded), by level code. */
const LEVEL_PHRASES: ReadonlyArray<[RegExp, string]> = [
  [/^(cac )?so,? ban,? nganh( thanh pho)?$|^cac so,? nganh$|^cac so$|^so nganh$/, 'department'],
  [
    /^((ubnd|uy ban nhan dan) )?(thanh pho thu duc,? )?(va )?(cac )?quan,? huyen(,? (va )?(thanh pho|tp\.?) thu duc)?$|^ubnd thanh pho thu duc va cac quan,? huyen$/,
    'district',
  ],
  [/^((ubnd|uy ban nhan dan) )?(cac )?phuong,? xa,?( thi tran| dac khu)?$/, 'commune'],
  [/^(cac )?doanh nghiep nha nuoc( thanh pho)?$|^dnnn$/, 'enterprise'],
];

export interface UnitDirectory {
  byCode: Map<string, UnitRow>;
  byName: Map<string, UnitRow[]>;
  levels: Map<string, { code: string; name: string }>;
}

export async function unitDirectory(ex: Executor): Promise<UnitDirectory> {
  const units = await rows<UnitRow>(
    ex,
    sql`select id, code, name_vi, level, valid_from, valid_to from org_unit where archived_at is null`,
  );
  const byCode = new Map(units.map((u) => [u.code, u]));
  const byName = new Map<string, UnitRow[]>();
  for (const u of units) {
    const key = foldVi(u.name_vi);
    byName.set(key, [...(byName.get(key) ?? []), u]);
  }
  const levels = new Map(
    (await rows<{ code: string; name_vi: string }>(ex, sql`select code, name_vi from org_level`)).map((l) => [
      l.code,
      { code: l.code, name: l.name_vi },
    ]),
  );
  return { byCode, byName, levels };
}

const validOn = (u: UnitRow, day: string | null): boolean =>
  day === null ||
  ((u.valid_from === null || u.valid_from <= day) && (u.valid_to === null || u.valid_to >= day));

/**
 * Resolves a unit reference: a code, 'ALL.<level>', a name (exact, ignoring case and diacritics; a
 * People's Committee "UBND X" is the unit X), a name followed by its code in parentheses, or a phrase
 * for every unit of a level ("Các sở, ban, ngành"). Names shared by several units resolve to the one
 * valid on `day`. Returns null when unknown, or the candidates when still ambiguous.
 */
export function resolveAssignee(
  dir: UnitDirectory,
  text: string,
  day: string | null,
): Assignee | null | { ambiguous: string[] } {
  const t = text.trim();
  if (t.startsWith(LEVEL_PREFIX)) {
    const level = t.slice(LEVEL_PREFIX.length);
    return dir.levels.has(level) ? { level } : null;
  }
  const byCode = dir.byCode.get(t);
  if (byCode) return { unitId: byCode.id, code: byCode.code };
  const paren = /\(([^()]+)\)\s*$/.exec(t);
  if (paren) {
    const inner = paren[1]!.trim();
    if (inner.startsWith(LEVEL_PREFIX) && dir.levels.has(inner.slice(LEVEL_PREFIX.length)))
      return { level: inner.slice(LEVEL_PREFIX.length) };
    const u = dir.byCode.get(inner);
    if (u) return { unitId: u.id, code: u.code };
  }
  const f = foldVi(t);
  for (const [re, level] of LEVEL_PHRASES) if (re.test(f) && dir.levels.has(level)) return { level };
  for (const l of dir.levels.values()) if (foldVi(l.name) === f) return { level: l.code };
  for (const key of [f, f.replace(/^(ubnd|uy ban nhan dan) /, '')]) {
    const found = dir.byName.get(key);
    if (!found?.length) continue;
    const valid = found.filter((u) => validOn(u, day));
    const pick = valid.length === 1 ? valid[0] : found.length === 1 ? found[0] : undefined;
    if (pick) return { unitId: pick.id, code: pick.code };
    return { ambiguous: found.map((u) => u.code) };
  }
  return null;
}

const assigneeKey = (a: Assignee): string => ('level' in a ? `${LEVEL_PREFIX}${a.level}` : a.code);

interface ResolvedTask {
  draft: TaskDraft;
  lead: Assignee | null;
  assignments: Array<{ role: 'co_lead' | 'coordinating'; a: Assignee }>;
  indicators: Array<{ indicatorId: number; targetId: number | null; key: string }>;
}

export interface ImportSummary {
  plan: string;
  file: string;
  format: 'yaml' | 'xlsx';
  dry_run: boolean;
  outcome: 'created' | 'updated' | 'unchanged';
  tasks: { total: number; created: number; updated: number; unchanged: number; archived: number };
  changes: Array<{ number: string; change: 'created' | 'updated' | 'archived'; fields?: string[] }>;
}

export interface ImportOptions {
  /** Validate and report what would change, without writing. */
  dryRun?: boolean;
  /** Plan fields that fill or override the file's (Excel). */
  plan?: Partial<Record<keyof PlanMeta, string | null>>;
}

/** Imports a plan from YAML text. Call inside a transaction. */
export async function importPlanYaml(
  ex: Executor,
  actor: string,
  text: string,
  file: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const draft = readPlanYaml(text, file);
  if (options.plan) Object.assign(draft, definedOnly(options.plan));
  return importPlanDraft(ex, actor, draft, 'yaml', options);
}

/** Imports a plan from an Excel workbook with the annex's columns. Call inside a transaction. */
export async function importPlanXlsx(
  ex: Executor,
  actor: string,
  content: Uint8Array,
  file: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const draft = await readPlanXlsx(content, file, options.plan ?? {});
  return importPlanDraft(ex, actor, draft, 'xlsx', options);
}

/** Imports by the file's name or content: .xlsx (a zip) or YAML. */
export async function importPlanFile(
  ex: Executor,
  actor: string,
  content: Uint8Array,
  file: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const isZip = content.length >= 4 && content[0] === 0x50 && content[1] === 0x4b;
  if (isZip || /\.xlsx$/i.test(file)) return importPlanXlsx(ex, actor, content, file, options);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content).replace(/^\uFEFF/, '');
  } catch {
    throw new ChisoError({
      code: 'plan.encoding',
      status: 422,
      file,
      vi: `Tệp '${file}' không phải văn bản UTF-8 hay tệp Excel (.xlsx).`,
      en: `The file '${file}' is neither UTF-8 text nor an Excel (.xlsx) file.`,
    });
  }
  return importPlanYaml(ex, actor, text, file, options);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Checks a read plan against the catalogue and writes it (unless dry run). */
export async function importPlanDraft(
  ex: Executor,
  actor: string,
  draft: PlanDraft,
  format: 'yaml' | 'xlsx',
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const problems = draft.problems;
  const dir = await unitDirectory(ex);
  const day = draft.issued_on;

  // Plan references.
  let documentId: number | null = null;
  if (draft.document) {
    const [d] = await rows<{ id: number }>(ex, sql`select id from document where code = ${draft.document}`);
    if (d) documentId = d.id;
    else
      problems.add(
        draft.atPlan('document'),
        'plan.document_unknown',
        `Không có văn bản '${draft.document}' trong danh mục văn bản.`,
        `There is no document '${draft.document}' in the catalogue.`,
      );
  }
  let issuerUnitId: number | null = null;
  if (draft.issuer_unit) {
    const u = dir.byCode.get(draft.issuer_unit);
    if (u) issuerUnitId = u.id;
    else
      problems.add(
        draft.atPlan('issuer_unit'),
        'plan.issuer_unit_unknown',
        `Không có đơn vị '${draft.issuer_unit}'.`,
        `There is no unit '${draft.issuer_unit}'.`,
      );
  } else if (draft.issuer) {
    const r = resolveAssignee(dir, draft.issuer, day);
    if (r && 'unitId' in r) issuerUnitId = r.unitId;
  }

  // Task references.
  const indicatorIds = new Map(
    (
      await rows<{ code: string; id: number }>(
        ex,
        sql`select code, id from indicator where archived_at is null`,
      )
    ).map((r) => [r.code, r.id]),
  );
  const resolveOne = (ref: AssigneeRef, role: string): Assignee | null => {
    const r = resolveAssignee(dir, ref.text, day);
    if (r && !('ambiguous' in r)) return r;
    if (r && 'ambiguous' in r) {
      problems.add(
        ref.at,
        'task.unit_ambiguous',
        `Tên đơn vị ${role} '${ref.text}' trùng với nhiều đơn vị (${r.ambiguous.join(', ')}); hãy ghi mã đơn vị.`,
        `The ${role === 'chủ trì' ? 'lead' : role === 'phối hợp' ? 'coordinating' : 'co-lead'} unit name '${ref.text}' matches several units (${r.ambiguous.join(', ')}); write the unit code.`,
      );
      return null;
    }
    const isLevel = ref.text.startsWith(LEVEL_PREFIX);
    problems.add(
      ref.at,
      'task.unit_unknown',
      isLevel
        ? `Không có cấp đơn vị '${ref.text.slice(LEVEL_PREFIX.length)}' (trong '${ref.text}').`
        : `Không có đơn vị ${role} '${ref.text}' (mã, tên đơn vị, hoặc ALL.<cấp> cho mọi đơn vị của một cấp).`,
      isLevel
        ? `There is no org level '${ref.text.slice(LEVEL_PREFIX.length)}' (in '${ref.text}').`
        : `There is no ${role === 'chủ trì' ? 'lead' : role === 'phối hợp' ? 'coordinating' : 'co-lead'} unit '${ref.text}' (a unit code, a unit name, or ALL.<level> for every unit of a level).`,
    );
    return null;
  };
  const resolved: ResolvedTask[] = [];
  for (const t of draft.tasks) {
    const lead = t.lead ? resolveOne(t.lead, 'chủ trì') : null;
    const assignments: ResolvedTask['assignments'] = [];
    const seen = new Set<string>(lead ? [assigneeKey(lead)] : []);
    for (const [role, list, vi] of [
      ['co_lead', t.co_leads, 'đồng chủ trì'],
      ['coordinating', t.coordinating, 'phối hợp'],
    ] as const) {
      for (const ref of list) {
        const a = resolveOne(ref, vi);
        if (!a) continue;
        const key = `${role}|${assigneeKey(a)}`;
        if (seen.has(key) || (role === 'co_lead' && seen.has(assigneeKey(a)))) continue;
        seen.add(key);
        assignments.push({ role, a });
      }
    }
    const indicators: ResolvedTask['indicators'] = [];
    for (const link of t.indicators) {
      const indicatorId = indicatorIds.get(link.indicator);
      if (!indicatorId) {
        problems.add(
          link.at,
          'task.indicator_unknown',
          `Không có chỉ tiêu '${link.indicator}'.`,
          `There is no indicator '${link.indicator}'.`,
        );
        continue;
      }
      let targetId: number | null = null;
      if (link.period || link.org_unit || link.org_level || link.source_document) {
        const found = await rows<{ id: number }>(
          ex,
          sql`select t.id from target t left join org_unit u on u.id = t.org_unit_id left join document d on d.id = t.source_document_id
              where t.indicator_id = ${indicatorId} and t.archived_at is null
                and (${link.period}::text is null or t.period = ${link.period})
                and (${link.org_unit}::text is null or u.code = ${link.org_unit})
                and (${link.org_level}::text is null or t.org_level = ${link.org_level})
                and (${link.source_document}::text is null or d.code = ${link.source_document})`,
        );
        if (found.length !== 1) {
          const what = [link.period, link.org_unit, link.org_level, link.source_document]
            .filter(Boolean)
            .join(', ');
          problems.add(
            link.at,
            found.length === 0 ? 'task.target_unknown' : 'task.target_ambiguous',
            found.length === 0
              ? `Không có mục tiêu của chỉ tiêu '${link.indicator}' cho ${what}.`
              : `Có ${found.length} mục tiêu của chỉ tiêu '${link.indicator}' cho ${what}; hãy nêu thêm source_document.`,
            found.length === 0
              ? `There is no target of indicator '${link.indicator}' for ${what}.`
              : `There are ${found.length} targets of indicator '${link.indicator}' for ${what}; name the source_document too.`,
          );
          continue;
        }
        targetId = found[0]!.id;
      }
      const key = `${indicatorId}|${targetId ?? ''}`;
      if (!indicators.some((x) => x.key === key)) indicators.push({ indicatorId, targetId, key });
    }
    resolved.push({ draft: t, lead, assignments, indicators });
  }
  problems.throwIfAny();
  return applyPlan(ex, actor, draft, { documentId, issuerUnitId }, resolved, format, options.dryRun ?? false);
}

interface ExistingTask {
  id: number;
  number: string;
  parent_id: number | null;
  sort: number;
  depth: number;
  title_vi: string;
  title_en: string | null;
  description_vi: string | null;
  description_en: string | null;
  lead_unit_id: number | null;
  lead_level: string | null;
  deadline_kind: string;
  deadline_value: string | null;
  deadline_text: string | null;
  recurrence: string | null;
  output_vi: string | null;
  output_en: string | null;
  quote: string | null;
  archived: boolean;
  assignments: string[] | null;
  indicators: string[] | null;
}

interface TaskValues {
  parent_number: string | null;
  sort: number;
  depth: number;
  title_vi: string;
  title_en: string | null;
  description_vi: string | null;
  description_en: string | null;
  lead_unit_id: number | null;
  lead_level: string | null;
  deadline_kind: string;
  deadline_value: string | null;
  deadline_text: string | null;
  deadline_date: string | null;
  recurrence: string | null;
  output_vi: string | null;
  output_en: string | null;
  quote: string | null;
}

const TASK_FIELDS = [
  'sort',
  'depth',
  'title_vi',
  'title_en',
  'description_vi',
  'description_en',
  'lead_unit_id',
  'lead_level',
  'deadline_kind',
  'deadline_value',
  'deadline_text',
  'recurrence',
  'output_vi',
  'output_en',
  'quote',
] as const;

async function applyPlan(
  ex: Executor,
  actor: string,
  draft: PlanDraft,
  refs: { documentId: number | null; issuerUnitId: number | null },
  tasks: ResolvedTask[],
  format: 'yaml' | 'xlsx',
  dryRun: boolean,
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    plan: draft.code,
    file: draft.file,
    format,
    dry_run: dryRun,
    outcome: 'unchanged',
    tasks: { total: tasks.length, created: 0, updated: 0, unchanged: 0, archived: 0 },
    changes: [],
  };
  const planSearch = foldVi(
    `${draft.code} ${draft.document ?? ''} ${draft.title_vi} ${draft.title_en ?? ''}`,
  );
  const planRow = {
    document_id: refs.documentId,
    title_vi: draft.title_vi,
    title_en: draft.title_en,
    issuer: draft.issuer,
    issuer_unit_id: refs.issuerUnitId,
    issued_on: draft.issued_on,
    status: draft.status,
    closed_on: draft.closed_on,
    seed: draft.seed,
    note: draft.note,
  };
  const [existing] = await rows<typeof planRow & { id: number; version: number; archived: boolean }>(
    ex,
    sql`select id, version, document_id, title_vi, title_en, issuer, issuer_unit_id, issued_on, status, closed_on, seed, note,
        archived_at is not null as archived from plan where code = ${draft.code} for update`,
  );
  let planId: number;
  const planChanged: string[] = [];
  if (!existing) {
    summary.outcome = 'created';
    if (dryRun) planId = -1;
    else {
      const [r] = await rows<{ id: number }>(
        ex,
        sql`insert into plan (code, document_id, title_vi, title_en, issuer, issuer_unit_id, issued_on, status, closed_on, seed, note, source, search_text)
            values (${draft.code}, ${planRow.document_id}, ${planRow.title_vi}, ${planRow.title_en}, ${planRow.issuer}, ${planRow.issuer_unit_id},
                    ${planRow.issued_on}, ${planRow.status}, ${planRow.closed_on}, ${planRow.seed}, ${planRow.note}, ${draft.file}, ${planSearch})
            returning id`,
      );
      planId = r!.id;
    }
  } else {
    planId = existing.id;
    for (const k of Object.keys(planRow) as Array<keyof typeof planRow>) {
      if ((existing[k] ?? null) !== (planRow[k] ?? null)) planChanged.push(k);
    }
    if (existing.archived) planChanged.push('archived');
    if (planChanged.length && !dryRun) {
      await ex.execute(
        sql`update plan set document_id = ${planRow.document_id}, title_vi = ${planRow.title_vi}, title_en = ${planRow.title_en},
            issuer = ${planRow.issuer}, issuer_unit_id = ${planRow.issuer_unit_id}, issued_on = ${planRow.issued_on},
            status = ${planRow.status}, closed_on = ${planRow.closed_on}, seed = ${planRow.seed}, note = ${planRow.note},
            source = ${draft.file}, search_text = ${planSearch}, archived_at = null, version = version + 1, updated_at = now()
            where id = ${planId}`,
      );
    }
  }

  const old = new Map<string, ExistingTask>();
  if (existing) {
    for (const t of await rows<ExistingTask>(
      ex,
      sql`select t.id, t.number, t.parent_id, t.sort, t.depth, t.title_vi, t.title_en, t.description_vi, t.description_en,
            t.lead_unit_id, t.lead_level, t.deadline_kind, t.deadline_value, t.deadline_text, t.recurrence, t.output_vi, t.output_en,
            t.quote, t.archived_at is not null as archived,
            (select array_agg(a.role || '|' || coalesce(u.code, 'ALL.' || a.org_level) order by a.role, a.sort)
               from task_assignment a left join org_unit u on u.id = a.org_unit_id
              where a.task_id = t.id and a.archived_at is null) as assignments,
            (select array_agg(ti.indicator_id || '|' || coalesce(ti.target_id::text, '') order by ti.indicator_id, ti.target_id)
               from task_indicator ti where ti.task_id = t.id and ti.archived_at is null) as indicators
          from task t where t.plan_id = ${planId} for update of t`,
    )) {
      old.set(t.number, t);
    }
  }
  const numberOf = new Map([...old.values()].map((t) => [t.id, t.number]));

  // What each task should be; then inserts (parents first, one statement per depth), updates of the
  // changed ones, and the assignments and indicator links of new or changed tasks.
  interface Planned {
    r: ResolvedTask;
    row: TaskValues;
    search: string;
    before: ExistingTask | undefined;
    fields: string[];
  }
  const planned: Planned[] = tasks.map((r, sort) => {
    const t = r.draft;
    const row: TaskValues = {
      parent_number: t.parent,
      sort,
      depth: t.depth,
      title_vi: t.title_vi,
      title_en: t.title_en,
      description_vi: t.description_vi,
      description_en: t.description_en,
      lead_unit_id: r.lead && 'unitId' in r.lead ? r.lead.unitId : null,
      lead_level: r.lead && 'level' in r.lead ? r.lead.level : null,
      deadline_kind: t.deadline.kind,
      deadline_value: t.deadline.value,
      deadline_text: t.deadline.text,
      deadline_date: deadlineDate(t.deadline),
      recurrence: t.deadline.recurrence,
      output_vi: t.output_vi,
      output_en: t.output_en,
      quote: t.quote,
    };
    const search = foldVi(
      [draft.code, t.number, t.title_vi, t.title_en ?? '', t.description_vi ?? '', t.output_vi ?? ''].join(
        ' ',
      ),
    );
    const before = old.get(t.number);
    const fields: string[] = [];
    if (before) {
      const parentBefore = before.parent_id === null ? null : (numberOf.get(before.parent_id) ?? null);
      if (parentBefore !== row.parent_number) fields.push('parent');
      for (const k of TASK_FIELDS) if ((before[k] ?? null) !== (row[k] ?? null)) fields.push(k);
      if (before.archived) fields.push('archived');
      const assignments = r.assignments.map((x) => `${x.role}|${assigneeKey(x.a)}`).sort();
      if ([...(before.assignments ?? [])].sort().join('\n') !== assignments.join('\n'))
        fields.push('assignments');
      const links = r.indicators.map((x) => x.key).sort();
      if ([...(before.indicators ?? [])].sort().join('\n') !== links.join('\n')) fields.push('indicators');
    }
    return { r, row, search, before, fields };
  });

  const ids = new Map<string, number>();
  for (const t of old.values()) ids.set(t.number, t.id);
  let fake = -1;
  const fresh = planned.filter((p) => !p.before);
  for (const p of fresh) {
    summary.tasks.created++;
    summary.changes.push({ number: p.r.draft.number, change: 'created' });
  }
  for (const p of planned) {
    if (!p.before) continue;
    if (p.fields.length === 0) summary.tasks.unchanged++;
    else {
      summary.tasks.updated++;
      summary.changes.push({ number: p.r.draft.number, change: 'updated', fields: p.fields });
    }
  }
  const depths = [...new Set(fresh.map((p) => p.row.depth))].sort((a, b) => a - b);
  for (const depth of depths) {
    const layer = fresh.filter((p) => p.row.depth === depth);
    if (dryRun) {
      for (const p of layer) ids.set(p.r.draft.number, fake--);
      continue;
    }
    for (let i = 0; i < layer.length; i += 500) {
      const inserted = await rows<{ id: number; number: string }>(
        ex,
        sql`insert into task (plan_id, number, parent_id, sort, depth, title_vi, title_en, description_vi, description_en,
              lead_unit_id, lead_level, deadline_kind, deadline_value, deadline_text, deadline_date, recurrence, output_vi, output_en, quote, search_text)
            values ${sql.join(
              layer.slice(i, i + 500).map(
                ({ r, row, search }) =>
                  sql`(${planId}, ${r.draft.number}, ${row.parent_number === null ? null : (ids.get(row.parent_number) ?? null)},
                    ${row.sort}, ${row.depth}, ${row.title_vi}, ${row.title_en}, ${row.description_vi}, ${row.description_en},
                    ${row.lead_unit_id}, ${row.lead_level}, ${row.deadline_kind}, ${row.deadline_value}, ${row.deadline_text},
                    ${row.deadline_date}, ${row.recurrence}, ${row.output_vi}, ${row.output_en}, ${row.quote}, ${search})`,
              ),
              sql`, `,
            )}
            returning id, number`,
      );
      for (const x of inserted) ids.set(x.number, x.id);
    }
  }
  const updated = planned.filter((p) => p.before && p.fields.length > 0);
  if (!dryRun) {
    for (const { row, search, before } of updated) {
      const parentId = row.parent_number === null ? null : (ids.get(row.parent_number) ?? null);
      await ex.execute(
        sql`update task set parent_id = ${parentId}, sort = ${row.sort}, depth = ${row.depth}, title_vi = ${row.title_vi},
            title_en = ${row.title_en}, description_vi = ${row.description_vi}, description_en = ${row.description_en},
            lead_unit_id = ${row.lead_unit_id}, lead_level = ${row.lead_level}, deadline_kind = ${row.deadline_kind},
            deadline_value = ${row.deadline_value}, deadline_text = ${row.deadline_text}, deadline_date = ${row.deadline_date},
            recurrence = ${row.recurrence}, output_vi = ${row.output_vi}, output_en = ${row.output_en}, quote = ${row.quote},
            search_text = ${search}, archived_at = null, version = version + 1, updated_at = now()
            where id = ${before!.id}`,
      );
    }
    // Assignments and indicator links of changed tasks are archived, never deleted, then set again.
    const relinkAssignments = [
      ...fresh,
      ...updated.filter((p) => p.fields.includes('assignments') || p.fields.includes('archived')),
    ];
    const relinkIndicators = [
      ...fresh,
      ...updated.filter((p) => p.fields.includes('indicators') || p.fields.includes('archived')),
    ];
    const idList = (list: Planned[]) =>
      sql.join(
        list.map((p) => sql`${ids.get(p.r.draft.number)!}`),
        sql`, `,
      );
    const oldAssignments = relinkAssignments.filter((p) => p.before);
    if (oldAssignments.length)
      await ex.execute(
        sql`update task_assignment set archived_at = now() where archived_at is null and task_id in (${idList(oldAssignments)})`,
      );
    const oldLinks = relinkIndicators.filter((p) => p.before);
    if (oldLinks.length)
      await ex.execute(
        sql`update task_indicator set archived_at = now() where archived_at is null and task_id in (${idList(oldLinks)})`,
      );
    const assignmentRows = relinkAssignments.flatMap((p) =>
      p.r.assignments.map((x, i) => {
        const unitId = 'unitId' in x.a ? x.a.unitId : null;
        const level = 'level' in x.a ? x.a.level : null;
        return sql`(${ids.get(p.r.draft.number)!}, ${x.role}, ${unitId}::int, ${level}::text, ${i})`;
      }),
    );
    for (let i = 0; i < assignmentRows.length; i += 500) {
      await ex.execute(
        sql`insert into task_assignment (task_id, role, org_unit_id, org_level, sort) values ${sql.join(assignmentRows.slice(i, i + 500), sql`, `)}
            on conflict on constraint task_assignment_uq do update set archived_at = null, sort = excluded.sort`,
      );
    }
    const linkRows = relinkIndicators.flatMap((p) =>
      p.r.indicators.map((x) => sql`(${ids.get(p.r.draft.number)!}, ${x.indicatorId}, ${x.targetId}::int)`),
    );
    for (let i = 0; i < linkRows.length; i += 500) {
      await ex.execute(
        sql`insert into task_indicator (task_id, indicator_id, target_id) values ${sql.join(linkRows.slice(i, i + 500), sql`, `)}
            on conflict on constraint task_indicator_uq do update set archived_at = null`,
      );
    }
  }
  const wanted = new Set(planned.map((p) => p.r.draft.number));
  const gone = [...old.values()].filter((t) => !t.archived && !wanted.has(t.number));
  for (const t of gone) {
    summary.tasks.archived++;
    summary.changes.push({ number: t.number, change: 'archived' });
  }
  if (gone.length && !dryRun) {
    await ex.execute(
      sql`update task set archived_at = now(), version = version + 1, updated_at = now()
          where id in (${sql.join(
            gone.map((t) => sql`${t.id}`),
            sql`, `,
          )})`,
    );
  }
  const changed =
    summary.tasks.created + summary.tasks.updated + summary.tasks.archived > 0 || planChanged.length > 0;
  if (existing) summary.outcome = changed ? 'updated' : 'unchanged';
  if (!dryRun && (summary.outcome !== 'unchanged' || !existing)) {
    await appendAudit(ex, {
      actor,
      action: existing ? 'plan.import.update' : 'plan.import.create',
      entity: 'plan',
      entityId: planId,
      data: {
        code: draft.code,
        file: draft.file,
        format,
        plan_fields: planChanged,
        tasks: summary.tasks,
        changes: summary.changes,
      },
    });
  }
  return summary;
}

export const assigneeCode = assigneeKey;
