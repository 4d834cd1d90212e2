/**
 * Reading plan files into one shape (`PlanDraft`), with the place of every field so that each fault
 * can be reported by file, row and column:
 *
 * - YAML, the format of data/demo/plans: plan fields and a tree of tasks (`children`); rows are line
 *   numbers, columns the field names.
 * - Excel, the annex table of a plan: a sheet whose header row holds the annex's columns — STT /
 *   Nhiệm vụ / Đơn vị chủ trì / Đơn vị phối hợp / Thời gian hoàn thành / Sản phẩm (optional: Nhiệm
 *   vụ (tiếng Anh), Sản phẩm (tiếng Anh), Mô tả, Chỉ tiêu) — one task per row, STT holding the full
 *   number as the document writes it (I, 1, II.2.a …), children right after their parent; and an
 *   optional sheet "Kế hoạch" of label/value rows for the plan fields. Rows are the sheet's row
 *   numbers, columns its letters.
 *
 * Nothing here touches the database: codes are checked against it in import-plan.ts.
 */
import ExcelJS from 'exceljs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import type { ChisoErrorInit, ErrorLocation } from '../../core/errors.ts';
import { ChisoError } from '../../core/errors.ts';
import { parseIsoDate } from '../../core/period.ts';
import {
  type Deadline,
  deadlineOf,
  isNumberedUnder,
  NO_DEADLINE,
  parentNumber,
  parseDeadlineText,
  RECURRENCES,
  type Recurrence,
} from '../../core/tasks.ts';
import { foldVi } from '../../core/text.ts';

/** A unit code as written, or 'ALL.<level>' for every unit of a level; Excel cells may hold names. */
export interface AssigneeRef {
  /** The text as written (a code, 'ALL.department', or a name in Excel). */
  text: string;
  at: ErrorLocation;
}

export interface IndicatorLinkRef {
  indicator: string;
  period: string | null;
  org_unit: string | null;
  org_level: string | null;
  source_document: string | null;
  at: ErrorLocation;
}

export type TaskField =
  | 'number'
  | 'title_vi'
  | 'title_en'
  | 'description_vi'
  | 'description_en'
  | 'lead_unit'
  | 'co_lead_units'
  | 'coordinating_units'
  | 'deadline'
  | 'output_vi'
  | 'output_en'
  | 'indicators'
  | 'quote';

export interface TaskDraft {
  number: string;
  parent: string | null;
  depth: number;
  title_vi: string;
  title_en: string | null;
  description_vi: string | null;
  description_en: string | null;
  lead: AssigneeRef | null;
  co_leads: AssigneeRef[];
  coordinating: AssigneeRef[];
  deadline: Deadline;
  output_vi: string | null;
  output_en: string | null;
  quote: string | null;
  indicators: IndicatorLinkRef[];
  /** Where each field is (row of the task when the field is absent). */
  at: (field: TaskField) => ErrorLocation;
}

