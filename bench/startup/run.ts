/**
 * bench/startup: spawn → first answered query (GET /healthz 200, then POST /graphql { __typename } 200)
 * and RSS at ready, for `corral serve` on PGlite (first boot, reopen) and on Postgres, beside
 * PGlite alone, a trivial yoga server and bare node, all bundled with esbuild and spawned with plain node.
 * Corral runs exactly as `npm start` runs it: dist/corral.cjs through scripts/run-bundle.cjs, with the
 * V8 code cache its first start wrote (a start right after a build, without it, is shown too).
 *
 *   npx tsx bench/startup/run.ts [--runs 3]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { freePort, startPostgres } from '../lib/pg.js';
import { log, printTable, type Row } from '../lib/report.js';
import { buildServer } from '../../scripts/build-server.mjs';

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(opts.runs);
const ROOT = new URL('../../', import.meta.url).pathname;

interface Sample {
  readyMs: number;
  rssMb: number;
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function probe(port: number): Promise<boolean> {
  try {
    const h = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    await h.text();
    if (h.status !== 200) return false;
    const g = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
      signal: AbortSignal.timeout(2000),
    });
    const body = await g.text();
    return g.status === 200 && body.includes('__typename');
  } catch {
    return false;
  }
}

/**
 * Every program is bundled with esbuild first and started with plain `node`, the way `npm start`
 * starts Corral (dist/corral.mjs): no TypeScript loader in any of the measured times.
 */
const OUT = join(ROOT, 'bench', 'startup', '.out');
async function bundle(entry: string, name: string): Promise<string> {
  const outfile = join(OUT, `${name}.mjs`);
  // The same options as scripts/prepare-start.mjs, so every program is bundled alike.
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@electric-sql/pglite', '@graphql-yoga/render-graphiql', 'ssh2', 'esbuild', 'bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __corralRequire } from 'node:module'; const require = __corralRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

