/**
 * Task progress and feedback end to end in a real browser: the city's reporter (on a 360 px phone)
 * reports progress on two 2024 key tasks in a round, meets a precise error, fixes it and submits; the
 * reviewer approves; the public task page shows the approved progress; the reviewer answers a
 * citizen's feedback on the task from the unit's inbox, and the answer is public. Screenshots of the
 * new pages at phone and desktop widths land in screenshots/; axe-core checks them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, DESKTOP, launch, loginToWorkspace, newPage, PHONE, serious, settle, shoot } from './browser.ts';
import { apiSession, DEMO_PASSWORD, type E2EServer, startServer } from './server.ts';

let server: E2EServer;
let browser: Browser;
let submissionId: number;
const PLAN = 'KH-CDS-2024';
const REPORTER = { username: 'e2e.nhiemvu', password: 'Bao-cao-nhiem-vu-2026' };
const REVIEWER = { username: 'demo.skhcn.reviewer', password: DEMO_PASSWORD };
const FEEDBACK = 'Đề nghị công bố kết quả thực hiện nhiệm vụ này theo từng quý để người dân theo dõi.';

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  const admin = await apiSession(server.url, 'demo.admin', DEMO_PASSWORD);
  await admin.post('/api/forms', {
    code: 'E2E-NV',
    name_vi: 'Báo cáo tiến độ nhiệm vụ trọng tâm',
    name_en: 'Progress report on key tasks',
    period_type: 'year',
    tasks: [
      { plan: PLAN, number: '1', required: true },
      { plan: PLAN, number: '2', required: true },
    ],
  });
  const round = await admin.post<{ id: number }>('/api/rounds', {
    form: 'E2E-NV',
    period: '2024',
    org_unit: '79',
    level: 'city',
    deadline: '2099-01-31',
  });
  const subs = await admin.get<{ items: Array<{ id: number }> }>(`/api/submissions?round=${round.id}`);
  submissionId = subs.items[0]!.id;
  await admin.post('/api/auth/users', {
    username: REPORTER.username,
    display_name: 'Cán bộ theo dõi nhiệm vụ Thành phố',
    password: REPORTER.password,
    must_change_password: false, // a scripted account: no temporary password to change first
    grants: [{ role: 'reporter', org_unit: '79' }],
  });
  // A citizen's feedback on task 1 (the form's token must be at least 3 s old).
  const [task] = await server.store.query<{ id: number }>(
    `select t.id from task t join plan p on p.id = t.plan_id where p.code = '${PLAN}' and t.number = '1'`,
  );
  const { token } = (await (await fetch(`${server.url}/api/feedback/token`)).json()) as { token: string };
  await new Promise((r) => setTimeout(r, 3500));
  const sent = await fetch(`${server.url}/api/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      target_kind: 'task',
      target: task!.id,
      body: FEEDBACK,
      author_name: 'Lê Văn Cường',
      token,
    }),
  });
  if (sent.status !== 201) throw new Error(`feedback: ${sent.status} ${await sent.text()}`);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

async function checkA11y(page: Page, name: string) {
  const v = serious(await axe(page));
  expect(v, `${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
}

describe('task progress and feedback', () => {
  it('reports task progress in a round, then answers feedback on the task', async () => {
    const reporter = await newPage(browser, PHONE);
    await loginToWorkspace(reporter, server.url, REPORTER);
    await reporter.goto(`${server.url}/workspace/submissions/${submissionId}`, { waitUntil: 'networkidle' });
    await settle(reporter);
    await reporter.getByRole('heading', { name: 'Tiến độ nhiệm vụ', exact: true }).waitFor();

    // 1. task 1: in progress at 150 % — refused, the error is at the task and in the summary
    const t1 = reporter.locator('fieldset.task-entry').nth(0);
    const t2 = reporter.locator('fieldset.task-entry').nth(1);
    await t1.getByLabel('Tình trạng').selectOption('in_progress');
    await t1.getByLabel('Tỷ lệ hoàn thành').fill('150');
    await t2.getByLabel('Tình trạng').selectOption('blocked');
    await reporter.getByRole('button', { name: 'Lưu nháp' }).click();
    await reporter.locator('.summary-anchor .state-error').waitFor();
    expect(await t1.locator('.field-error').textContent()).toContain('từ 0 đến 100');
    expect(await t2.locator('.field-error').textContent()).toContain('mô tả vướng mắc');
    expect(await reporter.locator('.summary-anchor a[href^="#task-"]').count()).toBe(2);
    await shoot(reporter, 'task-form-error-phone');
    await checkA11y(reporter, 'task form with errors');

    // 2. fixed from the keyboard: percent, narrative, and the blocked task's obstacle
    await t1.getByLabel('Tỷ lệ hoàn thành').fill('40');
    await t1.getByLabel('Kết quả thực hiện').fill('Đã ban hành kế hoạch và triển khai tại 8/22 sở, ngành.');
    await t2
      .getByLabel(/Vướng mắc và hướng xử lý/)
      .fill('Chưa bố trí được kinh phí; đã đề xuất bổ sung dự toán quý III.');
    await t2.getByLabel('Minh chứng (văn bản, đường dẫn)').press('Enter');
    await reporter.getByText('Đã lưu nháp.').waitFor();
    const width = await reporter.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await shoot(reporter, 'task-form-phone');
    await checkA11y(reporter, 'task form');

    // 3. submitted; the reviewer approves
    await reporter.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await reporter.getByText('Đã gửi báo cáo để thẩm định.').waitFor();
    const reviewerApi = await apiSession(server.url, REVIEWER.username, REVIEWER.password);
    const s = await reviewerApi.get<{ version: number }>(`/api/submissions/${submissionId}`);
    await reviewerApi.post(`/api/submissions/${submissionId}/approve`, { version: s.version });

    // 4. the public task page shows the approved progress and the waiting feedback
    const visitor = await newPage(browser, DESKTOP);
    await visitor.goto(`${server.url}/plans/${PLAN}/tasks/1`, { waitUntil: 'networkidle' });
    await settle(visitor);
    await visitor.getByRole('heading', { name: 'Lịch sử báo cáo tiến độ' }).waitFor();
    const history = visitor.locator('section', { has: visitor.locator('#history-h') });
    await history.getByText('Đã ban hành kế hoạch').first().waitFor();
    expect(await history.textContent()).toContain('Đang thực hiện · 40%');
    // the feedback list has its own request (no loading state: "none yet" until it answers)
    await visitor.locator('section', { has: visitor.locator('#feedback-h'), hasText: FEEDBACK }).waitFor();
    expect(await visitor.locator('section', { has: visitor.locator('#feedback-h') }).textContent()).toContain(
      'Đang chờ',
    );
    await shoot(visitor, 'task-page-desktop');
    await checkA11y(visitor, 'task page');

    // 5. the reviewer of the city answers it from the unit's inbox
    const reviewer = await newPage(browser, DESKTOP);
    await loginToWorkspace(reviewer, server.url, REVIEWER);
    await reviewer.getByRole('link', { name: 'Hộp góp ý' }).click();
    await reviewer.waitForURL(/\/workspace\/feedback$/);
    await settle(reviewer);
    const item = reviewer.locator('.inbox-item', { hasText: FEEDBACK });
    await item.waitFor();
    await shoot(reviewer, 'feedback-inbox-desktop');
    await checkA11y(reviewer, 'feedback inbox');
    await item
      .getByLabel('Câu trả lời công khai')
      .fill('Văn phòng UBND Thành phố sẽ công bố kết quả từng quý trên Cổng thông tin điện tử.');
    await item.getByRole('button', { name: 'Trả lời công khai' }).click();
    await reviewer.getByText('Đã gửi câu trả lời.').waitFor();
    await reviewer.locator('.inbox-item', { hasText: 'Phản hồi sau' }).first().waitFor();

    // 6. the answer is public, on the phone too
    const phone = await newPage(browser, PHONE);
    await phone.goto(`${server.url}/plans/${PLAN}/tasks/1`, { waitUntil: 'networkidle' });
    await settle(phone);
    await phone.getByText('công bố kết quả từng quý trên Cổng thông tin').waitFor();
    const phoneWidth = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(phoneWidth).toBeLessThanOrEqual(PHONE.width);
    await shoot(phone, 'task-page-phone');
    const inboxPhone = await newPage(browser, PHONE);
    await loginToWorkspace(inboxPhone, server.url, REVIEWER);
    await inboxPhone.goto(`${server.url}/workspace/feedback`, { waitUntil: 'networkidle' });
    await settle(inboxPhone);
    await shoot(inboxPhone, 'feedback-inbox-phone');
  });
});
