import type { groups } from '../db/tables/inventory.js';
import { builder } from './builder.js';

export type GroupShape = typeof groups.$inferSelect;
export const Group = builder.objectRef<GroupShape>('Group');
