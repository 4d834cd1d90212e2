/**
 * Browser helpers for the end-to-end tests: Debian's chromium driven by playwright-core, screenshots
 * into screenshots/, and axe-core injected from its npm package.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../src/cli/build-web.ts';

export const CHROMIUM = process.env.CHISO_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'screenshots');

export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 360, height: 780 };

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium fonts-noto-core) or set CHISO_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page in a fresh context (own cookies and storage) at the given viewport. */
export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
  locale = 'vi-VN',
): Promise<Page> {
  const context = await browser.newContext({ viewport, locale, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  return page;
}

/** Saves a full-page screenshot as screenshots/<name>.png. */
export async function shoot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page; returns the violations. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays in force
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> };
    };
    const r = await w.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .slice(0, 5)
        .map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  });
}

/** Only the serious and critical violations, for assertions. */
export const serious = (vs: AxeViolation[]) =>
  vs.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** Waits until the page shows no loading state (its data has arrived). */
export const settle = (page: Page) =>
  page.waitForFunction(() => !document.querySelector('main .state-loading'), undefined, { timeout: 30_000 });

/** Signs in through the login page and waits for the workspace it leads to. */
export async function loginToWorkspace(
  page: Page,
  base: string,
  who: { username: string; password: string },
): Promise<void> {
  await page.goto(`${base}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('Tên đăng nhập').fill(who.username);
  await page.getByLabel('Mật khẩu').fill(who.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(/\/workspace$/);
  // the address changes before the workspace is shown: the login page's title is still there at first
  await page.waitForFunction(() => {
    const h1 = document.querySelector('main h1');
    return h1 !== null && h1.textContent !== 'Đăng nhập';
  });
}
