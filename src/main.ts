/** `corral serve`: validated config, the server, and a clean shutdown on SIGINT/SIGTERM. */
import { loadConfigOrExit } from './config.js';
import { DatabaseOpenError, DataDirLockedError } from './db/client.js';
import { createLogger } from './core/logger.js';
import { createServer } from './server.js';
import { defaultEngines } from './engines.js';

export async function serve(overrides: Parameters<typeof loadConfigOrExit>[1] = {}): Promise<void> {
  const config = loadConfigOrExit(process.env, overrides);
  const log = createLogger(config.logLevel);
  let server: Awaited<ReturnType<typeof createServer>>;
  try {
    server = await createServer(config, { log, engines: defaultEngines(config) });
  } catch (e) {
    if (e instanceof DataDirLockedError || e instanceof DatabaseOpenError) {
      process.stderr.write(`corral: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const { url } = await server.start();
  log.info(`Corral is listening on ${url} (GraphiQL ${url}/graphql, database ${server.app.database.kind})`);
  process.stdout.write(`Corral ready: ${url}  (GraphiQL: ${url}/graphql)\n`);
  // Started from dist (scripts/run-bundle.cjs): save the V8 code cache once the first requests
  // have compiled what start-up needs, so the next start skips that work.
  const writeCodeCache = (globalThis as Record<symbol, (() => void) | undefined>)[Symbol.for('corral.writeCodeCache')];
  if (writeCodeCache) setTimeout(writeCodeCache, 3000).unref();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down');
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
