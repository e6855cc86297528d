import type { ChassisState, GpuAgentGpuState, GpuAgentState, GpuControlStatus } from '@skyy/contracts';

/** A heartbeat body as the agent sends it, with one entry per GPU given. */
export function agentState(
  host: string,
  gpus: {
    uuid: string;
    temperatureC: number;
    status?: GpuControlStatus;
    sampledAt?: string;
    fanPct?: number;
  }[],
): GpuAgentState {
  return {
    host,
    version: '0.1.0',
    mode: 'dry-run',
    source: 'nvidia-smi',
    configSource: 'server',
    stale: false,
    gpus: gpus.map((gpu, index): GpuAgentGpuState => ({
      uuid: gpu.uuid,
      index,
      name: 'NVIDIA GeForce RTX 4080 SUPER',
      status: gpu.status ?? 'ok',
      reading: {
        uuid: gpu.uuid,
        index,
        name: 'NVIDIA GeForce RTX 4080 SUPER',
        temperatureC: gpu.temperatureC,
        fans: [{ fan: 0, speedPct: gpu.fanPct ?? 50 }],
        powerDrawW: 200,
        powerLimitW: 320,
        utilizationGpuPct: 90,
        sampledAt: gpu.sampledAt ?? new Date().toISOString(),
      },
      fans: [{ fan: 0, fromPct: 45, toPct: gpu.fanPct ?? 50, changed: true, reason: 'test' }],
      notes: [],
    })),
    events: [],
  };
}

/** A valid gpu_config.yaml (the user's file, shortened); `shutdown_temp` is on line 4. */
export function gpuConfigYaml(options: { pollSec?: number; shutdownTemp?: number } = {}): string {
  return `poll_interval_sec: ${options.pollSec ?? 5}
protection:
  enable_auto_shutdown: false
  shutdown_temp: ${options.shutdownTemp ?? 90}
defaults:
  fan_control:
    min_temp: 45
    max_temp: 55
    min_speed: 30
    max_speed: 100
    gain: 1.0
    max_step: 5
  power_control:
    min_temp: 55
    max_temp: 60
    min_pl: 70
    max_pl: 100
    gain: 1.0
    max_step: 5
`;
}

/** The chassis part of a heartbeat: two zones, CPU at 47 °C (none in fail-safe), dry-run (nothing applied). */
export function chassisState(status: ChassisState['status'] = 'ok'): ChassisState {
  const failsafe = status === 'failsafe';
  return {
    status,
    sensor: 'k10temp Tctl (sensors -j)',
    ...(failsafe ? {} : { temperatureC: 47, readingAt: new Date().toISOString() }),
    levelPct: failsafe ? 100 : 50,
    zones: [
      { zone: '0x00', levelPct: failsafe ? 100 : 50 },
      { zone: '0x01', levelPct: failsafe ? 100 : 50 },
    ],
    reason: failsafe ? 'no CPU reading: fail-safe 100 %' : '47 °C ≥ 47 °C: 40 → 50 %',
    ...(failsafe ? { alert: 'sensors -j failed 3 times' } : {}),
    readingFailures: failsafe ? 3 : 0,
    writeFailures: 0,
  };
}
