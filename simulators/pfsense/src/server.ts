import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedFirewall, type WriteRunner } from './firewall.ts';
import { ApiError, type InterfaceRepresentation } from './model.ts';
import type { HttpMethod } from './reference.ts';
import {
  defaultState,
  loadStateFile,
  saveStateFile,
  type SimObject,
  type SimSections,
  type SimState,
} from './state.ts';

/**
 * An HTTP(S) server that answers like pfSense's REST API v2 package: `X-API-Key`, Basic and JWT
 * auth, the `{code, status, response_id, message, data}` envelope, and the failure modes a real
 * firewall has — latency, 5xx faults (before or after the change took effect) and, when asked,
 * overlapping writes where one silently overwrites the other (config.xml read-modify-write).
 */

export interface SimulatorOptions {
  /** Accepted `X-API-Key` values. */
  apiKeys?: string[];
  /** Basic-auth users (username → password); also the users that may POST /api/v2/auth/jwt. */
  users?: Record<string, string>;
  authMethods?: ('KeyAuth' | 'BasicAuth' | 'JWTAuth')[];
  state?: SimState;
  /** Loaded at start when it exists, written (debounced) after every change and on close. */
  stateFile?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  latency?: LatencyOptions;
  faults?: FaultOptions;
  /** Overlapping writes read config, then write it back whole: the earlier one's change is lost. */
  lostWrites?: boolean;
  /** How long a write holds its copy of config.xml (the window in which writes overlap). */
  writeDurationMs?: number;
  representInterfacesAs?: InterfaceRepresentation;
  /** false: behave like packages before v2.5, where GET …/static_mappings is a 404. */
  pluralStaticMappings?: boolean;
  /** REST API package version; `dry_run` exists from v2.8.0. */
  restApiVersion?: string;
  pfSenseVersion?: string;
  /** Seed for latency jitter and fault draws, so a failing test can be replayed. */
  seed?: number;
}

export interface LatencyOptions {
  fixedMs?: number;
  randomMs?: number;
}

export interface FaultOptions {
  /** Probability (0..1) that a request fails with a 5xx. */
  rate: number;
  /** before: nothing happened (502 from the web server); after: the change was made, then 500. */
  phase?: 'before' | 'after' | 'either';
  methods?: HttpMethod[];
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'ok',
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  409: 'conflict',
  415: 'unsupported media type',
  500: 'server error',
  501: 'not implemented',
  503: 'service unavailable',
};

class HtmlNotFound extends Error {}

export class PfSenseSimulator {
  state: SimState;
  readonly requests: RequestRecord[] = [];
  readonly stats = { requests: 0, faults: 0, lostWrites: 0 };
  private readonly firewall: SimulatedFirewall;
  private server: Server | undefined;
  private readonly tokens = new Map<string, number>();
  private random: () => number;
  private generation = 0;
  private writeQueue: Promise<unknown> = Promise.resolve();
  private saveTimer: NodeJS.Timeout | undefined;
  private unsaved = false;

  constructor(private options: SimulatorOptions = {}) {
    this.state =
      options.state ??
      (options.stateFile && existsSync(options.stateFile)
        ? loadStateFile(options.stateFile)
        : defaultState());
    this.random = mulberry32(options.seed ?? 1);
    const write: WriteRunner = (mutate, { commit }) => this.runWrite(mutate, commit);
    this.firewall = new SimulatedFirewall(
      () => this.state,
      {
        pfSenseVersion: options.pfSenseVersion ?? '2.8.1-RELEASE',
        restApiVersion: options.restApiVersion ?? 'v2.8.0',
        representInterfacesAs: options.representInterfacesAs ?? 'descr',
        startedAt: Date.now(),
      },
      write,
    );
  }

