import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unwatchFile,
  watchFile,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { formatYamlIssue, type GpuAgentConfig, type YamlIssue } from '@skyy/contracts';
import type { Logger } from '../../utils/logger.ts';
import { ConfigError, parseGpuConfig } from './load-config.ts';
import { runPollLoop, type PollResult } from './server-poll-loop.ts';

/**
 * Where the agent's config comes from, in order: Skyy Command
 * (`GET <server>/api/v1/gpu-agents/<host>/config`, bearer token), the last good copy from it cached
 * on disk, then local_config/gpu_config.yaml.
 * The server is asked in a loop with `?wait=` (long-poll: Skyy Command holds the request until
 * the config changes, so a change arrives in about a second; an older server answers at once and
 * is then asked every `refreshMs`), and the local file is watched; a valid change is applied
 * without a restart, an invalid one is rejected and logged with its key and line while the
 * current config stays in force. 404, refused connections and timeouts mean "use the cache,
 * else the local file".
 */

export type ConfigSource = 'server' | 'cache' | 'local' | 'api';

export interface ActiveConfig {
  config: GpuAgentConfig;
  source: ConfigSource;
  loadedAt: Date;
  text: string;
}

export interface ServerOptions {
  url: string;
  host: string;
  token?: string;
  timeoutMs?: number;
  /** Between requests when the server does not hold them, and the longest backoff (default 60 s). */
  refreshMs?: number;
  /** Seconds the server may hold a request (`?wait=`, at most 55); 0 never asks it to (default 50). */
  waitSec?: number;
}

/** Sent by Skyy Command on config answers when it can hold them (`?wait=`). */
export const WAIT_SUPPORT_HEADER = 'skyy-config-wait-max';
/** A server that refused `?wait=` with 400 is asked without it; this long after, it is tried again. */
const WAIT_REPROBE_MS = 60 * 60_000;

export interface ConfigManagerOptions {
  localPath: string;
  cachePath: string;
  server?: ServerOptions;
  log: Logger;
  fetch?: typeof fetch;
  /** How often the local file is checked for changes (fs.watchFile polling; works on every filesystem). */
  watchIntervalMs?: number;
  now?: () => Date;
}

export type FetchOutcome = (
  | { kind: 'config'; text: string; etag?: string }
  | { kind: 'unchanged' }
  | { kind: 'unavailable'; reason: string; failed: boolean }
) & { serverWaits?: boolean };

export type ApplyOutcome = { ok: true; active: ActiveConfig } | { ok: false; issues: YamlIssue[] };

export function configUrl(server: ServerOptions): string {
  return `${server.url.replace(/\/+$/, '')}/api/v1/gpu-agents/${encodeURIComponent(server.host)}/config`;
}

export class ConfigManager {
  private active: ActiveConfig | undefined;
  private etag: string | undefined;
  private readonly listeners: ((active: ActiveConfig) => void)[] = [];
  private readonly rejectListeners: ((issues: YamlIssue[], source: ConfigSource) => void)[] = [];
  private polling: AbortController | undefined;
  private waitRefusedAt: number | undefined;
  private watching = false;
  private lastUnavailable: string | undefined;

  constructor(private readonly options: ConfigManagerOptions) {}

  get current(): ActiveConfig {
    if (!this.active) throw new Error('config not loaded yet');
    return this.active;
  }

  onChange(listener: (active: ActiveConfig) => void): void {
    this.listeners.push(listener);
  }

  /** Called with the issues of a rejected config (the agent turns them into an event). */
  onReject(listener: (issues: YamlIssue[], source: ConfigSource) => void): void {
    this.rejectListeners.push(listener);
  }

  /** Loads the first valid config of server → cache → local. Throws ConfigError when none is valid. */
  async load(): Promise<ActiveConfig> {
    if (this.options.server) {
      const fetched = await this.fetchFromServer();
      if (fetched.kind === 'config') {
        const applied = this.accept(fetched.text, 'server', configUrl(this.options.server));
        if (applied.ok) {
          this.writeCache(fetched.text, fetched.etag);
          return applied.active;
        }
      }
      const cached = this.readCache();
      if (cached) {
        const applied = this.accept(cached, 'cache', this.options.cachePath);
        if (applied.ok) return applied.active;
      }
    }
    const text = readFileSync(this.options.localPath, 'utf8');
    const applied = this.accept(text, 'local', this.options.localPath);
    if (!applied.ok) throw new ConfigError(applied.issues);
    return applied.active;
  }

