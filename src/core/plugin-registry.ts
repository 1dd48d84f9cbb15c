/**
 * The closed plugin registry: built once from the ordered list in src/plugins/all.ts; duplicate
 * plugin names, check kinds or action ids throw at boot. Dispatch goes through these maps, never
 * through `kind ===` branches.
 */
import { z } from 'zod';
import type { ActionKind, CheckKind, HostSettingsSpec, Plugin } from './plugin.js';

export interface RegisteredCheckKind {
  name: string;
  plugin: string;
  kind: CheckKind<unknown>;
}

export interface RegisteredAction {
  id: string;
  plugin: string;
  action: ActionKind<unknown>;
}

export interface PluginRegistry {
  plugins: readonly Plugin[];
  checkKinds: ReadonlyMap<string, RegisteredCheckKind>;
  actions: ReadonlyMap<string, RegisteredAction>;
  settings: ReadonlyMap<string, HostSettingsSpec>;
  plugin(name: string): Plugin | undefined;
}

export function createRegistry(plugins: readonly Plugin[]): PluginRegistry {
  const byName = new Map<string, Plugin>();
  const checkKinds = new Map<string, RegisteredCheckKind>();
  const actions = new Map<string, RegisteredAction>();
  const settings = new Map<string, HostSettingsSpec>();
  for (const p of plugins) {
    if (!/^[a-z][a-z0-9-]*$/.test(p.name)) throw new Error(`plugin name ${JSON.stringify(p.name)} must be kebab-case`);
    if (byName.has(p.name)) throw new Error(`plugin ${p.name} is registered twice`);
    byName.set(p.name, p);
    for (const [name, kind] of Object.entries(p.checks ?? {})) {
      const prior = checkKinds.get(name);
      if (prior) throw new Error(`check kind ${name} of plugin ${p.name} is already registered by plugin ${prior.plugin}`);
      checkKinds.set(name, { name, plugin: p.name, kind });
    }
    for (const [id, action] of Object.entries(p.actions ?? {})) {
      const prior = actions.get(id);
      if (prior) throw new Error(`action ${id} of plugin ${p.name} is already registered by plugin ${prior.plugin}`);
      actions.set(id, { id, plugin: p.name, action });
    }
    if (p.hostSettings) settings.set(p.name, p.hostSettings);
  }
  return { plugins, checkKinds, actions, settings, plugin: (name) => byName.get(name) };
}

/** JSON schema of a zod type, for the API to describe parameters. */
export function jsonSchemaOf(type: unknown): unknown {
  try {
    return z.toJSONSchema(type as z.ZodType, { unrepresentable: 'any', io: 'input' });
  } catch {
    return {};
  }
}
