import { captureFiles, readCapture } from './captures.ts';
import {
  clockEventReasons,
  graphicsClockMhz,
  memoryClockMhz,
  memoryUsedMiB,
  pstate,
  REASON,
  utilizationPct,
  type SimGpu,
  type SimState,
} from './model.ts';
import { captureQueryValues } from './presets.ts';

/** `--query-gpu` answers: modelled fields from the thermal model, every other known field from the card's capture. */

interface Cell {
  value: string;
  unit?: string;
}

const FIELD_ALIASES: Readonly<Record<string, string>> = {
  gpu_uuid: 'uuid',
  gpu_name: 'name',
  gpu_serial: 'serial',
  gpu_bus_id: 'pci.bus_id',
  'clocks.gr': 'clocks.current.graphics',
  'clocks.sm': 'clocks.current.sm',
  'clocks.mem': 'clocks.current.memory',
  'clocks.video': 'clocks.current.video',
  'gpu.power.requested_limit': 'power.limit',
  'gpu.power.current_limit': 'enforced.power.limit',
  'gpu.power.default_limit': 'power.default_limit',
  'gpu.power.draw.average': 'power.draw.average',
  'gpu.power.draw.instant': 'power.draw.instant',
};

export function canonicalField(field: string): string {
  if (field.startsWith('clocks_throttle_reasons.')) {
    return `clocks_event_reasons.${field.slice('clocks_throttle_reasons.'.length)}`;
  }
  return FIELD_ALIASES[field] ?? field;
}

const watts = (w: number): Cell => ({ value: w.toFixed(2), unit: 'W' });
const percent = (p: number): Cell => ({ value: String(Math.round(p)), unit: '%' });
const mib = (m: number): Cell => ({ value: String(Math.round(m)), unit: 'MiB' });
const mhz = (m: number): Cell => ({ value: String(Math.round(m)), unit: 'MHz' });
const reason = (gpu: SimGpu, bit: number): Cell => ({
  value: (clockEventReasons(gpu) & bit) !== 0 ? 'Active' : 'Not Active',
});

type Modelled = (gpu: SimGpu, state: SimState, now: Date) => Cell;

const MODELLED: Readonly<Record<string, Modelled>> = {
  timestamp: (_gpu, _state, now) => ({ value: smiTimestamp(now) }),
  driver_version: (_gpu, state) => ({ value: state.driverVersion }),
  kmd_version: (_gpu, state) => ({ value: state.driverVersion }),
  count: (_gpu, state) => ({ value: String(state.gpus.length) }),
  index: (gpu) => ({ value: String(gpu.index) }),
  name: (gpu) => ({ value: gpu.name }),
  serial: (gpu) => ({ value: gpu.serial ?? '[N/A]' }),
  uuid: (gpu) => ({ value: gpu.uuid }),
  'pci.bus_id': (gpu) => ({ value: gpu.pciBusId }),
  'fan.speed': (gpu) => (gpu.fans[0] ? percent(gpu.fans[0].speedPct) : { value: '[N/A]' }),
  pstate: (gpu) => ({ value: `P${pstate(gpu)}` }),
  'temperature.gpu': (gpu) => ({ value: String(Math.round(gpu.temperatureC)) }),
  'temperature.memory': () => ({ value: 'N/A' }),
  'power.management': () => ({ value: 'Enabled' }),
  'power.draw': (gpu) => watts(gpu.powerDrawW),
  'power.draw.average': (gpu) => watts(gpu.powerDrawW),
  'power.draw.instant': (gpu) => watts(gpu.powerDrawW),
  'power.limit': (gpu) => watts(gpu.powerLimitW),
  'enforced.power.limit': (gpu) => watts(gpu.powerLimitW),
  'power.default_limit': (gpu) => watts(gpu.defaultPowerLimitW),
  'power.min_limit': (gpu) => watts(gpu.minPowerLimitW),
  'power.max_limit': (gpu) => watts(gpu.maxPowerLimitW),
  'utilization.gpu': (gpu) => percent(utilizationPct(gpu)),
  'utilization.memory': (gpu) => percent(utilizationPct(gpu) * 0.4),
  'memory.total': (gpu) => mib(gpu.memoryTotalMiB),
  'memory.used': (gpu) => mib(memoryUsedMiB(gpu)),
  'memory.free': (gpu) => mib(gpu.memoryTotalMiB - memoryUsedMiB(gpu)),
  'clocks.current.graphics': (gpu) => mhz(graphicsClockMhz(gpu)),
  'clocks.current.sm': (gpu) => mhz(graphicsClockMhz(gpu)),
  'clocks.current.memory': (gpu) => mhz(memoryClockMhz(gpu)),
  'clocks.max.graphics': (gpu) => mhz(gpu.maxGraphicsClockMhz),
  'clocks.max.sm': (gpu) => mhz(gpu.maxGraphicsClockMhz),
  'clocks.max.memory': (gpu) => mhz(gpu.maxMemoryClockMhz),
  'clocks_event_reasons.active': (gpu) => ({
    value: `0x${clockEventReasons(gpu).toString(16).padStart(16, '0')}`,
  }),
  'clocks_event_reasons.gpu_idle': (gpu) => reason(gpu, REASON.gpuIdle),
  'clocks_event_reasons.sw_power_cap': (gpu) => reason(gpu, REASON.swPowerCap),
  'clocks_event_reasons.hw_slowdown': (gpu) => reason(gpu, REASON.hwThermalSlowdown),
  'clocks_event_reasons.hw_thermal_slowdown': (gpu) => reason(gpu, REASON.hwThermalSlowdown),
  'clocks_event_reasons.sw_thermal_slowdown': (gpu) => reason(gpu, REASON.swThermalSlowdown),
};

