import { problemSchema, type Problem } from '@skyy/contracts';
import type { z } from 'zod';
import { CliError } from './errors.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Base of every failure talking to the server: carries method, path and, when known, the status. */
export class ApiError extends CliError {
  constructor(
    readonly method: Method,
    readonly path: string,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** The server answered with an error status (problem+json when it is a Skyy Command server). */
export class ApiHttpError extends ApiError {
  constructor(
    method: Method,
    path: string,
    readonly status: number,
    readonly problem: Problem | null,
    hint?: string,
  ) {
    super(method, path, describeProblem(status, problem), hint);
  }
}

/** No answer at all: connection refused, unknown host, timeout. */
export class ApiUnreachableError extends ApiError {}

/** An answer that does not match the contract: another program on that port, or another version. */
export class ApiResponseError extends ApiError {}

export interface RequestOptions<S extends z.ZodType> {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Parses the JSON body; omit for responses without one (204). */
  schema?: S;
  /** Error statuses whose body is still an answer in `schema` (e.g. 422 with per-file results). */
  answerStatuses?: number[];
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

export interface ApiClientOptions {
  url: string;
  /** Personal API token, sent as `Authorization: Bearer …`. */
  token?: string;
  /** Hint shown on 401: how to get a valid token. */
  signInHint?: string;
  timeoutMs?: number;
}

/** A small client over fetch: typed by the contracts' zod schemas, errors as one clear line. */
export class ApiClient {
  readonly url: string;
  constructor(private readonly options: ApiClientOptions) {
    this.url = options.url;
  }

  async get<S extends z.ZodType>(path: string, options: RequestOptions<S> = {}) {
    return (await this.request('GET', path, options)).data;
  }
  async post<S extends z.ZodType>(path: string, options: RequestOptions<S> = {}) {
    return (await this.request('POST', path, options)).data;
  }
  async delete(path: string, options: RequestOptions<z.ZodType> = {}): Promise<void> {
    await this.request('DELETE', path, options);
  }

  async request<S extends z.ZodType>(
    method: Method,
    path: string,
    options: RequestOptions<S> = {},
  ): Promise<ApiResponse<z.output<S>>> {
    const target = new URL(this.url + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) target.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      throw new ApiUnreachableError(
        method,
        path,
        `cannot reach ${this.url}: ${networkReason(error)}`,
        'is the server running?',
      );
    }

    const text = await response.text();
    if (!response.ok && !options.answerStatuses?.includes(response.status)) {
      throw new ApiHttpError(
        method,
        path,
        response.status,
        parseProblem(text),
        this.hintFor(response.status),
      );
    }
    if (!options.schema)
      return { status: response.status, headers: response.headers, data: undefined as z.output<S> };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiResponseError(
        method,
        path,
        `${method} ${path} on ${this.url} did not answer with JSON`,
        'is this a Skyy Command server?',
      );
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw new ApiResponseError(
        method,
        path,
        `unexpected answer to ${method} ${path}${where}: ${issue?.message ?? 'invalid'}`,
        'is the server the same version as this CLI?',
      );
    }
    return { status: response.status, headers: response.headers, data: parsed.data };
  }

  private hintFor(status: number): string | undefined {
    if (status === 401) return this.options.signInHint ?? `run \`skyy login ${this.url}\``;
    if (status === 403) return 'ask an admin for a role that allows this';
    if (status === 404) return 'check the name or id; or is the server older than this CLI?';
    if (status >= 500) return 'see the server log for the request id';
    return undefined;
  }
}

function parseProblem(text: string): Problem | null {
  try {
    const parsed = problemSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** `401 Unauthorized: Sign in first.` plus field errors, on one line. */
function describeProblem(status: number, problem: Problem | null): string {
  if (!problem) return `${status} ${statusText(status)}`;
  let line = `${status} ${problem.title}`;
  if (problem.detail) line += `: ${problem.detail}`;
  if (problem.errors?.length) {
    line += ` (${problem.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')})`;
  }
  if (status >= 500 && problem.requestId) line += ` [request id ${problem.requestId}]`;
  return line;
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not found',
    502: 'Bad gateway',
    503: 'Service unavailable',
  };
  return texts[status] ?? 'Error';
}

/** fetch hides the reason in `cause`: ECONNREFUSED, ENOTFOUND, a timeout, a TLS failure. */
function networkReason(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'no answer in time';
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'unknown host';
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
