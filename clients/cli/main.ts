#!/usr/bin/env node
/**
 * The `corral` command. Top-level commands live in a map (name → summary + lazy module), so
 * `--help` can list them and new ones (agents, projects, jobs) are one line here plus one file.
 */
import { GLOBAL_OPTIONS_HELP } from './lib/args.js';
import type { Command, Context } from './lib/command.js';
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode, UsageError } from './lib/exit-codes.js';

interface Entry {
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, Entry> = {
  serve: { summary: 'run the Corral server', load: async () => (await import('./commands/serve.js')).serveCommand },
  login: { summary: 'log in and save a token in your config dir', load: async () => (await import('./commands/login.js')).loginCommand },
  logout: { summary: 'end the session and forget the saved token', load: async () => (await import('./commands/logout.js')).logoutCommand },
  status: { summary: 'the hosts × checks table', load: async () => (await import('./commands/status.js')).statusCommand },
  watch: { summary: 'live status view (subscription)', load: async () => (await import('./commands/watch.js')).watchCommand },
  hosts: { summary: 'list, show, add, remove, enable, disable, import hosts', load: async () => (await import('./commands/hosts.js')).hostsCommand },
  checks: { summary: 'list, add, remove and run checks, and show their history', load: async () => (await import('./commands/checks.js')).checksCommand },
  power: { summary: 'BMC power status and on/off/cycle', load: async () => (await import('./commands/power.js')).powerCommand },
  slurm: { summary: 'Slurm node status, drain and resume', load: async () => (await import('./commands/slurm.js')).slurmCommand },
  boinc: { summary: 'BOINC status, tasks, modes, project and task operations', load: async () => (await import('./commands/boinc.js')).boincCommand },
  users: { summary: 'manage users and their grants', load: async () => (await import('./commands/users.js')).usersCommand },
  tokens: { summary: 'create, list and revoke API tokens', load: async () => (await import('./commands/tokens.js')).tokensCommand },
  query: { summary: 'run an ad-hoc GraphQL operation', load: async () => (await import('./commands/query.js')).queryCommand },
};

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}`);
  return `Usage: corral COMMAND [SUBCOMMAND] [options]

Corral: inventory, health checks and safe actions for a cluster.

Commands:
${lines.join('\n')}

Run \`corral COMMAND --help\` for a command's options and examples.

Examples:
  corral login --url http://corral.example:4000
  corral status --group render
  corral power cycle node07 --reason "hung, no ping"
  corral query '{ hosts(first: 5) { edges { node { name health } } } }'

${GLOBAL_OPTIONS_HELP}

Environment: CORRAL_URL, CORRAL_TOKEN, NO_COLOR, XDG_CONFIG_HOME (config file corral/config.json)

${EXIT_CODES_HELP}
`;
}

const fullHelp = (help: string) => `${help.trimEnd()}\n\n${GLOBAL_OPTIONS_HELP}\n\n${EXIT_CODES_HELP}\n`;

/** `--help`/`-h` before a `--` separator. */
function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

function subcommandList(cmd: Command): string {
  const subs = Object.entries(cmd.subcommands ?? {});
  const width = Math.max(...subs.map(([n]) => n.length));
  return subs.map(([n, s]) => `  ${n.padEnd(width)}  ${s.summary}`).join('\n');
}

export async function main(argv: string[], ctx: Context): Promise<ExitCode> {
  const [name, ...rest] = argv;
  let where = '';
  try {
    if (name === undefined) {
      ctx.stderr.write(topHelp());
      return EXIT.USAGE;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      const topic = rest[0] && COMMANDS[rest[0]];
      if (!topic) {
        ctx.stdout.write(topHelp());
        return EXIT.OK;
      }
      return await main([rest[0]!, ...rest.slice(1), '--help'], ctx);
    }
    const entry = COMMANDS[name];
    if (!entry) throw new UsageError(`unknown command "${name}" — run \`corral --help\` for the list`);
    where = name;
    const cmd = await entry.load();
    if (cmd.subcommands) {
      const [sub, ...subArgv] = rest;
      if (sub === undefined || sub.startsWith('-')) {
        const help = `${cmd.help.trimEnd()}\n\nSubcommands:\n${subcommandList(cmd)}\n\nRun \`corral ${name} SUBCOMMAND --help\` for options and examples.\n`;
        if (wantsHelp(rest)) {
          ctx.stdout.write(fullHelp(help));
          return EXIT.OK;
        }
        ctx.stderr.write(help);
        return EXIT.USAGE;
      }
      const subcommand = Object.hasOwn(cmd.subcommands, sub) ? cmd.subcommands[sub] : undefined;
      if (!subcommand) throw new UsageError(`unknown subcommand "${name} ${sub}" — one of: ${Object.keys(cmd.subcommands).join(', ')}`, name);
      where = `${name} ${sub}`;
      if (wantsHelp(subArgv)) {
        ctx.stdout.write(fullHelp(subcommand.help));
        return EXIT.OK;
      }
      return (await subcommand.run(subArgv, ctx)) ?? EXIT.OK;
    }
    if (wantsHelp(rest)) {
      ctx.stdout.write(fullHelp(cmd.help));
      return EXIT.OK;
    }
    return (await cmd.run!(rest, ctx)) ?? EXIT.OK;
  } catch (e) {
    const debug = argv.includes('--debug') || Boolean(ctx.env.CORRAL_DEBUG);
    if (e instanceof UsageError) {
      const cmd = e.command ?? where;
      ctx.stderr.write(`corral: ${e.message}\n`);
      ctx.stderr.write(cmd ? `Run \`corral ${cmd} --help\` for usage.\n` : '');
    } else if (e instanceof CliError) {
      ctx.stderr.write(`corral: ${e.message}\n`);
    } else {
      const err = e as Error;
      ctx.stderr.write(`corral: ${err?.message ?? String(e)}${debug ? '' : ' (run with --debug for details)'}\n`);
    }
    if (debug && e instanceof Error && e.stack) ctx.stderr.write(`${e.stack}\n`);
    return e instanceof CliError ? e.exitCode : EXIT.FAILURE;
  }
}

/** Runs `corral <argv>` for this process and exits with its code. */
export function runAsCommand(): void {
  void main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then((code) => {
    // (`serve` never returns here; `watch` returns on Ctrl-C.) Flush stdout before leaving, so a
    // pipe reader gets everything even if keep-alive sockets linger.
    process.exitCode = code;
    process.stdout.write('', () => process.exit(code));
  });
}

// Run only as the entry point (bin/corral.js, `tsx clients/cli/main.ts`), not when imported; the
// dist bundle runs it from bundle-entry.ts.
if (/clients[\\/]cli[\\/]main\.[tj]s$/.test(process.argv[1] ?? '')) runAsCommand();
