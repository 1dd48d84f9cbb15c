import type { checkDefinitions, checkState } from '../db/tables/checks.js';
import { builder } from './builder.js';

export type CheckStateShape = typeof checkState.$inferSelect;
export type CheckDefinitionShape = typeof checkDefinitions.$inferSelect;
export const CheckStateRef = builder.objectRef<CheckStateShape>('CheckState');
