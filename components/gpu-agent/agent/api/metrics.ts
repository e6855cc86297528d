import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ChassisMetrics } from '../chassis/chassis-metrics.ts';
import type { AgentState } from '../state/agent-state.ts';

/**
 * Prometheus metrics, named and labelled after nvidia_gpu_exporter / dcgm-exporter conventions
 * (`uuid` and `gpu` index on every GPU series, ratios 0–1, watts, bytes, hertz, celsius), under the
 * `skyy_gpu_` prefix so they can run next to either exporter. GPU gauges are rebuilt from the
 * agent state at each scrape, so a GPU that disappears also disappears from /metrics. The agent's
 * own decisions and failures are counters.
 */

/** NVML clock event reason bits (nvml.h nvmlClocksEventReason*), as label values. */
export const CLOCK_EVENT_REASONS: Readonly<Record<string, number>> = {
  gpu_idle: 0x1,
  applications_clocks_setting: 0x2,
  sw_power_cap: 0x4,
  hw_slowdown: 0x8,
  sync_boost: 0x10,
  sw_thermal_slowdown: 0x20,
  hw_thermal_slowdown: 0x40,
  hw_power_brake_slowdown: 0x80,
  display_clock_setting: 0x100,
};

const STATUSES = ['ok', 'failsafe', 'warning', 'shutdown', 'monitor-only'] as const;

export class AgentMetrics {
  readonly registry = new Registry();
  readonly samples: Counter;
  readonly writes: Counter<'uuid' | 'gpu' | 'actuator'>;
  readonly writeFailures: Counter<'uuid' | 'gpu' | 'actuator'>;
  readonly readingFailures: Counter<'uuid' | 'gpu'>;
  readonly failsafeEntries: Counter<'uuid' | 'gpu'>;
  readonly protectionActions: Counter<'action'>;
  readonly sourceProblems: Counter;
  readonly configRejected: Counter<'source'>;
  readonly chassis: ChassisMetrics;

