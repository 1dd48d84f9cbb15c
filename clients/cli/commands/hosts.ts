/** `corral hosts …`: the inventory. */
import { readFileSync } from 'node:fs';
import { FORMAT_OPTIONS, keyValues, list, parse, requireArg, requireHosts } from '../lib/args.js';
import { ApiError, describeErrors, unwrap } from '../lib/api.js';
import { BULK_FIELDS, type BulkResult, printBulk } from '../lib/bulk.js';
import { api, type Command, type Context, output } from '../lib/command.js';
import { CliError, EXIT, UsageError } from '../lib/exit-codes.js';
import { listHosts } from '../lib/hosts-query.js';
import { age, type Colour, statusColour } from '../lib/output.js';
import { confirm, readStdin } from '../lib/prompt.js';

interface HostRow {
  name: string;
  address: string | null;
  enabled: boolean;
  disabledReason: string | null;
  health: string;
  labels: Record<string, string>;
  groups: { name: string }[];
}
const HOST_FIELDS = 'name address enabled disabledReason health labels groups { name }';
const HEALTH = ['ok', 'warn', 'crit', 'unknown', 'disabled'];

interface HostDetail extends HostRow {
  checks: { kind: string; checkName: string; status: string; summary: string; observedAt: string; since: string; consecutiveFailures: number }[];
  power: { reachable: boolean; state: string; lastChangedAt: string | null; error: string | null } | null;
  slurm: { state: string; flags: string[]; reason: string | null; reasonUser: string | null; partitions: string[] } | null;
  auditEvents: { at: string; actor: string; action: string; outcome: string; reason: string | null }[];
}
const SHOW_FIELDS = `${HOST_FIELDS}
  checks { kind checkName status summary observedAt since consecutiveFailures }
  power { reachable state lastChangedAt error }
  slurm { state flags reason reasonUser partitions }
  auditEvents(first: 10) { at actor action outcome reason }`;
const OUTCOME_COLOUR: Record<string, Colour> = { OK: 'green', PARTIAL: 'yellow', REVIEW: 'yellow', FAILED: 'red', DENIED: 'red' };
/** Fields asked of a peer (BMC, Slurm): if one fails the rest of the host is still worth showing. */
const PEER_FIELDS = new Set(['power', 'slurm']);

async function bulk(mutation: string, variables: Record<string, unknown>, argv: { values: Record<string, unknown> }, ctx: Context, what: string, field: string) {
  const values = argv.values as { json?: boolean; csv?: boolean };
  const out = output(values, ctx, `hosts ${what}`);
  const data = await api(values, ctx).request<Record<string, BulkResult & { __typename: string; message?: string }>>(mutation, variables);
  const result = unwrap(data[field]!, `hosts ${what}`);
  return printBulk(out, result, what);
}

