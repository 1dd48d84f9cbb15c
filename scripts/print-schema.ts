/** Writes schema.graphql (the committed, printed schema). `npm run schema:print`. */
import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/schema/schema.js';

writeFileSync(new URL('../schema.graphql', import.meta.url), printSortedSchema());
