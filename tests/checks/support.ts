/** Shared bits for the check-engine tests: driving the scheduler, reading states over the API, exec scripts. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { z } from 'zod';
import { createScheduler, type Scheduler } from '../../src/core/checks/scheduler.js';
import { runCommand } from '../../src/core/command.js';
import { createLogger } from '../../src/core/logger.js';
import type { CheckKind, Plugin } from '../../src/core/plugin.js';
import { createRegistry } from '../../src/core/plugin-registry.js';
import { createPubSub, type PubSub } from '../../src/core/pubsub.js';
import { createSecretBox } from '../../src/core/secrets.js';
import type { Db } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import { schedulerOf } from '../../src/engines.js';
import { openTestDatabase, type TestDatabase } from '../helpers/db.js';
import type { TestServer } from '../helpers/server.js';

export const scheduler = (s: TestServer): Scheduler => schedulerOf(s.server.app.engines);

/** A test plugin with one parameterless check kind of the same name. */
export function testCheckPlugin(name: string, run: CheckKind<Record<string, never>>['run']): Plugin {
  return {
    name,
    description: `test: ${name}`,
    checks: { [name]: { description: 'test', params: z.object({}), defaults: { intervalS: 3600, timeoutS: 30 }, run } },
  };
}

/** A scheduler of its own over a test database and plugins; it ticks only when the test calls tick(). */
export function testScheduler(db: Db, pubsub: PubSub, plugins: Plugin[]): Scheduler {
  return createScheduler({
    db,
    registry: createRegistry(plugins),
    pubsub,
    log: createLogger('silent'),
    secrets: createSecretBox('test-secret-key-0123456789'),
    run: runCommand,
    tickMs: 60_000,
    concurrency: 4,
    maxBackoffS: 300,
    retentionDays: 30,
  });
}

/** A check of `kind` on every host, hourly, turning bad and good on the first result; returns its id. */
export async function insertCheckForAll(db: Db, name: string, kind: string): Promise<string> {
  const [row] = rowsOf<{ id: string }>(
    await db.execute(sql`INSERT INTO check_definitions (name, kind, params, target, interval_s, timeout_s, fail_threshold, ok_threshold)
      VALUES (${name}, ${kind}, '{}'::jsonb, '{"all":true}'::jsonb, 3600, 30, 1, 1) RETURNING id`),
  );
  return row!.id;
}

/** One deterministic tick: claim what is due, run it, wait for the writes. */
export async function tickAndWait(sch: Scheduler): Promise<void> {
  await sch.tick();
  await sch.idle();
}

/** One deterministic sweep of a test server's scheduler. */
export const sweep = (s: TestServer): Promise<void> => tickAndWait(scheduler(s));

/** A test database with its pubsub, for tests that drive a scheduler of their own (testScheduler). */
export interface SchedulerTestbed {
  t: TestDatabase;
  pubsub: PubSub;
  /** Stops the scheduler (if any), closes pubsub and database, and drops the database. */
  close(scheduler?: Scheduler): Promise<void>;
}

export async function openSchedulerTestbed(open: () => Promise<TestDatabase> = openTestDatabase): Promise<SchedulerTestbed> {
  const t = await open();
  const pubsub = await createPubSub(t.database, createLogger('silent'));
  return {
    t,
    pubsub,
    async close(scheduler) {
      await scheduler?.stop();
      await pubsub.close();
      await t.database.close();
      await t.drop();
    },
  };
}

/** Makes the states of one check (or all) due now, as if their interval had passed. */
export async function makeDue(s: TestServer, checkName?: string): Promise<void> {
  await s.server.app.db.execute(
    checkName
      ? sql`UPDATE check_state SET next_due_at = now() - interval '1 second' WHERE check_id = (SELECT id FROM check_definitions WHERE name = ${checkName})`
      : sql`UPDATE check_state SET next_due_at = now() - interval '1 second'`,
  );
}

export const CREATE_CHECK = `mutation($i: CreateCheckInput!){ createCheck(input:$i){ __typename
  ... on CheckPayload { check { name kind params hosts allHosts intervalS timeoutS failThreshold okThreshold enabled } }
  ... on ValidationError { message field } ... on ConflictError { message } } }`;

export async function createCheck(s: TestServer, input: Record<string, unknown>, token = s.adminToken) {
  const r = await s.gql(CREATE_CHECK, { i: input }, token);
  if (r.data?.createCheck?.__typename !== 'CheckPayload') throw new Error(`createCheck failed: ${JSON.stringify(r)}`);
  return r.data.createCheck.check;
}

export interface StateView {
  kind: string;
  checkName: string;
  status: string;
  lastStatus: string;
  summary: string;
  metrics: Record<string, number> | null;
  consecutiveFailures: number;
  backoffS: number;
  nextDueAt: string;
  observedAt: string;
}

export async function hostView(s: TestServer, name: string): Promise<{ health: string; enabled: boolean; checks: StateView[] }> {
  const r = await s.gql(
    `query($n:String!){ host(name:$n){ health enabled checks { kind checkName status lastStatus summary metrics consecutiveFailures backoffS nextDueAt observedAt } } }`,
    { n: name },
    s.adminToken,
  );
  if (!r.data?.host) throw new Error(`no host ${name}: ${JSON.stringify(r)}`);
  return r.data.host;
}

export async function stateOf(s: TestServer, host: string, checkName: string): Promise<StateView | undefined> {
  return (await hostView(s, host)).checks.find((c) => c.checkName === checkName);
}

/** Writes an executable script into `dir` (an allowed nagios plugin dir in the test's config). */
export function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * A Nagios-style plugin whose exit code per host is read from `dir/state/<host>` (default 0), so a
 * test flips a host between OK and CRIT by writing a file.
 */
export function switchablePlugin(dir: string, name = 'check_switch'): { program: string; set(host: string, code: number): void } {
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const program = script(dir, name, `code=$(cat "${stateDir}/$1" 2>/dev/null || echo 0)\necho "switch $1 exit $code | v=$code"\nexit "$code"`);
  return { program, set: (host, code) => writeFileSync(join(stateDir, host), String(code)) };
}

/** A graphql-ws subscription that collects its events. */
export interface Collector<T> {
  events: T[];
  errors: unknown[];
  stop(): void;
}

export function wsClient(s: TestServer, token = s.adminToken): Client {
  return createClient({
    url: s.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    onNonLazyError: () => {},
  });
}

export function collect<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Collector<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) errors.push(v.errors);
        if (v.data) events.push(v.data as T);
      },
      error: (e) => errors.push(e),
      complete: () => {},
    },
  );
  return { events, errors, stop };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until one check state on a host satisfies `ok`; on timeout the error shows the last state seen. */
export async function waitForState(s: TestServer, host: string, checkName: string, ok: (st: StateView) => boolean, timeoutMs = 15_000): Promise<StateView> {
  const until = Date.now() + timeoutMs;
  let last: StateView | undefined;
  for (;;) {
    last = await stateOf(s, host, checkName);
    if (last && ok(last)) return last;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting on ${checkName}@${host}; last state: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}
