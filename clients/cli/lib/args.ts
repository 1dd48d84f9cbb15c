/** Argument parsing on node:util parseArgs: the global options every command takes, and small value helpers. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit-codes.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Accepted by every command. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'no-color': { type: 'boolean' },
} as const satisfies Options;

export const FORMAT_OPTIONS = {
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
} as const satisfies Options;

export const GLOBAL_OPTIONS_HELP = `Global options:
  --url URL        server (default: $CORRAL_URL, the config file, http://localhost:4000)
  --token TOKEN    bearer token (default: $CORRAL_TOKEN, then the config file from \`corral login\`)
  --no-color       no colours even on a terminal (also NO_COLOR=1)
  --debug          show stack traces and the HTTP exchange
  -h, --help       this help`;

/** parseArgs with the global options added; a bad option is a usage error (exit 2) naming the command. */
export function parse<const O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    // node's messages are long and mention `args`/`strict`; keep the first sentence.
    const msg = (e as Error).message.split('. ')[0]!.replace(/^Unknown option/, 'unknown option');
    throw new UsageError(msg, command);
  }
}

/** "a,b" and repeated flags → ['a', 'b']; empty → undefined (meaning "all"). */
export function list(value: string | string[] | boolean | undefined): string[] | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

/** k=v pairs → object; a value that is not k=v is a usage error. */
export function keyValues(values: string[] | undefined, what: string, command: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`${what} must be KEY=VALUE (got "${kv}")`, command);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function requireArg(value: string | undefined, name: string, command: string): string {
  if (!value) throw new UsageError(`missing ${name}`, command);
  return value;
}

export function requireHosts(positionals: string[], command: string): string[] {
  if (positionals.length === 0) throw new UsageError('name at least one host (names, ranges like node[01-04], or @group)', command);
  return positionals;
}

export function intOption(value: string | undefined, name: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number (got "${value}")`, command);
  return Number(value);
}

/** One of a fixed set, case-insensitive, returned upper-case for a GraphQL enum. */
export function enumArg(value: string | undefined, allowed: readonly string[], name: string, command: string): string {
  if (!value) throw new UsageError(`missing ${name} (one of ${allowed.join(', ')})`, command);
  const v = value.toLowerCase();
  if (!allowed.includes(v)) throw new UsageError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`, command);
  return v.toUpperCase();
}
