import type { GpuReading } from '@skyy/contracts';
import { hexOrDecimalValue, mebibytesToBytes, numberValue, pstateValue, textValue } from './smi-values.ts';

/**
 * `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]` output. One line per GPU,
 * cells separated by `, `. With a header the field names come from it (units in brackets are
 * stripped: `fan.speed [%]` → `fan.speed`); without one the caller names the fields.
 */

/** The fields the agent's sampler asks for, in this order. */
export const SAMPLER_FIELDS = [
  'count',
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'temperature.gpu',
  'temperature.memory',
  'fan.speed',
  'power.draw',
  'power.limit',
  'enforced.power.limit',
  'power.default_limit',
  'power.min_limit',
  'power.max_limit',
  'utilization.gpu',
  'utilization.memory',
  'memory.total',
  'memory.used',
  'memory.free',
  'clocks.current.graphics',
  'clocks.current.sm',
  'clocks.current.memory',
  'clocks_event_reasons.active',
  'pstate',
] as const;

/** Older names nvidia-smi accepts for the same property (drivers before R535 only know these). */
export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  gpu_uuid: 'uuid',
  gpu_name: 'name',
  gpu_bus_id: 'pci.bus_id',
  'clocks_throttle_reasons.active': 'clocks_event_reasons.active',
  'clocks.gr': 'clocks.current.graphics',
  'clocks.sm': 'clocks.current.sm',
  'clocks.mem': 'clocks.current.memory',
  'gpu.power.requested_limit': 'power.limit',
  'gpu.power.current_limit': 'enforced.power.limit',
  'gpu.power.default_limit': 'power.default_limit',
};

export type QueryRecord = Readonly<Record<string, string>>;

export class CsvShapeError extends Error {
  constructor(
    readonly line: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`expected ${expected} cells, got ${actual}: ${line.slice(0, 120)}`);
    this.name = 'CsvShapeError';
  }
}

/** Splits one CSV line into trimmed cells. nvidia-smi never quotes; its values hold no commas. */
export function splitCsvLine(line: string): string[] {
  return line.split(',').map((cell) => cell.trim());
}

/** Field name of a header cell: `power.draw [W]` → `power.draw`, aliases mapped to the canonical name. */
export function headerField(cell: string): string {
  const name = cell.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
  return FIELD_ALIASES[name] ?? name;
}

/** One line → record, given the field names in order. Throws CsvShapeError when the cell count differs. */
export function parseQueryLine(line: string, fields: readonly string[]): QueryRecord {
  const cells = splitCsvLine(line);
  if (cells.length !== fields.length) throw new CsvShapeError(line, fields.length, cells.length);
  const record: Record<string, string> = {};
  fields.forEach((field, i) => {
    record[FIELD_ALIASES[field] ?? field] = cells[i] ?? '';
  });
  return record;
}

/**
 * A whole `--query-gpu` output. The header line (when present) names the fields; otherwise
 * `fields` must. Blank lines are skipped.
 */
export function parseQueryOutput(text: string, fields?: readonly string[]): QueryRecord[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) return [];
  let names = fields;
  let body = lines;
  const first = lines[0] ?? '';
  if (!names || looksLikeHeader(first, names)) {
    names = splitCsvLine(first).map(headerField);
    body = lines.slice(1);
  }
  const resolved = names;
  return body.map((line) => parseQueryLine(line, resolved));
}

function looksLikeHeader(line: string, fields: readonly string[]): boolean {
  const cells = splitCsvLine(line).map(headerField);
  return (
    cells.length === fields.length &&
    cells.every((cell, i) => cell === (FIELD_ALIASES[fields[i] ?? ''] ?? fields[i]))
  );
}

/**
 * The reading for one record, or undefined when the row cannot be keyed (no UUID or index):
 * a GPU is always identified by UUID because indexes can change at boot.
 */
export function readingFromRecord(record: QueryRecord, sampledAt: Date): GpuReading | undefined {
  const uuid = textValue(record['uuid']);
  const index = numberValue(record['index']);
  if (!uuid || index === undefined) return undefined;
  const fanSpeed = numberValue(record['fan.speed']);
  const clocksEventReasons = hexOrDecimalValue(record['clocks_event_reasons.active']);
  return compact({
    uuid,
    index,
    name: textValue(record['name']),
    pciBusId: textValue(record['pci.bus_id']),
    temperatureC: numberValue(record['temperature.gpu']),
    memoryTemperatureC: numberValue(record['temperature.memory']),
    // nvidia-smi reports one fan per GPU (fan 0); a passively cooled card reports [N/A].
    fans: fanSpeed === undefined ? [] : [{ fan: 0, speedPct: fanSpeed }],
    powerDrawW: numberValue(record['power.draw']) ?? numberValue(record['power.draw.instant']),
    powerLimitW: numberValue(record['power.limit']),
    enforcedPowerLimitW: numberValue(record['enforced.power.limit']),
    powerDefaultLimitW: numberValue(record['power.default_limit']),
    powerMinLimitW: numberValue(record['power.min_limit']),
    powerMaxLimitW: numberValue(record['power.max_limit']),
    utilizationGpuPct: numberValue(record['utilization.gpu']),
    utilizationMemoryPct: numberValue(record['utilization.memory']),
    memoryTotalBytes: mebibytesToBytes(numberValue(record['memory.total'])),
    memoryUsedBytes: mebibytesToBytes(numberValue(record['memory.used'])),
    memoryFreeBytes: mebibytesToBytes(numberValue(record['memory.free'])),
    clockGraphicsMhz: numberValue(record['clocks.current.graphics']),
    clockSmMhz: numberValue(record['clocks.current.sm']),
    clockMemoryMhz: numberValue(record['clocks.current.memory']),
    clocksEventReasons,
    pstate: pstateValue(record['pstate']),
    sampledAt: sampledAt.toISOString(),
  });
}

/** Drops undefined properties so that JSON and equality checks see "absent", not "undefined". */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
