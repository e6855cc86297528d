import type { GpuAgent, GpuChassis, GpuFleetItem, GpuHistory, GpuHistoryPoint } from '@skyy/contracts';

export const gpuUuid = 'GPU-1c0ffee0-0000-4000-8000-000000000001';
const at = '2026-11-27T08:00:00.000Z';

/** A GPU as the fleet answer lists it: 58 °C, one fan at 45 %, 200 of 320 W, controlled by a dry-run agent. */
export function aGpu(overrides: Partial<GpuFleetItem> = {}): GpuFleetItem {
  return {
    uuid: gpuUuid,
    host: 'puma-proxmox-005',
    index: 0,
    name: 'NVIDIA GeForce RTX 4080 SUPER',
    status: 'ok',
    missing: false,
    temperatureC: 58,
    memoryTemperatureC: null,
    fans: [{ fan: 0, speedPct: 45 }],
    powerDrawW: 200,
    powerLimitW: 320,
    powerDefaultLimitW: 320,
    utilizationGpuPct: 90,
    utilizationMemoryPct: null,
    memoryUsedBytes: null,
    memoryTotalBytes: null,
    sampledAt: at,
    fanDecisions: [
      { fan: 0, fromPct: 40, toPct: 45, changed: true, reason: '58 °C is above min_temp 45 °C' },
    ],
    powerDecision: { toW: 320, changed: false, reason: 'below power min_temp' },
    notes: [],
    agent: {
      host: 'puma-proxmox-005',
      version: '0.1.0',
      mode: 'dry-run',
      source: 'nvidia-smi',
      configSource: 'server',
      lastSeenAt: at,
      stale: false,
    },
    alerts: [],
    ...overrides,
  };
}

/** A history point `minutesBefore` 08:00 with the given temperature (power = 4 W per °C). */
export function aPoint(minutesBefore: number, temperatureC: number | null): GpuHistoryPoint {
  return {
    at: new Date(Date.parse(at) - minutesBefore * 60_000).toISOString(),
    samples: 1,
    temperatureC,
    fanPct: 40,
    powerDrawW: temperatureC === null ? null : temperatureC * 4,
    powerLimitW: 320,
    utilizationGpuPct: 80,
  };
}

export function aHistory(points: GpuHistoryPoint[], uuid = gpuUuid): GpuHistory {
  return {
    uuid,
    from: new Date(Date.parse(at) - 24 * 3600_000).toISOString(),
    to: at,
    stepSeconds: 600,
    points,
  };
}

export function anAgent(overrides: Partial<GpuAgent> = {}): GpuAgent {
  return {
    id: '00000000-0000-4000-8000-0000000000a9',
    host: 'puma-proxmox-005',
    version: '0.1.0',
    mode: 'dry-run',
    source: 'nvidia-smi',
    configSource: 'server',
    lastSeenAt: at,
    stale: false,
    tokenPrefix: 'skyyga_ab12',
    createdAt: at,
    status: 'ok',
    gpuCount: 2,
    chassis: null,
    ...overrides,
  };
}

/** A chassis in control at 47 °C: two BMC zones at 50 %, the first one written. */
export function aChassis(overrides: Partial<GpuChassis> = {}): GpuChassis {
  return {
    status: 'ok',
    sensor: 'k10temp Tctl (sensors -j)',
    cpuTemperatureC: 47,
    readingAt: at,
    zones: [
      { zone: '0x00', dutyPct: 50, appliedPct: 50 },
      { zone: '0x01', dutyPct: 50, appliedPct: null },
    ],
    reason: '47 °C ≥ 47 °C: 40 → 50 %',
    alert: null,
    readingFailures: 0,
    writeFailures: 0,
    updatedAt: at,
    ...overrides,
  };
}
