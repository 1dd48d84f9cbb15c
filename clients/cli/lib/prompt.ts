/** Questions on the terminal: yes/no confirmation, a line, a hidden password; and reading stdin for scripts. */
import { createInterface } from 'node:readline';
import { UsageError } from './exit-codes.js';

const interactive = () => Boolean(process.stdin.isTTY && process.stderr.isTTY);

/**
 * Asks before a dangerous action. `--yes` skips the question; without a terminal and without
 * `--yes` the command refuses (exit 2) rather than act unasked.
 */
export async function confirm(question: string, opts: { yes?: boolean; command: string }): Promise<boolean> {
  if (opts.yes) return true;
  if (!interactive()) throw new UsageError(`not on a terminal, so nobody can confirm — add --yes to ${opts.command} from a script`, opts.command);
  const answer = await ask(`${question} [y/N] `);
  return /^(y|yes)$/i.test(answer.trim());
}

export function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      process.exit(130);
    });
  });
}

/** Reads a password without echo (raw mode); Ctrl-C aborts. */
export function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export { interactive };
