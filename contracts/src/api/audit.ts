import * as z from 'zod';
import { idSchema, isoDateTime, pageQueryShape, pageSchema } from './common.ts';

export const auditEntrySchema = z.object({
  id: idSchema,
  at: isoDateTime,
  actorId: idSchema.nullable(),
  actorName: z.string().nullable(),
  /** e.g. `host.create`, `auth.login.failed`. */
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  customerId: idSchema.nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  /** What changed; secrets are replaced by `[redacted]` before this is written. */
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditListQuerySchema = z.strictObject({
  ...pageQueryShape,
  order: z.enum(['asc', 'desc']).default('desc'),
  sort: z.enum(['at']).default('at'),
  action: z.string().max(100).optional(),
  actorId: idSchema.optional(),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(200).optional(),
});
export type AuditListQuery = z.output<typeof auditListQuerySchema>;
export const auditPageSchema = pageSchema(auditEntrySchema);
