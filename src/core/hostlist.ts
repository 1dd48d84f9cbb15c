/**
 * Slurm/pdsh hostlist syntax: `node[01-16,20]`, `gpu[1-4]-ib`, `rack[1-2]-n[01-02]`, `n[1-2],m3`.
 * A range keeps the width of its lower bound: `[01-16]` gives n01…n16, `[8-10]` gives n8…n10,
 * `[098-100]` gives n098…n100. Several bracket groups in one name expand as a cartesian product,
 * left group slowest. `@group` host arguments follow ClusterShell and are left to the caller.
 */
import { quoteForMessage, validateGroupName, validateHostName } from './host-names.js';

export class HostlistError extends Error {
  override name = 'HostlistError';
}

export interface ExpandOptions {
  /** Most names an expression may expand to; larger expansions throw before any work. Default 100,000. */
  max?: number;
}

export const DEFAULT_HOSTLIST_MAX = 100_000;
// Beyond 15 digits a JS number no longer counts exactly.
const MAX_DIGITS = 15;

interface Range {
  lo: number;
  hi: number;
  width: number;
}

/** A name with its bracket groups: literal parts interleaved with range lists (parts.length = groups.length + 1). */
interface Pattern {
  parts: string[];
  groups: Range[][];
}

/** Splits on commas outside brackets. */
function splitTopLevel(expr: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      items.push(expr.slice(start, i));
      start = i + 1;
    }
  }
  items.push(expr.slice(start));
  return items;
}

function parseRanges(body: string, item: string): Range[] {
  const q = quoteForMessage(item);
  if (body.trim() === '') throw new HostlistError(`empty brackets in ${q}`);
  return body.split(',').map((raw) => {
    const entry = raw.trim();
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(entry);
    if (!m) {
      throw new HostlistError(`invalid range ${quoteForMessage(entry)} in ${q} (expected N or N-M with digits)`);
    }
    const loText = m[1]!;
    const hiText = m[2] ?? loText;
    if (loText.length > MAX_DIGITS || hiText.length > MAX_DIGITS) {
      throw new HostlistError(`range ${quoteForMessage(entry)} in ${q} has numbers longer than ${MAX_DIGITS} digits`);
    }
    const lo = Number(loText);
    const hi = Number(hiText);
    if (hi < lo) throw new HostlistError(`descending range ${quoteForMessage(entry)} in ${q}`);
    return { lo, hi, width: loText.length };
  });
}

function parsePattern(item: string): Pattern {
  const parts: string[] = [];
  const groups: Range[][] = [];
  let literal = '';
  let i = 0;
  while (i < item.length) {
    const c = item[i]!;
    if (c === ']') throw new HostlistError(`unmatched ']' in ${quoteForMessage(item)}`);
    if (c !== '[') {
      literal += c;
      i++;
      continue;
    }
    const close = item.indexOf(']', i + 1);
    const nested = item.indexOf('[', i + 1);
    if (close < 0) throw new HostlistError(`unmatched '[' in ${quoteForMessage(item)}`);
    if (nested >= 0 && nested < close) throw new HostlistError(`nested '[' in ${quoteForMessage(item)}`);
    parts.push(literal);
    literal = '';
    groups.push(parseRanges(item.slice(i + 1, close), item));
    i = close + 1;
  }
  parts.push(literal);
  return { parts, groups };
}

function patternSize(p: Pattern): number {
  let size = 1;
  for (const g of p.groups) size *= g.reduce((n, r) => n + (r.hi - r.lo + 1), 0);
  return size;
}

function expandPattern(p: Pattern, out: string[]): void {
  const walk = (index: number, prefix: string): void => {
    if (index === p.groups.length) {
      out.push(prefix + p.parts[index]);
      return;
    }
    const head = prefix + p.parts[index];
    for (const r of p.groups[index]!) {
      for (let v = r.lo; v <= r.hi; v++) walk(index + 1, head + String(v).padStart(r.width, '0'));
    }
  };
  walk(0, '');
}

function parseExpression(expr: string): Pattern[] {
  const trimmed = expr.trim();
  if (trimmed === '') throw new HostlistError('hostlist is empty');
  return splitTopLevel(trimmed).map((raw) => {
    const item = raw.trim();
    if (item === '') throw new HostlistError(`empty entry in hostlist ${quoteForMessage(trimmed)}`);
    return parsePattern(item);
  });
}

function tooMany(expr: string, max: number): HostlistError {
  return new HostlistError(`hostlist ${quoteForMessage(expr)} expands to more than ${max} names`);
}

/**
 * Expands a hostlist expression into names, in order, duplicates kept.
 * Does not validate the resulting names (see parseHostArgs); throws HostlistError on bad syntax
 * or when the expansion would exceed `max`.
 */
