/**
 * The result of parsing an inventory text, and the builder every format fills in.
 * The builder validates every name, address, group and label as it is added, and merges
 * repeated hosts; a conflicting value (two addresses, two values for one label) is an error
 * rather than "last one wins", because an import should not silently drop what the file said.
 */
import {
  quoteForMessage,
  validateAddress,
  validateGroupName,
  validateHostName,
  validateLabelKey,
  validateLabelValue,
} from '../host-names.js';
import { expandHostlist, HostlistError } from '../hostlist.js';
import { ImportError } from './import-error.js';

export interface ImportedHost {
  name: string;
  address?: string;
  labels: Record<string, string>;
  groups: string[];
}

export interface Inventory {
  /** In order of first appearance in the text. */
  hosts: ImportedHost[];
}

/** Most distinct hosts one import may describe. */
export const MAX_IMPORT_HOSTS = 100_000;

interface Entry {
  host: ImportedHost;
  addressLine?: number;
  labelLines: Map<string, number>;
  groupSet: Set<string>;
}

export class InventoryBuilder {
  private readonly entries = new Map<string, Entry>();

  /** Expands a hostlist expression (or single name) and validates every name; errors name the line. */
  expandNames(expr: string, line: number): string[] {
    let names: string[];
    try {
      names = expandHostlist(expr, { max: MAX_IMPORT_HOSTS });
    } catch (e) {
      if (e instanceof HostlistError) throw new ImportError(line, e.message);
      throw e;
    }
    for (const name of names) {
      const err = validateHostName(name);
      if (err) throw new ImportError(line, err);
    }
    return names;
  }

  /** Adds the host if new; returns its name for the setters below. The name must be validated already. */
  host(name: string, line: number): string {
    if (!this.entries.has(name)) {
      if (this.entries.size >= MAX_IMPORT_HOSTS) {
        throw new ImportError(line, `more than ${MAX_IMPORT_HOSTS} hosts in one import`);
      }
      this.entries.set(name, { host: { name, labels: {}, groups: [] }, labelLines: new Map(), groupSet: new Set() });
    }
    return name;
  }

  setAddress(name: string, address: string, line: number): void {
    const err = validateAddress(address);
    if (err) throw new ImportError(line, err);
    const entry = this.entry(name);
    const current = entry.host.address;
    if (current !== undefined && current !== address) {
      throw new ImportError(
        line,
        `host ${name} gets address ${quoteForMessage(address)} but line ${entry.addressLine} gave it ${quoteForMessage(current)}`,
      );
    }
    entry.host.address = address;
    entry.addressLine ??= line;
  }

  setLabel(name: string, key: string, value: string, line: number): void {
    const err = validateLabelKey(key) ?? validateLabelValue(value);
    if (err) throw new ImportError(line, err);
    const entry = this.entry(name);
    if (Object.hasOwn(entry.host.labels, key) && entry.host.labels[key] !== value) {
      throw new ImportError(
        line,
        `host ${name} gets label ${key}=${quoteForMessage(value)} but line ${entry.labelLines.get(key)} gave ${key}=${quoteForMessage(entry.host.labels[key]!)}`,
      );
    }
    entry.host.labels[key] = value;
    if (!entry.labelLines.has(key)) entry.labelLines.set(key, line);
  }

  addGroup(name: string, group: string, line: number): void {
    checkGroupName(group, line);
    const entry = this.entry(name);
    if (entry.groupSet.has(group)) return;
    entry.groupSet.add(group);
    entry.host.groups.push(group);
  }

  build(): Inventory {
    return { hosts: [...this.entries.values()].map((e) => e.host) };
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`InventoryBuilder: host ${name} was not added first`);
    return entry;
  }
}

export function checkGroupName(group: string, line: number): void {
  const err = validateGroupName(group);
  if (err) throw new ImportError(line, err);
}

/** Splits a text into lines (LF or CRLF) with 1-based numbers, a comment ('#' to end of line) removed and trimmed. */
export function meaningfulLines(text: string): { line: number; text: string }[] {
  return text
    .split(/\r?\n/)
    .map((raw, i) => {
      const hash = raw.indexOf('#');
      return { line: i + 1, text: (hash >= 0 ? raw.slice(0, hash) : raw).trim() };
    })
    .filter((l) => l.text !== '');
}
