/**
 * createServer(config): wires the database, plugins, schema, yoga (HTTP + SSE + GraphiQL),
 * graphql-ws on the same port, and the engines. start() listens; stop() undoes it in reverse.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GraphQLError, getOperationAST } from 'graphql';
import { createYoga, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import type { Config } from './config.js';
import { bearerFrom } from './core/auth/authenticate.js';
import { hashPassword } from './core/auth/passwords.js';
import type { Principal } from './core/auth/principal.js';
import { createPrincipalCache } from './core/auth/principal-cache.js';
import { bootstrapAdmin } from './core/auth/users.js';
import { CorralError } from './core/errors.js';
import { createLogger, type Logger } from './core/logger.js';
import { createRegistry } from './core/plugin-registry.js';
import { createPubSub } from './core/pubsub.js';
import { pruneRateLimits } from './core/rate-limit.js';
import { createSecretBox } from './core/secrets.js';
import { type Database, dataDirOf, openDatabase } from './db/client.js';
import { WEB_DIST_DIR } from './paths.js';
import { createPlugins } from './plugins/all.js';
import type { AppServices, Context } from './schema/context.js';
import { createLoaders } from './schema/loaders.js';
import { buildSchema } from './schema/schema.js';
import { attachGraphqlWs } from './server/graphql-ws.js';
import { renderMetrics } from './server/metrics.js';
import { loadSecretKey } from './server/secret-key.js';
import { useCompiledQueries } from './server/use-compiled-queries.js';
import { useQueryLimits } from './server/use-query-limits.js';
import { withoutNodeRequest } from './server/without-node-request.js';
import { serveWeb } from './server/web.js';

export interface CorralServer {
  app: AppServices;
  /** Listens on config.host:config.port (0 picks a free port); resolves with the URL. */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  /** In-process fetch against the GraphQL endpoint, without a port (tests). */
  fetch(request: Request): Promise<Response>;
  /** Set when the first start created the admin user with a generated password. */
  generatedAdminPassword?: string;
}

/** Engines started with the server (scheduler, liveness …): each returns its stop function. */
export type Engine = (app: AppServices) => Promise<() => Promise<void>>;


