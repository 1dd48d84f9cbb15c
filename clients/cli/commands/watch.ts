/**
 * `corral watch`: the status table kept live through the GraphQL subscriptions. On a terminal the
 * table is redrawn on every change; piped, each change is one line (or one JSON object with --json).
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { FORMAT_OPTIONS, intOption, list, parse } from '../lib/args.js';
import { api, type Command, output } from '../lib/command.js';
import { CliError, EXIT, type ExitCode } from '../lib/exit-codes.js';
import { statusColour } from '../lib/output.js';
import { fetchMatrix, healthSummary, matrixColumns } from '../lib/status-matrix.js';

interface Event {
  at: string;
  host: string;
  kind: string;
  status: string;
  summary?: string;
}

export const watchCommand: Command = {
  summary: 'live status view (subscription)',
  help: `Usage: corral watch [--group G]… [--checks KIND,…] [--count N] [--json]

A live hosts × checks view. On a terminal the table is redrawn whenever a host or check
changes; when piped, the table is printed once and then one line per change
("TIME HOST KIND STATUS SUMMARY"), or one JSON object per line with --json. A suspect sweep
(most hosts failing one check at once, so none was marked bad) is a change of kind "monitor",
status SUSPECT, and a warning under the live table.
Ctrl-C ends it (exit 0).

Options:
  -g, --group G       only hosts in these groups
  -c, --checks K,…    only these check kinds
  --count N           stop after N changes (for scripts)

Examples:
  corral watch --group render
  corral watch --json | jq -c 'select(.status == "CRIT")'`,
  async run(argv, ctx) {
    const { values } = parse(
      argv,
      { ...FORMAT_OPTIONS, group: { type: 'string', short: 'g', multiple: true }, checks: { type: 'string', short: 'c', multiple: true }, count: { type: 'string' } },
      'watch',
    );
    const out = output(values, ctx, 'watch');
    const client = api(values, ctx);
    const groups = list(values.group);
    const kinds = list(values.checks);
    const limit = intOption(values.count, 'count', 'watch');
    const live = out.tty && out.format === 'table';

    const redraw = async () => {
      const m = await fetchMatrix(client, groups, kinds);
      const head = `corral watch — ${client.url} — ${new Date().toLocaleTimeString()}  (Ctrl-C to quit)`;
      const alert = m.monitorAlerts?.[0] ? `${out.paint(`warning: ${m.monitorAlerts[0]}`, 'red')}\n` : '';
      ctx.stdout.write(`\x1b[H\x1b[2J${out.paint(head, 'dim')}\n\n${out.renderTable(matrixColumns(m), m.rows)}\n${healthSummary(out, m)}\n${alert}`);
    };
    // Before subscribing, so an auth or connection problem is reported as usual (one line, exit 1).
    if (live) await redraw();
    else if (out.format === 'table') {
      const m = await fetchMatrix(client, groups, kinds);
      out.table(matrixColumns(m), m.rows);
    } else await fetchMatrix(client, groups, kinds);

    const wsUrl = `${client.url.replace(/^http/, 'ws')}/graphql`;
    const token = client.connection.token;
    const ws = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 5,
      shouldRetry: () => true,
    });

    return new Promise<ExitCode>((resolve, reject) => {
      let seen = 0;
      let timer: NodeJS.Timeout | undefined;
      const unsubscribers: (() => void)[] = [];
      const finish = (code: ExitCode | Error) => {
        for (const u of unsubscribers) u();
        clearTimeout(timer);
        void ws.dispose();
        if (code instanceof Error) reject(code);
        else resolve(code);
      };
      const onEvent = (e: Event) => {
        if (limit !== undefined && seen >= limit) return; // already ending
        seen++;
        const last = limit !== undefined && seen >= limit;
        if (live) {
          clearTimeout(timer);
          // The last change is drawn before ending, so --count N always shows what it counted.
          if (last) void redraw().then(() => finish(EXIT.OK), (err: Error) => finish(err));
          else timer = setTimeout(() => void redraw().catch((err: Error) => finish(err)), 200);
          return;
        }
        if (out.format === 'json') out.line(JSON.stringify(e));
        else out.line([e.at, e.host, e.kind, out.paint(e.status, statusColour(e.status)), e.summary ?? ''].join('  ').trimEnd());
        if (last) setTimeout(() => finish(EXIT.OK), 0);
      };
      const onError = (optional: boolean) => (err: unknown) => {
        const errors = Array.isArray(err) ? (err as { message: string; extensions?: { code?: string } }[]) : null;
        // An older server without checkStateChanged still has hostUpdated: keep watching.
        if (optional && errors?.some((e) => e.message.includes('Cannot query field'))) return;
        if (errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED'))
          return finish(new CliError('not logged in (the subscription was refused) — run `corral login` or set CORRAL_TOKEN'));
        const why = errors ? errors.map((e) => e.message).join('; ') : err instanceof Error ? err.message : `connection closed${(err as { code?: number })?.code ? ` (${(err as { code: number }).code})` : ''}`;
        finish(new CliError(`lost the live connection to ${wsUrl}: ${why}`));
      };
      unsubscribers.push(
        ws.subscribe<{ hostUpdated: { name: string; health: string; enabled: boolean } }>(
          { query: 'subscription($g: [String!]) { hostUpdated(groups: $g) { name health enabled } }', variables: { g: groups } },
          {
            next: (r) => {
              if (r.errors?.length) return onError(false)(r.errors);
              const h = r.data?.hostUpdated;
              if (h) onEvent({ at: new Date().toISOString(), host: h.name, kind: 'health', status: h.health, summary: h.enabled ? undefined : 'disabled' });
            },
            error: onError(false),
            complete: () => {},
          },
        ),
        // A suspect sweep changes no state: it is told by its audit event (its text by monitorAlerts).
        ws.subscribe<{ auditEvent: { action: string } }>(
          { query: 'subscription { auditEvent { action } }' },
          {
            next: (r) => {
              if (r.errors?.length) return onError(true)(r.errors);
              if (r.data?.auditEvent.action !== 'monitor.suspect') return;
              client
                .request<{ monitorAlerts: { at: string; message: string }[] }>('{ monitorAlerts { at message } }')
                .then(({ monitorAlerts: [a] }) => a && onEvent({ at: a.at, host: '-', kind: 'monitor', status: 'SUSPECT', summary: a.message }), (err: Error) => finish(err));
            },
            error: onError(true),
            complete: () => {},
          },
        ),
        ws.subscribe<{ checkStateChanged: { kind: string; status: string; summary: string; observedAt: string; host: { name: string } } }>(
          {
            query: 'subscription($g: [String!], $k: [String!]) { checkStateChanged(groups: $g, kinds: $k) { kind status summary observedAt host { name } } }',
            variables: { g: groups, k: kinds },
          },
          {
            next: (r) => {
              if (r.errors?.length) return onError(true)(r.errors);
              const c = r.data?.checkStateChanged;
              if (c) onEvent({ at: c.observedAt, host: c.host.name, kind: c.kind, status: c.status, summary: c.summary });
            },
            error: onError(true),
            complete: () => {},
          },
        ),
      );
      const stop = () => finish(EXIT.OK);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
