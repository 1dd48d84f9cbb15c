/** Printing a BulkResult (power, slurm, boinc, hosts rm/enable/disable) and its exit code. */
import { unwrap } from './api.js';
import { api, type Context, output } from './command.js';
import { bulkExitCode, CliError, type ExitCode } from './exit-codes.js';
import type { Output } from './output.js';
import { confirm } from './prompt.js';

export const BULK_FIELDS = 'dryRun okCount failedCount outcomes { host ok message details } auditEvent { id outcome }';

export interface BulkResult {
  dryRun: boolean;
  okCount: number;
  failedCount: number;
  outcomes: { host: string; ok: boolean; message: string; details?: unknown }[];
  auditEvent?: { id: string; outcome: string } | null;
}

export function printBulk(out: Output, result: BulkResult, what: string): ExitCode {
  out.table(
    [
      { header: 'HOST', value: (o) => o.host },
      { header: 'RESULT', value: (o) => (result.dryRun ? (o.ok ? 'would' : 'refused') : o.ok ? 'ok' : 'FAILED'), colour: (o) => (o.ok ? 'green' : 'red') },
      { header: 'MESSAGE', value: (o) => o.message },
    ],
    result.outcomes,
    result,
  );
  if (out.format === 'table') {
    const prefix = result.dryRun ? `dry run, nothing changed: ${what}` : what;
    out.note(`${prefix}: ${result.okCount} ok, ${result.failedCount} failed`);
  }
  return bulkExitCode(result.okCount, result.failedCount);
}

/**
 * Runs one host-action mutation returning a BulkResult: asks first when `confirmQuestion` is set
 * (not for dry runs), shows progress on a terminal, prints outcomes, returns 0/3/1.
 */
export async function runBulkAction(opts: {
  ctx: Context;
  values: { json?: boolean; csv?: boolean; yes?: boolean; url?: string; token?: string; debug?: boolean; 'no-color'?: boolean };
  command: string;
  mutation: string;
  variables: Record<string, unknown>;
  field: string;
  what: string;
  confirmQuestion?: string;
  dryRun?: boolean;
}): Promise<ExitCode> {
  const { ctx, values, command } = opts;
  const out = output(values, ctx, command);
  if (opts.confirmQuestion && !opts.dryRun && !(await confirm(opts.confirmQuestion, { yes: values.yes, command }))) throw new CliError('cancelled, nothing changed');
  const progress = out.progress(`${opts.what}…`, 1);
  let data: Record<string, BulkResult & { __typename?: string; message?: string }>;
  try {
    data = await api(values, ctx).request(opts.mutation, opts.variables);
  } finally {
    progress.done();
  }
  return printBulk(out, unwrap(data[opts.field]!, command), opts.what);
}
