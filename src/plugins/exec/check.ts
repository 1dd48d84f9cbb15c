/**
 * CheckKind `exec`: runs a Nagios-compatible `check_*` program once per host, never through a shell.
 * Admin-only, and only programs inside the allowed plugin directories run.
 *
 * Each host's run gets the check's timeout (ctx.timeoutMs) on its own, and at most `concurrency`
 * runs go at once, so one hung host costs one slot for one timeout and never delays the others.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import type { CheckContext, CheckKind, CheckOutcome, HostTarget } from '../../core/plugin.js';
import { type ArgvTemplate, compileArgvTemplate, renderArgv } from './argv-template.js';
import { outcomeFromRun } from './outcome.js';
import { type ResolvedProgram, resolveProgram } from './program-policy.js';

export interface ExecCheckOptions {
  /** Directories whose programs may run; anything else is refused. */
  allowedDirs: readonly string[];
}

/** Output kept per run; a plugin that floods cannot exhaust memory across a batch. */
const MAX_OUTPUT_BYTES = 64 * 1024;

export function execParamsSchema(opts: ExecCheckOptions) {
  return z
    .object({
      /** Absolute path inside an allowed directory, or a bare name found in one (e.g. "check_disk"). */
      program: z.string().min(1).max(4096),
      /** Arguments with placeholders {host}, {address}, {id}, {label:NAME}. */
      args: z.array(z.string().max(4096)).max(256).default([]),
      /** Runs in flight at once within one batch. */
      concurrency: z.number().int().min(1).max(64).default(8),
    })
    .superRefine((p, zctx) => {
      // Refused when the check is defined, with the same message the run would give.
      try {
        resolveProgram(p.program, opts.allowedDirs);
      } catch (e) {
        zctx.addIssue({ code: 'custom', message: (e as Error).message, path: ['program'] });
      }
      try {
        compileArgvTemplate(p.args);
      } catch (e) {
        zctx.addIssue({ code: 'custom', message: (e as Error).message, path: ['args'] });
      }
    });
}

export type ExecParams = z.infer<ReturnType<typeof execParamsSchema>>;

export function createExecCheck(opts: ExecCheckOptions): CheckKind<ExecParams> {
  const allowedDirs = [...opts.allowedDirs];
  return {
    description: `Runs a Nagios-compatible check_* program per host (from ${allowedDirs.join(', ')}); exit code gives the status, perfdata the metrics`,
    params: execParamsSchema({ allowedDirs }),
    defaults: { intervalS: 300, timeoutS: 30 },
    adminOnly: true,
    async run(targets, params, ctx) {
      // Checked again at run time: the file system may have changed since the check was defined.
      // A refusal throws, since nothing could be checked; the scheduler records UNKNOWN with the message.
      const program = resolveProgram(params.program, allowedDirs);
      const template = compileArgvTemplate(params.args);
      const outcomes: CheckOutcome[] = new Array(targets.length);
      let next = 0;
      const worker = async () => {
        for (;;) {
          const i = next++;
          const target = targets[i];
          if (!target) return;
          outcomes[i] = await runOne(target, program, template, ctx);
        }
      };
      await Promise.all(Array.from({ length: Math.min(params.concurrency, targets.length) }, worker));
      return outcomes;
    },
  };
}

async function runOne(
  target: HostTarget,
  program: ResolvedProgram,
  template: ArgvTemplate,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const name = basename(program.path);
  if (ctx.signal.aborted) {
    return { hostId: target.id, status: 'UNKNOWN', summary: `${name} not run: the check was aborted`, durationMs: 0 };
  }
  const rendered = renderArgv(template, target);
  if (!rendered.ok) {
    return { hostId: target.id, status: 'UNKNOWN', summary: `${name} not run: ${rendered.error}`, durationMs: 0 };
  }
  const res = await ctx.run(program.path, rendered.argv, {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    cwd: '/',
    maxOutputBytes: MAX_OUTPUT_BYTES,
  });
  return outcomeFromRun(target.id, name, res, { timeoutMs: ctx.timeoutMs, aborted: ctx.signal.aborted });
}
