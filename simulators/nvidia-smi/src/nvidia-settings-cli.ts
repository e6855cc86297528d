import type { SimFan, SimState } from './model.ts';
import type { CliIo } from '@skyy/sim-kit';
import { statePath, withState } from './state-store.ts';

/**
 * A fake `nvidia-settings` for the legacy fan path (drivers before R520, X server with Coolbits):
 * `-a [gpu:N]/GPUFanControlState=0|1`, `-a [fan:N]/GPUTargetFanSpeed=P`, `-q` of those and of
 * `[fan:N]/GPUCurrentFanSpeed`, `-q fans`. Fans are numbered across all GPUs in index order, as
 * the real tool does.
 */

interface FanRef {
  gpuIndex: number;
  fan: SimFan;
}

function fansInOrder(state: SimState): FanRef[] {
  return [...state.gpus]
    .sort((a, b) => a.index - b.index)
    .flatMap((gpu) => gpu.fans.map((fan) => ({ gpuIndex: gpu.index, fan })));
}

const TARGET = /^\[(gpu|fan):(\d+)\]\/(\w+)(?:=(-?\d+))?$/;

export function runNvidiaSettings(argv: readonly string[], io: CliIo): number {
  const assignments: string[] = [];
  const queries: string[] = [];
  let display = io.env['DISPLAY'];
  let terse = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-a' || arg === '--assign') assignments.push(argv[++i] ?? '');
    else if (arg.startsWith('--assign=')) assignments.push(arg.slice('--assign='.length));
    else if (arg === '-q' || arg === '--query') queries.push(argv[++i] ?? '');
    else if (arg.startsWith('--query=')) queries.push(arg.slice('--query='.length));
    else if (arg === '-c' || arg === '--ctrl-display' || arg === '--display') display = argv[++i];
    else if (arg.startsWith('--ctrl-display=')) display = arg.slice('--ctrl-display='.length);
    else if (arg === '-t' || arg === '--terse') terse = true;
    else {
      io.err(`ERROR: Unrecognized option '${arg}'.\n`);
      return 1;
    }
  }
  if (!display) {
    io.err('ERROR: Unable to find display on any available system\n');
    return 1;
  }
  return withState(statePath(io.env), (state) => {
    const fans = fansInOrder(state);
    for (const assignment of assignments) {
      const match = TARGET.exec(assignment);
      const [, kind, idText, attribute, valueText] = match ?? [];
      const id = Number(idText);
      const value = Number(valueText);
      const failure = (why: string) => {
        io.err(
          `ERROR: Error assigning value ${valueText ?? ''} to attribute '${attribute ?? assignment}' as specified in assignment '${assignment}' (${why}).\n`,
        );
        return 1;
      };
      if (!match || valueText === undefined) return failure('Unknown Error');
      if (state.faults.noPermission) return failure('Unknown Error');
      if (kind === 'gpu' && attribute === 'GPUFanControlState') {
        const gpu = state.gpus.find((g) => g.index === id);
        if (!gpu) return failure('Target not found');
        for (const fan of gpu.fans) {
          fan.manual = value === 1;
          fan.targetPct = fan.speedPct;
        }
      } else if (kind === 'fan' && attribute === 'GPUTargetFanSpeed') {
        const ref = fans[id];
        if (!ref) return failure('Target not found');
        const gpu = state.gpus.find((g) => g.index === ref.gpuIndex);
        if (!ref.fan.manual) return failure('Fan control is not enabled (GPUFanControlState=0)');
        ref.fan.targetPct = Math.min(gpu?.fanMaxPct ?? 100, Math.max(gpu?.fanMinPct ?? 0, value));
      } else {
        return failure('Unknown attribute');
      }
      io.out(`  Attribute '${attribute}' (${display}[${kind}:${id}]) assigned value ${value}.\n`);
    }
    for (const query of queries) {
      if (query === 'fans') {
        io.out(`${fans.length} Fans on ${display}\n\n`);
        fans.forEach((_, i) => io.out(`    [${i}] ${display}[fan:${i}] (Fan ${i})\n`));
        continue;
      }
      const match = TARGET.exec(query);
      const [, kind, idText, attribute] = match ?? [];
      const ref = kind === 'fan' ? fans[Number(idText)] : undefined;
      const gpu = kind === 'gpu' ? state.gpus.find((g) => g.index === Number(idText)) : undefined;
      let value: number | undefined;
      if (ref && attribute === 'GPUTargetFanSpeed') value = Math.round(ref.fan.targetPct);
      if (ref && attribute === 'GPUCurrentFanSpeed') value = Math.round(ref.fan.speedPct);
      if (gpu && attribute === 'GPUFanControlState') value = gpu.fans.some((f) => f.manual) ? 1 : 0;
      if (gpu && attribute === 'GPUCoreTemp') value = Math.round(gpu.temperatureC);
      if (value === undefined) {
        io.err(`ERROR: Error querying attribute '${query}'.\n`);
        return 1;
      }
      io.out(
        terse ? `${value}\n` : `  Attribute '${attribute}' (${display}[${kind}:${idText}]): ${value}.\n`,
      );
    }
    return 0;
  });
}

export { processIo } from '@skyy/sim-kit';
