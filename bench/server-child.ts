/**
 * The chiso API server as the benchmarks run it: a separate process (so that its CPU time and
 * resident memory are its own), on the PostgreSQL database in DATABASE_URL, built with the real
 * buildServer and authenticator, request logging off. It also serves files of BENCH_STATIC_DIR at
 * /bench-static/<name> through @fastify/static with their .br/.gz copies (preCompressed) — the
 * "same JSON as a static file" yardstick — and, on a second port of the same process, the ceiling
 * yardstick: a bare node:http server (no framework, no hooks) answering /<name> with that file's
 * brotli copy read once into memory, i.e. the most this runtime can serve on this machine.
 * Prints `READY <port> <ceiling port>` when listening.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { readConfig } from '../src/config.ts';
import { authenticatorFor } from '../src/http/auth.ts';
import { policy } from '../src/http/policies/index.ts';
import { buildServer } from '../src/http/server.ts';
import { openStore } from '../src/store/db.ts';

const config = { ...readConfig(), loadDemo: false, port: 0, host: '127.0.0.1', logLevel: 'silent' };
const store = await openStore({ databaseUrl: process.env.DATABASE_URL, poolSize: 20 });
const app = await buildServer({ store, config, authenticate: authenticatorFor(store), logger: false });
const dir = process.env.BENCH_STATIC_DIR;
if (dir) {
  await app.register(fastifyStatic, { root: dir, serve: false, decorateReply: false, preCompressed: true });
  app.get<{ Params: { name: string } }>(
    '/bench-static/:name',
    { config: { policy: policy.public() }, schema: { hide: true } },
    (req, reply) => reply.sendFile(req.params.name, dir),
  );
}
const ceiling = createServer();
if (dir) {
  const bodies = new Map<string, Buffer>();
  ceiling.on('request', (req, res) => {
    const name = (req.url ?? '/').slice(1);
    let body = bodies.get(name);
    if (!body && /^[\w.-]+$/.test(name)) {
      body = readFileSync(join(dir, `${name}.br`));
      bodies.set(name, body);
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'br',
      'content-length': body.length,
    });
    res.end(body);
  });
}
await new Promise<void>((r) => ceiling.listen(0, '127.0.0.1', r));
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
const caddr = ceiling.address();
process.stdout.write(
  `READY ${typeof addr === 'object' && addr ? addr.port : 0} ${typeof caddr === 'object' && caddr ? caddr.port : 0}\n`,
);
const stop = async () => {
  ceiling.close();
  await app.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
