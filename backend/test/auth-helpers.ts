import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Role } from '@skyy/contracts';
import { ApiTokensService } from '../src/app/auth/api-tokens.service.ts';
import { Clock } from '../src/app/auth/clock.ts';
import { newUserRow } from '../src/app/auth/new-user.ts';
import { PasswordService } from '../src/app/auth/password.service.ts';
import { hashPassword } from '../src/app/auth/passwords.ts';
import { UsersRepository } from '../src/app/auth/users.repository.ts';
import { CustomersRepository } from '../src/app/customers/customers.repository.ts';
import type { Dialect } from '../src/core/database/database.ts';
import { createLogger } from '../src/core/logging/logger.ts';
import { readOutbox, type OutboxMail } from '../src/core/mail/outbox.ts';
import { startTestServer, type ConfigOverrides, type TestServer } from './harness.ts';

/**
 * Test helpers of the auth module. Other modules' API tests use `signInAs` for a caller of a
 * given role; auth's own tests drive the real HTTP flows with `browserSession`.
 */

export interface SignedInUser {
  userId: string;
  username: string;
  password: string;
  /** `Authorization: Bearer skyy_…` of a read+write API token of the user. */
  headers: Record<string, string>;
}

/**
 * A new user of `role` (straight in the database, no HTTP) with a read+write API token. A
 * customer user without `customerId` gets a customer of their own.
 */
export async function signInAs(
  t: TestServer,
  role: Role,
  options: { customerId?: string; username?: string; password?: string; email?: string } = {},
): Promise<SignedInUser> {
  const app = t.server.app;
  const at = new Date().toISOString();
  let customerId = role === 'customer' ? (options.customerId ?? null) : null;
  if (role === 'customer' && !customerId) {
    const name = `Customer ${randomBytes(4).toString('hex')}`;
    const customer = await app.get(CustomersRepository).insert({
      id: randomUUID(),
      name,
      name_key: name.toLowerCase(),
      email: null,
      notes: null,
      created_at: at,
      updated_at: at,
    });
    customerId = customer.id;
  }
  const username = options.username ?? `${role}-${randomBytes(4).toString('hex')}`;
  const password = options.password ?? `pw-${randomBytes(12).toString('base64url')}`;
  const row = newUserRow(
    { username, email: options.email ?? null, passwordHash: await hashPassword(password), role, customerId },
    at,
  );
  const secret = await t.server.db.kysely.transaction().execute(async (tx) => {
    await app.get(UsersRepository).insert(row, tx);
    const issued = await app
      .get(ApiTokensService)
      .issue(row.id, { name: 'test', scopes: ['read', 'write'] }, tx);
    return issued.secret;
  });
  return { userId: row.id, username, password, headers: { authorization: `Bearer ${secret}` } };
}

export interface BrowserSession {
  /** Value for a `cookie` request header: skyy_session and skyy_csrf. */
  cookie: string;
  csrfToken: string;
}

/** Signs in over HTTP as a browser does; throws with the problem document when refused. */
export async function browserSession(
  t: TestServer,
  username: string,
  password: string,
): Promise<BrowserSession> {
  const res = await t.request({ method: 'POST', url: '/api/v1/auth/login', body: { username, password } });
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status} ${res.body}`);
  const cookie = cookieHeader(res.headers['set-cookie']);
  return { cookie, csrfToken: res.json<{ csrfToken: string }>().csrfToken };
}

/** Turns Set-Cookie response headers into a Cookie request header (cleared cookies left out). */
export function cookieHeader(setCookie: unknown): string {
  const lines = Array.isArray(setCookie) ? setCookie.map(String) : setCookie ? [String(setCookie)] : [];
  return lines
    .map((line) => line.split(';')[0] ?? '')
    .filter((pair) => pair.includes('=') && !pair.endsWith('='))
    .join('; ');
}

/** Headers of a cookie-authenticated write, as the SPA sends them. */
export function sessionHeaders(session: BrowserSession): Record<string, string> {
  return { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
}

/** Moves the auth module's clock (session expiry, lockouts, link expiry) instead of sleeping. */
export function controlClock(t: TestServer): { advance(ms: number): void; restore(): void } {
  const clock = t.server.app.get(Clock) as Clock & { now: () => Date };
  let offset = 0;
  clock.now = () => new Date(Date.now() + offset);
  return {
    advance(ms: number) {
      offset += ms;
    },
    restore() {
      delete (clock as Partial<Clock & { now: () => Date }>).now;
    },
  };
}

/** The dev outbox once every pending forgot-password mail is written. */
export async function readMails(t: TestServer): Promise<OutboxMail[]> {
  await t.server.app.get(PasswordService).settled();
  return readOutbox(t.dataDir);
}

/** The first link to `pathname` (e.g. `/reset-password`) in a mail's text, as a URL. */
export function linkIn(mail: OutboxMail | undefined, pathname: string): URL {
  if (!mail) throw new Error(`no mail to find a ${pathname} link in`);
  const match = mail.text
    .match(/https?:\/\/\S+/g)
    ?.map((u) => new URL(u))
    .find((u) => u.pathname === pathname);
  if (!match) throw new Error(`no ${pathname} link in mail "${mail.subject}"`);
  return match;
}

/**
 * Like startTestServer, but every log line (level trace and up) is kept in `logs`, for tests
 * that prove secrets never reach the log.
 */
export async function startTestServerWithLogs(
  dialect: Dialect,
  overrides: ConfigOverrides = {},
): Promise<TestServer & { logs: string[] }> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const t = await startTestServer(dialect, overrides, {
    logger: createLogger({ level: 'trace', destination }),
  });
  return Object.assign(t, { logs });
}
