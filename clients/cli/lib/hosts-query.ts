/** Reads hosts named by host arguments, with the fields a view needs (names batched, groups filtered server-side). */
import type { Api } from './api.js';
import { CliError } from './exit-codes.js';
import { matches, selector } from './hostlist.js';

export interface HostBase {
  name: string;
  groups: { name: string }[];
}

const BATCH = 100;

export async function fetchHosts<T extends HostBase>(api: Api, args: string[], fields: string): Promise<T[]> {
  const sel = selector(args);
  const found = new Map<string, T>();
  const names = [...sel.names];
  for (let i = 0; i < names.length; i += BATCH) {
    const chunk = names.slice(i, i + BATCH);
    const vars = chunk.map((_, j) => `$n${j}: String!`).join(', ');
    const body = chunk.map((_, j) => `h${j}: host(name: $n${j}) { name groups { name } ${fields} }`).join('\n');
    const data = await api.request<Record<string, T | null>>(`query(${vars}) {\n${body}\n}`, Object.fromEntries(chunk.map((n, j) => [`n${j}`, n])));
    const missing = chunk.filter((_, j) => !data[`h${j}`]);
    if (missing.length) throw new CliError(`no such host: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} — see \`corral hosts list\``);
    for (const h of Object.values(data)) if (h) found.set(h.name, h);
  }
  if (sel.groups.size > 0) {
    let after: string | null = null;
    do {
      const data: { hosts: { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await api.request(
        `query($f: HostFilter, $a: String) { hosts(filter: $f, first: ${BATCH}, after: $a) { edges { node { name groups { name } ${fields} } } pageInfo { hasNextPage endCursor } } }`,
        { f: { groups: [...sel.groups] }, a: after },
      );
      for (const e of data.hosts.edges) if (matches(sel, e.node)) found.set(e.node.name, e.node);
      after = data.hosts.pageInfo.hasNextPage ? data.hosts.pageInfo.endCursor : null;
    } while (after);
  }
  if (found.size === 0) throw new CliError(`no hosts matched ${args.join(' ')} — see \`corral hosts list\``);
  return [...found.values()];
}

/** Every host (paged), optionally filtered. */
export async function listHosts<T>(api: Api, filter: Record<string, unknown> | undefined, fields: string): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  do {
    const data: { hosts: { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await api.request(
      `query($f: HostFilter, $a: String) { hosts(filter: $f, first: ${BATCH}, after: $a) { edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } }`,
      { f: filter, a: after },
    );
    out.push(...data.hosts.edges.map((e) => e.node));
    after = data.hosts.pageInfo.hasNextPage ? data.hosts.pageInfo.endCursor : null;
  } while (after);
  return out;
}
