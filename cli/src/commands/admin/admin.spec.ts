import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../../backend/test/test-databases.ts';
import { ADMIN, cliFor, startCliTestServer, type CliTestServer } from '../../testing/cli-test-server.ts';

describe.each(testDatabases())('skyy admin create on %s', (dialect) => {
  let t: CliTestServer;
  beforeAll(async () => {
    t = await startCliTestServer(dialect);
  });
  afterAll(() => t.close());

  const createArgs = ['admin', 'create', '--username', ADMIN.username, '--email', ADMIN.email];

  it('refuses a password the server would refuse, with exit 2, and creates nobody', async () => {
    const run = await cliFor(t)([...createArgs, '--password-stdin'], { stdin: 'short\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^skyy: cannot create the admin \(password: .+\) — run the command again/);
    const setup = await fetch(`${t.url}/api/v1/auth/setup`);
    expect(await setup.json()).toEqual({ needsSetup: true });
  });

  it('creates the first admin in the running server’s database, who can then sign in', async () => {
    const run = await cliFor(t)([...createArgs, '--password-stdin', '--output', 'json'], {
      stdin: `${ADMIN.password}\n`,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ username: ADMIN.username, email: ADMIN.email, role: 'admin' });

    const login = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ user: { username: ADMIN.username, role: 'admin' } });
  });

  it('refuses a second admin with exit 1 and says what to do instead', async () => {
    const run = await cliFor(t)(['admin', 'create', '--username', 'mallory', '--password-stdin'], {
      stdin: 'another long password',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'skyy: an account already exists, so there is no first admin to create — sign in as an admin and invite people from the console\n',
    );
  });

  it('needs --username when there is no terminal to ask on', async () => {
    const run = await cliFor(t)(['admin', 'create', '--password-stdin'], { stdin: ADMIN.password });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('skyy: --username is required when stdin is not a terminal\n');
  });
});
