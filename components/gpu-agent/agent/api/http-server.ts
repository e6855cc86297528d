import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GpuAgentConfig, GpuAgentState, YamlIssue } from '@skyy/contracts';
import { formatYamlIssue } from '@skyy/contracts';
import type { Logger } from '../../utils/logger.ts';

/**
 * The agent's HTTP API on node:http (no framework on a GPU host):
 *
 *   GET /health   200 while readings are fresh, 503 when stale (for uptime checks)
 *   GET /state    readings, decisions with reasons, mode, recent events (gpuAgentStateSchema)
 *   GET /config   the config in force and where it came from
 *   PUT /config   a new config (YAML or JSON body), bearer token required
 *   GET /metrics  Prometheus text format
 *
 * Reads are open (like any exporter); the only write needs the agent token. The token is never
 * logged or returned.
 */

export interface ApiHandlers {
  state(): GpuAgentState;
  config(): { config: GpuAgentConfig; source: string; loadedAt: Date };
  applyConfig(text: string): { ok: true } | { ok: false; issues: YamlIssue[] };
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Token a PUT must present; without one, writes are refused. */
  token?: string;
  log: Logger;
}

const MAX_BODY = 256 * 1024;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type':
      typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  send(
    res,
    status,
    { type: 'about:blank', title, status, ...extra },
    { 'content-type': 'application/problem+json', ...headers },
  );
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison of the bearer token (hashing first makes the lengths equal). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1].trim()), digest(token));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createApiServer(handlers: ApiHandlers): Server {
  return createServer((req, res) => {
    handle(req, res, handlers).catch((error: unknown) => {
      handlers.log.error('API request failed', {
        method: req.method,
        url: req.url,
        error: (error as Error).message,
      });
      if (!res.headersSent) problem(res, 500, 'Internal error');
      else res.end();
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, handlers: ApiHandlers): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://agent').pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const allow = (methods: string[]) => {
    if (methods.includes(method)) return true;
    problem(res, 405, `Method ${method} not allowed on ${path}`, {}, { allow: methods.join(', ') });
    return false;
  };

  switch (path) {
    case '/health': {
      if (!allow(['GET', 'HEAD'])) return;
      const state = handlers.state();
      const failsafe = state.gpus.filter((gpu) => gpu.status === 'failsafe').length;
      const chassisFailsafe = state.chassis?.status === 'failsafe';
      // A host without NVIDIA GPUs (source none) is healthy on its chassis fans alone.
      const noGpus = state.source === 'none';
      const status =
        (noGpus && !state.chassis) || (!noGpus && (state.stale || state.gpus.length === 0))
          ? 'stale'
          : failsafe > 0 || chassisFailsafe
            ? 'degraded'
            : 'ok';
      send(res, status === 'stale' ? 503 : 200, {
        status,
        mode: state.mode,
        source: state.source,
        gpus: state.gpus.length,
        failsafe,
        ...(state.chassis ? { chassis: state.chassis.status } : {}),
        ...(state.lastSampleAt ? { lastSampleAt: state.lastSampleAt } : {}),
      });
      return;
    }
    case '/state':
      if (!allow(['GET'])) return;
      send(res, 200, handlers.state());
      return;
    case '/metrics': {
      if (!allow(['GET'])) return;
      const { contentType, body } = await handlers.metrics();
      send(res, 200, body, { 'content-type': contentType });
      return;
    }
    case '/config': {
      if (!allow(['GET', 'PUT'])) return;
      if (method === 'GET') {
        const active = handlers.config();
        send(res, 200, {
          source: active.source,
          loadedAt: active.loadedAt.toISOString(),
          config: active.config,
        });
        return;
      }
      if (!handlers.token) {
        problem(
          res,
          403,
          'Config writes are disabled: the agent has no token (SKYY_GPU_AGENT_TOKEN or --token-file)',
        );
        return;
      }
      if (!tokenMatches(req.headers.authorization, handlers.token)) {
        problem(res, 401, 'A valid bearer token is required', {}, { 'www-authenticate': 'Bearer' });
        return;
      }
      const body = await readBody(req);
      if (body === undefined) {
        problem(res, 413, `Config larger than ${MAX_BODY} bytes`);
        return;
      }
      const outcome = handlers.applyConfig(body);
      if (!outcome.ok) {
        problem(res, 400, 'Invalid config', { issues: outcome.issues.map(formatYamlIssue) });
        return;
      }
      const active = handlers.config();
      handlers.log.info('config replaced through the API', { from: req.socket.remoteAddress });
      send(res, 200, {
        source: active.source,
        loadedAt: active.loadedAt.toISOString(),
        config: active.config,
      });
      return;
    }
    default:
      problem(res, 404, `No route ${path}`);
  }
}
