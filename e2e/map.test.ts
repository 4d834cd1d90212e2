/**
 * The map on the indicator page, in a real browser. The demo ships no boundaries (the city's are not
 * licensed for it), so the indicator page first shows no map and no empty box; then the administrator
 * imports a SYNTHETIC FeatureCollection — generated squares, one per ward of Quận 1, clearly not
 * real shapes — into this test's own database through the API, and the page draws a choropleth with
 * one region per ward, named for assistive technology, with the breakdown table kept as the text
 * alternative and the boundaries' source shown. axe-core finds no serious or critical violation;
 * screenshots at desktop and phone widths land in screenshots/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTHETIC_SOURCE, syntheticSquares } from '../test/boundary-samples.ts';
import { axe, DESKTOP, launch, newPage, PHONE, SCREENSHOTS, serious, settle, shoot } from './browser.ts';
import { apiSession, DEMO_PASSWORD, type E2EServer, startServer } from './server.ts';

let server: E2EServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

/** An indicator reported by the wards of five old districts (60 wards) in the demo. */
const INDICATOR = 'CQS-11';
/** The ten wards of Quận 1 (before 1 July 2025): the ones given a synthetic square. */
const QUAN1_WARDS = [26734, 26737, 26740, 26743, 26746, 26749, 26752, 26755, 26758, 26761].map(
  (w) => `79.760.${w}`,
);

/** The section of the breakdown by unit. */
const BREAKDOWN = 'section[aria-labelledby="breakdown-h"]';

async function open(page: Page, path: string): Promise<void> {
  await page.goto(server.url + path, { waitUntil: 'networkidle' });
  await page.locator('main h1').first().waitFor();
  await settle(page);
}

describe('the map of units on the indicator page', () => {
  it('without boundaries: no map and no empty box', async () => {
    const page = await newPage(browser);
    await open(page, `/indicators/${INDICATOR}`);
    await page.locator(`${BREAKDOWN} table`).waitFor();
    expect(await page.locator('.unit-map-figure').count()).toBe(0);
    expect(await page.locator(`${BREAKDOWN} figure`).count()).toBe(0);
    await page.context().close();
  });

  it('with synthetic boundaries for ten wards: a choropleth of ten regions, described, with the table and the source', async () => {
    const admin = await apiSession(server.url, 'demo.admin', DEMO_PASSWORD);
    const summary = await admin.post<{ created: number }>(
      '/api/boundaries/import?file=synthetic-quan1.geojson',
      syntheticSquares(QUAN1_WARDS, { perRow: 5, side: 0.015 }),
    );
    expect(summary.created).toBe(10);

    for (const [name, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const page = await newPage(browser, viewport);
      await open(page, `/indicators/${INDICATOR}`);
      const map = page.locator(`${BREAKDOWN} .unit-map`);
      await map.waitFor();
      // ECharts has drawn: its SVG holds the regions, coloured from the scale
      await page.waitForFunction(() => (document.querySelectorAll('.unit-map svg path').length ?? 0) >= 10);
      expect(await map.getAttribute('data-regions')).toBe('10');
      const label = (await map.getAttribute('aria-label')) ?? '';
      // the values as Vietnamese numbers (decimal comma)
      expect(label).toMatch(
        /^Bản đồ .+ theo 10 đơn vị \(Cấp xã.*\), Năm \d{4}\. Cao nhất: Phường .+ \(\d+(,\d+)?%\)\. Thấp nhất: Phường .+ \(\d+(,\d+)?%\)\./,
      );
      const fills = await page.evaluate(() =>
        [...document.querySelectorAll('.unit-map svg path')].map((p) => p.getAttribute('fill')),
      );
      // region fills are interpolated along the scale: dark blues and light blues, not the grey of "no value"
      expect(fills.filter((f) => f && /^(rgb|#)/.test(f) && f !== '#eceff3').length).toBeGreaterThanOrEqual(
        10,
      );
      // the figure is named, the notes say how to read it, the source of the boundaries is shown
      const figure = page.locator(`${BREAKDOWN} figure.unit-map-figure`);
      expect(await figure.locator('figcaption').textContent()).toMatch(/^Bản đồ Cấp xã.*, Năm \d{4}$/);
      const notes = (await figure.locator('.unit-map-notes').textContent()) ?? '';
      expect(notes).toContain('Màu càng đậm càng tốt');
      expect(notes).toContain('50 đơn vị trong bảng chưa có ranh giới');
      expect(notes).toContain(`Ranh giới: ${SYNTHETIC_SOURCE}`);
      // the table stays: every ward of the breakdown, with its value
      expect(await page.locator(`${BREAKDOWN} tbody tr`).count()).toBeGreaterThanOrEqual(10);
      // the tooltip of a region: the ward's name and its value in Vietnamese number format
      if (name === 'desktop') {
        // the tooltip of a region (a ward of the first row): its name and its value in Vietnamese format
        const box = (await map.boundingBox())!;
        await page.mouse.move(box.x + box.width * 0.5, box.y + (box.height - 48) * 0.3);
        await page.waitForFunction(() =>
          [...document.querySelectorAll('.unit-map div')].some((d) =>
            /^Phường .+\d+(,\d+)?%$/.test(d.textContent ?? ''),
          ),
        );
      }
      await shoot(page, `indicator-map-${name}`);
      await figure.screenshot({ path: join(SCREENSHOTS, `indicator-map-${name}-figure.png`) });
      const violations = serious(await axe(page));
      expect(violations, JSON.stringify(violations, null, 1)).toEqual([]);
      await page.context().close();
    }
  });

  it('the API gives the ten synthetic squares as GeoJSON to anyone', async () => {
    const r = await fetch(`${server.url}/api/boundaries?subtree=79.760&level=commune`);
    expect(r.status).toBe(200);
    const fc = (await r.json()) as { features: Array<{ properties: { code: string; source: string } }> };
    expect(fc.features.map((f) => f.properties.code)).toEqual(QUAN1_WARDS);
    expect(new Set(fc.features.map((f) => f.properties.source))).toEqual(new Set([SYNTHETIC_SOURCE]));
  });
});
