/** The GraphQL context: the app's services plus who is calling. */
import type { Config } from '../config.js';
import type { Principal } from '../core/auth/principal.js';
import type { Logger } from '../core/logger.js';
import type { PluginRegistry } from '../core/plugin-registry.js';
import type { PubSub } from '../core/pubsub.js';
import type { SecretBox } from '../core/secrets.js';
import type { Database, Db } from '../db/client.js';
import type { Loaders } from './loaders.js';

/** Long-lived services shared by every request. */
export interface AppServices {
  config: Config;
  database: Database;
  db: Db;
  pubsub: PubSub;
  log: Logger;
  registry: PluginRegistry;
  secrets: SecretBox;
  /** Engines registered by the server (scheduler …); schema modules reach them through here. */
  engines: Record<string, unknown>;
}

export interface Context {
  app: AppServices;
  principal: Principal;
  requestId: string;
  /** Client address, for rate limits. */
  clientAddress: string;
  loaders: Loaders;
  /** Aborted when the request or subscription ends. */
  signal?: AbortSignal;
}
