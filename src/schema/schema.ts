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
import { builder } from './builder.js';

export function buildSchema() {
  return builder.toSchema({ sortSchema: true });
}
