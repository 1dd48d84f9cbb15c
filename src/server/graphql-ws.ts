/**
 * graphql-ws on the HTTP server's port, through the same yoga envelop (plugins, limits, context):
 * the token is checked at connection_init (4403; no init within 3 s: 4408) and again for every
 * operation, sockets close when their token is revoked, and subscriptions with the same document,
 * variables and rights share one execution whose results are written once per event.
 */
import type { Server } from 'node:http';
import { GraphQLError } from 'graphql';
import type { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { authenticate, bearerFrom } from '../core/auth/authenticate.js';
import type { Principal } from '../core/auth/principal.js';
import type { PubSub } from '../core/pubsub.js';
import type { Db } from '../db/client.js';
import { SubscriptionHub } from './subscription-hub.js';

/** Who may share a subscription execution: the same kind of principal with the same grants. */
function rightsKey(p: Principal): string {
  if (p.kind === 'user') return `user:${JSON.stringify(p.grants.map((g) => [g.role, g.groupId]).sort())}`;
  if (p.kind === 'agent') return `agent:${p.agentId}`;
  return 'anonymous';
}

type Extra = { principal?: Principal; token?: string | null };

const CLOSE_BRACE = Buffer.from('}');
/** The message is built as bytes but is JSON: a text frame, as graphql-ws expects. */
const AS_TEXT = { binary: false } as const;

export function attachGraphqlWs(opts: { httpServer: Server; yoga: YogaServerInstance<any, any>; db: Db; pubsub: PubSub }) {
  const { httpServer, yoga, db, pubsub } = opts;
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const hub = new SubscriptionHub();
  const socketsByToken = new Map<string, Set<{ close(code: number, reason: string): void }>>();
  const offRevoked = pubsub.on('tokenRevoked', ({ tokenId }) => {
    for (const s of socketsByToken.get(tokenId) ?? []) s.close(4403, 'Forbidden: token revoked');
    socketsByToken.delete(tokenId);
  });
  const wsCleanup = useServer(
    {
      connectionInitWaitTimeout: 3000,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const raw = typeof params.authorization === 'string' ? params.authorization : typeof params.token === 'string' ? `Bearer ${params.token}` : null;
        const principal = await authenticate(db, bearerFrom(raw));
        if (principal.kind === 'anonymous') {
          ctx.extra.socket.close(4403 as CloseCode, 'Forbidden');
          return false;
        }
        (ctx.extra as Extra).principal = principal;
        (ctx.extra as Extra).token = bearerFrom(raw);
        const set = socketsByToken.get(principal.tokenId) ?? new Set();
        set.add(ctx.extra.socket);
        socketsByToken.set(principal.tokenId, set);
        ctx.extra.socket.once('close', () => set.delete(ctx.extra.socket));
        return true;
      },
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onSubscribe: async (ctx, id, payload) => {
        // Authenticated again for every operation: grants may have changed since connection_init.
        const principal = await authenticate(db, (ctx.extra as Extra).token ?? null);
        if (principal.kind === 'anonymous') {
          ctx.extra.socket.close(4403 as CloseCode, 'Forbidden: token no longer valid');
          return [new GraphQLError('authentication required: log in or send a bearer token', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        const socketClosed = new AbortController();
        ctx.extra.socket.once('close', () => socketClosed.abort());
        const enveloped = (signal: AbortSignal) =>
          yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params: payload,
            principal,
            clientAddress: ctx.extra.request.socket.remoteAddress ?? 'ws',
            signal,
          });
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = enveloped(socketClosed.signal);
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (e) {
          return [e instanceof GraphQLError ? e : new GraphQLError(String(e))];
        }
        const errors = validate(s, document);
        if (errors.length) return errors;
        const args = {
          schema: s,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } as Record<string, unknown>,
        };
        // Subscriptions with the same document, variables and rights share one execution.
        const key = JSON.stringify([payload.query, payload.operationName ?? null, payload.variables ?? null, rightsKey(principal)]);
        const socket = ctx.extra.socket;
        const tcp = ctx.extra.request.socket;
        const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
        const next = (json: Buffer) => socket.send(Buffer.concat([prefix, json, CLOSE_BRACE]), AS_TEXT);
        args.rootValue.subscribe = (a: typeof args) =>
          hub.join(
            key,
            async (sharedSignal) => {
              const shared = enveloped(sharedSignal);
              return shared.subscribe({ ...a, contextValue: await shared.contextFactory() }) as never;
            },
            // graphql-ws "next" messages written straight to the socket: one serialisation per event,
            // and per socket only the bytes copied around it (no re-encoding). Several at once are
            // corked on the TCP socket (the one ws took over at the upgrade), so they leave in one
            // write instead of one per message.
            {
              send: (jsons) => {
                if (jsons.length === 1) return next(jsons[0]!);
                tcp.cork();
                try {
                  for (const json of jsons) next(json);
                } finally {
                  tcp.uncork();
                }
              },
              buffered: () => socket.bufferedAmount,
            },
          );
        return args;
      },
    },
    wss,
  );
  return {
    hub,
    async close() {
      offRevoked();
      await wsCleanup.dispose();
      wss.close();
    },
  };
}
