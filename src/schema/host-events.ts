/** hostUpdated(groups): live host changes, filtered by group on the server. */
import { eq, inArray } from 'drizzle-orm';
import type { Topics } from '../core/pubsub.js';
import { groups, hosts } from '../db/tables/inventory.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { Host } from './host.js';
import { createLoaders } from './loaders.js';

/** Group names → ids at subscribe time; null means "no filter". */
export async function groupFilter(ctx: Context, names: readonly string[] | null | undefined): Promise<Set<string> | null> {
  if (!names?.length) return null;
  const rows = await ctx.app.db.select({ id: groups.id }).from(groups).where(inArray(groups.name, [...names]));
  return new Set(rows.map((r) => r.id));
}

export async function* filtered<T extends { groupIds: string[] }>(source: AsyncIterable<T>, allowed: Set<string> | null, extra?: (e: T) => boolean) {
  for await (const e of source) {
    if (allowed && !e.groupIds.some((g) => allowed.has(g))) continue;
    if (extra && !extra(e)) continue;
    yield e;
  }
}

builder.subscriptionField('hostUpdated', (t) =>
  t.field({
    type: Host,
    description: 'A host changed: health, enabled state, power or Slurm state, inventory.',
    authScopes: { user: true },
    args: { groups: t.arg.stringList({ required: false }) },
    subscribe: async (_root, args, ctx) => filtered<Topics['hostUpdated']>(ctx.app.pubsub.subscribe('hostUpdated', ctx.signal), await groupFilter(ctx, args.groups)),
    resolve: async (event, _args, ctx) => {
      // One context serves every event of a subscription: fresh loaders, or health would be stale.
      ctx.loaders = createLoaders(ctx.app.database);
      const [row] = await ctx.app.db.select().from(hosts).where(eq(hosts.id, event.hostId));
      // A deleted host: resolve to a tombstone-like row would lie; surface an error for this event.
      if (!row) throw new Error('host no longer exists');
      return row;
    },
  }),
);
