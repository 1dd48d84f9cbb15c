/**
 * SSH plugin: the `ssh`, `uptime` and `df` checks share one connection per host per sweep
 * (plugins never import each other, so uptime and df live here rather than in plugins of their own).
 */
import type { Plugin } from '../../core/plugin.js';
import { acceptHostKeyAction } from './action-accept-host-key.js';
import { dfCheck } from './check-df.js';
import { sshCheck } from './check-ssh.js';
import { uptimeCheck } from './check-uptime.js';
import { createSshSchema } from './schema.js';
import { SshSessionPool } from './session-pool.js';
import { SSH_SECRETS, sshSettingsSchema } from './settings.js';

/** Builds the plugin around a pool; tests pass their own to count and isolate connections. */
export function createSshPlugin(pool: SshSessionPool): Plugin {
  return {
    name: 'ssh',
    description: 'SSH login with pinned host keys; uptime, load and disk usage over the same connection.',
    checks: { ssh: sshCheck(pool), uptime: uptimeCheck(pool), df: dfCheck(pool) },
    actions: { 'ssh.accept-host-key': acceptHostKeyAction(pool) },
    hostSettings: { schema: sshSettingsSchema, secrets: SSH_SECRETS },
    extendSchema: createSshSchema(pool),
    start: async () => async () => pool.closeAll(),
  };
}

/** The server's pool; `getDisks` (live.ts) for `Host.disks` should use this one too. */
export const sshSessionPool = new SshSessionPool();

export const sshPlugin: Plugin = createSshPlugin(sshSessionPool);
