import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserSession, signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { AdminExistsError, createFirstAdmin, FirstAdminInputError } from './first-admin.ts';

const password = 'first-admin-password-1';

describe.each(testDatabases())('first-run setup on %s', (dialect) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer(dialect);
  });
  afterEach(() => t.close());

  it('creates the first admin, signs them in, and is then closed', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/setup' })).json()).toEqual({
      needsSetup: true,
    });

    const res = await t.request({
      method: 'POST',
      url: '/api/v1/auth/setup',
      body: { username: 'Root', email: 'root@example.com', password },
    });
    expect(res.status).toBe(201);
    const body = res.json<{ user: { role: string; username: string }; csrfToken: string }>();
    expect(body.user).toMatchObject({ username: 'Root', role: 'admin', email: 'root@example.com' });
    expect(body).not.toHaveProperty('user.passwordHash');

    // The cookie set by setup is a working session.
    const cookie = [res.headers['set-cookie']]
      .flat()
      .map((c) => String(c).split(';')[0])
      .join('; ');
    const me = await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ user: { username: 'Root' }, csrfToken: body.csrfToken });

    expect((await t.request({ method: 'GET', url: '/api/v1/auth/setup' })).json()).toEqual({
      needsSetup: false,
    });
    const again = await t.request({
      method: 'POST',
      url: '/api/v1/auth/setup',
      body: { username: 'intruder', password: 'another-password-1' },
    });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    await expect(browserSession(t, 'intruder', 'another-password-1')).rejects.toThrow(/401/);
  });

  it('lets exactly one of two simultaneous setups through', async () => {
    const results = await Promise.all(
      ['alice', 'bob', 'carol'].map((username) =>
        t.request({ method: 'POST', url: '/api/v1/auth/setup', body: { username, password } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const users = await t.server.db.kysely.selectFrom('users').select(['username', 'role']).execute();
    expect(users).toHaveLength(1);
    expect(users[0]?.role).toBe('admin');
  });

  it('refuses a weak password or one equal to the username, naming the field', async () => {
    const short = await t.request({
      method: 'POST',
      url: '/api/v1/auth/setup',
      body: { username: 'root', password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.json()).toMatchObject({ errors: [{ path: 'body.password' }] });
    const same = await t.request({
      method: 'POST',
      url: '/api/v1/auth/setup',
      body: { username: 'administrator', password: 'Administrator' },
    });
    expect(same.status).toBe(400);
    expect(same.json<{ errors: { message: string }[] }>().errors[0]?.message).toMatch(/username/);
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/setup' })).json()).toEqual({
      needsSetup: true,
    });
  });

  it('stores an argon2id hash, never the password', async () => {
    await t.request({ method: 'POST', url: '/api/v1/auth/setup', body: { username: 'root', password } });
    const row = await t.server.db.kysely.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain(password);
  });

  it('is refused once any account exists, even a non-admin one', async () => {
    await signInAs(t, 'viewer');
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/setup' })).json()).toEqual({
      needsSetup: false,
    });
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/auth/setup',
      body: { username: 'root', password },
    });
    expect(res.status).toBe(409);
  });
});

describe.each(testDatabases())('createFirstAdmin (the CLI path) on %s', (dialect) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer(dialect);
  });
  afterEach(() => t.close());

  it('creates an admin the running server accepts, then throws AdminExistsError', async () => {
    const created = await createFirstAdmin(t.server.db, { username: 'ops', password });
    expect(created.username).toBe('ops');
    const session = await browserSession(t, 'ops', password);
    const me = await t.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: session.cookie },
    });
    expect(me.json()).toMatchObject({ user: { id: created.id, role: 'admin' } });

    await expect(createFirstAdmin(t.server.db, { username: 'ops2', password })).rejects.toBeInstanceOf(
      AdminExistsError,
    );
    const audit = await t.server.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'auth.setup')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor_id).toBe(created.id);
  });

  it('races safely with itself: one admin, the others get AdminExistsError', async () => {
    const results = await Promise.allSettled(
      ['a1', 'a2', 'a3'].map((username) => createFirstAdmin(t.server.db, { username, password })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AdminExistsError);
    }
  });

  it('reports bad input per field', async () => {
    const error = await createFirstAdmin(t.server.db, {
      username: 'no spaces',
      email: 'nope',
      password: 'x',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FirstAdminInputError);
    expect((error as FirstAdminInputError).errors.map((e) => e.path).sort()).toEqual([
      'email',
      'password',
      'username',
    ]);
  });
});
