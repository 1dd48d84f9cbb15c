import type { checkDefinitions } from '../db/tables/checks.js';
import { builder } from './builder.js';

export type CheckDefinitionShape = typeof checkDefinitions.$inferSelect;
export const CheckDefinitionRef = builder.objectRef<CheckDefinitionShape>('CheckDefinition');
