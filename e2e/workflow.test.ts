/**
 * The reporting workflow end to end in a real browser: a reporter (on a 360 px phone) logs in, fills
 * the form, fixes a validation error and submits; a reviewer returns it with a comment; the reporter
 * corrects it and attaches evidence; the reviewer approves; the public overview then shows the new
 * value. Screenshots of the workspace pages land in screenshots/; axe-core checks them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, DESKTOP, launch, loginToWorkspace, newPage, PHONE, serious, settle, shoot } from './browser.ts';
import { apiSession, DEMO_PASSWORD, type E2EServer, startServer } from './server.ts';

let server: E2EServer;
let browser: Browser;
const REPORTER = { username: 'e2e.baocao', password: 'Bao-cao-thu-nghiem-2026' };
const REVIEWER = { username: 'demo.skhcn.reviewer', password: DEMO_PASSWORD };

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  // The programme administrator sets up what the reporter will see: a form, a round, an account.
  const admin = await apiSession(server.url, 'demo.admin', DEMO_PASSWORD);
  await admin.post('/api/forms', {
    code: 'E2E-CDS',
    name_vi: 'Báo cáo chỉ tiêu chuyển đổi số năm',
    name_en: 'Yearly digital-transformation report',
    period_type: 'year',
    items: [
      { indicator: 'CD-01', required: true },
      { indicator: 'CQS-01', required: false },
    ],
  });
  // the year 2024 (its Decree 09 cut-off has passed, so it can be submitted today), for which the
  // city has a target on CD-01 (≥ 100%) and a synthetic demo value
  await admin.post('/api/rounds', {
    form: 'E2E-CDS',
    period: '2024',
    org_unit: '79',
    level: 'city',
    deadline: '2099-01-31',
  });
  await admin.post('/api/auth/users', {
    username: REPORTER.username,
    display_name: 'Cán bộ báo cáo Thành phố',
    password: REPORTER.password,
    must_change_password: false, // a scripted account: no temporary password to change first
    grants: [{ role: 'reporter', org_unit: '79' }],
  });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

async function checkA11y(page: Page, name: string) {
  const v = serious(await axe(page));
  expect(v, `${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
}

describe('reporting workflow', () => {
  it('report, return, correct, approve — then the public overview shows the value', async () => {
    const reporter = await newPage(browser, PHONE);
    const reviewer = await newPage(browser, DESKTOP);

    // 1. the reporter logs in and finds the round due
    await loginToWorkspace(reporter, server.url, REPORTER);
    await settle(reporter);
    const due = reporter.locator('section', { has: reporter.getByRole('heading', { name: /^Đến hạn/ }) });
    expect(await due.textContent()).toContain('Báo cáo chỉ tiêu chuyển đổi số năm');
    await shoot(reporter, 'workspace-phone');
    await checkA11y(reporter, 'workspace');
    await due.getByRole('link', { name: 'Nhập số liệu' }).click();
    await reporter.waitForURL(/\/workspace\/submissions\/\d+$/);
    await settle(reporter);

    // 2. fills the form; the previous period's value is beside the field
    const cd01 = reporter.getByLabel(/CD-01/);
    const [prev] = await server.store.query<{ value: number }>(
      `select v.value from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
       where i.code = 'CD-01' and u.code = '79' and v.period = '2023' and v.status = 'approved'`,
    );
    const prevText = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(prev!.value);
    expect(await reporter.locator('.previous').first().textContent()).toContain(
      `Kỳ trước (Năm 2023): ${prevText}%`,
    );
    await cd01.fill('120');
    await reporter.getByRole('button', { name: 'Gửi báo cáo' }).click();

    // 3. the API refuses it: the error is inline on the field and summarised with a link to it
    await reporter.locator('.summary-anchor .state-error').waitFor();
    expect(await cd01.getAttribute('aria-invalid')).toBe('true');
    const inline = await reporter.locator('.entry.has-error .field-error').textContent();
    expect(inline).toMatch(/0.*100/);
    expect(await reporter.locator('.summary-anchor a[href^="#v-CD-01"]').count()).toBe(1);
    await shoot(reporter, 'form-error-phone');
    await checkA11y(reporter, 'form with an error');

    // 4. fixes it (Vietnamese decimal comma) and submits
    await cd01.fill('97,5');
    await reporter.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await reporter.getByText('Đã gửi báo cáo để thẩm định.').waitFor();
    expect(await reporter.locator('.badge-wf-submitted').count()).toBe(1);

    // 5. the reviewer returns it with a comment
    await loginToWorkspace(reviewer, server.url, REVIEWER);
    await reviewer.goto(`${server.url}/workspace/review`, { waitUntil: 'networkidle' });
    await settle(reviewer);
    const item = reviewer.locator('.review-item', { hasText: 'Thành phố Hồ Chí Minh' });
    expect(await item.textContent()).toMatch(new RegExp(`CD-01${prevText}97,5`));
    await shoot(reviewer, 'review-inbox-desktop');
    await checkA11y(reviewer, 'review inbox');
    await item.getByRole('link', { name: 'Thẩm định' }).click();
    await reviewer.waitForURL(/\/workspace\/review\/\d+$/);
    await settle(reviewer);
    await reviewer.getByRole('button', { name: 'Trả lại để sửa' }).click();
    expect(await reviewer.getByText('Cần ghi ý kiến khi trả lại báo cáo.').count()).toBe(1);
    await reviewer
      .getByLabel('Ý kiến thẩm định')
      .fill('Đề nghị rà soát lại CD-01 và đính kèm biên bản kiểm tra hạ tầng.');
    await shoot(reviewer, 'review-desktop');
    await checkA11y(reviewer, 'review page');
    await reviewer.getByRole('button', { name: 'Trả lại để sửa' }).click();
    await reviewer.waitForURL(/\/workspace\/review$/);
    // the address changes before the inbox is shown (and its list has arrived): wait for it
    await reviewer.getByText('Không có báo cáo nào chờ thẩm định.').waitFor();
    expect(await reviewer.getByText('Không có báo cáo nào chờ thẩm định.').count()).toBe(1);

    // 6. the reporter sees it returned with the comment, corrects it, attaches evidence, resubmits
    await reporter.goto(`${server.url}/workspace`, { waitUntil: 'networkidle' });
    await settle(reporter);
    const returned = reporter.locator('section', {
      has: reporter.getByRole('heading', { name: /^Bị trả lại/ }),
    });
    expect(await returned.textContent()).toContain('Đề nghị rà soát lại CD-01');
    await returned.getByRole('link', { name: 'Sửa và gửi lại' }).click();
    await reporter.waitForURL(/\/workspace\/submissions\/\d+$/);
    await settle(reporter);
    expect(await reporter.locator('.notice', { hasText: 'Báo cáo bị trả lại' }).textContent()).toContain(
      'biên bản kiểm tra',
    );
    await cd01.fill('100');
    const details = reporter.locator('.entry', { has: cd01 }).locator('details');
    await details.locator('summary').click();
    await details.getByLabel('Đính kèm tệp minh chứng').setInputFiles({
      name: 'bien-ban-kiem-tra.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Biên bản kiểm tra hạ tầng CNTT năm 2024: 100% đạt yêu cầu.\n', 'utf8'),
    });
    await details.getByRole('link', { name: 'bien-ban-kiem-tra.txt' }).waitFor();
    await reporter.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await reporter.getByText('Đã gửi báo cáo để thẩm định.').waitFor();

    // 7. the reviewer approves
    await reviewer.goto(`${server.url}/workspace/review`, { waitUntil: 'networkidle' });
    await settle(reviewer);
    await reviewer
      .locator('.review-item', { hasText: 'Thành phố Hồ Chí Minh' })
      .getByRole('link', { name: 'Thẩm định' })
      .click();
    await settle(reviewer);
    await reviewer.getByRole('link', { name: 'bien-ban-kiem-tra.txt' }).waitFor();
    await reviewer.getByRole('button', { name: 'Phê duyệt' }).click();
    await reviewer.waitForURL(/\/workspace\/review$/);

    // 8. the public overview shows the approved value and the status it earns (the target is ≥ 100%)
    const citizen = await newPage(browser, DESKTOP);
    await citizen.goto(server.url, { waitUntil: 'networkidle' });
    await settle(citizen);
    const row = citizen.locator('tr', { has: citizen.locator('.code', { hasText: /^CD-01$/ }) }).first();
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('100%');
    expect(text).toContain('Năm 2024');
    expect(text).not.toContain('Minh họa'); // the reported value replaced the synthetic one
    expect(await row.locator('.badge-status').textContent()).toBe('Đã đạt mục tiêu');
    await shoot(citizen, 'overview-after-approval-desktop');
    for (const p of [reporter, reviewer, citizen]) await p.context().close();
  }, 300_000);

  it('the login page refuses a wrong password in the reader’s language', async () => {
    const page = await newPage(browser, PHONE);
    await page.goto(`${server.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Tên đăng nhập').fill('demo.lanhdao');
    await page.getByLabel('Mật khẩu').fill('sai-mat-khau-roi');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    const alert = page.locator('[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/[Mm]ật khẩu|đăng nhập/);
    await shoot(page, 'login-error-phone');
    await page.context().close();
  });
});
