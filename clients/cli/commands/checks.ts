/** `corral checks …`: check definitions and running checks now. */
import { FORMAT_OPTIONS, intOption, keyValues, list, parse, requireArg, requireHosts } from '../lib/args.js';
import { unwrap } from '../lib/api.js';
import { api, type Command, output } from '../lib/command.js';
import { CliError, EXIT, UsageError } from '../lib/exit-codes.js';
import { statusColour } from '../lib/output.js';

interface Definition {
  name: string;
  kind: string;
  hosts: string[];
  allHosts: boolean;
  intervalS: number;
  timeoutS: number;
  enabled: boolean;
  params: unknown;
}
interface HistoryRow {
  kind: string;
  status: string;
  summary: string;
  metrics: unknown;
  observedAt: string;
  durationMs: number;
}
const DEF_FIELDS = 'name kind hosts allHosts intervalS timeoutS enabled params';

/** --param k=v values: JSON where the value parses as JSON (numbers, booleans, lists), else a string. */
function paramsFrom(values: { param?: string[]; params?: string }, command: string): Record<string, unknown> | undefined {
  let params: Record<string, unknown> = {};
  if (values.params) {
    try {
      params = JSON.parse(values.params) as Record<string, unknown>;
    } catch {
      throw new UsageError('--params must be a JSON object', command);
    }
  }
  for (const [k, v] of Object.entries(keyValues(values.param, '--param', command))) {
    try {
      params[k] = JSON.parse(v);
    } catch {
      params[k] = v;
    }
  }
  return Object.keys(params).length ? params : undefined;
}

