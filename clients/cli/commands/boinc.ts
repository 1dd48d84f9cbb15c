/** `corral boinc …`: BOINC clients on hosts — status, tasks across a group, modes, project and task operations. */
import { enumArg, FORMAT_OPTIONS, intOption, parse, requireArg, requireHosts } from '../lib/args.js';
import { BULK_FIELDS, runBulkAction } from '../lib/bulk.js';
import { api, type Command, output } from '../lib/command.js';
import { EXIT } from '../lib/exit-codes.js';
import { fetchHosts } from '../lib/hosts-query.js';

interface Task {
  name: string;
  projectUrl: string;
  projectName: string | null;
  state: string;
  fractionDone: number;
  elapsedS: number | null;
  remainingS: number | null;
  deadline: string | null;
}
interface BoincHost {
  name: string;
  boinc: {
    reachable: boolean;
    error: string | null;
    version: string | null;
    runMode: string | null;
    gpuMode: string | null;
    networkMode: string | null;
    projects: { url: string; name: string | null; suspended: boolean; dontRequestMoreWork: boolean }[];
    tasks: Task[];
  } | null;
}

const duration = (s: number | null | undefined) => {
  if (s == null) return '';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
};

const MODE_OPTIONS = { ...FORMAT_OPTIONS, reason: { type: 'string', short: 'r' }, yes: { type: 'boolean', short: 'y' } } as const;
const WHAT = ['run', 'gpu', 'network'];
const MODES = ['always', 'auto', 'never', 'restore'];
const PROJECT_OPS = ['update', 'suspend', 'resume', 'nomorework', 'allowmorework', 'detach', 'reset'];
const TASK_OPS = ['suspend', 'resume', 'abort'];

