import { setTimeout as sleep } from 'node:timers/promises';
import { fetch, type Agent } from 'undici';
import * as z from 'zod';
import {
  httpErrorFor,
  PfSenseAuthError,
  PfSenseError,
  PfSenseNetworkError,
  PfSenseResponseError,
  PfSenseServerError,
  PfSenseTimeoutError,
  PfSenseTlsPinError,
  type RequestTarget,
} from './errors.ts';
import { createTlsAgent, TlsPinMismatch, type PfSenseTlsOptions } from './tls.ts';

/**
 * A small client for the pfSense REST API v2 over undici's fetch: authentication, TLS trust,
 * timeouts, retries with backoff for reads only (a retried write could apply twice), the
 * `{code, status, response_id, message, data}` envelope unwrapped and `data` parsed with zod.
 * Writes to one firewall are sent one at a time: pfSense rewrites config.xml whole on each write
 * and two overlapping writes can silently lose one of them.
 */

export type PfSenseAuth =
  | { type: 'api-key'; key: string }
  | { type: 'basic'; username: string; password: string }
  /** Basic credentials exchanged once for a token at POST /api/v2/auth/jwt, then `Bearer`. */
  | { type: 'jwt'; username: string; password: string };

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean;

export interface RequestEvent {
  method: HttpMethod;
  path: string;
  query: Record<string, QueryValue>;
  body: Record<string, unknown> | undefined;
  /** HTTP status, or 0 when no answer came. */
  status: number;
  attempt: number;
  durationMs: number;
  error?: PfSenseError;
}

export interface PfSenseClientOptions {
  /** `https://fw.example:443`; paths such as /api/v2/… are appended. */
  baseUrl: string;
  auth: PfSenseAuth;
  tls?: PfSenseTlsOptions;
  /** Per request, connection included. Default 15 s. */
  timeoutMs?: number;
  /** Extra attempts for reads after 5xx, 429, timeouts and network errors. Default 3. */
  readRetries?: number;
  /** First backoff; doubled per attempt, with up to 50 % jitter. Default 250 ms. */
  retryBaseMs?: number;
  /** Called after every attempt (logging, metrics, tests); bodies never hold credentials. */
  onRequest?: (event: RequestEvent) => void;
}

export interface RequestOptions<S extends z.ZodType> {
  query?: Record<string, QueryValue | undefined>;
  body?: Record<string, unknown>;
  schema: S;
}

const envelopeSchema = z.object({
  code: z.number(),
  status: z.string(),
  response_id: z.string(),
  message: z.string(),
  data: z.unknown(),
});

/** Writes to the same firewall from this process go one after another. */
const writeQueues = new Map<string, Promise<unknown>>();

export class PfSenseClient {
  readonly baseUrl: string;
  private readonly agent: Agent;
  private token: string | undefined;
  /** Facts learned about this firewall (e.g. an endpoint missing on an older package). */
  readonly capabilities = new Map<string, boolean>();

  constructor(private readonly options: PfSenseClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.agent = createTlsAgent(options.tls, options.timeoutMs ?? 15_000);
  }

