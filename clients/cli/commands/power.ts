/** `corral power …`: BMC power state and actions (IPMI), with dry runs and confirmation. */
import { FORMAT_OPTIONS, parse, requireArg, requireHosts } from '../lib/args.js';
import { BULK_FIELDS, runBulkAction } from '../lib/bulk.js';
import { api, type Command, type Subcommand, output } from '../lib/command.js';
import { EXIT } from '../lib/exit-codes.js';
import { fetchHosts } from '../lib/hosts-query.js';
import { age, statusColour } from '../lib/output.js';

interface PowerHost {
  name: string;
  power: { reachable: boolean; state: string; lastChangedAt: string | null; error: string | null } | null;
}

const ACTION_OPTIONS = {
  ...FORMAT_OPTIONS,
  reason: { type: 'string', short: 'r' },
  'dry-run': { type: 'boolean', short: 'n' },
  yes: { type: 'boolean', short: 'y' },
  force: { type: 'boolean' },
  'idempotency-key': { type: 'string' },
} as const;

const VERBS: Record<string, { action: string; summary: string; doing: string }> = {
  on: { action: 'ON', summary: 'power hosts on', doing: 'power on' },
  off: { action: 'OFF', summary: 'power hosts off (hard)', doing: 'power off' },
  cycle: { action: 'CYCLE', summary: 'power cycle hosts (off, then on)', doing: 'power cycle' },
  reset: { action: 'RESET', summary: 'hard reset hosts', doing: 'reset' },
  soft: { action: 'SOFT', summary: 'ask the OS to shut down (ACPI)', doing: 'soft shutdown' },
};

function actionSubcommand(verb: string, spec: (typeof VERBS)[string]): Subcommand {
  const command = `power ${verb}`;
  return {
    summary: spec.summary,
    help: `Usage: corral power ${verb} HOSTS… --reason TEXT [--dry-run] [--yes] [--force]

${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)} through their BMCs. The reason goes into the audit log.
On a terminal it asks first; scripts pass --yes. Exit status 3 when some hosts failed.

Options:
  -r, --reason TEXT        why (required)
  -n, --dry-run            show what would happen, change nothing
  -y, --yes                do not ask
  --force                  (admins) exceed the bulk limit / override the recommendation
  --idempotency-key KEY    retrying with the same key does not repeat the action

Examples:
  corral power ${verb} node07 --reason "hung, no ping or ssh"
  corral power ${verb} 'node[01-04]' --reason "firmware update" --dry-run
  corral power ${verb} @rack2 --reason "PDU work" --yes --json`,
    async run(argv, ctx) {
      const { values, positionals } = parse(argv, ACTION_OPTIONS, command);
      const hosts = requireHosts(positionals, command);
      const reason = requireArg(values.reason, '--reason (why; it goes into the audit log)', command);
      return runBulkAction({
        ctx,
        values,
        command,
        mutation: `mutation($h: [String!]!, $a: PowerAction!, $r: String!, $d: Boolean, $f: Boolean, $k: String) {
          powerAction(hosts: $h, action: $a, reason: $r, dryRun: $d, force: $f, idempotencyKey: $k) { ${BULK_FIELDS} } }`,
        variables: { h: hosts, a: spec.action, r: reason, d: values['dry-run'] ?? false, f: values.force, k: values['idempotency-key'] },
        field: 'powerAction',
        what: spec.doing,
        confirmQuestion: `${spec.doing[0]!.toUpperCase()}${spec.doing.slice(1)} ${hosts.join(' ')}?`,
        dryRun: values['dry-run'],
      });
    },
  };
}

export const powerCommand: Command = {
  summary: 'BMC power status and on/off/cycle',
  help: `Usage: corral power SUBCOMMAND HOSTS… …

Power through each host's BMC (IPMI settings per host). Host arguments are names,
ranges like node[01-04], or @group.`,
  subcommands: {
    status: {
      summary: 'power state as the BMCs report it',
      help: `Usage: corral power status HOSTS… [--json | --csv]

Exit status 3 when some BMCs could not be reached (or have no settings), 1 when none could.

Examples:
  corral power status node07
  corral power status @render --csv`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS }, 'power status');
        const hostArgs = requireHosts(positionals, 'power status');
        const out = output(values, ctx, 'power status');
        const hosts = await fetchHosts<PowerHost>(api(values, ctx), hostArgs, 'power { reachable state lastChangedAt error }');
        out.table(
          [
            { header: 'HOST', value: (h) => h.name },
            { header: 'POWER', value: (h) => (h.power ? h.power.state : 'no BMC'), colour: (h) => statusColour(h.power?.state ?? 'unknown') },
            { header: 'BMC', value: (h) => (h.power ? (h.power.reachable ? 'reachable' : 'unreachable') : '-'), colour: (h) => (h.power?.reachable ? 'green' : 'red') },
            { header: 'CHANGED', value: (h) => age(h.power?.lastChangedAt) },
            { header: 'ERROR', value: (h) => (h.power ? (h.power.error ?? '') : 'no IPMI settings for this host') },
          ],
          hosts,
          hosts.map((h) => ({ host: h.name, ...(h.power ?? { reachable: false, state: 'unknown', lastChangedAt: null, error: 'no IPMI settings' }), configured: h.power !== null })),
        );
        const good = hosts.filter((h) => h.power?.reachable).length;
        return good === hosts.length ? EXIT.OK : good > 0 ? EXIT.PARTIAL : EXIT.FAILURE;
      },
    },
    ...Object.fromEntries(Object.entries(VERBS).map(([verb, spec]) => [verb, actionSubcommand(verb, spec)])),
  },
};