export const PLAN_STATUSES = ['draft', 'active', 'closed'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export interface PlanMeta {
  code: string;
  document: string | null;
  title_vi: string;
  title_en: string | null;
  issuer: string | null;
  issuer_unit: string | null;
  issued_on: string | null;
  status: PlanStatus;
  closed_on: string | null;
  seed: string | null;
  note: string | null;
}

export interface PlanDraft extends PlanMeta {
  file: string;
  tasks: TaskDraft[];
  atPlan: (field: keyof PlanMeta) => ErrorLocation;
  /** Faults found while reading (the import adds those found against the catalogue, then throws them all). */
  problems: Problems;
}

/** Faults found while reading; thrown all at once so that one pass shows every fault. */
export class Problems {
  readonly list: ChisoErrorInit[] = [];
  constructor(readonly file: string) {}

  add(at: ErrorLocation, code: string, vi: string, en: string): void {
    const where = placeOf(at);
    this.list.push({
      code,
      ...at,
      file: this.file,
      vi: where.vi ? `${where.vi}: ${vi}` : vi,
      en: where.en ? `${where.en}: ${en}` : en,
    });
  }

  /** Adds a ChisoError raised by a rule (deadline parsing …) at a place. */
  addError(at: ErrorLocation, e: ChisoError): void {
    this.add(at, e.code, e.vi, e.en);
  }

  get size(): number {
    return this.list.length;
  }

  /** Throws every fault as one ChisoError `plan.invalid` (status 422) when there is any, in row order. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    this.list.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    const first = this.list[0]!;
    const n = this.list.length;
    throw new ChisoError({
      code: 'plan.invalid',
      status: 422,
      file: this.file,
      ...(first.row !== undefined ? { row: first.row } : {}),
      ...(first.column !== undefined ? { column: first.column } : {}),
      ...(first.field !== undefined ? { field: first.field } : {}),
      vi: `Tệp kế hoạch '${this.file}' có ${n} lỗi; không có thay đổi nào được lưu. ${first.vi}`,
      en: `The plan file '${this.file}' has ${n} fault${n === 1 ? '' : 's'}; nothing was changed. ${first.en}`,
      errors: this.list,
    });
  }
}

function placeOf(at: ErrorLocation): { vi: string; en: string } {
  const vi: string[] = [];
  const en: string[] = [];
  if (at.row !== undefined) {
    vi.push(`dòng ${at.row}`);
    en.push(`row ${at.row}`);
  }
  if (at.column !== undefined) {
    vi.push(`cột ${at.column}`);
    en.push(`column ${at.column}`);
  }
  if (at.field !== undefined && at.field !== at.column) {
    vi.push(`(${at.field})`);
    en.push(`(${at.field})`);
  }
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return { vi: cap(vi.join(', ').replace(', (', ' (')), en: cap(en.join(', ').replace(', (', ' (')) };
}

export const NUMBER_RE = /^[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*$/;
const MAX_TASKS = 5000;
const MAX_DEPTH = 12;
const MAX_TEXT = 8000;

// ---------------------------------------------------------------------------------------------
// Shared checks

interface RawTask {
  number: unknown;
  title_vi: unknown;
  title_en?: unknown;
  description_vi?: unknown;
  description_en?: unknown;
  lead_unit?: unknown;
  co_lead_units?: unknown;
  coordinating_units?: unknown;
  deadline?: unknown;
  deadline_text?: unknown;
  recurrence?: unknown;
  output_vi?: unknown;
  output_en?: unknown;
  quote?: unknown;
  indicators?: unknown;
}

/** A text field: trimmed, null when empty; a fault when it is not text or too long. */
function textOf(
  problems: Problems,
  at: ErrorLocation,
  value: unknown,
  name: string,
  options: { numbers?: boolean; max?: number } = {},
): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && options.numbers) return String(value);
  if (typeof value !== 'string') {
    problems.add(at, 'plan.not_text', `'${name}' phải là văn bản.`, `'${name}' must be text.`);
    return null;
  }
  const t = value.trim();
  const max = options.max ?? MAX_TEXT;
  if (t.length > max) {
    problems.add(
      at,
      'plan.too_long',
      `'${name}' dài quá ${max} ký tự.`,
      `'${name}' is longer than ${max} characters.`,
    );
    return null;
  }
  return t === '' ? null : t;
}

function deadlineFrom(
  problems: Problems,
  at: ErrorLocation,
  code: unknown,
  text: unknown,
  recurrence: unknown,
  structured: boolean,
): Deadline {
  const codeText = textOf(problems, at, code, 'deadline', { numbers: true, max: 200 });
  const words = textOf(problems, at, text, 'deadline_text', { max: 500 });
  const rec = textOf(problems, at, recurrence, 'recurrence', { max: 20 });
  if (rec !== null && !(RECURRENCES as readonly string[]).includes(rec)) {
    problems.add(
      at,
      'plan.recurrence',
      `Chu kỳ '${rec}' không hợp lệ; chọn một trong ${RECURRENCES.join(', ')}.`,
      `Recurrence '${rec}' is invalid; use one of ${RECURRENCES.join(', ')}.`,
    );
    return NO_DEADLINE;
  }
  try {
    if (structured) return deadlineOf(codeText, words, rec as Recurrence | null);
    return parseDeadlineText(codeText);
  } catch (e) {
    if (e instanceof ChisoError) {
      problems.addError(at, e);
      return NO_DEADLINE;
    }
    throw e;
  }
}

