import * as z from 'zod';
import { idSchema, isoDateTime, labelsSchema, pageQueryShape, pageSchema } from './common.ts';

/** `internal` deployments are HelloSkyy's own (monitoring, personal, Skyy Command); `customer` ones belong to a customer. */
export const deploymentKindSchema = z.enum(['internal', 'customer']);
export const deploymentStatusSchema = z.enum([
  'planned',
  'deploying',
  'running',
  'stopped',
  'failed',
  'removed',
]);

export const deploymentSchema = z.object({
  id: idSchema,
  name: z.string(),
  kind: deploymentKindSchema,
  status: deploymentStatusSchema,
  customerId: idSchema.nullable(),
  hostId: idSchema.nullable(),
  /** e.g. `docker-compose`, `vm`, `fluxedge`. */
  runtime: z.string().nullable(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const deploymentCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    kind: deploymentKindSchema.default('internal'),
    status: deploymentStatusSchema.default('planned'),
    customerId: idSchema.nullable().default(null),
    hostId: idSchema.nullable().default(null),
    runtime: z.string().max(64).nullable().default(null),
    description: z.string().max(10_000).nullable().default(null),
    tags: labelsSchema.default([]),
  })
  .refine((d) => (d.kind === 'customer') === (d.customerId !== null), {
    message: 'a customer deployment needs customerId; an internal one must not have it',
    path: ['customerId'],
  });
export type DeploymentCreate = z.output<typeof deploymentCreateSchema>;

export const deploymentUpdateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  status: deploymentStatusSchema.optional(),
  hostId: idSchema.nullable().optional(),
  runtime: z.string().max(64).nullable().optional(),
  description: z.string().max(10_000).nullable().optional(),
  tags: labelsSchema.optional(),
});
export type DeploymentUpdate = z.output<typeof deploymentUpdateSchema>;

export const deploymentListQuerySchema = z.strictObject({
  ...pageQueryShape,
  sort: z.enum(['name', 'status', 'createdAt']).default('name'),
  q: z.string().max(200).optional(),
  kind: deploymentKindSchema.optional(),
  status: deploymentStatusSchema.optional(),
  customerId: idSchema.optional(),
  hostId: idSchema.optional(),
});
export type DeploymentListQuery = z.output<typeof deploymentListQuerySchema>;
export const deploymentPageSchema = pageSchema(deploymentSchema);
