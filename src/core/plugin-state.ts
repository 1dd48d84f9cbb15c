/** The PluginStateStore a plugin receives: rows in plugin_state, namespaced by plugin name. */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { pluginState } from '../db/tables/inventory.js';
import type { PluginStateStore } from './plugin.js';

export function pluginStateStore(db: Db, plugin: string): PluginStateStore {
  return {
    async get(hostId, key) {
      const [row] = await db
        .select({ value: pluginState.value })
        .from(pluginState)
        .where(and(eq(pluginState.plugin, plugin), eq(pluginState.hostId, hostId), eq(pluginState.key, key)));
      return row?.value ?? undefined;
    },
    async set(hostId, key, value) {
      await db
        .insert(pluginState)
        .values({ plugin, hostId, key, value })
        .onConflictDoUpdate({ target: [pluginState.plugin, pluginState.hostId, pluginState.key], set: { value } });
    },
  };
}
