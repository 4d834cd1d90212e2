/**
 * The public pages in a real browser (Debian's chromium): what a citizen sees and can do, axe-core
 * finds no serious or critical violation, the overview's first load stays small, and screenshots of
 * every main page at desktop and phone widths land in screenshots/.
 */
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Response, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, DESKTOP, launch, newPage, PHONE, serious, shoot } from './browser.ts';
import { type E2EServer, startServer } from './server.ts';

let server: E2EServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

const MAIN_PAGES: Array<[string, string]> = [
  ['overview', '/'],
  ['indicators', '/indicators'],
  ['indicator', '/indicators/KTXH-01'],
  ['units', '/units'],
  ['unit', '/units/79.26737'],
  ['rankings', '/rankings/DTI-QUAN-HUYEN'],
  ['plan', '/plans/681%2FKH-UBND'],
  ['documents', '/documents'],
  ['document', '/documents/KH-CDS-2024'],
  ['open-data', '/data'],
  ['login', '/login'],
];

/** expect.poll gives up after one second: an answer on a loaded machine can take longer. */
const POLL = { timeout: 30_000 };

/** Opens a page and waits until its data has arrived (no "loading" left, the title shown). */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(server.url + path, { waitUntil: 'networkidle' });
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('main .state-loading'));
}

