import { processIo, type CliIo } from '@skyy/sim-kit';
import { nextNoise, quantize, type IpmiSimState } from './model.ts';
import { reportStateFileError } from './state-file-error.ts';
import { statePath, withState } from './state-store.ts';

/**
 * A fake lm-sensors `sensors`: text output (the form the user's awk reads) and `-j` JSON, for the
 * simulated EPYC sockets (k10temp Tctl/Tccd1) plus an NVMe drive that must not be mistaken for a
 * CPU. Faults from the state file: `error` (no sensors found, exit 1), `hang`, `no-tctl` (k10temp
 * not loaded), `no-json` (lm-sensors before 3.5, which rejects -j).
 */

/** How long a hung call sleeps: long past any timeout, short enough not to linger for ever. */
export const HANG_MS = 120_000;

interface Feature {
  label: string;
  sub: string;
  value: number;
  extra?: Record<string, number>;
}
interface Chip {
  name: string;
  adapter: string;
  features: Feature[];
}

function chips(state: IpmiSimState, withTctl: boolean): Chip[] {
  const list: Chip[] = [];
  if (withTctl) {
    for (const socket of state.sockets) {
      const tctl = quantize(state.temperatureC + socket.offsetC + nextNoise(state));
      list.push({
        name: socket.chip,
        adapter: 'PCI adapter',
        features: [
          { label: 'Tctl', sub: 'temp1_input', value: tctl },
          { label: 'Tccd1', sub: 'temp3_input', value: quantize(tctl - 7.5) },
        ],
      });
    }
  }
  list.push({
    name: 'nvme-pci-0100',
    adapter: 'PCI adapter',
    features: [
      {
        label: 'Composite',
        sub: 'temp1_input',
        value: quantize(state.ambientC + 14),
        extra: { temp1_max: 84.85, temp1_min: -273.15, temp1_crit: 84.85 },
      },
    ],
  });
  return list;
}

const signed = (value: number) => `${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(1)}°C`;

export function renderText(list: readonly Chip[]): string {
  return list
    .map((chip) => {
      const lines = [chip.name, `Adapter: ${chip.adapter}`];
      for (const feature of chip.features)
        lines.push(`${`${feature.label}:`.padEnd(14)}${signed(feature.value)}  `);
      return `${lines.join('\n')}\n`;
    })
    .join('\n')
    .concat('\n');
}

export function renderJson(list: readonly Chip[]): string {
  const doc: Record<string, Record<string, string | Record<string, number>>> = {};
  for (const chip of list) {
    const entry: Record<string, string | Record<string, number>> = { Adapter: chip.adapter };
    for (const feature of chip.features)
      entry[feature.label] = { [feature.sub]: feature.value, ...feature.extra };
    doc[chip.name] = entry;
  }
  return `${JSON.stringify(doc, null, 3)}\n`;
}

function matches(name: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name),
  );
}

export async function runSensors(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const flags = argv.filter((arg) => arg.startsWith('-'));
  const patterns = argv.filter((arg) => !arg.startsWith('-'));
  if (flags.includes('-v') || flags.includes('--version')) {
    io.out('sensors version 3.6.0 with libsensors version 3.6.0\n');
    return 0;
  }
  const json = flags.includes('-j');
  const unknown = flags.find((flag) => flag !== '-j');
  const path = statePath(io.env);
  let read;
  try {
    read = withState(
      path,
      (state) => ({
        fault: state.faults.sensors,
        list: chips(state, state.faults.sensors !== 'no-tctl').filter((chip) => matches(chip.name, patterns)),
      }),
      { read: true },
    );
  } catch (error) {
    return reportStateFileError(error, io);
  }
  const { fault, list } = read;
  if (fault === 'hang') {
    await new Promise((resolve) => setTimeout(resolve, HANG_MS));
    return 1;
  }
  if (unknown || (json && fault === 'no-json')) {
    io.err(`sensors: invalid option -- '${(unknown ?? '-j').replace(/^-+/, '')}'\n`);
    io.err("Try `sensors --help' for more information.\n");
    return 1;
  }
  if (fault === 'error' || list.length === 0) {
    io.err('No sensors found!\nMake sure you loaded all the kernel drivers you need.\n');
    io.err('Try sensors-detect to find out which these are.\n');
    return 1;
  }
  io.out(json ? renderJson(list) : renderText(list));
  return 0;
}
