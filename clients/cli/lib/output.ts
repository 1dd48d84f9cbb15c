/**
 * Everything a command prints: aligned tables (coloured on a terminal, plain when piped), --json,
 * --csv, one-line notes on stderr, and progress that shows only on a terminal.
 */
import { UsageError } from './exit-codes.js';

export type Format = 'table' | 'json' | 'csv';

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
export const stripAnsi = (s: string) => s.replace(ANSI, '');

/** Status and health words → colour, shared by status, hosts and watch. */
export function statusColour(value: unknown): Colour | undefined {
  switch (value) {
    case 'OK':
    case 'on':
    case true:
      return 'green';
    case 'WARN':
      return 'yellow';
    case 'CRIT':
    case 'off':
    case false:
      return 'red';
    case 'UNKNOWN':
    case 'unknown':
      return 'magenta';
    case 'DISABLED':
      return 'dim';
    default:
      return undefined;
  }
}

export interface Column<R> {
  header: string;
  /** The cell text (also the CSV value). */
  value: (row: R) => unknown;
  colour?: (row: R) => Colour | undefined;
  align?: 'left' | 'right';
}

export interface OutputStreams {
  stdout: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function formatFrom(values: { json?: boolean; csv?: boolean }, command: string): Format {
  if (values.json && values.csv) throw new UsageError('choose one of --json and --csv', command);
  return values.json ? 'json' : values.csv ? 'csv' : 'table';
}

export class Output {
  readonly tty: boolean;
  readonly colour: boolean;
  readonly progressEnabled: boolean;

  constructor(
    private readonly streams: OutputStreams,
    readonly format: Format = 'table',
    opts: { noColor?: boolean } = {},
  ) {
    const { env } = streams;
    this.tty = Boolean(streams.stdout.isTTY);
    const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== '';
    this.colour = !opts.noColor && !env.NO_COLOR && (forced || (this.tty && env.TERM !== 'dumb'));
    this.progressEnabled = Boolean(streams.stderr.isTTY) && format === 'table';
  }

  paint(text: string, colour: Colour | undefined): string {
    if (!this.colour || !colour) return text;
    return `\x1b[${CODES[colour]}m${text}\x1b[0m`;
  }

  line(text = ''): void {
    this.streams.stdout.write(`${text}\n`);
  }

  /** A note for humans on stderr (so it never pollutes piped data). */
  note(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /** Rows in the chosen format; `json` is what --json prints (default: the rows themselves). */
  table<R>(columns: Column<R>[], rows: R[], json: unknown = rows): void {
    if (this.format === 'json') {
      this.json(json);
      return;
    }
    if (this.format === 'csv') {
      this.line(columns.map((c) => csvCell(c.header)).join(','));
      for (const r of rows) this.line(columns.map((c) => csvCell(text(c.value(r)))).join(','));
      return;
    }
    this.streams.stdout.write(this.renderTable(columns, rows));
  }

  renderTable<R>(columns: Column<R>[], rows: R[]): string {
    const cells = rows.map((r) => columns.map((c) => text(c.value(r))));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
    const pad = (s: string, i: number, painted: string) => {
      const gap = ' '.repeat(widths[i]! - s.length);
      return columns[i]!.align === 'right' ? gap + painted : painted + gap;
    };
    const lines = [columns.map((c, i) => pad(c.header, i, this.paint(c.header, 'bold'))).join('  ').trimEnd()];
    rows.forEach((r, ri) => {
      lines.push(
        columns
          .map((c, i) => {
            const s = cells[ri]![i]!;
            return pad(s, i, this.paint(s, c.colour?.(r)));
          })
          .join('  ')
          .trimEnd(),
      );
    });
    return `${lines.join('\n')}\n`;
  }

  /** Progress for long operations: on a terminal only, on stderr, erased when done. */
  progress(label: string, total: number): { tick(n?: number): void; done(): void } {
    let count = 0;
    const draw = () => {
      if (this.progressEnabled) this.streams.stderr.write(`\r\x1b[2K${label} ${count}/${total}`);
    };
    draw();
    return {
      tick: (n = 1) => {
        count += n;
        draw();
      },
      done: () => {
        if (this.progressEnabled) this.streams.stderr.write('\r\x1b[2K');
      },
    };
  }
}

export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(text).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** "3m ago" style ages for timestamps. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}
