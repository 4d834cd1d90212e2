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

export default defineConfig({
  root: here('./src/web'),
  base: '/',
  publicDir: false,
  plugins: [react(), precompress()],
  build: {
    outDir: here('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The budget is enforced on the overview's first load (e2e/bundle.test.ts), not per chunk.
    chunkSizeWarningLimit: 600,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
