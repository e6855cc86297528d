import type { GpuAgentGpuState } from '@skyy/contracts';
import { formatYamlIssue } from '@skyy/contracts';
import type { Logger } from '../../utils/logger.ts';
import type { CommandRunner } from '../../utils/runner.ts';
import { SerialSteps } from '../../utils/serial-steps.ts';
import type { AgentMetrics } from '../api/metrics.ts';
import type { ConfigManager } from '../config/config-manager.ts';
import { ControlEngine, type EngineEvent, type EngineOutput } from '../controller/control-engine.ts';
import { DecisionApplier } from '../controller/decision-applier.ts';
import { restoreDefaults, type GpuTarget, type GpuWriter } from '../controller/gpu-writers.ts';
import { runProtection, type ProtectionCommands } from '../controller/protection-actions.ts';
import { AgentState } from '../state/agent-state.ts';
import type { ReadingSource, Sample } from './reading-source.ts';

/**
 * The main loop: samples from the reading source go to the control engine, its decisions to the
 * writer (or the log in dry-run), its protection requests to the action runner, everything to the
 * state behind /state and /metrics. A timer steps the engine every poll interval as well, so a
 * source that goes quiet is noticed (fail-safe after 3 intervals) even though no sample arrives.
 */

export interface AgentOptions {
  host: string;
  version: string;
  config: ConfigManager;
  source: ReadingSource;
  /** undefined: dry-run, decisions are logged and nothing is written. */
  writer: GpuWriter | undefined;
  runner: CommandRunner;
  log: Logger;
  metrics?: (state: AgentState) => AgentMetrics;
  protectionCommands?: ProtectionCommands;
  now?: () => Date;
}

export class Agent {
  readonly state: AgentState;
  readonly metrics: AgentMetrics | undefined;
  private readonly engine: ControlEngine;
  private readonly applier: DecisionApplier;
  private timer: NodeJS.Timeout | undefined;
  private staleCheck: NodeJS.Timeout | undefined;
  private readonly steps = new SerialSteps(
    () => this.step(),
    () => !this.stopped,
  );
  private stopped = false;
  private readonly now: () => Date;

  constructor(private readonly options: AgentOptions) {
    this.now = options.now ?? (() => new Date());
    const active = options.config.current;
    this.state = new AgentState(
      options.host,
      options.version,
      options.writer ? 'control' : 'dry-run',
      options.source.kind,
    );
    this.state.configSource = active.source;
    this.state.configLoadedAt = active.loadedAt;
    this.metrics = options.metrics?.(this.state);
    this.engine = new ControlEngine(active.config);
    this.applier = new DecisionApplier(options.writer, options.log);
    this.state.onEvent((event) => {
      const line = `${event.kind}: ${event.message}`;
      if (event.level === 'info') options.log.info(line);
      else if (event.level === 'warn') options.log.warn(line);
      else options.log.error(line, { level: event.level });
    });
    options.config.onChange((next) => {
      this.engine.setConfig(next.config);
      this.state.configSource = next.source;
      this.state.configLoadedAt = next.loadedAt;
      this.options.source.setInterval(next.config.poll_interval_sec * 1000);
      this.restartTimer();
      this.event({ level: 'info', kind: 'config_applied', message: `config from ${next.source} applied` });
    });
    options.config.onReject((issues, source) => {
      this.metrics?.configRejected.inc({ source });
      this.event({
        level: 'error',
        kind: 'config_rejected',
        message: `config from ${source} rejected, keeping the current one: ${issues.map(formatYamlIssue).join('; ')}`,
      });
    });
  }

  private event(event: EngineEvent): void {
    this.state.addEvent(event, this.now());
  }

  private get pollMs(): number {
    return this.options.config.current.config.poll_interval_sec * 1000;
  }

  /** Starts reading; `initial` (a one-shot detection sample) lets the first step run at once. */
  start(initial?: Sample): void {
    this.event({
      level: 'info',
      kind: 'agent_started',
      message: `agent ${this.options.version} on ${this.options.host}: ${this.state.mode}, readings from ${this.options.source.kind}, writes ${this.options.writer?.name ?? 'none (dry-run)'}`,
    });
    if (initial) this.onSample(initial);
    this.options.source.start({
      sample: (sample) => this.onSample(sample),
      problem: (message) => {
        this.metrics?.sourceProblems.inc();
        this.event({ level: 'warn', kind: 'sampler_restarted', message });
      },
    });
    this.restartTimer();
  }

