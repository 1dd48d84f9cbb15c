#!/usr/bin/env node
// Launcher for the `corral` command: runs clients/cli/main.ts through tsx in a child Node process,
// passing stdio, signals and the exit code through.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../clients/cli/main.ts', import.meta.url));
// Resolved from this file, not the caller's working directory.
const tsx = import.meta.resolve('tsx');

const child = spawn(process.execPath, ['--import', tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' });

// Ctrl-C reaches the child through the terminal's process group; the launcher just waits for it.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}

child.on('error', (e) => {
  process.stderr.write(`corral: cannot start node: ${e.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
