/**
 * Serves the web application (dist/web, built by Vite from src/web): its files, and index.html for
 * every other non-API path so that the browser's router can show the page (SPA fallback). Hashed
 * assets are cached for a year; index.html is revalidated on every visit so a release shows at once.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChisoError } from '../core/errors.ts';
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

export default async function webRoutes(app: App, options: { dir?: string } = {}): Promise<void> {
  const root = resolve(options.dir ?? process.env.CHISO_WEB_DIR ?? WEB_DIR);
  // preCompressed: the build's .br/.gz copies go to browsers that accept them (vite.config.ts).
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(join(root, 'index.html'))) throw notBuilt();
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', root, { cacheControl: false });
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
    return sendIndex(reply);
  };

  app.get('/', { schema: { hide: true }, config: { policy: policy.public() } }, handler);
  app.get('/*', { schema: { hide: true }, config: { policy: policy.public() } }, handler);
}
