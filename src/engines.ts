/** The background engines a server runs (check scheduler, plugin background work), chosen by config. */
import type { Config } from './config.js';
import { flagInterruptedActions } from './core/actions/run-action.js';
import { ANONYMOUS } from './core/auth/principal.js';
import { runCommand } from './core/command.js';
import { createScheduler, type Scheduler } from './core/checks/scheduler.js';
import { syncSourceInventory } from './core/inventory/sync-source.js';
import { pluginStateStore } from './core/plugin-state.js';
import type { Engine } from './server.js';

/** The scheduler is always created (runChecks needs it); its loop runs only when config.scheduler is on. */
export const schedulerEngine: Engine = async (app) => {
  const scheduler = createScheduler({
    db: app.db,
    registry: app.registry,
    pubsub: app.pubsub,
    log: app.log.child({ engine: 'scheduler' }),
    secrets: app.secrets,
    run: runCommand,
    tickMs: app.config.schedulerTickMs,
    concurrency: app.config.checkConcurrency,
    maxBackoffS: app.config.checkMaxBackoffS,
    retentionDays: app.config.checkRetentionDays,
  });
  app.engines.scheduler = scheduler;
  if (app.config.scheduler) scheduler.start();
  return () => scheduler.stop();
};

/** Starts every plugin's background work (connection pools, inventory sync); stops them in reverse. */
export const pluginsEngine: Engine = async (app) => {
  const stops: Array<() => Promise<void>> = [];
  for (const plugin of app.registry.plugins) {
    if (!plugin.start) continue;
    stops.push(
      await plugin.start({
        log: app.log.child({ plugin: plugin.name }),
        run: runCommand,
        state: pluginStateStore(app.db, plugin.name),
        syncInventory: async (source, inventory) => {
          const summary = await syncSourceInventory(app.db, source, inventory);
          if (summary.createdHosts.length) await app.pubsub.publish('checksChanged', {});
          if (summary.skipped.length) app.log.warn('inventory sync skipped invalid names', { source, skipped: summary.skipped.slice(0, 20) });
        },
      }),
    );
  }
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
};

/**
 * Power actions are at most once: an action whose server died mid-way is flagged REVIEW (at start
 * and every minute, by whichever replica looks first) and never replayed.
 */
export const interruptedActionsEngine: Engine = async (app) => {
  const sweep = () =>
    flagInterruptedActions(app.db, app.pubsub, ANONYMOUS)
      .then((n) => n && app.log.warn(`flagged ${n} interrupted action(s) for review`))
      .catch((e) => app.log.error('could not check for interrupted actions', { error: String(e) }));
  await sweep();
  const timer = setInterval(sweep, 60_000);
  timer.unref();
  return async () => clearInterval(timer);
};

export function defaultEngines(_config: Config): Engine[] {
  return [pluginsEngine, schedulerEngine, interruptedActionsEngine];
}

export function schedulerOf(engines: Record<string, unknown>): Scheduler {
  const s = engines.scheduler as Scheduler | undefined;
  if (!s) throw new Error('the check scheduler is not running in this server');
  return s;
}
