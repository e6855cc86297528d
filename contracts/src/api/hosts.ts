import * as z from 'zod';
import { hostFileSchema, hostnameSchema, hostSettingsSchema } from '../desired-state/host.schema.ts';
import { idSchema, isoDateTime, labelsSchema, pageQueryShape, pageSchema, patchSchemaOf } from './common.ts';

export const hostSchema = z.object({
  id: idSchema,
  hostname: z.string(),
  ipAddress: z.string(),
  roles: z.array(z.string()),
  tags: z.array(z.string()),
  settings: z.record(z.string(), z.unknown()),
  os: z.string().nullable(),
  gpu: z.boolean(),
  clusterId: idSchema.nullable(),
  customerId: idSchema.nullable(),
  /** Where the host came from: `api`, or the file name it was imported from. */
  source: z.string(),
  /** The YAML it was imported from, verbatim, for the console's "source" view. */
  sourceYaml: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Host = z.infer<typeof hostSchema>;

export const hostCreateSchema = z.strictObject({
  hostname: hostnameSchema,
  ipAddress: z.union([z.ipv4(), z.ipv6()], { error: 'expected an IPv4 or IPv6 address' }),
  roles: labelsSchema.default([]),
  tags: labelsSchema.default([]),
  settings: hostSettingsSchema.default({}),
  clusterId: idSchema.nullable().default(null),
  customerId: idSchema.nullable().default(null),
});
export type HostCreate = z.output<typeof hostCreateSchema>;

export const hostUpdateSchema = patchSchemaOf(hostCreateSchema);
export type HostUpdate = z.output<typeof hostUpdateSchema>;

export const hostSortFields = ['hostname', 'ipAddress', 'createdAt', 'updatedAt'] as const;

export const hostListQuerySchema = z.strictObject({
  ...pageQueryShape,
  sort: z.enum(hostSortFields).default('hostname'),
  /** Substring of hostname or IP address. */
  q: z.string().max(200).optional(),
  role: z.string().max(64).optional(),
  tag: z.string().max(64).optional(),
  gpu: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  clusterId: idSchema.optional(),
  customerId: idSchema.optional(),
});
export type HostListQuery = z.output<typeof hostListQuerySchema>;

export const hostPageSchema = pageSchema(hostSchema);

/** One file of an import: its name and its YAML text exactly as on disk. */
export const hostImportSchema = z.strictObject({
  files: z
    .array(z.strictObject({ name: z.string().min(1).max(255), content: z.string().max(1_000_000) }))
    .min(1)
    .max(1000),
  /** Validate and report without writing anything. */
  dryRun: z.boolean().default(false),
});
export type HostImport = z.output<typeof hostImportSchema>;

/** An import writes all valid files or, when any file is invalid, nothing at all. */
export const hostImportResultSchema = z.object({
  applied: z.boolean(),
  files: z.array(
    z.object({
      name: z.string(),
      status: z.enum(['created', 'updated', 'unchanged', 'invalid']),
      hostname: z.string().nullable(),
      hostId: idSchema.nullable(),
      errors: z.array(
        z.object({ line: z.number(), column: z.number(), path: z.string(), message: z.string() }),
      ),
    }),
  ),
});
export type HostImportResult = z.infer<typeof hostImportResultSchema>;

export { hostFileSchema };
