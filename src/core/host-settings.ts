/**
 * Per-host plugin settings: validated by the plugin's own schema; secret fields are sealed into
 * `secrets` and never returned (they read back as hasX: true). Also builds HostTargets for plugins.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { hostSettings } from '../db/tables/inventory.js';
import { ValidationError } from './errors.js';
import type { HostRow } from './inventory/select-hosts.js';
import type { HostTarget } from './plugin.js';
import type { PluginRegistry } from './plugin-registry.js';
import type { SecretBox } from './secrets.js';

const hasKey = (field: string) => `has${field[0]!.toUpperCase()}${field.slice(1)}`;

/**
 * Validates and stores settings. A secret field left out keeps its stored value, so an operator can
 * change the port without re-typing the password; `null` clears it.
 */
export async function setHostSettings(db: Db, registry: PluginRegistry, box: SecretBox, hostId: string, plugin: string, input: unknown): Promise<Record<string, unknown>> {
  const spec = registry.settings.get(plugin);
  if (!spec) throw new ValidationError(`plugin ${plugin} has no host settings; plugins with settings: ${[...registry.settings.keys()].join(', ')}`, 'plugin');
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError('settings must be an object', 'settings');
  const [current] = await db.select().from(hostSettings).where(and(eq(hostSettings.hostId, hostId), eq(hostSettings.plugin, plugin)));
  const storedSecrets: Record<string, unknown> = current?.secrets ? JSON.parse(box.open(current.secrets)) : {};
  const merged: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of spec.secrets) {
    if (!(field in merged) && field in storedSecrets) merged[field] = storedSecrets[field];
    if (merged[field] === null) delete merged[field];
  }
  const parsed = spec.schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`invalid ${plugin} settings: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, `settings.${issue?.path.join('.') ?? ''}`);
  }
  const data = parsed.data as Record<string, unknown>;
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) (spec.secrets.includes(k) ? secret : plain)[k] = v;
  const sealed = Object.keys(secret).length ? box.seal(JSON.stringify(secret)) : null;
  await db
    .insert(hostSettings)
    .values({ hostId, plugin, settings: plain, secrets: sealed })
    .onConflictDoUpdate({ target: [hostSettings.hostId, hostSettings.plugin], set: { settings: plain, secrets: sealed, updatedAt: new Date() } });
  return publicView(plain, Object.keys(secret), spec.secrets);
}

/** What the API shows: plain fields plus hasX flags for secrets. */
export function publicView(plain: Record<string, unknown>, presentSecrets: string[], allSecrets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...plain };
  for (const s of allSecrets) out[hasKey(s)] = presentSecrets.includes(s);
  return out;
}

export async function readPublicSettings(db: Db, registry: PluginRegistry, box: SecretBox, hostId: string) {
  const rows = await db.select().from(hostSettings).where(eq(hostSettings.hostId, hostId));
  return rows.map((r) => {
    const spec = registry.settings.get(r.plugin);
    const present = r.secrets ? Object.keys(safeOpen(box, r.secrets)) : [];
    return { plugin: r.plugin, settings: publicView(r.settings, present, spec?.secrets ?? []) };
  });
}

function safeOpen(box: SecretBox, sealed: string): Record<string, unknown> {
  try {
    return JSON.parse(box.open(sealed));
  } catch {
    return {};
  }
}

/** HostTargets for one plugin, with that plugin's settings decrypted (one query for all hosts). */
export async function targetsFor(db: Db, box: SecretBox, plugin: string, hostRows: HostRow[]): Promise<HostTarget[]> {
  if (hostRows.length === 0) return [];
  const rows = await db
    .select()
    .from(hostSettings)
    .where(
      and(
        eq(hostSettings.plugin, plugin),
        inArray(
          hostSettings.hostId,
          hostRows.map((h) => h.id),
        ),
      ),
    );
  const byHost = new Map(rows.map((r) => [r.hostId, r]));
  return hostRows.map((h) => {
    const s = byHost.get(h.id);
    return {
      id: h.id,
      name: h.name,
      address: h.address,
      labels: h.labels,
      settings: s ? { ...s.settings, ...(s.secrets ? safeOpen(box, s.secrets) : {}) } : undefined,
    };
  });
}