/** Checks the numbering of a flat list of tasks in document order and sets parent and depth. */
function checkNumbering(problems: Problems, tasks: TaskDraft[], mode: 'tree' | 'flat'): void {
  const seen = new Map<string, TaskDraft>();
  const open: TaskDraft[] = [];
  for (const t of tasks) {
    const at = t.at('number');
    const first = seen.get(t.number);
    if (first) {
      const firstRow = first.at('number').row;
      problems.add(
        at,
        'task.duplicate_number',
        `Số thứ tự '${t.number}' bị trùng${firstRow !== undefined ? ` (đã có ở dòng ${firstRow})` : ''}.`,
        `Number '${t.number}' is used twice${firstRow !== undefined ? ` (first at row ${firstRow})` : ''}.`,
      );
      continue;
    }
    seen.set(t.number, t);
    if (mode === 'tree') {
      if (t.parent !== null && !isNumberedUnder(t.number, t.parent)) {
        problems.add(
          at,
          'task.outside_parent',
          `Nhiệm vụ '${t.number}' nằm trong nhiệm vụ '${t.parent}' nhưng số thứ tự không bắt đầu bằng '${t.parent}.'.`,
          `Task '${t.number}' sits under task '${t.parent}' but its number does not start with '${t.parent}.'.`,
        );
      }
      continue;
    }
    // Flat (Excel): the parent is the number without its last part; it must be an open ancestor.
    const parent = parentNumber(t.number);
    while (open.length && !isNumberedUnder(t.number, open.at(-1)!.number)) open.pop();
    if (parent === null) {
      t.parent = null;
      t.depth = 0;
      open.length = 0;
      open.push(t);
      continue;
    }
    const top = open.at(-1);
    if (top && top.number === parent) {
      t.parent = parent;
      t.depth = top.depth + 1;
      open.push(t);
      continue;
    }
    const earlier = seen.get(parent) && seen.get(parent) !== t ? seen.get(parent) : undefined;
    if (earlier) {
      problems.add(
        at,
        'task.outside_parent',
        `Nhiệm vụ '${t.number}' phải đứng ngay sau các nhiệm vụ con khác của '${parent}' (dòng ${earlier.at('number').row}), không nằm dưới nhiệm vụ khác.`,
        `Task '${t.number}' must follow the other children of '${parent}' (row ${earlier.at('number').row}), not sit under another task.`,
      );
    } else {
      problems.add(
        at,
        'task.parent_missing',
        `Không có nhiệm vụ '${parent}' đứng trước để làm nhiệm vụ cha của '${t.number}'.`,
        `There is no task '${parent}' before it to be the parent of '${t.number}'.`,
      );
    }
    t.parent = parent;
    t.depth = 1;
  }
}

function statusOf(problems: Problems, at: ErrorLocation, value: string | null): PlanStatus {
  if (value === null) return 'active';
  const f = foldVi(value);
  const known: Record<string, PlanStatus> = {
    draft: 'draft',
    'du thao': 'draft',
    active: 'active',
    'dang thuc hien': 'active',
    'hieu luc': 'active',
    closed: 'closed',
    'ket thuc': 'closed',
    'da ket thuc': 'closed',
  };
  const s = known[f];
  if (!s) {
    problems.add(
      at,
      'plan.status',
      `Trạng thái '${value}' không hợp lệ; chọn draft (dự thảo), active (đang thực hiện) hoặc closed (đã kết thúc).`,
      `Status '${value}' is invalid; use draft, active or closed.`,
    );
    return 'active';
  }
  return s;
}

