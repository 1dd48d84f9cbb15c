/**
 * BOINC fleet read: one GraphQL query for 50 hosts' tasks against one real BOINC client, beside the
 * same 50 reads done with `boinccmd --get_tasks` one after another.
 *
 *   npx tsx bench/boinc/run.ts [--shared]
 *
 * By default the 50 hosts use 50 addresses (127.0.0.1 … 127.0.0.50, the client listens on all with
 * --allow_remote_gui_rpc) so Corral keeps 50 client sessions; --shared points all 50 at 127.0.0.1,
 * where Corral's pool (keyed by address:port) shares one session among them.
 */
import { runCommand } from '../../src/core/command.js';
import { findBinary, tempDir } from '../../tests/helpers/peers.js';
import { seed } from '../../tests/helpers/seed.js';
import { startTestServer } from '../../tests/helpers/server.js';
import { startBoinc } from '../../tests/peers/boinc.js';
import { median, ms } from './stats.js';

const HOSTS = 50;
const RUNS = 10;
const QUERY = `{ hosts(first: ${HOSTS}) { edges { node { name boinc { tasks { name state } } } } } }`;

async function main(): Promise<void> {
  const shared = process.argv.includes('--shared');
  const boinccmd = findBinary('boinccmd');
  if (!boinccmd) throw new Error('boinccmd not found (apt-get install boinc-client)');
  const peer = await startBoinc({ allowRemote: !shared });
  const server = await startTestServer();
  const cwd = tempDir('corral-bench-boinccmd-');
  try {
    const names = Array.from({ length: HOSTS }, (_, i) => `b${String(i + 1).padStart(3, '0')}`);
    const address = (i: number) => (shared ? '127.0.0.1' : `127.0.0.${i + 1}`);
    const s = seed(server.server.app.db);
    for (const [i, n] of names.entries()) s.host(n, { groups: ['bench'], address: address(i) });
    await s.done();
    for (const [i, n] of names.entries()) {
      const r = await server.gql(
        `mutation($h: String!, $s: JSON!){ setHostSettings(host: $h, plugin: "boinc", settings: $s){ __typename } }`,
        { h: n, s: { address: address(i), port: peer.port, password: peer.password } },
        server.adminToken,
      );
      if (r.data?.setHostSettings?.__typename !== 'PluginSettings') throw new Error(`setHostSettings ${n}: ${JSON.stringify(r)}`);
    }

    const query = async () => {
      const t0 = performance.now();
      const r = await server.gql(QUERY, {}, server.adminToken);
      const elapsed = performance.now() - t0;
      const edges = (r.data?.hosts?.edges ?? []) as { node: { name: string; boinc: { tasks: { state: string }[] } | null } }[];
      const complete = edges.length === HOSTS && edges.every((e) => e.node.boinc?.tasks.length === 4);
      if (r.errors || !complete) throw new Error(`bad answer: ${JSON.stringify(r).slice(0, 500)}`);
      return elapsed;
    };
    await query(); // warm-up: opens the sessions
    const gqlTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) gqlTimes.push(await query());

    const cmdRound = async () => {
      const t0 = performance.now();
      for (let i = 0; i < HOSTS; i++) {
        const r = await runCommand(boinccmd, ['--host', `${address(i)}:${peer.port}`, '--passwd', peer.password, '--get_tasks'], { timeoutMs: 10_000, cwd: cwd.path });
        if (r.code !== 0 || !r.stdout.includes('4) -----------')) throw new Error(`boinccmd failed: ${r.stderr}`);
      }
      return performance.now() - t0;
    };
    await cmdRound();
    const cmdTimes: number[] = [];
    for (let i = 0; i < 3; i++) cmdTimes.push(await cmdRound());

    const g = median(gqlTimes);
    const c = median(cmdTimes);
    console.log(`BOINC read of ${HOSTS} hosts (one client, ${shared ? 'one shared session' : `${HOSTS} sessions`})`);
    console.log(`  GraphQL Host.boinc query  median of ${RUNS}: ${ms(g)}  (min ${ms(Math.min(...gqlTimes))}, max ${ms(Math.max(...gqlTimes))})`);
    console.log(`  boinccmd --get_tasks x${HOSTS} median of 3: ${ms(c)}  (${ms(c / HOSTS)} per call)`);
    console.log(`  ratio boinccmd / GraphQL: ${(c / g).toFixed(1)}x`);
  } finally {
    await server.stop();
    await peer.stop();
    cwd.remove();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
