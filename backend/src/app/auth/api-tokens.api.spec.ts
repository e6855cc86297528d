import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  browserSession,
  controlClock,
  sessionHeaders,
  signInAs,
  type BrowserSession,
  type SignedInUser,
} from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { DAY_MS, MINUTE_MS } from './clock.ts';

type Created = { token: { id: string; prefix: string; lastUsedAt: string | null }; secret: string };

describe.each(testDatabases())('API tokens on %s', (dialect) => {
  let t: TestServer;
  let user: SignedInUser;
  let session: BrowserSession;
  const create = async (body: Record<string, unknown>) => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: sessionHeaders(session),
      body,
    });
    expect(res.status, res.body).toBe(201);
    return res.json<Created>();
  };
  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

  beforeEach(async () => {
    t = await startTestServer(dialect);
    user = await signInAs(t, 'operator');
    session = await browserSession(t, user.username, user.password);
  });
  afterEach(() => t.close());

  it('shows the secret once, lists tokens without it, and accepts it as a bearer token', async () => {
    const { token, secret } = await create({ name: 'laptop', scopes: ['read', 'write'] });
    expect(secret).toMatch(/^skyy_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(token.prefix)).toBe(true);

    const list = await t.request({
      method: 'GET',
      url: '/api/v1/auth/tokens',
      headers: sessionHeaders(session),
    });
    expect(list.body).not.toContain(secret);
    expect(list.json<{ items: { name: string }[] }>().items.map((i) => i.name)).toContain('laptop');

    const me = await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(secret) });
    expect(me.json()).toMatchObject({ user: { id: user.userId } });
    // Writes through a token need no CSRF token.
    const write = await t.request({
      method: 'POST',
      url: '/api/v1/customers',
      headers: bearer(secret),
      body: { name: 'Initech' },
    });
    expect(write.status).toBe(201);
  });

  it('refuses a revoked token from the next request on', async () => {
    const { token, secret } = await create({ name: 'ci', scopes: ['read'] });
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(secret) })).status).toBe(
      200,
    );
    const del = await t.request({
      method: 'DELETE',
      url: `/api/v1/auth/tokens/${token.id}`,
      headers: sessionHeaders(session),
    });
    expect(del.status).toBe(204);
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(secret) })).status).toBe(
      401,
    );
    const list = await t.request({
      method: 'GET',
      url: '/api/v1/auth/tokens',
      headers: sessionHeaders(session),
    });
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).not.toContain(token.id);
  });

  it('lets a read-only token read but not write', async () => {
    const { secret } = await create({ name: 'grafana', scopes: ['read'] });
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/customers', headers: bearer(secret) })).status,
    ).toBe(200);
    const write = await t.request({
      method: 'POST',
      url: '/api/v1/customers',
      headers: bearer(secret),
      body: { name: 'Nope' },
    });
    expect(write.status).toBe(403);
    expect(write.json()).toMatchObject({ detail: expect.stringMatching(/read-only/) });
  });

  it('refuses an expired token, a malformed one and one of a disabled user', async () => {
    const clock = controlClock(t);
    const { secret } = await create({ name: 'short', scopes: ['read'], expiresInDays: 1 });
    clock.advance(DAY_MS + MINUTE_MS);
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(secret) })).status).toBe(
      401,
    );
    for (const authorization of ['Bearer nonsense', `Basic ${secret}`, `Bearer ${secret}x`]) {
      const res = await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
    await t.server.db.kysely
      .updateTable('users')
      .set({ disabled: 1 })
      .where('id', '=', user.userId)
      .execute();
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers })).status).toBe(
      401,
    );
  });

  it('records when a token was last used, at most once a minute', async () => {
    const clock = controlClock(t);
    const { token, secret } = await create({ name: 'agent', scopes: ['read'] });
    const lastUsed = async () => {
      const res = await t.request({
        method: 'GET',
        url: '/api/v1/auth/tokens',
        headers: sessionHeaders(session),
      });
      return res.json<{ items: Created['token'][] }>().items.find((i) => i.id === token.id)?.lastUsedAt;
    };
    expect(await lastUsed()).toBeNull();
    await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(secret) });
    const first = await lastUsed();
    expect(first).not.toBeNull();
    clock.advance(10_000);
    await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(secret) });
    expect(await lastUsed()).toBe(first);
    clock.advance(MINUTE_MS);
    await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(secret) });
    expect(Date.parse((await lastUsed()) ?? '')).toBeGreaterThan(Date.parse(first ?? ''));
  });

  it('confines a customer user’s token exactly like the user', async () => {
    const admin = await signInAs(t, 'admin');
    const ids: string[] = [];
    for (const name of ['Acme', 'Globex']) {
      const res = await t.request({
        method: 'POST',
        url: '/api/v1/customers',
        headers: admin.headers,
        body: { name },
      });
      ids.push(res.json<{ id: string }>().id);
    }
    const customer = await signInAs(t, 'customer', { customerId: ids[0] });
    const customerSession = await browserSession(t, customer.username, customer.password);
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: sessionHeaders(customerSession),
      body: { name: 'mine', scopes: ['read', 'write'] },
    });
    const { secret } = res.json<Created>();
    const list = await t.request({ method: 'GET', url: '/api/v1/customers', headers: bearer(secret) });
    expect(list.json<{ items: { name: string }[] }>().items.map((c) => c.name)).toEqual(['Acme']);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/customers/${ids[1]}`, headers: bearer(secret) }))
        .status,
    ).toBe(404);
    expect((await t.request({ method: 'GET', url: '/api/v1/users', headers: bearer(secret) })).status).toBe(
      403,
    );
  });

  it('does not let one user revoke another user’s token', async () => {
    const { token } = await create({ name: 'mine', scopes: ['read'] });
    const other = await signInAs(t, 'admin');
    const res = await t.request({
      method: 'DELETE',
      url: `/api/v1/auth/tokens/${token.id}`,
      headers: other.headers,
    });
    expect(res.status).toBe(404);
  });
});
