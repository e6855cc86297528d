import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn, readMails, signInAs } from '../backend/test/auth-helpers.ts';
import {
  screenshot,
  signIn,
  startConsole,
  type ConsoleUnderTest,
  closePagesAfterEach,
} from './support/console.ts';

/** The sign-in journeys of the console against a real backend on a fresh SQLite database. */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: accounts and sign-in', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  const admin = { username: 'ada', password: 'correct horse battery staple' };

  beforeAll(async () => {
    app = await startConsole();
  }, 300_000);
  closePagesAfterEach(() => app);
  afterAll(() => app?.close());

  it('offers "Create the first administrator" on an empty install, then opens the dashboard', async () => {
    const page = await app.newPage();
    await page.goto('/');
    await page.waitForURL('**/setup');
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await screenshot(page, 'auth-01-first-run');
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('E-mail (for password resets)').fill('ada@example.net');
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByLabel('Repeat the password').fill(admin.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('auth.setup').waitFor();
    await screenshot(page, 'auth-02-dashboard-after-setup');

    // Setup is a one-time page: afterwards it sends people to sign in.
    const other = await app.newPage();
    await other.goto('/setup');
    await other.waitForURL('**/login');
  });

  it('signs out, refuses a wrong password, and signs in again', async () => {
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.getByRole('button', { name: admin.username }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');

    await page.getByLabel('Username or e-mail').fill(admin.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /not right|password/i })
      .waitFor();
    await screenshot(page, 'auth-03-wrong-password');
    expect(page.url()).toContain('/login');

    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/dashboard');
  });

  it('brings a user whose session ended back to the page they were on after signing in', async () => {
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.goto('/hosts');
    await page.getByRole('heading', { name: 'Infrastructure' }).waitFor();
    await page.context().clearCookies();
    await page.getByRole('link', { name: 'Clusters' }).click();
    await page.waitForURL(/\/login\?returnTo=%2Fclusters/);
    await page.getByText('Your session has ended').waitFor();
    await page.getByLabel('Username or e-mail').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/clusters');
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();
  });

  it('invites a viewer whose link opens the registration page and signs them in', async () => {
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.goto('/settings/invites');
    await page.getByRole('button', { name: 'Create invite link' }).click();
    const link = (await page.getByTestId('invite-url').textContent())?.trim() ?? '';
    expect(link).toMatch(/\/register\?invite=/);
    await screenshot(page, 'auth-04-invite-created');

    const guest = await app.newPage();
    await guest.goto(new URL(link).pathname + new URL(link).search);
    await guest.getByText('You were invited as').waitFor();
    await guest.getByLabel('Username').fill('grace');
    await guest.getByLabel('Password', { exact: true }).fill('grace has a long password');
    await guest.getByLabel('Repeat the password').fill('grace has a long password');
    await screenshot(guest, 'auth-05-register-from-invite');
    await guest.getByRole('button', { name: 'Create account' }).click();
    await guest.waitForURL('**/dashboard');
    await guest.getByRole('button', { name: 'grace' }).waitFor();

    // The link is single use.
    const late = await app.newPage();
    await late.goto(new URL(link).pathname + new URL(link).search);
    await late.getByText('not valid any more').waitFor();
  });

  it('resets a forgotten password with the link from the mail', async () => {
    const user = await signInAs(app.t, 'operator', {
      email: 'linus@example.net',
      password: 'the old password 1',
    });
    const page = await app.newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    // The login page has a field with the same label: wait for the new page before typing.
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Username or e-mail').fill('linus@example.net');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('is on its way').waitFor();

    const mail = (await readMails(app.t)).find((m) => m.to.includes('linus@example.net'));
    const link = linkIn(mail, '/reset-password');
    await page.goto(link.pathname + link.search);
    await page.getByLabel('New password', { exact: true }).fill('the new password 2');
    await page.getByLabel('Repeat the new password').fill('the new password 2');
    await screenshot(page, 'auth-06-reset-password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is changed').waitFor();

    await signIn(page, user.username, 'the new password 2');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  it('creates a personal API token shown once, which works until revoked', async () => {
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.goto('/account/tokens');
    await page.getByLabel('Name').fill('laptop CLI');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('token-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^skyy_/);
    await screenshot(page, 'auth-07-api-token-created');
    const me = () =>
      app.t.request({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${secret}` },
      });
    expect((await me()).status).toBe(200);

    await page
      .getByRole('row', { name: /laptop CLI/ })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('You have no API tokens.').waitFor();
    expect((await me()).status).toBe(401);
  });

  it('lets admins manage users and keeps operators out of user administration', async () => {
    const operator = await signInAs(app.t, 'operator', {
      username: 'olga',
      password: 'olga has a long password',
    });
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.goto('/settings/users');
    const row = page.getByRole('row', { name: /olga/ });
    await row.waitFor();
    await row.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await row.getByText('disabled').waitFor();
    await screenshot(page, 'auth-08-users');
    const refused = await app.t.request({ method: 'GET', url: '/api/v1/auth/me', headers: operator.headers });
    expect(refused.status).toBe(401);
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByRole('button', { name: 'Disable' }).waitFor();

    const other = await app.newPage();
    await signIn(other, 'olga', 'olga has a long password');
    await other.goto('/settings');
    await other.waitForURL('**/settings/integrations');
    const tabs = await other
      .getByRole('tablist', { name: 'Settings sections' })
      .getByRole('tab')
      .allTextContents();
    expect(tabs.map((t) => t.trim())).toEqual(['Integrations']);
    await other.goto('/settings/users');
    await other.waitForURL('**/dashboard');
  });
});