export function expandHostlist(expr: string, opts: ExpandOptions = {}): string[] {
  const max = opts.max ?? DEFAULT_HOSTLIST_MAX;
  const patterns = parseExpression(expr);
  const total = patterns.reduce((n, p) => n + patternSize(p), 0);
  if (total > max) throw tooMany(expr.trim(), max);
  const out: string[] = [];
  for (const p of patterns) expandPattern(p, out);
  return out;
}

/** True when a string uses hostlist syntax (brackets or a comma) rather than being one plain name. */
export function isHostlistExpression(s: string): boolean {
  return /[[\],]/.test(s);
}

interface NumberedName {
  text: string;
  value: number;
}

/**
 * The inverse of expandHostlist: `['n01','n02','n03','n05']` → `'n[01-03,05]'`.
 * Names are grouped by the text around their last run of digits; each group's numbers become
 * ranges whose lower bound carries the width, so expandHostlist gives back exactly the same set.
 * Duplicates are dropped; groups appear in order of first appearance, ranges in ascending order.
 */
export function compressHostlist(names: string[]): string {
  const groups = new Map<string, { prefix: string; suffix: string; items: NumberedName[] }>();
  // Output entries in order of first appearance: '=name' for a name without digits, '#key' for a group.
  const order: string[] = [];
  for (const name of new Set(names)) {
    if (name === '' || /[[\],\s]/.test(name)) {
      throw new HostlistError(`cannot compress ${quoteForMessage(name)}: names must be non-empty without brackets, commas or spaces`);
    }
    const m = /^(.*?)(\d+)(\D*)$/.exec(name);
    if (!m || m[2]!.length > MAX_DIGITS) {
      order.push(`=${name}`);
      continue;
    }
    const [, prefix = '', digits = '', suffix = ''] = m;
    const key = `${prefix}\u0000${suffix}`;
    let group = groups.get(key);
    if (!group) {
      group = { prefix, suffix, items: [] };
      groups.set(key, group);
      order.push(`#${key}`);
    }
    group.items.push({ text: digits, value: Number(digits) });
  }
  return order
    .map((entry) => {
      if (entry.startsWith('=')) return entry.slice(1);
      const group = groups.get(entry.slice(1))!;
      if (group.items.length === 1) return `${group.prefix}${group.items[0]!.text}${group.suffix}`;
      return `${group.prefix}[${compressNumbers(group.items).join(',')}]${group.suffix}`;
    })
    .join(',');
}

/** Consecutive runs where every member is written with the width of the run's first member. */
function compressNumbers(items: NumberedName[]): string[] {
  const sorted = [...items].sort((a, b) => a.value - b.value || a.text.length - b.text.length);
  const remaining = new Set(sorted.map((i) => i.text));
  const ranges: string[] = [];
  for (const item of sorted) {
    if (!remaining.has(item.text)) continue;
    remaining.delete(item.text);
    const width = item.text.length;
    let hi = item.value;
    let next = String(hi + 1).padStart(width, '0');
    while (remaining.has(next)) {
      remaining.delete(next);
      hi++;
      next = String(hi + 1).padStart(width, '0');
    }
    ranges.push(hi === item.value ? item.text : `${item.text}-${String(hi).padStart(width, '0')}`);
  }
  return ranges;
}

export interface HostArgs {
  /** Expanded, validated host names, de-duplicated, in the order given. */
  names: string[];
  /** Group names from `@group` arguments (without '@'), de-duplicated, for the caller to resolve. */
  groups: string[];
}

/**
 * Parses host arguments as a user types them: each is a host name, a hostlist (`node[01-16]`,
 * `n1,n2`) or `@group`; a comma list may mix them (`n[1-4],@gpu`). Names are expanded and
 * validated; the first invalid one throws a HostlistError naming it.
 */
export function parseHostArgs(args: string[], opts: ExpandOptions = {}): HostArgs {
  const max = opts.max ?? DEFAULT_HOSTLIST_MAX;
  const names = new Set<string>();
  const groups = new Set<string>();
  let expanded = 0;
  for (const arg of args) {
    const trimmed = arg.trim();
    if (trimmed === '') throw new HostlistError('empty host argument');
    for (const raw of splitTopLevel(trimmed)) {
      const item = raw.trim();
      if (item === '') throw new HostlistError(`empty entry in host argument ${quoteForMessage(trimmed)}`);
      if (item.startsWith('@')) {
        const group = item.slice(1);
        const err = validateGroupName(group);
        if (err) throw new HostlistError(err);
        groups.add(group);
        continue;
      }
      const list = expandHostlist(item, { max });
      expanded += list.length;
      if (expanded > max) throw new HostlistError(`host arguments expand to more than ${max} names`);
      for (const name of list) {
        const err = validateHostName(name);
        if (err) throw new HostlistError(err);
        names.add(name);
      }
    }
  }
  return { names: [...names], groups: [...groups] };
}
