/** `corral slurm …`: node state from Slurm, drain and resume. */
import { FORMAT_OPTIONS, parse, requireArg, requireHosts } from '../lib/args.js';
import { BULK_FIELDS, runBulkAction } from '../lib/bulk.js';
import { api, type Command, output } from '../lib/command.js';
import { fetchHosts } from '../lib/hosts-query.js';

interface SlurmHost {
  name: string;
  slurm: { state: string; flags: string[]; reason: string | null; reasonUser: string | null; partitions: string[]; cpus: number | null; memoryMb: number | null; busy: boolean } | null;
}

const stateColour = (state: string | undefined) => {
  const s = (state ?? '').toLowerCase();
  if (/down|fail|drain/.test(s)) return s.startsWith('drain') && !/down|fail/.test(s) ? ('yellow' as const) : ('red' as const);
  if (/idle|alloc|mix|comp/.test(s)) return 'green' as const;
  return 'magenta' as const;
};

export const slurmCommand: Command = {
  summary: 'Slurm node status, drain and resume',
  help: `Usage: corral slurm SUBCOMMAND HOSTS… …

Slurm's view of nodes, and scontrol drain/resume through Corral (audited, permission-checked).`,
  subcommands: {
    status: {
      summary: "nodes' Slurm state, reason and partitions",
      help: `Usage: corral slurm status HOSTS… [--json | --csv]

Examples:
  corral slurm status @batch
  corral slurm status 'cn[001-064]' --json`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS }, 'slurm status');
        const out = output(values, ctx, 'slurm status');
        const hosts = await fetchHosts<SlurmHost>(
          api(values, ctx),
          requireHosts(positionals, 'slurm status'),
          'slurm { state flags reason reasonUser partitions cpus memoryMb busy }',
        );
        out.table(
          [
            { header: 'HOST', value: (h) => h.name },
            { header: 'STATE', value: (h) => (h.slurm ? [h.slurm.state, ...h.slurm.flags].join('+') : 'not a Slurm node'), colour: (h) => stateColour(h.slurm?.state) },
            { header: 'PARTITIONS', value: (h) => h.slurm?.partitions.join(',') ?? '' },
            { header: 'REASON', value: (h) => (h.slurm?.reason ? `${h.slurm.reason}${h.slurm.reasonUser ? ` (${h.slurm.reasonUser})` : ''}` : '') },
          ],
          hosts,
          hosts.map((h) => ({ host: h.name, slurm: h.slurm })),
        );
      },
    },
    drain: {
      summary: 'drain nodes: running jobs finish, no new ones start',
      help: `Usage: corral slurm drain HOSTS… --reason TEXT [--dry-run] [--yes]

Exit status 3 when some nodes failed (e.g. not Slurm nodes).

Options:
  -r, --reason TEXT   why (required; Slurm shows it as the drain reason)
  -n, --dry-run       show what would happen, change nothing
  -y, --yes           do not ask

Examples:
  corral slurm drain cn017 --reason "ECC errors"
  corral slurm drain 'cn[001-016]' --reason "PDU maintenance" --dry-run
  corral slurm drain @rack2 --reason "PDU maintenance" --yes`,
      async run(argv, ctx) {
        const { values, positionals } = parse(
          argv,
          { ...FORMAT_OPTIONS, reason: { type: 'string', short: 'r' }, 'dry-run': { type: 'boolean', short: 'n' }, yes: { type: 'boolean', short: 'y' } },
          'slurm drain',
        );
        const hosts = requireHosts(positionals, 'slurm drain');
        const reason = requireArg(values.reason, '--reason (Slurm shows it as the drain reason)', 'slurm drain');
        return runBulkAction({
          ctx,
          values,
          command: 'slurm drain',
          mutation: `mutation($h: [String!]!, $r: String!, $d: Boolean) { slurmDrain(hosts: $h, reason: $r, dryRun: $d) { ${BULK_FIELDS} } }`,
          variables: { h: hosts, r: reason, d: values['dry-run'] ?? false },
          field: 'slurmDrain',
          what: 'drain',
          confirmQuestion: `Drain ${hosts.join(' ')}?`,
          dryRun: values['dry-run'],
        });
      },
    },
    resume: {
      summary: 'resume drained or down nodes',
      help: `Usage: corral slurm resume HOSTS…

Examples:
  corral slurm resume cn017
  corral slurm resume @rack2 --json`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS }, 'slurm resume');
        return runBulkAction({
          ctx,
          values,
          command: 'slurm resume',
          mutation: `mutation($h: [String!]!) { slurmResume(hosts: $h) { ${BULK_FIELDS} } }`,
          variables: { h: requireHosts(positionals, 'slurm resume') },
          field: 'slurmResume',
          what: 'resume',
        });
      },
    },
    'cycle-and-resume': {
      summary: 'power cycle hung nodes, then resume them in Slurm',
      help: `Usage: corral slurm cycle-and-resume HOSTS… --reason TEXT [--yes]

Examples:
  corral slurm cycle-and-resume cn017 --reason "kernel hang"`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS, reason: { type: 'string', short: 'r' }, yes: { type: 'boolean', short: 'y' } }, 'slurm cycle-and-resume');
        const hosts = requireHosts(positionals, 'slurm cycle-and-resume');
        return runBulkAction({
          ctx,
          values,
          command: 'slurm cycle-and-resume',
          mutation: `mutation($h: [String!]!, $r: String!) { cycleAndResume(hosts: $h, reason: $r) { ${BULK_FIELDS} } }`,
          variables: { h: hosts, r: requireArg(values.reason, '--reason', 'slurm cycle-and-resume') },
          field: 'cycleAndResume',
          what: 'cycle and resume',
          confirmQuestion: `Power cycle and resume ${hosts.join(' ')}?`,
        });
      },
    },
  },
};
