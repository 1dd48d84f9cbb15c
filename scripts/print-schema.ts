/** Writes schema.graphql (the committed, printed schema). `npm run schema:print`. */
import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { buildSchema } from '../src/schema/schema.js';

writeFileSync(new URL('../schema.graphql', import.meta.url), `${printSchema(buildSchema())}\n`);
