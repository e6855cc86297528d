import { gpuFleetSchema, type GpuFleetItem } from '@skyy/contracts';
import { connect } from '../../connect.ts';
import { printJson, type CliIo } from '../../io.ts';
import { renderTable } from '../../table.ts';

export interface GpusListOptions {
  io: CliIo;
  host?: string;
  output: 'table' | 'json';
}

/** The fleet as the agents last reported it: one row per GPU, then the active alerts. */
export async function gpusList(options: GpusListOptions): Promise<number> {
  const { io } = options;
  const fleet = await connect(io).get('/api/v1/gpus', {
    query: { host: options.host },
    schema: gpuFleetSchema,
  });
  if (options.output === 'json') {
    printJson(io, fleet);
    return 0;
  }
  if (fleet.items.length === 0) io.stdout.write('no GPUs reported yet\n');
  else
    io.stdout.write(
      renderTable(
        ['host', 'gpu', 'name', 'status', 'temp', 'fans', 'power', 'util', 'agent'],
        fleet.items.map(row),
      ),
    );
  for (const alert of fleet.alerts) io.stdout.write(`${alert.level}: ${alert.message}\n`);
  return 0;
}

function row(gpu: GpuFleetItem): string[] {
  const value = (n: number | null, unit: string) => (n === null ? '-' : `${Math.round(n)}${unit}`);
  const fans = gpu.fans.map((f) => value(f.speedPct ?? null, '%')).join(' ') || '-';
  const power =
    gpu.powerDrawW === null ? '-' : `${Math.round(gpu.powerDrawW)}/${value(gpu.powerLimitW, '')} W`;
  const agent = gpu.agent ? `${gpu.agent.mode ?? '?'}${gpu.agent.stale ? ' (stale)' : ''}` : 'no agent';
  return [
    gpu.host,
    String(gpu.index),
    gpu.name ?? '-',
    gpu.missing ? `${gpu.status} (missing)` : gpu.status,
    value(gpu.temperatureC, ' °C'),
    fans,
    power,
    value(gpu.utilizationGpuPct, '%'),
    agent,
  ];
}
