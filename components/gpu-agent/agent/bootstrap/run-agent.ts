import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApiServer } from '../api/http-server.ts';
import { AgentMetrics } from '../api/metrics.ts';
import { Reporter } from '../api/reporter.ts';
import { ChassisSupervisor } from '../chassis/chassis-supervisor.ts';
import { ConfigManager } from '../config/config-manager.ts';
import { BUNDLED_CONFIG } from '../config/load-config.ts';
import { LegacyWriter, NvmlWriter, SplitWriter, type GpuWriter } from '../controller/gpu-writers.ts';
import type { ProtectionCommands } from '../controller/protection-actions.ts';
import { Agent } from '../monitor/agent.ts';
import { NvmlSource } from '../monitor/nvml/nvml-reader.ts';
import type { ReadingSource } from '../monitor/reading-source.ts';
import { SmiSampler } from '../monitor/smi-sampler.ts';
import { detectGpus, type DetectReport } from '../../utils/gpu-detect.ts';
import { NoGpuSource, noGpuReason } from './no-gpus.ts';
import type { Logger } from '../../utils/logger.ts';
import { ProcessRunner, type CommandRunner } from '../../utils/runner.ts';

/**
 * Wires the agent from its options: config (server → cache → local), detection, reading source
 * (NVML, else one nvidia-smi), writer (none in dry-run), HTTP API, heartbeats. main.ts calls this;
 * the end-to-end test calls it in-process against the simulator.
 */

export const SYSTEM_CONFIG = '/etc/skyy/gpu-agent/gpu_config.yaml';

export interface RunAgentOptions {
  configPath?: string;
  stateDir: string;
  dryRun: boolean;
  source: 'auto' | 'nvml' | 'nvidia-smi';
  nvidiaSmi: string;
  nvidiaSettings: string;
  display: string;
  nvmlLibrary?: string;
  /** `host:port`, or undefined for no HTTP API. */
  listen?: string;
  server?: string;
  token?: string;
  host: string;
  version: string;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  runner?: CommandRunner;
  heartbeatMs?: number;
  configRefreshMs?: number;
  configWatchMs?: number;
  protectionCommands?: ProtectionCommands;
  fetch?: typeof fetch;
}

export interface RunningAgent {
  agent: Agent;
  /** Chassis fans (the config's `chassis:` block); idle when the block is absent or disabled. */
  chassis: ChassisSupervisor;
  config: ConfigManager;
  detection: DetectReport;
  /** Where the API listens, e.g. http://127.0.0.1:9841 (undefined without --listen). */
  url?: string;
  stop(options?: { restore?: boolean }): Promise<void>;
}

export function defaultConfigPath(): string {
  return existsSync(SYSTEM_CONFIG) ? SYSTEM_CONFIG : BUNDLED_CONFIG;
}

export function readToken(env: NodeJS.ProcessEnv, tokenFile: string | undefined): string | undefined {
  if (tokenFile) return readFileSync(tokenFile, 'utf8').trim() || undefined;
  return env['SKYY_GPU_AGENT_TOKEN']?.trim() || undefined;
}

