/** Exit codes (documented in `corral --help`) and the one error type commands throw. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  /** Some hosts succeeded and some failed. */
  PARTIAL: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  failure (server refused, not logged in, cannot connect …)
  2  usage error (unknown command or option, missing argument)
  3  partial: some hosts succeeded, some failed`;

/** An error meant for the user: printed as one line `corral: message`, never with a stack (unless --debug). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(
    message: string,
    /** The command whose --help to point at, e.g. "hosts add". */
    readonly command?: string,
  ) {
    super(message, EXIT.USAGE);
    this.name = 'UsageError';
  }
}

/** 0 when everything succeeded, 3 when some did, 1 when none did (or nothing ran and something failed). */
export function bulkExitCode(okCount: number, failedCount: number): ExitCode {
  if (failedCount === 0) return EXIT.OK;
  return okCount > 0 ? EXIT.PARTIAL : EXIT.FAILURE;
}
