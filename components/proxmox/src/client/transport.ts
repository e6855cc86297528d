import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch, type Dispatcher } from 'undici';
import type { z } from 'zod';
import {
  PveAuthError,
  PveError,
  PveHttpError,
  PveNetworkError,
  PveResponseError,
  PveTimeoutError,
} from './errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type ParamValue = string | number | boolean | string[] | undefined;
export type Params = Record<string, ParamValue>;

export interface PveTlsOptions {
  /** PEM file of the CA that signed the node certificates (the cluster's `pve-root-ca.pem`). */
  caFile?: string;
  /** The same, as PEM text. */
  ca?: string;
  /** Pin the node certificate's SHA-256 fingerprint (`AB:CD:…`); hostname and CA are then not checked. */
  fingerprint?: string;
  /** Accept any certificate. Only when asked for explicitly. */
  insecure?: boolean;
}

export interface ProxmoxClientOptions {
  /** `https://pve1.example:8006` (a trailing `/api2/json` is accepted). */
  baseUrl: string;
  /** `USER@REALM!TOKENID`, e.g. `skyy@pve!command`. */
  tokenId: string;
  tokenSecret: string;
  tls?: PveTlsOptions;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Task waiting: poll interval (default 500 ms) and give-up time (default 10 min). */
  tasks?: { pollIntervalMs?: number; timeoutMs?: number };
  /** Called after every HTTP attempt (logging, metrics, the conformance test). Never sees the secret. */
  onRequest?: (event: RequestEvent) => void;
}

export interface RequestEvent {
  method: HttpMethod;
  /** Path under /api2/json, e.g. `/nodes/pve1/qemu/100/config`. */
  path: string;
  params: Record<string, string | string[]>;
  attempt: number;
  status?: number;
  error?: PveError;
}

export interface RequestOptions {
  /**
   * Safe to send again after a failure that may have reached PVE (timeouts, 5xx, resets).
   * Lock timeouts are retried for every request: PVE did nothing when it could not lock.
   */
  idempotent: boolean;
}

const TRANSIENT_STATUS = new Set([502, 503, 504, 595, 596, 599]);