export async function runAgent(options: RunAgentOptions): Promise<RunningAgent> {
  const log = options.log;
  const env = options.env ?? process.env;
  const runner = options.runner ?? new ProcessRunner({ env });
  const config = new ConfigManager({
    localPath: options.configPath ?? defaultConfigPath(),
    cachePath: join(options.stateDir, 'gpu_config.cache.yaml'),
    log,
    ...(options.configWatchMs ? { watchIntervalMs: options.configWatchMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.server
      ? {
          server: {
            url: options.server,
            host: options.host,
            ...(options.token ? { token: options.token } : {}),
            ...(options.configRefreshMs ? { refreshMs: options.configRefreshMs } : {}),
          },
        }
      : {}),
  });
  const active = await config.load();
  const pollMs = active.config.poll_interval_sec * 1000;

  const detection = await detectGpus({
    source: options.source,
    nvidiaSmi: options.nvidiaSmi,
    nvidiaSettings: options.nvidiaSettings,
    display: options.display,
    ...(options.nvmlLibrary ? { nvmlLibrary: options.nvmlLibrary } : {}),
    runner,
    env,
  });
  for (const note of detection.report.notes) log.warn(note);

  const noGpus = noGpuReason(detection.report);
  const source: ReadingSource = noGpus
    ? new NoGpuSource()
    : detection.nvml
      ? new NvmlSource(detection.nvml, pollMs)
      : new SmiSampler({ binary: options.nvidiaSmi, intervalMs: pollMs, env });

  const agentRef: { current?: Agent } = {};
  const legacy = () =>
    new LegacyWriter({
      runner,
      nvidiaSmi: options.nvidiaSmi,
      nvidiaSettings: options.nvidiaSettings,
      display: options.display,
      env,
      fanOffset: (gpu) => agentRef.current?.fanOffset(gpu) ?? 0,
    });
  let writer: GpuWriter | undefined;
  if (!options.dryRun) {
    if (detection.nvml) {
      const nvmlWriter = new NvmlWriter(detection.nvml);
      writer =
        detection.report.fans === 'nvidia-settings' ? new SplitWriter(legacy(), nvmlWriter) : nvmlWriter;
    } else {
      writer = legacy();
    }
  }

  const agent = new Agent({
    host: options.host,
    version: options.version,
    config,
    source,
    writer,
    runner,
    log,
    metrics: (state) => new AgentMetrics(state),
    ...(options.protectionCommands ? { protectionCommands: options.protectionCommands } : {}),
  });
  agentRef.current = agent;
  agent.start(detection.sample);
  if (noGpus) {
    agent.state.addEvent(
      {
        level: 'warn',
        kind: 'no_gpus',
        message: `no NVIDIA GPUs on this host (${noGpus}): GPU control idle${active.config.chassis?.enabled ? ', chassis fans only' : ''}; restart the agent after installing a GPU or its driver`,
      },
      new Date(),
    );
  }

  const chassis = new ChassisSupervisor({
    runner,
    env,
    dryRun: options.dryRun,
    log,
    event: (event) => agent.state.addEvent(event, new Date()),
    stateDir: options.stateDir,
    ...(agent.metrics ? { metrics: agent.metrics.chassis } : {}),
  });
  agent.state.chassis = () => chassis.state();
  await chassis.apply(active.config.chassis);
  config.onChange((next) => void chassis.apply(next.config.chassis));
  config.start();

  let server: Server | undefined;
  let url: string | undefined;
  if (options.listen) {
    const [host = '127.0.0.1', port = '9841'] = splitListen(options.listen);
    server = createApiServer({
      state: () => agent.state.snapshot(),
      config: () => config.current,
      applyConfig: (text) => {
        const outcome = config.applyPushed(text);
        return outcome.ok ? { ok: true } : outcome;
      },
      metrics: async () => ({
        contentType: agent.metrics?.contentType ?? 'text/plain',
        body: (await agent.metrics?.render()) ?? '',
      }),
      ...(options.token ? { token: options.token } : {}),
      log,
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(Number(port), host, () => resolve());
    });
    const address = listening.address() as AddressInfo;
    url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
    log.info(`API on ${url} (/health /state /config /metrics)`);
  }

  const reporter = options.server
    ? new Reporter({
        url: options.server,
        host: options.host,
        ...(options.token ? { token: options.token } : {}),
        intervalMs: options.heartbeatMs ?? 30_000,
        state: () => agent.state.snapshot(),
        log,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      })
    : undefined;
  reporter?.start();

  return {
    agent,
    chassis,
    config,
    detection: detection.report,
    ...(url ? { url } : {}),
    async stop(stopOptions = {}) {
      reporter?.stop();
      config.stop();
      await Promise.all([agent.stop(stopOptions), chassis.stop(stopOptions)]);
      if (server) {
        const closing = server;
        closing.closeAllConnections();
        await new Promise<void>((resolve) => closing.close(() => resolve()));
      }
    },
  };
}

function splitListen(listen: string): [string, string] {
  const match = /^(?:\[(.+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (match) return [match[1] ?? (match[2] || '127.0.0.1'), match[3] ?? '9841'];
  if (/^\d+$/.test(listen)) return ['127.0.0.1', listen];
  return [listen, '9841'];
}
