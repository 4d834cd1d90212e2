/**
 * Serves the web application (dist/web, built by Vite from src/web): its files, and index.html for
 * every other non-API path so that the browser's router can show the page (SPA fallback). Hashed
 * assets are cached for a year; index.html is revalidated on every visit so a release shows at once.
 *
 * The overview (`/`, the landing page) is rendered on the server (src/web/ssr.tsx): index.html with
 * the page's HTML in #root and the API answers it was rendered from embedded as JSON (a data block,
 * which the content security policy allows), so that it shows before any script has run and the
 * browser hydrates it without asking again. Rendered once per answer (its ETag) and query, sent
 * compressed; any failure falls back to the plain index.html. CHISO_SSR=0 turns it off.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChisoError } from '../core/errors.ts';
import { type Cached, etagOf, negotiate, notModified, precompressed } from './compress.ts';
import { EARLY_CLICKS_SCRIPT } from './early-clicks.ts';
import { policy } from './policies/index.ts';
import type { App } from './server.ts';

/** Where `vite build` writes the application (vite.config.ts). */
export const WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Paths that name a file: when it does not exist the answer is 404, never index.html. */
const FILE_RE = /\.(?:js|mjs|css|map|json|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|txt|xml|webmanifest)$/i;

const notBuilt = () =>
  new ChisoError({
    code: 'web.not_built',
    status: 503,
    vi: 'Ứng dụng web chưa được build. Chạy `npm run build:web` (hoặc `npm start`, tự build khi cần).',
    en: 'The web application has not been built. Run `npm run build:web` (or `npm start`, which builds it when needed).',
  });

type Ssr = typeof import('../web/ssr.tsx');

/** Embeds JSON in a <script type="application/json"> block: nothing in it can close the element. */
export const jsonInHtml = (json: string) => json.replace(/</g, '\\u003c');

/**
 * The build's stylesheets in the rendered page itself (<style>, which the content security policy
 * allows): the first paint then waits for no other request. Other pages keep the cached file. The
 * link stays, disabled (neither fetched nor applied), so that the loader of a lazily loaded page that
 * lists the stylesheet among its dependencies finds it there and does not fetch and apply it again.
 */
function inlineStylesheets(page: string, root: string): string {
  return page.replace(
    /<link rel="stylesheet"[^>]*href="\/(assets\/[\w.-]+\.css)"[^>]*>/g,
    (tag, rel: string) => {
      const file = join(root, rel);
      if (!existsSync(file)) return tag;
      const css = readFileSync(file, 'utf8').replace(/<\/style/gi, '<\\/style');
      return `<style>${css}</style><link rel="stylesheet" href="/${rel}" disabled>`;
    },
  );
}

/**
 * The page's own scripts at low priority (the module script, and any preload left): the page
 * rendered on the server shows its content without them, so what the first paint needs goes first.
 */
export function lowPriorityScripts(page: string): string {
  return page.replace(
    /<(script type="module"|link rel="modulepreload")(?![^>]*\bfetchpriority=)/g,
    '<$1 fetchpriority="low"',
  );
}

interface ManifestChunk {
  file: string;
  src?: string;
  imports?: string[];
}

/**
 * Preloads of a lazily loaded page's code (its chunk and what it imports), from the build's manifest
 * (`.vite/manifest.json`, vite.config.ts): the rendered page's code is fetched with the application's
 * instead of after it. None without a manifest, or for files the page already names.
 */
