/**
 * The one urql client: HTTP for queries and mutations, graphql-ws (same path) for subscriptions,
 * both carrying the session token. An UNAUTHENTICATED error anywhere ends the session.
 */
import { createClient as createWsClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';

export interface ApiClient {
  client: Client;
  dispose(): void;
}

export function createApiClient(token: string, onUnauthenticated: () => void): ApiClient {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    connectionParams: { authorization: `Bearer ${token}` },
    // Keep retrying through server restarts; a 4403 close means the token is gone.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (e) => !(e && typeof e === 'object' && 'code' in e && (e as CloseEvent).code === 4403),
    on: {
      closed: (e) => {
        if (e && typeof e === 'object' && 'code' in e && (e as CloseEvent).code === 4403) onUnauthenticated();
      },
    },
  });
  const client = new Client({
    url: '/graphql',
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    // Mutations and live data: results are patched by subscriptions, not served stale from cache.
    requestPolicy: 'cache-and-network',
    exchanges: [
      mapExchange({
        onError(error) {
          const unauth = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || error.response?.status === 401;
          if (unauth) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}

/** The first error code of a urql error (extensions.code), for messages a user can act on. */
export function errorMessage(error: { graphQLErrors?: { message: string; extensions?: Record<string, unknown> }[]; message: string } | undefined | null): string | null {
  if (!error) return null;
  const g = error.graphQLErrors?.[0];
  if (g) return g.extensions?.code ? `${g.message} (${String(g.extensions.code)})` : g.message;
  return error.message;
}
