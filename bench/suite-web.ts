/**
 * web_initial_js_kb_gzip: `vite build --manifest` of src/web into a temporary folder; the gzip
 * (level 9) sizes of the JavaScript the overview loads first — the entry chunk and its static
 * imports, plus the overview page's lazy chunk (react-router `lazy`) and its static imports.
 * lighthouse_performance: lighthouse 12 driving Debian's chromium on the overview page served by
 * the chiso server process (that build, CHISO_WEB_DIR) on the city database.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Context } from './run.ts';

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

export function initialJs(dir: string): {
  files: { file: string; gzip: number; raw: number }[];
  total: number;
} {
  const manifest: Record<string, ManifestChunk> = JSON.parse(
    readFileSync(join(dir, '.vite', 'manifest.json'), 'utf8'),
  );
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
  if (!entryKey) throw new Error('no entry in the vite manifest');
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key) || !manifest[key]) return;
    seen.add(key);
    for (const i of manifest[key]!.imports ?? []) visit(i);
  };
  visit(entryKey);
  const overview = (manifest[entryKey]!.dynamicImports ?? [])
    .concat(Object.values(manifest).flatMap((c) => c.dynamicImports ?? []))
    .find((k) => /features\/overview\/OverviewPage/.test(k));
  if (overview) visit(overview);
  const files = [...seen]
    .map((k) => manifest[k]!.file)
    .filter((f) => f.endsWith('.js'))
    .map((file) => {
      const buf = readFileSync(join(dir, file));
      return { file, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
    });
  return { files, total: files.reduce((a, f) => a + f.gzip, 0) };
}

export async function run(ctx: Context, want: (n: string) => boolean): Promise<void> {
  const out = join(ctx.opts.tmp, 'web');
  const t = performance.now();
  execFileSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--manifest',
      '--outDir',
      out,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  ctx.opts.log(`web: built in ${Math.round(performance.now() - t)} ms`);
  const js = initialJs(out);
  if (want('web_initial_js_kb_gzip'))
    ctx.figures.set('web_initial_js_kb_gzip', {
      name: 'web_initial_js_kb_gzip',
      value: Math.round((js.total / 1024) * 10) / 10,
      unit: 'KB',
      scale: 'overview page, first load',
      detail: {
        files: js.files.map((f) => ({
          file: f.file,
          gzip_kb: Math.round(f.gzip / 102.4) / 10,
          raw_kb: Math.round(f.raw / 102.4) / 10,
        })),
      },
    });
  if (!want('lighthouse_performance')) return;
  const { cityDatabase } = await import('./suite-api.ts');
  const { startServer } = await import('./proc.ts');
  const { url } = await cityDatabase(ctx);
  const server = await startServer({ DATABASE_URL: url, CHISO_WEB_DIR: out });
  try {
    const page = await fetch(`${server.url}/`);
    if (page.status !== 200 || !(await page.text()).includes('<script')) {
      ctx.figures.set('lighthouse_performance', {
        name: 'lighthouse_performance',
        value: null,
        unit: '',
        reason: `GET / → ${page.status}: the server does not serve the web application yet`,
      });
      return;
    }
    const api = await fetch(`${server.url}/api/progress/overview`);
    const chromeLauncher = await import('chrome-launcher');
    const { default: lighthouse } = await import('lighthouse');
    const chrome = await chromeLauncher.launch({
      chromePath: '/usr/bin/chromium',
      chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    let score: number | null = null;
    let runtimeError: string | undefined;
    let audits: Record<string, number | null> = {};
    try {
      const r = await lighthouse(`${server.url}/`, {
        port: chrome.port,
        onlyCategories: ['performance'],
        output: 'json',
        logLevel: 'error',
      });
      const lhr = r?.lhr;
      runtimeError = lhr?.runtimeError ? `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` : undefined;
      score =
        lhr?.categories.performance?.score == null
          ? null
          : Math.round(lhr.categories.performance.score * 100);
      for (const k of [
        'first-contentful-paint',
        'largest-contentful-paint',
        'total-blocking-time',
        'cumulative-layout-shift',
        'speed-index',
      ])
        audits[k] = lhr?.audits[k]?.numericValue ?? null;
      audits = Object.fromEntries(
        Object.entries(audits).map(([k, v]) => [k, v === null ? null : Math.round(v * 1000) / 1000]),
      );
    } finally {
      await chrome.kill();
    }
    const detail: Record<string, unknown> = { audits, overview_api_status: api.status };
    if (score === null) {
      ctx.figures.set('lighthouse_performance', {
        name: 'lighthouse_performance',
        value: null,
        unit: '',
        reason: `lighthouse gave no performance score (${runtimeError ?? 'no runtime error reported'})`,
        detail,
      });
      return;
    }
    ctx.opts.log(`lighthouse: ${score} ${JSON.stringify(detail)}`);
    if (api.status !== 200) {
      ctx.figures.set('lighthouse_performance', {
        name: 'lighthouse_performance',
        value: null,
        unit: '',
        reason: `GET /api/progress/overview → ${api.status}: the overview page loads without its data, so its score would flatter it (score with the data call failing: ${score})`,
        detail,
      });
    } else {
      ctx.figures.set('lighthouse_performance', {
        name: 'lighthouse_performance',
        value: score,
        unit: '/100',
        scale: 'overview page, mobile preset',
        detail,
      });
    }
  } finally {
    await server.stop();
  }
}