  /** One poll of the server: applies a changed valid config; keeps the current one otherwise. */
  async refresh(waitSec = 0, signal?: AbortSignal): Promise<FetchOutcome['kind'] | 'rejected'> {
    return (await this.poll(waitSec, signal)).outcome;
  }

  private async poll(
    waitSec: number,
    signal?: AbortSignal,
  ): Promise<PollResult & { outcome: FetchOutcome['kind'] | 'rejected' }> {
    if (!this.options.server) return { outcome: 'unavailable', failed: true, serverWaits: false };
    const fetched = await this.fetchFromServer(waitSec, signal);
    const timing = {
      failed: fetched.kind === 'unavailable' && fetched.failed,
      serverWaits: fetched.serverWaits ?? false,
    };
    if (fetched.kind !== 'config') return { outcome: fetched.kind, ...timing };
    if (this.active?.source === 'server' && this.active.text === fetched.text)
      return { outcome: 'unchanged', ...timing };
    const applied = this.accept(fetched.text, 'server', configUrl(this.options.server));
    if (!applied.ok) return { outcome: 'rejected', ...timing };
    this.writeCache(fetched.text, fetched.etag);
    return { outcome: 'config', ...timing };
  }

  /** A config pushed to `PUT /config` by an authorized server: validated, cached and applied. */
  applyPushed(text: string): ApplyOutcome {
    const applied = this.accept(text, 'api', 'PUT /config');
    if (applied.ok) this.writeCache(text, undefined);
    return applied;
  }

  /** Starts asking the server (long-poll, else every `refreshMs`) and watching the local file. */
  start(): void {
    const server = this.options.server;
    if (server && !this.polling) {
      const polling = new AbortController();
      this.polling = polling;
      const waitSec = server.waitSec ?? 50;
      void runPollLoop(
        (signal) => this.poll(waitSec, signal),
        { intervalMs: server.refreshMs ?? 60_000, log: this.options.log },
        polling.signal,
      );
    }
    watchFile(this.options.localPath, { interval: this.options.watchIntervalMs ?? 2_000 }, (curr, prev) => {
      if (curr.mtimeMs !== prev.mtimeMs) this.reloadLocal();
    });
    this.watching = true;
  }

  /** Ends the loop at once: a request the server holds is aborted. */
  stop(): void {
    this.polling?.abort();
    this.polling = undefined;
    if (this.watching) unwatchFile(this.options.localPath);
    this.watching = false;
  }

  /**
   * The local file is the fallback: an edit applies while it is the config in force (no server,
   * or neither server nor cache usable), and is only logged otherwise.
   */
  reloadLocal(): void {
    if (this.active && this.active.source !== 'local') {
      this.options.log.info(
        'local gpu_config.yaml changed; not applied while the server config is in force',
        {
          path: this.options.localPath,
          source: this.active.source,
        },
      );
      return;
    }
    let text: string;
    try {
      text = readFileSync(this.options.localPath, 'utf8');
    } catch (error) {
      this.options.log.warn('local gpu_config.yaml unreadable; keeping the current config', {
        error: (error as Error).message,
      });
      return;
    }
    if (this.active?.text === text) return;
    this.accept(text, 'local', this.options.localPath);
  }

  private accept(text: string, source: ConfigSource, where: string): ApplyOutcome {
    const parsed = parseGpuConfig(text, where);
    if (!parsed.ok) {
      for (const issue of parsed.issues)
        this.options.log.error(`config rejected: ${formatYamlIssue(issue)}`, { source });
      for (const listener of this.rejectListeners) listener(parsed.issues, source);
      return { ok: false, issues: parsed.issues };
    }
    const active: ActiveConfig = {
      config: parsed.config,
      source,
      loadedAt: this.options.now?.() ?? new Date(),
      text,
    };
    const first = this.active === undefined;
    this.active = active;
    this.options.log.info(first ? 'config loaded' : 'config applied', { source, from: where });
    if (!first) for (const listener of this.listeners) listener(active);
    return { ok: true, active };
  }

