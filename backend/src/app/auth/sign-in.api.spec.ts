import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  browserSession,
  controlClock,
  sessionHeaders,
  signInAs,
  type SignedInUser,
} from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { MINUTE_MS, HOUR_MS } from './clock.ts';

type Problem = { status: number; detail: string };

describe.each(testDatabases())('sign-in on %s', (dialect) => {
  let t: TestServer;
  let alice: SignedInUser;
  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    t.request({ method: 'POST', url: '/api/v1/auth/login', body: { username, password }, headers });

  beforeEach(async () => {
    t = await startTestServer(dialect, {
      auth: { login_max_failures: 3, lockout_minutes: 15, session_ttl_hours: 2 },
      server: { trust_proxy: true },
    });
    alice = await signInAs(t, 'operator', { username: 'alice', email: 'Alice@Example.com' });
  });
  afterEach(() => t.close());

  it('signs in by username or e-mail, in any letter case', async () => {
    for (const name of ['alice', 'ALICE', 'alice@example.com']) {
      const res = await login(name, alice.password);
      expect(res.status, name).toBe(200);
      expect(res.json()).toMatchObject({ user: { username: 'alice', role: 'operator' } });
    }
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const wrong = await login('alice', 'not-the-password');
    const unknown = await login('nobody', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json<Problem>().detail).toBe(unknown.json<Problem>().detail);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('ends the session on logout, and clears the cookies', async () => {
    const session = await browserSession(t, 'alice', alice.password);
    const out = await t.request({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: sessionHeaders(session),
    });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/skyy_session=;/);
    const me = await t.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: session.cookie },
    });
    expect(me.status).toBe(401);
  });

  it('locks a username after N failures, even against the right password, until the window passes', async () => {
    const clock = controlClock(t);
    for (let i = 0; i < 3; i++) expect((await login('alice', `wrong-${i}`)).status).toBe(401);

    const locked = await login('alice', alice.password);
    expect(locked.status).toBe(429);
    // The same account by its e-mail address is locked too.
    expect((await login('alice@example.com', alice.password)).status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(locked.json<Problem>().detail).toMatch(/account/);
    // Other accounts are not affected.
    const bob = await signInAs(t, 'viewer', { username: 'bob' });
    expect((await login('bob', bob.password)).status).toBe(200);

    clock.advance(14 * MINUTE_MS);
    expect((await login('alice', alice.password)).status).toBe(429);
    clock.advance(2 * MINUTE_MS);
    expect((await login('alice', alice.password)).status).toBe(200);

    const audit = await t.server.db.kysely.selectFrom('audit_log').select('action').execute();
    const actions = audit.map((a) => a.action);
    expect(actions.filter((a) => a === 'auth.login.failed')).toHaveLength(3);
    expect(actions).toContain('auth.lockout');
    expect(actions).toContain('auth.login.refused');
  });

  it('counts simultaneous failures, as replicas sharing the database would see them', async () => {
    const results = await Promise.all([0, 1, 2].map((i) => login('alice', `wrong-${i}`)));
    expect(results.map((r) => r.status)).toEqual([401, 401, 401]);
    expect((await login('alice', alice.password)).status).toBe(429);
  });

  it('forgets failures after a successful sign-in', async () => {
    for (let i = 0; i < 2; i++) await login('alice', `wrong-${i}`);
    expect((await login('alice', alice.password)).status).toBe(200);
    for (let i = 0; i < 2; i++) await login('alice', `wrong-${i}`);
    expect((await login('alice', alice.password)).status).toBe(200);
  });

  it('locks unknown usernames the same way (no enumeration through lockouts)', async () => {
    for (let i = 0; i < 3; i++) await login('ghost', `wrong-${i}`);
    expect((await login('ghost', 'whatever')).status).toBe(429);
  });

  it('limits failures per client address across usernames', async () => {
    const from = { 'x-forwarded-for': '203.0.113.7' };
    // 4 × login_max_failures failures from one address, spread so that no username locks.
    for (let i = 0; i < 12; i++) expect((await login(`user${i}`, 'guess', from)).status).toBe(401);
    const res = await login('alice', alice.password, from);
    expect(res.status).toBe(429);
    expect(res.json<Problem>().detail).toMatch(/address/);
    // Someone else, elsewhere, is not affected.
    expect((await login('alice', alice.password, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
  });

  it('slides the session expiry with activity and ends it after the idle time', async () => {
    const clock = controlClock(t);
    const session = await browserSession(t, 'alice', alice.password);
    const me = () =>
      t.request({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: session.cookie } });
    // Active every 90 minutes for 6 hours: well past the 2-hour TTL from sign-in.
    for (let i = 0; i < 4; i++) {
      clock.advance(90 * MINUTE_MS);
      expect((await me()).status, `after ${(i + 1) * 90} min`).toBe(200);
    }
    clock.advance(2 * HOUR_MS + MINUTE_MS);
    expect((await me()).status).toBe(401);
  });

  it('ends a session at its absolute lifetime however active it is', async () => {
    await t.close();
    t = await startTestServer(dialect, { auth: { session_ttl_hours: 2, session_max_hours: 5 } });
    alice = await signInAs(t, 'operator', { username: 'alice' });
    const clock = controlClock(t);
    const session = await browserSession(t, 'alice', alice.password);
    const me = () =>
      t.request({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: session.cookie } });
    // Active every 50 minutes: the sliding window alone would keep it alive for ever.
    for (let minutes = 50; minutes < 5 * 60; minutes += 50) {
      clock.advance(50 * MINUTE_MS);
      expect((await me()).status, `after ${minutes} min`).toBe(200);
    }
    clock.advance(60 * MINUTE_MS); // 5 h 10 min after sign-in, an hour after the last request
    expect((await me()).status).toBe(401);
    // Signing in again starts a new session.
    expect((await browserSession(t, 'alice', alice.password)).cookie).toBeTruthy();
  });

  it('refuses a disabled account even with the right password', async () => {
    await t.server.db.kysely
      .updateTable('users')
      .set({ disabled: 1 })
      .where('id', '=', alice.userId)
      .execute();
    const res = await login('alice', alice.password);
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('answers /me for API tokens without a CSRF token', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: alice.headers });
    expect(res.json()).toMatchObject({ user: { id: alice.userId }, csrfToken: null });
  });
});
