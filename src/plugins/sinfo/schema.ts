/** GraphQL for Slurm: Host.slurm (one sinfo per request, batched) and slurmDrain / slurmResume. */
import type { Builder, Context, HostShape, SchemaRefs } from '../../schema/plugin-api.js';
import { runCommand } from '../../core/command.js';
import { type SlurmNodeView, toSlurmNodeView } from './live.js';
import { readSinfoNodes } from './sinfo-json.js';
import { slurmNodeNameOf } from './check.js';

export function extendSinfoSchema(builderArg: unknown, refsArg: unknown): void {
  const builder = builderArg as Builder;
  const refs = refsArg as SchemaRefs;

  const HostSlurm = builder.objectRef<SlurmNodeView>('HostSlurm').implement({
    description: 'The node as Slurm sees it now (sinfo): state, the drain/down reason, who set it and when.',
    fields: (t) => ({
      state: t.exposeString('state'),
      baseState: t.exposeString('baseState'),
      flags: t.exposeStringList('flags'),
      reason: t.exposeString('reason', { nullable: true }),
      reasonUser: t.exposeString('reasonUser', { nullable: true }),
      reasonTime: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.reasonTime }),
      partitions: t.exposeStringList('partitions'),
      cpus: t.exposeInt('cpus'),
      allocCpus: t.exposeInt('allocCpus'),
      memoryMb: t.exposeInt('memoryMb'),
      load: t.exposeFloat('load', { nullable: true }),
      busy: t.exposeBoolean('busy', { description: 'Jobs are running: a hard power cycle needs admin + force' }),
    }),
  });

  // One sinfo call per request for every host asked about (sinfo lists all nodes anyway).
  const allNodes = (ctx: Context) =>
    refs.cached(ctx, 'sinfo:all', async () => {
      try {
        const nodes = await readSinfoNodes(runCommand, { slurmConf: ctx.app.config.slurmConf, timeoutMs: 10_000 });
        return new Map(nodes.map((n) => [n.name, toSlurmNodeView(n)]));
      } catch {
        return new Map<string, SlurmNodeView>();
      }
    });

  builder.objectField(refs.Host, 'slurm', (t) =>
    t.field({
      type: HostSlurm,
      nullable: true,
      description: 'Null when the host is not a Slurm node (or Slurm is unreachable).',
      resolve: async (h: HostShape, _a, ctx) => (await allNodes(ctx)).get(slurmNodeNameOf({ id: h.id, name: h.name, address: h.address, labels: h.labels, settings: undefined })) ?? null,
    }),
  );

  builder.mutationFields((t) => ({
    slurmDrain: t.field({
      type: refs.BulkResult,
      description: 'scontrol update state=drain with a reason, on every target (operator rights on each).',
      authScopes: { operator: true },
      args: { hosts: t.arg.stringList({ required: true }), reason: t.arg.string({ required: true }), dryRun: t.arg.boolean({ required: false }) },
      resolve: (_r, a, ctx) => refs.runAction(ctx, { actionId: 'slurm.drain', hosts: [...a.hosts], params: { reason: a.reason }, reason: a.reason, dryRun: a.dryRun }),
    }),
    slurmResume: t.field({
      type: refs.BulkResult,
      description: 'scontrol update state=resume on every target.',
      authScopes: { operator: true },
      args: { hosts: t.arg.stringList({ required: true }), reason: t.arg.string({ required: false }), dryRun: t.arg.boolean({ required: false }) },
      resolve: (_r, a, ctx) => refs.runAction(ctx, { actionId: 'slurm.resume', hosts: [...a.hosts], params: {}, reason: a.reason, dryRun: a.dryRun }),
    }),
  }));
}
