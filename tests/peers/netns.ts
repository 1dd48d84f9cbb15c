/**
 * Hosts that can die, for tests: N network namespaces, each with a veth pair whose root-side end
 * is a port of a bridge in the root namespace. The bridge holds 10.231.X.1/24, a private /24 that
 * exists only on these links (no route out, no forwarding); host i is 10.231.X.(10+i).
 * `setLinkUp(i, false)` takes host i's link down (it vanishes), `true` brings it back at once.
 * Names (bridge, veths, namespaces) and X are unique per lab, so test files may run in parallel.
 * Needs root and `ip`: guard suites with `describe.runIf(isRoot() && hasPeers('ip', ...))`.
 */
import { randomBytes } from 'node:crypto';
import { runCommand } from '../../src/core/command.js';

export interface NetnsHost {
  /** Network namespace name (`ip netns exec NAME …`). */
  ns: string;
  /** IPv4 address of the host inside its namespace. */
  address: string;
  /** Root-namespace end of its veth pair (the bridge port `setLinkUp` toggles). */
  hostVeth: string;
}

export interface NetnsLab {
  bridge: string;
  /** e.g. "10.231.57.0/24" */
  subnet: string;
  /** The bridge's address in the root namespace: what the hosts see as their peer. */
  gateway: string;
  hosts: NetnsHost[];
  setLinkUp(index: number, up: boolean): Promise<void>;
  /**
   * argv running `argv` inside host `index`'s namespace; with `hostname`, also in its own UTS
   * namespace with that host name (so e.g. `hostname` over ssh differs per host).
   */
  execArgv(index: number, argv: readonly string[], opts?: { hostname?: string }): string[];
  /** Deletes the namespaces (which removes their veth pairs) and the bridge. Safe to call twice. */
  cleanup(): Promise<void>;
}

async function ip(args: string[], allowFail = false): Promise<string> {
  const res = await runCommand('ip', args, { timeoutMs: 10_000 });
  if (res.code !== 0 && !allowFail) {
    throw new Error(`ip ${args.join(' ')} failed (${res.code ?? 'timeout'}): ${res.stderr.trim()}`);
  }
  return res.stdout;
}

/** A third octet for 10.231.X.0/24 that no local address or route already uses. */
async function freeSubnetOctet(): Promise<number> {
  const used = (await ip(['-o', '-4', 'addr'])) + (await ip(['-4', 'route']));
  for (let tries = 0; tries < 200; tries++) {
    const x = 1 + (randomBytes(1)[0]! % 254);
    if (!used.includes(`10.231.${x}.`)) return x;
  }
  throw new Error('no free 10.231.X.0/24 subnet for a test network');
}

export async function createNetnsLab(count: number): Promise<NetnsLab> {
  if (count < 1 || count > 200) throw new Error('createNetnsLab: count must be 1..200');
  const id = randomBytes(3).toString('hex'); // 6 hex chars: interface names stay within 15 bytes
  const x = await freeSubnetOctet();
  const bridge = `crb${id}`;
  const hosts: NetnsHost[] = Array.from({ length: count }, (_, i) => ({
    ns: `corral-${id}-${i}`,
    address: `10.231.${x}.${10 + i}`,
    hostVeth: `crv${id}h${i}`,
  }));
  let cleaned = false;
  const created: string[] = [];
  let bridgeCreated = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const ns of created) await ip(['netns', 'del', ns], true);
    if (bridgeCreated) await ip(['link', 'del', bridge], true);
  };

  try {
    await ip(['link', 'add', bridge, 'type', 'bridge']);
    bridgeCreated = true;
    await ip(['addr', 'add', `10.231.${x}.1/24`, 'dev', bridge]);
    await ip(['link', 'set', bridge, 'up']);
    for (const [i, h] of hosts.entries()) {
      const nsVeth = `crv${id}n${i}`;
      await ip(['netns', 'add', h.ns]);
      created.push(h.ns);
      await ip(['link', 'add', h.hostVeth, 'type', 'veth', 'peer', 'name', nsVeth]);
      await ip(['link', 'set', nsVeth, 'netns', h.ns]);
      await ip(['link', 'set', h.hostVeth, 'master', bridge]);
      await ip(['link', 'set', h.hostVeth, 'up']);
      await ip(['-n', h.ns, 'link', 'set', nsVeth, 'name', 'eth0']);
      await ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      await ip(['-n', h.ns, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
    }
  } catch (e) {
    // A namespace created before the failure would otherwise leak its veth pair.
    const orphanVeths = hosts.map((h) => h.hostVeth);
    await cleanup();
    for (const v of orphanVeths) await ip(['link', 'del', v], true);
    throw e;
  }

  const host = (i: number) => {
    const h = hosts[i];
    if (!h) throw new Error(`no netns host ${i} (lab has ${hosts.length})`);
    return h;
  };
  return {
    bridge,
    subnet: `10.231.${x}.0/24`,
    gateway: `10.231.${x}.1`,
    hosts,
    setLinkUp: async (i, up) => {
      await ip(['link', 'set', host(i).hostVeth, up ? 'up' : 'down']);
    },
    execArgv: (i, argv, opts) => {
      const base = ['ip', 'netns', 'exec', host(i).ns];
      if (!opts?.hostname) return [...base, ...argv];
      // Test-only shell: the host name is a test constant, passed as $0, never interpolated.
      return [...base, 'unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', opts.hostname, ...argv];
    },
    cleanup,
  };
}
