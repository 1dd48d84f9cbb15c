/**
 * GraphQL limits: every number in one place. Depth, aliases, tokens and document size are
 * enforced by validation rules and the parser (see use-query-limits.ts); cost by the complexity plugin.
 */
export const COST_LIMIT = 3000;
export const MAX_DEPTH = 7;
export const MAX_ALIASES = 10;
export const MAX_TOKENS = 1000;
export const MAX_DOCUMENT_CHARS = 10_000;
/** Default and maximum page size of connections. */
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 100;
/** The hosts connection may page further: the fleet table is the product's main view. */
export const MAX_HOSTS_PAGE = 1000;
