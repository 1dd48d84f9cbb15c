/**
 * Reads hosts with the fields a view needs. Host arguments (names, ranges like node[01-04],
 * @groups) are expanded by the server through `hosts(filter: { hosts })`: the CLI only talks GraphQL.
 */
import { type Api, ApiError } from './api.js';
import { CliError } from './exit-codes.js';

export interface HostBase {
  name: string;
}

interface HostsPage<T> {
  hosts: { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** 100 per page keeps the query cost low even when every host asks a BMC or BOINC client. */
const PAGE = 100;

/** The hosts named by host arguments; an unknown name or group is one readable error (exit 1). */
export async function fetchHosts<T extends HostBase>(api: Api, args: string[], fields: string): Promise<T[]> {
  let hosts: T[];
  try {
    hosts = await listHosts<T>(api, { hosts: args }, `name ${fields}`);
  } catch (e) {
    // The server names what it could not find ("unknown host: n99"); point at the list.
    if (e instanceof ApiError && e.codes.includes('NOT_FOUND')) throw new CliError(`${e.message} — see \`corral hosts list\``);
    throw e;
  }
  if (hosts.length === 0) throw new CliError(`no hosts matched ${args.join(' ')} — see \`corral hosts list\``);
  return hosts;
}

/** Every host (paged), optionally filtered. */
export async function listHosts<T>(api: Api, filter: Record<string, unknown> | undefined, fields: string): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  do {
    const data: HostsPage<T> = await api.request(
      `query($f: HostFilter, $a: String) { hosts(filter: $f, first: ${PAGE}, after: $a) { edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } }`,
      { f: filter, a: after },
    );
    out.push(...data.hosts.edges.map((e) => e.node));
    after = data.hosts.pageInfo.hasNextPage ? data.hosts.pageInfo.endCursor : null;
  } while (after);
  return out;
}