describe('public pages', () => {
  it('the overview lists the targets by pillar with the engine’s status, attainment and trend', async () => {
    const page = await newPage(browser);
    await open(page, '/');
    expect(await page.locator('h1').textContent()).toBe('Tổng quan các mục tiêu');
    expect(await page.locator('main section h2').allTextContents()).toEqual(
      expect.arrayContaining(['Chính quyền số', 'Kinh tế số', 'Xã hội số']),
    );
    const rows = page.locator('main tbody tr');
    expect(await rows.count()).toBeGreaterThan(20);
    // every target of the city has a status from the engine
    expect(await page.locator('main tbody .badge-status').count()).toBe(await rows.count());
    const rank = page.locator('tr', { has: page.locator('.code', { hasText: /^DTI-RANK$/ }) }).first();
    expect(await rank.textContent()).toMatch(/≤ #5.*Năm 2024/);
    // the summary counts what the table shows
    const total = Number(
      (await page.locator('.stats li').first().locator('.stat-value').textContent())?.replace(/\./g, ''),
    );
    expect(total).toBe(await rows.count());
    // the targets set for every ward are one row, with the wards counted by status
    await page.getByLabel('Cấp', { exact: true }).selectOption('commune');
    await page.waitForURL(/level=commune/);
    // the previous level's rows stay on screen until the wards' answer arrives: wait for the wards' row
    const wards = page
      .locator('tr', { has: page.locator('.code', { hasText: /^CQS-02$/ }), hasText: 'Từng đơn vị: Cấp xã' })
      .first();
    await wards.waitFor();
    expect(await wards.textContent()).toMatch(/Từng đơn vị: Cấp xã.*\(\d+ đơn vị\)/);
    expect(await wards.locator('.status-counts li').count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it('filters by year and level, and finds indicators without diacritics', async () => {
    const page = await newPage(browser);
    await open(page, '/');
    const count = () => page.locator('main tbody tr').count();
    const all = await count();
    const yearSelect = page.getByLabel('Năm mục tiêu');
    await yearSelect.focus();
    await yearSelect.selectOption('2030');
    await page.waitForURL(/year=2030/);
    await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
    await expect.poll(count, POLL).toBeLessThan(all);
    expect(await count()).toBeGreaterThan(0);
    // the filter keeps the keyboard focus while the page updates
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.tagName)).toBe('SELECT');
    for (const cell of await page.locator('main tbody td[data-label="Mục tiêu"]').allTextContents()) {
      expect(cell).toContain('2030');
    }
    await page.getByLabel('Năm mục tiêu').selectOption('');
    await page.waitForURL((u) => !u.searchParams.has('year'));
    await expect.poll(count, POLL).toBe(all);
    await page.getByLabel('Tìm chỉ tiêu').fill('thanh toan dien tu');
    await expect.poll(count, POLL).toBeGreaterThan(0);
    for (const name of await page.locator('main tbody th').allTextContents()) {
      expect(name.toLowerCase()).toContain('thanh toán điện tử');
    }
    await page.context().close();
  });

  it('switches to English and remembers it', async () => {
    const page = await newPage(browser);
    await open(page, '/');
    await page.getByRole('link', { name: 'Switch to English' }).click();
    // the English strings arrive with their file: wait for them
    await page.locator('main h1', { hasText: 'Overview of targets' }).waitFor();
    // the document's language is set just after the strings are shown (an effect): wait for it too
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    // switched in place: no page load, no ?lang= left in the address
    expect(new URL(page.url()).search).toBe('');
    await open(page, '/indicators/KTXH-01');
    expect(await page.locator('h1').textContent()).toBe("Digital economy share of the city's GRDP");
    // numbers in English format
    await page.getByRole('button', { name: 'Data table' }).click();
    expect(await page.locator('figure table').textContent()).toContain('21.68');
    await page.context().close();
  });

  it('the language link works before the page’s code has run (the server-rendered overview)', async () => {
    // JavaScript off: what a reader gets who clicks while the code is still loading
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1366, height: 900 },
    });
    const bare = await context.newPage();
    await bare.goto(`${server.url}/`);
    expect(await bare.locator('main h1').textContent()).toBe('Tổng quan các mục tiêu');
    const link = bare.getByRole('link', { name: 'Switch to English' });
    expect(await link.getAttribute('href')).toBe('/?lang=en');
    await context.close();
    // the link's target, with the code: English, remembered, and the address cleaned
    const page = await newPage(browser);
    await open(page, '/?lang=en');
    expect(await page.locator('main h1').textContent()).toBe('Overview of targets');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => localStorage.getItem('chiso.lang'))).toBe('en');
    await open(page, '/?lang=vi');
    expect(await page.locator('main h1').textContent()).toBe('Tổng quan các mục tiêu');
    await page.context().close();
  });

  it('a filter changed before the page’s code has run is applied once it runs (the server-rendered overview)', async () => {
    const page = await newPage(browser);
    // the page's code is held back until the reader has chosen (a slow phone on a slow network)
    const held: Route[] = [];
    let hold = true;
    await page.route('**/assets/*.js', (r) => (hold ? held.push(r) : r.continue()));
    await page.goto(`${server.url}/`, { waitUntil: 'commit' });
    await page.locator('main h1', { hasText: 'Tổng quan các mục tiêu' }).waitFor();
    const all = await page.locator('main tbody tr').count();
    await page.getByLabel('Cấp', { exact: true }).selectOption('commune');
    await page.getByLabel('Tìm chỉ tiêu').fill('thanh toan dien tu');
    // nothing ran: the server's page is unchanged
    expect(await page.locator('main tbody tr').count()).toBe(all);
    expect(new URL(page.url()).search).toBe('');
    hold = false;
    for (const r of held.splice(0)) await r.continue();
    // the code runs, and the page shows what the controls say: the wards' rows, searched
    await page.waitForURL(/level=commune/);
    await page
      .locator('tr', { has: page.locator('.code', { hasText: /^CQS-02$/ }), hasText: 'Từng đơn vị: Cấp xã' })
      .waitFor();
    await expect
      .poll(async () => {
        const names = await page.locator('main tbody th').allTextContents();
        return names.length > 0 && names.every((n) => n.toLowerCase().includes('thanh toán điện tử'));
      }, POLL)
      .toBe(true);
    expect(await page.getByLabel('Cấp', { exact: true }).inputValue()).toBe('commune');
    expect(await page.getByLabel('Tìm chỉ tiêu').inputValue()).toBe('thanh toan dien tu');
    await page.context().close();
  });

  it('buttons pressed before the page’s code has run act once it runs (the server-rendered overview)', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await newPage(browser, viewport);
      const held: Route[] = [];
      let hold = true;
      await page.route('**/assets/*.js', (r) => (hold ? held.push(r) : r.continue()));
      await page.goto(`${server.url}/`, { waitUntil: 'commit' });
      await page.locator('main h1', { hasText: 'Tổng quan các mục tiêu' }).waitFor();
      const menu = page.locator('button.menu-toggle');
      const sortHeader = page.locator('main table').first().locator('th', { hasText: 'Chỉ tiêu' });
      if (viewport === PHONE) {
        await menu.click();
      } else {
        expect(await sortHeader.getAttribute('aria-sort')).toBeNull();
        await sortHeader.getByRole('button').click();
      }
      // nothing ran: the server's page is unchanged
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await sortHeader.getAttribute('aria-sort')).toBeNull();
      hold = false;
      for (const r of held.splice(0)) await r.continue();
      // the code runs and the press takes effect, once
      if (viewport === PHONE) {
        await expect.poll(() => menu.getAttribute('aria-expanded'), POLL).toBe('true');
        await page.locator('#site-nav.open').waitFor();
      } else {
        await expect.poll(() => sortHeader.getAttribute('aria-sort'), POLL).toBe('ascending');
        // after the replay the button answers as usual
        await sortHeader.getByRole('button').click();
        await expect.poll(() => sortHeader.getAttribute('aria-sort'), POLL).toBe('descending');
      }
      await page.context().close();
    }
  });

  it('the indicator page draws actuals against targets, with the same data as a table', async () => {
    const page = await newPage(browser);
    await open(page, '/indicators/KTXH-01');
    const chart = page.locator('figure [role="img"]');
    await chart.locator('svg').waitFor();
    expect(await chart.getAttribute('aria-label')).toMatch(/Thành phố Hồ Chí Minh.*21,68 % GRDP/);
    // the conflicting 2024 targets are shown, both kept
    expect(await page.locator('.notice', { hasText: 'Mục tiêu không thống nhất' }).textContent()).toMatch(
      /≥ 22 % GRDP.*≥ 25 % GRDP/,
    );
    await page.getByRole('button', { name: 'Bảng số liệu' }).click();
    await page.locator('figure table tbody tr').first().waitFor();
    const rows = await page.locator('figure table tbody tr').allTextContents();
    expect(rows.find((r) => r.startsWith('Năm 2030'))).toMatch(/≥ 40 % GRDP/);
    expect(rows.find((r) => r.startsWith('Năm 2025'))).toMatch(/21,68 % GRDP/);
    // the quote of the document that set the target
    expect(
      await page
        .locator('#sources-h + * blockquote, section[aria-labelledby="sources-h"] blockquote')
        .count(),
    ).toBeGreaterThan(0);
    // downloads
    expect(await page.getByRole('link', { name: 'Tải số liệu (CSV)' }).getAttribute('href')).toBe(
      '/api/values.csv?indicator=KTXH-01',
    );
    await page.context().close();
  });

  it('a ward formed in the 2025 reorganisation shows what it was formed from', async () => {
    const page = await newPage(browser);
    await open(page, '/units/79.26737');
    const lineage = page.locator('section[aria-labelledby="lineage-h"]');
    expect(await lineage.textContent()).toContain('Hình thành từ');
    // (both sections are always there; what differs is what each lists)
    expect(await lineage.textContent()).toMatch(/Đã nhập vào \/ chuyển thành\s*Không có/);
    await lineage.getByRole('link', { name: 'Phường Tân Định' }).first().click();
    await page.waitForURL(/\/units\/79\.760\.26734$/);
    // the address changes before the new page is shown (and its data has arrived): the old page's
    // lineage is still there at first, so wait for the new one
    await page
      .locator('section[aria-labelledby="lineage-h"]', {
        hasText: /Đã nhập vào \/ chuyển thành\s*Phường Tân Định/,
      })
      .waitFor();
    await page.context().close();
  });

  it('the ranking shows rank change, median rank and interval, and drills down to a pillar', async () => {
    const page = await newPage(browser);
    await open(page, '/rankings/DTI-QUAN-HUYEN');
    const first = page.locator('main tbody tr').first();
    expect(await first.locator('td').first().textContent()).toBe('1');
    expect(await first.textContent()).toMatch(/(Tăng \d+ bậc|Giảm \d+ bậc|Giữ nguyên).*hạng \d+–\d+/);
    const units = await page.locator('main tbody tr').count();
    await page.getByLabel('Trụ cột, thành phần').selectOption({ index: 1 });
    await page.waitForURL(/node=/);
    // The heading changes when the pillar's results arrive: wait for it rather than read it at once.
    await page
      .locator('section[aria-labelledby="ranking-h"] h2', { hasText: /: xếp hạng năm/ })
      .waitFor({ timeout: 30_000 });
    expect(await page.locator('main tbody tr').count()).toBe(units);
    await page.context().close();
  });

  it('a citizen sends feedback on a plan; it is listed, waiting for the responsible unit', async () => {
    const page = await newPage(browser, PHONE);
    await open(page, '/plans/681%2FKH-UBND');
    const form = page.locator('form.feedback-form');
    await form
      .getByLabel(/Nội dung góp ý/)
      .fill('Đề nghị công bố tiến độ từng nhiệm vụ theo quý để người dân theo dõi.');
    await form.getByLabel(/Họ tên/).fill('Nguyễn Văn An');
    await page.waitForTimeout(3500); // the form token is valid a few seconds after it is issued
    await form.getByRole('button', { name: 'Gửi góp ý' }).click();
    await page.getByText('Đã gửi góp ý.').waitFor();
    const item = page.locator('.feedback-list li', { hasText: 'Đề nghị công bố tiến độ' });
    await item.waitFor();
    expect(await item.textContent()).toMatch(/Nguyễn Văn An.*Đang chờ .* trả lời/);
    await page.context().close();
  });

  it('keyboard: the skip link comes first and moves to the main content', async () => {
    const page = await newPage(browser);
    await open(page, '/indicators');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Chuyển đến nội dung chính');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => location.hash)).toBe('#main');
    await page.context().close();
  });

  it('the overview loads little JavaScript, and no chart library', async () => {
    const page = await newPage(browser);
    const scripts = new Map<string, Buffer>();
    // a body is read after its response has been seen: wait for every one before counting
    const reading: Array<Promise<void>> = [];
    const seen = (r: Response): void => {
      if (r.request().resourceType() === 'script')
        reading.push(r.body().then((b) => void scripts.set(r.url(), b)));
    };
    page.on('response', seen);
    await open(page, '/');
    // the files the page names for preloading are fetched a few per task after the first paint: on
    // a busy machine a group can start after the network has been idle, so wait for each by name
    await page.waitForFunction(() => {
      const named = document.querySelector<HTMLMetaElement>('meta[name="chiso-preload"]')?.content ?? '';
      const fetched = new Set(performance.getEntriesByType('resource').map((e) => e.name));
      return named.split(' ').every((href) => !href || fetched.has(new URL(href, document.baseURI).href));
    });
    await page.waitForLoadState('networkidle');
    // then stop listening: a body asked for after the page closes rejects (an unhandled rejection)
    page.off('response', seen);
    await Promise.all(reading);
    expect(scripts.size).toBeGreaterThan(0);
    const gzip = [...scripts.values()].reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
    expect([...scripts.keys()].some((u) => /EChart|echarts/i.test(u))).toBe(false);
    expect(gzip).toBeLessThan(200 * 1024);
    console.log(`overview first-load JavaScript: ${scripts.size} files, ${(gzip / 1024).toFixed(1)} KB gzip`);
    await page.context().close();
  });

  it('axe-core finds no serious or critical violation on the main pages', async () => {
    const page = await newPage(browser);
    const found: Record<string, unknown> = {};
    for (const [name, path] of MAIN_PAGES) {
      await open(page, path);
      if (name === 'indicator') await page.locator('figure .chart svg').waitFor();
      const v = serious(await axe(page));
      if (v.length) found[name] = v;
    }
    expect(found).toEqual({});
    await page.context().close();
  }, 300_000);

  it('saves screenshots of the main pages at desktop and phone widths', async () => {
    for (const [label, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const page = await newPage(browser, viewport);
      for (const [name, path] of MAIN_PAGES) {
        await open(page, path);
        if (name === 'indicator') await page.locator('figure .chart svg').waitFor();
        await shoot(page, `${name}-${label}`);
        // nothing wider than the screen
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} at ${label} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      }
      await page.context().close();
    }
  }, 300_000);
});
