import * as z from 'zod';
import { firewallSiteSettingsSchema } from '../desired-state/networking.schema.ts';
import {
  idSchema,
  isoDateTime,
  pageQueryShape,
  pageSchema,
  patchSchemaOf,
  secretInputSchema,
  secretStatusSchema,
} from './common.ts';

/**
 * pfSense firewalls, one per site: where they are, how the site is laid out (site settings, the
 * same snake_case object as in config.yaml) and the desired networking file.
 */

const tlsSchema = z.strictObject({
  caFile: z.string().max(4096).nullable().default(null),
  fingerprint: z
    .string()
    .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'expected a SHA-256 fingerprint like AA:BB:… (32 pairs)')
    .nullable()
    .default(null),
  insecure: z.boolean().default(false),
});

export const firewallSchema = z.object({
  id: idSchema,
  name: z.string(),
  site: z.string(),
  apiUrl: z.string(),
  /** Never the key itself. */
  apiKey: secretStatusSchema,
  tls: z.object({ caFile: z.string().nullable(), fingerprint: z.string().nullable(), insecure: z.boolean() }),
  /** Site settings with defaults applied; null until someone sets them (plan and apply need them). */
  settings: firewallSiteSettingsSchema.nullable(),
  /** Networking file path from config.yaml, read when no networking was uploaded. */
  networkingFile: z.string().nullable(),
  /** The uploaded networking file, if any (content at GET /firewalls/:id/networking). */
  networking: z.object({ name: z.string(), updatedAt: isoDateTime }).nullable(),
  source: z.enum(['api', 'config']),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Firewall = z.infer<typeof firewallSchema>;

export const firewallCreateSchema = z.strictObject({
  name: z.string().min(1).max(100),
  site: z.string().min(1).max(100),
  apiUrl: z.url(),
  /** A literal key (stored encrypted) or `env:NAME`. */
  apiKey: secretInputSchema.default(null),
  tls: tlsSchema.prefault({}),
  settings: firewallSiteSettingsSchema.nullable().default(null),
  networkingFile: z.string().min(1).max(4096).nullable().default(null),
});
export type FirewallCreate = z.output<typeof firewallCreateSchema>;

export const firewallUpdateSchema = patchSchemaOf(firewallCreateSchema);
export type FirewallUpdate = z.output<typeof firewallUpdateSchema>;

export const firewallListQuerySchema = z.strictObject({
  ...pageQueryShape,
  sort: z.enum(['name', 'site', 'createdAt']).default('name'),
  q: z.string().max(200).optional(),
  site: z.string().max(100).optional(),
});
export type FirewallListQuery = z.output<typeof firewallListQuerySchema>;
export const firewallPageSchema = pageSchema(firewallSchema);

/** PUT /firewalls/:id/networking: the user's networking YAML, stored verbatim once it validates. */
export const networkingUploadSchema = z.strictObject({
  /** File name for messages (`networking_hargett.yaml:14: …`). */
  name: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^/\\]+$/, 'a file name, without directories'),
  content: z.string().max(5_000_000),
});
export type NetworkingUpload = z.output<typeof networkingUploadSchema>;

export const networkingDocumentSchema = z.object({
  name: z.string(),
  content: z.string(),
  /** `api`: uploaded; `file`: read from networking_file of config.yaml. */
  source: z.enum(['api', 'file']),
  updatedAt: isoDateTime.nullable(),
});
export type NetworkingDocument = z.infer<typeof networkingDocumentSchema>;

export const firewallObjectKindSchema = z.enum(['vip', 'nat', 'rule', 'dhcp']);

/** A validation finding: where (file:line or firewall object), what, and how to fix it. */
export const firewallFindingSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  fix: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  entry: z.number().int().optional(),
  object: z.object({ kind: firewallObjectKindSchema, id: z.number().int(), descr: z.string() }).optional(),
});
export type FirewallFinding = z.infer<typeof firewallFindingSchema>;

