import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../../backend/test/test-databases.ts';
import { ADMIN, cliFor, startCliTestServer, type CliTestServer } from '../../testing/cli-test-server.ts';

describe.each(testDatabases())('skyy login / logout on %s', (dialect) => {
  let t: CliTestServer;
  let credentialsFile: string;
  beforeAll(async () => {
    t = await startCliTestServer(dialect);
    credentialsFile = path.join(t.env.XDG_CONFIG_HOME ?? '', 'skyy', 'credentials.json');
    const created = await cliFor(t)(['admin', 'create', '--username', ADMIN.username, '--password-stdin'], {
      stdin: ADMIN.password,
    });
    expect(created.code).toBe(0);
  });
  afterAll(() => t.close());

  it('refuses a wrong password with exit 1 and stores nothing', async () => {
    const run = await cliFor(t)(['login', t.url, '--username', ADMIN.username, '--password-stdin'], {
      stdin: 'not the password',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^skyy: 401 .* — check the username and password\n$/);
    expect(() => statSync(credentialsFile)).toThrow();
  });

  it('stores a personal API token in a file only its owner can read', async () => {
    const run = await cliFor(t)(
      ['login', `${t.url}/`, '--username', ADMIN.username, '--password-stdin', '--token-name', 'laptop'],
      { stdin: `${ADMIN.password}\n` },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `logged in to ${t.url} as ${ADMIN.username}; API token "laptop" stored in ${credentialsFile}\n`,
    );
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(credentialsFile)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ url: t.url, username: ADMIN.username });
    expect(JSON.stringify(stored)).not.toContain(ADMIN.password);

    // The token works, the password session it was made with does not linger.
    const me = await fetch(`${t.url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${stored.token}` },
    });
    expect(me.status).toBe(200);
    const tokens = (await (
      await fetch(`${t.url}/api/v1/auth/tokens`, { headers: { authorization: `Bearer ${stored.token}` } })
    ).json()) as { items: { name: string; scopes: string[] }[] };
    expect(tokens.items).toEqual([expect.objectContaining({ name: 'laptop', scopes: ['read', 'write'] })]);
    const loggedOut = await t.server.db.kysely
      .selectFrom('audit_log')
      .select('actor_name')
      .where('action', '=', 'auth.logout')
      .execute();
    expect(loggedOut).toEqual([{ actor_name: ADMIN.username }]);
  });

  it('logging in again replaces the stored token and revokes the old one', async () => {
    const before = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { token: string; tokenId: string };
    const run = await cliFor(t)(
      ['login', t.url, '--username', ADMIN.username, '--password-stdin', '--token-name', 'laptop'],
      { stdin: ADMIN.password },
    );
    expect(run.code).toBe(0);
    const after = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { token: string; tokenId: string };
    expect(after.tokenId).not.toBe(before.tokenId);
    const tokens = (await (
      await fetch(`${t.url}/api/v1/auth/tokens`, { headers: { authorization: `Bearer ${after.token}` } })
    ).json()) as { items: { id: string }[] };
    expect(tokens.items.map((token) => token.id)).toEqual([after.tokenId]);
  });

  it('uses the stored token for later commands', async () => {
    const run = await cliFor(t)(['hosts', 'list']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
  });

  it('lets SKYY_URL + SKYY_TOKEN override the stored login', async () => {
    const run = await cliFor(t)(['hosts', 'list'], {
      env: { SKYY_URL: t.url, SKYY_TOKEN: 'skyy_not_a_token' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^skyy: 401 .* — SKYY_TOKEN was refused: create a new token in the console\n$/,
    );
  });

  it('logout revokes the token on the server and deletes the file', async () => {
    const { token } = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { token: string };
    const run = await cliFor(t)(['logout']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`logged out of ${t.url}; the token is revoked on the server\n`);
    expect(() => statSync(credentialsFile)).toThrow();

    const reuse = await cliFor(t)(['hosts', 'list'], { env: { SKYY_URL: t.url, SKYY_TOKEN: token } });
    expect(reuse.code).toBe(1);
    expect(reuse.stderr).toMatch(/^skyy: 401 /);
    const again = await cliFor(t)(['hosts', 'list']);
    expect(again.stderr).toBe(
      'skyy: not logged in — run `skyy login <url>`, or set SKYY_URL and SKYY_TOKEN\n',
    );
  });
});
