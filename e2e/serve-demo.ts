/**
 * A server over an in-memory demo database for working on the web application by hand:
 * `node bin/run-ts.mjs e2e/serve-demo.ts [port]` (builds dist/web first when it is stale).
 */
import { loadDemo } from '../src/app/demo/load-demo.ts';
import { buildWebIfStale } from '../src/cli/build-web.ts';
import { readConfig } from '../src/config.ts';
import { authenticatorFor } from '../src/http/auth.ts';
import { buildServer } from '../src/http/server.ts';
import { openStore } from '../src/store/db.ts';

const port = Number(process.argv[2] ?? 3900);
await buildWebIfStale({ log: console.log });
const store = await openStore({ dataDir: 'memory://' });
await loadDemo(store);
const app = await buildServer({ store, config: readConfig({}), authenticate: authenticatorFor(store) });
await app.listen({ port, host: '127.0.0.1' });
console.log(`demo server on http://127.0.0.1:${port}`);