export const boincCommand: Command = {
  summary: 'BOINC status, tasks, modes, project and task operations',
  help: `Usage: corral boinc SUBCOMMAND …

The BOINC client on each host (per-host settings: GUI RPC port and password).`,
  subcommands: {
    status: {
      summary: 'client state per host: modes, projects, task counts',
      help: `Usage: corral boinc status HOSTS… [--json | --csv]

Exit status 3 when some clients could not be reached, 1 when none could.

Examples:
  corral boinc status @crunchers`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS }, 'boinc status');
        const out = output(values, ctx, 'boinc status');
        const hosts = await fetchHosts<BoincHost>(
          api(values, ctx),
          requireHosts(positionals, 'boinc status'),
          'boinc { reachable error version runMode gpuMode networkMode projects { url name suspended dontRequestMoreWork } tasks { name projectUrl projectName state fractionDone elapsedS remainingS deadline } }',
        );
        out.table(
          [
            { header: 'HOST', value: (h) => h.name },
            { header: 'CLIENT', value: (h) => (!h.boinc ? 'not configured' : h.boinc.reachable ? `ok ${h.boinc.version ?? ''}`.trim() : 'unreachable'), colour: (h) => (h.boinc?.reachable ? 'green' : 'red') },
            { header: 'RUN', value: (h) => h.boinc?.runMode ?? '' },
            { header: 'GPU', value: (h) => h.boinc?.gpuMode ?? '' },
            { header: 'NET', value: (h) => h.boinc?.networkMode ?? '' },
            { header: 'PROJECTS', value: (h) => h.boinc?.projects.map((p) => p.name ?? p.url).join(',') ?? '' },
            { header: 'TASKS', value: (h) => h.boinc?.tasks.length ?? '', align: 'right' },
            { header: 'ERROR', value: (h) => h.boinc?.error ?? '' },
          ],
          hosts,
          hosts.map((h) => ({ host: h.name, boinc: h.boinc })),
        );
        const good = hosts.filter((h) => h.boinc?.reachable).length;
        return good === hosts.length ? EXIT.OK : good > 0 ? EXIT.PARTIAL : EXIT.FAILURE;
      },
    },
    tasks: {
      summary: 'every task on every host (e.g. across a group)',
      help: `Usage: corral boinc tasks HOSTS… [--project URL] [--json | --csv]

Examples:
  corral boinc tasks @crunchers
  corral boinc tasks @crunchers --csv | sort -t, -k6 -n`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS, project: { type: 'string' } }, 'boinc tasks');
        const out = output(values, ctx, 'boinc tasks');
        const hosts = await fetchHosts<BoincHost>(
          api(values, ctx),
          requireHosts(positionals, 'boinc tasks'),
          'boinc { reachable error tasks { name projectUrl projectName state fractionDone elapsedS remainingS deadline } }',
        );
        const rows = hosts.flatMap((h) => (h.boinc?.tasks ?? []).filter((t) => !values.project || t.projectUrl === values.project).map((t) => ({ host: h.name, ...t })));
        out.table(
          [
            { header: 'HOST', value: (t) => t.host },
            { header: 'PROJECT', value: (t) => t.projectName ?? t.projectUrl },
            { header: 'TASK', value: (t) => t.name },
            { header: 'STATE', value: (t) => t.state },
            { header: 'DONE', value: (t) => `${(t.fractionDone * 100).toFixed(1)}%`, align: 'right' },
            { header: 'ELAPSED', value: (t) => duration(t.elapsedS), align: 'right' },
            { header: 'LEFT', value: (t) => duration(t.remainingS), align: 'right' },
            { header: 'DEADLINE', value: (t) => t.deadline ?? '' },
          ],
          rows,
        );
        const unreachable = hosts.filter((h) => !h.boinc?.reachable);
        for (const h of unreachable) out.note(`${h.name}: ${h.boinc ? `unreachable${h.boinc.error ? ` (${h.boinc.error})` : ''}` : 'BOINC not configured'}`);
        return unreachable.length === 0 ? EXIT.OK : unreachable.length < hosts.length ? EXIT.PARTIAL : EXIT.FAILURE;
      },
    },
    mode: {
      summary: 'set the run, GPU or network mode',
      help: `Usage: corral boinc mode run|gpu|network always|auto|never|restore HOSTS… [--duration S] [--reason TEXT] [--dry-run]

Options:
  --duration S        for this many seconds, then back to the previous mode
  -r, --reason TEXT   why (goes into the audit log)
  -n, --dry-run       show what would happen, change nothing

Examples:
  corral boinc mode run never @crunchers --duration 3600 --reason "benchmarking"
  corral boinc mode gpu auto node07
  corral boinc mode network never 'node[01-08]' --dry-run`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...MODE_OPTIONS, duration: { type: 'string' }, 'dry-run': { type: 'boolean', short: 'n' } }, 'boinc mode');
        const [what, mode, ...hosts] = positionals;
        return runBulkAction({
          ctx,
          values,
          command: 'boinc mode',
          mutation: `mutation($h: [String!]!, $w: BoincModeTarget!, $m: BoincMode!, $d: Int, $r: String, $n: Boolean) {
            boincSetMode(hosts: $h, what: $w, mode: $m, durationS: $d, reason: $r, dryRun: $n) { ${BULK_FIELDS} } }`,
          variables: {
            w: enumArg(what, WHAT, 'what', 'boinc mode'),
            m: enumArg(mode, MODES, 'mode', 'boinc mode'),
            h: requireHosts(hosts, 'boinc mode'),
            d: intOption(values.duration, 'duration', 'boinc mode'),
            r: values.reason,
            n: values['dry-run'] ?? false,
          },
          field: 'boincSetMode',
          what: `${what} mode ${mode}`,
          dryRun: values['dry-run'],
        });
      },
    },
    project: {
      summary: 'update, suspend, resume, nomorework, allowmorework, detach or reset a project',
      help: `Usage: corral boinc project OP PROJECT_URL HOSTS… [--reason TEXT] [--yes]

OP is one of ${PROJECT_OPS.join(', ')}. detach and reset ask first on a terminal.

Examples:
  corral boinc project update https://einsteinathome.org/ @crunchers
  corral boinc project nomorework https://boinc.bakerlab.org/rosetta/ node07
  corral boinc project detach https://example.org/old/ @all --reason "project ended" --yes`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, MODE_OPTIONS, 'boinc project');
        const [op, url, ...hosts] = positionals;
        const opName = enumArg(op, PROJECT_OPS, 'OP', 'boinc project');
        const targets = requireHosts(hosts, 'boinc project');
        return runBulkAction({
          ctx,
          values,
          command: 'boinc project',
          mutation: `mutation($h: [String!]!, $u: String!, $o: BoincProjectOp!, $r: String) { boincProjectOp(hosts: $h, url: $u, op: $o, reason: $r) { ${BULK_FIELDS} } }`,
          variables: { h: targets, u: requireArg(url, 'PROJECT_URL', 'boinc project'), o: opName, r: values.reason },
          field: 'boincProjectOp',
          what: `project ${op}`,
          confirmQuestion: opName === 'DETACH' || opName === 'RESET' ? `${op} ${url} on ${targets.join(' ')}? Work in progress is lost.` : undefined,
        });
      },
    },
    task: {
      summary: 'suspend, resume or abort one task',
      help: `Usage: corral boinc task suspend|resume|abort PROJECT_URL TASK HOSTS… [--reason TEXT] [--yes]

Examples:
  corral boinc task suspend https://einsteinathome.org/ h1_0123_O3_1 node07
  corral boinc task abort https://einsteinathome.org/ h1_0123_O3_1 node07 --reason "stuck at 100%" --yes`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, MODE_OPTIONS, 'boinc task');
        const [op, url, task, ...hosts] = positionals;
        const opName = enumArg(op, TASK_OPS, 'OP', 'boinc task');
        const targets = requireHosts(hosts, 'boinc task');
        return runBulkAction({
          ctx,
          values,
          command: 'boinc task',
          mutation: `mutation($h: [String!]!, $u: String!, $t: String!, $o: BoincTaskOp!, $r: String) {
            boincTaskOp(hosts: $h, projectUrl: $u, task: $t, op: $o, reason: $r) { ${BULK_FIELDS} } }`,
          variables: { h: targets, u: requireArg(url, 'PROJECT_URL', 'boinc task'), t: requireArg(task, 'TASK', 'boinc task'), o: opName, r: values.reason },
          field: 'boincTaskOp',
          what: `task ${op}`,
          confirmQuestion: opName === 'ABORT' ? `Abort ${task} on ${targets.join(' ')}?` : undefined,
        });
      },
    },
  },
};