export const checksCommand: Command = {
  summary: 'list, add, remove and run checks, and show their history',
  help: `Usage: corral checks SUBCOMMAND …

Check definitions say which kind of check (ping, ssh, ipmi …) runs on which hosts, how often.`,
  subcommands: {
    list: {
      summary: 'list check definitions',
      help: `Usage: corral checks list [--json | --csv]

Examples:
  corral checks list
  corral checks list --json | jq '.[] | select(.kind == "ping")'`,
      async run(argv, ctx) {
        const { values } = parse(argv, { ...FORMAT_OPTIONS }, 'checks list');
        const out = output(values, ctx, 'checks list');
        const client = api(values, ctx);
        const defs: Definition[] = [];
        let after: string | null = null;
        do {
          const data: { checkDefinitions: { edges: { node: Definition }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await client.request(
            `query($a: String) { checkDefinitions(first: 100, after: $a) { edges { node { ${DEF_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
            { a: after },
          );
          defs.push(...data.checkDefinitions.edges.map((e) => e.node));
          after = data.checkDefinitions.pageInfo.hasNextPage ? data.checkDefinitions.pageInfo.endCursor : null;
        } while (after);
        out.table(
          [
            { header: 'NAME', value: (d) => d.name },
            { header: 'KIND', value: (d) => d.kind },
            { header: 'HOSTS', value: (d) => (d.allHosts ? '(all)' : d.hosts.join(' ')) },
            { header: 'EVERY', value: (d) => `${d.intervalS}s`, align: 'right' },
            { header: 'TIMEOUT', value: (d) => `${d.timeoutS}s`, align: 'right' },
            { header: 'ENABLED', value: (d) => d.enabled },
          ],
          defs,
        );
      },
    },
    kinds: {
      summary: 'list the check kinds the server offers',
      help: `Usage: corral checks kinds [--json | --csv]

Examples:
  corral checks kinds`,
      async run(argv, ctx) {
        const { values } = parse(argv, { ...FORMAT_OPTIONS }, 'checks kinds');
        const out = output(values, ctx, 'checks kinds');
        const data = await api(values, ctx).request<{ checkKinds: { name: string; plugin: string; description: string; defaultIntervalS: number; paramsSchema: unknown }[] }>(
          '{ checkKinds { name plugin description defaultIntervalS paramsSchema } }',
        );
        out.table(
          [
            { header: 'KIND', value: (k) => k.name },
            { header: 'PLUGIN', value: (k) => k.plugin },
            { header: 'EVERY', value: (k) => `${k.defaultIntervalS}s`, align: 'right' },
            { header: 'DESCRIPTION', value: (k) => k.description },
          ],
          data.checkKinds,
        );
      },
    },
    add: {
      summary: 'define a check',
      help: `Usage: corral checks add NAME --kind KIND [--host H]… [--interval S] [--timeout S] [--param K=V]… [--params JSON] [--disabled]

Options:
  -k, --kind KIND      check kind (see \`corral checks kinds\`)
  --host H             target hosts: names, ranges, @groups (repeatable; default: all hosts)
  --interval S         seconds between runs
  --timeout S          seconds before a run counts as failed
  --param K=V          a parameter (JSON values like 3 or true are parsed; repeatable)
  --params JSON        all parameters as one JSON object
  --fail-threshold N   consecutive failures before the state turns bad
  --disabled           define it without running it yet

Examples:
  corral checks add ping-all --kind ping --interval 30
  corral checks add render-ssh --kind ssh --host @render --param port=22`,
      async run(argv, ctx) {
        const { values, positionals } = parse(
          argv,
          {
            ...FORMAT_OPTIONS,
            kind: { type: 'string', short: 'k' },
            host: { type: 'string', multiple: true },
            interval: { type: 'string' },
            timeout: { type: 'string' },
            param: { type: 'string', multiple: true },
            params: { type: 'string' },
            'fail-threshold': { type: 'string' },
            disabled: { type: 'boolean' },
          },
          'checks add',
        );
        const name = requireArg(positionals[0], 'NAME', 'checks add');
        const kind = requireArg(values.kind, '--kind', 'checks add');
        const out = output(values, ctx, 'checks add');
        const input = {
          name,
          kind,
          hosts: list(values.host),
          intervalS: intOption(values.interval, 'interval', 'checks add'),
          timeoutS: intOption(values.timeout, 'timeout', 'checks add'),
          failThreshold: intOption(values['fail-threshold'], 'fail-threshold', 'checks add'),
          params: paramsFrom(values, 'checks add'),
          enabled: values.disabled ? false : undefined,
        };
        const data = await api(values, ctx).request(
          `mutation($i: CreateCheckInput!) { createCheck(input: $i) { __typename ... on CheckPayload { check { ${DEF_FIELDS} } } ... on Error { message } } }`,
          { i: input },
        );
        const r = unwrap(data.createCheck, `cannot add check ${name}`) as { check: Definition };
        if (out.format === 'json') out.json(r.check);
        else out.line(`Added check ${r.check.name} (${r.check.kind} every ${r.check.intervalS}s on ${r.check.allHosts ? 'all hosts' : r.check.hosts.join(' ')})`);
      },
    },
    rm: {
      summary: 'remove a check definition',
      help: `Usage: corral checks rm NAME

Examples:
  corral checks rm render-ssh`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, {}, 'checks rm');
        const name = requireArg(positionals[0], 'NAME', 'checks rm');
        const data = await api(values, ctx).request<{ deleteCheck: boolean }>('mutation($n: String!) { deleteCheck(name: $n) }', { n: name });
        if (!data.deleteCheck) throw new CliError(`no check named ${name} — see \`corral checks list\``);
        output(values, ctx, 'checks rm').line(`Removed check ${name}`);
      },
    },
    history: {
      summary: "one host's raw results of one check kind, newest first",
      help: `Usage: corral checks history HOST KIND [--since TIME] [--first N] [--json | --csv]

Every recorded result of check kind KIND on HOST (before hysteresis), newest first.

Options:
  --since TIME   only results observed at or after TIME (ISO 8601, e.g. 2024-05-01T12:00:00Z)
  --first N      at most N results (default 50, at most 1000)

Examples:
  corral checks history node07 ping
  corral checks history node07 ssh --since 2024-05-01T00:00:00Z --first 200 --csv`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS, since: { type: 'string' }, first: { type: 'string' } }, 'checks history');
        const host = requireArg(positionals[0], 'HOST', 'checks history');
        const kind = requireArg(positionals[1], 'KIND', 'checks history');
        if (positionals.length > 2) throw new UsageError('name one host and one check kind', 'checks history');
        let since: string | undefined;
        if (values.since !== undefined) {
          const t = Date.parse(values.since);
          if (Number.isNaN(t)) throw new UsageError(`--since must be an ISO 8601 time like 2024-05-01T12:00:00Z (got "${values.since}")`, 'checks history');
          since = new Date(t).toISOString();
        }
        const first = intOption(values.first, 'first', 'checks history');
        const out = output(values, ctx, 'checks history');
        const data = await api(values, ctx).request<{ host: { checkHistory: HistoryRow[] } | null }>(
          'query($h: String!, $k: String!, $s: DateTime, $f: Int) { host(name: $h) { checkHistory(kind: $k, since: $s, first: $f) { kind status summary metrics observedAt durationMs } } }',
          { h: host, k: kind, s: since, f: first },
        );
        if (!data.host) throw new CliError(`unknown host: ${host} — see \`corral hosts list\``);
        const rows = data.host.checkHistory;
        out.table(
          [
            { header: 'OBSERVED', value: (r) => r.observedAt },
            { header: 'STATUS', value: (r) => r.status, colour: (r) => statusColour(r.status) },
            { header: 'MS', value: (r) => Math.round(r.durationMs), align: 'right' },
            { header: 'SUMMARY', value: (r) => r.summary },
          ],
          rows,
        );
        if (rows.length === 0 && out.format === 'table') out.note(`no ${kind} results for ${host}${since ? ` since ${since}` : ''}`);
        return EXIT.OK;
      },
    },
    run: {
      summary: 'run checks now and show the results',
      help: `Usage: corral checks run HOSTS… [--kinds KIND,…] [--json | --csv]

Runs the hosts' checks now (all kinds, or only --kinds) and prints each result.
Exit status: 0 when every result is OK, 3 when some are not, 1 when none is.

Examples:
  corral checks run node07
  corral checks run @render --kinds ping,ssh`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS, kinds: { type: 'string', short: 'k', multiple: true } }, 'checks run');
        const hosts = requireHosts(positionals, 'checks run');
        const out = output(values, ctx, 'checks run');
        const progress = out.progress('running checks', 1);
        let data: { runChecks: { host: string; kind: string; check: string; status: string; summary: string; durationMs: number }[] };
        try {
          data = await api(values, ctx).request(
            'mutation($h: [String!]!, $k: [String!]) { runChecks(hosts: $h, kinds: $k) { host kind check status summary metrics durationMs } }',
            { h: hosts, k: list(values.kinds) },
          );
        } finally {
          progress.done();
        }
        const results = data.runChecks;
        out.table(
          [
            { header: 'HOST', value: (r) => r.host },
            { header: 'CHECK', value: (r) => r.check || r.kind },
            { header: 'STATUS', value: (r) => r.status, colour: (r) => statusColour(r.status) },
            { header: 'SUMMARY', value: (r) => r.summary },
          ],
          results,
        );
        if (results.length === 0) throw new CliError('no checks ran: these hosts have no (enabled) checks of those kinds');
        const ok = results.filter((r) => r.status === 'OK').length;
        return ok === results.length ? EXIT.OK : ok > 0 ? EXIT.PARTIAL : EXIT.FAILURE;
      },
    },
  },
};
