/** Fluent seeding straight through the core (fast, no HTTP): seed(db).group('render').host('n01', '@render'). */
import { createHosts } from '../../src/core/inventory/hosts.js';
import type { Db } from '../../src/db/client.js';

export function seed(db: Db) {
  const pending: { name: string; address?: string; groups: string[]; labels?: Record<string, string> }[] = [];
  const api = {
    host(name: string, opts: { address?: string; groups?: string[]; labels?: Record<string, string> } = {}) {
      pending.push({ name, address: opts.address, groups: opts.groups ?? [], labels: opts.labels });
      return api;
    },
    hosts(names: string[], opts: { groups?: string[] } = {}) {
      for (const n of names) api.host(n, opts);
      return api;
    },
    async done() {
      const rows = await createHosts(db, pending.splice(0));
      return new Map(rows.map((r) => [r.name, r]));
    },
  };
  return api;
}
