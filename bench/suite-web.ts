/**
 * web_initial_js_kb_gzip: `vite build --manifest` of src/web into dist/bench-web (rebuilt only when
 * a source is newer than that build); the gzip
 * (level 9) sizes of the JavaScript the overview loads first — the entry chunk and its static
 * imports, the entry's dynamic imports (the steps of the application's start, src/web/main.tsx) and
 * theirs, plus the overview page's lazy chunk (react-router `lazy`) and its static imports.
 * lighthouse_performance: lighthouse 12 driving Debian's chromium on the overview page served by
 * the chiso server process (that build, CHISO_WEB_DIR) on the city database.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Result as LighthouseResult } from 'lighthouse';
import { computeMedianRun, filterToValidRuns } from 'lighthouse/core/lib/median-run.js';
import { type Child, startServer } from './proc.ts';
import type { Context } from './run.ts';

const AUDITS = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'total-blocking-time',
  'cumulative-layout-shift',
  'speed-index',
] as const;

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
  // the entry's own dynamic imports are the steps of the application's start (src/web/main.tsx):
  // all of them load with the page
  for (const d of manifest[entryKey]!.dynamicImports ?? []) visit(d);
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

/** The sources a web build depends on (as src/cli/build-web.ts): src/web, src/core, the vite config, package.json. */
const WEB_SOURCES = ['src/web', 'src/core', 'vite.config.ts', 'package.json'];
/** The benchmark's own build (with its manifest), kept between runs and rebuilt only when a source is newer. */
export const WEB_OUT = resolve('dist', 'bench-web');
/** Written after a build completes (a build cut short leaves no marker, so it is redone). */
const MARKER = join(WEB_OUT, 'bench-built.txt');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

let building: Promise<{ built: boolean; ms: number }> | undefined;

/**
 * `vite build --manifest` of src/web into dist/bench-web unless that build is newer than every
 * source (then it is reused as is: same sources, same bundle). Asynchronous, so that a run can
 * overlap it with other set-up (never with a measurement). Once per run.
 */
export function buildWeb(log: (m: string) => void): Promise<{ built: boolean; ms: number }> {
  building ??= (async () => {
    const t = performance.now();
    if (existsSync(MARKER) && WEB_SOURCES.every((s) => newestMtime(s) <= statSync(MARKER).mtimeMs)) {
      log(`web: ${WEB_OUT} is newer than its sources, reused`);
      return { built: false, ms: 0 };
    }
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          'node_modules/vite/bin/vite.js',
          'build',
          '--manifest',
          '--outDir',
          WEB_OUT,
          '--emptyOutDir',
          '--logLevel',
          'warn',
        ],
        { maxBuffer: 64 * 2 ** 20 },
        (err, _out, stderr) =>
          err ? reject(new Error(`vite build failed: ${err.message}\n${stderr}`)) : resolve(),
      ),
    );
    writeFileSync(MARKER, `${new Date().toISOString()}\n`);
    const ms = Math.round(performance.now() - t);
    log(`web: built in ${ms} ms`);
    return { built: true, ms };
  })();
  return building;
}

let lighthouseChild: Promise<Child> | undefined;

/** The server process Lighthouse loads the page from (city database, that build); started once. */
export function lighthouseServer(ctx: Context): Promise<Child> {
  lighthouseChild ??= (async () => {
    const { cityDatabase } = await import('./suite-api.ts');
    const { url } = await cityDatabase(ctx);
    await buildWeb(ctx.opts.log);
    return startServer({ DATABASE_URL: url, CHISO_WEB_DIR: WEB_OUT });
  })();
  return lighthouseChild;
}

export async function run(ctx: Context, want: (n: string) => boolean): Promise<void> {
  const out = WEB_OUT;
  await buildWeb(ctx.opts.log);
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
  const server = await lighthouseServer(ctx);
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
    // Lighthouse's own advice on variability: run it several times and keep the run closest to the
    // median FCP and TTI (its computeMedianRun) — five runs halve the spread of one.
    const runs = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? (ctx.opts.quick ? 3 : 5));
    const results: LighthouseResult[] = [];
    let runtimeError: string | undefined;
    try {
      for (let k = 0; k < runs; k++) {
        const r = await lighthouse(`${server.url}/`, {
          port: chrome.port,
          onlyCategories: ['performance'],
          output: 'json',
          logLevel: 'error',
        });
        const lhr = r?.lhr;
        if (!lhr) continue;
        if (lhr.runtimeError) runtimeError = `${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
        else results.push(lhr);
      }
    } finally {
      await chrome.kill();
    }
    const scoreOf = (r: LighthouseResult) =>
      r.categories.performance?.score == null ? null : Math.round(r.categories.performance.score * 100);
    const valid = filterToValidRuns(results);
    // (without FCP and TTI in every run: the run of median score)
    const lhr = valid.length
      ? computeMedianRun(valid)
      : [...results].sort((a, b) => (scoreOf(a) ?? -1) - (scoreOf(b) ?? -1))[results.length >> 1];
    // the whole report of the median run (diagnostics: main-thread work, bootup by script, LCP element) when asked
    if (process.env.BENCH_LIGHTHOUSE_JSON && lhr)
      writeFileSync(process.env.BENCH_LIGHTHOUSE_JSON, JSON.stringify(lhr));
    const score = lhr ? scoreOf(lhr) : null;
    const auditsOf = (r: LighthouseResult) =>
      Object.fromEntries(
        AUDITS.map((k) => {
          const v = r.audits[k]?.numericValue;
          return [k, v == null ? null : Math.round(v * 1000) / 1000];
        }),
      );
    const audits = lhr ? auditsOf(lhr) : {};
    const detail: Record<string, unknown> = {
      audits,
      runs: results.map((r) => ({
        score: scoreOf(r),
        fcp_ms: Math.round(r.audits['first-contentful-paint']?.numericValue ?? Number.NaN),
        lcp_ms: Math.round(r.audits['largest-contentful-paint']?.numericValue ?? Number.NaN),
        tbt_ms: Math.round(r.audits['total-blocking-time']?.numericValue ?? Number.NaN),
        median: r === lhr,
      })),
      overview_api_status: api.status,
    };
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
