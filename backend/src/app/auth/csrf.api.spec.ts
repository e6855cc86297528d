import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSession,
  signInAs,
  type BrowserSession,
  type SignedInUser,
} from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';

describe.each(testDatabases())('CSRF and cookies on %s', (dialect) => {
  let t: TestServer;
  let user: SignedInUser;
  let session: BrowserSession;
  const createToken = (headers: Record<string, string>) =>
    t.request({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers,
      body: { name: 'ci', scopes: ['read'] },
    });

  beforeAll(async () => {
    t = await startTestServer(dialect, { server: { trust_proxy: true } });
    user = await signInAs(t, 'viewer');
    session = await browserSession(t, user.username, user.password);
  });
  afterAll(() => t.close());

  it('refuses a cookie-authenticated write without the x-csrf-token header', async () => {
    const res = await createToken({ cookie: session.cookie });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ title: 'Forbidden', detail: expect.stringMatching(/CSRF/) });
  });

  it('refuses a wrong x-csrf-token, including the CSRF token of another session', async () => {
    expect((await createToken({ cookie: session.cookie, 'x-csrf-token': 'forged' })).status).toBe(403);
    const other = await browserSession(t, user.username, user.password);
    expect((await createToken({ cookie: session.cookie, 'x-csrf-token': other.csrfToken })).status).toBe(403);
  });

  it('accepts the write with the session’s own token', async () => {
    expect((await createToken({ cookie: session.cookie, 'x-csrf-token': session.csrfToken })).status).toBe(
      201,
    );
  });

  it('does not ask bearer-token requests for a CSRF token', async () => {
    expect((await createToken(user.headers)).status).toBe(201);
  });

  it('needs no CSRF token to read', async () => {
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/auth/tokens', headers: { cookie: session.cookie } }))
        .status,
    ).toBe(200);
  });

  it('refuses cross-site writes by Origin, sign-in included', async () => {
    const headers = {
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
      origin: 'https://evil.example',
    };
    expect((await createToken(headers)).status).toBe(403);
    const login = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { origin: 'https://evil.example' },
      body: { username: user.username, password: user.password },
    });
    expect(login.status).toBe(403);
    expect(login.headers['set-cookie']).toBeUndefined();
    expect((await createToken({ ...headers, origin: 'null' })).status).toBe(403);
  });

  it('accepts writes whose Origin is this server', async () => {
    const headers = { cookie: session.cookie, 'x-csrf-token': session.csrfToken, host: 'skyy.example:8443' };
    expect((await createToken({ ...headers, origin: 'http://skyy.example:8443' })).status).toBe(201);
  });

  it('sets an HttpOnly SameSite=Lax session cookie and a readable CSRF cookie, Secure only over HTTPS', async () => {
    const body = { username: user.username, password: user.password };
    const plain = await t.request({ method: 'POST', url: '/api/v1/auth/login', body });
    const [sessionCookie, csrfCookie] = [plain.headers['set-cookie']].flat().map(String);
    expect(sessionCookie).toMatch(/^skyy_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(csrfCookie).toMatch(/^skyy_csrf=[^;]+; Path=\/; SameSite=Lax$/);
    expect(csrfCookie).toContain(plain.json<{ csrfToken: string }>().csrfToken);

    // Behind nginx with TLS (trust_proxy on): X-Forwarded-Proto makes the cookies Secure.
    const tls = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body,
      headers: { 'x-forwarded-proto': 'https' },
    });
    for (const cookie of [tls.headers['set-cookie']].flat().map(String)) expect(cookie).toMatch(/; Secure/);
  });
});

describe('Secure cookies without trust_proxy', () => {
  it('ignores X-Forwarded-Proto from clients when the proxy is not trusted', async () => {
    const t = await startTestServer('sqlite');
    try {
      const user = await signInAs(t, 'viewer');
      const res = await t.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-forwarded-proto': 'https' },
        body: { username: user.username, password: user.password },
      });
      expect(res.status).toBe(200);
      for (const cookie of [res.headers['set-cookie']].flat().map(String))
        expect(cookie).not.toMatch(/Secure/);
    } finally {
      await t.close();
    }
  });
});
