import * as z from 'zod';
import { idSchema, isoDateTime, pageQueryShape, pageSchema, roleSchema } from './common.ts';

/**
 * Authentication and access: first-run setup, sign-in, invites, password reset, personal API
 * tokens and user administration. Secrets (passwords, token secrets, invite and reset tokens)
 * only ever travel from client to server, except the two "shown once" responses
 * (`apiTokenCreatedSchema.secret`, `inviteCreatedSchema.url`).
 */

/** Usernames never contain `@`, so a sign-in name with `@` is unambiguously an e-mail address. */
export const usernameSchema = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'letters, digits, dots, dashes and underscores; starts with a letter or digit',
  );

/** The length policy (config.auth.password_min_length) is enforced by the server, which knows it. */
export const passwordSchema = z.string().min(1).max(1024);

export const tokenScopeSchema = z.enum(['read', 'write']);

export const userSchema = z.object({
  id: idSchema,
  username: z.string(),
  email: z.string().nullable(),
  role: roleSchema,
  /** Set exactly when role is `customer`. */
  customerId: idSchema.nullable(),
  disabled: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  lastLoginAt: isoDateTime.nullable(),
  passwordChangedAt: isoDateTime,
});
export type User = z.infer<typeof userSchema>;

/** What sign-in, setup, registration and `auth/me` answer. `csrfToken` is null for API-token callers. */
export const sessionInfoSchema = z.object({
  user: userSchema,
  /** Send it back as the `x-csrf-token` header on every non-GET request (also in the `skyy_csrf` cookie). */
  csrfToken: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const setupStatusSchema = z.object({ needsSetup: z.boolean() });
export type SetupStatus = z.infer<typeof setupStatusSchema>;

export const setupRequestSchema = z.strictObject({
  username: usernameSchema,
  email: z.email().optional(),
  password: passwordSchema,
});
export type SetupRequest = z.output<typeof setupRequestSchema>;

export const loginRequestSchema = z.strictObject({
  /** A username or an e-mail address. */
  username: z.string().trim().min(1).max(320),
  password: passwordSchema,
});
export type LoginRequest = z.output<typeof loginRequestSchema>;

export const registerRequestSchema = z.strictObject({
  /** The invite token from the link; without it only open registration (a viewer) is possible. */
  invite: z.string().min(1).max(200).optional(),
  username: usernameSchema,
  email: z.email().optional(),
  password: passwordSchema,
});
export type RegisterRequest = z.output<typeof registerRequestSchema>;

export const passwordForgotSchema = z
  .strictObject({
    email: z.string().trim().min(1).max(320).optional(),
    username: z.string().trim().min(1).max(320).optional(),
  })
  .refine((v) => (v.email === undefined) !== (v.username === undefined), {
    message: 'give either email or username',
  });
export type PasswordForgot = z.output<typeof passwordForgotSchema>;

export const passwordResetSchema = z.strictObject({
  token: z.string().min(1).max(200),
  password: passwordSchema,
});
export type PasswordReset = z.output<typeof passwordResetSchema>;

export const passwordChangeSchema = z.strictObject({
  currentPassword: passwordSchema,
  newPassword: passwordSchema,
});
export type PasswordChange = z.output<typeof passwordChangeSchema>;

// ---- invites

export const inviteStatusSchema = z.enum(['pending', 'used', 'expired', 'revoked']);

export const inviteSchema = z.object({
  id: idSchema,
  role: roleSchema,
  customerId: idSchema.nullable(),
  email: z.string().nullable(),
  createdBy: idSchema.nullable(),
  createdAt: isoDateTime,
  expiresAt: isoDateTime,
  usedAt: isoDateTime.nullable(),
  usedBy: idSchema.nullable(),
  revokedAt: isoDateTime.nullable(),
  status: inviteStatusSchema,
});
export type Invite = z.infer<typeof inviteSchema>;

export const inviteCreateSchema = z
  .strictObject({
    role: roleSchema,
    customerId: idSchema.optional(),
    email: z.email().optional(),
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(72),
  })
  .refine((v) => (v.role === 'customer') === (v.customerId !== undefined), {
    message: 'customerId is required for the customer role and only allowed for it',
    path: ['customerId'],
  });
export type InviteCreate = z.output<typeof inviteCreateSchema>;

/** The link is shown once: only a hash of its token is stored. */
export const inviteCreatedSchema = z.object({
  invite: inviteSchema,
  url: z.string(),
  /** Whether the link was also e-mailed (an invite with an e-mail address whose mail went out). */
  mailed: z.boolean(),
});
export type InviteCreated = z.infer<typeof inviteCreatedSchema>;

export const inviteListQuerySchema = z.strictObject({
  ...pageQueryShape,
  order: z.enum(['asc', 'desc']).default('desc'),
  sort: z.enum(['createdAt']).default('createdAt'),
  status: inviteStatusSchema.optional(),
});
export type InviteListQuery = z.output<typeof inviteListQuerySchema>;
export const invitePageSchema = pageSchema(inviteSchema);

/** What the registration page may show about an invite before the account exists. */
export const invitePreviewSchema = z.object({
  role: roleSchema,
  customerName: z.string().nullable(),
  email: z.string().nullable(),
  expiresAt: isoDateTime,
});
export type InvitePreview = z.infer<typeof invitePreviewSchema>;

// ---- API tokens

export const apiTokenSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** The first characters of the secret, to recognise it (`skyy_AbCd…`). */
  prefix: z.string(),
  scopes: z.array(tokenScopeSchema),
  createdAt: isoDateTime,
  expiresAt: isoDateTime.nullable(),
  lastUsedAt: isoDateTime.nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const apiTokenCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.union([z.tuple([z.literal('read')]), z.tuple([z.literal('read'), z.literal('write')])]),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type ApiTokenCreate = z.output<typeof apiTokenCreateSchema>;

/** `secret` is shown once; send it as `Authorization: Bearer skyy_…`. */
export const apiTokenCreatedSchema = z.object({ token: apiTokenSchema, secret: z.string() });
export type ApiTokenCreated = z.infer<typeof apiTokenCreatedSchema>;

export const apiTokenListSchema = z.object({ items: z.array(apiTokenSchema) });
export type ApiTokenList = z.infer<typeof apiTokenListSchema>;

// ---- user administration

export const userListQuerySchema = z.strictObject({
  ...pageQueryShape,
  sort: z.enum(['username', 'createdAt']).default('username'),
  /** Part of the username or e-mail address. */
  q: z.string().max(200).optional(),
  role: roleSchema.optional(),
  customerId: idSchema.optional(),
  disabled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type UserListQuery = z.output<typeof userListQuerySchema>;
export const userPageSchema = pageSchema(userSchema);

export const userUpdateSchema = z.strictObject({
  role: roleSchema.optional(),
  customerId: idSchema.nullable().optional(),
  disabled: z.boolean().optional(),
  email: z.email().nullable().optional(),
});
export type UserUpdate = z.output<typeof userUpdateSchema>;
