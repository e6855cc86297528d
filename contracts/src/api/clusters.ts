import * as z from 'zod';
import {
  idSchema,
  isoDateTime,
  pageQueryShape,
  pageSchema,
  patchSchemaOf,
  secretInputSchema,
  secretStatusSchema,
} from './common.ts';

export const clusterTypeSchema = z.enum(['proxmox', 'ceph', 'nomad']);

const tlsSchema = z.strictObject({
  caFile: z.string().max(4096).nullable().default(null),
  fingerprint: z
    .string()
    .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'expected a SHA-256 fingerprint like AA:BB:… (32 pairs)')
    .nullable()
    .default(null),
  insecure: z.boolean().default(false),
});

export const clusterSchema = z.object({
  id: idSchema,
  name: z.string(),
  type: clusterTypeSchema,
  site: z.string().nullable(),
  apiUrl: z.string().nullable(),
  tokenId: z.string().nullable(),
  /** Never the secret itself. */
  tokenSecret: secretStatusSchema,
  tls: z.object({ caFile: z.string().nullable(), fingerprint: z.string().nullable(), insecure: z.boolean() }),
  source: z.enum(['api', 'config']),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Cluster = z.infer<typeof clusterSchema>;

export const clusterCreateSchema = z.strictObject({
  name: z.string().min(1).max(100),
  type: clusterTypeSchema,
  site: z.string().max(100).nullable().default(null),
  apiUrl: z.url().nullable().default(null),
  tokenId: z.string().max(200).nullable().default(null),
  /** A literal secret (stored encrypted) or `env:NAME`. */
  tokenSecret: secretInputSchema.default(null),
  tls: tlsSchema.prefault({}),
});
export type ClusterCreate = z.output<typeof clusterCreateSchema>;

export const clusterUpdateSchema = patchSchemaOf(clusterCreateSchema);
export type ClusterUpdate = z.output<typeof clusterUpdateSchema>;

export const clusterListQuerySchema = z.strictObject({
  ...pageQueryShape,
  sort: z.enum(['name', 'type', 'createdAt']).default('name'),
  q: z.string().max(200).optional(),
  type: clusterTypeSchema.optional(),
});
export type ClusterListQuery = z.output<typeof clusterListQuerySchema>;
export const clusterPageSchema = pageSchema(clusterSchema);
