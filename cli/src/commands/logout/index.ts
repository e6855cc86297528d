import { ApiClient, ApiError, ApiHttpError, ApiUnreachableError } from '../../api-client.ts';
import { credentialsFile, deleteStoredCredentials, readStoredCredentials } from '../../credentials.ts';
import { printJson, println, type CliIo } from '../../io.ts';

export interface LogoutOptions {
  io: CliIo;
  output: 'text' | 'json';
}

type Revoked = 'revoked' | 'already-invalid' | 'unreachable' | 'unknown-id' | 'failed';

/**
 * Forgets the stored token and revokes it on the server when it can be reached. The local
 * copy is deleted even when the server is down: logging out must never be blocked.
 */
export async function logout(options: LogoutOptions): Promise<number> {
  const { io } = options;
  const stored = readStoredCredentials(io.env);
  if (!stored) {
    if (options.output === 'json') printJson(io, { loggedOut: false, revoked: null });
    else println(io.stdout, `not logged in (no ${credentialsFile(io.env)})`);
    return 0;
  }
  let revoked: Revoked = 'unknown-id';
  let failure = '';
  if (stored.tokenId) {
    const client = new ApiClient({ url: stored.url, token: stored.token, timeoutMs: 10_000 });
    try {
      await client.delete(`/api/v1/auth/tokens/${encodeURIComponent(stored.tokenId)}`);
      revoked = 'revoked';
    } catch (error) {
      if (error instanceof ApiHttpError && (error.status === 401 || error.status === 404))
        revoked = 'already-invalid';
      else if (error instanceof ApiUnreachableError) revoked = 'unreachable';
      else if (error instanceof ApiError) {
        revoked = 'failed';
        failure = error.message;
      } else throw error;
    }
  }
  deleteStoredCredentials(io.env);
  if (options.output === 'json') {
    printJson(io, { loggedOut: true, url: stored.url, revoked, ...(failure ? { error: failure } : {}) });
    return 0;
  }
  const notes: Record<Revoked, string> = {
    revoked: 'the token is revoked on the server',
    'already-invalid': 'the server no longer accepted the token',
    unreachable: `${stored.url} was unreachable, so the token is still valid there: revoke it in the console`,
    'unknown-id': 'the token id was unknown, so revoke it in the console',
    failed: `revoking the token failed (${failure}): revoke it in the console`,
  };
  println(io.stdout, `logged out of ${stored.url}; ${notes[revoked]}`);
  return 0;
}
