/**
 * Catalogue administration end to end in a real browser: the programme administrator logs in,
 * creates an indicator whose formula is wrong (the server's error is shown beside the field with the
 * faulty character marked), fixes it, adds a target, creates a new ward and records the merge of two
 * wards into it; the public pages then show the indicator, its target and the ward's lineage. A
 * second editor saving over a stale version sees what changed and reloads. Every administration
 * page passes axe-core (no serious or critical violation) and is photographed at 1280 and 360 px.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, launch, newPage, PHONE, serious, settle, shoot } from './browser.ts';
import { DEMO_PASSWORD, type E2EServer, startServer } from './server.ts';

let server: E2EServer;
let browser: Browser;
const ADMIN = { username: 'demo.admin', password: DEMO_PASSWORD };
const WIDE = { width: 1280, height: 900 };
const CODE = 'E2E-WIFI';
const WARD = '79.99001';

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

async function login(page: Page): Promise<void> {
  await page.goto(`${server.url}/login?next=/admin`, { waitUntil: 'networkidle' });
  await page.getByLabel('Tên đăng nhập').fill(ADMIN.username);
  await page.getByLabel('Mật khẩu').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => u.pathname === '/admin');
  await page.waitForFunction(() => {
    const h1 = document.querySelector('main h1');
    return h1 && h1.textContent !== 'Đăng nhập';
  });
}

async function open(page: Page, path: string): Promise<void> {
  await page.goto(server.url + path, { waitUntil: 'networkidle' });
  await page.locator('main h1').first().waitFor();
  await settle(page);
  // still there: not sent to the login page
  expect(new URL(page.url()).pathname).toBe(new URL(server.url + path).pathname);
}

async function checkA11y(page: Page, name: string) {
  const v = serious(await axe(page));
  expect(v, `${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
}

/** axe and a screenshot at 1280 px and at 360 px (nothing wider than the phone's screen). */
async function checkBoth(page: Page, name: string) {
  for (const [suffix, size] of [
    ['desktop', WIDE],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await shoot(page, `${name}-${suffix}`);
    await checkA11y(page, `${name} (${suffix})`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} scrolls sideways at ${suffix}`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize(WIDE);
}

describe('catalogue administration', () => {
  it('indicator with a bad formula, fixed; a target; a ward merge — the public pages show them', async () => {
    const page = await newPage(browser, WIDE);
    await login(page);
    expect(await page.locator('main h1').textContent()).toBe('Quản trị');
    // the home links every section, the other engineers' ones included
    for (const name of [
      'Chỉ tiêu',
      'Nhóm chỉ tiêu (trụ cột)',
      'Mục tiêu',
      'Đơn vị',
      'Sắp xếp đơn vị',
      'Biểu mẫu và đợt báo cáo',
    ]) {
      expect(await page.locator('main').getByRole('link', { name, exact: true }).count(), name).toBe(1);
    }
    await page.locator('main').getByRole('link', { name: 'Chỉ tiêu', exact: true }).click();
    await page.waitForURL(/\/admin\/indicators$/);
    await settle(page);
    // the list is searchable without diacritics
    await page.getByLabel('Tìm chỉ tiêu').fill('dich vu cong truc tuyen');
    expect(await page.locator('main tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('main tbody').textContent()).toContain('dịch vụ công trực tuyến');
    await page.getByRole('link', { name: 'Thêm chỉ tiêu' }).click();
    await page.waitForURL(/\/admin\/indicators\/new$/);

    // 1. a new indicator whose formula has a stray parenthesis
    await page.getByLabel('Mã chỉ tiêu').fill(CODE);
    await page
      .getByLabel('Tên (tiếng Việt)')
      .fill('Tỷ lệ phường, xã có điểm truy cập Wi-Fi công cộng miễn phí');
    await page.getByLabel('Tên (tiếng Anh)').fill('Share of wards and communes with free public Wi-Fi');
    await page.getByLabel('Đơn vị tính').fill('%');
    await page.getByLabel('Kiểu giá trị').selectOption('percent');
    await page.getByLabel('Tổng hợp lên cấp trên').selectOption('mean');
    await page.getByLabel('Nhóm / trụ cột').selectOption({ index: 1 });
    await page.getByLabel('Cấp xã (phường, xã, thị trấn, đặc khu)').check();
    await page.getByLabel('Cấp tỉnh, thành phố').check();
    const formula = page.getByLabel('Công thức');
    await formula.fill('[CQS-01] * 100 ) + 1');
    await page.getByRole('button', { name: 'Tạo chỉ tiêu' }).click();
    const fault = page.locator('.formula-fault');
    await fault.waitFor();
    expect(await formula.getAttribute('aria-invalid')).toBe('true');
    const message = await page.locator('.field:has(#f-formula) .field-error').textContent();
    expect(message).toContain('vị trí 15');
    expect(await fault.locator('mark').textContent()).toBe(')');
    expect(await fault.textContent()).toContain('vị trí 15');
    // the message is tied to the field for screen readers
    const described = (await formula.getAttribute('aria-describedby')) ?? '';
    const ids = described.split(' ');
    const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(texts.join(' ')).toContain('vị trí 15');
    await shoot(page, 'admin-indicator-formula-error-desktop');
    await checkA11y(page, 'indicator form with a formula error');

    // 2. fixed: the indicator is created and the edit page says so
    await formula.fill('[CQS-01] * 1');
    await page.getByRole('button', { name: 'Tạo chỉ tiêu' }).click();
    await page.waitForURL(new RegExp(`/admin/indicators/${CODE}$`));
    await page.getByText('Đã lưu.').waitFor();
    expect(await page.locator('main h1').textContent()).toBe(
      'Tỷ lệ phường, xã có điểm truy cập Wi-Fi công cộng miễn phí',
    );

    // 3. a target for every ward, 2026, at least 80.5 %, set by a document
    await open(page, `/admin/targets/new?indicator=${CODE}`);
    // the indicator given in the address is chosen once the list of indicators has arrived
    await expect
      .poll(() => page.getByLabel('Chỉ tiêu', { exact: true }).inputValue(), { timeout: 30_000 })
      .toBe(CODE);
    await page.getByLabel('Mọi đơn vị của một cấp').check();
    await page.getByLabel('Cấp', { exact: true }).selectOption('commune');
    await page.getByLabel('Kỳ', { exact: true }).fill('2026');
    await page.getByLabel('So sánh').selectOption('>=');
    // a value that is not a number: the server names the field
    await page.getByLabel('Giá trị mục tiêu').fill('tám mươi');
    await page.getByRole('button', { name: 'Tạo mục tiêu' }).click();
    await page.locator('.field:has(#f-value) .field-error').waitFor();
    expect(await page.getByLabel('Giá trị mục tiêu').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Giá trị mục tiêu').fill('80,5');
    await page.getByLabel('Văn bản', { exact: true }).selectOption('KH-CDS-2024');
    await page.getByRole('button', { name: 'Tạo mục tiêu' }).click();
    await page.waitForURL(/\/admin\/targets\/\d+$/);
    await page.getByText('Đã lưu.').waitFor();
    expect(await page.locator('main h1').textContent()).toBe('Mục tiêu ≥ 80,5% · 2026');
    // it is listed, filtered by indicator and year
    await open(page, `/admin/targets?indicator=${CODE}&year=2026`);
    expect(await page.locator('main tbody tr').count()).toBe(1);
    expect(await page.locator('main tbody').textContent()).toContain('≥ 80,5%');

    // 4. a new ward, then the merge of two wards into it on 1 January 2026
    await open(page, '/admin/units/new');
    await page.getByLabel('Mã', { exact: true }).fill(WARD);
    await page.getByLabel('Tên (tiếng Việt)').fill('Phường Thử Nghiệm Sáp Nhập');
    await page.getByLabel('Loại').fill('Phường');
    await page.getByLabel('Cấp', { exact: true }).selectOption('commune');
    await page.getByLabel('Đơn vị cấp trên').fill('79');
    await page.getByRole('button', { name: 'Tạo đơn vị' }).click();
    await page.waitForURL(new RegExp(`/admin/units/${WARD.replace('.', '\\.')}$`));
    await page.getByText('Đã lưu.').waitFor();
    await open(page, '/admin/reorganisations/new');
    await page.getByLabel('Sáp nhập (nhiều → một)').check();
    await page.getByLabel('Ngày hiệu lực').fill('2026-01-01');
    await page.getByLabel('Đơn vị tiền thân 1 (mã)').fill('79.25747');
    await page.getByLabel('Đơn vị tiền thân 2 (mã)').fill('79.25750');
    // the form shows what each code is, with its validity and the version it will check
    await page.getByText(/Phường Phú Lợi · hiệu lực 01\/07\/2025 – nay · phiên bản \d+/).waitFor();
    await page.getByLabel('Đơn vị kế thừa 1 (mã)').fill(WARD);
    await page.getByLabel('Căn cứ').fill('Nghị quyết thử nghiệm số 01/NQ-E2E');
    await shoot(page, 'admin-reorganisation-form-desktop');
    await page.getByRole('button', { name: 'Ghi nhận' }).click();
    await page.waitForURL(/\/admin\/reorganisations$/);
    await settle(page);
    await page.getByLabel('Tìm đơn vị').fill('thu nghiem sap nhap');
    const rows = page.locator('main tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(
      /01\/01\/2026.*sáp nhập.*Phường Thủ Dầu Một.*Phường Phú Lợi/,
    );

    // 5. the public pages show the result
    const citizen = await newPage(browser, WIDE);
    await open(citizen, `/units/${WARD}`);
    const lineage = citizen.locator('section', {
      has: citizen.getByRole('heading', { name: 'Sắp xếp đơn vị hành chính' }),
    });
    const formedFrom = await lineage.textContent();
    expect(formedFrom).toContain('Phường Thủ Dầu Một');
    expect(formedFrom).toContain('Phường Phú Lợi');
    expect(formedFrom).toContain('01/01/2026');
    await open(citizen, '/units/79.25750');
    expect(await citizen.locator('.page-header').textContent()).toContain('31/12/2025');
    await open(citizen, `/indicators/${CODE}`);
    expect(await citizen.locator('main h1').textContent()).toBe(
      'Tỷ lệ phường, xã có điểm truy cập Wi-Fi công cộng miễn phí',
    );
    expect(await citizen.locator('main').textContent()).toContain('≥ 80,5%');
    await open(citizen, '/indicators');
    await citizen.getByLabel('Tìm chỉ tiêu').fill('wi-fi cong cong');
    expect(await citizen.locator('main tbody').textContent()).toContain(CODE);
    await citizen.context().close();
    await page.context().close();
  }, 300_000);

  it('a second editor saving over a stale version sees what changed and reloads', async () => {
    const a = await newPage(browser, WIDE);
    const b = await newPage(browser, WIDE);
    await login(a);
    await login(b);
    await open(a, '/admin/documents/KH-CDS-2024');
    await open(b, '/admin/documents/KH-CDS-2024');
    const issuerA = a.getByLabel('Cơ quan ban hành');
    await issuerA.fill('Ủy ban nhân dân Thành phố Hồ Chí Minh (đã sửa)');
    await a.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await a.getByText('Đã lưu.').waitFor();
    await b.getByLabel('Ghi chú').fill('Ghi chú của người thứ hai');
    await b.getByRole('button', { name: 'Lưu thay đổi' }).click();
    const notice = b.locator('.admin-conflict');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('đã bị người khác thay đổi');
    const diff = await notice.locator('table').textContent();
    expect(diff).toContain('Cơ quan ban hành');
    expect(diff).toContain('(đã sửa)');
    await shoot(b, 'admin-conflict-desktop');
    await checkA11y(b, 'conflict notice');
    await notice.getByRole('button', { name: /Tải bản mới nhất/ }).click();
    expect(await b.getByLabel('Cơ quan ban hành').inputValue()).toBe(
      'Ủy ban nhân dân Thành phố Hồ Chí Minh (đã sửa)',
    );
    await b.getByLabel('Ghi chú').fill('Ghi chú của người thứ hai');
    await b.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await b.getByText('Đã lưu.').waitFor();
    await a.context().close();
    await b.context().close();
  }, 180_000);

  it('indicator groups: added, renamed, reordered; archiving is refused while an indicator is in the group, allowed once it is moved', async () => {
    const page = await newPage(browser, WIDE);
    await login(page);
    await page.locator('main').getByRole('link', { name: 'Nhóm chỉ tiêu (trụ cột)', exact: true }).click();
    await page.waitForURL(/\/admin\/groups$/);
    await settle(page);
    const rows = page.locator('.group-row');
    const names = () => page.locator('.group-row .group-names strong').allTextContents();
    // searchable without diacritics
    await page.getByLabel('Tìm nhóm (mã hoặc tên)').fill('an ninh thong tin');
    expect(await names()).toEqual(['An toàn, an ninh thông tin']);
    await page.getByLabel('Tìm nhóm (mã hoặc tên)').fill('');

    // add a group, then rename it from the keyboard
    await page.getByLabel(/^Mã nhóm/).fill('ha-tang-so');
    await page.locator('#f-new-name_vi').fill('Hạ tầng số');
    await page.locator('#f-new-name_en').fill('Digital infrastructure');
    await page.getByRole('button', { name: 'Thêm nhóm này' }).click();
    await page.getByText('Đã thêm nhóm Hạ tầng số.').waitFor();
    expect((await names()).at(-1)).toBe('Hạ tầng số');
    await page.getByRole('button', { name: 'Đổi tên nhóm Hạ tầng số' }).click();
    await page.locator('#f-ha-tang-so-name_vi').fill('Hạ tầng số và dữ liệu');
    await page.locator('#f-ha-tang-so-name_vi').press('Enter');
    await page.getByText('Đã đổi tên nhóm thành Hạ tầng số và dữ liệu.').waitFor();

    // move it up one place; the focus stays on the button
    const before = await names();
    await page.getByRole('button', { name: 'Chuyển Hạ tầng số và dữ liệu lên trên' }).click();
    await page.getByText(`Đã chuyển Hạ tầng số và dữ liệu đến vị trí ${before.length - 1}.`).waitFor();
    const after = await names();
    expect(after.at(-2)).toBe('Hạ tầng số và dữ liệu');
    expect(after.at(-1)).toBe(before.at(-2));
    await page.waitForFunction(() => document.activeElement?.id === 'g-ha-tang-so-up');
    const [sorted] = await server.store.query<{ codes: string }>(
      `select string_agg(code, ',' order by sort, code) as codes from indicator_group where archived_at is null`,
    );
    expect(sorted!.codes.split(',').at(-2)).toBe('ha-tang-so');
    await checkBoth(page, 'admin-groups');

    // a demo indicator is put in the group from its edit page
    const MOVED = 'CD-01';
    const [home] = await server.store.query<{ name_vi: string }>(
      `select g.name_vi from indicator i join indicator_group g on g.code = i.group_code where i.code = '${MOVED}'`,
    );
    await open(page, `/admin/indicators/${MOVED}`);
    await page.getByLabel('Nhóm / trụ cột').selectOption({ label: 'Hạ tầng số và dữ liệu' });
    await page.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await page.getByText('Đã lưu.').waitFor();

    // archiving the group is refused while the indicator is in it; the refusal links the indicator
    await open(page, '/admin/groups');
    const row = rows.filter({ hasText: 'Hạ tầng số và dữ liệu' });
    expect(await row.textContent()).toContain('1 chỉ tiêu');
    await row.getByRole('button', { name: 'Lưu trữ nhóm Hạ tầng số và dữ liệu' }).click();
    await row.getByRole('button', { name: 'Lưu trữ nhóm', exact: true }).click();
    const refusal = row.locator('.state-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(`còn 1 chỉ tiêu thuộc nhóm (${MOVED})`);
    await checkBoth(page, 'admin-groups-archive-refused');
    await refusal.getByRole('link', { name: MOVED }).click();
    await page.waitForURL(new RegExp(`/admin/indicators/${MOVED}$`));
    await settle(page);
    await page.getByLabel('Nhóm / trụ cột').selectOption({ label: home!.name_vi });
    await page.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await page.getByText('Đã lưu.').waitFor();

    // now it is archived: gone from the list, shown with the archived ones, audited
    await open(page, '/admin/groups');
    await rows
      .filter({ hasText: 'Hạ tầng số và dữ liệu' })
      .getByRole('button', { name: /^Lưu trữ nhóm Hạ/ })
      .click();
    await page.getByRole('button', { name: 'Lưu trữ nhóm', exact: true }).click();
    await page.getByText('Đã lưu trữ nhóm Hạ tầng số và dữ liệu.').waitFor();
    expect(await names()).not.toContain('Hạ tầng số và dữ liệu');
    await page.getByLabel(/^Hiện cả nhóm đã lưu trữ/).check();
    expect(await rows.filter({ hasText: 'Hạ tầng số và dữ liệu' }).textContent()).toContain('Đã lưu trữ');
    const audit = await server.store.query<{ action: string }>(
      `select action from audit_log where entity = 'indicator_group' and actor = 'demo.admin' order by seq`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      'indicator_group.create',
      'indicator_group.update',
      'indicator_group.reorder',
      'indicator_group.archive',
    ]);
    await page.context().close();
  }, 300_000);

  it('a target is archived from the list with a reason after a confirmation: it leaves the list and the conflicts, and stays in the history', async () => {
    // a conflict between two documents in the demo
    const res = await fetch(`${server.url}/api/targets/conflicts`);
    const all = (
      (await res.json()) as {
        items: Array<{ indicator_code: string; period: string; targets: Array<{ id: number }> }>;
      }
    ).items;
    const pair = all.find((c) => c.targets.length === 2)!;
    const victim = pair.targets[1]!.id;
    const page = await newPage(browser, WIDE);
    await login(page);
    await open(
      page,
      `/admin/targets?indicator=${encodeURIComponent(pair.indicator_code)}&year=${pair.period.slice(0, 4)}`,
    );
    const rowOf = (id: number) =>
      page.locator('main tbody tr', { has: page.locator(`a[href="/admin/targets/${id}"]`) });
    const conflictCards = page.locator('.conflict-list > li');
    await conflictCards.first().waitFor();
    const cardsBefore = await conflictCards.count();
    expect(await conflictCards.locator(`a[href="/admin/targets/${victim}"]`).count()).toBe(1);

    // Escape cancels; an empty reason is refused under the field
    await rowOf(victim)
      .getByRole('button', { name: /^Lưu trữ mục tiêu / })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Lưu trữ mục tiêu' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await rowOf(victim)
      .getByRole('button', { name: /^Lưu trữ mục tiêu / })
      .click();
    await dialog.getByRole('button', { name: 'Lưu trữ mục tiêu' }).click();
    await dialog.getByText('Cần ghi lý do (ít nhất 3 ký tự).').waitFor();
    expect(await dialog.getByLabel(/^Lý do lưu trữ/).getAttribute('aria-invalid')).toBe('true');
    await checkBoth(page, 'admin-target-archive-dialog');

    // archived: the row and the conflict go, the history keeps it with the reason
    const reason = 'Văn bản đặt mục tiêu này đã được thay thế (thử nghiệm e2e)';
    await dialog.getByLabel(/^Lý do lưu trữ/).fill(reason);
    await dialog.getByRole('button', { name: 'Lưu trữ mục tiêu' }).click();
    await page.getByText(/^Đã lưu trữ mục tiêu /).waitFor();
    await dialog.waitFor({ state: 'detached' });
    await rowOf(victim).waitFor({ state: 'detached' });
    expect(await rowOf(pair.targets[0]!.id).count()).toBe(1);
    await page.waitForFunction(
      (id) => !document.querySelector(`.conflict-list a[href="/admin/targets/${id}"]`),
      victim,
    );
    expect(await conflictCards.count()).toBe(cardsBefore - 1);
    await page.getByLabel('Xem mục tiêu đã lưu trữ').check();
    await rowOf(victim).waitFor();
    expect(await rowOf(victim).textContent()).toContain(reason);
    await checkBoth(page, 'admin-targets-archived');
    await rowOf(victim).getByRole('link').click();
    await page.waitForURL(new RegExp(`/admin/targets/${victim}$`));
    await settle(page);
    // the edit page (its chunk may still be loading while the list shows): says archived, why, no form
    const archivedNote = page.locator('main .notice-warning', { hasText: 'đã được lưu trữ' });
    await archivedNote.waitFor();
    expect(await archivedNote.textContent()).toContain(reason);
    expect(await page.getByRole('button', { name: 'Lưu thay đổi' }).count()).toBe(0);
    const audit = await server.store.query<{ reason: string }>(
      `select data->>'reason' as reason from audit_log where action = 'target.archive' and entity_id = '${victim}' and actor = 'demo.admin'`,
    );
    expect(audit).toEqual([{ reason }]);
    await page.context().close();
  }, 300_000);

  it('every administration page: no serious axe violation, screenshots at 1280 and 360 px', async () => {
    const pages: Array<[string, string]> = [
      ['admin', '/admin'],
      ['admin-indicators', '/admin/indicators'],
      ['admin-indicator-new', '/admin/indicators/new'],
      ['admin-indicator-edit', '/admin/indicators/CQS-01'],
      ['admin-groups', '/admin/groups'],
      ['admin-documents', '/admin/documents'],
      ['admin-document-edit', '/admin/documents/KH-CDS-2024'],
      ['admin-targets', '/admin/targets'],
      ['admin-target-new', '/admin/targets/new'],
      ['admin-units', '/admin/units'],
      ['admin-unit-edit', '/admin/units/79.26737'],
      ['admin-reorganisations', '/admin/reorganisations'],
      ['admin-reorganisation-new', '/admin/reorganisations/new'],
    ];
    for (const [suffix, viewport] of [
      ['desktop', WIDE],
      ['phone', PHONE],
    ] as const) {
      const page = await newPage(browser, viewport);
      await login(page);
      for (const [name, path] of pages) {
        await open(page, path);
        await shoot(page, `${name}-${suffix}`);
        await checkA11y(page, `${name} (${suffix})`);
        // nothing wider than the screen on a phone
        if (suffix === 'phone') {
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
        }
      }
      await page.context().close();
    }
  }, 300_000);

  it('sends visitors to the login page and tells non-administrators the page is not for them', async () => {
    const visitor = await newPage(browser, PHONE);
    await visitor.goto(`${server.url}/admin/indicators`, { waitUntil: 'networkidle' });
    await visitor.waitForURL(/\/login\?next=%2Fadmin%2Findicators$/);
    const reporter = await newPage(browser, PHONE);
    await reporter.goto(`${server.url}/login?next=/admin/targets`, { waitUntil: 'networkidle' });
    await reporter.getByLabel('Tên đăng nhập').fill('demo.tandinh.reporter');
    await reporter.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
    await reporter.getByRole('button', { name: 'Đăng nhập' }).click();
    await reporter.waitForURL((u) => u.pathname === '/admin/targets');
    await reporter.getByText('Tài khoản của bạn không có vai trò quản trị.').waitFor();
    expect(await reporter.getByRole('link', { name: 'Quản trị' }).count()).toBe(0);
    await visitor.context().close();
    await reporter.context().close();
  }, 120_000);
});
