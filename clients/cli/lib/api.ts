/**
 * GraphQL over HTTP (plain fetch: JSON POST, which also satisfies the server's CSRF rule) with
 * errors turned into one readable line that says what to do.
 */
import type { Connection } from './config.js';
import { CliError } from './exit-codes.js';

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

export interface GqlResponse<T> {
  data?: T | null;
  errors?: GqlError[];
}

/** The server answered with GraphQL errors; `codes` lets a command react (e.g. fall back on an older server). */
export class ApiError extends CliError {
  constructor(
    message: string,
    readonly errors: GqlError[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get codes(): string[] {
    return this.errors.map((e) => e.extensions?.code ?? '').filter(Boolean);
  }
  /** True when the server's schema lacks a field this CLI asked for (an older server). */
  missingField(name: string): boolean {
    return this.errors.some((e) => e.message.includes(`Cannot query field "${name}"`));
  }
}

const TIMEOUT_MS = 120_000;

export class Api {
  constructor(
    readonly connection: Connection,
    private readonly debug: (line: string) => void = () => {},
  ) {}

  get url(): string {
    return this.connection.url;
  }

  /** Sends the operation and returns the whole response, errors included (for `corral query`). */
  async raw<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>> {
    const endpoint = `${this.connection.url}/graphql`;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    if (this.connection.token) headers.authorization = `Bearer ${this.connection.token}`;
    this.debug(`POST ${endpoint} ${JSON.stringify({ query: query.replace(/\s+/g, ' ').trim(), variables })}`);
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (e) {
      throw new CliError(connectionProblem(this.connection.url, e));
    }
    const body = await res.text();
    this.debug(`HTTP ${res.status} ${body.slice(0, 2000)}`);
    let parsed: GqlResponse<T>;
    try {
      parsed = JSON.parse(body) as GqlResponse<T>;
    } catch {
      throw new CliError(`${this.connection.url} answered HTTP ${res.status} with something that is not GraphQL — check --url / CORRAL_URL`);
    }
    if (res.status === 401 || parsed.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) throw new CliError(this.authProblem());
    if (!parsed.data && !parsed.errors) throw new CliError(`${this.connection.url} answered HTTP ${res.status} without data — check --url / CORRAL_URL`);
    return parsed;
  }

  /** Sends the operation; any GraphQL error becomes an ApiError with a readable message. */
  async request<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const r = await this.raw<T>(query, variables);
    if (r.errors?.length) throw new ApiError(describeErrors(r.errors), r.errors);
    return r.data as T;
  }

  private authProblem(): string {
    switch (this.connection.tokenSource) {
      case null:
        return 'not logged in — run `corral login` or set CORRAL_TOKEN';
      case 'flag':
        return 'the token given with --token was refused (expired, revoked or wrong server) — check it or run `corral login`';
      case 'env':
        return 'the token in CORRAL_TOKEN was refused (expired, revoked or wrong server) — set a valid one or run `corral login`';
      default:
        return 'your saved login was refused (expired or revoked) — run `corral login` again';
    }
  }
}

export function describeErrors(errors: GqlError[]): string {
  const first = errors[0]!;
  const code = first.extensions?.code;
  let msg = first.message;
  if (code === 'FORBIDDEN') msg = `permission denied: ${msg}`;
  else if (/^Cannot query field|^Unknown argument|^Unknown type/.test(msg)) msg = `${msg} (the server may be older than this corral CLI)`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return msg + more;
}

function connectionProblem(url: string, e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer from ${url} within ${TIMEOUT_MS / 1000}s — is the server overloaded?`;
  const code = err.cause?.code ?? '';
  const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'unknown host' : err.cause?.message || err.message;
  return `cannot reach the server at ${url} (${why}) — start it with \`corral serve\` or set --url / CORRAL_URL`;
}

/** A typed result union: returns the success member or throws its Error member's message. */
export function unwrap<T extends { __typename?: string }>(result: T & { message?: string; line?: number }, what: string): T {
  if (result.__typename && /Error$/.test(result.__typename)) {
    const where = typeof result.line === 'number' ? ` (line ${result.line})` : '';
    throw new CliError(`${what}: ${result.message ?? result.__typename}${where}`);
  }
  return result;
}
