/**
 * Build of the web application (src/web → dist/web). The server serves dist/web (src/http/web.ts);
 * `npm start` rebuilds it first when src/web is newer (bin/build-web.mjs).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./src/web'),
  base: '/',
  publicDir: false,
  plugins: [react()],
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
