import * as z from 'zod';

export const roleSchema = z.enum(['admin', 'operator', 'viewer', 'customer']);
export type Role = z.infer<typeof roleSchema>;

/** Ids are UUIDs everywhere so they cannot be guessed by counting. */
export const idSchema = z.uuid();

export const isoDateTime = z.string();

/** Query string numbers arrive as text. */
const queryInt = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * Cursor pagination: the server returns `nextCursor` (opaque); pass it back as `cursor` with
 * the same sort and filters to get the following page. Stable under inserts, unlike offsets.
 */
export const pageQueryShape = {
  limit: queryInt(1, 500, 50),
  cursor: z.string().max(2000).optional(),
  order: z.enum(['asc', 'desc']).default('asc'),
};

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
    total: z.number().int(),
  });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/** RFC 9457 problem details, with field errors for validation failures. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/** A secret as the API shows it: never the value, only whether one is set and where it lives. */
export const secretStatusSchema = z.object({
  set: z.boolean(),
  source: z.enum(['stored', 'env']).nullable(),
  envName: z.string().nullable(),
});
export type SecretStatus = z.infer<typeof secretStatusSchema>;

/** Input for a secret: a literal (stored encrypted) or `env:NAME`; `null` clears it. */
export const secretInputSchema = z.string().min(1).max(10_000).nullable();

export const labelsSchema = z.array(z.string().min(1).max(64)).max(100);

type WithoutDefault<S> =
  S extends z.ZodDefault<infer Inner> ? Inner : S extends z.ZodPrefault<infer Inner> ? Inner : S;
type PatchShape<Shape extends z.ZodRawShape> = {
  [K in keyof Shape]: z.ZodOptional<WithoutDefault<Shape[K]>>;
};

/**
 * The PATCH schema of a create schema: every field optional and, unlike `.partial()`, without
 * the create defaults, so a field left out of a PATCH keeps its value instead of being reset.
 */
export function patchSchemaOf<Shape extends z.ZodRawShape>(
  create: z.ZodObject<Shape>,
): z.ZodObject<PatchShape<Shape>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, value] of Object.entries(create.shape)) {
    const field = value as z.ZodType;
    const inner =
      field instanceof z.ZodDefault || field instanceof z.ZodPrefault ? (field.unwrap() as z.ZodType) : field;
    shape[key] = inner.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodObject<PatchShape<Shape>>;
}
