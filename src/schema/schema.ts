/** Imports every schema module (each registers its types on the builder) and builds the schema. */
import './errors.js';
import './host.js';
import './host-import.js';
import './host-events.js';
import './group.js';
import './user.js';
import './audit.js';
import './bulk.js';
import './check-state.js';
import './check-definition.js';
import './check-status.js';
import './actions.js';
import './work.js';
import './cycle-and-resume.js';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import type { Plugin } from '../core/plugin.js';
import { createPlugins } from '../plugins/all.js';
import { parseConfig } from '../config.js';
import { schemaRefs } from './actions.js';
import { builder } from './builder.js';

let built: GraphQLSchema | null = null;

/**
 * The schema is built once per process: the builder is a module singleton, so plugins extend it
 * once. The plugin list is the same for every server in a process (only settings differ).
 */
export function buildSchema(plugins: readonly Plugin[] = createPlugins(parseConfig({}))): GraphQLSchema {
  if (built) return built;
  for (const p of plugins) p.extendSchema?.(builder, schemaRefs);
  // Unsorted at run time (sorting copies every type, ~10 ms of start-up); fields then come in the
  // order the modules define them, grouped by domain. The printed schema is sorted, for diffs.
  built = builder.toSchema({ sortSchema: false });
  return built;
}

/** The SDL committed as schema.graphql: sorted, so that a change shows as a small diff. */
export function printSortedSchema(schema: GraphQLSchema = buildSchema()): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
