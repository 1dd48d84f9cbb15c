/**
 * Queries run compiled by graphql-jit (cached per document): a dashboard page is thousands of
 * fields, and the interpreting executor's per-field work was most of Corral's own time on it.
 * Mutations and subscriptions keep the reference executor.
 *
 * The compiler (graphql-jit, fast-json-stringify, ajv: ~20 ms of module set-up) loads once the
 * server has answered its first GraphQL request, on a later turn: neither start-up nor that first
 * answer waits for it, and queries that arrive meanwhile are interpreted.
 */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../core/logger.js';

export function useCompiledQueries(log: Logger): Plugin & { loadSoon(): void } {
  let compiled: Plugin | undefined;
  let loading: Promise<void> | undefined;
  const load = () => {
    loading ??= import('@envelop/graphql-jit').then(
      ({ useGraphQlJit }) => {
        compiled = useGraphQlJit(
          {},
          {
            enableIf: (args) => getOperationAST(args.document, args.operationName)?.operation === 'query',
            onError: (r) => log.debug('query not compiled, interpreted', { errors: String(r.errors?.map((e) => e.message)) }),
          },
        ) as Plugin;
      },
      (e) => log.warn('graphql-jit did not load: queries are interpreted', { error: String(e) }),
    );
  };
  return {
    loadSoon() {
      if (!loading) setImmediate(load);
    },
    onExecute(payload) {
      return compiled?.onExecute?.(payload);
    },
  };
}
