import { randomUUID } from 'node:crypto';
import type { ChassisState, GpuChassis } from '@skyy/contracts';
import type { GpuAlertsTable } from './gpus.table.ts';

/**
 * The chassis fans an agent reports (Supermicro H12 zones driven from the CPU temperature):
 * kept per agent as its latest state, and a `chassis_failsafe` alert about the host while the
 * chassis controller says it lost its CPU reading and put every zone at 100 %.
 */

export const CHASSIS_FAILSAFE = 'chassis_failsafe';

/** The stored chassis JSON (validated as chassisStateSchema when the heartbeat came in) → API shape. */
export function toGpuChassis(json: string | null, updatedAt: string | null): GpuChassis | null {
  if (json === null || updatedAt === null) return null;
  const state = JSON.parse(json) as ChassisState;
  return {
    status: state.status,
    sensor: state.sensor,
    cpuTemperatureC: state.temperatureC ?? null,
    readingAt: state.readingAt ?? null,
    zones: state.zones.map((z) => ({ zone: z.zone, dutyPct: z.levelPct, appliedPct: z.appliedPct ?? null })),
    reason: state.reason ?? null,
    alert: state.alert ?? null,
    readingFailures: state.readingFailures,
    writeFailures: state.writeFailures,
    updatedAt,
  };
}

export interface ChassisAlertChange {
  /** The active chassis alert to clear, if the chassis left fail-safe (or is no longer reported). */
  clear: GpuAlertsTable | null;
  /** A new alert to raise, if the chassis entered fail-safe. */
  raise: GpuAlertsTable | null;
}

/**
 * What a heartbeat does to the host's chassis alert: raised once per fail-safe spell, cleared by
 * the first heartbeat whose chassis is not in fail-safe — also one without a chassis at all
 * (control switched off), since nothing would clear the alert after that.
 */
export function chassisAlertChange(
  host: string,
  chassis: ChassisState | undefined,
  active: GpuAlertsTable[],
  nowIso: string,
): ChassisAlertChange {
  const current = active.find((a) => a.kind === CHASSIS_FAILSAFE) ?? null;
  const failsafe = chassis?.status === 'failsafe';
  if (!failsafe) return { clear: current, raise: null };
  if (current) return { clear: null, raise: null };
  const why = chassis.alert ? `: ${chassis.alert}` : '';
  return {
    clear: null,
    raise: {
      id: randomUUID(),
      host,
      gpu_uuid: null,
      kind: CHASSIS_FAILSAFE,
      level: 'error',
      message: `The chassis fans of ${host} are in fail-safe, every zone at 100 % (no good CPU temperature from ${chassis.sensor})${why}.`,
      raised_at: nowIso,
      cleared_at: null,
    },
  };
}