function smiTimestamp(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${now.getFullYear()}/${p(now.getMonth() + 1)}/${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}.${p(now.getMilliseconds(), 3)}`;
}

/** Fields and raw values of the capture each GPU was built from, loaded once per process. */
const captureCache = new Map<string, { values: Map<string, string>; units: Map<string, string> }>();

function captureCells(gpu: SimGpu): { values: Map<string, string>; units: Map<string, string> } {
  const file = captureFiles().find((f) => gpu.capture && f.endsWith(gpu.capture)) ?? captureFiles()[0];
  const key = file ?? '';
  let cells = captureCache.get(key);
  if (!cells) {
    const capture = readCapture(key);
    const values = captureQueryValues(capture);
    const units = new Map<string, string>();
    for (const [field, raw] of values) {
      const unit = /^-?[\d.]+ (%|W|MiB|MHz|us)$/.exec(raw)?.[1];
      if (unit) units.set(field, unit);
    }
    cells = { values, units };
    captureCache.set(key, cells);
  }
  return cells;
}

export class UnknownFieldError extends Error {
  constructor(readonly field: string) {
    super(`Field "${field}" is not a valid field to query.`);
  }
}

/** Throws UnknownFieldError for a field this simulated driver does not know. */
export function validateFields(state: SimState, fields: readonly string[]): void {
  const sample = state.gpus[0];
  for (const field of fields) {
    const name = canonicalField(field);
    // An older driver rejects the new name but still answers the old one, so only the literal name counts.
    const rejected = state.faults.rejectFields.includes(field);
    const known =
      MODELLED[name] !== undefined || (sample !== undefined && captureCells(sample).values.has(name));
    if (rejected || !known) throw new UnknownFieldError(field);
  }
}

function cellFor(gpu: SimGpu, state: SimState, field: string, now: Date): Cell {
  const name = canonicalField(field);
  const override = gpu.overrides[name] ?? gpu.overrides[field];
  if (override !== undefined) return { value: override };
  const modelled = MODELLED[name];
  if (modelled) return modelled(gpu, state, now);
  const { values, units } = captureCells(gpu);
  const raw = values.get(name) ?? '[N/A]';
  const unit = units.get(name);
  return unit ? { value: raw.slice(0, -(unit.length + 1)), unit } : { value: raw };
}

function headerCell(
  gpu: SimGpu | undefined,
  state: SimState,
  field: string,
  now: Date,
  units: boolean,
): string {
  if (!units || !gpu) return field;
  const unit = cellFor(gpu, state, field, now).unit;
  return unit ? `${field} [${unit}]` : field;
}

export interface QueryFormat {
  header: boolean;
  units: boolean;
}

/** The csv lines for `gpus` (one per GPU), with the header first when asked. */
export function renderQueryGpu(
  state: SimState,
  gpus: readonly SimGpu[],
  fields: readonly string[],
  format: QueryFormat,
  now: Date,
): string[] {
  const lines: string[] = [];
  if (format.header)
    lines.push(fields.map((f) => headerCell(gpus[0], state, f, now, format.units)).join(', '));
  for (const gpu of gpus) {
    lines.push(
      fields
        .map((field) => {
          const cell = cellFor(gpu, state, field, now);
          return format.units && cell.unit ? `${cell.value} ${cell.unit}` : cell.value;
        })
        .join(', '),
    );
  }
  return lines;
}
