/**
 * Forms (biểu mẫu): createForm, reviseForm (a new version; the items of every version are kept, and
 * rounds keep the version they were opened with), archiveForm, and the readers getForm / listForms.
 */
import { sql } from 'drizzle-orm';
import { ChisoError, type ChisoErrorInit } from '../../core/errors.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { staleVersion } from '../catalogue/refs.ts';
import { isoTs, notFound } from './access.ts';
import {
  type FormInput,
  type FormOut,
  type FormRevision,
  zFormInput,
  zFormRevision,
  type zFormSection,
} from './schemas.ts';
import type { z } from 'zod';
import { formTaskItems, insertFormTasks, resolveFormTasks } from '../plans/task-reports.ts';

type Section = z.infer<typeof zFormSection>;
interface ResolvedItem {
  indicatorId: number;
  required: boolean;
  section: string | null;
}

/** Resolves and checks the items of a form; every fault is reported at once. */
async function resolveItems(
  ex: Executor,
  periodType: string,
  sections: Section[],
  items: Array<{ indicator: string; required?: boolean | undefined; section?: string | null | undefined }>,
): Promise<ResolvedItem[]> {
  const faults: ChisoErrorInit[] = [];
  const seenSections = new Set<string>();
  sections.forEach((s, i) => {
    if (seenSections.has(s.code))
      faults.push({
        code: 'form.duplicate_section',
        field: `sections.${i}.code`,
        vi: `Mục '${s.code}' bị lặp.`,
        en: `Section '${s.code}' appears twice.`,
      });
    seenSections.add(s.code);
  });
  const codes = [...new Set(items.map((i) => i.indicator))];
  const found = codes.length
    ? await rows<{ id: number; code: string; period_type: string }>(
        ex,
        sql`select id, code, period_type from indicator where archived_at is null and code in (${sql.join(
          codes.map((c) => sql`${c}`),
          sql`, `,
        )})`,
      )
    : [];
  const byCode = new Map(found.map((f) => [f.code, f]));
  const seen = new Set<string>();
  const out: ResolvedItem[] = [];
  items.forEach((item, i) => {
    const ind = byCode.get(item.indicator);
    const field = `items.${i}.indicator`;
    if (!ind) {
      faults.push({
        code: 'indicator.unknown',
        field,
        vi: `Không có chỉ tiêu với mã '${item.indicator}'.`,
        en: `There is no indicator with code '${item.indicator}'.`,
      });
      return;
    }
    if (seen.has(ind.code))
      faults.push({
        code: 'form.duplicate_item',
        field,
        vi: `Chỉ tiêu '${ind.code}' có hai lần trong biểu mẫu.`,
        en: `Indicator '${ind.code}' appears twice in the form.`,
      });
    seen.add(ind.code);
    if (ind.period_type !== periodType)
      faults.push({
        code: 'form.period_type',
        field,
        vi: `Chỉ tiêu '${ind.code}' báo cáo theo kỳ '${ind.period_type}', biểu mẫu theo kỳ '${periodType}'.`,
        en: `Indicator '${ind.code}' is reported per '${ind.period_type}'; the form per '${periodType}'.`,
      });
    const section = item.section ?? null;
    if (section !== null && !seenSections.has(section))
      faults.push({
        code: 'form.unknown_section',
        field: `items.${i}.section`,
        vi: `Mục '${section}' không có trong danh sách mục của biểu mẫu.`,
        en: `Section '${section}' is not one of the form's sections.`,
      });
    out.push({ indicatorId: ind.id, required: item.required ?? false, section });
  });
  if (faults.length) {
    const first = faults[0]!;
    throw new ChisoError({ ...first, errors: faults });
  }
  return out;
}

/** A form needs at least one item: an indicator or a task. */
const emptyForm = () =>
  new ChisoError({
    code: 'form.empty',
    field: 'items',
    vi: 'Biểu mẫu cần ít nhất một mục: một chỉ tiêu hoặc một nhiệm vụ.',
    en: 'A form needs at least one item: an indicator or a task.',
  });

async function insertItems(ex: Executor, formId: number, version: number, items: ResolvedItem[]) {
  if (!items.length) return;
  await ex.execute(
    sql`insert into form_item (form_id, form_version, position, kind, indicator_id, section, required) values ${sql.join(
      items.map(
        (it, i) =>
          sql`(${formId}, ${version}, ${i + 1}, 'indicator', ${it.indicatorId}, ${it.section}, ${it.required})`,
      ),
      sql`, `,
    )}`,
  );
}

export async function getForm(ex: Executor, code: string, version?: number): Promise<FormOut | null> {
  const [f] = await rows<Omit<FormOut, 'items'> & { id: number }>(
    ex,
    sql`select id, code, name_vi, name_en, description_vi, description_en, period_type, version, sections,
          created_by, ${isoTs('updated_at')} as updated_at, archived_at is not null as archived
        from form where code = ${code}`,
  );
  if (!f) return null;
  const items = await rows<FormOut['items'][number]>(
    ex,
    sql`select fi.position, i.code as indicator, i.name_vi as indicator_name_vi, i.name_en as indicator_name_en,
          i.unit, i.value_type, fi.required, fi.section
        from form_item fi join indicator i on i.id = fi.indicator_id
        where fi.form_id = ${f.id} and fi.form_version = ${version ?? f.version} order by fi.position`,
  );
  const { id: _id, ...rest } = f;
  return { ...rest, items, tasks: await formTaskItems(ex, f.id, version ?? f.version) };
}

