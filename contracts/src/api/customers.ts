import * as z from 'zod';
import { idSchema, isoDateTime, pageQueryShape, pageSchema, patchSchemaOf } from './common.ts';

export const customerSchema = z.object({
  id: idSchema,
  name: z.string(),
  email: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Customer = z.infer<typeof customerSchema>;

export const customerCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().nullable().default(null),
  notes: z.string().max(10_000).nullable().default(null),
});
export type CustomerCreate = z.output<typeof customerCreateSchema>;
export const customerUpdateSchema = patchSchemaOf(customerCreateSchema);
export type CustomerUpdate = z.output<typeof customerUpdateSchema>;

export const customerListQuerySchema = z.strictObject({
  ...pageQueryShape,
  sort: z.enum(['name', 'createdAt']).default('name'),
  q: z.string().max(200).optional(),
});
export type CustomerListQuery = z.output<typeof customerListQuerySchema>;
export const customerPageSchema = pageSchema(customerSchema);
