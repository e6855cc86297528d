import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with the library defaults (19 MiB, 2 passes, 1 lane: the OWASP baseline).
 * Hashing runs on libuv's thread pool, so a sign-in does not block the event loop.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    // A malformed stored hash is a failed sign-in, never a 500 that tells the user apart.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same argon2 time as a real check, for sign-ins with an unknown name, so response
 * times do not reveal which usernames exist. Always false.
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummyHash ??= hash('skyy-command-dummy-password');
  await verifyPassword(await dummyHash, password);
  return false;
}

export const DEFAULT_PASSWORD_MIN_LENGTH = 10;

/** The password policy, as field messages (empty: acceptable). */
export function passwordProblems(password: string, username: string, minLength: number): string[] {
  const problems: string[] = [];
  if ([...password].length < minLength) problems.push(`must be at least ${minLength} characters long`);
  if (password.trim().toLowerCase() === username.trim().toLowerCase())
    problems.push('must not be the same as the username');
  return problems;
}