function isoDateOf(problems: Problems, at: ErrorLocation, value: unknown, name: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const t = typeof value === 'string' ? value.trim() : String(value);
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  const iso = dmy ? `${dmy[3]}-${dmy[2]!.padStart(2, '0')}-${dmy[1]!.padStart(2, '0')}` : t;
  try {
    parseIsoDate(iso);
    return iso;
  } catch {
    problems.add(
      at,
      'plan.date',
      `'${name}' phải là ngày (YYYY-MM-DD hoặc dd/mm/yyyy), không phải '${t}'.`,
      `'${name}' must be a date (YYYY-MM-DD or dd/mm/yyyy), not '${t}'.`,
    );
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// YAML

const PLAN_KEYS = new Set([
  'code',
  'document',
  'title_vi',
  'title_en',
  'issuer',
  'issuer_unit',
  'date',
  'status',
  'closed_on',
  'seed',
  'note',
  'tasks',
]);
const TASK_KEYS = new Set([
  'number',
  'title_vi',
  'title_en',
  'description_vi',
  'description_en',
  'lead_unit',
  'co_lead_units',
  'coordinating_units',
  'deadline',
  'deadline_text',
  'recurrence',
  'output_vi',
  'output_en',
  'indicators',
  'quote',
  'children',
]);

/**
 * Reads a plan in the YAML format of data/demo/plans. Faults are collected in `problems` (thrown at
 * once when the file cannot be read at all: bad YAML, not a mapping).
 */
export function readPlanYaml(text: string, file: string): PlanDraft {
  const problems = new Problems(file);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  for (const e of doc.errors) {
    const row = lc.linePos(e.pos[0]).line;
    problems.add(
      { row },
      'plan.yaml_syntax',
      `YAML không hợp lệ: ${e.message.split('\n')[0]}`,
      `Invalid YAML: ${e.message.split('\n')[0]}`,
    );
  }
  problems.throwIfAny();
  const rowOf = (n: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    n?.range ? lc.linePos(n.range[0]).line : undefined;
  const deref = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);

  interface Entry {
    value: unknown;
    row: number | undefined;
    node: unknown;
  }
  function entries(map: YAMLMap, path: string, allowed: Set<string>): Map<string, Entry> {
    const out = new Map<string, Entry>();
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const row = rowOf(pair.key as Node);
      if (!allowed.has(key)) {
        problems.add(
          { row, column: key, field: `${path}${key}` },
          'plan.unknown_field',
          `Trường '${key}' không được hỗ trợ (có thể viết sai tên).`,
          `Field '${key}' is not supported (perhaps misspelt).`,
        );
        continue;
      }
      const node = deref(pair.value);
      const value = isScalar(node) ? node.value : node === null || node === undefined ? null : node;
      out.set(key, { value, row: row ?? rowOf(node as Node), node });
    }
    return out;
  }
  const plainOf = (e: Entry | undefined): unknown => {
    if (!e) return undefined;
    if (isSeq(e.node) || isMap(e.node)) {
      try {
        return (e.node as YAMLMap).toJS(doc);
      } catch (err) {
        // e.g. too many aliases (a resource-exhaustion attempt)
        problems.add(
          { row: e.row },
          'plan.yaml_syntax',
          `YAML không hợp lệ: ${(err as Error).message}`,
          `Invalid YAML: ${(err as Error).message}`,
        );
        return null;
      }
    }
    return e.value;
  };

  const root = deref(doc.contents);
  if (!isMap(root)) {
    problems.add(
      { row: 1 },
      'plan.shape',
      'Tệp phải là một bảng (mapping) YAML.',
      'The file must be a YAML mapping.',
    );
    problems.throwIfAny();
  }
  const top = entries(root as YAMLMap, '', PLAN_KEYS);
  const atPlan = (field: string): ErrorLocation => ({ row: top.get(field)?.row ?? 1, column: field, field });
  const meta = planMeta(problems, (k) => plainOf(top.get(k)), atPlan);

  const tasks: TaskDraft[] = [];
  const onPath = new Set<unknown>();
  function walk(seqEntry: Entry | undefined, parent: TaskDraft | null, path: string): void {
    if (!seqEntry || seqEntry.value === null) return;
    if (!isSeq(seqEntry.node)) {
      problems.add(
        { row: seqEntry.row, field: path },
        'plan.shape',
        `'${path}' phải là một danh sách nhiệm vụ.`,
        `'${path}' must be a list of tasks.`,
      );
      return;
    }
    const depth = parent ? parent.depth + 1 : 0;
    if (depth > MAX_DEPTH || onPath.has(seqEntry.node)) {
      problems.add(
        { row: seqEntry.row, field: path },
        'plan.too_deep',
        `Cây nhiệm vụ sâu quá ${MAX_DEPTH} cấp hoặc tự tham chiếu chính nó.`,
        `The task tree is deeper than ${MAX_DEPTH} levels or refers to itself.`,
      );
      return;
    }
    onPath.add(seqEntry.node);
    seqEntry.node.items.forEach((item, i) => {
      const node = deref(item);
      const here = `${path}[${i}]`;
      if (!isMap(node)) {
        problems.add(
          { row: rowOf(node as Node), field: here },
          'plan.shape',
          'Mỗi nhiệm vụ phải là một bảng (mapping) có các trường number, title_vi …',
          'Each task must be a mapping with fields number, title_vi …',
        );
        return;
      }
      if (tasks.length >= MAX_TASKS) {
        problems.add(
          { row: rowOf(node) },
          'plan.too_many_tasks',
          `Kế hoạch có quá ${MAX_TASKS} nhiệm vụ.`,
          `The plan has more than ${MAX_TASKS} tasks.`,
        );
        return;
      }
      const e = entries(node, `${here}.`, TASK_KEYS);
      const taskRow = rowOf(node);
      const at = (field: TaskField): ErrorLocation => {
        const key = field === 'deadline' ? (e.has('deadline') ? 'deadline' : 'deadline_text') : field;
        return { row: e.get(key)?.row ?? taskRow, column: key, field: `${here}.${key}` };
      };
      const raw = Object.fromEntries(
        [...e.keys()].filter((k) => k !== 'children').map((k) => [k, plainOf(e.get(k))]),
      ) as unknown as RawTask;
      const t = taskFrom(problems, raw, at, parent, true);
      if (t) tasks.push(t);
      walk(e.get('children'), t, `${here}.children`);
    });
    onPath.delete(seqEntry.node);
  }
  walk(top.get('tasks'), null, 'tasks');
  if (!top.has('tasks') || tasks.length === 0) {
    problems.add(
      atPlan('tasks'),
      'plan.no_tasks',
      'Kế hoạch không có nhiệm vụ nào.',
      'The plan has no task.',
    );
  }
  checkNumbering(problems, tasks, 'tree');
  return { ...meta, file, tasks, atPlan, problems };
}

function planMeta(
  problems: Problems,
  get: (key: string) => unknown,
  at: (field: string) => ErrorLocation,
): PlanMeta {
  const code = textOf(problems, at('code'), get('code'), 'code', { numbers: true, max: 64 });
  if (code === null) {
    problems.add(at('code'), 'plan.code_missing', 'Thiếu mã kế hoạch (code).', 'The plan code is missing.');
  }
  const title = textOf(problems, at('title_vi'), get('title_vi'), 'title_vi', { max: 1000 });
  if (title === null) {
    problems.add(
      at('title_vi'),
      'plan.title_missing',
      'Thiếu tên kế hoạch (title_vi).',
      'The plan title is missing.',
    );
  }
  const status = statusOf(problems, at('status'), textOf(problems, at('status'), get('status'), 'status'));
  return {
    code: code ?? '',
    document: textOf(problems, at('document'), get('document'), 'document', { numbers: true, max: 64 }),
    title_vi: title ?? '',
    title_en: textOf(problems, at('title_en'), get('title_en'), 'title_en', { max: 1000 }),
    issuer: textOf(problems, at('issuer'), get('issuer'), 'issuer', { max: 300 }),
    issuer_unit: textOf(problems, at('issuer_unit'), get('issuer_unit'), 'issuer_unit', {
      numbers: true,
      max: 64,
    }),
    issued_on: isoDateOf(problems, at('date'), get('date'), 'date'),
    status,
    closed_on: isoDateOf(problems, at('closed_on'), get('closed_on'), 'closed_on'),
    seed: textOf(problems, at('seed'), get('seed'), 'seed', { max: 200 }),
    note: textOf(problems, at('note'), get('note'), 'note'),
  };
}

function assigneeList(problems: Problems, at: ErrorLocation, value: unknown, name: string): AssigneeRef[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: AssigneeRef[] = [];
  for (const v of list) {
    const t = textOf(problems, at, v, name, { numbers: true, max: 300 });
    if (t !== null) out.push({ text: t, at });
  }
  return out;
}

function indicatorList(problems: Problems, at: ErrorLocation, value: unknown): IndicatorLinkRef[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(at, 'plan.shape', "'indicators' phải là một danh sách.", "'indicators' must be a list.");
    return [];
  }
  const out: IndicatorLinkRef[] = [];
  for (const v of value) {
    if (typeof v === 'string' && v.trim()) {
      out.push({
        indicator: v.trim(),
        period: null,
        org_unit: null,
        org_level: null,
        source_document: null,
        at,
      });
    } else if (v && typeof v === 'object' && typeof (v as { indicator?: unknown }).indicator === 'string') {
      const o = v as Record<string, unknown>;
      const s = (k: string) => (o[k] === null || o[k] === undefined ? null : String(o[k]));
      out.push({
        indicator: String(o.indicator).trim(),
        period: s('period'),
        org_unit: s('org_unit'),
        org_level: s('org_level'),
        source_document: s('source_document'),
        at,
      });
    } else {
      problems.add(
        at,
        'plan.shape',
        "Mỗi phần tử của 'indicators' là mã chỉ tiêu hoặc {indicator, period, org_unit | org_level}.",
        "Each item of 'indicators' is an indicator code or {indicator, period, org_unit | org_level}.",
      );
    }
  }
  return out;
}