export const hostsCommand: Command = {
  summary: 'list, show, add, remove, enable, disable, import hosts',
  help: `Usage: corral hosts SUBCOMMAND …

The inventory: hosts, their addresses, groups and labels. Host arguments are names,
ranges like node[01-16,20], or @group.`,
  subcommands: {
    list: {
      summary: 'list hosts',
      help: `Usage: corral hosts list [--group G]… [--health H,…] [--search TEXT] [--enabled | --disabled] [--json | --csv]

Options:
  -g, --group G     only hosts in this group (repeatable)
  --health H,…      only these health states: ok, warn, crit, unknown, disabled
  --search TEXT     substring of the name or address
  --enabled         only enabled hosts;  --disabled  only hosts in maintenance

Examples:
  corral hosts list
  corral hosts list --group render --health crit,warn
  corral hosts list --csv > hosts.csv`,
      async run(argv, ctx) {
        const { values } = parse(
          argv,
          {
            ...FORMAT_OPTIONS,
            group: { type: 'string', short: 'g', multiple: true },
            health: { type: 'string', multiple: true },
            search: { type: 'string' },
            enabled: { type: 'boolean' },
            disabled: { type: 'boolean' },
          },
          'hosts list',
        );
        if (values.enabled && values.disabled) throw new UsageError('choose one of --enabled and --disabled', 'hosts list');
        const health = list(values.health)?.map((h) => {
          if (!HEALTH.includes(h.toLowerCase())) throw new UsageError(`--health must be among ${HEALTH.join(', ')} (got "${h}")`, 'hosts list');
          return h.toUpperCase();
        });
        const out = output(values, ctx, 'hosts list');
        const filter = {
          groups: list(values.group),
          health,
          search: values.search,
          enabled: values.enabled ? true : values.disabled ? false : undefined,
        };
        const hosts = await listHosts<HostRow>(api(values, ctx), filter, HOST_FIELDS);
        out.table(
          [
            { header: 'NAME', value: (h) => h.name },
            { header: 'ADDRESS', value: (h) => h.address ?? '' },
            { header: 'HEALTH', value: (h) => h.health, colour: (h) => statusColour(h.health) },
            { header: 'GROUPS', value: (h) => h.groups.map((g) => g.name).join(',') },
            { header: 'ENABLED', value: (h) => (h.enabled ? 'yes' : `no${h.disabledReason ? ` (${h.disabledReason})` : ''}`) },
          ],
          hosts,
          hosts.map((h) => ({ ...h, groups: h.groups.map((g) => g.name) })),
        );
      },
    },
    show: {
      summary: 'one host: groups, labels, health, checks, power, Slurm, recent events',
      help: `Usage: corral hosts show HOST [--json]

Everything about one host: address, groups, labels, health, each check's status and
summary, power and Slurm state where configured, and its last 10 audit events.

Examples:
  corral hosts show node07
  corral hosts show node07 --json | jq '.checks[] | select(.status != "OK")'`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, 'hosts show');
        const name = requireArg(positionals[0], 'HOST', 'hosts show');
        if (positionals.length > 1) throw new UsageError('show one host at a time (use `corral status` or `corral hosts list` for many)', 'hosts show');
        const out = output(values, ctx, 'hosts show');
        const r = await api(values, ctx).raw<{ host: HostDetail | null }>(`query($n: String!) { host(name: $n) { ${SHOW_FIELDS} } }`, { n: name });
        // Errors on power/slurm alone (a peer that failed) leave the rest of the host readable.
        const peerErrors = (r.errors ?? []).filter((e) => e.path?.[0] === 'host' && PEER_FIELDS.has(String(e.path[1])));
        if ((r.errors?.length ?? 0) > peerErrors.length || !r.data) throw new ApiError(describeErrors(r.errors ?? [{ message: 'no data' }]), r.errors ?? []);
        const h = r.data.host;
        if (!h) throw new CliError(`unknown host: ${name} — see \`corral hosts list\``);
        if (out.format === 'json') {
          out.json({ ...h, groups: h.groups.map((g) => g.name) });
          return EXIT.OK;
        }
        const labels = Object.entries(h.labels ?? {}).map(([k, v]) => `${k}=${v}`);
        const fields: [string, string][] = [
          ['Name', h.name],
          ['Address', h.address ?? '(the name)'],
          ['Enabled', h.enabled ? 'yes' : `no${h.disabledReason ? ` (${h.disabledReason})` : ''}`],
          ['Health', out.paint(h.health, statusColour(h.health))],
          ['Groups', h.groups.map((g) => g.name).join(', ') || '-'],
          ['Labels', labels.join(', ') || '-'],
        ];
        if (h.power) {
          const changed = h.power.lastChangedAt ? `, changed ${age(h.power.lastChangedAt)}` : '';
          const bmc = h.power.reachable ? 'BMC reachable' : `BMC unreachable${h.power.error ? `: ${h.power.error}` : ''}`;
          fields.push(['Power', `${out.paint(h.power.state, statusColour(h.power.state))} (${bmc}${changed})`]);
        }
        if (h.slurm) {
          const state = [h.slurm.state, ...h.slurm.flags].join('+');
          const reason = h.slurm.reason ? `, reason "${h.slurm.reason}"${h.slurm.reasonUser ? ` by ${h.slurm.reasonUser}` : ''}` : '';
          fields.push(['Slurm', `${state} (partitions ${h.slurm.partitions.join(',') || '-'}${reason})`]);
        }
        for (const e of peerErrors) fields.push([String(e.path![1]) === 'power' ? 'Power' : 'Slurm', `could not be read: ${e.message}`]);
        for (const [k, v] of fields) out.line(`${`${k}:`.padEnd(9)} ${v}`);
        out.line();
        out.line(out.paint('Checks', 'bold'));
        if (h.checks.length === 0) out.line('  (none)');
        else
          out.table(
            [
              { header: 'CHECK', value: (c) => c.checkName || c.kind },
              { header: 'KIND', value: (c) => c.kind },
              { header: 'STATUS', value: (c) => c.status, colour: (c) => statusColour(c.status) },
              { header: 'SINCE', value: (c) => age(c.since) },
              { header: 'SUMMARY', value: (c) => c.summary },
            ],
            h.checks,
          );
        out.line();
        out.line(out.paint('Recent events', 'bold'));
        if (h.auditEvents.length === 0) out.line('  (none)');
        else
          out.table(
            [
              { header: 'AT', value: (e) => e.at },
              { header: 'ACTOR', value: (e) => e.actor },
              { header: 'ACTION', value: (e) => e.action },
              { header: 'OUTCOME', value: (e) => e.outcome, colour: (e) => OUTCOME_COLOUR[e.outcome] },
              { header: 'REASON', value: (e) => e.reason ?? '' },
            ],
            h.auditEvents,
          );
        return EXIT.OK;
      },
    },
    add: {
      summary: 'add a host',
      help: `Usage: corral hosts add NAME [--address ADDR] [--group G]… [--label KEY=VALUE]…

Options:
  -a, --address ADDR   IP address or DNS name (default: the name)
  -g, --group G        put the host in this static group (repeatable)
  -l, --label K=V      a label (repeatable)

Examples:
  corral hosts add node17 --address 10.0.0.17 --group render --label rack=r2`,
      async run(argv, ctx) {
        const { values, positionals } = parse(
          argv,
          { ...FORMAT_OPTIONS, address: { type: 'string', short: 'a' }, group: { type: 'string', short: 'g', multiple: true }, label: { type: 'string', short: 'l', multiple: true } },
          'hosts add',
        );
        const name = requireArg(positionals[0], 'NAME', 'hosts add');
        if (positionals.length > 1) throw new UsageError('add one host at a time (use `corral hosts import` for many)', 'hosts add');
        // A range or list is many hosts: say how to add them, not that '[' is not allowed in a name.
        if (/[[\],]/.test(name)) throw new UsageError(`${name} is several hosts: add one at a time, or list them in a file (pdsh or genders format) for \`corral hosts import\``, 'hosts add');
        const labels = keyValues(values.label, '--label', 'hosts add');
        const out = output(values, ctx, 'hosts add');
        const data = await api(values, ctx).request(
          `mutation($i: CreateHostInput!) { createHost(input: $i) { __typename ... on HostPayload { host { ${HOST_FIELDS} } } ... on Error { message } } }`,
          { i: { name, address: values.address, groups: list(values.group), labels: Object.keys(labels).length ? labels : undefined } },
        );
        const r = unwrap(data.createHost, `cannot add ${name}`) as { host: HostRow };
        if (out.format === 'json') out.json(r.host);
        else out.line(`Added ${r.host.name}${r.host.address ? ` (${r.host.address})` : ''}`);
      },
    },
    rm: {
      summary: 'remove hosts (and their history)',
      help: `Usage: corral hosts rm HOSTS… [--reason TEXT] [--yes]

Removes hosts with their check history. Asks first on a terminal; scripts pass --yes.

Examples:
  corral hosts rm node17 --reason "decommissioned"
  corral hosts rm 'old[01-08]' --yes`,
      async run(argv, ctx) {
        const parsed = parse(argv, { ...FORMAT_OPTIONS, reason: { type: 'string' }, yes: { type: 'boolean', short: 'y' } }, 'hosts rm');
        const hosts = requireHosts(parsed.positionals, 'hosts rm');
        if (!(await confirm(`Remove ${hosts.join(' ')} and their history?`, { yes: parsed.values.yes, command: 'hosts rm' }))) throw new CliError('cancelled');
        return bulk(
          `mutation($h: [String!]!, $r: String) { deleteHosts(hosts: $h, reason: $r) { __typename ${BULK_FIELDS} } }`,
          { h: hosts, r: parsed.values.reason },
          parsed,
          ctx,
          'rm',
          'deleteHosts',
        );
      },
    },
    enable: {
      summary: 'end maintenance: run checks and give work again',
      help: `Usage: corral hosts enable HOSTS… [--reason TEXT]

Examples:
  corral hosts enable node07
  corral hosts enable @render --reason "PSU replaced"`,
      async run(argv, ctx) {
        const parsed = parse(argv, { ...FORMAT_OPTIONS, reason: { type: 'string' } }, 'hosts enable');
        const hosts = requireHosts(parsed.positionals, 'hosts enable');
        return bulk(
          `mutation($h: [String!]!, $r: String!) { setHostsEnabled(hosts: $h, enabled: true, reason: $r) { __typename ${BULK_FIELDS} } }`,
          { h: hosts, r: parsed.values.reason ?? 'enabled with corral hosts enable' },
          parsed,
          ctx,
          'enable',
          'setHostsEnabled',
        );
      },
    },
    disable: {
      summary: 'maintenance: keep history, run no checks, give no work',
      help: `Usage: corral hosts disable HOSTS… --reason TEXT

Examples:
  corral hosts disable node07 --reason "replacing DIMM"`,
      async run(argv, ctx) {
        const parsed = parse(argv, { ...FORMAT_OPTIONS, reason: { type: 'string' } }, 'hosts disable');
        const hosts = requireHosts(parsed.positionals, 'hosts disable');
        const reason = requireArg(parsed.values.reason, '--reason (why the hosts go into maintenance)', 'hosts disable');
        return bulk(
          `mutation($h: [String!]!, $r: String!) { setHostsEnabled(hosts: $h, enabled: false, reason: $r) { __typename ${BULK_FIELDS} } }`,
          { h: hosts, r: reason },
          parsed,
          ctx,
          'disable',
          'setHostsEnabled',
        );
      },
    },
    import: {
      summary: 'import hosts from a genders, pdsh or CSV file',
      help: `Usage: corral hosts import FILE --format genders|pdsh|csv

Creates or updates hosts and groups from a file ("-" reads standard input). All or nothing:
a bad line imports nothing and names the line.

Options:
  -f, --format F   genders (/etc/genders), pdsh (dsh group files), or csv (name,address,groups,…)

Examples:
  corral hosts import /etc/genders --format genders
  corral hosts import nodes.csv --format csv --json`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS, format: { type: 'string', short: 'f' } }, 'hosts import');
        const file = requireArg(positionals[0], 'FILE', 'hosts import');
        const format = (values.format ?? '').toLowerCase();
        if (!['genders', 'pdsh', 'csv'].includes(format)) throw new UsageError('--format must be genders, pdsh or csv', 'hosts import');
        let text: string;
        try {
          text = file === '-' ? await readStdin() : readFileSync(file, 'utf8');
        } catch (e) {
          throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        const out = output(values, ctx, 'hosts import');
        const lines = text.split('\n').filter((l) => l.trim()).length;
        const progress = out.progress(`importing ${file}: lines`, lines);
        let data: { importHosts: { __typename: string; message?: string; line?: number; count: number; created: string[]; updated: string[]; groups: string[] } };
        try {
          data = await api(values, ctx).request(
            `mutation($f: ImportFormat!, $t: String!) { importHosts(format: $f, text: $t) {
              __typename ... on ImportHostsSuccess { count created updated groups } ... on ImportLineError { line } ... on Error { message } } }`,
            { f: format.toUpperCase(), t: text },
          );
          progress.tick(lines);
        } finally {
          progress.done();
        }
        const r = unwrap(data.importHosts, `import of ${file} failed`);
        if (out.format === 'json') out.json({ count: r.count, created: r.created, updated: r.updated, groups: r.groups });
        else out.line(`Imported ${r.count} host${r.count === 1 ? '' : 's'} from ${file}: ${r.created.length} created, ${r.updated.length} updated, groups ${r.groups.join(', ') || '(none)'}`);
        return EXIT.OK;
      },
    },
  },
};
