import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CliError, UsageError } from './errors.ts';
import type { CliIo } from './io.ts';

/** What `skyy login` stores: the server and a personal API token (the only secret here). */
export const storedCredentialsSchema = z.object({
  url: z.url(),
  token: z.string().min(1),
  /** Lets `skyy logout` revoke the token on the server. */
  tokenId: z.string().nullable(),
  username: z.string(),
  createdAt: z.string(),
});
export type StoredCredentials = z.infer<typeof storedCredentialsSchema>;

/** The server and token a command talks to, and where they came from (for error hints). */
export interface Credentials {
  url: string;
  token: string;
  source: 'env' | 'file';
}

export function credentialsFile(env: CliIo['env']): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  return path.join(configHome, 'skyy', 'credentials.json');
}

export function readStoredCredentials(env: CliIo['env']): StoredCredentials | null {
  const file = credentialsFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const parsed = storedCredentialsSchema.safeParse(json);
  if (!parsed.success) {
    throw new CliError(
      `${file} is not a credentials file skyy wrote`,
      'delete it and run `skyy login <url>`',
    );
  }
  return parsed.data;
}

/**
 * Writes the file readable by its owner only (0600, in a 0700 directory), through a temp
 * file and a rename so a crash never leaves half a token behind.
 */
export function writeStoredCredentials(env: CliIo['env'], credentials: StoredCredentials): string {
  const file = credentialsFile(env);
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return file;
}

export function deleteStoredCredentials(env: CliIo['env']): void {
  rmSync(credentialsFile(env), { force: true });
}

/**
 * SKYY_URL + SKYY_TOKEN win over the stored login. A stored token is only ever sent to the
 * server it was issued by, so SKYY_URL pointing elsewhere without SKYY_TOKEN is an error.
 */
export function resolveCredentials(env: CliIo['env']): Credentials {
  const envUrl = env.SKYY_URL ? normalizeServerUrl(env.SKYY_URL) : undefined;
  const stored = readStoredCredentials(env);
  if (env.SKYY_TOKEN) {
    const url = envUrl ?? stored?.url;
    if (!url)
      throw new CliError('SKYY_TOKEN is set but SKYY_URL is not', 'set SKYY_URL to the server address');
    return { url, token: env.SKYY_TOKEN, source: 'env' };
  }
  if (!stored) {
    throw new CliError('not logged in', 'run `skyy login <url>`, or set SKYY_URL and SKYY_TOKEN');
  }
  if (envUrl && envUrl !== stored.url) {
    throw new CliError(
      `SKYY_URL is ${envUrl} but the stored login is for ${stored.url}`,
      'set SKYY_TOKEN too, or run `skyy login ' + envUrl + '`',
    );
  }
  return { url: stored.url, token: stored.token, source: 'file' };
}

/** `https://skyy.example.com/` → `https://skyy.example.com`; anything but http(s) is refused. */
export function normalizeServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`"${value}" is not a URL`, 'give the server address, e.g. https://skyy.example.com');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `"${value}" is not an http(s) URL`,
      'give the server address, e.g. https://skyy.example.com',
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}
