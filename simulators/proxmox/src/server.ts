import { existsSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { PveSchemaIndex } from '@skyy/proxmox/schema';
import type { HandlerContext, Routes, WireParams } from './context.ts';
import { createRandom } from './random.ts';
import { clusterRoutes } from './routes/cluster.ts';
import { qemuRoutes } from './routes/qemu.ts';
import { resourceRoutes } from './routes/resources.ts';
import { generateCluster, loadState, saveState, type GenerateOptions, type SimState } from './state.ts';
import { SimError, TaskEngine } from './tasks.ts';

export interface FaultOptions {
  /** Added to every request. */
  latencyMs?: number;
  /** A random extra delay between 0 and this, per request. */
  jitterMs?: number;
  /** Share of requests answered 503 before they are handled. */
  http5xxRate?: number;
  /** Share of VM-changing requests answered with PVE's `can't lock file … got timeout`. */
  lockTimeoutRate?: number;
  /** Share of tasks that end with an error instead of doing their work. */
  taskFailureRate?: number;
  /** Deterministic variant: every Nth task (N, 2N, …) ends with an error. */
  taskFailureEvery?: number;
}

export interface SimulatorOptions {
  /** Start from this state (else `stateFile` when it exists, else a generated cluster). */
  state?: SimState;
  generate?: GenerateOptions;
  /** Loaded at start when it exists; written after changes and at close. */
  stateFile?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** PEM certificate and key: serve HTTPS like PVE on 8006. */
  tls?: { cert: string; key: string };
  faults?: FaultOptions;
  /** How long tasks run: a fixed time or a [min, max] range. */
  taskDurationMs?: number | [number, number];
  /** Seeds fault injection and task timing. */
  seed?: number;
  log?: (line: string) => void;
}

export interface SimulatorStats {
  requests: number;
  /** `GET /cluster/resources` → count. */
  byRoute: Record<string, number>;
}

export interface ProxmoxSimulator {
  /** `http(s)://127.0.0.1:PORT` (the API lives under /api2/json). */
  url: string;
  state: SimState;
  tasks: TaskEngine;
  stats: SimulatorStats;
  setFaults(faults: FaultOptions): void;
  resetStats(): void;
  /** The `Authorization` header value for the first configured token. */
  authorization: string;
  save(): void;
  close(): Promise<void>;
}

const API_PREFIX = '/api2/json';
const routes: Routes = { ...clusterRoutes, ...qemuRoutes, ...resourceRoutes };
const MUTATING_VM_PATH = /^\/nodes\/[^/]+\/qemu(\/(\d+))?(\/|$)/;

export async function startProxmoxSimulator(options: SimulatorOptions = {}): Promise<ProxmoxSimulator> {
  const state =
    options.state ??
    (options.stateFile && existsSync(options.stateFile)
      ? loadState(options.stateFile)
      : generateCluster(options.generate));
  const random = createRandom(options.seed ?? 42);
  let faults: FaultOptions = { ...options.faults };
  const log = options.log ?? (() => undefined);
  const schema = PveSchemaIndex.bundledIndex();
  const stats: SimulatorStats = { requests: 0, byRoute: {} };

  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    if (options.stateFile) saveState(state, options.stateFile);
  };
  const changed = () => {
    if (!options.stateFile || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      save();
    }, 200);
  };

  const duration = options.taskDurationMs ?? [200, 600];
  const tasks = new TaskEngine({
    durationMs: () =>
      typeof duration === 'number' ? duration : duration[0] + random() * (duration[1] - duration[0]),
    failureRate: () => faults.taskFailureRate ?? 0,
    failureEvery: () => faults.taskFailureEvery ?? 0,
    random,
    onChange: changed,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const delay = (faults.latencyMs ?? 0) + (faults.jitterMs ? random() * faults.jitterMs : 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) return send(res, 404, { data: null }, 'Not Found');
    const path = url.pathname.slice(API_PREFIX.length);

    const user = authenticate(state, req.headers.authorization);
    if (!user.ok) return send(res, 401, { data: null, message: `${user.message}\n` }, user.message);

    const resolved = schema.resolve(method, path);
    if (!resolved.ok)
      return send(res, 501, { data: null, message: `${resolved.message}\n` }, resolved.message);
    const routeKey = `${method} ${resolved.route.template}`;
    stats.requests++;
    stats.byRoute[routeKey] = (stats.byRoute[routeKey] ?? 0) + 1;

    let params: WireParams;
    try {
      params = mergeParams(url.searchParams, body, req.headers['content-type']);
    } catch {
      return send(
        res,
        400,
        { data: null, message: 'unable to parse request body\n' },
        'unable to parse request body',
      );
    }
    const errors = schema.validate(resolved.route, params);
    if (Object.keys(errors).length > 0) {
      return send(
        res,
        400,
        { data: null, errors, message: 'Parameter verification failed.\n' },
        'Parameter verification failed.',
      );
    }

    if (random() < (faults.http5xxRate ?? 0)) {
      return send(
        res,
        503,
        { data: null, message: 'Service Unavailable (injected fault)\n' },
        'Service Unavailable',
      );
    }
    const vmPath = MUTATING_VM_PATH.exec(path);
    if (method !== 'GET' && vmPath && random() < (faults.lockTimeoutRate ?? 0)) {
      const vmid = vmPath[2] ?? params.vmid;
      const message = `can't lock file '/var/lock/qemu-server/lock-${String(vmid)}.conf' - got timeout`;
      return send(res, 500, { data: null, message: `${message}\n` }, message);
    }

    const handler = routes[routeKey];
    if (!handler) {
      const message = `Method '${method} ${path}' not implemented in the simulator`;
      return send(res, 501, { data: null, message: `${message}\n` }, message);
    }
    const ctx: HandlerContext = {
      state,
      tasks,
      random,
      changed,
      params: { ...params, ...resolved.route.pathParams },
      user: user.id,
    };
    try {
      const data = handler(ctx);
      log(`${method} ${path} 200`);
      return send(res, 200, { data });
    } catch (error) {
      if (error instanceof SimError) {
        log(`${method} ${path} ${error.status} ${error.message}`);
        const payload = error.errors
          ? { data: null, errors: error.errors, message: `${error.message}\n` }
          : { data: null, message: `${error.message}\n` };
        return send(res, error.status, payload, error.message);
      }
      const message = error instanceof Error ? error.message : String(error);
      log(`${method} ${path} 500 ${message}`);
      return send(res, 500, { data: null, message: `${message}\n` }, message);
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { data: null, message: String(error) }, 'internal error');
    });
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const [tokenId, secret] = Object.entries(state.tokens)[0] ?? ['', ''];
  if (options.stateFile && !existsSync(options.stateFile)) save();

  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    state,
    tasks,
    stats,
    authorization: `PVEAPIToken=${tokenId}=${secret}`,
    setFaults: (next) => {
      faults = { ...next };
    },
    resetStats: () => {
      stats.requests = 0;
      stats.byRoute = {};
    },
    save,
    close: async () => {
      if (!server.listening) return;
      tasks.cancelAll();
      if (saveTimer) clearTimeout(saveTimer);
      save();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function authenticate(
  state: SimState,
  header: string | undefined,
): { ok: true; id: string } | { ok: false; message: string } {
  if (!header) return { ok: false, message: 'No ticket' };
  const match = /^PVEAPIToken=(\S+?@\S+?!\S+?)=(\S+)$/.exec(header.trim());
  if (!match) return { ok: false, message: 'authentication failure' };
  const [, id, secret] = match as unknown as [string, string, string];
  if (state.tokens[id] !== secret) return { ok: false, message: 'authentication failure' };
  return { ok: true, id };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Query and body parameters together, as PVE merges them; JSON bodies are turned into wire strings. */
function mergeParams(query: URLSearchParams, body: string, contentType: string | undefined): WireParams {
  const params: WireParams = {};
  const add = (key: string, value: string) => {
    const existing = params[key];
    params[key] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  };
  query.forEach((value, key) => add(key, value));
  if (!body) return params;
  if (contentType?.includes('application/json')) {
    const json = JSON.parse(body) as Record<string, unknown>;
    for (const [key, value] of Object.entries(json)) {
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) add(key, typeof item === 'boolean' ? (item ? '1' : '0') : String(item));
    }
    return params;
  }
  new URLSearchParams(body).forEach((value, key) => add(key, value));
  return params;
}

function send(res: ServerResponse, status: number, payload: unknown, reason?: string): void {
  const text = JSON.stringify(payload);
  // PVE puts its error message in the HTTP reason phrase; keep it to one printable line.
  const statusMessage = reason
    ?.split('\n')[0]
    ?.replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 200);
  res.writeHead(status, statusMessage ?? undefined, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    server: 'pve-api-daemon/3.0',
  });
  res.end(text);
}
