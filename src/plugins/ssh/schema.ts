/** GraphQL for SSH: Host.disks, read live over the pooled connection the checks use. */
import { GraphQLError } from 'graphql';
import type { Builder, HostShape, SchemaRefs } from '../../schema/plugin-api.js';
import { type Disk, getDisks, SshLiveError } from './live.js';
import type { SshSessionPool } from './session-pool.js';

export function createSshSchema(pool: SshSessionPool) {
  return (builderArg: unknown, refsArg: unknown): void => {
    const builder = builderArg as Builder;
    const refs = refsArg as SchemaRefs;
    const DiskRef = builder.objectRef<Disk>('Disk').implement({
      fields: (t) => ({
        mount: t.exposeString('mount'),
        filesystem: t.exposeString('filesystem'),
        fsType: t.string({ nullable: true, resolve: (d) => d.fsType ?? null }),
        sizeKb: t.exposeFloat('sizeKb'),
        usedKb: t.exposeFloat('usedKb'),
        availKb: t.exposeFloat('availKb'),
        usePct: t.exposeFloat('usePct', { nullable: true }),
        inodesUsePct: t.float({ nullable: true, resolve: (d) => d.inodesUsePct ?? null }),
      }),
    });
    builder.objectField(refs.Host, 'disks', (t) =>
      t.field({
        type: [DiskRef],
        nullable: true,
        description: 'Mounts with size, used and free (df -P over SSH). Null with an error when the host cannot be read; empty without SSH settings.',
        resolve: async (h: HostShape, _a, ctx) => {
          const target = await refs.target(ctx, h, 'ssh');
          if (!target.settings) return [];
          try {
            return await getDisks(target, pool, refs.state(ctx, 'ssh'), { timeoutMs: 10_000 });
          } catch (e) {
            if (e instanceof SshLiveError) throw new GraphQLError(`disks of ${h.name}: ${e.message}`, { extensions: { code: 'PEER_UNAVAILABLE' } });
            throw e;
          }
        },
      }),
    );
  };
}