function taskFrom(
  problems: Problems,
  raw: RawTask,
  at: (field: TaskField) => ErrorLocation,
  parent: TaskDraft | null,
  structured: boolean,
): TaskDraft | null {
  const number = textOf(problems, at('number'), raw.number, 'number', { numbers: true, max: 40 });
  if (number === null) {
    problems.add(
      at('number'),
      'task.number_missing',
      'Thiếu số thứ tự (STT) của nhiệm vụ.',
      'The task number (STT) is missing.',
    );
    return null;
  }
  if (!NUMBER_RE.test(number)) {
    problems.add(
      at('number'),
      'task.number_malformed',
      `Số thứ tự '${number}' không hợp lệ: chỉ gồm chữ, số và dấu chấm (ví dụ II.2.a).`,
      `Number '${number}' is invalid: letters, digits and dots only (e.g. II.2.a).`,
    );
  }
  const title = textOf(problems, at('title_vi'), raw.title_vi, 'title_vi', { max: MAX_TEXT });
  if (title === null) {
    problems.add(
      at('title_vi'),
      'task.title_missing',
      `Nhiệm vụ '${number}' thiếu nội dung (tên nhiệm vụ).`,
      `Task '${number}' has no title.`,
    );
  }
  const leads = assigneeList(problems, at('lead_unit'), raw.lead_unit, 'lead_unit');
  return {
    number,
    parent: parent?.number ?? null,
    depth: parent ? parent.depth + 1 : 0,
    title_vi: title ?? '',
    title_en: textOf(problems, at('title_en'), raw.title_en, 'title_en'),
    description_vi: textOf(problems, at('description_vi'), raw.description_vi, 'description_vi'),
    description_en: textOf(problems, at('description_en'), raw.description_en, 'description_en'),
    lead: leads[0] ?? null,
    co_leads: [
      ...leads.slice(1),
      ...assigneeList(problems, at('co_lead_units'), raw.co_lead_units, 'co_lead_units'),
    ],
    coordinating: assigneeList(
      problems,
      at('coordinating_units'),
      raw.coordinating_units,
      'coordinating_units',
    ),
    deadline: deadlineFrom(
      problems,
      at('deadline'),
      raw.deadline,
      raw.deadline_text,
      raw.recurrence,
      structured,
    ),
    output_vi: textOf(problems, at('output_vi'), raw.output_vi, 'output_vi'),
    output_en: textOf(problems, at('output_en'), raw.output_en, 'output_en'),
    quote: textOf(problems, at('quote'), raw.quote, 'quote'),
    indicators: indicatorList(problems, at('indicators'), raw.indicators),
    at,
  };
}

