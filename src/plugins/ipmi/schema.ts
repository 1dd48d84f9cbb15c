/** GraphQL for IPMI: Host.power (asked live, bounded by the session limit) and powerAction. */
import type { Builder, HostShape, SchemaRefs } from '../../schema/plugin-api.js';
import type { CommandRunner } from '../../core/command.js';
import { getPowerView, type PowerView } from './live.js';
import { lastPowerChange } from './power-history.js';

export function createIpmiSchema(limitedRun: (ctx: { run: CommandRunner }) => CommandRunner, run: CommandRunner) {
  return (builderArg: unknown, refsArg: unknown): void => {
    const builder = builderArg as Builder;
    const refs = refsArg as SchemaRefs;

    const HostPower = builder.objectRef<PowerView & { lastChangedAt: Date | null }>('HostPower').implement({
      description: 'Chassis power as the BMC reports it now.',
      fields: (t) => ({
        reachable: t.exposeBoolean('reachable'),
        state: t.exposeString('state', { description: 'on, off or unknown' }),
        lastChangedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.lastChangedAt }),
        error: t.string({ nullable: true, resolve: (p) => p.error ?? null }),
      }),
    });

    builder.objectField(refs.Host, 'power', (t) =>
      t.field({
        type: HostPower,
        nullable: true,
        description: 'Null when the host has no BMC settings.',
        resolve: async (h: HostShape, _a, ctx) => {
          const target = await refs.target(ctx, h, 'ipmi');
          if (!target.settings) return null;
          const view = await getPowerView(target, limitedRun({ run }), { timeoutMs: 10_000 });
          const change = await lastPowerChange(refs.state(ctx, 'ipmi'), h.id);
          return { ...view, lastChangedAt: change?.changedAt ?? null };
        },
      }),
    );

    const PowerActionEnum = builder.enumType('PowerAction', { values: ['ON', 'OFF', 'CYCLE', 'RESET', 'SOFT'] as const });

    builder.mutationField('powerAction', (t) =>
      t.field({
        type: refs.BulkResult,
        description:
          'Chassis power through each host’s BMC, state read back. Needs a reason; operators need a POWER_CYCLE recommendation for OFF/CYCLE/RESET; at most CORRAL_MAX_BULK hosts unless an admin forces; dryRun says what would happen; the same idempotencyKey within 5 minutes does not act twice.',
        authScopes: { operator: true },
        args: {
          hosts: t.arg.stringList({ required: true }),
          action: t.arg({ type: PowerActionEnum, required: true }),
          reason: t.arg.string({ required: true }),
          dryRun: t.arg.boolean({ required: false }),
          force: t.arg.boolean({ required: false }),
          idempotencyKey: t.arg.string({ required: false }),
        },
        resolve: (_r, a, ctx) =>
          refs.runAction(ctx, {
            actionId: 'ipmi.power',
            hosts: [...a.hosts],
            params: { action: a.action.toLowerCase() },
            reason: a.reason,
            dryRun: a.dryRun,
            force: a.force,
            idempotencyKey: a.idempotencyKey,
          }),
      }),
    );
  };
}