  /** Change latency, faults or lost writes while running (tests turn faults on mid-way). */
  configure(
    changes: Pick<SimulatorOptions, 'latency' | 'faults' | 'lostWrites' | 'writeDurationMs' | 'seed'>,
  ): void {
    this.options = { ...this.options, ...changes };
    if (changes.seed !== undefined) this.random = mulberry32(changes.seed);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, envelope(500, 'SERVER_ERROR', String(error), []));
      });
    };
    this.server = this.options.tls
      ? createHttpsServer({ key: this.options.tls.key, cert: this.options.tls.cert }, handler)
      : createHttpServer(handler);
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const scheme = this.options.tls ? 'https' : 'http';
    return { url: `${scheme}://${host}:${address.port}`, port: address.port };
  }

  async close(): Promise<void> {
    this.flushState();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  /** Adds objects directly to config.xml, as if made in the web UI (already applied). */
  seed(section: 'vips' | 'nats' | 'rules', objects: SimObject[]): void;
  seed(section: 'dhcp', objects: SimObject[], parentId: string): void;
  seed(section: keyof SimSections, objects: SimObject[], parentId?: string): void {
    for (const target of [this.state.config, this.state.running]) {
      if (section === 'dhcp') {
        const server = target.dhcp[parentId ?? ''];
        if (!server) throw new Error(`no DHCP server on ${parentId ?? '(none)'}`);
        server.staticmap.push(...structuredClone(objects));
      } else target[section].push(...structuredClone(objects));
    }
  }

  countRequests(filter: { method?: string; pathPrefix?: string } = {}): number {
    return this.requests.filter(
      (r) =>
        (!filter.method || r.method === filter.method) &&
        (!filter.pathPrefix || r.path.startsWith(filter.pathPrefix)),
    ).length;
  }

  // ---- request pipeline ----------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
    const raw = await readBody(req);
    this.stats.requests += 1;
    const record: RequestRecord = { method, path: url.pathname, status: 0 };
    this.requests.push(record);

    await this.delay();
    const fault = this.drawFault(method);
    if (fault === 'before') {
      this.stats.faults += 1;
      record.status = 502;
      res
        .writeHead(502, { 'content-type': 'text/html' })
        .end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }

    let status: number;
    let body: unknown;
    try {
      const endpoint = this.firewall.reference.endpoints.get(url.pathname);
      const legacyMissing =
        url.pathname.endsWith('/static_mappings') && this.options.pluralStaticMappings === false;
      // Paths the package does not have are not PHP endpoints at all: the web server answers.
      if (!endpoint || legacyMissing) throw new HtmlNotFound();
      const client = this.authenticate(req, url.pathname);
      if (!endpoint.methods.includes(method)) {
        throw new ApiError(
          405,
          'ENDPOINT_METHOD_NOT_ALLOWED',
          `Resource at ${url.pathname} does not support the ${method} method.`,
        );
      }
      const response =
        url.pathname === '/api/v2/auth/jwt'
          ? this.issueToken()
          : await this.firewall.handle({
              method,
              path: url.pathname,
              query: url.searchParams,
              body: method === 'GET' || method === 'DELETE' ? {} : parseJsonBody(req, raw),
              client,
            });
      if (method !== 'GET') this.scheduleSave();
      status = response.code;
      body = envelope(response.code, 'SUCCESS', '', response.data);
    } catch (error) {
      if (error instanceof HtmlNotFound) {
        record.status = 404;
        res
          .writeHead(404, { 'content-type': 'text/html' })
          .end('<html><body><h1>404 Not Found</h1></body></html>');
        return;
      }
      if (!(error instanceof ApiError)) throw error;
      status = error.code;
      body = envelope(error.code, error.responseId, error.message, []);
    }

    if (fault === 'after') {
      this.stats.faults += 1;
      status = 500;
      body = envelope(500, 'SERVER_ERROR', 'An unexpected error occurred while processing the request.', []);
    }
    record.status = status;
    send(res, status, body);
  }

  private authenticate(req: IncomingMessage, path: string): string {
    const methods = this.options.authMethods ?? ['KeyAuth', 'BasicAuth', 'JWTAuth'];
    const users = this.options.users ?? { admin: 'pfsense' };
    const keys = this.options.apiKeys ?? ['sim-api-key'];
    const remote = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const authorization = req.headers.authorization ?? '';

    // The JWT endpoint always takes Basic credentials: that is how a token is obtained.
    if (
      (methods.includes('BasicAuth') || path === '/api/v2/auth/jwt') &&
      authorization.startsWith('Basic ')
    ) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const username = decoded.slice(0, colon);
      const password = users[username];
      if (colon > 0 && password !== undefined && safeEqual(decoded.slice(colon + 1), password))
        return `${username}@${remote}`;
    }
    const key = req.headers['x-api-key'];
    if (methods.includes('KeyAuth') && typeof key === 'string' && keys.some((k) => safeEqual(k, key))) {
      return `apikey@${remote}`;
    }
    if (methods.includes('JWTAuth') && authorization.startsWith('Bearer ')) {
      const expires = this.tokens.get(authorization.slice(7));
      if (expires !== undefined && expires > Date.now()) return `jwt@${remote}`;
    }
    throw new ApiError(401, 'AUTH_AUTHENTICATION_FAILED', 'Authentication failed.');
  }

  private issueToken() {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, Date.now() + 3_600_000);
    return { code: 200, data: { token } };
  }

  private async delay(): Promise<void> {
    const { fixedMs = 0, randomMs = 0 } = this.options.latency ?? {};
    const ms = fixedMs + (randomMs > 0 ? this.random() * randomMs : 0);
    if (ms > 0) await sleep(ms);
  }

  private drawFault(method: HttpMethod): 'before' | 'after' | undefined {
    const faults = this.options.faults;
    if (!faults || faults.rate <= 0) return undefined;
    if (faults.methods && !faults.methods.includes(method)) return undefined;
    if (this.random() >= faults.rate) return undefined;
    const phase = faults.phase ?? 'either';
    if (phase !== 'either') return phase;
    return this.random() < 0.5 ? 'before' : 'after';
  }

  /**
   * Safe mode: writes queue behind each other (the package's write lock). Lost-write mode: each
   * write copies config.xml, works for `writeDurationMs`, then stores its copy whole — whatever
   * another write committed in between is gone, and nobody is told.
   */
  private runWrite<T>(mutate: (sections: SimSections) => T, commit: boolean): Promise<T> {
    const duration = this.options.writeDurationMs ?? (this.options.lostWrites ? 5 : 0);
    if (!commit) return Promise.resolve(mutate(structuredClone(this.state.config)));
    if (this.options.lostWrites) {
      return (async () => {
        const copy = structuredClone(this.state.config);
        const seen = this.generation;
        if (duration > 0) await sleep(duration);
        const result = mutate(copy);
        if (this.generation !== seen) this.stats.lostWrites += 1;
        this.state.config = copy;
        this.generation += 1;
        return result;
      })();
    }
    const run = this.writeQueue.then(async () => {
      if (duration > 0) await sleep(duration);
      const result = mutate(this.state.config);
      this.generation += 1;
      return result;
    });
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  private scheduleSave(): void {
    if (!this.options.stateFile) return;
    this.unsaved = true;
    this.saveTimer ??= setTimeout(() => this.flushState(), 200);
  }

  private flushState(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.options.stateFile && this.unsaved) saveStateFile(this.options.stateFile, this.state);
    this.unsaved = false;
  }
}

function envelope(code: number, responseId: string, message: string, data: unknown) {
  return { code, status: STATUS_TEXT[code] ?? 'error', response_id: responseId, message, data };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonBody(req: IncomingMessage, raw: string): SimObject {
  if (raw.trim() === '') return {};
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('application/json')) {
    throw new ApiError(
      415,
      'CONTENT_TYPE_NOT_SUPPORTED',
      `Content-Type \`${type}\` is not supported; send application/json.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, 'JSON_CONTENT_HANDLER_INVALID_JSON', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(
      400,
      'MODEL_NON_ARRAY_REPRESENTATION_DATA',
      'Representation data must be of type `array`.',
    );
  }
  return parsed as SimObject;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Small deterministic PRNG so that a seed replays the same latencies and faults. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
