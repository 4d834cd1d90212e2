/**
 * startup_ms_demo: `node bin/chiso.mjs serve` with the demo on PGlite (the default, no
 * DATABASE_URL), from process start to its "chiso ready" line — on a fresh data folder
 * (migrations, demo load) and, in the full run, again on the folder it left. The figure is the
 * fresh start; the restart is in the detail (--quick skips the restart: it is not a figure).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Context } from './run.ts';

function startOnce(dataDir: string): Promise<{ ms: number; line: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CHISO_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    const t = performance.now();
    const proc = spawn(process.execPath, ['bin/chiso.mjs', 'serve'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let done = false;
    proc.stderr.on('data', (b) => {
      err += String(b);
    });
    proc.stdout.on('data', (b) => {
      out += String(b);
      const m = /chiso ready on [^\n]*/.exec(out);
      if (m && !done) {
        done = true;
        const ms = performance.now() - t;
        proc.once('close', () => resolve({ ms, line: m[0] }));
        proc.kill('SIGTERM');
      }
    });
    proc.once('close', (code) => {
      if (!done) reject(new Error(`chiso serve exited with ${code}: ${(err || out).slice(-1500)}`));
    });
  });
}

export async function run(ctx: Context, want: (n: string) => boolean): Promise<void> {
  if (!want('startup_ms_demo')) return;
  const dir = join(ctx.opts.tmp, 'startup-data');
  const fresh = await startOnce(dir);
  const again = ctx.opts.quick ? null : await startOnce(dir);
  const detail = {
    fresh_ms: Math.round(fresh.ms),
    existing_ms: again ? Math.round(again.ms) : null,
    fresh_line: fresh.line,
    existing_line: again ? again.line : 'not run in --quick',
  };
  ctx.opts.log(`startup: ${JSON.stringify(detail)}`);
  ctx.figures.set('startup_ms_demo', {
    name: 'startup_ms_demo',
    value: Math.round(fresh.ms),
    unit: 'ms',
    scale: `demo on PGlite, fresh data folder${again ? ` (existing folder: ${Math.round(again.ms)} ms)` : ''}`,
    detail,
  });
}