/** Spawns `node SCRIPT ARGS`, polls until it answers, records time and RSS, stops it by pid. */
async function measure(script: string, args: string[], env: Record<string, string>, holdMs = 0): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  // Corral starts with the flags `npm start` gives node (package.json); the baselines with none.
  const flags = script === CORRAL_ENTRY ? START_FLAGS : [];
  const child: ChildProcess = spawn(process.execPath, [...flags, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  try {
    const deadline = Date.now() + 60_000;
    while (!(await probe(port))) {
      if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`${script} not ready in 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - started;
    const sample = { readyMs, rssMb: rssOf(child.pid!) };
    if (holdMs) await new Promise((r) => setTimeout(r, holdMs));
    return sample;
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

const CORRAL_ENTRY = join(ROOT, 'scripts', 'run-bundle.cjs');
const START_FLAGS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string).split(/\s+/).filter((a) => a.startsWith('--'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const med = (s: Sample[]): Sample => ({ readyMs: median(s.map((x) => x.readyMs)), rssMb: median(s.map((x) => x.rssMb)) });

async function main() {
  await buildServer(join(ROOT, 'dist', 'corral.cjs'));
  const CORRAL = CORRAL_ENTRY;
  const CODE_CACHE = join(ROOT, 'dist', 'corral.cjs.v8cache');
  const NODE_ALONE = await bundle('bench/startup/node-alone.ts', 'node-alone');
  const YOGA = await bundle('bench/startup/yoga-alone.ts', 'yoga-alone');
  const LITE = await bundle('bench/startup/pglite-alone.ts', 'pglite-alone');
  const common = { CORRAL_ADMIN_PASSWORD: 'bench-password-1', CORRAL_LOG_LEVEL: 'warn', CORRAL_SECRET_KEY: 'bench-secret-key-0123456789' };
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'corral-bench-start-'));
    dirs.push(d);
    return d;
  };
  const pg = await startPostgres();
  log(`postgres pid ${pg.pid}`);
  const s = { tsx: [], yoga: [], liteFirst: [], liteReopen: [], corralFirst: [], corralReopen: [], pgFirst: [], pgWarm: [], pgNoCache: [] } as Record<
    'tsx' | 'yoga' | 'liteFirst' | 'liteReopen' | 'corralFirst' | 'corralReopen' | 'pgFirst' | 'pgWarm' | 'pgNoCache',
    Sample[]
  >;
  let initdbRerun = false;
  try {
    // The first start after a build writes the code cache (3 s after ready); every round after it
    // starts as a restart does.
    const warm = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
    await warm.unsafe('CREATE DATABASE corral_start_warmup');
    await warm.end();
    const warmUrl = pg.url.replace(/\/corral$/, '/corral_start_warmup');
    rmSync(CODE_CACHE, { force: true });
    s.pgNoCache!.push(await measure(CORRAL, ['serve'], { ...common, CORRAL_DATA_DIR: tmp(), DATABASE_URL: warmUrl }, 4000));
    if (!existsSync(CODE_CACHE)) throw new Error('the first start did not write the code cache');
    // Interleaved rounds, so a burst of load on this machine hits every series alike.
    for (let round = 0; round < RUNS; round++) {
      s.tsx!.push(await measure(NODE_ALONE, [], {}));
      s.yoga!.push(await measure(YOGA, [], {}));
      const liteDir = tmp();
      s.liteFirst!.push(await measure(LITE, [], { CORRAL_DATA_DIR: liteDir }));
      s.liteReopen!.push(await measure(LITE, [], { CORRAL_DATA_DIR: liteDir }));
      const dataDir = tmp();
      s.corralFirst!.push(await measure(CORRAL, ['serve'], { ...common, CORRAL_DATA_DIR: dataDir }));
      // initdb writes PG_VERSION and global/pg_control; a reopen must leave PG_VERSION as it was.
      const before = statSync(join(dataDir, 'pgdata', 'PG_VERSION'));
      s.corralReopen!.push(await measure(CORRAL, ['serve'], { ...common, CORRAL_DATA_DIR: dataDir }));
      const after = statSync(join(dataDir, 'pgdata', 'PG_VERSION'));
      if (after.ino !== before.ino || after.mtimeMs !== before.mtimeMs) initdbRerun = true;
      // Postgres: a fresh database (migrations run), then the same database again.
      const name = `corral_start_${round}`;
      const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = pg.url.replace(/\/corral$/, `/${name}`);
      s.pgFirst!.push(await measure(CORRAL, ['serve'], { ...common, CORRAL_DATA_DIR: tmp(), DATABASE_URL: url }));
      s.pgWarm!.push(await measure(CORRAL, ['serve'], { ...common, CORRAL_DATA_DIR: tmp(), DATABASE_URL: url }));
      if (round > 0) {
        // Without the code cache (as right after a build); put back for the next round.
        const cache = readFileSync(CODE_CACHE);
        rmSync(CODE_CACHE);
        s.pgNoCache!.push(await measure(CORRAL, ['serve'], { ...common, CORRAL_DATA_DIR: tmp(), DATABASE_URL: warmUrl }));
        writeFileSync(CODE_CACHE, cache);
      }
      log(`round ${round + 1}/${RUNS}: ${Object.entries(s).map(([k, v]) => `${k} ${v.at(-1)!.readyMs.toFixed(0)}ms`).join(', ')}`);
    }
  } finally {
    await pg.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(OUT, { recursive: true, force: true });
  }
  const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, med(v)])) as Record<keyof typeof s, Sample>;
  process.stdout.write(`\nmedian of ${RUNS} runs each (spawn → /healthz 200 and { __typename } answered):\n`);
  for (const [k, v] of Object.entries(m)) process.stdout.write(`  ${k.padEnd(14)} ready ${v.readyMs.toFixed(0).padStart(6)} ms   RSS ${v.rssMb.toFixed(0).padStart(4)} MB\n`);
  process.stdout.write(`  reopen re-ran initdb (PG_VERSION replaced): ${initdbRerun ? 'YES' : 'no'}\n`);
  const rows: Row[] = [
    { name: 'PGlite first boot ready', measured: m.corralFirst.readyMs, baseline: m.liteFirst.readyMs + m.yoga.readyMs, unit: 'ms', maxRatio: 1.15, note: 'baseline: PGlite-alone first boot + yoga-alone' },
    { name: 'PGlite reopen ready', measured: m.corralReopen.readyMs, baseline: m.liteReopen.readyMs + m.yoga.readyMs, unit: 'ms', maxRatio: 1.15, note: 'baseline: PGlite-alone reopen + yoga-alone' },
    // The first start on an empty database creates the schema, once; the target is for a start.
    { name: 'Postgres ready (empty db: creates the schema)', measured: m.pgFirst.readyMs, baseline: m.yoga.readyMs, unit: 'ms', note: 'info: one time, runs the migrations' },
    { name: 'Postgres ready (migrated db)', measured: m.pgWarm.readyMs, baseline: m.yoga.readyMs, unit: 'ms', maxRatio: 1.3, note: 'baseline: yoga-alone' },
    { name: 'Postgres ready, first start after a build', measured: m.pgNoCache.readyMs, baseline: m.yoga.readyMs, unit: 'ms', note: 'info: no V8 code cache yet' },
    { name: 'PGlite first boot RSS', measured: m.corralFirst.rssMb, baseline: m.liteFirst.rssMb + m.yoga.rssMb, unit: 'MB', note: 'baseline: PGlite-alone + yoga-alone' },
    { name: 'PGlite reopen RSS', measured: m.corralReopen.rssMb, baseline: m.liteReopen.rssMb + m.yoga.rssMb, unit: 'MB' },
    { name: 'Postgres mode RSS', measured: m.pgWarm.rssMb, baseline: m.yoga.rssMb, unit: 'MB', note: 'baseline: yoga-alone' },
    { name: 'reopen re-runs initdb', measured: initdbRerun ? 1 : 0, baseline: 0, unit: '(1=yes)', maxAbsolute: 0 },
    { name: 'node alone (reference)', measured: m.tsx.readyMs, baseline: 0, unit: 'ms', note: 'counted twice in the PGlite baselines (once per baseline process)' },
  ];
  printTable('bench/startup', rows);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
