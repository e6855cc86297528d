import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  browserSession,
  controlClock,
  linkIn,
  readMails,
  sessionHeaders,
  signInAs,
  type SignedInUser,
} from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { MINUTE_MS } from './clock.ts';

const newPassword = 'brand-new-password-1';

describe.each(testDatabases())('password reset and change on %s', (dialect) => {
  let t: TestServer;
  let user: SignedInUser;
  const forgot = (body: Record<string, string>) =>
    t.request({ method: 'POST', url: '/api/v1/auth/password/forgot', body });
  const reset = (token: string, password = newPassword) =>
    t.request({ method: 'POST', url: '/api/v1/auth/password/reset', body: { token, password } });
  const me = (cookie: string) => t.request({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
  /** Asks for a reset link and reads the token out of the mailed link. */
  const mailedToken = async (body: Record<string, string> = { email: 'user@example.com' }) => {
    expect((await forgot(body)).status).toBe(202);
    const mails = await readMails(t);
    const mail = mails[mails.length - 1];
    if (!mail) throw new Error('no mail in the outbox');
    expect(mail.to).toBe('user@example.com');
    const link = linkIn(mail, '/reset-password');
    // Without server.public_url the link points where the request came from.
    expect(link.origin).toBe('http://localhost');
    return link.searchParams.get('token') ?? '';
  };

  beforeEach(async () => {
    t = await startTestServer(dialect);
    user = await signInAs(t, 'operator', { username: 'user', email: 'user@example.com' });
  });
  afterEach(() => t.close());

  it('answers 202 for unknown accounts too, and mails nothing', async () => {
    const res = await forgot({ email: 'nobody@example.com' });
    expect(res.status).toBe(202);
    expect(res.body).toBe('');
    expect(await readMails(t)).toEqual([]);
  });

  it('resets the password through the mailed link and signs the user out everywhere', async () => {
    const sessions = [
      await browserSession(t, 'user', user.password),
      await browserSession(t, 'user', user.password),
    ];
    const token = await mailedToken({ username: 'USER' });

    expect((await reset(token)).status).toBe(204);
    await expect(browserSession(t, 'user', user.password)).rejects.toThrow(/401/);
    await browserSession(t, 'user', newPassword);
    for (const session of sessions) expect((await me(session.cookie)).status).toBe(401);
  });

  it('lifts a sign-in lockout once the password is reset by mail', async () => {
    const login = (password: string) =>
      t.request({ method: 'POST', url: '/api/v1/auth/login', body: { username: 'user', password } });
    for (let i = 0; i < 5; i++) expect((await login(`wrong-${i}`)).status).toBe(401);
    expect((await login(user.password)).status).toBe(429);
    expect((await reset(await mailedToken())).status).toBe(204);
    expect((await login(newPassword)).status).toBe(200);
  });

  it('mails at most three reset links per half hour', async () => {
    const clock = controlClock(t);
    for (let i = 0; i < 5; i++) expect((await forgot({ email: 'user@example.com' })).status).toBe(202);
    expect(await readMails(t)).toHaveLength(3);
    clock.advance(31 * MINUTE_MS);
    await mailedToken();
    expect(await readMails(t)).toHaveLength(4);
  });

  it('uses a reset link once', async () => {
    const token = await mailedToken();
    expect((await reset(token)).status).toBe(204);
    expect((await reset(token, 'yet-another-password')).status).toBe(410);
    await browserSession(t, 'user', newPassword);
  });

  it('lets a reset link expire after 30 minutes', async () => {
    const clock = controlClock(t);
    const token = await mailedToken();
    clock.advance(31 * MINUTE_MS);
    expect((await reset(token)).status).toBe(410);
    await browserSession(t, 'user', user.password);
  });

  it('makes older links worthless once the password changed', async () => {
    const first = await mailedToken();
    const second = await mailedToken();
    expect((await reset(second)).status).toBe(204);
    expect((await reset(first, 'third-password-123')).status).toBe(410);
  });

  it('refuses an unknown token and a weak new password', async () => {
    expect((await reset('not-a-token')).status).toBe(410);
    const token = await mailedToken();
    const weak = await reset(token, 'short');
    expect(weak.status).toBe(400);
    expect(weak.json()).toMatchObject({ errors: [{ path: 'body.password' }] });
    expect((await reset(token)).status).toBe(204); // the refused attempt did not spend it
  });

  it('changes the password, keeping this session and ending the others', async () => {
    const here = await browserSession(t, 'user', user.password);
    const elsewhere = await browserSession(t, 'user', user.password);
    const change = (currentPassword: string, password: string) =>
      t.request({
        method: 'POST',
        url: '/api/v1/auth/password/change',
        headers: sessionHeaders(here),
        body: { currentPassword, newPassword: password },
      });

    const wrong = await change('wrong-password', newPassword);
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ errors: [{ path: 'body.currentPassword' }] });
    expect((await change(user.password, 'user')).status).toBe(400);

    expect((await change(user.password, newPassword)).status).toBe(204);
    expect((await me(here.cookie)).status).toBe(200);
    expect((await me(elsewhere.cookie)).status).toBe(401);
    await browserSession(t, 'user', newPassword);
    await expect(browserSession(t, 'user', user.password)).rejects.toThrow(/401/);
  });
});
