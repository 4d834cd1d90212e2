/**
 * Administration of the workflow side in a real browser: the programme administrator creates an
 * account with the reporter role on a ward, creates a form (indicators picked by a search without
 * diacritics, reordered), meets a formula error shown at its character while defining a rule, and
 * opens a round for that ward with the Decree 09 window shown; the new user signs in, must first
 * replace the temporary password (the server refuses their data meanwhile), and then finds the round due; after the ward's report is approved, the administrator reopens it with a reason. Every
 * administration page is checked by axe-core and saved as screenshots at 1280 px and 360 px.
 */
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/store/db.ts';
import { axe, launch, loginToWorkspace, newPage, PHONE, serious, settle, shoot } from './browser.ts';
import { apiSession, DEMO_PASSWORD, type E2EServer, startServer } from './server.ts';

let server: E2EServer;
let browser: Browser;
const WIDE = { width: 1280, height: 900 };
const ADMIN = { username: 'demo.admin', password: DEMO_PASSWORD };
const WARD_REPORTER = { username: 'e2e.tandinh', password: 'Tan-Dinh-bao-cao-2026' };
/** The password the ward's reporter chooses in place of the temporary one the administrator set. */
const WARD_OWN_PASSWORD = 'mật khẩu riêng của phường 2026';
/** The rows of a page's table (not the "no rows" row). */
const ROWS = 'main table tbody tr:not(:has(td.table-empty))';
const FORM_NAME = 'Báo cáo chuyển đổi số cấp phường (thử nghiệm)';

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

