#!/usr/bin/env node
// Builds the web application (dist/web) when it is missing or older than src/web: `npm start` runs
// this first (prestart). `--force` always builds.
import { register } from 'tsx/esm/api';

register();
const { buildWebIfStale } = await import('../src/cli/build-web.ts');
try {
  const built = await buildWebIfStale({
    force: process.argv.includes('--force'),
    log: (m) => console.log(m),
  });
  console.log(built ? 'web application built in dist/web' : 'web application is up to date (dist/web)');
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