export function pagePreloads(root: string, source: RegExp, page: string): string {
  const file = join(root, '.vite', 'manifest.json');
  if (!existsSync(file)) return '';
  let manifest: Record<string, ManifestChunk>;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ManifestChunk>;
  } catch {
    return '';
  }
  const start = Object.keys(manifest).find((k) => source.test(manifest[k]!.src ?? k));
  if (!start) return '';
  const files: string[] = [];
  const seen = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (seen.has(key) || !chunk) return;
    seen.add(key);
    if (chunk.file.endsWith('.js') && !page.includes(`/${chunk.file}"`)) files.push(chunk.file);
    for (const i of chunk.imports ?? []) visit(i);
  };
  visit(start);
  return files.map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`).join('');
}

/**
 * The page's preloads named instead of linked (<meta name="chiso-preload">): src/web/main.tsx
 * preloads them once the browser has painted the page, so that on a slow network the page's own
 * bytes do not share it with the code, which the first paint does not need.
 */
export function namePreloads(page: string): string {
  const hrefs: string[] = [];
  const rest = page.replace(
    /\s*<link rel="modulepreload"[^>]*\bhref="([^"]+)"[^>]*>/g,
    (_tag, href: string) => {
      hrefs.push(href);
      return '';
    },
  );
  if (hrefs.length === 0) return page;
  return rest.replace(
    /\n?\s*<\/head>/,
    (end) => `<meta name="chiso-preload" content="${hrefs.join(' ')}">${end}`,
  );
}

/** The lazily loaded code of each page rendered on the server (src/web/routes/router.tsx). */
const PAGE_SOURCES: Record<string, RegExp> = { '/': /(?:^|\/)features\/overview\/OverviewPage\.tsx$/ };

export default async function webRoutes(
  app: App,
  options: { dir?: string; ssr?: boolean } = {},
): Promise<void> {
  const root = resolve(options.dir ?? process.env.CHISO_WEB_DIR ?? WEB_DIR);
  const ssrOn = options.ssr ?? process.env.CHISO_SSR !== '0';
  let ssr: Promise<Ssr> | null = null;
  /** Rendered pages by path and query: the answers' ETags they were rendered from, and the page. */
  const pages = new Map<string, Cached>();

  /** index.html with the page rendered on the server, or null (not a rendered page, or it failed). */
  async function rendered(req: FastifyRequest, path: string): Promise<Cached | null> {
    if (!ssrOn) return null;
    const search = new URLSearchParams(req.url.split('?')[1] ?? '');
    // the language link followed before the page's code ran (Root.tsx): English is rendered by the
    // browser; `lang` itself is no filter of the page
    const lang = search.get('lang');
    if (lang === 'en') return null;
    search.delete('lang');
    ssr ??= import('../web/ssr.tsx');
    const mod = await ssr;
    const urls = mod.pageData(path, search);
    if (!urls) return null;
    const answers = await Promise.all(
      urls.map((url) =>
        app.inject({
          method: 'GET',
          url,
          headers: { 'accept-encoding': 'identity', 'x-request-id': req.id },
        }),
      ),
    );
    if (answers.some((a) => a.statusCode !== 200)) return null;
    const template = readFileSync(join(root, 'index.html'), 'utf8');
    const version = `${answers.map((a) => String(a.headers.etag)).join(',')}|${template.length}`;
    const key = `${path}?${search.toString()}`;
    const hit = pages.get(key);
    if (hit?.version === version) return hit;
    const data: Record<string, unknown> = {};
    const raw: string[] = [];
    for (const [k, url] of urls.entries()) {
      data[url] = answers[k]!.json();
      raw.push(`${JSON.stringify(url)}:${answers[k]!.body}`);
    }
    const html = await mod.renderPage(key, data);
    if (html === null) return null;
    // React renders the page's <title> with it: it belongs in the head
    const title = /^<title>([^<]*)<\/title>/.exec(html);
    const body = html.slice(title ? title[0].length : 0);
    let page = template.replace(
      '<div id="root"></div>',
      `<script>${EARLY_CLICKS_SCRIPT}</script><div id="root" data-ssr="1">${body}</div><script type="application/json" id="chiso-data">${jsonInHtml(`{${raw.join(',')}}`)}</script>`,
    );
    if (title) page = page.replace(/<title>[^<]*<\/title>/, title[0]);
    page = inlineStylesheets(page, root);
    const source = PAGE_SOURCES[path];
    if (source) page = page.replace(/\n?\s*<\/head>/, (end) => `${pagePreloads(root, source, page)}${end}`);
    page = lowPriorityScripts(namePreloads(page));
    if (!page.includes('data-ssr="1"')) return null;
    const buf = Buffer.from(page);
    const etag = createHash('sha1').update(buf).digest('base64url').slice(0, 22);
    if (pages.size >= 200) pages.clear();
    const entry: Cached = { version, etag, body: buf, encoded: {} };
    pages.set(key, entry);
    return entry;
  }
  // preCompressed: the build's .br/.gz copies go to browsers that accept them (vite.config.ts).
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  const sendIndex = async (req: FastifyRequest, reply: FastifyReply, path: string) => {
    if (!existsSync(join(root, 'index.html'))) throw notBuilt();
    reply.header('cache-control', 'no-cache');
    let page: Cached | null = null;
    try {
      page = await rendered(req, path);
    } catch (err) {
      req.log.error({ err }, 'server rendering failed; the plain page is sent');
    }
    if (!page) return reply.sendFile('index.html', root, { cacheControl: false });
    const encoding = negotiate(req.headers['accept-encoding'], page.body.length);
    reply.header('vary', 'accept-encoding');
    reply.header('etag', etagOf(page.etag, encoding));
    if (notModified(req.headers['if-none-match'], page.etag)) return reply.code(304).send();
    reply.type('text/html; charset=utf-8');
    if (encoding === 'identity') return reply.send(page.body);
    reply.header('content-encoding', encoding);
    return reply.send(precompressed(page, encoding));
  };

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = (req.url.split('?')[0] ?? '/').replace(/\/+$/, '') || '/';
    if (raw === '/api' || raw.startsWith('/api/')) return reply.callNotFound();
    let path: string;
    try {
      path = decodeURIComponent(raw);
    } catch {
      return reply.callNotFound();
    }
    const rel = normalize(path).replace(/^[/\\]+/, '');
    const file = resolve(root, rel);
    const inside = file === root || file.startsWith(root + sep);
    if (rel && rel !== 'index.html' && inside && FILE_RE.test(rel)) {
      if (!existsSync(file) || !statSync(file).isFile()) return reply.callNotFound();
      reply.header(
        'cache-control',
        rel.startsWith(`assets${sep}`) || rel.startsWith('assets/')
          ? 'public, max-age=31536000, immutable'
          : 'public, max-age=3600',
      );
      return reply.sendFile(rel, root, { cacheControl: false });
    }
    return sendIndex(req, reply, path);
  };

  app.get('/', { schema: { hide: true }, config: { policy: policy.public() } }, handler);
  app.get('/*', { schema: { hide: true }, config: { policy: policy.public() } }, handler);
}
