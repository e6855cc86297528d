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

/**
 * Where the agent's config comes from, in order: Skyy Command
 * (`GET <server>/api/v1/gpu-agents/<host>/config`, bearer token), the last good copy from it cached
 * on disk, then local_config/gpu_config.yaml. The server is polled and the local file watched;
 * a valid change is applied without a restart, an invalid one is rejected and logged with its
 * key and line while the current config stays in force.
 *
 * The server side does not exist yet: 404, refused connections and timeouts are expected and
 * mean "use the cache, else the local file".
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
  refreshMs?: number;
}

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

export type FetchOutcome =
  | { kind: 'config'; text: string; etag?: string }
  | { kind: 'unchanged' }
  | { kind: 'unavailable'; reason: string };

export type ApplyOutcome = { ok: true; active: ActiveConfig } | { ok: false; issues: YamlIssue[] };

export function configUrl(server: ServerOptions): string {
  return `${server.url.replace(/\/+$/, '')}/api/v1/gpu-agents/${encodeURIComponent(server.host)}/config`;
}

export class ConfigManager {
  private active: ActiveConfig | undefined;
  private etag: string | undefined;
  private readonly listeners: ((active: ActiveConfig) => void)[] = [];
  private readonly rejectListeners: ((issues: YamlIssue[], source: ConfigSource) => void)[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
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
  async refresh(): Promise<FetchOutcome['kind'] | 'rejected'> {
    if (!this.options.server) return 'unavailable';
    const fetched = await this.fetchFromServer();
    if (fetched.kind !== 'config') return fetched.kind;
    if (this.active?.source === 'server' && this.active.text === fetched.text) return 'unchanged';
    const applied = this.accept(fetched.text, 'server', configUrl(this.options.server));
    if (!applied.ok) return 'rejected';
    this.writeCache(fetched.text, fetched.etag);
    return 'config';
  }

  /** A config pushed to `PUT /config` by an authorized server: validated, cached and applied. */
  applyPushed(text: string): ApplyOutcome {
    const applied = this.accept(text, 'api', 'PUT /config');
    if (applied.ok) this.writeCache(text, undefined);
    return applied;
  }

  /** Starts polling the server and watching the local file. */
  start(): void {
    const refreshMs = this.options.server?.refreshMs ?? 60_000;
    if (this.options.server) {
      this.refreshTimer = setInterval(() => void this.refresh(), refreshMs);
      this.refreshTimer.unref();
    }
    watchFile(this.options.localPath, { interval: this.options.watchIntervalMs ?? 2_000 }, (curr, prev) => {
      if (curr.mtimeMs !== prev.mtimeMs) this.reloadLocal();
    });
    this.watching = true;
  }

  stop(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
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

  private async fetchFromServer(): Promise<FetchOutcome> {
    const server = this.options.server;
    if (!server) return { kind: 'unavailable', reason: 'no server configured' };
    const url = configUrl(server);
    const headers: Record<string, string> = {
      accept: 'application/yaml, application/json;q=0.9, text/plain;q=0.5',
    };
    if (server.token) headers['authorization'] = `Bearer ${server.token}`;
    if (this.etag && this.active?.source === 'server') headers['if-none-match'] = this.etag;
    let outcome: FetchOutcome;
    try {
      const response = await (this.options.fetch ?? fetch)(url, {
        headers,
        signal: AbortSignal.timeout(server.timeoutMs ?? 5_000),
      });
      if (response.status === 304) outcome = { kind: 'unchanged' };
      else if (response.ok) {
        const etag = response.headers.get('etag') ?? undefined;
        outcome = { kind: 'config', text: await response.text(), ...(etag ? { etag } : {}) };
        if (etag) this.etag = etag;
      } else if (response.status === 404)
        outcome = {
          kind: 'unavailable',
          reason: `${url}: 404, the server has no config for host ${server.host}`,
        };
      else if (response.status === 401 || response.status === 403)
        outcome = {
          kind: 'unavailable',
          reason: `${url}: ${response.status}, the server refused the agent token`,
        };
      else outcome = { kind: 'unavailable', reason: `${url}: HTTP ${response.status}` };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      outcome = {
        kind: 'unavailable',
        reason: `${url}: ${cause ?? (error as Error).name}: ${(error as Error).message}`,
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
