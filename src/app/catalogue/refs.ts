/**
 * Resolving codes to rows inside a use case, with precise errors when a code is unknown.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type Period, parsePeriod } from '../../core/period.ts';
import { type Executor, rows } from '../../store/db.ts';

export interface UnitRef {
  id: number;
  code: string;
  level: string;
  path: string;
  valid_from: string | null;
  valid_to: string | null;
  name_vi: string;
}

export interface IndicatorRef {
  id: number;
  code: string;
  value_type: string;
  period_type: string;
  levels: string[];
  min_value: number | null;
  max_value: number | null;
  rollup: string;
  name_vi: string;
}

const unknown = (what: { vi: string; en: string }, code: string, field: string): ChisoError =>
  new ChisoError({
    code: `${field}.unknown`,
    status: 400,
    field,
    vi: `Không có ${what.vi} với mã '${code}'.`,
    en: `There is no ${what.en} with code '${code}'.`,
  });

export async function unitRef(ex: Executor, code: string, field = 'org_unit'): Promise<UnitRef> {
  const [u] = await rows<UnitRef>(
    ex,
    sql`select id, code, level, path, valid_from, valid_to, name_vi from org_unit where code = ${code} and archived_at is null`,
  );
  if (!u) throw unknown({ vi: 'đơn vị', en: 'org unit' }, code, field);
  return u;
}

export async function indicatorRef(ex: Executor, code: string, field = 'indicator'): Promise<IndicatorRef> {
  const [i] = await rows<IndicatorRef>(
    ex,
    sql`select id, code, value_type, period_type, levels, min_value, max_value, rollup, name_vi
        from indicator where code = ${code} and archived_at is null`,
  );
  if (!i) throw unknown({ vi: 'chỉ tiêu', en: 'indicator' }, code, field);
  return i;
}

export async function documentId(ex: Executor, code: string | null | undefined, field = 'source_document') {
  if (code === null || code === undefined || code === '') return null;
  const [d] = await rows<{ id: number }>(ex, sql`select id from document where code = ${code}`);
  if (!d) throw unknown({ vi: 'văn bản', en: 'document' }, code, field);
  return d.id;
}

export async function levelExists(ex: Executor, code: string, field = 'org_level'): Promise<void> {
  const [l] = await rows(ex, sql`select code from org_level where code = ${code}`);
  if (!l) throw unknown({ vi: 'cấp', en: 'org level' }, code, field);
}

/** Parses a period code, naming the field when it is malformed. */
export function periodOf(code: string, field = 'period'): Period {
  try {
    return parsePeriod(code);
  } catch (e) {
    if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field });
    throw e;
  }
}

/** Vietnamese names of the records that carry optimistic versions (the English name otherwise). */
const ENTITY_VI: Record<string, string> = {
  document: 'văn bản',
  form: 'biểu mẫu',
  indicator: 'chỉ tiêu',
  'indicator group': 'nhóm chỉ tiêu',
  'org unit': 'đơn vị',
  round: 'đợt báo cáo',
  target: 'mục tiêu',
  'validation rule': 'quy tắc kiểm tra',
  value: 'số liệu',
};

export const staleVersion = (entity: string, current: unknown): ChisoError =>
  new ChisoError({
    code: 'conflict.stale_version',
    status: 409,
    vi: `Bản ghi ${ENTITY_VI[entity] ?? entity} đã bị người khác thay đổi. Hãy tải lại và thử lại.`,
    en: `The ${entity} was changed by someone else. Reload and try again.`,
    details: { current },
  });