  constructor(private readonly state: AgentState) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'skyy_gpu_agent_process_' });
    // prom-client names three of its gauges `…_total`, which promtool rejects (only counters may
    // end in _total); they are debugging aids, so they are left out.
    for (const gauge of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
      this.registry.removeSingleMetric(`skyy_gpu_agent_process_nodejs_${gauge}`);
    }
    const gpuGauge = (name: string, help: string, extra: string[] = []) =>
      new Gauge({ name, help, labelNames: ['uuid', 'gpu', ...extra], registers });

    const info = gpuGauge('skyy_gpu_info', 'GPU identity (value 1).', ['name', 'pci_bus_id']);
    const temperature = gpuGauge('skyy_gpu_temperature_celsius', 'GPU core temperature.');
    const memoryTemperature = gpuGauge(
      'skyy_gpu_memory_temperature_celsius',
      'GPU memory temperature, where reported.',
    );
    const fanSpeed = gpuGauge(
      'skyy_gpu_fan_speed_ratio',
      'Fan speed as reported by the driver (1 = 100 %).',
      ['fan'],
    );
    const powerDraw = gpuGauge('skyy_gpu_power_draw_watts', 'Board power draw.');
    const powerLimit = gpuGauge('skyy_gpu_power_limit_watts', 'Power limit in effect.');
    const powerDefault = gpuGauge('skyy_gpu_power_default_limit_watts', 'Default power limit.');
    const powerMin = gpuGauge('skyy_gpu_power_min_limit_watts', 'Lowest power limit the card accepts.');
    const powerMax = gpuGauge('skyy_gpu_power_max_limit_watts', 'Highest power limit the card accepts.');
    const utilization = gpuGauge('skyy_gpu_utilization_ratio', 'GPU utilization (1 = 100 %).');
    const memoryUtilization = gpuGauge(
      'skyy_gpu_memory_utilization_ratio',
      'Memory controller utilization (1 = 100 %).',
    );
    const memoryTotal = gpuGauge('skyy_gpu_memory_total_bytes', 'Framebuffer memory total.');
    const memoryUsed = gpuGauge('skyy_gpu_memory_used_bytes', 'Framebuffer memory used.');
    const memoryFree = gpuGauge('skyy_gpu_memory_free_bytes', 'Framebuffer memory free.');
    const clock = gpuGauge('skyy_gpu_clock_hertz', 'Current clock.', ['clock']);
    const reasons = gpuGauge(
      'skyy_gpu_clocks_event_reason',
      'Clock event (throttle) reason active (1) or not (0).',
      ['reason'],
    );
    const pstate = gpuGauge('skyy_gpu_pstate', 'Performance state (0 = P0, maximum performance).');
    const fanTarget = gpuGauge(
      'skyy_gpu_agent_fan_target_ratio',
      'Fan speed the agent decided (1 = 100 %).',
      ['fan'],
    );
    const powerTarget = gpuGauge('skyy_gpu_agent_power_limit_target_watts', 'Power limit the agent decided.');
    const status = gpuGauge('skyy_gpu_agent_status', 'Control status of the GPU (1 for the current one).', [
      'status',
    ]);
    const lastSampleAge = new Gauge({
      name: 'skyy_gpu_agent_last_sample_age_seconds',
      help: 'Seconds since the last sample.',
      registers,
    });
    const stale = new Gauge({
      name: 'skyy_gpu_agent_stale',
      help: '1 while no sample arrived within 3 poll intervals.',
      registers,
    });
    const dryRun = new Gauge({
      name: 'skyy_gpu_agent_dry_run',
      help: '1 when decisions are logged, not written.',
      registers,
    });
    const configInfo = new Gauge({
      name: 'skyy_gpu_agent_config_info',
      help: 'Where the config in force came from (value 1).',
      labelNames: ['source', 'reading_source'],
      registers,
    });

    this.samples = new Counter({
      name: 'skyy_gpu_agent_samples_total',
      help: 'Samples received.',
      registers,
    });
    this.writes = new Counter({
      name: 'skyy_gpu_agent_writes_total',
      help: 'Fan and power changes written (or logged in dry-run).',
      labelNames: ['uuid', 'gpu', 'actuator'],
      registers,
    });
    this.writeFailures = new Counter({
      name: 'skyy_gpu_agent_write_failures_total',
      help: 'Fan and power writes that failed.',
      labelNames: ['uuid', 'gpu', 'actuator'],
      registers,
    });
    this.readingFailures = new Counter({
      name: 'skyy_gpu_agent_reading_failures_total',
      help: 'GPU readings that failed (driver error, unparsable line).',
      labelNames: ['uuid', 'gpu'],
      registers,
    });
    this.failsafeEntries = new Counter({
      name: 'skyy_gpu_agent_failsafe_total',
      help: 'Times a GPU entered fail-safe (fans 100 %).',
      labelNames: ['uuid', 'gpu'],
      registers,
    });
    this.protectionActions = new Counter({
      name: 'skyy_gpu_agent_protection_actions_total',
      help: 'Protection actions at shutdown_temp.',
      labelNames: ['action'],
      registers,
    });
    this.sourceProblems = new Counter({
      name: 'skyy_gpu_agent_source_problems_total',
      help: 'Problems of the reading source (nvidia-smi exited or hung, NVML error).',
      registers,
    });
    this.configRejected = new Counter({
      name: 'skyy_gpu_agent_config_rejected_total',
      help: 'Configs rejected as invalid.',
      labelNames: ['source'],
      registers,
    });

    this.chassis = new ChassisMetrics(this.registry, () => this.state.chassis());

    const gpuCount = new Gauge({ name: 'skyy_gpu_agent_gpus', help: 'GPUs the agent knows.', registers });
    // Rebuilt from the state on every scrape, before rendering.
    const all = [
      info,
      temperature,
      memoryTemperature,
      fanSpeed,
      powerDraw,
      powerLimit,
      powerDefault,
      powerMin,
      powerMax,
      utilization,
      memoryUtilization,
      memoryTotal,
      memoryUsed,
      memoryFree,
      clock,
      reasons,
      pstate,
      fanTarget,
      powerTarget,
      status,
    ];
    this.refresh = () => {
      for (const gauge of all) gauge.reset();
      gpuCount.set(this.state.gpus.length);
      const snapshot = this.state;
      for (const gpu of snapshot.gpus) {
        const ids = { uuid: gpu.uuid, gpu: String(gpu.index) };
        const r = gpu.reading;
        info.set({ ...ids, name: gpu.name ?? r?.name ?? '', pci_bus_id: r?.pciBusId ?? '' }, 1);
        for (const s of STATUSES) status.set({ ...ids, status: s }, gpu.status === s ? 1 : 0);
        for (const fan of gpu.fans) fanTarget.set({ ...ids, fan: String(fan.fan) }, fan.toPct / 100);
        if (gpu.power) powerTarget.set(ids, gpu.power.toW);
        if (!r) continue;
        const put = (gauge: Gauge, value: number | undefined, scale = 1) => {
          if (value !== undefined) gauge.set(ids, value * scale);
        };
        put(temperature, r.temperatureC);
        put(memoryTemperature, r.memoryTemperatureC);
        for (const fan of r.fans)
          if (fan.speedPct !== undefined) fanSpeed.set({ ...ids, fan: String(fan.fan) }, fan.speedPct / 100);
        put(powerDraw, r.powerDrawW);
        put(powerLimit, r.powerLimitW);
        put(powerDefault, r.powerDefaultLimitW);
        put(powerMin, r.powerMinLimitW);
        put(powerMax, r.powerMaxLimitW);
        put(utilization, r.utilizationGpuPct, 0.01);
        put(memoryUtilization, r.utilizationMemoryPct, 0.01);
        put(memoryTotal, r.memoryTotalBytes);
        put(memoryUsed, r.memoryUsedBytes);
        put(memoryFree, r.memoryFreeBytes);
        if (r.clockGraphicsMhz !== undefined)
          clock.set({ ...ids, clock: 'graphics' }, r.clockGraphicsMhz * 1e6);
        if (r.clockSmMhz !== undefined) clock.set({ ...ids, clock: 'sm' }, r.clockSmMhz * 1e6);
        if (r.clockMemoryMhz !== undefined) clock.set({ ...ids, clock: 'memory' }, r.clockMemoryMhz * 1e6);
        if (r.clocksEventReasons !== undefined) {
          for (const [reason, bit] of Object.entries(CLOCK_EVENT_REASONS)) {
            reasons.set({ ...ids, reason }, (r.clocksEventReasons & bit) !== 0 ? 1 : 0);
          }
        }
        put(pstate, r.pstate);
      }
      const last = snapshot.lastSampleAt;
      lastSampleAge.reset();
      if (last) lastSampleAge.set((Date.now() - last.getTime()) / 1000);
      stale.set(snapshot.stale ? 1 : 0);
      dryRun.set(snapshot.mode === 'dry-run' ? 1 : 0);
      configInfo.reset();
      configInfo.set({ source: snapshot.configSource, reading_source: snapshot.source }, 1);
    };
  }

  private readonly refresh: () => void;

  async render(): Promise<string> {
    this.refresh();
    this.chassis.update();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
