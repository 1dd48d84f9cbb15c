/**
 * Client-side matching of host arguments for read-only views (power/slurm/boinc status), where the
 * server takes no host list: names, pdsh/Slurm ranges `node[01-04,07]`, and `@group`.
 * Mutations always send the arguments as typed; the server expands them.
 */
import { UsageError } from './exit-codes.js';

const MAX_EXPANSION = 100_000;

/** Splits on commas outside brackets: "n[1-2],m3" → ["n[1-2]", "m3"]. */
export function splitTopLevel(arg: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of arg) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** Expands one range expression; "node[01-03]" → node01 node02 node03 (zero padding kept). */
export function expandRange(expr: string): string[] {
  const m = /^([^[]*)\[([^\]]+)\](.*)$/.exec(expr);
  if (!m) return [expr];
  const [, prefix, body, rest] = m as unknown as [string, string, string, string];
  const middles: string[] = [];
  for (const part of body.split(',')) {
    const r = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!r) throw new UsageError(`bad host range "${expr}" (expected e.g. node[01-04,07])`);
    const lo = Number(r[1]);
    const hi = r[2] === undefined ? lo : Number(r[2]);
    if (hi < lo || hi - lo > MAX_EXPANSION) throw new UsageError(`bad host range "${expr}"`);
    const width = r[1]!.length;
    for (let i = lo; i <= hi; i++) middles.push(String(i).padStart(width, '0'));
  }
  const tails = expandRange(rest);
  return middles.flatMap((mid) => tails.map((t) => `${prefix}${mid}${t}`));
}

export interface HostSelector {
  names: Set<string>;
  groups: Set<string>;
}

export function selector(args: string[]): HostSelector {
  const names = new Set<string>();
  const groups = new Set<string>();
  for (const arg of args.flatMap(splitTopLevel)) {
    if (arg.startsWith('@')) groups.add(arg.slice(1));
    else for (const n of expandRange(arg)) names.add(n);
  }
  return { names, groups };
}

export function matches(sel: HostSelector, host: { name: string; groups?: { name: string }[] }): boolean {
  return sel.names.has(host.name) || (host.groups ?? []).some((g) => sel.groups.has(g.name));
}