export async function createServer(config: Config, options: { log?: Logger; database?: Database; engines?: Engine[] } = {}): Promise<CorralServer> {
  const log = options.log ?? createLogger(config.logLevel);
  // A first boot of the embedded database (no data dir yet) creates the admin: its configured
  // password is hashed (scrypt, on the thread pool) while PGlite runs initdb, not after.
  const firstBoot = !options.database && !config.databaseUrl && !existsSync(join(dataDirOf(config.dataDir), 'PG_VERSION'));
  const adminHash = firstBoot && config.adminPassword ? hashPassword(config.adminPassword) : undefined;
  adminHash?.catch(() => {});
  // The database opens (connect, migrations check) while the schema is built: start-up is I/O on
  // one side and CPU on the other, so neither waits for the other.
  const opening = options.database ? Promise.resolve(options.database) : openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: dataDirOf(config.dataDir) });
  let registry: ReturnType<typeof createRegistry>;
  let schema: ReturnType<typeof buildSchema>;
  try {
    registry = createRegistry(createPlugins(config));
    schema = buildSchema(registry.plugins);
  } catch (e) {
    await opening.then((d) => d.close()).catch(() => {});
    throw e;
  }
  const database = await opening;
  const db = database.db;
  // The event connection (LISTEN) is set up while the admin check runs: two round trips at once.
  const booting = bootstrapAdmin(db, config.adminPassword, adminHash);
  booting.catch(() => {});
  const pubsub = await createPubSub(database, log);
  const secrets = createSecretBox(loadSecretKey(config.secretKey, config.dataDir, log));
  const app: AppServices = { config, database, db, pubsub, log, registry, secrets, engines: {} };
  const principals = createPrincipalCache(db, pubsub);

  const boot = await booting;
  if (boot.created) {
    if (boot.generatedPassword) {
      // Printed once, on purpose: the operator needs it to log in the first time.
      process.stdout.write(`\nCreated user "admin" with password: ${boot.generatedPassword}\n(set CORRAL_ADMIN_PASSWORD to choose it; change it after logging in)\n\n`);
    } else log.info('created user admin from CORRAL_ADMIN_PASSWORD');
  }

  const contextFor = async (principal: Principal, clientAddress: string, signal?: AbortSignal): Promise<Context> => ({
    app,
    principal,
    requestId: randomUUID(),
    clientAddress,
    loaders: createLoaders(database),
    signal,
  });

  // This server's own changes to users, grants or tokens count at once, before the response (the
  // database trigger's notification reaches other servers; here it would come a moment later).
  const forgetPrincipalsAfterUserMutations: Plugin = {
    onExecute({ args }) {
      const byUser = (args.contextValue as Partial<Context>).principal?.kind === 'user';
      if (byUser && getOperationAST(args.document, args.operationName)?.operation === 'mutation') return { onExecuteDone: () => principals.invalidate() };
    },
  };

  const compiledQueries = useCompiledQueries(log);

  type ServerCtx = { principal?: Principal; clientAddress?: string; signal?: AbortSignal };
  // Node's own Request is never used here: see withoutNodeRequest.
  const yoga = withoutNodeRequest(() =>
    createYoga<ServerCtx>({
      schema,
      graphqlEndpoint: '/graphql',
      landingPage: false,
      batching: false,
      graphiql: { title: 'Corral GraphiQL', subscriptionsProtocol: 'WS' },
      // Inline GraphiQL (no CDN), loaded on the first visit rather than at every start.
      renderGraphiQL: async (opts) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(opts),
      logging: {
        debug: (...a) => log.debug(a.map(String).join(' ')),
        info: (...a) => log.info(a.map(String).join(' ')),
        warn: (...a) => log.warn(a.map(String).join(' ')),
        error: (...a) => log.error(a.map(String).join(' ')),
      },
      maskedErrors: {
        maskError(error, message) {
          const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
          if (original instanceof CorralError) {
            return new GraphQLError(original.message, { extensions: { code: original.code, field: original.field } });
          }
          if (error instanceof GraphQLError && !error.originalError) return error;
          if (error instanceof GraphQLError && error.originalError instanceof GraphQLError) return error.originalError;
          const requestId = randomUUID();
          log.error('unexpected error', { requestId, error: String((original as Error)?.stack ?? original) });
          return new GraphQLError(`${message} (request id ${requestId})`, { extensions: { code: 'INTERNAL', requestId } });
        },
      },
      context: async (initial: YogaInitialContext & ServerCtx) => {
        if (initial.principal) return contextFor(initial.principal, initial.clientAddress ?? 'ws', initial.signal);
        const principal = await principals.authenticate(bearerFrom(initial.request.headers.get('authorization')));
        return contextFor(principal, initial.clientAddress ?? initial.request.headers.get('x-corral-client-address') ?? 'local', initial.request.signal);
      },
      plugins: [
        useQueryLimits(),
        forgetPrincipalsAfterUserMutations,
        compiledQueries,
      ],
    }),
  );

  /** CSRF: a browser can send "simple" requests cross-site; GraphQL over those must carry a custom header. */
  const csrfRefused = (req: IncomingMessage): boolean => {
    if (req.method !== 'POST') return false;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const simple = type === '' || type === 'text/plain' || type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
    return simple && !req.headers['x-graphql-yoga-csrf'] && !req.headers['apollo-require-preflight'];
  };

  const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | null> =>
    new Promise((resolveBody, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          resolveBody(null);
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolveBody(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const handleGraphql = async (req: IncomingMessage, res: import('node:http').ServerResponse, clientAddress: string) => {
    if (csrfRefused(req)) {
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'request refused: send Content-Type: application/json (CSRF protection)', extensions: { code: 'CSRF' } }] }));
      return;
    }
    let body: Buffer | undefined;
    if (req.method === 'POST') {
      const declared = Number(req.headers['content-length'] ?? 0);
      const read = declared > config.maxBodyBytes ? null : await readBody(req, config.maxBodyBytes);
      if (read === null) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ errors: [{ message: `request body too large (limit ${config.maxBodyBytes} bytes)`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }));
        return;
      }
      body = read;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    // yoga's own fetch implementation, not Node's global one: loading undici costs ~20 ms at the
    // first request, and yoga would convert between the two.
    const headers = new yoga.fetchAPI.Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    headers.set('x-corral-client-address', clientAddress);
    const request = new yoga.fetchAPI.Request(`http://localhost${req.url}`, { method: req.method, headers, body: body ? new Uint8Array(body) : undefined, signal: abort.signal });
    const response = await yoga.fetch(request, { clientAddress });
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      outHeaders[k] = v;
    });
    res.writeHead(response.status, outHeaders);
    if (!response.body) return void res.end();
    // yoga's Response may be a ponyfill stream: copy chunks rather than Readable.fromWeb.
    const reader = response.body.getReader();
    abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  };

  const httpServer: Server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const clientAddress = req.socket.remoteAddress ?? 'unknown';
    const fail = (e: unknown) => {
      log.error('request failed', { error: String(e) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    };
    if (url.pathname === '/healthz') {
      db.execute('SELECT 1' as never)
        .then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', database: database.kind })))
        .catch(() => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'database unreachable' })));
      return;
    }
    if (url.pathname === '/metrics') {
      renderMetrics(db)
        .then((text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text))
        .catch(fail);
      return;
    }
    if (url.pathname === '/graphql') {
      handleGraphql(req, res, clientAddress)
        .catch(fail)
        .finally(() => compiledQueries.loadSoon());
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveWeb(config.webDir ?? WEB_DIST_DIR, url.pathname, res);
  });

  // Longer than Node's 5 s default, so clients (and proxies) reusing an idle keep-alive connection
  // do not race the server closing it.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  const ws = attachGraphqlWs({ httpServer, yoga, db, pubsub });
  app.engines.subscriptions = ws.hub;

  const stops: Array<() => Promise<void>> = [];
  const pruneTimer = setInterval(() => void pruneRateLimits(db).catch(() => {}), 3600_000);
  pruneTimer.unref();

  let started = false;
  return {
    app,
    generatedAdminPassword: boot.generatedPassword,
    fetch: async (request) => yoga.fetch(request, { clientAddress: 'in-process' }),
    async start() {
      for (const engine of options.engines ?? []) stops.push(await engine(app));
      await new Promise<void>((resolveListen, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => resolveListen());
      });
      started = true;
      const port = (httpServer.address() as AddressInfo).port;
      return { url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`, port };
    },
    async stop() {
      clearInterval(pruneTimer);
      for (const stop of stops.reverse()) await stop().catch((e) => log.error('engine stop failed', { error: String(e) }));
      await ws.close();
      if (started) {
        httpServer.closeAllConnections();
        await new Promise<void>((r) => httpServer.close(() => r()));
      }
      principals.close();
      await pubsub.close();
      await database.close();
    },
  };
}
