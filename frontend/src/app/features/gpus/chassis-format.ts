import type { GpuChassis, GpuChassisZone } from '@skyy/contracts';

/** How an agent's chassis fans read on the Agents tab. */

/** Fail-safe stands out: the controller lost its CPU reading and runs every zone at 100 %. */
export function chassisClass(chassis: Pick<GpuChassis, 'status'>): 'ok' | 'bad' | 'idle' {
  return chassis.status === 'ok' ? 'ok' : chassis.status === 'failsafe' ? 'bad' : 'idle';
}

export function cpuTemperatureText(chassis: Pick<GpuChassis, 'cpuTemperatureC'>): string {
  return chassis.cpuTemperatureC === null ? 'CPU —' : `CPU ${Math.round(chassis.cpuTemperatureC)} °C`;
}

/** `zone 0x00: 50 %`, with what the BMC last got when that differs (a write pending or failing). */
export function zoneText(zone: GpuChassisZone): string {
  const duty = `zone ${zone.zone}: ${Math.round(zone.dutyPct)} %`;
  if (zone.appliedPct === null || Math.round(zone.appliedPct) === Math.round(zone.dutyPct)) return duty;
  return `${duty} (BMC at ${Math.round(zone.appliedPct)} %)`;
}
