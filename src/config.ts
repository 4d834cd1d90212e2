/** Configuration from the environment, read once at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Load the HCMC demo when the database is empty. */
  loadDemo: boolean;
  logLevel: string;
  /** Public base URL (for links in open data and e-mails). */
  publicUrl: string;
  /** Trust X-Forwarded-* from a reverse proxy. */
  trustProxy: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number.parseInt(env.PORT ?? '3000', 10);
  return {
    port: Number.isFinite(port) ? port : 3000,
    host: env.HOST ?? '0.0.0.0',
    dataDir: env.CHISO_DATA_DIR ?? './data',
    databaseUrl: env.DATABASE_URL || undefined,
    loadDemo: env.CHISO_DEMO !== '0',
    logLevel: env.LOG_LEVEL ?? 'info',
    publicUrl: env.CHISO_PUBLIC_URL ?? `http://localhost:${Number.isFinite(port) ? port : 3000}`,
    trustProxy: env.CHISO_TRUST_PROXY === '1',
  };
}
