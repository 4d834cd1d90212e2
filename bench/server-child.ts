/**
 * The chiso API server as the benchmarks run it: a separate process (so that its CPU time and
 * resident memory are its own), on the PostgreSQL database in DATABASE_URL, built with the real
 * buildServer and authenticator, request logging off. It also serves files of BENCH_STATIC_DIR at
 * /bench-static/<name> through @fastify/static with their .br/.gz copies (preCompressed) — the
 * "same JSON as a static file" yardstick.
 * Prints `READY <port>` when listening.
 */
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
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
process.stdout.write(`READY ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
const stop = async () => {
  await app.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