// ---------------------------------------------------------------------------------------------
// Excel

/** The annex's columns, by their folded header; the first match wins. */
const COLUMNS: ReadonlyArray<[RegExp, TaskField]> = [
  [/^(stt|so thu tu|tt)$/, 'number'],
  [
    /^(nhiem vu|ten nhiem vu|noi dung|noi dung nhiem vu) \((tieng anh|en)\)$|^task( \(en\))?$|^title_en$/,
    'title_en',
  ],
  [/^(nhiem vu|ten nhiem vu|noi dung|noi dung nhiem vu|nhiem vu, giai phap)$|^title_vi$/, 'title_vi'],
  [/^(don vi chu tri|chu tri|co quan chu tri)$|^lead( unit)?$/, 'lead_unit'],
  [/^(don vi dong chu tri|dong chu tri)$|^co_lead_units$/, 'co_lead_units'],
  [/^(don vi phoi hop|phoi hop|co quan phoi hop)$|^coordinating( units)?$/, 'coordinating_units'],
  [
    /^(thoi gian hoan thanh|thoi han|thoi han hoan thanh|thoi gian thuc hien|tien do|tien do thuc hien)$|^deadline$/,
    'deadline',
  ],
  [/^(san pham|san pham dau ra|ket qua|ket qua dau ra) \((tieng anh|en)\)$|^output_en$/, 'output_en'],
  [/^(san pham|san pham dau ra|ket qua|ket qua dau ra|san pham chu yeu)$|^output(_vi)?$/, 'output_vi'],
  [/^(mo ta|dien giai)$|^description(_vi)?$/, 'description_vi'],
  [/^(mo ta|dien giai) \((tieng anh|en)\)$|^description_en$/, 'description_en'],
  [/^(chi tieu|chi so|chi tieu lien quan|ma chi tieu)$|^indicators?$/, 'indicators'],
  [/^(trich dan|nguyen van)$|^quote$/, 'quote'],
];

