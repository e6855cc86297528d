import { basename } from 'node:path';
import { captureFiles, findSection, readCapture, type Capture } from './captures.ts';
import { steadyStateTempC, type SimGpu, type SimState } from './model.ts';

/**
 * Simulated GPUs built from the recorded captures: names, PCI ids, power limit ranges, memory,
 * clocks and temperatures as the real card reported them; the thermal constants are chosen so
 * that a fully loaded card needs roughly 80–95 % fan to hold 50 °C in a 30 °C room.
 */

export interface SimStateOptions {
  /** Number of GPUs (default: one per capture). */
  gpus?: number;
  /** Substrings of capture file names to cycle through, e.g. ['2080', '4080']; default all captures. */
  models?: string[];
  ambientC?: number;
  timeScale?: number;
  now?: number;
}

interface CardTraits {
  fans: number;
  fanMinPct: number;
  fullLoadFactor: number;
  conductanceBaseWPerC: number;
  conductanceFanWPerC: number;
}

const TRAITS: { match: RegExp; traits: CardTraits }[] = [
  {
    match: /4080/,
    traits: {
      fans: 2,
      fanMinPct: 30,
      fullLoadFactor: 1.06,
      conductanceBaseWPerC: 2,
      conductanceFanWPerC: 15,
    },
  },
  {
    match: /./,
    traits: { fans: 2, fanMinPct: 30, fullLoadFactor: 1.1, conductanceBaseWPerC: 2, conductanceFanWPerC: 13 },
  },
];

/** Values of the idle `--query-gpu` csv of a capture, by field name (units stripped from the header). */
export function captureQueryValues(capture: Capture, phase = 'idle'): Map<string, string> {
  const section = findSection(capture, phase, 'nvidia-smi --query-gpu=');
  const [header = '', row = ''] = (section?.body ?? '').split('\n');
  const names = header.split(',').map((cell) => cell.trim().replace(/\s*\[[^\]]*\]$/, ''));
  const cells = row.split(',').map((cell) => cell.trim());
  return new Map(names.map((name, i) => [name, cells[i] ?? '']));
}

function num(values: Map<string, string>, field: string, fallback: number): number {
  const match = /^-?\d+(\.\d+)?/.exec(values.get(field) ?? '');
  return match ? Number(match[0]) : fallback;
}

function qValue(capture: Capture, key: string): number | undefined {
  const section = findSection(capture, 'idle', 'nvidia-smi -q');
  const match = new RegExp(`^\\s*${key}\\s*:\\s*(\\d+)`, 'm').exec(section?.body ?? '');
  return match?.[1] ? Number(match[1]) : undefined;
}

export function simUuid(index: number): string {
  return `GPU-5eed0000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

export function simBusId(index: number): string {
  return `00000000:${(index + 1).toString(16).padStart(2, '0').toUpperCase()}:00.0`;
}

export function gpuFromCapture(capture: Capture, index: number, ambientC: number): SimGpu {
  const values = captureQueryValues(capture);
  const traits = (TRAITS.find((t) => t.match.test(capture.model)) ?? TRAITS[TRAITS.length - 1])?.traits;
  if (!traits) throw new Error('no card traits');
  const defaultLimit = num(values, 'power.default_limit', 250);
  const autoIdleFanPct = num(values, 'fan.speed', 30);
  return {
    index,
    uuid: simUuid(index),
    name: values.get('name') ?? 'NVIDIA Simulated GPU',
    pciBusId: simBusId(index),
    vbios: values.get('vbios_version'),
    capture: basename(capture.file),
    fans: Array.from({ length: traits.fans }, () => ({
      speedPct: autoIdleFanPct,
      targetPct: autoIdleFanPct,
      manual: false,
    })),
    fanMinPct: traits.fanMinPct,
    fanMaxPct: 100,
    autoIdleFanPct,
    powerLimitW: num(values, 'power.limit', defaultLimit),
    defaultPowerLimitW: defaultLimit,
    minPowerLimitW: num(values, 'power.min_limit', defaultLimit * 0.5),
    maxPowerLimitW: num(values, 'power.max_limit', defaultLimit * 1.2),
    idlePowerW: num(values, 'power.draw', 30),
    fullLoadPowerW: Math.round(defaultLimit * traits.fullLoadFactor),
    load: 0,
    temperatureC: ambientC + 5,
    slowdownTempC: qValue(capture, 'GPU Slowdown Temp') ?? 95,
    shutdownTempC: qValue(capture, 'GPU Shutdown Temp') ?? 100,
    memoryTotalMiB: num(values, 'memory.total', 8192),
    maxGraphicsClockMhz: num(values, 'clocks.max.graphics', 2000),
    maxMemoryClockMhz: num(values, 'clocks.max.memory', 7000),
    thermal: {
      ambientC,
      heatCapacityJPerC: 800,
      conductanceBaseWPerC: traits.conductanceBaseWPerC,
      conductanceFanWPerC: traits.conductanceFanWPerC,
      fanRampPctPerSec: 20,
    },
    overrides: {},
    powerDrawW: num(values, 'power.draw', 30),
  };
}

export function createSimState(options: SimStateOptions = {}): SimState {
  const captures = captureFiles()
    .filter((file) => !options.models || options.models.some((model) => file.includes(model)))
    .map(readCapture);
  if (captures.length === 0) throw new Error(`no capture matches ${options.models?.join(', ')}`);
  const count = options.gpus ?? captures.length;
  const ambientC = options.ambientC ?? 30;
  const first = captures[0];
  const version = first ? captureQueryValues(first).get('driver_version') : undefined;
  const cuda = first
    ? /CUDA Version\s*:\s*(\S+)/.exec(findSection(first, 'capabilities', 'nvidia-smi --version')?.body ?? '')
    : null;
  return {
    version: 1,
    driverVersion: version ?? '595.71.05',
    cudaVersion: cuda?.[1] ?? '13.2',
    updatedAtMs: options.now ?? Date.now(),
    timeScale: options.timeScale ?? 1,
    faults: { hang: false, rejectFields: [], noPermission: false },
    gpus: Array.from({ length: count }, (_, i) => {
      const capture = captures[i % captures.length];
      if (!capture) throw new Error('no capture');
      const gpu = gpuFromCapture(capture, i, ambientC);
      // Start from the idle equilibrium so a fresh simulator does not drift on its own.
      gpu.temperatureC = steadyStateTempC(gpu);
      return gpu;
    }),
  };
}
