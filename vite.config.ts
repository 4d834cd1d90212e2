/**
 * Build of the web application (src/web → dist/web). The server serves dist/web (src/http/web.ts);
 * `npm start` rebuilds it first when src/web is newer (bin/build-web.mjs).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Writes a brotli (.br) and a gzip (.gz) copy next to every text file of the build, which the
 * server sends to browsers that accept them (@fastify/static preCompressed, src/http/web.ts).
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'chiso-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
        );
      for (const file of walk(outDir)) {
        if (!/\.(?:js|mjs|css|html|json|svg|txt)$/.test(file)) continue;
        const buf = readFileSync(file);
        if (buf.length < 512) continue;
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(buf, { level: 9 }));
      }
    },
  };
}

/**
 * The entry (src/web/main.tsx) starts the application in steps that import their code (React's DOM
 * renderer, then app.tsx): the page preloads those files and the files they import, as it does the
 * entry's own imports, so that every step finds its code there and no step waits for a request.
 */
/** The modules main.tsx imports as its steps: boot.ts, React's DOM renderer, the routes, the application. */
const START_STEPS = [
  /[\\/]src[\\/]web[\\/]boot\.ts$/,
  /[\\/]react-dom[\\/]client\.js$/,
  /[\\/]src[\\/]web[\\/]routes[\\/]router\.tsx$/,
  /[\\/]src[\\/]web[\\/]app\.tsx$/,
];

function preloadStartSteps(): Plugin {
  return {
    name: 'chiso-preload-start-steps',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        const entry = ctx.chunk;
        if (!bundle || !entry) return html;
        const files = new Set<string>();
        const visit = (file: string) => {
          const chunk = bundle[file];
          if (files.has(file) || !chunk || chunk.type !== 'chunk') return;
          files.add(file);
          for (const i of chunk.imports) visit(i);
        };
        for (const d of entry.dynamicImports) {
          const chunk = bundle[d];
          if (chunk?.type === 'chunk' && START_STEPS.some((re) => re.test(chunk.facadeModuleId ?? '')))
            visit(d);
        }
        const tags = [...files]
          .filter((f) => !html.includes(`/${f}"`))
          .map((f) => `\n    <link rel="modulepreload" crossorigin href="/${f}">`)
          .join('');
        return html.replace(/\n\s*<\/head>/, `${tags}\n  </head>`);
      },
    },
  };
}

export default defineConfig({
  root: here('./src/web'),
  base: '/',
  publicDir: false,
  plugins: [react(), preloadStartSteps(), precompress()],
  build: {
    outDir: here('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The budget is enforced on the overview's first load (e2e/bundle.test.ts), not per chunk.
    chunkSizeWarningLimit: 600,
    modulePreload: { polyfill: false },
    // .vite/manifest.json: the server preloads the code of the page it renders (src/http/web.ts)
    manifest: true,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
