/**
 * The check scheduler. Every tick it leases checks with due (host, check) pairs (one server runs a
 * check's sweep at a time, so several server replicas share the work; a check's own next due time
 * spares idle ticks from reading any state row), runs them in one batch per
 * check definition with a cap on concurrent batches and a deadline per batch, applies hysteresis and
 * the circuit breaker, writes each batch in one statement (up to three when the check reports early
 * results: those while the check still runs) and publishes only state changes, once per batch. A
 * sweep is at most four statements whatever the host count: the claim, two early writes and the
 * last write, which also gives the lease back and reads what the change events need. Work over
 * thousands of rows is done in slices that yield to the event loop.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { checkDefinitions, checkState } from '../../db/tables/checks.js';
import { groups, hostGroups, hostSettings, hosts } from '../../db/tables/inventory.js';
import type { CommandRunner } from '../command.js';
import { LOOP_SLICE, mapInSlices, yieldToLoop } from '../event-loop.js';
import { rollUpHealth } from '../health.js';
import type { HostRow } from '../inventory/select-hosts.js';
import type { Logger } from '../logger.js';
import { naturalCompare } from '../natural-order.js';
import type { CheckContext, CheckOutcome, CheckStatus, HostTarget } from '../plugin.js';
import type { PluginRegistry } from '../plugin-registry.js';
import { pluginStateStore } from '../plugin-state.js';
import type { PubSub, Topics } from '../pubsub.js';
import type { SecretBox } from '../secrets.js';
import { pruneHistory } from './history.js';
import { claimRowSql, parseClaimChunk } from './claim-rows.js';
import { recordSuspectSweep } from './suspect-sweep.js';
import { checkStateEvent } from './state-event.js';
import { targetMatches, targetMatchSql } from './target-sql.js';
import { applyOutcome, type PriorState, suspectMatters } from './transition.js';
import { abandonLease, arrayElement, type Lease, type StateWrite, writeResults } from './write-results.js';

export interface SchedulerDeps {
  db: Db;
  registry: PluginRegistry;
  pubsub: PubSub;
  log: Logger;
  secrets: SecretBox;
  run: CommandRunner;
  tickMs: number;
  /** Check batches running at once. */
  concurrency: number;
  maxBackoffS: number;
  retentionDays: number;
  /** Claimed pairs per tick. */
  claimLimit?: number;
  now?: () => Date;
}

type Definition = typeof checkDefinitions.$inferSelect;

/** A changed host's row, groups and check states, as eventFactsQuery reads them. */
interface EventFacts {
  id: string;
  name: string;
  address: string | null;
  labels: unknown;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  groups: unknown;
  states: unknown;
}

interface TargetEntry {
  host: HostRow;
  settings: Map<string, Record<string, unknown>>;
}