export const plannedChangeSchema = z.object({
  action: z.enum(['create', 'update', 'delete']),
  kind: firewallObjectKindSchema,
  key: z.string(),
  id: z.number().int().optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  diff: z.array(z.object({ field: z.string(), desired: z.unknown(), actual: z.unknown() })).optional(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  descr: z.string().optional(),
  reason: z.string().optional(),
});

const kindCountsSchema = z.object({
  create: z.number().int(),
  update: z.number().int(),
  delete: z.number().int(),
  unchanged: z.number().int(),
  unmanaged: z.number().int(),
  conflicts: z.number().int(),
});

export const sideBySideRowSchema = z.object({
  kind: firewallObjectKindSchema,
  key: z.string(),
  status: z.enum(['in-sync', 'drifted', 'missing', 'unexpected', 'unmanaged', 'conflict']),
  managed: z.boolean(),
  desired: z.record(z.string(), z.unknown()).optional(),
  actual: z.record(z.string(), z.unknown()).optional(),
  source: z.object({ file: z.string(), line: z.number().int() }).optional(),
});

/** GET /firewalls/:id/plan: findings, the plan (unmanaged listed apart) and the console's rows. */
export const firewallPlanSchema = z.object({
  firewallId: idSchema,
  site: z.string(),
  /** Whether errors block apply. */
  blocked: z.boolean(),
  findings: z.array(firewallFindingSchema),
  plan: z.object({
    changes: z.array(plannedChangeSchema),
    unmanaged: z.array(
      z.object({ kind: firewallObjectKindSchema, id: z.number().int(), key: z.string(), descr: z.string() }),
    ),
    /** A desired object whose key an unmanaged object holds: a validation error, never a write. */
    conflicts: z.array(
      z.object({
        kind: firewallObjectKindSchema,
        key: z.string(),
        file: z.string(),
        line: z.number().int(),
        unmanaged: z.object({
          kind: firewallObjectKindSchema,
          id: z.number().int(),
          key: z.string(),
          descr: z.string(),
        }),
      }),
    ),
    counts: z.record(firewallObjectKindSchema, kindCountsSchema),
  }),
  rows: z.record(firewallObjectKindSchema, z.array(sideBySideRowSchema)),
});
export type FirewallPlan = z.infer<typeof firewallPlanSchema>;

export const firewallApplySchema = z.strictObject({
  /** Required (true) when the plan deletes managed objects. */
  confirmDeletes: z.boolean().default(false),
});
export type FirewallApply = z.output<typeof firewallApplySchema>;

export const firewallApplyQuerySchema = z.strictObject({
  /** Ask the firewall to check every write with dry_run instead of starting the job. */
  preview: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export type FirewallApplyQuery = z.output<typeof firewallApplyQuerySchema>;

/** POST /firewalls/:id/apply?preview=true: every planned write checked by pfSense's dry_run. */
export const firewallPreviewSchema = z.object({
  findings: z.array(firewallFindingSchema),
  /** False on REST API packages before v2.8.0: only the plan, nothing checked. */
  supported: z.boolean(),
  changes: z.number().int(),
  checks: z.array(
    z.object({
      change: plannedChangeSchema,
      accepted: z.boolean(),
      message: z.string().optional(),
      responseId: z.string().optional(),
    }),
  ),
});
export type FirewallPreview = z.infer<typeof firewallPreviewSchema>;

export const driftReportSchema = z.object({
  inSync: z.boolean(),
  changed: z.array(
    z.object({
      kind: firewallObjectKindSchema,
      key: z.string(),
      id: z.number().int(),
      fields: z.array(z.object({ field: z.string(), desired: z.unknown(), actual: z.unknown() })),
    }),
  ),
  missing: z.array(z.object({ kind: firewallObjectKindSchema, key: z.string() })),
  unexpected: z.array(
    z.object({ kind: firewallObjectKindSchema, key: z.string(), id: z.number().int(), descr: z.string() }),
  ),
  conflicts: z.array(
    z.object({ kind: firewallObjectKindSchema, key: z.string(), unmanagedId: z.number().int() }),
  ),
});
export type DriftReport = z.infer<typeof driftReportSchema>;

/** One collection by the `firewall.status` schedule. */
export const firewallStatusSnapshotSchema = z.object({
  collectedAt: isoDateTime,
  reachable: z.boolean(),
  error: z.string().nullable(),
  /** Version, uptime, CPU, memory, interfaces, pending changes (see @skyy/pfsense FirewallStatus). */
  status: z.record(z.string(), z.unknown()),
  /** Null when drift cannot be computed (unreachable, no site settings or no networking file). */
  drift: driftReportSchema.nullable(),
  driftError: z.string().nullable(),
});
export type FirewallStatusSnapshot = z.infer<typeof firewallStatusSnapshotSchema>;

export const firewallStatusQuerySchema = z.strictObject({
  /** History entries, newest first. */
  history: z.coerce.number().int().min(0).max(2016).default(12),
});
export type FirewallStatusQuery = z.output<typeof firewallStatusQuerySchema>;

export const firewallStatusSchema = z.object({
  firewallId: idSchema,
  latest: firewallStatusSnapshotSchema.nullable(),
  /** Newest first, the latest included; kept 7 days. */
  history: z.array(firewallStatusSnapshotSchema.omit({ status: true, drift: true })),
});
export type FirewallStatus = z.infer<typeof firewallStatusSchema>;

/** Payload of the live `firewall.status` event. */
export const firewallStatusEventSchema = z.object({
  firewallId: idSchema,
  collectedAt: isoDateTime,
  reachable: z.boolean(),
  inSync: z.boolean().nullable(),
});
