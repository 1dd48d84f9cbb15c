/** `corral status`: the hosts × checks table. */
import { FORMAT_OPTIONS, list, parse } from '../lib/args.js';
import { api, type Command, output } from '../lib/command.js';
import { fetchMatrix, healthSummary, matrixColumns, matrixJson } from '../lib/status-matrix.js';

export const statusCommand: Command = {
  summary: 'the hosts × checks table',
  help: `Usage: corral status [--group G]… [--checks KIND,…] [--problems] [--json | --csv]

Shows every host (or those in the given groups) with its health and the latest state of
each check kind: OK, WARN, CRIT, UNKNOWN, or - where the host has no such check.
Coloured on a terminal; plain aligned text when piped.

Options:
  -g, --group G       only hosts in this group (repeat or comma-separate for several)
  -c, --checks K,…    only these check kinds (e.g. ping,ssh)
  --problems          only hosts whose health is not OK
  --json              JSON: { kinds, rows: [{ host, health, checks: { kind: {status, summary} } }] }
  --csv               CSV with a header row

Examples:
  corral status
  corral status --group render --checks ping,ssh
  corral status --problems --csv > problems.csv
  corral status --json | jq -r '.rows[] | select(.health == "CRIT") | .host'`,
  async run(argv, ctx) {
    const { values } = parse(
      argv,
      { ...FORMAT_OPTIONS, group: { type: 'string', short: 'g', multiple: true }, checks: { type: 'string', short: 'c', multiple: true }, problems: { type: 'boolean' } },
      'status',
    );
    const out = output(values, ctx, 'status');
    const matrix = await fetchMatrix(api(values, ctx), list(values.group), list(values.checks));
    if (values.problems) matrix.rows = matrix.rows.filter((r) => r.health !== 'OK');
    out.table(matrixColumns(matrix), matrix.rows, matrixJson(matrix));
    if (out.format === 'table' && out.tty) out.line(healthSummary(out, matrix));
    // On stderr, so that piped data stays as it is.
    const [alert, ...older] = matrix.monitorAlerts ?? [];
    if (alert) out.note(`warning: ${alert}${older.length ? ` (${older.length} more in the last hour)` : ''}`);
  },
};
