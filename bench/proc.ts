/** Child processes for the benchmarks: the API server, and a process's resident memory. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Child {
  proc: ChildProcess;
  port: number;
  url: string;
  /** The bare node:http yardstick of the same process (server-child.ts). */
  ceilingUrl: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Stops the server processes still running (a suite that failed before stopping its server). */
export async function stopAllServers(): Promise<void> {
  await Promise.all(
    [...live].map(
      (p) =>
        new Promise<void>((r) => {
          if (p.exitCode !== null) return r();
          p.once('exit', () => r());
          p.kill('SIGTERM');
        }),
    ),
  );
}

export function startServer(env: Record<string, string>): Promise<Child> {
  return new Promise((resolve, reject) => {
    // BENCH_SERVER_NODE_ARGS: extra node options for the server process, e.g. a CPU profile
    // (`--cpu-prof --cpu-prof-dir=/tmp/prof`), which NODE_OPTIONS does not allow.
    const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const proc = spawn(process.execPath, [...extra, 'bin/run-ts.mjs', 'bench/server-child.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stderr!.on('data', (b) => {
      err += String(b);
    });
    proc.stdout!.on('data', (b) => {
      out += String(b);
      const m = /READY (\d+) (\d+)\n/.exec(out);
      if (m) {
        const port = Number(m[1]);
        live.add(proc);
        proc.once('exit', () => live.delete(proc));
        resolve({
          proc,
          port,
          url: `http://127.0.0.1:${port}`,
          ceilingUrl: `http://127.0.0.1:${m[2]}`,
          stop: () =>
            new Promise<void>((r) => {
              if (proc.exitCode !== null) return r();
              proc.once('exit', () => r());
              proc.kill('SIGTERM');
            }),
        });
      }
    });
    proc.once('close', (code) => reject(new Error(`server exited with ${code}: ${err.slice(-2000)}`)));
  });
}

/** VmRSS and VmHWM of a process in MB (Linux /proc). */
export function rssOf(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