/** Fetch with PVE's token auth, TLS choices, timeouts, retries and zod-parsed `data`. */
export class PveTransport {
  readonly apiUrl: string;
  private readonly authorization: string;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: ProxmoxClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, '').replace(/\/api2\/json$/, '');
    const url = new URL(base);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`baseUrl must be http(s): ${base}`);
    if (url.protocol === 'http:' && (options.tls?.fingerprint || options.tls?.caFile || options.tls?.ca)) {
      throw new Error('TLS options (CA, fingerprint) need an https:// baseUrl');
    }
    if (!/^[^@\s]+@[^!\s]+![^\s]+$/.test(options.tokenId)) {
      throw new Error(`tokenId must look like USER@REALM!TOKENID, got '${options.tokenId}'`);
    }
    this.apiUrl = `${base}/api2/json`;
    this.authorization = `PVEAPIToken=${options.tokenId}=${options.tokenSecret}`;
    this.dispatcher = url.protocol === 'https:' ? createDispatcher(options.tls ?? {}) : undefined;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.attempts = Math.max(1, options.retry?.attempts ?? 4);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 250;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 4_000;
  }

  get taskPollIntervalMs(): number {
    return this.options.tasks?.pollIntervalMs ?? 500;
  }

  get taskTimeoutMs(): number {
    return this.options.tasks?.timeoutMs ?? 600_000;
  }

  async request<S extends z.ZodType>(
    schema: S,
    method: HttpMethod,
    path: string,
    params: Params = {},
    options: RequestOptions,
  ): Promise<z.output<S>> {
    const wire = toWire(params);
    for (let attempt = 1; ; attempt++) {
      try {
        const data = await this.once(method, path, wire, attempt);
        const parsed = schema.safeParse(data);
        if (!parsed.success) {
          throw new PveResponseError(
            method,
            path,
            parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`),
          );
        }
        return parsed.data;
      } catch (error) {
        if (!(error instanceof PveError)) throw error;
        this.options.onRequest?.({ method, path, params: wire, attempt, status: error.status, error });
        if (attempt >= this.attempts || !isRetryable(error, options.idempotent)) throw error;
        const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await sleep(backoff * (0.5 + Math.random() / 2));
      }
    }
  }

  private async once(
    method: HttpMethod,
    path: string,
    wire: Record<string, string | string[]>,
    attempt: number,
  ) {
    const query = method === 'GET' || method === 'DELETE' ? encode(wire) : '';
    const url = `${this.apiUrl}${path}${query ? `?${query}` : ''}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response;
    try {
      response = await undiciFetch(url, {
        method,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(method === 'POST' || method === 'PUT'
            ? { 'content-type': 'application/x-www-form-urlencoded' }
            : {}),
        },
        ...(method === 'POST' || method === 'PUT' ? { body: encode(wire) } : {}),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw new PveTimeoutError(method, path, this.timeoutMs);
      throw new PveNetworkError(method, path, error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw new PveTimeoutError(method, path, this.timeoutMs);
      throw new PveNetworkError(method, path, error);
    }
    const body = parseJson(text);
    if (!response.ok) {
      const message = (typeof body?.message === 'string' ? body.message : response.statusText).trim();
      const errors =
        body?.errors && typeof body.errors === 'object' ? (body.errors as Record<string, string>) : undefined;
      const ErrorClass = response.status === 401 || response.status === 403 ? PveAuthError : PveHttpError;
      throw new ErrorClass(method, path, response.status, message || `HTTP ${response.status}`, errors);
    }
    if (!body || !('data' in body)) throw new PveResponseError(method, path, ['body is not {"data": …}']);
    this.options.onRequest?.({ method, path, params: wire, attempt, status: response.status });
    return body.data;
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}

function isRetryable(error: PveError, idempotent: boolean): boolean {
  if (error instanceof PveHttpError && error.isLockTimeout) return true;
  if (!idempotent) return false;
  if (error instanceof PveTimeoutError || error instanceof PveNetworkError) return true;
  return error instanceof PveHttpError && TRANSIENT_STATUS.has(error.status);
}

function createDispatcher(tls: PveTlsOptions): Dispatcher | undefined {
  const ca = tls.ca ?? (tls.caFile ? readFileSync(tls.caFile, 'utf8') : undefined);
  if (tls.fingerprint) {
    const pin = normalizeFingerprint(tls.fingerprint);
    // No TLS session resumption: a resumed session presents no certificate, so the pin could not be checked.
    const connector = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
    return new Agent({
      connect: (opts, callback) => {
        connector(opts, (error, socket) => {
          if (error || !socket) return callback(error ?? new Error('no socket'), null);
          const actual = normalizeFingerprint(
            (socket as TLSSocket).getPeerCertificate().fingerprint256 ?? '',
          );
          if (actual !== pin) {
            socket.destroy();
            return callback(
              new Error(`TLS certificate fingerprint mismatch: expected ${pin}, got ${actual}`),
              null,
            );
          }
          callback(null, socket);
        });
      },
    });
  }
  if (tls.insecure) return new Agent({ connect: { rejectUnauthorized: false } });
  if (ca) return new Agent({ connect: { ca } });
  return undefined;
}

export function normalizeFingerprint(value: string): string {
  const hex = value.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/../g)?.join(':') ?? '';
}

function toWire(params: Params): Record<string, string | string[]> {
  const wire: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    wire[key] = Array.isArray(value)
      ? value
      : typeof value === 'boolean'
        ? value
          ? '1'
          : '0'
        : String(value);
  }
  return wire;
}

function encode(wire: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(wire)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  }
  return search.toString();
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `encodeURIComponent` for one path segment (node names, UPIDs, mapping ids). */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
