import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets: 32 random bytes, base64url. The database only ever holds their SHA-256,
 * which is enough for secrets this long (no need for a slow hash).
 */
export const API_TOKEN_PREFIX = 'skyy_';

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function newApiTokenSecret(): string {
  return `${API_TOKEN_PREFIX}${randomSecret()}`;
}

/** What lists show to recognise a token: `skyy_` and the next four characters. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, API_TOKEN_PREFIX.length + 4);
}

/** Constant-time string comparison (CSRF tokens). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