  private waitRefused(): boolean {
    if (this.waitRefusedAt === undefined) return false;
    if (Date.now() - this.waitRefusedAt < WAIT_REPROBE_MS) return true;
    this.waitRefusedAt = undefined;
    return false;
  }

  private async fetchFromServer(waitSec = 0, stop?: AbortSignal): Promise<FetchOutcome> {
    const server = this.options.server;
    if (!server) return { kind: 'unavailable', reason: 'no server configured', failed: true };
    const url = configUrl(server);
    const wait = waitSec > 0 && !this.waitRefused() ? waitSec : 0;
    const headers: Record<string, string> = {
      accept: 'application/yaml, application/json;q=0.9, text/plain;q=0.5',
    };
    if (server.token) headers['authorization'] = `Bearer ${server.token}`;
    // The ETag of the last server text, applied or rejected: the same text is not fetched (or rejected) again.
    if (this.etag) headers['if-none-match'] = this.etag;
    const timeout = AbortSignal.timeout(wait * 1000 + (server.timeoutMs ?? 5_000));
    let outcome: FetchOutcome;
    try {
      const response = await (this.options.fetch ?? fetch)(wait > 0 ? `${url}?wait=${wait}` : url, {
        headers,
        signal: stop ? AbortSignal.any([timeout, stop]) : timeout,
      });
      const serverWaits = response.headers.has(WAIT_SUPPORT_HEADER);
      if (response.status === 400 && wait > 0) {
        // A server that checks its query strictly but predates `?wait=`: ask it the old way.
        await response.body?.cancel();
        this.waitRefusedAt = Date.now();
        this.options.log.info('config server refused ?wait=; polling it instead', { url });
        return this.fetchFromServer(0, stop);
      }
      if (response.status === 304) outcome = { kind: 'unchanged', serverWaits };
      else if (response.ok) {
        const etag = response.headers.get('etag') ?? undefined;
        outcome = { kind: 'config', text: await response.text(), serverWaits, ...(etag ? { etag } : {}) };
        if (etag) this.etag = etag;
      } else if (response.status === 404) {
        // The server has nothing (any more): forget its ETag, so a server that waits holds the next request.
        this.etag = undefined;
        outcome = {
          kind: 'unavailable',
          reason: `${url}: 404, the server has no config for host ${server.host}`,
          failed: !serverWaits,
          serverWaits,
        };
      } else if (response.status === 401 || response.status === 403)
        outcome = {
          kind: 'unavailable',
          reason: `${url}: ${response.status}, the server refused the agent token`,
          failed: true,
        };
      else outcome = { kind: 'unavailable', reason: `${url}: HTTP ${response.status}`, failed: true };
      if (outcome.kind !== 'config') await response.body?.cancel();
    } catch (error) {
      // Stopped: not a server problem, and nothing to log.
      if (stop?.aborted) return { kind: 'unavailable', reason: 'stopped', failed: false };
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      outcome = {
        kind: 'unavailable',
        reason: `${url}: ${cause ?? (error as Error).name}: ${(error as Error).message}`,
        failed: true,
      };
    }
    if (outcome.kind === 'unavailable') {
      // Said once per distinct reason, not once a minute.
      if (this.lastUnavailable !== outcome.reason)
        this.options.log.warn(`config server unavailable: ${outcome.reason}`);
      this.lastUnavailable = outcome.reason;
    } else {
      this.lastUnavailable = undefined;
    }
    return outcome;
  }

  private readCache(): string | undefined {
    if (!existsSync(this.options.cachePath)) return undefined;
    try {
      return readFileSync(this.options.cachePath, 'utf8');
    } catch {
      return undefined;
    }
  }

  private writeCache(text: string, etag: string | undefined): void {
    try {
      mkdirSync(dirname(this.options.cachePath), { recursive: true });
      const tmp = `${this.options.cachePath}.tmp`;
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, this.options.cachePath);
      if (etag) this.etag = etag;
    } catch (error) {
      this.options.log.warn('could not cache the config', {
        path: this.options.cachePath,
        error: (error as Error).message,
      });
    }
  }
}