/** jsonb arrives parsed from postgres.js and as text from some PGlite paths. */
function parseJson(v: unknown): any {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/** One check's claimed pairs: their prior states and their hosts as its plugin sees them. */
interface Batch {
  plugin: string;
  priors: Map<string, PriorState>;
  targets: HostTarget[];
}

export interface RunNowOutcome extends CheckOutcome {
  host: string;
  kind: string;
  check: string;
}

/** A sweep where more than this share of (at least MIN) hosts whose state was OK fail is suspect: the monitor, not the fleet. */
const SUSPECT_SHARE = 0.5;
const SUSPECT_MIN_HOSTS = 4;
const SYNC_EVERY_MS = 15_000;
/** The longest a batch may run (its deadline grows with its size); a check's lease outlives it by 30 s. */
const MAX_BATCH_S = 600;
/** Claimed pairs per text chunk (claim-rows.ts): splitting 10,000 at once held the event loop 10–20 ms. */
const CLAIM_CHUNK = 1000;
/** A definition's version as the claim reports it: its updated_at in whole milliseconds, as a JS Date holds it. */
const definitionVersionSql = sql`floor(extract(epoch FROM cd.updated_at) * 1000)::int8`;
/** Early writes a batch may make (CheckContext.reportEarly): with the claim and the last write, a sweep stays within four statements. */
const EARLY_WRITES = 2;
/** Advisory lock id for the target sync (any constant unique to Corral). */
const SYNC_LOCK_ID = 0x636f7272;

export interface Scheduler {
  /** One scheduling pass: sync targets if needed, claim due pairs, launch their batches. */
  tick(): Promise<void>;
  /** Waits until every launched batch has written its results. */
  idle(): Promise<void>;
  /** Runs the matching checks now for these hosts (runChecks), writing results as a sweep would. */
  runNow(hostRows: HostRow[], kinds: string[] | null): Promise<RunNowOutcome[]>;
  /** Re-reads check definitions and (re)creates pending state rows for every targeted pair. */
  sync(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, registry, pubsub, log } = deps;
  const now = deps.now ?? (() => new Date());
  const claimLimit = deps.claimLimit ?? 20_000;
  /** Names this scheduler's check leases. */
  const owner = randomUUID();
  let definitions = new Map<string, Definition>();
  let lastSync = 0;
  let dirty = true;
  const inFlight = new Set<Promise<void>>();
  const stopController = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;

  // A host's health changing (this or another server's sweep) changes no check's targets.
  const offHosts = pubsub.on('hostUpdated', (e) => void (e.health || (dirty = true)));
  const offChecks = pubsub.on('checksChanged', () => void (dirty = true));

  let syncing: Promise<void> | null = null;
  /** One sync at a time in this process; across replicas an advisory lock keeps them apart. */
  function sync(): Promise<void> {
    syncing ??= doSync().finally(() => {
      syncing = null;
    });
    return syncing;
  }

  async function doSync(): Promise<void> {
    // Cleared before reading, not after: a change announced while this sync runs (which may have
    // read before it) makes the next tick sync again, instead of waiting for SYNC_EVERY_MS.
    dirty = false;
    try {
      await syncNow();
    } catch (e) {
      dirty = true;
      throw e;
    }
    lastSync = Date.now();
  }

  async function syncNow(): Promise<void> {
    await loadDefinitions();
    await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${SYNC_LOCK_ID})`);
      await tx.execute(sql`
        INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, observed_at, since, next_due_at)
        SELECT h.id, cd.id, cd.kind, 'UNKNOWN', 'UNKNOWN', 'pending: not checked yet', now(), now(), now()
        FROM check_definitions cd CROSS JOIN hosts h
        WHERE cd.enabled AND ${targetMatchSql}
        ON CONFLICT (host_id, check_id) DO NOTHING`);
      await tx.execute(sql`
        DELETE FROM check_state cs USING check_definitions cd, hosts h
        WHERE cs.check_id = cd.id AND cs.host_id = h.id AND (NOT cd.enabled OR NOT ${targetMatchSql})`);
    });
  }

  async function loadDefinitions(): Promise<void> {
    definitions = new Map((await db.select().from(checkDefinitions)).map((d) => [d.id, d]));
  }

  /**
   * Makes sure the definitions the claimed checks run with are the ones the claim read: `versions`
   * is "id version id version …" for the taken checks. The change announcement that makes the next
   * tick sync may not have arrived yet (on Postgres it comes through LISTEN/NOTIFY, and from
   * another server's change too), and a batch run with the old params or interval would be wrong
   * until the next change. Reads them again only when one has changed.
   */
  async function definitionsFor(versions: string | null): Promise<void> {
    if (!versions) return;
    const f = versions.split(' ');
    for (let i = 0; i + 1 < f.length; i += 2) {
      if (definitions.get(f[i]!)?.updatedAt.getTime() !== Number(f[i + 1])) {
        return loadDefinitions();
      }
    }
  }

  /**
   * Claims due pairs by leasing their checks: one check's due pairs run in one batch on one server,
   * and a check is leased by one server at a time (replicas share the work by check). Locking one
   * row per check instead of 10,000 per sweep is most of what a claim used to cost. Returns the
   * pairs with their hosts and every plugin's settings, in the same statement.
   */
  async function claim(): Promise<Map<string, Batch>> {
    // Settings are read only for kinds whose plugin declares host settings (ping has none): a
    // subquery per claimed row is a large share of the claim for 10,000 pings.
    const withSettings = [...registry.checkKinds.values()].filter((k) => registry.settings.has(k.plugin)).map((k) => sql`${k.name}`);
    const settingsWanted = withSettings.length ? sql`cs.kind IN (${sql.join(withSettings, sql`, `)})` : sql`false`;
    const chunks = rowsOf<{ chunk: string }>(
      await db.execute(sql`
        WITH candidate AS (
          -- Checks that may have due pairs (next_due_at is a lower bound), and expired leases
          -- (a server died mid-sweep: its pairs were never written).
          -- Its row version too: see next_due_at in leased.
          SELECT cd.id, cd.lease_until, cd.next_due_at, cd.xmin::text AS version FROM check_definitions cd
          WHERE cd.enabled AND (cd.lease_until IS NULL OR cd.lease_until <= now())
            AND (cd.next_due_at <= now() OR cd.lease_owner IS NOT NULL)
        ), due AS (
          SELECT c.id, c.lease_until, c.next_due_at, c.version,
            count(p.check_id) FILTER (WHERE p.next_due_at <= now()) AS n,
            min(p.next_due_at) FILTER (WHERE p.next_due_at > now()) AS later
          FROM candidate c LEFT JOIN (
            SELECT cs.check_id, cs.next_due_at FROM check_state cs JOIN hosts h ON h.id = cs.host_id WHERE h.enabled
          ) p ON p.check_id = c.id
          GROUP BY c.id, c.lease_until, c.next_due_at, c.version
        ), free AS (
          -- Checks in id order until the claim limit is reached (the first one always).
          SELECT due.*, n > 0 AND sum(n) OVER (ORDER BY id) - n < ${claimLimit} AS take FROM due
        ), leased AS (
          -- Taken checks are leased; checks found with nothing due get their true next due time.
          -- A lease taken and given back by another server after this statement's snapshot differs
          -- from the snapshot's: then the due pairs read below may be stale, and the check is skipped.
          -- next_due_at moves only if the check's row is the version this statement read: pairs
          -- written due meanwhile (new pairs, a changed check) touch it (triggers on check_state), and
          -- they are not among the pairs read here, so it is kept.
          UPDATE check_definitions cd SET
            lease_owner = CASE WHEN free.take THEN ${owner} END,
            lease_until = CASE WHEN free.take
              THEN now() + make_interval(secs => least(${MAX_BATCH_S}, cd.timeout_s * (2 + free.n / 64) + 5) + 30)
              ELSE cd.lease_until END,
            next_due_at = CASE WHEN cd.xmin::text = free.version THEN coalesce(free.later, 'infinity') ELSE cd.next_due_at END
          FROM free WHERE cd.id = free.id AND (free.take OR free.n = 0)
            AND (cd.lease_until IS NULL OR cd.lease_until <= now()) AND cd.lease_until IS NOT DISTINCT FROM free.lease_until
          RETURNING cd.id, free.take, ${definitionVersionSql} AS version
        )
        SELECT chunk FROM (
          -- First, the version of each taken check's definition (see definitionsFor).
          SELECT 0 AS rn, string_agg(leased.id::text || ' ' || leased.version, ' ') AS chunk FROM leased WHERE leased.take
          UNION ALL
          -- In key order: results come back in target order, so the writer rarely has to sort them.
          -- Text rather than rows: decoding 10,000 rows field by field was most of a claim on PGlite;
          -- one text per CLAIM_CHUNK pairs, so that splitting never holds the event loop for long.
          SELECT min(x.rn), string_agg(x.line, E'\n' ORDER BY x.rn) FROM (
            SELECT row_number() OVER (ORDER BY cs.host_id, cs.check_id) AS rn, ${claimRowSql(settingsWanted)} AS line
            FROM leased JOIN check_state cs ON cs.check_id = leased.id JOIN hosts h ON h.id = cs.host_id
            WHERE leased.take AND cs.next_due_at <= now() AND h.enabled
          ) x GROUP BY (x.rn - 1) / ${sql.raw(String(CLAIM_CHUNK))}
        ) part ORDER BY rn`),
    );
    const [versions, ...pairs] = chunks;
    await definitionsFor(versions?.chunk ?? null);
    const batches = new Map<string, Batch>();
    /** Each host's settings per plugin, opened once however many of its kinds use them. */
    const settingsOf = new Map<string, Map<string, Record<string, unknown>>>();
    for (let n = 0; n < pairs.length; n++) {
      if (n > 0) await yieldToLoop();
      for (const r of parseClaimChunk(pairs[n]!.chunk)) {
        let batch = batches.get(r.checkId);
        if (!batch) {
          const def = definitions.get(r.checkId);
          batch = { plugin: def ? (registry.checkKinds.get(def.kind)?.plugin ?? '') : '', priors: new Map(), targets: [] };
          batches.set(r.checkId, batch);
        }
        // Rows of kinds that read host settings carry all of the host's.
        let settings: Map<string, Record<string, unknown>> | undefined;
        if (r.settings != null) {
          settings = settingsOf.get(r.hostId);
          if (!settings) {
            settings = new Map();
            for (const [plugin, plain, sealed] of r.settings) settings.set(plugin, { ...(plain ?? {}), ...openSecrets(sealed, r.name, plugin) });
            settingsOf.set(r.hostId, settings);
          }
        }
        batch.priors.set(r.hostId, r);
        batch.targets.push({ id: r.hostId, name: r.name, address: r.address, labels: r.labels, settings: settings?.get(batch.plugin) });
      }
    }
    return batches;
  }

  function openSecrets(sealed: string | null, host: string, plugin: string): Record<string, unknown> {
    if (!sealed) return {};
    try {
      return JSON.parse(deps.secrets.open(sealed));
    } catch {
      log.warn('unreadable plugin secrets (wrong CORRAL_SECRET_KEY?)', { host, plugin });
      return {};
    }
  }

  /** Hosts with every plugin's settings, in one statement. */
  async function loadTargets(hostIds: string[]): Promise<Map<string, TargetEntry>> {
    const out = new Map<string, TargetEntry>();
    if (hostIds.length === 0) return out;
    const rows = await db
      .select({ host: hosts, plugin: hostSettings.plugin, settings: hostSettings.settings, secrets: hostSettings.secrets })
      .from(hosts)
      .leftJoin(hostSettings, eq(hostSettings.hostId, hosts.id))
      .where(inArray(hosts.id, hostIds));
    for (const r of rows) {
      let entry = out.get(r.host.id);
      if (!entry) out.set(r.host.id, (entry = { host: r.host, settings: new Map() }));
      if (r.plugin) entry.settings.set(r.plugin, { ...(r.settings ?? {}), ...openSecrets(r.secrets, r.host.name, r.plugin) });
    }
    return out;
  }

  /** Runs one definition over its targets and returns an outcome for every target. */
  async function runBatch(def: Definition, targets: HostTarget[], reportEarly?: CheckContext['reportEarly']): Promise<CheckOutcome[]> {
    const registered = registry.checkKinds.get(def.kind);
    const started = performance.now();
    const unknown = (summary: string): CheckOutcome[] => targets.map((t) => ({ hostId: t.id, status: 'UNKNOWN', summary, durationMs: performance.now() - started }));
    if (!registered) return unknown(`check kind ${def.kind} is not available (plugin not loaded)`);
    const parsed = registered.kind.params.safeParse(def.params);
    if (!parsed.success) return unknown(`invalid params: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const timeoutMs = def.timeoutS * 1000;
    // A batch may hold many per-host runs; its deadline grows with the batch, capped at 10 minutes.
    const deadlineMs = Math.min(MAX_BATCH_S * 1000, timeoutMs * (2 + Math.floor(targets.length / 64)) + 5000);
    const signal = AbortSignal.any([AbortSignal.timeout(deadlineMs), stopController.signal]);
    let timer: NodeJS.Timeout | undefined;
    const ctx: CheckContext = {
      signal,
      timeoutMs,
      log: log.child({ check: def.name }),
      run: deps.run,
      state: pluginStateStore(db, registered.plugin),
      now,
      ...(reportEarly ? { reportEarly, earlyReports: EARLY_WRITES } : {}),
    };
    try {
      const outcomes = await Promise.race([
        registered.kind.run(targets, parsed.data, ctx),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no result within ${Math.round(deadlineMs / 1000)}s`)), deadlineMs + 1000);
        }),
      ]);
      // Usually one outcome per target, in target order: then there is nothing to match up.
      if (outcomes.length === targets.length && outcomes.every((o, i) => o.hostId === targets[i]!.id)) return outcomes;
      const byHost = new Map(outcomes.map((o) => [o.hostId, o]));
      return targets.map(
        (t) => byHost.get(t.id) ?? { hostId: t.id, status: 'UNKNOWN', summary: 'the check returned no result for this host', durationMs: performance.now() - started },
      );
    } catch (e) {
      return unknown(`could not check: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Next states for `outcomes`, computed in slices so 10,000 rows never hold the event loop for long. */
  function transitions(def: Definition, priors: Map<string, PriorState>, outcomes: CheckOutcome[], at: Date, suspect: boolean, dueFrom: Date): Promise<StateWrite[]> {
    const thresholds = { failThreshold: def.failThreshold, okThreshold: def.okThreshold, intervalS: def.intervalS, maxBackoffS: deps.maxBackoffS };
    const opts = { suspectSweep: suspect, dueFrom };
    return mapInSlices(outcomes, (o) => {
      const prior = priors.get(o.hostId) ?? { status: 'UNKNOWN', since: at, consecutiveFailures: 0, consecutiveOk: 0, backoffS: 0, resultCount: 0 };
      // The next state is a fresh object: completed in place rather than copied (10,000 rows per sweep).
      const next = applyOutcome(prior, o, thresholds, at, opts) as StateWrite;
      next.hostId = o.hostId;
      next.checkId = def.id;
      next.kind = def.kind;
      return next;
    });
  }

  /**
   * Records one batch. Outcomes the check reports early (CheckContext.reportEarly, up to
   * EARLY_WRITES times) are written at once, while the check still runs, if the sweep-wide suspect
   * verdict cannot change them; the rest when it returns. Early writes touch disjoint rows, each in
   * key order (no deadlock), and may overlap. The last write waits for them: it gives the lease back
   * (a claim must not find written pairs still due) and reads what the events need, in the same
   * statement. Changes are published once, for the whole batch.
   */
  function recorder(def: Definition, priors: Map<string, PriorState>, lease?: Lease) {
    // The next run is due an interval after this one started, not after it ended: a check that
    // takes 3 s with a 10 s interval runs every 10 s, not every 13 s.
    const dueFrom = now();
    const early: { writes: Promise<StateWrite[]>; written: Promise<boolean> }[] = [];
    const earlyOutcomes = new Map<string, CheckOutcome>();
    return {
      reportEarly(outcomes: CheckOutcome[]): void {
        if (early.length >= EARLY_WRITES) return; // the rest are written with the batch
        const ready: CheckOutcome[] = [];
        for (const o of outcomes) {
          const prior = priors.get(o.hostId);
          if (prior && !earlyOutcomes.has(o.hostId) && !suspectMatters(prior, o)) {
            earlyOutcomes.set(o.hostId, o);
            ready.push(o);
          }
        }
        if (ready.length === 0) return;
        const writes = transitions(def, priors, ready, now(), false, dueFrom);
        const written = writes
          .then((w) => writeResults(db, w))
          .then(
            () => true,
            (e) => {
              log.warn('early check results not written; retrying with the rest of the batch', { check: def.name, error: String(e) });
              return false;
            },
          );
        early.push({ writes, written });
      },

      async finish(outcomes: CheckOutcome[]): Promise<StateWrite[]> {
        const at = now();
        // Only hosts whose state is OK can be turned bad, so only they say whether the monitor is suspect:
        // counting hosts already known bad would mask every new failure once half the batch is down.
        let healthy = 0;
        let failing = 0;
        for (const o of outcomes) {
          const p = priors.get(o.hostId);
          if (!p || p.resultCount === 0 || p.status !== 'OK') continue;
          healthy += 1;
          if ((earlyOutcomes.get(o.hostId) ?? o).status !== 'OK') failing += 1;
        }
        const suspect = healthy >= SUSPECT_MIN_HOSTS && failing / healthy > SUSPECT_SHARE;
        const rest = earlyOutcomes.size ? outcomes.filter((o) => !earlyOutcomes.has(o.hostId)) : outcomes;
        const restWrites = await transitions(def, priors, rest, at, suspect, dueFrom);
        const writes: StateWrite[] = [];
        let last = restWrites;
        for (const e of early) {
          const w = await e.writes;
          for (const x of w) writes.push(x);
          if (!(await e.written)) last = [...w, ...last];
        }
        for (const x of restWrites) writes.push(x);
        const changed = writes.filter((w) => w.changed);
        const facts = await writeResults<EventFacts>(db, last, { ...(lease ? { lease } : {}), ...(changed.length ? { read: eventFactsQuery(changed) } : {}) });
        if (suspect) {
          const message = `monitor suspect: ${failing} of ${healthy} healthy hosts failed check ${def.name} in one sweep; states were not turned bad (check the monitoring host's network or the ${def.kind} tool)`;
          log.warn(message);
          await pubsub.publish('monitorAlert', { message, failing, total: healthy, kind: def.kind });
          await recordSuspectSweep(db, pubsub, { check: def.name, kind: def.kind, failing, total: healthy });
        }
        if (changed.length) await publishChanges(def, changed, priors, facts);
        return writes;
      },
    };
  }

  /** Applies outcomes to prior states, writes them, publishes changes. */
  function record(def: Definition, priors: Map<string, PriorState>, outcomes: CheckOutcome[]): Promise<StateWrite[]> {
    return recorder(def, priors).finish(outcomes);
  }

  /**
   * What the events of a batch need: each changed host's row, groups and check states. Read by the
   * batch's last write, which sees the states of this check that it writes as they were before.
   */
  function eventFactsQuery(changed: StateWrite[]): SQL {
    const hostIds = [...new Set(changed.map((c) => c.hostId))];
    // JSON as text: parsed below in slices, not by the driver all at once as 10,000 rows arrive.
    return sql`SELECT h.id, h.name, h.address, h.labels::text AS labels, h.enabled, h.disabled_reason, h.created_at, h.updated_at,
        (SELECT json_agg(hg.group_id) FROM host_groups hg WHERE hg.host_id = h.id)::text AS groups,
        (SELECT json_agg(json_build_array(cs.check_id, cs.status)) FROM check_state cs WHERE cs.host_id = h.id)::text AS states
      FROM hosts h WHERE h.id = ANY(${`{${hostIds.map(arrayElement).join(',')}}`}::uuid[])`;
  }

  /** Publishes a batch's state changes, and the health changes they make, from the facts read with its last write. */
  async function publishChanges(def: Definition, changed: StateWrite[], priors: Map<string, PriorState>, facts: EventFacts[]): Promise<void> {
    const groupsOf = new Map<string, string[]>();
    const enabled = new Map<string, boolean>();
    const statesOf = new Map<string, { checkId: string; status: CheckStatus }[]>();
    const hostRows = new Map<string, typeof hosts.$inferSelect>();
    const written = new Map(changed.map((c) => [c.hostId, c.status]));
    for (let n = 0; n < facts.length; n++) {
      const f = facts[n]!;
      if (n > 0 && n % LOOP_SLICE === 0) await yieldToLoop();
      const id = String(f.id);
      hostRows.set(id, { id, name: f.name, address: f.address, labels: parseJson(f.labels) ?? {}, enabled: Boolean(f.enabled), disabledReason: f.disabled_reason, createdAt: new Date(f.created_at), updatedAt: new Date(f.updated_at) });
      groupsOf.set(id, (parseJson(f.groups) as string[] | null) ?? []);
      enabled.set(id, Boolean(f.enabled));
      // This check's state as the batch wrote it (the facts were read before that write).
      const states = (parseJson(f.states) as [string, CheckStatus][] | null) ?? [];
      statesOf.set(id, states.map(([checkId, status]) => ({ checkId, status: checkId === def.id ? (written.get(id) ?? status) : status })));
    }
    // The events carry the written state and host row: subscribers resolve them without a read.
    // A host deleted meanwhile has no row here; its event goes without state, and readers find nothing.
    // Built in slices: a sweep where every state changes makes thousands of them.
    const events = await mapInSlices(changed, (c) => {
      const host = hostRows.get(c.hostId);
      const event = checkStateEvent({ ...c, checkId: def.id, kind: def.kind }, groupsOf.get(c.hostId) ?? [], host);
      if (!host) delete event.state;
      return event;
    });
    await pubsub.publishMany('checkStateChanged', events);
    const healthChanged: Topics['hostUpdated'][] = [];
    const hostIds = [...written.keys()];
    for (let n = 0; n < hostIds.length; n++) {
      const hostId = hostIds[n]!;
      if (n > 0 && n % LOOP_SLICE === 0) await yieldToLoop();
      const after = statesOf.get(hostId) ?? [];
      const before = after.map((s) => (s.checkId === def.id ? (priors.get(hostId)?.status ?? 'UNKNOWN') : s.status));
      const wasPending = (priors.get(hostId)?.resultCount ?? 0) === 0;
      const on = enabled.get(hostId) ?? true;
      if (wasPending || rollUpHealth(on, before) !== rollUpHealth(on, after.map((s) => s.status))) {
        healthChanged.push({ hostId, groupIds: groupsOf.get(hostId) ?? [], health: true });
      }
    }
    await pubsub.publishMany('hostUpdated', healthChanged);
  }

  function toTarget(entry: TargetEntry, plugin: string): HostTarget {
    const h = entry.host;
    return { id: h.id, name: h.name, address: h.address, labels: h.labels, settings: entry.settings.get(plugin) };
  }

  async function sweep(batches: Map<string, Batch>): Promise<void> {
    for (const [checkId, { priors, targets: batchTargets }] of batches) {
      const def = definitions.get(checkId);
      if (!def) continue; // deleted meanwhile, and its lease with it
      const lease: Lease = { checkId: def.id, owner };
      const job = (async () => {
        const rec = recorder(def, priors, lease);
        const started = performance.now();
        const outcomes = await runBatch(def, batchTargets, rec.reportEarly);
        const ran = performance.now();
        await rec.finish(outcomes);
        log.debug('check batch', { check: def.name, hosts: batchTargets.length, runMs: Math.round(ran - started), finishMs: Math.round(performance.now() - ran) });
      })()
        .catch(async (e) => {
          log.error('check batch failed', { check: def.name, error: String(e) });
          await abandonLease(db, lease).catch(() => {}); // else it expires
        })
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
      while (inFlight.size >= deps.concurrency) await Promise.race(inFlight);
    }
  }

  async function tick(): Promise<void> {
    if (dirty || Date.now() - lastSync > SYNC_EVERY_MS) await sync();
    if (inFlight.size >= deps.concurrency) return;
    const started = performance.now();
    const batches = await claim();
    if (batches.size === 0) return;
    log.debug('claimed', { pairs: [...batches.values()].reduce((n, b) => n + b.targets.length, 0), ms: Math.round(performance.now() - started) });
    await sweep(batches);
  }

  async function runNow(hostRows: HostRow[], kinds: string[] | null): Promise<RunNowOutcome[]> {
    await sync();
    const enabledHosts = hostRows.filter((h) => h.enabled);
    if (enabledHosts.length === 0) return [];
    const memberships = await db
      .select({ hostId: hostGroups.hostId, name: groups.name })
      .from(hostGroups)
      .innerJoin(groups, eq(groups.id, hostGroups.groupId))
      .where(
        inArray(
          hostGroups.hostId,
          enabledHosts.map((h) => h.id),
        ),
      );
    const groupNames = new Map<string, string[]>();
    for (const m of memberships) {
      const list = groupNames.get(m.hostId);
      if (list) list.push(m.name);
      else groupNames.set(m.hostId, [m.name]);
    }
    const targets = await loadTargets(enabledHosts.map((h) => h.id));
    const results: RunNowOutcome[] = [];
    const defs = [...definitions.values()].filter((d) => d.enabled && (!kinds || kinds.includes(d.kind)));
    await Promise.all(
      defs.map(async (def) => {
        const hostsForDef = enabledHosts.filter((h) => targetMatches(def.target, h.name, groupNames.get(h.id) ?? []));
        if (hostsForDef.length === 0) return;
        const priorsRows = await db
          .select()
          .from(checkState)
          .where(
            and(
              eq(checkState.checkId, def.id),
              inArray(
                checkState.hostId,
                hostsForDef.map((h) => h.id),
              ),
            ),
          );
        const priors = new Map<string, PriorState>(priorsRows.map((r) => [r.hostId, r]));
        const plugin = registry.checkKinds.get(def.kind)?.plugin ?? '';
        const outcomes = await runBatch(
          def,
          hostsForDef.map((h) => toTarget(targets.get(h.id)!, plugin)),
        );
        const names = new Map(hostsForDef.map((h) => [h.id, h.name]));
        await record(def, priors, outcomes);
        for (const o of outcomes) results.push({ ...o, host: names.get(o.hostId) ?? o.hostId, kind: def.kind, check: def.name });
      }),
    );
    return results.sort((a, b) => naturalCompare(a.host, b.host) || a.check.localeCompare(b.check));
  }

  let lastPrune = 0;
  /** The tick under way, so stop() can wait for it before the database closes. */
  let current: Promise<void> = Promise.resolve();
  const loop = () => {
    if (ticking || stopController.signal.aborted) return;
    ticking = true;
    current = (async () => {
      try {
        await tick();
        if (Date.now() - lastPrune > 3600_000) {
          lastPrune = Date.now();
          await pruneHistory(db, deps.retentionDays);
        }
      } catch (e) {
        // A tick cut short by stop() is not a failure worth an error line.
        if (!stopController.signal.aborted) log.error('scheduler tick failed', { error: String(e), cause: String((e as { cause?: unknown }).cause ?? '') });
      } finally {
        ticking = false;
        if (!stopController.signal.aborted) timer = setTimeout(loop, deps.tickMs);
      }
    })();
  };

  return {
    tick,
    sync,
    runNow,
    idle: async () => {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    start() {
      // The first tick comes one tick after start: a server starting up answers its first requests
      // before it syncs and claims (that first tick was ~15 ms of a Postgres-mode start-up).
      timer = setTimeout(loop, deps.tickMs);
    },
    async stop() {
      stopController.abort();
      if (timer) clearTimeout(timer);
      offHosts();
      offChecks();
      await current;
      await Promise.allSettled([...inFlight]);
    },
  };
}
