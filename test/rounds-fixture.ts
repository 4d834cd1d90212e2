/**
 * A small world for the reporting-round tests: part of Ho Chi Minh City's tree before the 2025
 * reorganisation (the city 79, Quận 1 = 79.760 with two wards, Quận 12 = 79.761 with one ward; codes
 * as in the demo), optionally numbered test wards under Quận 1 (named "Phường thử nghiệm n", not
 * real), four quarterly indicators of administrative procedures and a form over them.
 */
import { sql } from 'drizzle-orm';
import { createIndicator } from '../src/app/catalogue/indicators.ts';
import { createOrgUnit } from '../src/app/catalogue/org-units.ts';
import type { Caller } from '../src/app/rounds/access.ts';
import { createForm } from '../src/app/rounds/create-form.ts';
import { hasRoleOn, type Principal, scopeRoots } from '../src/http/policies/index.ts';
import type { Store } from '../src/store/db.ts';
import { openTestStore } from './db.ts';

export const FORM = 'QT-CCHC';
export const TOTAL = 'HS_TONG';
export const ONLINE = 'HS_TRUC_TUYEN';
export const RATE = 'TL_TRUC_TUYEN';
export const TRAINED = 'CB_TAP_HUAN';
export const WARD_A = '79.760.26734';
export const WARD_B = '79.760.26737';

export const testWard = (n: number): string => `79.760.9${String(n).padStart(4, '0')}`;

const ACTOR = 'system:test';

export async function openRoundsStore(options: { testWards?: number } = {}): Promise<Store> {
  const store = await openTestStore();
  await store.db.transaction(async (tx) => {
    for (const [code, vi, en, sort] of [
      ['city', 'Cấp tỉnh, thành phố', 'Province / city', 1],
      ['department', 'Sở, ban, ngành', 'Department', 2],
      ['district', 'Cấp huyện', 'District', 3],
      ['commune', 'Cấp xã', 'Commune / ward', 4],
    ] as const)
      await tx.execute(
        sql`insert into org_level (code, name_vi, name_en, sort) values (${code}, ${vi}, ${en}, ${sort})`,
      );
    const unit = (code: string, name_vi: string, level: string, parent: string | null, valid_to?: string) =>
      createOrgUnit(tx, ACTOR, { code, name_vi, level, parent, valid_to: valid_to ?? null });
    await unit('79', 'Thành phố Hồ Chí Minh', 'city', null);
    await unit('79.760', 'Quận 1', 'district', '79', '2025-06-30');
    await unit(WARD_A, 'Phường Tân Định', 'commune', '79.760', '2025-06-30');
    await unit(WARD_B, 'Phường Đa Kao', 'commune', '79.760', '2025-06-30');
    await unit('79.761', 'Quận 12', 'district', '79', '2025-06-30');
    await unit('79.761.26764', 'Phường Thạnh Xuân', 'commune', '79.761', '2025-06-30');
    await unit('79.STTTT', 'Sở Thông tin và Truyền thông', 'department', '79');
    for (let n = 1; n <= (options.testWards ?? 0); n++)
      await unit(testWard(n), `Phường thử nghiệm ${n}`, 'commune', '79.760', '2025-06-30');

    const ind = (code: string, name_vi: string, value_type: 'integer' | 'percent', extra: object = {}) =>
      createIndicator(tx, ACTOR, {
        code,
        name_vi,
        value_type,
        direction: 'increase',
        rollup: value_type === 'percent' ? 'mean' : 'sum',
        period_type: 'quarter',
        unit: value_type === 'percent' ? '%' : 'hồ sơ',
        ...extra,
      });
    await ind(TOTAL, 'Tổng số hồ sơ thủ tục hành chính tiếp nhận', 'integer');
    await ind(ONLINE, 'Số hồ sơ tiếp nhận trực tuyến', 'integer', { denominator: TOTAL });
    await ind(RATE, 'Tỷ lệ hồ sơ tiếp nhận trực tuyến', 'percent');
    await ind(TRAINED, 'Số cán bộ được tập huấn kỹ năng số', 'integer', { unit: 'người' });
    await createForm(tx, ACTOR, {
      code: FORM,
      name_vi: 'Báo cáo quý về cải cách thủ tục hành chính',
      name_en: 'Quarterly report on administrative procedure reform',
      period_type: 'quarter',
      sections: [
        { code: 'A', name_vi: 'Hồ sơ', name_en: 'Dossiers' },
        { code: 'B', name_vi: 'Nhân lực', name_en: 'Staff' },
      ],
      items: [
        { indicator: TOTAL, required: true, section: 'A' },
        { indicator: ONLINE, required: true, section: 'A' },
        { indicator: RATE, required: true, section: 'A' },
        { indicator: TRAINED, required: false, section: 'B' },
      ],
    });
  });
  return store;
}

/** The use cases' caller for a test principal. */
export function callerFor(p: Principal): Caller {
  return {
    name: p.username,
    can: (role, path) => hasRoleOn(p, role, path),
    roots: (role) => scopeRoots(p, role),
  };
}

/** A date `days` from today in Vietnam, 'YYYY-MM-DD'. */
export function vnDaysFromNow(days: number): string {
  return new Date(Date.now() + 7 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}