/** axe at both widths, and a full-page screenshot at each: screenshots/admin-<name>-{1280,360}.png. */
async function check(page: Page, name: string) {
  for (const [w, size] of [
    ['1280', WIDE],
    ['360', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await settle(page);
    await shoot(page, `admin-${name}-${w}`);
    const v = serious(await axe(page));
    expect(v, `${name} at ${w}px: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  }
  await page.setViewportSize(WIDE);
}

/** Picks a unit in a UnitPicker: searches without diacritics and chooses the one with that code. */
async function pickUnit(page: Page, query: string, code: RegExp) {
  await page.getByLabel('Tìm đơn vị (tên hoặc mã)').fill(query);
  const radio = page.getByRole('radio', { name: code });
  await radio.waitFor();
  await radio.check();
  await page.getByText(/^Đã chọn: Phường Tân Định/).waitFor();
}

describe('administration of reporting, methodology and users', () => {
  it('creates a ward reporter, a form and a round; the reporter sees it due; a report is reopened with a reason', async () => {
    const admin = await newPage(browser, WIDE);
    await loginToWorkspace(admin, server.url, ADMIN);

    // 1. a local account with the reporter role on Phường Tân Định (after 1 July 2025)
    await admin.goto(`${server.url}/admin/users`, { waitUntil: 'networkidle' });
    await settle(admin);
    // the list is searchable without diacritics
    await admin.getByLabel(/^Tìm người dùng/).fill('lanh dao');
    await admin.locator(ROWS, { hasText: 'demo.lanhdao' }).waitFor();
    expect(await admin.locator(ROWS).count()).toBe(1);
    await admin.getByLabel(/^Tìm người dùng/).fill('');
    await check(admin, 'users');
    await admin.getByLabel(/^Tên đăng nhập/).fill(WARD_REPORTER.username);
    await admin.getByLabel('Họ và tên').fill('Cán bộ đầu mối Phường Tân Định');
    await admin.getByLabel('Mật khẩu tạm thời').fill(WARD_REPORTER.password);
    await admin.getByLabel('Vai trò ban đầu').selectOption('reporter');
    await pickUnit(admin, 'tan dinh', /79\.26737$/);
    await admin.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await admin.waitForURL(/\/admin\/users\/e2e\.tandinh$/);
    await admin.getByText('Đã tạo tài khoản e2e.tandinh.').waitFor();
    expect(await admin.locator('.grant-list').textContent()).toContain('Báo cáo · Phường Tân Định');
    await check(admin, 'user');
    const [audit] = await rows<{ n: number }>(
      server.store.db,
      sql`select count(*)::int as n from audit_log where action = 'grant.create' and actor = 'demo.admin'
            and data::text like '%79.26737%'`,
    );
    expect(audit!.n).toBe(1);

    // 2. a form: indicators found by a search without diacritics, then reordered
    await admin.goto(`${server.url}/admin/rounds`, { waitUntil: 'networkidle' });
    await settle(admin);
    await admin.getByRole('link', { name: 'Tạo biểu mẫu' }).click();
    await admin.waitForURL(/\/admin\/rounds\/forms\/new$/);
    await admin.getByLabel(/^Mã biểu mẫu/).fill('E2E-PHUONG');
    await admin.getByLabel(/^Tên tiếng Việt/).fill(FORM_NAME);
    await admin.getByLabel(/^Tên tiếng Anh/).fill('Ward digital-transformation report (trial)');
    const find = admin.getByLabel('Tìm chỉ tiêu để thêm (mã hoặc tên)');
    await find.fill('ha tang cntt duoc ra soat');
    await admin.getByRole('button', { name: 'Thêm CD-01 vào biểu mẫu' }).click();
    await find.fill('thanh toan dien tu');
    await admin.getByRole('button', { name: 'Thêm CQS-02 vào biểu mẫu' }).click();
    await admin.getByRole('button', { name: 'Chuyển CQS-02 lên trên' }).click();
    expect(await admin.locator('.item-row .code').allTextContents()).toEqual(['CQS-02', 'CD-01']);
    // and a task whose progress units report in the form, found without diacritics
    await admin.getByLabel(/^Tìm nhiệm vụ theo số hiệu hoặc tên/).fill('ngung su dung cong nghe di dong 2G');
    await admin.getByRole('button', { name: 'Thêm nhiệm vụ KH-CDS-2024 4' }).click();
    expect(await admin.locator('.item-row .code').allTextContents()).toEqual([
      'CQS-02',
      'CD-01',
      'KH-CDS-2024 · 4',
    ]);
    await admin.locator('.item-row', { hasText: 'CD-01' }).getByLabel('bắt buộc').check();
    await check(admin, 'form-new');
    await admin.getByRole('button', { name: 'Tạo biểu mẫu' }).click();
    await admin.waitForURL(/\/admin\/rounds\/forms\/E2E-PHUONG$/);
    // the address changes before the saved form's page is shown: wait for what only it has
    await admin.getByRole('link', { name: 'Thêm quy tắc kiểm tra' }).waitFor();
    await settle(admin);
    const [form] = await rows<{ items: string }>(
      server.store.db,
      sql`select string_agg(i.code || ':' || fi.required, ',' order by fi.position) as items
            from form f join form_item fi on fi.form_id = f.id and fi.form_version = f.version
            join indicator i on i.id = fi.indicator_id where f.code = 'E2E-PHUONG'`,
    );
    expect(form!.items).toBe('CQS-02:false,CD-01:true');
    const [taskItem] = await rows<{ n: number }>(
      server.store.db,
      sql`select count(*)::int as n from form f join form_item fi on fi.form_id = f.id and fi.form_version = f.version
            join task t on t.id = fi.task_id join plan p on p.id = t.plan_id
           where f.code = 'E2E-PHUONG' and fi.kind = 'task' and p.code = 'KH-CDS-2024' and t.number = '4'`,
    );
    expect(taskItem!.n).toBe(1);
    await check(admin, 'form');

    // 3. a validation rule: the syntax error is shown under the character at fault
    await admin.getByRole('link', { name: 'Thêm quy tắc kiểm tra' }).click();
    await admin.waitForURL(/\/admin\/rounds\/rules\?form=E2E-PHUONG$/);
    await settle(admin);
    await admin.getByLabel(/^Mã quy tắc/).fill('E2E-TRAN');
    await admin.getByLabel(/^Tên quy tắc \(tiếng Việt\)/).fill('Tỷ lệ không vượt 100%');
    await admin.getByLabel(/^Tên quy tắc \(tiếng Anh\)/).fill('A rate is at most 100%');
    await admin.getByLabel(/^Vế trái/).fill('[CD-01] + * 2');
    await admin.getByLabel(/^Vế phải/).fill('100');
    await admin.getByRole('button', { name: 'Lưu quy tắc' }).click();
    const caret = admin.locator('.formula-caret');
    await caret.waitFor();
    expect(await caret.textContent()).toBe('[CD-01] + * 2\n          ^');
    await check(admin, 'rules-error');
    await admin.getByRole('button', { name: 'Đến chỗ lỗi (vị trí 10)' }).click();
    expect(await admin.evaluate(() => (document.activeElement as HTMLInputElement).selectionStart)).toBe(10);
    await admin.getByLabel(/^Vế trái/).fill('[CD-01]');
    await admin.getByRole('button', { name: 'Lưu quy tắc' }).click();
    await admin.getByText('Đã thêm quy tắc E2E-TRAN.').waitFor();

    // 4. a round for the ward, with the Decree 09 window shown before it is opened
    await admin.goto(`${server.url}/admin/rounds/new`, { waitUntil: 'networkidle' });
    await settle(admin);
    await admin.getByLabel('Biểu mẫu', { exact: true }).selectOption('E2E-PHUONG');
    await admin.getByLabel(/^Kỳ báo cáo/).fill('2025');
    const window = admin.locator('.notice', { hasText: 'Kỳ Năm 2025' });
    await window.waitFor();
    expect(await window.textContent()).toContain('Số liệu từ 15/12/2024 đến 14/12/2025');
    await pickUnit(admin, 'tan dinh', /79\.26737$/);
    await admin.getByLabel(/^Hạn nộp/).fill('2099-12-31');
    await check(admin, 'round-new');
    await admin.getByRole('button', { name: 'Mở đợt báo cáo' }).click();
    await admin.waitForURL(/\/admin\/rounds\/\d+$/);
    await settle(admin);
    const roundUrl = admin.url();
    await admin.locator(ROWS).first().waitFor();
    expect(await admin.locator(ROWS).count()).toBe(1);
    expect(await admin.locator(ROWS).textContent()).toContain('Phường Tân Định');
    await check(admin, 'round');
    // the list of rounds counts the ward's submission; its search ignores diacritics
    await admin.goto(`${server.url}/admin/rounds`, { waitUntil: 'networkidle' });
    await settle(admin);
    await admin.getByLabel('Tìm đợt báo cáo').fill('cap phuong');
    await admin.locator(ROWS, { hasText: 'E2E-PHUONG' }).first().waitFor();
    expect(await admin.locator(ROWS, { hasText: 'E2E-PHUONG' }).first().textContent()).toContain(
      '0/1 đã duyệt, 0 chờ duyệt',
    );
    await admin.getByLabel('Tìm đợt báo cáo').fill('');
    await check(admin, 'rounds');

    // 5. the new user signs in on a phone: the temporary password must be changed first (the server
    // refuses everything else meanwhile), then they go on to the workspace and find the round due
    const early = await apiSession(server.url, WARD_REPORTER.username, WARD_REPORTER.password);
    await expect(early.get('/api/inbox/reporter')).rejects.toThrow(/403 .*auth\.password_change_required/);
    const reporter = await newPage(browser, PHONE);
    await reporter.goto(`${server.url}/workspace`, { waitUntil: 'networkidle' });
    await reporter.waitForURL(/\/login\?next=%2Fworkspace$/);
    await reporter.getByLabel('Tên đăng nhập').fill(WARD_REPORTER.username);
    await reporter.getByLabel('Mật khẩu').fill(WARD_REPORTER.password);
    await reporter.getByRole('button', { name: 'Đăng nhập' }).click();
    await reporter.waitForURL(/\/account\/password\?next=%2Fworkspace$/);
    await reporter.getByRole('heading', { level: 1, name: 'Đổi mật khẩu' }).waitFor();
    expect(await reporter.locator('.page-header').textContent()).toContain('mật khẩu tạm thời');
    // the other pages send the user back here
    await reporter.goto(`${server.url}/admin`, { waitUntil: 'networkidle' });
    await reporter.waitForURL(/\/account\/password\?next=%2Fadmin$/);
    await reporter.goto(`${server.url}/account/password?next=%2Fworkspace`, { waitUntil: 'networkidle' });
    await reporter.getByLabel('Mật khẩu hiện tại').fill(WARD_REPORTER.password);
    await reporter.getByLabel('Mật khẩu mới', { exact: true }).fill(WARD_OWN_PASSWORD);
    await reporter.getByLabel('Nhập lại mật khẩu mới').fill(`${WARD_OWN_PASSWORD}!`);
    await reporter.keyboard.press('Enter'); // the form submits from the keyboard
    await reporter.getByText('Hai lần nhập mật khẩu mới không giống nhau.').waitFor();
    expect(await reporter.getByLabel('Nhập lại mật khẩu mới').getAttribute('aria-invalid')).toBe('true');
    // the field at fault gets the focus in the frame after the message is shown
    await reporter.waitForFunction(() => document.activeElement?.getAttribute('name') === 'repeat');
    // the server's rules come back under their field
    await reporter.getByLabel('Mật khẩu mới', { exact: true }).fill(WARD_REPORTER.password);
    await reporter.getByLabel('Nhập lại mật khẩu mới').fill(WARD_REPORTER.password);
    await reporter.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await reporter.getByText('Mật khẩu mới phải khác mật khẩu hiện tại.').waitFor();
    expect(await reporter.getByLabel('Mật khẩu mới', { exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    await check(reporter, 'password-change');
    await reporter.setViewportSize(PHONE);
    await reporter.getByLabel('Mật khẩu mới', { exact: true }).fill(WARD_OWN_PASSWORD);
    await reporter.getByLabel('Nhập lại mật khẩu mới').fill(WARD_OWN_PASSWORD);
    await reporter.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await reporter.waitForURL(/\/workspace$/);
    await settle(reporter);
    const [changed] = await rows<{ data: Record<string, unknown> }>(
      server.store.db,
      sql`select data from audit_log where action = 'user.password' and actor = 'e2e.tandinh' order by seq desc limit 1`,
    );
    expect(changed!.data).toMatchObject({ self: true, temporary: false, temporary_replaced: true });
    const due = reporter.locator('section', { has: reporter.getByRole('heading', { name: /^Đến hạn/ }) });
    expect(await due.textContent()).toContain(FORM_NAME);
    expect(await due.textContent()).toContain('Phường Tân Định');
    await reporter.context().close();

    // 6. the ward reports and the reviewer approves (through the API: the browser flow is workflow.test.ts)
    const ward = await apiSession(server.url, WARD_REPORTER.username, WARD_OWN_PASSWORD);
    const inbox = await ward.get<{ items: Array<{ submission_id: number }> }>('/api/inbox/reporter');
    const id = inbox.items[0]!.submission_id;
    await ward.put(`/api/submissions/${id}/values`, {
      values: [
        { indicator: 'CD-01', value: 85 },
        { indicator: 'CQS-02', value: 60 },
      ],
    });
    const s1 = await ward.get<{ version: number }>(`/api/submissions/${id}`);
    await ward.post(`/api/submissions/${id}/submit`, { version: s1.version, comments: {} });
    const reviewer = await apiSession(server.url, 'demo.skhcn.reviewer', DEMO_PASSWORD);
    const s2 = await reviewer.get<{ version: number }>(`/api/submissions/${id}`);
    await reviewer.post(`/api/submissions/${id}/approve`, { version: s2.version });

    // 7. the administrator reopens the approved report with a reason, from the round page
    await admin.goto(roundUrl, { waitUntil: 'networkidle' });
    await settle(admin);
    const row = admin.locator(ROWS, { hasText: 'Phường Tân Định' });
    expect(await row.locator('.badge-wf-approved').count()).toBe(1);
    await row.getByRole('button', { name: 'Mở lại báo cáo của Phường Tân Định' }).click();
    await row.getByRole('button', { name: 'Mở lại báo cáo' }).click();
    expect(await row.getByText('Cần ghi lý do (ít nhất 3 ký tự).').count()).toBe(1);
    const reason = 'Sở Thông tin và Truyền thông đề nghị rà soát lại CD-01 theo biên bản kiểm tra mới.';
    await row.getByLabel('Lý do mở lại báo cáo của Phường Tân Định').fill(reason);
    await check(admin, 'round-reopen');
    await row.getByRole('button', { name: 'Mở lại báo cáo' }).click();
    await row.locator('.badge-wf-returned').waitFor();
    const events = await reviewer.get<{
      items: Array<{ action: string; actor: string; comment: string | null }>;
    }>(`/api/submissions/${id}/events`);
    expect(events.items.at(-1)).toMatchObject({ action: 'reopen', actor: 'demo.admin', comment: reason });

    // the ward's reporter sees it back, with the reason
    const back = await ward.get<{ items: Array<{ category: string; return_comment: string | null }> }>(
      '/api/inbox/reporter',
    );
    expect(back.items[0]).toMatchObject({ category: 'returned' });
    await admin.context().close();
  }, 400_000);

  it('shows an index methodology and drafts its next version', async () => {
    const admin = await newPage(browser, WIDE);
    await loginToWorkspace(admin, server.url, ADMIN);
    await admin.goto(`${server.url}/admin/methodology`, { waitUntil: 'networkidle' });
    await settle(admin);
    await admin.getByLabel('Tìm bộ chỉ số').fill('quan huyen');
    expect(await admin.locator(ROWS).count()).toBe(1);
    await admin.getByLabel('Tìm bộ chỉ số').fill('');
    await check(admin, 'methodologies');
    await admin.getByRole('link', { name: /quận, huyện/ }).click();
    await admin.waitForURL(/\/admin\/methodology\/\d+$/);
    await settle(admin);
    await admin.locator('.method-node').first().waitFor(); // the tree renders after its data arrives
    expect(await admin.locator('.method-node').count()).toBeGreaterThan(9);
    await check(admin, 'methodology');
    await admin.getByRole('button', { name: 'Sửa (tạo phiên bản mới)' }).click();
    await admin.getByLabel('Mã phiên bản mới').fill('79-2023-e2e');
    await admin.getByLabel(/^Áp dụng từ năm/).fill('2024');
    // a negative weight is refused by the server at its node, and nothing is stored
    await admin.getByLabel('Trọng số của NTS trong DTI').fill('-1');
    await check(admin, 'methodology-edit');
    await admin.getByRole('button', { name: 'Lưu và tính phiên bản mới' }).click();
    await admin.locator('.method-node.has-error', { hasText: 'NTS' }).waitFor();
    await admin.getByLabel('Trọng số của NTS trong DTI').fill('2');
    await admin.getByRole('button', { name: 'Lưu và tính phiên bản mới' }).click();
    await admin.locator('.page-header .kicker', { hasText: '79-2023-e2e' }).waitFor();
    await admin.getByText('Đã lưu phiên bản 79-2023-e2e và tính kết quả cho các năm: 2024.').waitFor();
    const [m] = await rows<{ n: number }>(
      server.store.db,
      sql`select count(*)::int as n from index_methodology where version = '79-2023-e2e' and valid_from = 2024`,
    );
    expect(m!.n).toBe(1);

    // every string has its English twin
    await admin.getByRole('link', { name: 'Switch to English' }).click();
    await admin.getByRole('heading', { level: 1, name: /digital-transformation index/ }).waitFor();
    expect(await admin.getByRole('button', { name: 'Edit (a new version)' }).count()).toBe(1);
    await admin.goto(`${server.url}/admin/users`, { waitUntil: 'networkidle' });
    await admin.getByRole('heading', { level: 1, name: 'Users and roles' }).waitFor();
    await admin.context().close();
  }, 300_000);

  it('adds a pillar and a component to a methodology, removes a node, and saves it all as a new version', async () => {
    const admin = await newPage(browser, WIDE);
    await loginToWorkspace(admin, server.url, ADMIN);
    const [base] = await rows<{ id: number }>(
      server.store.db,
      sql`select id from index_methodology where code = 'DTI-QUAN-HUYEN' and version = '79-2023'`,
    );
    await admin.goto(`${server.url}/admin/methodology/${base!.id}`, { waitUntil: 'networkidle' });
    await settle(admin);
    await admin.locator('.method-node').first().waitFor();
    await admin.getByRole('button', { name: 'Sửa (tạo phiên bản mới)' }).click();
    await admin.getByLabel('Mã phiên bản mới').fill('79-2023-nodes');
    await admin.getByLabel(/^Áp dụng từ năm/).fill('2025');
    await admin.getByLabel(/^Đến năm/).fill(''); // still in force

    // a pillar under the root; saved empty, it is refused at its node before anything is sent
    await admin.getByRole('button', { name: 'Thêm nút vào DTI' }).click();
    const form = admin.getByRole('form', { name: /^Thêm nút vào Chỉ số/ });
    await form.getByLabel('Trụ cột hoặc chỉ số chính (gồm các nút con)').check();
    await form.getByLabel(/^Mã nút/).fill('E2E-HT');
    await form.getByLabel(/^Tên tiếng Việt/).fill('Hạ tầng số thử nghiệm');
    await form.getByLabel(/^Tên tiếng Anh/).fill('Trial digital infrastructure');
    await form.getByLabel('Cách tổng hợp').selectOption('arithmetic');
    await form.getByRole('button', { name: 'Thêm vào DTI' }).click();
    await admin.getByText('Đã thêm E2E-HT vào DTI (chưa lưu).').waitFor();
    await admin.getByRole('button', { name: 'Lưu và tính phiên bản mới' }).click();
    const hollow = admin.locator('.method-node.has-error', { hasText: 'E2E-HT' });
    await hollow.waitFor();
    expect(await hollow.textContent()).toContain('chưa có nút con nào');

    // a component under it: its indicator found without diacritics; a missing indicator is said first
    await admin.getByRole('button', { name: 'Thêm nút vào E2E-HT' }).click();
    const leaf = admin.getByRole('form', { name: 'Thêm nút vào Hạ tầng số thử nghiệm' });
    await leaf.getByLabel(/^Mã nút/).fill('E2E-HT1');
    await leaf.getByLabel(/^Tên tiếng Việt/).fill('Hạ tầng CNTT được rà soát');
    await leaf.getByLabel(/^Tên tiếng Anh/).fill('ICT infrastructure reviewed');
    await leaf.getByLabel(/^Trọng số trong E2E-HT/).fill('2');
    await leaf.getByRole('button', { name: 'Thêm vào E2E-HT' }).click();
    await leaf.getByText('Hãy chọn chỉ tiêu cho thành phần.').waitFor();
    await leaf.getByLabel(/^Tìm chỉ tiêu/).fill('ha tang cntt duoc ra soat');
    await leaf.getByLabel(/^Chỉ tiêu \(/).selectOption('CD-01');
    await leaf.getByLabel('Cách chuẩn hóa').selectOption('minmax');
    await leaf.getByRole('button', { name: 'Thêm vào E2E-HT' }).click();
    await admin.getByText('Đã thêm E2E-HT1 vào E2E-HT (chưa lưu).').waitFor();

    // a node removed after a confirmation
    await admin.getByRole('button', { name: 'Xóa XHS khỏi DTI' }).click();
    const confirm = admin.locator('.remove-node');
    expect(await confirm.textContent()).toContain('1 nút sẽ bị xóa khỏi phiên bản mới: XHS');
    await check(admin, 'methodology-nodes');
    await confirm.getByRole('button', { name: 'Xóa XHS' }).click();
    await admin.getByText('Đã xóa XHS khỏi DTI; 1 nút bị bỏ (chưa lưu).').waitFor();
    expect(await admin.locator('.method-node', { hasText: 'XHS' }).count()).toBe(0);

    await admin.getByRole('button', { name: 'Lưu và tính phiên bản mới' }).click();
    // saved and computed (slow on a loaded machine), or refused: the refusal is the failure message
    const kicker = admin.locator('.page-header .kicker', { hasText: '79-2023-nodes' });
    await kicker.or(admin.locator('main .state-error')).first().waitFor({ timeout: 120_000 });
    expect(await admin.locator('main .state-error').count(), await admin.locator('main').innerText()).toBe(0);
    const [saved] = await rows<{ codes: string; leaf: string }>(
      server.store.db,
      sql`select (select string_agg(n->>'code', ',' order by n->>'code') from jsonb_array_elements(definition->'nodes') n) as codes,
                 (select n->>'indicator' from jsonb_array_elements(definition->'nodes') n where n->>'code' = 'E2E-HT1') as leaf
            from index_methodology where version = '79-2023-nodes'`,
    );
    expect(saved!.codes.split(',')).toEqual(expect.arrayContaining(['DTI', 'E2E-HT', 'E2E-HT1', 'NTS']));
    expect(saved!.codes.split(',')).not.toContain('XHS');
    expect(saved!.leaf).toBe('CD-01');
    // the version it started from is unchanged
    const [old] = await rows<{ n: number }>(
      server.store.db,
      sql`select jsonb_array_length(definition->'nodes')::int as n from index_methodology where id = ${base!.id}`,
    );
    expect(old!.n).toBe(10);
    await admin.context().close();
  }, 300_000);
});