  /** The firewall's identity for locks and logs: scheme, host and port. */
  get firewallKey(): string {
    return new URL(this.baseUrl).origin;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** GET with retries: reads are safe to repeat. */
  async get<S extends z.ZodType>(
    path: string,
    options: Omit<RequestOptions<S>, 'body'>,
  ): Promise<z.output<S>> {
    const retries = this.options.readRetries ?? 3;
    const base = this.options.retryBaseMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send('GET', path, options, attempt);
      } catch (error) {
        if (attempt >= retries || !retryable(error)) throw error;
        await sleep(base * 2 ** attempt * (1 + Math.random() / 2));
      }
    }
  }

  /** POST/PATCH/DELETE: sent once, serialized per firewall. A failure's outcome is the caller's to verify. */
  write<S extends z.ZodType>(
    method: Exclude<HttpMethod, 'GET'>,
    path: string,
    options: RequestOptions<S>,
  ): Promise<z.output<S>> {
    const key = this.firewallKey;
    const previous = writeQueues.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.send(method, path, options, 0));
    const settled = run.catch(() => undefined);
    writeQueues.set(key, settled);
    void settled.then(() => {
      if (writeQueues.get(key) === settled) writeQueues.delete(key);
    });
    return run;
  }

  private async send<S extends z.ZodType>(
    method: HttpMethod,
    path: string,
    options: RequestOptions<S> & { renewedToken?: boolean },
    attempt: number,
  ): Promise<z.output<S>> {
    const target: RequestTarget = { method, path };
    const query = definedQuery(options.query);
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    const started = performance.now();
    const event = (status: number, error?: PfSenseError) =>
      this.options.onRequest?.({
        method,
        path,
        query,
        body: options.body,
        status,
        attempt,
        durationMs: performance.now() - started,
        error,
      });

    let status = 0;
    try {
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(await this.authHeaders(target)),
      };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
      status = response.status;
      const text = await response.text();
      if (
        response.status === 401 &&
        this.options.auth.type === 'jwt' &&
        this.token &&
        !options.renewedToken
      ) {
        // The token expired: ask for a new one and send again (the request was refused, not run).
        this.token = undefined;
        return await this.send(method, path, { ...options, renewedToken: true }, attempt);
      }
      const data = unwrap(target, response.status, response.headers.get('content-type') ?? '', text);
      const parsed = options.schema.safeParse(data);
      if (!parsed.success) {
        throw new PfSenseResponseError(
          target,
          `pfSense ${method} ${path} answered with an unexpected shape: ${z.prettifyError(parsed.error)}`,
        );
      }
      event(status);
      return parsed.data;
    } catch (raw) {
      const error = toPfSenseError(target, raw, this.options.timeoutMs ?? 15_000);
      event(status, error);
      throw error;
    }
  }

  private async authHeaders(target: RequestTarget): Promise<Record<string, string>> {
    const auth = this.options.auth;
    if (auth.type === 'api-key') return { 'x-api-key': auth.key };
    const basic = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (auth.type === 'basic') return { authorization: basic };
    this.token ??= await this.obtainToken(basic, target);
    return { authorization: `Bearer ${this.token}` };
  }

  private async obtainToken(basic: string, target: RequestTarget): Promise<string> {
    const response = await fetch(`${this.baseUrl}/api/v2/auth/jwt`, {
      method: 'POST',
      headers: { authorization: basic, accept: 'application/json' },
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    });
    const data = unwrap(
      { method: 'POST', path: '/api/v2/auth/jwt' },
      response.status,
      response.headers.get('content-type') ?? '',
      await response.text(),
    );
    const parsed = z.object({ token: z.string().min(1) }).safeParse(data);
    if (!parsed.success)
      throw new PfSenseAuthError(target, 401, undefined, 'the JWT endpoint returned no token');
    return parsed.data.token;
  }
}

function definedQuery(query: Record<string, QueryValue | undefined> = {}): Record<string, QueryValue> {
  return Object.fromEntries(
    Object.entries(query).filter((entry): entry is [string, QueryValue] => entry[1] !== undefined),
  );
}

/** Returns `data` of a 2xx envelope; throws the typed error for anything else. */
function unwrap(target: RequestTarget, status: number, contentType: string, text: string): unknown {
  let envelope: z.output<typeof envelopeSchema> | undefined;
  if (contentType.includes('json')) {
    try {
      const parsed = envelopeSchema.safeParse(JSON.parse(text));
      if (parsed.success) envelope = parsed.data;
    } catch {
      envelope = undefined;
    }
  }
  if (status < 200 || status >= 300) {
    const message = envelope ? envelope.message : summarize(text);
    throw httpErrorFor(target, status, envelope?.response_id, message);
  }
  if (!envelope) {
    throw new PfSenseResponseError(
      target,
      `pfSense ${target.method} ${target.path} did not answer with the API envelope`,
    );
  }
  return envelope.data;
}

function summarize(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function toPfSenseError(target: RequestTarget, raw: unknown, timeoutMs: number): PfSenseError {
  if (raw instanceof PfSenseError) return raw;
  if (raw instanceof Error && (raw.name === 'TimeoutError' || raw.name === 'AbortError')) {
    return new PfSenseTimeoutError(
      target,
      `pfSense ${target.method} ${target.path} timed out after ${timeoutMs} ms`,
      {
        cause: raw,
      },
    );
  }
  const cause = raw instanceof Error ? (raw.cause ?? raw) : raw;
  if (cause instanceof TlsPinMismatch) {
    return new PfSenseTlsPinError(target, `pfSense ${target.path}: ${cause.message}`, { cause });
  }
  if (cause instanceof Error && cause.name === 'ConnectTimeoutError') {
    return new PfSenseTimeoutError(target, `pfSense ${target.method} ${target.path}: connection timed out`, {
      cause,
    });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new PfSenseNetworkError(
    target,
    `pfSense ${target.method} ${target.path} could not be reached: ${detail}`,
    {
      cause,
    },
  );
}

function retryable(error: unknown): boolean {
  if (error instanceof PfSenseTlsPinError) return false;
  if (error instanceof PfSenseServerError) return true;
  if (error instanceof PfSenseTimeoutError || error instanceof PfSenseNetworkError) return true;
  return error instanceof PfSenseError && 'status' in error && error.status === 429;
}