const META_LABELS: ReadonlyArray<[RegExp, keyof PlanMeta]> = [
  [/^(ma ke hoach|ma|code)$/, 'code'],
  [/^(so ky hieu|so, ky hieu|so ky hieu van ban|van ban|document)$/, 'document'],
  [/^(ten ke hoach|ten|trich yeu|title|title_vi)$/, 'title_vi'],
  [/^(ten ke hoach \(tieng anh\)|ten tieng anh|title \(en\)|title_en)$/, 'title_en'],
  [/^(co quan ban hanh|issuer)$/, 'issuer'],
  [/^(don vi ban hanh|ma don vi ban hanh|issuer_unit)$/, 'issuer_unit'],
  [/^(ngay ban hanh|ngay|date)$/, 'issued_on'],
  [/^(trang thai|status)$/, 'status'],
  [/^(ngay ket thuc|closed_on)$/, 'closed_on'],
  [/^(ghi chu|note)$/, 'note'],
  [/^(nguon|seed)$/, 'seed'],
];

/** The text of a cell, whatever exceljs made of it. */
export function cellText(value: ExcelJS.CellValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
    if ('error' in value) return null;
  }
  return String(value);
}

const colLetter = (n: number): string => {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
};

const FIELD_VI: Record<TaskField, string> = {
  number: 'STT',
  title_vi: 'Nhiệm vụ',
  title_en: 'Nhiệm vụ (tiếng Anh)',
  description_vi: 'Mô tả',
  description_en: 'Mô tả (tiếng Anh)',
  lead_unit: 'Đơn vị chủ trì',
  co_lead_units: 'Đơn vị đồng chủ trì',
  coordinating_units: 'Đơn vị phối hợp',
  deadline: 'Thời gian hoàn thành',
  output_vi: 'Sản phẩm',
  output_en: 'Sản phẩm (tiếng Anh)',
  indicators: 'Chỉ tiêu',
  quote: 'Trích dẫn',
};
export const TASK_FIELD_LABELS_VI = FIELD_VI;

/** Splits a cell listing several units or codes: by line breaks and semicolons. */
export function splitList(text: string | null): string[] {
  if (!text) return [];
  return text
    .split(/[\n;]+/)
    .map((s) => s.replace(/^[\s\-–•+]+/, '').trim())
    .filter(Boolean);
}

/**
 * Reads a plan from an Excel workbook with the annex's columns. `meta` fills or overrides the plan
 * fields (those of the sheet "Kế hoạch" when there is one). Faults are collected in `problems`
 * (thrown at once when the workbook or its header row cannot be read).
 */
