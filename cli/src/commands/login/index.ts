import { hostname } from 'node:os';
import { apiTokenCreatedSchema, sessionInfoSchema, type ApiTokenCreate } from '@skyy/contracts';
import { ApiClient } from '../../api-client.ts';
import { normalizeServerUrl, readStoredCredentials, writeStoredCredentials } from '../../credentials.ts';
import { CliError } from '../../errors.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { readPassword, requireValue } from '../../prompt.ts';

export interface LoginOptions {
  io: CliIo;
  url: string;
  username?: string;
  passwordStdin?: boolean;
  tokenName?: string;
  output: 'text' | 'json';
}

const SESSION_COOKIE = 'skyy_session';

/**
 * Signs in with username and password once, trades the session for a personal API token
 * (scopes read+write) stored in ~/.config/skyy/credentials.json (0600), then ends the session:
 * the CLI never keeps a password or a browser session around.
 */
export async function login(options: LoginOptions): Promise<number> {
  const { io } = options;
  const url = normalizeServerUrl(options.url);
  const username = await requireValue(io, options.username, '--username', 'Username: ');
  const password = await readPassword(io, options.passwordStdin === true);
  const tokenName = options.tokenName ?? `skyy-cli@${hostname()}`;
  // A token from an earlier login to the same server is revoked once the new one is stored.
  const previous = safely(() => readStoredCredentials(io.env));

  const anonymous = new ApiClient({ url, signInHint: 'check the username and password' });
  const signedIn = await anonymous.request('POST', '/api/v1/auth/login', {
    body: { username, password },
    schema: sessionInfoSchema,
  });
  const cookies = responseCookies(signedIn.headers);
  if (!cookies.has(SESSION_COOKIE) || !signedIn.data.csrfToken) {
    throw new CliError(
      `${url} signed in without a ${SESSION_COOKIE} cookie`,
      'is this a Skyy Command server?',
    );
  }
  // Every cookie the sign-in set goes back (session and, for double-submit CSRF, skyy_csrf).
  const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const sessionHeaders = { cookie, 'x-csrf-token': signedIn.data.csrfToken };
  const account = signedIn.data.user.username;

  try {
    const created = await anonymous.post('/api/v1/auth/tokens', {
      body: { name: tokenName, scopes: ['read', 'write'] } satisfies ApiTokenCreate,
      headers: sessionHeaders,
      schema: apiTokenCreatedSchema,
    });
    const file = writeStoredCredentials(io.env, {
      url,
      token: created.secret,
      tokenId: created.token.id,
      username: account,
      createdAt: new Date().toISOString(),
    });
    if (previous?.url === url && previous.tokenId && previous.tokenId !== created.token.id) {
      const client = new ApiClient({ url, token: created.secret, timeoutMs: 10_000 });
      // Best effort: it may be gone already, or belong to another account of this server.
      await client
        .delete(`/api/v1/auth/tokens/${encodeURIComponent(previous.tokenId)}`)
        .catch(() => undefined);
    }
    if (options.output === 'json')
      printJson(io, { url, username: account, tokenName, credentialsFile: file });
    else println(io.stdout, `logged in to ${url} as ${account}; API token "${tokenName}" stored in ${file}`);
    return 0;
  } finally {
    // The token is what the CLI keeps; the password session ends now whether or not that worked.
    await anonymous.post('/api/v1/auth/logout', { headers: sessionHeaders }).catch(() => undefined);
  }
}

function safely<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

function responseCookies(headers: Headers): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of headers.getSetCookie()) {
    const [pair = ''] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return cookies;
}
