import type { AuditRow } from '../core/audit.js';
import { builder } from './builder.js';

export const AuditEventRef = builder.objectRef<AuditRow>('AuditEvent');