export async function readPlanXlsx(
  content: Uint8Array,
  file: string,
  meta: Partial<Record<keyof PlanMeta, string | null>> = {},
): Promise<PlanDraft> {
  const problems = new Problems(file);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(content as unknown as ArrayBuffer);
  } catch {
    problems.add(
      {},
      'plan.xlsx_unreadable',
      'Không đọc được tệp Excel (.xlsx); tệp có thể bị hỏng hoặc không phải .xlsx.',
      'The Excel (.xlsx) file cannot be read; it may be damaged or not an .xlsx file.',
    );
    problems.throwIfAny();
  }

  // The plan fields: the sheet "Kế hoạch" (label in A, value in B), then `meta`.
  const metaValues = new Map<keyof PlanMeta, { value: unknown; row: number; column: string }>();
  const metaSheet = wb.worksheets.find((ws) => /^(ke hoach|plan)$/.test(foldVi(ws.name)));
  if (metaSheet) {
    metaSheet.eachRow((row, r) => {
      const label = foldVi(cellText(row.getCell(1).value) ?? '')
        .replace(/[:*]+$/, '')
        .trim();
      const key = META_LABELS.find(([re]) => re.test(label))?.[1];
      if (key && !metaValues.has(key)) {
        const v = row.getCell(2).value;
        metaValues.set(key, { value: v instanceof Date ? v : cellText(v), row: r, column: 'B' });
      }
    });
  }
  const atMeta = (field: string): ErrorLocation => {
    const key = (field === 'date' ? 'issued_on' : field) as keyof PlanMeta;
    const m = metaValues.get(key);
    return m
      ? { row: m.row, column: m.column, field: `${metaSheet!.name}!${field}` }
      : { field: `${metaSheet?.name ?? 'Kế hoạch'}!${field}` };
  };
  const planFields = planMeta(
    problems,
    (k) => {
      const key = (k === 'date' ? 'issued_on' : k) as keyof PlanMeta;
      if (meta[key] !== undefined) return meta[key];
      return metaValues.get(key)?.value;
    },
    atMeta,
  );

  // The task sheet: the first with a header row holding STT and Nhiệm vụ.
  let sheet: ExcelJS.Worksheet | undefined;
  let headerRow = 0;
  const columns = new Map<TaskField, number>();
  for (const ws of wb.worksheets) {
    if (ws === metaSheet) continue;
    const last = Math.min(ws.rowCount, 30);
    for (let r = 1; r <= last && !sheet; r++) {
      const found = new Map<TaskField, number>();
      ws.getRow(r).eachCell((cell, c) => {
        const h = foldVi(cellText(cell.value) ?? '')
          .replace(/[:*]+$/, '')
          .trim();
        const field = COLUMNS.find(([re]) => re.test(h))?.[1];
        if (field && !found.has(field)) found.set(field, c);
      });
      if (found.has('number') && found.has('title_vi')) {
        sheet = ws;
        headerRow = r;
        for (const [k, v] of found) columns.set(k, v);
      }
    }
    if (sheet) break;
  }
  if (!sheet) {
    problems.add(
      {},
      'plan.xlsx_header',
      "Không tìm thấy dòng tiêu đề có các cột 'STT' và 'Nhiệm vụ' (trong 30 dòng đầu của một trang tính).",
      "No header row with the columns 'STT' and 'Nhiệm vụ' was found (in the first 30 rows of a sheet).",
    );
    problems.throwIfAny();
  }
  const ws = sheet!;
  const tasks: TaskDraft[] = [];
  for (let r = headerRow + 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const get = (f: TaskField): ExcelJS.CellValue => {
      const c = columns.get(f);
      return c === undefined ? null : row.getCell(c).value;
    };
    const texts = new Map<TaskField, string | null>();
    for (const f of columns.keys()) texts.set(f, cellText(get(f)));
    if ([...texts.values()].every((v) => v === null || v.trim() === '')) continue;
    if (tasks.length >= MAX_TASKS) {
      problems.add(
        { row: r },
        'plan.too_many_tasks',
        `Kế hoạch có quá ${MAX_TASKS} nhiệm vụ.`,
        `The plan has more than ${MAX_TASKS} tasks.`,
      );
      break;
    }
    const at = (field: TaskField): ErrorLocation => {
      const c = columns.get(field);
      return c === undefined
        ? { row: r, field }
        : { row: r, column: `${colLetter(c)} (${FIELD_VI[field]})`, field };
    };
    const deadlineCell = get('deadline');
    const raw: RawTask = {
      number: texts.get('number')?.trim().replace(/\.$/, '') ?? null,
      title_vi: texts.get('title_vi') ?? null,
      title_en: texts.get('title_en') ?? null,
      description_vi: texts.get('description_vi') ?? null,
      description_en: texts.get('description_en') ?? null,
      lead_unit: splitList(texts.get('lead_unit') ?? null),
      co_lead_units: splitList(texts.get('co_lead_units') ?? null),
      coordinating_units: splitList(texts.get('coordinating_units') ?? null),
      deadline:
        deadlineCell instanceof Date
          ? deadlineCell.toISOString().slice(0, 10)
          : (texts.get('deadline') ?? null),
      output_vi: texts.get('output_vi') ?? null,
      output_en: texts.get('output_en') ?? null,
      quote: texts.get('quote') ?? null,
      indicators: splitList(texts.get('indicators') ?? null).flatMap((s) =>
        s.split(',').map((x) => x.trim()),
      ),
    };
    const t = taskFrom(problems, raw, at, null, false);
    if (t) tasks.push(t);
  }
  if (tasks.length === 0) {
    problems.add(
      { row: headerRow + 1 },
      'plan.no_tasks',
      'Không có nhiệm vụ nào dưới dòng tiêu đề.',
      'There is no task under the header row.',
    );
  }
  checkNumbering(problems, tasks, 'flat');
  return { ...planFields, file, tasks, atPlan: atMeta, problems };
}
