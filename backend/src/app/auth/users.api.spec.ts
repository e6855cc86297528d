import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserSession, signInAs, type SignedInUser } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';

type UserBody = { id: string; username: string; role: string; disabled: boolean; customerId: string | null };
type PageBody = { items: UserBody[]; nextCursor: string | null; total: number };

describe.each(testDatabases())('user administration on %s', (dialect) => {
  let t: TestServer;
  let admin: SignedInUser;
  const patch = (id: string, body: Record<string, unknown>, headers = admin.headers) =>
    t.request({ method: 'PATCH', url: `/api/v1/users/${id}`, headers, body });

  beforeEach(async () => {
    t = await startTestServer(dialect);
    admin = await signInAs(t, 'admin', { username: 'root' });
  });
  afterEach(() => t.close());

  it('lists, filters and pages users, never with a password hash', async () => {
    for (const name of ['carol', 'alice', 'bob'])
      await signInAs(t, 'viewer', { username: name, email: `${name}@example.com` });
    await signInAs(t, 'operator', { username: 'dave' });

    const first = await t.request({ method: 'GET', url: '/api/v1/users?limit=2', headers: admin.headers });
    const page1 = first.json<PageBody>();
    expect(page1.items.map((u) => u.username)).toEqual(['alice', 'bob']);
    expect(page1.total).toBe(5);
    const second = await t.request({
      method: 'GET',
      url: `/api/v1/users?limit=2&cursor=${page1.nextCursor}`,
      headers: admin.headers,
    });
    expect(second.json<PageBody>().items.map((u) => u.username)).toEqual(['carol', 'dave']);

    const viewers = await t.request({
      method: 'GET',
      url: '/api/v1/users?role=viewer&q=ca',
      headers: admin.headers,
    });
    expect(viewers.json<PageBody>().items.map((u) => u.username)).toEqual(['carol']);
    // `_` is a literal underscore, not a LIKE wildcard.
    const literal = await t.request({ method: 'GET', url: '/api/v1/users?q=a_i', headers: admin.headers });
    expect(literal.json<PageBody>().total).toBe(0);

    for (const res of [first, second, viewers]) expect(res.body).not.toMatch(/argon2|password_?hash/i);
    const one = await t.request({
      method: 'GET',
      url: `/api/v1/users/${admin.userId}`,
      headers: admin.headers,
    });
    expect(one.json()).toMatchObject({ username: 'root', role: 'admin' });
    expect(one.body).not.toMatch(/argon2/);
  });

  it('changes roles, moving a user to a customer and back', async () => {
    const user = await signInAs(t, 'viewer');
    const customer = await t.request({
      method: 'POST',
      url: '/api/v1/customers',
      headers: admin.headers,
      body: { name: 'Acme' },
    });
    const customerId = customer.json<{ id: string }>().id;

    expect((await patch(user.userId, { role: 'customer' })).status).toBe(400);
    const toCustomer = await patch(user.userId, { role: 'customer', customerId });
    expect(toCustomer.json()).toMatchObject({ role: 'customer', customerId });
    // The role applies to the user's existing tokens at once.
    expect((await t.request({ method: 'GET', url: '/api/v1/users', headers: user.headers })).status).toBe(
      403,
    );

    const back = await patch(user.userId, { role: 'operator' });
    expect(back.json()).toMatchObject({ role: 'operator', customerId: null });
    expect((await patch(user.userId, { customerId })).status).toBe(400);
    const audit = await t.server.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', user.userId)
      .execute();
    expect(audit.filter((a) => a.action === 'user.update')).toHaveLength(2);
  });

  it('never demotes, disables or deletes the last active admin', async () => {
    expect((await patch(admin.userId, { role: 'operator' })).status).toBe(409);
    expect((await patch(admin.userId, { disabled: true })).status).toBe(409);
    const other = await signInAs(t, 'admin');
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/users/${admin.userId}`, headers: admin.headers }))
        .status,
    ).toBe(409);

    // With a second admin, one may step down, after which the other is the last one.
    expect((await patch(admin.userId, { role: 'operator' }, other.headers)).status).toBe(200);
    expect((await patch(other.userId, { disabled: true }, other.headers)).status).toBe(409);
  });

  it('leaves one admin when two admins demote each other at the same moment', async () => {
    const other = await signInAs(t, 'admin');
    await Promise.all([
      patch(other.userId, { role: 'viewer' }, admin.headers),
      patch(admin.userId, { role: 'viewer' }, other.headers),
    ]);
    const admins = await t.server.db.kysely
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .execute();
    expect(admins).toHaveLength(1);
  });

  it('ends the sessions and tokens of a disabled user', async () => {
    const user = await signInAs(t, 'operator');
    const session = await browserSession(t, user.username, user.password);
    expect((await patch(user.userId, { disabled: true })).json()).toMatchObject({ disabled: true });
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: session.cookie } }))
        .status,
    ).toBe(401);
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers })).status).toBe(
      401,
    );
    const sessions = await t.server.db.kysely
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.userId)
      .execute();
    expect(sessions).toEqual([]);
  });

  it('deletes a user, but not oneself', async () => {
    const user = await signInAs(t, 'viewer');
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/users/${user.userId}`, headers: admin.headers }))
        .status,
    ).toBe(204);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/users/${user.userId}`, headers: admin.headers }))
        .status,
    ).toBe(404);
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers })).status).toBe(
      401,
    );
    const other = await signInAs(t, 'admin');
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/users/${other.userId}`, headers: other.headers }))
        .status,
    ).toBe(409);
  });

  it('refuses an e-mail address another account uses', async () => {
    await signInAs(t, 'viewer', { email: 'taken@example.com' });
    const user = await signInAs(t, 'viewer');
    expect((await patch(user.userId, { email: 'TAKEN@example.com' })).status).toBe(409);
    expect((await patch(user.userId, { email: 'free@example.com' })).json()).toMatchObject({
      email: 'free@example.com',
    });
  });

  it('is for admins only', async () => {
    const operator = await signInAs(t, 'operator');
    expect((await t.request({ method: 'GET', url: '/api/v1/users', headers: operator.headers })).status).toBe(
      403,
    );
    expect((await patch(operator.userId, { role: 'admin' }, operator.headers)).status).toBe(403);
  });
});
