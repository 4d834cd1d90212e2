/**
 * Serving the web application: files with the right cache headers, index.html for the browser's
 * routes (never for /api or for missing files), no way out of the folder, and a clear 503 when the
 * application has not been built.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { openTestStore } from '../../test/db.ts';
import type { Store } from '../store/db.ts';
import { type App, buildServer } from './server.ts';
import { jsonInHtml } from './web.ts';

let dir: string;
let store: Store;
let app: App;
const saved = process.env.CHISO_WEB_DIR;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chiso-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><head><title>chiso</title><script type="module" crossorigin src="/assets/index-abc123.js"></script><link rel="modulepreload" crossorigin href="/assets/rolldown-1.js"><link rel="stylesheet" crossorigin href="/assets/index-s1.css"></head><div id="root"></div>',
  );
  // the build's manifest (vite.config.ts): the overview's lazily loaded chunk and what it imports
  mkdirSync(join(dir, '.vite'));
  writeFileSync(
    join(dir, '.vite', 'manifest.json'),
    JSON.stringify({
      'index.html': {
        file: 'assets/index-abc123.js',
        src: 'index.html',
        isEntry: true,
        imports: ['_rolldown-1.js'],
      },
      '_rolldown-1.js': { file: 'assets/rolldown-1.js' },
      '_Table-t1.js': { file: 'assets/Table-t1.js', imports: ['index.html'] },
      'features/overview/OverviewPage.tsx': {
        file: 'assets/OverviewPage-o1.js',
        src: 'features/overview/OverviewPage.tsx',
        isDynamicEntry: true,
        imports: ['index.html', '_rolldown-1.js', '_Table-t1.js'],
      },
      'features/indicators/IndicatorsPage.tsx': {
        file: 'assets/IndicatorsPage-i1.js',
        src: 'features/indicators/IndicatorsPage.tsx',
        isDynamicEntry: true,
        imports: ['_Table-t1.js'],
      },
    }),
  );
  writeFileSync(join(dir, 'assets', 'index-s1.css'), 'main{color:#123}');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *');
  writeFileSync(join(dir, 'assets', 'app-def456.js'), 'console.log("plain")');
  writeFileSync(join(dir, 'assets', 'app-def456.js.br'), brotliCompressSync('console.log("brotli")'));
  writeFileSync(join(dir, 'assets', 'app-def456.js.gz'), gzipSync('console.log("gzip")'));
  process.env.CHISO_WEB_DIR = dir;
  store = await openTestStore();
  app = await buildServer({ store, config: readConfig({}) });
  await app.ready();
});
afterAll(async () => {
  if (saved === undefined) delete process.env.CHISO_WEB_DIR;
  else process.env.CHISO_WEB_DIR = saved;
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url });

describe('web application', () => {
  it('serves index.html for the browser’s routes, revalidated on every visit', async () => {
    for (const url of [
      '/',
      '/indicators/CD-01',
      '/units/79.760',
      '/documents/41%2F2011%2FQ%C4%90-UBND',
      '/x?y=1',
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.body).toMatch(/<div id="root"( data-ssr="1")?>/);
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('renders the overview on the server: its HTML in #root, its title in the head, the answer it was rendered from as a JSON block', async () => {
    const r = await app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'identity' } });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<div id="root" data-ssr="1">');
    // its one inline script (the clicks before hydration) is the one the policy allows by hash, and
    // no other inline script is there
    const inline = [...r.body.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1] ?? '');
    expect(inline).toHaveLength(1);
    const hash = createHash('sha256')
      .update(inline[0] ?? '')
      .digest('base64');
    expect(r.headers['content-security-policy']).toContain(`script-src 'self' 'sha256-${hash}';`);
    expect(r.body).toMatch(/<h1[^>]*>Tổng quan các mục tiêu<\/h1>/);
    expect(r.body).toContain('<title>Tổng quan các mục tiêu · chiso</title>');
    expect(r.body).not.toContain('<title>chiso</title>');
    const block = /<script type="application\/json" id="chiso-data">([^<]*)<\/script>/.exec(r.body);
    expect(block).not.toBeNull();
    const data = JSON.parse(block![1]!) as Record<string, unknown>;
    const api = await app.inject({ method: 'GET', url: '/api/progress/overview?summary=true' });
    expect(data).toEqual({ '/api/progress/overview?summary=true': api.json() });
    // the browser's query is the page's: another year is rendered with its own answer
    const y = await get('/?year=2030');
    expect(y.body).toContain('"/api/progress/overview?summary=true&year=2030"');
    // the language link (?lang=): English is the browser's to render; Vietnamese is this page
    const en = await get('/?lang=en');
    expect(en.body).toContain('<div id="root"></div>');
    expect(en.body).not.toContain('data-ssr');
    const vi = await get('/?lang=vi&year=2030');
    expect(vi.body).toContain('<div id="root" data-ssr="1">');
    expect(vi.body).toContain('"/api/progress/overview?summary=true&year=2030"');
    expect(vi.body).not.toContain('lang=vi');
    // compressed like the API's bodies, with an ETag; 304 when unchanged
    const br = await app.inject({
      method: 'GET',
      url: '/',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(r.body);
    const again = await app.inject({
      method: 'GET',
      url: '/',
      headers: { 'if-none-match': String(br.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    // its stylesheet is inlined (the first paint waits for no other request); its link stays,
    // disabled (neither fetched nor applied), for the loader of lazily loaded pages to find
    expect(r.body).toContain('<style>main{color:#123}</style>');
    expect(r.body).toContain('<link rel="stylesheet" href="/assets/index-s1.css" disabled>');
    expect(r.body.match(/<link[^>]*index-s1\.css[^>]*>/g)).toEqual([
      '<link rel="stylesheet" href="/assets/index-s1.css" disabled>',
    ]);
    // its script comes after what the first paint needs; the start's preloads and the page's own
    // code are named (the page's script preloads them once the page is painted), none linked
    expect(r.body).toContain(
      '<script type="module" fetchpriority="low" crossorigin src="/assets/index-abc123.js"></script>',
    );
    expect(r.body).not.toContain('rel="modulepreload"');
    const named = /<meta name="chiso-preload" content="([^"]*)">/.exec(r.body);
    expect(named?.[1]?.split(' ')).toEqual([
      '/assets/rolldown-1.js',
      '/assets/OverviewPage-o1.js',
      '/assets/Table-t1.js',
    ]);
    expect(r.body.indexOf('chiso-preload')).toBeLessThan(r.body.indexOf('</head>'));
    // the entry is not named again, and no other page's code is
    expect(r.body.match(/index-abc123\.js/g)).toHaveLength(1);
    expect(r.body).not.toContain('IndicatorsPage');
    // other pages are the plain index.html, with the stylesheet's link
    const plain = (await get('/indicators')).body;
    expect(plain).toContain('<div id="root"></div>');
    expect(plain).toContain('<link rel="stylesheet" crossorigin href="/assets/index-s1.css">');
    expect(plain).toContain('<script type="module" crossorigin src="/assets/index-abc123.js"></script>');
    expect(plain).toContain('<link rel="modulepreload" crossorigin href="/assets/rolldown-1.js">');
    expect(plain).not.toContain('fetchpriority');
    expect(plain).not.toContain('chiso-preload');
    expect(plain).not.toContain('OverviewPage');
  });

  it('embeds JSON so that nothing in it can end the script element', () => {
    const json = JSON.stringify({ name: '</script><script>alert(1)</script>' });
    const embedded = jsonInHtml(json);
    expect(embedded).not.toContain('<');
    expect(JSON.parse(embedded)).toEqual(JSON.parse(json));
  });

  it('sends the build’s compressed copy to a browser that accepts it, the plain file otherwise', async () => {
    const url = '/assets/app-def456.js';
    const br = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe('console.log("brotli")');
    const gz = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe('console.log("gzip")');
    const plain = await get(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe('console.log("plain")');
    // A file without a compressed copy is sent as it is.
    const other = await app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'br' },
    });
    expect(other.statusCode).toBe(200);
    expect(other.body).toBe('console.log(1)');
  });

  it('caches hashed assets for a year, other files for an hour', async () => {
    const a = await get('/assets/index-abc123.js');
    expect(a.statusCode).toBe(200);
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(a.body).toBe('console.log(1)');
    const r = await get('/robots.txt');
    expect(r.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers 404 problem+json for missing files and API paths, never index.html', async () => {
    for (const url of ['/assets/gone-123.js', '/favicon.ico', '/api/nope', '/api']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('never serves a file outside its folder', async () => {
    for (const url of [
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2fpackage.json',
    ]) {
      const r = await get(url);
      expect(r.body, url).not.toContain('"name": "chiso"');
    }
  });

  it('says so when the application has not been built', async () => {
    rmSync(join(dir, 'index.html'));
    const r = await get('/overview');
    expect(r.statusCode).toBe(503);
    expect(JSON.parse(r.body).code).toBe('web.not_built');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  });
});
