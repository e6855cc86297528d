import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, linkIn, readMails, startTestServerWithLogs } from '../../../test/auth-helpers.ts';
import { testDatabases } from '../../../test/test-databases.ts';

/**
 * Plants distinctive secrets, drives every auth flow over HTTP, and then looks for them in every
 * response body, every log line (trace level), the audit log and the auth tables. Only the two
 * "shown once" answers may carry their own secret.
 */
describe.each(testDatabases())('secrets stay secret on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof startTestServerWithLogs>>;
  const bodies: { label: string; body: string; reveals?: string }[] = [];
  const planted = new Map<string, string>([
    ['setup password', 'Planted-Setup-Pw-7f3a9c'],
    ['guessed password', 'Planted-Guess-Pw-51bd0e'],
    ['changed password', 'Planted-Changed-Pw-c2e8aa'],
    ['reset password', 'Planted-Reset-Pw-0d4e77'],
    ['invitee password', 'Planted-Invitee-Pw-9a71f2'],
  ]);
  const pw = (label: string) => planted.get(label) ?? '';

  async function call(
    label: string,
    request: Parameters<typeof t.request>[0],
    reveals?: string,
  ): Promise<Awaited<ReturnType<typeof t.request>>> {
    const res = await t.request(request);
    bodies.push({ label, body: res.body, reveals });
    // Session cookies are secrets too; record them as they are handed out.
    for (const pair of cookieHeader(res.headers['set-cookie']).split('; ').filter(Boolean)) {
      const [name, value = ''] = pair.split('=');
      planted.set(`${name} cookie from ${label}`, value);
    }
    return res;
  }

  beforeAll(async () => {
    t = await startTestServerWithLogs(dialect, { server: { public_url: 'https://skyy.example' } });

    const setup = await call('setup', {
      method: 'POST',
      url: '/api/v1/auth/setup',
      body: { username: 'root', email: 'root@example.com', password: pw('setup password') },
    });
    expect(setup.status).toBe(201);
    await call('failed login', {
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { username: 'root', password: pw('guessed password') },
    });
    const login = await call('login', {
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { username: 'root', password: pw('setup password') },
    });
    const csrf = login.json<{ csrfToken: string }>().csrfToken;
    const session = { cookie: cookieHeader(login.headers['set-cookie']), 'x-csrf-token': csrf };
    await call('me', { method: 'GET', url: '/api/v1/auth/me', headers: session });

    const tokenRes = await t.request({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: session,
      body: { name: 'scan', scopes: ['read', 'write'] },
    });
    const secret = tokenRes.json<{ secret: string }>().secret;
    planted.set('API token', secret);
    bodies.push({ label: 'token create', body: tokenRes.body, reveals: secret });
    const bearer = { authorization: `Bearer ${secret}` };
    await call('token use', { method: 'GET', url: '/api/v1/auth/tokens', headers: bearer });
    await call('token write without CSRF', {
      method: 'POST',
      url: '/api/v1/customers',
      headers: bearer,
      body: { name: 'Acme' },
    });
    await call('write with wrong CSRF', {
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { ...session, 'x-csrf-token': 'wrong' },
      body: { name: 'x', scopes: ['read'] },
    });

    const inviteRes = await t.request({
      method: 'POST',
      url: '/api/v1/invites',
      headers: bearer,
      body: { role: 'viewer', email: 'invitee@example.com' },
    });
    const inviteUrl = inviteRes.json<{ url: string }>().url;
    const inviteToken = new URL(inviteUrl).searchParams.get('invite') ?? '';
    planted.set('invite token', inviteToken);
    bodies.push({ label: 'invite create', body: inviteRes.body, reveals: inviteToken });
    // The registration page looks the invite up by the token in the path.
    await call('invite preview', { method: 'GET', url: `/api/v1/auth/invites/${inviteToken}` });
    await call('register', {
      method: 'POST',
      url: '/api/v1/auth/register',
      body: { invite: inviteToken, username: 'invitee', password: pw('invitee password') },
    });

    await call('change password', {
      method: 'POST',
      url: '/api/v1/auth/password/change',
      headers: session,
      body: { currentPassword: pw('setup password'), newPassword: pw('changed password') },
    });
    await call('forgot', { method: 'POST', url: '/api/v1/auth/password/forgot', body: { username: 'root' } });
    const mails = await readMails(t);
    const resetToken = linkIn(mails[mails.length - 1], '/reset-password').searchParams.get('token') ?? '';
    planted.set('reset token', resetToken);
    await call('reset', {
      method: 'POST',
      url: '/api/v1/auth/password/reset',
      body: { token: resetToken, password: pw('reset password') },
    });
    await call('reset again', {
      method: 'POST',
      url: '/api/v1/auth/password/reset',
      body: { token: resetToken, password: pw('reset password') },
    });
    await call('audit', { method: 'GET', url: '/api/v1/audit?limit=500', headers: bearer });
    await call('users', { method: 'GET', url: '/api/v1/users', headers: bearer });
  });
  afterAll(() => t.close());

  it('drove the flows it claims to have driven', () => {
    expect(planted.size).toBeGreaterThan(10);
    expect(t.logs.some((line) => line.includes('incoming request'))).toBe(true);
    expect(bodies.find((b) => b.label === 'reset')?.body).toBe('');
    expect(bodies.find((b) => b.label === 'reset again')?.body).toMatch(/410/);
  });

  it('never puts a secret in a response body, except the one it reveals once', () => {
    for (const { label, body, reveals } of bodies) {
      for (const [what, value] of planted) {
        if (value === reveals || what.startsWith('skyy_csrf')) continue; // CSRF tokens are meant for the page
        expect(body.includes(value), `${what} in the response to ${label}`).toBe(false);
      }
    }
  });

  it('never logs a secret', () => {
    const log = t.logs.join('\n');
    for (const [what, value] of planted) expect(log.includes(value), `${what} in the log`).toBe(false);
  });

  it('never stores a secret as it was given', async () => {
    const db = t.server.db.kysely;
    const dump = JSON.stringify(
      await Promise.all([
        db.selectFrom('users').selectAll().execute(),
        db.selectFrom('sessions').selectAll().execute(),
        db.selectFrom('api_tokens').selectAll().execute(),
        db.selectFrom('invites').selectAll().execute(),
        db.selectFrom('password_resets').selectAll().execute(),
        db.selectFrom('audit_log').selectAll().execute(),
      ]),
    );
    for (const [what, value] of planted) {
      if (what.startsWith('skyy_csrf')) continue; // compared server-side, so stored as is
      expect(dump.includes(value), `${what} in the database`).toBe(false);
    }
  });
});
