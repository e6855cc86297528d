import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  controlClock,
  cookieHeader,
  linkIn,
  readMails,
  signInAs,
  type SignedInUser,
} from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { HOUR_MS } from './clock.ts';

type Created = { invite: { id: string; status: string }; url: string; mailed: boolean };
const password = 'invited-password-1';

describe.each(testDatabases())('invites on %s', (dialect) => {
  let t: TestServer;
  let admin: SignedInUser;
  const invite = async (body: Record<string, unknown>) => {
    const res = await t.request({ method: 'POST', url: '/api/v1/invites', headers: admin.headers, body });
    expect(res.status, res.body).toBe(201);
    const created = res.json<Created>();
    return { ...created, token: new URL(created.url).searchParams.get('invite') ?? '' };
  };
  const register = (body: Record<string, unknown>) =>
    t.request({ method: 'POST', url: '/api/v1/auth/register', body });

  beforeEach(async () => {
    t = await startTestServer(dialect, { server: { public_url: 'https://skyy.example' } });
    admin = await signInAs(t, 'admin');
  });
  afterEach(() => t.close());

  it('turns an invite into a signed-in account with the invited role, once', async () => {
    const { url, token, invite: created } = await invite({ role: 'operator' });
    expect(url).toMatch(/^https:\/\/skyy\.example\/register\?invite=/);
    const preview = await t.request({ method: 'GET', url: `/api/v1/auth/invites/${token}` });
    expect(preview.json()).toMatchObject({ role: 'operator', customerName: null });

    const res = await register({ invite: token, username: 'olivia', password });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ user: { username: 'olivia', role: 'operator', customerId: null } });
    const me = await t.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: cookieHeader(res.headers['set-cookie']) },
    });
    expect(me.json()).toMatchObject({ user: { username: 'olivia' } });

    const second = await register({ invite: token, username: 'mallory', password });
    expect(second.status).toBe(410);
    expect((await t.request({ method: 'GET', url: `/api/v1/auth/invites/${token}` })).status).toBe(404);
    const listed = await t.request({ method: 'GET', url: '/api/v1/invites', headers: admin.headers });
    expect(listed.json()).toMatchObject({ items: [{ id: created.id, status: 'used' }] });
  });

  it('lets only one of two simultaneous registrations use an invite', async () => {
    const { token } = await invite({ role: 'viewer' });
    const results = await Promise.all(
      ['one', 'two', 'three'].map((username) => register({ invite: token, username, password })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 410, 410]);
    const users = await t.server.db.kysely.selectFrom('users').select('username').execute();
    expect(users).toHaveLength(2); // the admin and the one winner
  });

  it('refuses an expired invite', async () => {
    const clock = controlClock(t);
    const { token } = await invite({ role: 'viewer', expiresInHours: 24 });
    clock.advance(25 * HOUR_MS);
    expect((await t.request({ method: 'GET', url: `/api/v1/auth/invites/${token}` })).status).toBe(404);
    expect((await register({ invite: token, username: 'late', password })).status).toBe(410);
  });

  it('refuses a revoked invite', async () => {
    const { token, invite: created } = await invite({ role: 'viewer' });
    const del = await t.request({
      method: 'DELETE',
      url: `/api/v1/invites/${created.id}`,
      headers: admin.headers,
    });
    expect(del.status).toBe(204);
    expect((await register({ invite: token, username: 'revoked', password })).status).toBe(410);
  });

  it('makes a customer user confined to the invite’s customer', async () => {
    const customers = await Promise.all(
      ['Acme', 'Globex'].map(async (name) => {
        const res = await t.request({
          method: 'POST',
          url: '/api/v1/customers',
          headers: admin.headers,
          body: { name },
        });
        return res.json<{ id: string }>().id;
      }),
    );
    const { token } = await invite({ role: 'customer', customerId: customers[0] });
    expect((await t.request({ method: 'GET', url: `/api/v1/auth/invites/${token}` })).json()).toMatchObject({
      role: 'customer',
      customerName: 'Acme',
    });
    const res = await register({ invite: token, username: 'acme-ops', password });
    expect(res.json()).toMatchObject({ user: { role: 'customer', customerId: customers[0] } });

    const cookie = cookieHeader(res.headers['set-cookie']);
    const seen = await t.request({ method: 'GET', url: '/api/v1/customers', headers: { cookie } });
    expect(seen.json<{ items: { name: string }[] }>().items.map((c) => c.name)).toEqual(['Acme']);
  });

  it('requires customerId exactly for the customer role', async () => {
    for (const body of [{ role: 'customer' }, { role: 'viewer', customerId: admin.userId }]) {
      const res = await t.request({ method: 'POST', url: '/api/v1/invites', headers: admin.headers, body });
      expect(res.status).toBe(400);
    }
  });

  it('mails the link when an address is given, and binds the account to it', async () => {
    const { url, token, mailed } = await invite({ role: 'viewer', email: 'new@example.com' });
    expect(mailed).toBe(true);
    const [mail] = await readMails(t);
    expect(mail?.to).toBe('new@example.com');
    expect(linkIn(mail, '/register').href).toBe(url);

    const wrong = await register({ invite: token, username: 'newbie', email: 'other@example.com', password });
    expect(wrong.status).toBe(400);
    const ok = await register({ invite: token, username: 'newbie', password });
    expect(ok.json()).toMatchObject({ user: { email: 'new@example.com' } });
  });

  it('is for admins only', async () => {
    const operator = await signInAs(t, 'operator');
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/invites',
      headers: operator.headers,
      body: { role: 'admin' },
    });
    expect(res.status).toBe(403);
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/invites', headers: operator.headers })).status,
    ).toBe(403);
  });

  it('refuses registration without an invite unless open registration is on', async () => {
    expect((await register({ username: 'walk-in', password })).status).toBe(403);
  });
});

describe.each(testDatabases())('open registration on %s', (dialect) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer(dialect, { auth: { open_registration: true } });
  });
  afterEach(() => t.close());

  it('creates a viewer without an invite, but only after first-run setup', async () => {
    const body = { username: 'walk-in', password };
    expect((await t.request({ method: 'POST', url: '/api/v1/auth/register', body })).status).toBe(403);
    await signInAs(t, 'admin');
    const res = await t.request({ method: 'POST', url: '/api/v1/auth/register', body });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ user: { username: 'walk-in', role: 'viewer' } });
    const taken = await t.request({
      method: 'POST',
      url: '/api/v1/auth/register',
      body: { ...body, username: 'WALK-IN' },
    });
    expect(taken.status).toBe(409);
  });
});
