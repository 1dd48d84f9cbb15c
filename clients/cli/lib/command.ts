/** What a command module exports, and the per-run context (streams, env, the API client). */
import { Api } from './api.js';
import { resolveConnection } from './config.js';
import type { ExitCode } from './exit-codes.js';
import { type Format, Output, formatFrom } from './output.js';

export interface Context {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export type Run = (argv: string[], ctx: Context) => Promise<ExitCode | undefined>;

export interface Subcommand {
  summary: string;
  /** Full help: usage, description, options, examples (global options and exit codes are appended). */
  help: string;
  run: Run;
}

export interface Command {
  summary: string;
  help: string;
  /** Either a run function, or subcommands (`corral hosts list`). */
  run?: Run;
  subcommands?: Record<string, Subcommand>;
}

interface CommonValues {
  url?: string;
  token?: string;
  json?: boolean;
  csv?: boolean;
  debug?: boolean;
  'no-color'?: boolean;
}

/** The output for a command's flags (format, colour). */
export function output(values: CommonValues, ctx: Context, command: string): Output {
  const format: Format = formatFrom(values, command);
  return new Output({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env }, format, { noColor: values['no-color'] });
}

/** The API client from flags, environment and config file (in that order). */
export function api(values: CommonValues, ctx: Context): Api {
  const debug = values.debug || ctx.env.CORRAL_DEBUG ? (l: string) => ctx.stderr.write(`debug: ${l}\n`) : undefined;
  return new Api(resolveConnection({ url: values.url, token: values.token }, ctx.env), debug);
}
