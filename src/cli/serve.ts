/**
 * `chiso serve`: opens the database (PGlite data folder or DATABASE_URL), applies migrations, loads
 * the HCMC demo into an empty database, and serves the API and the web application.
 */
import type { Config } from '../config.ts';
import { bootstrapAccounts } from '../app/auth/bootstrap.ts';
import { isEmpty, loadDemo } from '../app/demo/load-demo.ts';
import { buildServer } from '../http/server.ts';
import { openStore, type Store } from '../store/db.ts';

export interface Running {
  url: string;
  store: Store;
  stop(): Promise<void>;
}

export async function serve(config: Config, log: (msg: string) => void = console.log): Promise<Running> {
  const started = Date.now();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (config.loadDemo && (await isEmpty(store))) {
      const s = await loadDemo(store);
      // The demo's reporting rounds (commune indicators 2025, the 2024 key tasks): a few inserts.
      const { loadDemoRounds } = await import('../app/rounds/demo-rounds.ts');
      await store.db.transaction((tx) => loadDemoRounds(tx));
      log(
        `demo loaded: ${s.units} units, ${s.indicators} indicators, ${s.targets} targets, ${s.values} reported values, ${s.synthetic_values} synthetic values`,
      );
    }
    await bootstrapAccounts(store, process.env, log);
    const { authenticatorFor } = await import('../http/auth.ts');
    const app = await buildServer({
      store,
      config,
      authenticate: authenticatorFor(store),
      logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    });
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const url = `http://localhost:${port}`;
    log(`chiso ready on ${url} (${store.kind}, ${Date.now() - started} ms)`);
    let stopping: Promise<void> | undefined;
    return {
      url,
      store,
      stop() {
        stopping ??= (async () => {
          await app.close();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
