import { ApiClient } from './api-client.ts';
import { resolveCredentials } from './credentials.ts';
import type { CliIo } from './io.ts';

/** A client for the server the user logged in to (or SKYY_URL + SKYY_TOKEN). */
export function connect(io: CliIo): ApiClient {
  const credentials = resolveCredentials(io.env);
  return new ApiClient({
    url: credentials.url,
    token: credentials.token,
    signInHint:
      credentials.source === 'env'
        ? 'SKYY_TOKEN was refused: create a new token in the console'
        : `the stored token was refused: run \`skyy login ${credentials.url}\``,
  });
}
