/** Mutation cycleAndResume: the drain → power cycle → wait for health → resume repair loop. */
import { cycleAndResume } from '../core/actions/cycle-and-resume.js';
import { runCommand } from '../core/command.js';
import { schedulerOf } from '../engines.js';
import { builder } from './builder.js';
import { BulkResult, type BulkShape } from './bulk.js';

builder.mutationField('cycleAndResume', (t) =>
  t.field({
    type: BulkResult,
    description:
      'Drains each host in Slurm with the reason, power cycles it (operators need a POWER_CYCLE recommendation; admins may force), then in the background waits for its ping and ssh checks to pass and resumes it — or leaves it drained with the reason saying it is still unhealthy. Returns whether each host was drained and cycled.',
    authScopes: { operator: true },
    args: {
      hosts: t.arg.stringList({ required: true }),
      reason: t.arg.string({ required: true }),
      force: t.arg.boolean({ required: false, description: 'Admins only: cycle without a recommendation or within the cooldown' }),
      timeoutS: t.arg.int({ required: false, description: 'How long to wait for ping and ssh after the cycle (default 600)' }),
    },
    resolve: async (_root, args, ctx) => {
      const app = ctx.app;
      const scheduler = schedulerOf(app.engines);
      const result = await cycleAndResume(
        {
          db: app.db,
          registry: app.registry,
          pubsub: app.pubsub,
          secrets: app.secrets,
          log: app.log.child({ repair: 'cycle-and-resume' }),
          run: runCommand,
          maxBulk: app.config.maxBulk,
          rate: { perUserPerMinute: app.config.actionRatePerUser, globalPerMinute: app.config.actionRateGlobal },
          checksNow: (rows, kinds) => scheduler.runNow(rows, kinds),
        },
        ctx.principal,
        { hosts: [...args.hosts], reason: args.reason, force: args.force, timeoutS: args.timeoutS, requestId: ctx.requestId },
      );
      return result as BulkShape;
    },
  }),
);