export async function listForms(
  ex: Executor,
  f: { period_type?: string | undefined; include_archived?: boolean | undefined },
): Promise<Array<Omit<FormOut, 'items'> & { items_count: number }>> {
  return rows(
    ex,
    sql`select f.code, f.name_vi, f.name_en, f.description_vi, f.description_en, f.period_type, f.version, f.sections,
          f.created_by, ${isoTs('f.updated_at')} as updated_at, f.archived_at is not null as archived,
          (select count(*)::int from form_item fi where fi.form_id = f.id and fi.form_version = f.version) as items_count
        from form f
        where (${f.period_type ?? null}::text is null or f.period_type = ${f.period_type ?? null})
          and (${f.include_archived ?? false}::boolean or f.archived_at is null)
        order by f.code`,
  );
}

export async function createForm(ex: Executor, actor: string, raw: FormInput): Promise<FormOut> {
  const input = zFormInput.parse(raw);
  const [exists] = await rows(ex, sql`select 1 from form where code = ${input.code}`);
  if (exists) {
    throw new ChisoError({
      code: 'form.exists',
      status: 409,
      field: 'code',
      vi: `Đã có biểu mẫu mã '${input.code}'.`,
      en: `A form with code '${input.code}' already exists.`,
    });
  }
  const items = await resolveItems(ex, input.period_type, input.sections, input.items);
  const tasks = await resolveFormTasks(ex, new Set(input.sections.map((x) => x.code)), input.tasks);
  if (tasks.faults.length) throw new ChisoError({ ...tasks.faults[0]!, errors: tasks.faults });
  if (items.length + tasks.items.length === 0) throw emptyForm();
  const [row] = await rows<{ id: number }>(
    ex,
    sql`insert into form (code, name_vi, name_en, description_vi, description_en, period_type, sections, created_by)
        values (${input.code}, ${input.name_vi}, ${input.name_en}, ${input.description_vi ?? null}, ${input.description_en ?? null},
                ${input.period_type}, ${JSON.stringify(input.sections)}::jsonb, ${actor})
        returning id`,
  );
  await insertItems(ex, row!.id, 1, items);
  await insertFormTasks(ex, row!.id, 1, items.length + 1, tasks.items);
  await appendAudit(ex, {
    actor,
    action: 'form.create',
    entity: 'form',
    entityId: input.code,
    data: { ...input, version: 1 },
  });
  return (await getForm(ex, input.code))!;
}

/** Changes a form: a new version whose items are the given ones (or the current ones). */
export async function reviseForm(
  ex: Executor,
  actor: string,
  code: string,
  raw: FormRevision,
): Promise<FormOut> {
  const input = zFormRevision.parse(raw);
  const [cur] = await rows<{
    id: number;
    version: number;
    period_type: string;
    sections: Section[];
    archived: boolean;
  }>(
    ex,
    sql`select id, version, period_type, sections, archived_at is not null as archived from form where code = ${code} for update`,
  );
  if (!cur) throw notFound({ vi: 'biểu mẫu', en: 'form' }, code);
  if (cur.version !== input.version) throw staleVersion('form', await getForm(ex, code));
  const sections = input.sections ?? cur.sections;
  const currentItems = await rows<{ indicator: string; required: boolean; section: string | null }>(
    ex,
    sql`select i.code as indicator, fi.required, fi.section from form_item fi join indicator i on i.id = fi.indicator_id
        where fi.form_id = ${cur.id} and fi.form_version = ${cur.version} order by fi.position`,
  );
  const items = await resolveItems(ex, cur.period_type, sections, input.items ?? currentItems);
  const tasks = await resolveFormTasks(
    ex,
    new Set(sections.map((x) => x.code)),
    input.tasks ??
      (await formTaskItems(ex, cur.id, cur.version)).map((t) => ({
        plan: t.plan,
        number: t.number,
        required: t.required,
        section: t.section,
      })),
  );
  if (tasks.faults.length) throw new ChisoError({ ...tasks.faults[0]!, errors: tasks.faults });
  if (items.length + tasks.items.length === 0) throw emptyForm();
  const next = cur.version + 1;
  await ex.execute(
    sql`update form set version = ${next},
          name_vi = coalesce(${input.name_vi ?? null}, name_vi), name_en = coalesce(${input.name_en ?? null}, name_en),
          description_vi = ${input.description_vi === undefined ? sql`description_vi` : (input.description_vi ?? null)},
          description_en = ${input.description_en === undefined ? sql`description_en` : (input.description_en ?? null)},
          sections = ${JSON.stringify(sections)}::jsonb, updated_at = now()
        where id = ${cur.id}`,
  );
  await insertItems(ex, cur.id, next, items);
  await insertFormTasks(ex, cur.id, next, items.length + 1, tasks.items);
  await appendAudit(ex, {
    actor,
    action: 'form.revise',
    entity: 'form',
    entityId: code,
    data: { ...input, version: next },
  });
  return (await getForm(ex, code))!;
}

export async function archiveForm(ex: Executor, actor: string, code: string, reason: string): Promise<void> {
  const [cur] = await rows<{ id: number }>(
    ex,
    sql`select id from form where code = ${code} and archived_at is null for update`,
  );
  if (!cur) throw notFound({ vi: 'biểu mẫu', en: 'form' }, code);
  await ex.execute(sql`update form set archived_at = now(), updated_at = now() where id = ${cur.id}`);
  await appendAudit(ex, { actor, action: 'form.archive', entity: 'form', entityId: code, data: { reason } });
}
