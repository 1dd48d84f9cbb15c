/**
 * The user's CLI config file ($XDG_CONFIG_HOME/corral/config.json or ~/.config/corral/config.json,
 * mode 0600 because it holds a token), and where the server URL and token come from:
 * flags, then the environment, then the config file.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './exit-codes.js';

export const DEFAULT_URL = 'http://localhost:4000';

export interface CliConfig {
  url?: string;
  token?: string;
  username?: string;
  expiresAt?: string;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'corral', 'config.json');
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const path = configPath(env);
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as CliConfig) : {};
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message} — fix or delete it, then run \`corral login\``);
  }
}

/** Writes atomically with mode 0600 (directory 0700): the file holds a bearer token. */
export function writeConfig(config: CliConfig, env: NodeJS.ProcessEnv = process.env): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask may have narrowed it; never widened, but be explicit
  renameSync(tmp, path);
  return path;
}

export interface Connection {
  url: string;
  token: string | null;
  /** Where the token came from, for error messages. */
  tokenSource: 'flag' | 'env' | 'config' | null;
}

export function resolveConnection(flags: { url?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): Connection {
  const needFile = !flags.url || !flags.token;
  const file = needFile && (!env.CORRAL_URL || !env.CORRAL_TOKEN) ? readConfig(env) : {};
  const url = (flags.url || env.CORRAL_URL || file.url || DEFAULT_URL).replace(/\/+$/, '').replace(/\/graphql$/, '');
  if (!/^https?:\/\//.test(url)) throw new CliError(`server URL must start with http:// or https:// (got "${url}")`, 2);
  if (flags.token) return { url, token: flags.token, tokenSource: 'flag' };
  if (env.CORRAL_TOKEN) return { url, token: env.CORRAL_TOKEN, tokenSource: 'env' };
  // A stored token goes only to the server it was issued by, never to another --url.
  if (file.token && (!file.url || file.url === url)) return { url, token: file.token, tokenSource: 'config' };
  return { url, token: null, tokenSource: null };
}