  private restartTimer(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.stopped) return;
    this.timer = setInterval(() => this.requestStep(), this.pollMs);
  }

  private onSample(sample: Sample): void {
    this.metrics?.samples.inc();
    for (const failure of sample.failures) {
      const known = this.engine
        .known()
        .find((gpu) => gpu.uuid === failure.uuid || gpu.index === failure.index);
      this.metrics?.readingFailures.inc({
        uuid: known?.uuid ?? failure.uuid ?? '',
        gpu: String(known?.index ?? failure.index ?? ''),
      });
    }
    this.engine.observe(sample);
    this.requestStep();
    // A sample in which no GPU could be read (NVML hung for all of them) is not a fresh reading:
    // it puts the GPUs in fail-safe at once, and 3 intervals of those make the agent stale (503).
    if (sample.readings.length === 0) return;
    this.state.lastSampleAt = sample.at;
    // Check again the moment this sample becomes stale, not at the next timer tick: the fail-safe
    // must not wait up to one more poll interval.
    if (this.staleCheck) clearTimeout(this.staleCheck);
    this.staleCheck = setTimeout(() => this.requestStep(), 3 * this.pollMs + 50);
  }

  private requestStep(): void {
    this.steps.request();
  }

  /** Waits for the steps requested so far (tests, shutdown). */
  settled(): Promise<void> {
    return this.steps.settled();
  }

  private async step(): Promise<void> {
    const now = this.now();
    const output = this.engine.step(now);
    // Without GPUs there is no reading to wait for: not stale, nothing for the engine to fail safe.
    this.state.stale =
      this.options.source.kind !== 'none' &&
      (this.state.lastSampleAt === undefined ||
        now.getTime() - this.state.lastSampleAt.getTime() > 3 * this.pollMs);
    this.record(output, now);
    const applied = await this.applier.apply(output.gpus, (gpu) => this.target(gpu));
    for (const write of applied.writes) {
      this.metrics?.writes.inc({ uuid: write.uuid, gpu: this.indexOf(write.uuid), actuator: write.actuator });
    }
    for (const failure of applied.failures) {
      this.metrics?.writeFailures.inc({
        uuid: failure.uuid,
        gpu: this.indexOf(failure.uuid),
        actuator: failure.actuator,
      });
    }
    for (const event of applied.events) this.event(event);
    for (const request of output.actions) {
      this.metrics?.protectionActions.inc({ action: request.action });
      const events = await runProtection(request, {
        runner: this.options.runner,
        log: this.options.log,
        dryRun: this.applier.dryRun,
        ...(this.options.protectionCommands ? { commands: this.options.protectionCommands } : {}),
      });
      for (const event of events) this.event(event);
    }
  }

  private record(output: EngineOutput, now: Date): void {
    const previous = new Map(this.state.gpus.map((gpu) => [gpu.uuid, gpu.status]));
    for (const gpu of output.gpus) {
      if (gpu.status === 'failsafe' && previous.get(gpu.uuid) !== 'failsafe') {
        this.metrics?.failsafeEntries.inc({ uuid: gpu.uuid, gpu: String(gpu.index) });
      }
    }
    this.state.gpus = output.gpus;
    for (const event of output.events) this.state.addEvent(event, now);
  }

  private indexOf(uuid: string): string {
    return String(this.state.gpus.find((gpu) => gpu.uuid === uuid)?.index ?? '');
  }

  private target(gpu: GpuAgentGpuState): GpuTarget {
    const known = this.engine.known().find((k) => k.uuid === gpu.uuid);
    const defaultPowerW = gpu.reading?.powerDefaultLimitW ?? known?.reading?.powerDefaultLimitW;
    return {
      uuid: gpu.uuid,
      index: gpu.index,
      fans: known?.fans ?? gpu.fans.map((f) => f.fan),
      ...(defaultPowerW !== undefined ? { defaultPowerW } : {}),
    };
  }

  /** nvidia-settings numbers fans across all GPUs: how many fans come before this GPU's first. */
  fanOffset(gpu: GpuTarget): number {
    return this.engine
      .known()
      .filter((k) => k.index < gpu.index)
      .reduce((sum, k) => sum + Math.max(1, k.fans.length), 0);
  }

  /**
   * Stops reading and, unless told otherwise, hands the fans back to the driver and the power
   * limits back to their defaults (SIGTERM, SIGINT). systemd's ExecStopPost runs `gpu-agent restore`
   * for the same after a crash or SIGKILL.
   */
  async stop(options: { restore?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.staleCheck) clearTimeout(this.staleCheck);
    this.event({ level: 'info', kind: 'agent_stopping', message: 'stopping' });
    await this.options.source.stop();
    await this.steps.settled();
    if (options.restore === false) return;
    for (const gpu of this.engine.known()) {
      const target = this.target({
        uuid: gpu.uuid,
        index: gpu.index,
        status: 'ok',
        fans: [],
        notes: [],
        ...(gpu.reading ? { reading: gpu.reading } : {}),
      });
      if (!this.options.writer) {
        this.options.log.info(
          `[dry-run] GPU ${gpu.index} would get automatic fans and its default power limit back`,
        );
        continue;
      }
      try {
        await restoreDefaults(this.options.writer, target);
        this.event({
          level: 'info',
          kind: 'restored_defaults',
          gpu: gpu.uuid,
          message: `GPU ${gpu.index}: fans automatic, power limit default`,
        });
      } catch (error) {
        this.event({
          level: 'error',
          kind: 'restored_defaults',
          gpu: gpu.uuid,
          message: `GPU ${gpu.index}: restore failed: ${(error as Error).message}`,
        });
      }
    }
    this.applier.forget();
  }
}
