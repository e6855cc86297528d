import type { GpuAlert, GpuFleetItem } from '@skyy/contracts';

/** How one GPU's readings read, the same in the fleet table and on the GPU's own page. */

/** How a GPU's control status reads, and its colour. */
export function gpuStatusClass(
  item: Pick<GpuFleetItem, 'status' | 'missing'>,
): 'ok' | 'warn' | 'bad' | 'idle' {
  if (item.missing) return 'bad';
  switch (item.status) {
    case 'ok':
      return 'ok';
    case 'warning':
      return 'warn';
    case 'failsafe':
    case 'shutdown':
      return 'bad';
    default:
      return 'idle';
  }
}

export function alertClass(alert: Pick<GpuAlert, 'level'>): 'warn' | 'bad' {
  return alert.level === 'warn' ? 'warn' : 'bad';
}

export function fansText(item: GpuFleetItem): string {
  const speeds = item.fans.map((fan) => fan.speedPct).filter((pct): pct is number => pct !== undefined);
  return speeds.length ? speeds.map((pct) => `${Math.round(pct)} %`).join(', ') : '—';
}

export function memoryText(item: GpuFleetItem): string {
  if (item.memoryUsedBytes === null || item.memoryTotalBytes === null) return '—';
  const gib = (n: number) => (n / 1024 ** 3).toFixed(1);
  return `${gib(item.memoryUsedBytes)} / ${gib(item.memoryTotalBytes)} GiB`;
}

export function powerText(item: GpuFleetItem): string {
  if (item.powerDrawW === null) return '—';
  return `${Math.round(item.powerDrawW)} W${item.powerLimitW === null ? '' : ` of ${Math.round(item.powerLimitW)} W`}`;
}

/** The agent's decisions with their reasons, one line each. */
export function decisionLines(item: GpuFleetItem): string[] {
  return [
    ...item.fanDecisions.map((d) => `fan ${d.fan}: ${d.reason}`),
    ...(item.powerDecision ? [`power: ${item.powerDecision.reason}`] : []),
    ...item.notes,
  ];
}
