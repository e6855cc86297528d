import type { GpuReading } from '@skyy/contracts';
import { compact } from './smi-csv.ts';
import { mebibytesToBytes, numberValue, pstateValue, textValue } from './smi-values.ts';

/**
 * `nvidia-smi -q` text: an indented tree of `Key : value` lines and section headers, one
 * `GPU <bus id>` section per GPU. Used for detection (what a card can do: power limit range,
 * whether it has a fan, its own slowdown/shutdown temperatures), not for the control loop.
 */

export interface QueryNode {
  key: string;
  value?: string;
  children: QueryNode[];
}

export interface SmiQueryGpu {
  pciBusId: string;
  name?: string;
  uuid?: string;
  minorNumber?: number;
  /** nvidia-smi shows one fan speed per GPU; 0 fans when it is N/A (passively cooled card). */
  fanCount: number;
  fanSpeedPct?: number;
  pstate?: number;
  temperatureC?: number;
  memoryTemperatureC?: number;
  shutdownTempC?: number;
  slowdownTempC?: number;
  maxOperatingTempC?: number;
  targetTempC?: number;
  powerDrawW?: number;
  powerLimitW?: number;
  powerDefaultLimitW?: number;
  powerMinLimitW?: number;
  powerMaxLimitW?: number;
  memoryTotalBytes?: number;
  memoryUsedBytes?: number;
  memoryFreeBytes?: number;
  utilizationGpuPct?: number;
  utilizationMemoryPct?: number;
  clockGraphicsMhz?: number;
  clockSmMhz?: number;
  clockMemoryMhz?: number;
  /** Clock event reason name → active, as listed under "Clocks Event Reasons" (or the older "Clocks Throttle Reasons"). */
  clockEventReasons: Record<string, boolean>;
}

export interface SmiQueryReport {
  driverVersion?: string;
  cudaVersion?: string;
  attachedGpus?: number;
  gpus: SmiQueryGpu[];
}

/** Parses the indentation tree. Lines without a colon are section headers. */
export function parseQueryTree(text: string): QueryNode[] {
  const roots: QueryNode[] = [];
  const stack: { indent: number; node: QueryNode }[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    if (rawLine.trim() === '' || /^=+.*=+$/.test(rawLine.trim())) continue;
    const indent = rawLine.length - rawLine.trimStart().length;
    const line = rawLine.trim();
    const colon = line.indexOf(' : ');
    const node: QueryNode =
      colon >= 0
        ? { key: line.slice(0, colon).trim(), value: line.slice(colon + 3).trim(), children: [] }
        : { key: line.replace(/\s*:$/, ''), children: [] };
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) stack.pop();
    const parent = stack[stack.length - 1];
    (parent ? parent.node.children : roots).push(node);
    stack.push({ indent, node });
  }
  return roots;
}

function child(node: QueryNode | undefined, ...path: string[]): QueryNode | undefined {
  let current = node;
  for (const key of path) {
    current = current?.children.find((c) => c.key === key);
    if (!current) return undefined;
  }
  return current;
}

function value(node: QueryNode | undefined, ...path: string[]): string | undefined {
  return child(node, ...path)?.value;
}

/** First section among `names` that exists (drivers renamed several sections over time). */
function section(node: QueryNode, ...names: string[]): QueryNode | undefined {
  for (const name of names) {
    const found = child(node, name);
    if (found) return found;
  }
  return undefined;
}

export function parseQueryText(text: string): SmiQueryReport {
  const roots = parseQueryTree(text);
  const top = (key: string) => roots.find((node) => node.key === key)?.value;
  const gpus = roots
    .filter((node) => /^GPU [0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\.\d$/.test(node.key))
    .map(gpuFromNode);
  return {
    driverVersion: textValue(top('Driver Version')),
    cudaVersion: textValue(top('CUDA Version')),
    attachedGpus: numberValue(top('Attached GPUs')),
    gpus,
  };
}

function gpuFromNode(node: QueryNode): SmiQueryGpu {
  const temperature = child(node, 'Temperature');
  const power = section(node, 'GPU Power Readings', 'Power Readings');
  const memory = child(node, 'FB Memory Usage');
  const clocks = child(node, 'Clocks');
  const utilization = child(node, 'Utilization');
  const reasons = section(node, 'Clocks Event Reasons', 'Clocks Throttle Reasons');
  const fanSpeedPct = numberValue(value(node, 'Fan Speed'));
  const clockEventReasons: Record<string, boolean> = {};
  const visit = (parent: QueryNode) => {
    for (const reason of parent.children) {
      if (reason.value === 'Active' || reason.value === 'Not Active') {
        clockEventReasons[reason.key] = reason.value === 'Active';
      }
      visit(reason);
    }
  };
  if (reasons) visit(reasons);
  return compact({
    pciBusId: node.key.slice('GPU '.length),
    name: textValue(value(node, 'Product Name')),
    uuid: textValue(value(node, 'GPU UUID')),
    minorNumber: numberValue(value(node, 'Minor Number')),
    fanCount: fanSpeedPct === undefined ? 0 : 1,
    fanSpeedPct,
    pstate: pstateValue(value(node, 'Performance State')),
    temperatureC: numberValue(value(temperature, 'GPU Current Temp')),
    memoryTemperatureC: numberValue(value(temperature, 'Memory Current Temp')),
    shutdownTempC: numberValue(value(temperature, 'GPU Shutdown Temp')),
    slowdownTempC: numberValue(value(temperature, 'GPU Slowdown Temp')),
    maxOperatingTempC: numberValue(value(temperature, 'GPU Max Operating Temp')),
    targetTempC: numberValue(value(temperature, 'GPU Target Temperature')),
    powerDrawW:
      numberValue(value(power, 'Average Power Draw')) ??
      numberValue(value(power, 'Instantaneous Power Draw')) ??
      numberValue(value(power, 'Power Draw')),
    powerLimitW: numberValue(value(power, 'Current Power Limit')) ?? numberValue(value(power, 'Power Limit')),
    powerDefaultLimitW: numberValue(value(power, 'Default Power Limit')),
    powerMinLimitW: numberValue(value(power, 'Min Power Limit')),
    powerMaxLimitW: numberValue(value(power, 'Max Power Limit')),
    memoryTotalBytes: mebibytesToBytes(numberValue(value(memory, 'Total'))),
    memoryUsedBytes: mebibytesToBytes(numberValue(value(memory, 'Used'))),
    memoryFreeBytes: mebibytesToBytes(numberValue(value(memory, 'Free'))),
    utilizationGpuPct: numberValue(value(utilization, 'GPU')),
    utilizationMemoryPct: numberValue(value(utilization, 'Memory')),
    clockGraphicsMhz: numberValue(value(clocks, 'Graphics')),
    clockSmMhz: numberValue(value(clocks, 'SM')),
    clockMemoryMhz: numberValue(value(clocks, 'Memory')),
    clockEventReasons,
  });
}

/** NVML bit of each reason name shown by `nvidia-smi -q` (nvml.h nvmlClocksEventReason*). */
const REASON_BITS: Readonly<Record<string, number>> = {
  Idle: 0x1,
  'Applications Clocks Setting': 0x2,
  'SW Power Cap': 0x4,
  'HW Slowdown': 0x8,
  'Sync Boost': 0x10,
  'SW Thermal Slowdown': 0x20,
  'HW Thermal Slowdown': 0x40,
  'HW Power Brake Slowdown': 0x80,
  'Display Clock Setting': 0x100,
};

/** A reading from `-q` text, for one-shot detection without the sampler. */
export function readingFromQueryGpu(
  gpu: SmiQueryGpu,
  index: number,
  sampledAt: Date,
): GpuReading | undefined {
  if (!gpu.uuid) return undefined;
  let mask = 0;
  for (const [name, active] of Object.entries(gpu.clockEventReasons)) {
    if (active) mask |= REASON_BITS[name] ?? 0;
  }
  return compact({
    uuid: gpu.uuid,
    index: gpu.minorNumber ?? index,
    name: gpu.name,
    pciBusId: gpu.pciBusId,
    temperatureC: gpu.temperatureC,
    memoryTemperatureC: gpu.memoryTemperatureC,
    fans: gpu.fanSpeedPct === undefined ? [] : [{ fan: 0, speedPct: gpu.fanSpeedPct }],
    powerDrawW: gpu.powerDrawW,
    powerLimitW: gpu.powerLimitW,
    powerDefaultLimitW: gpu.powerDefaultLimitW,
    powerMinLimitW: gpu.powerMinLimitW,
    powerMaxLimitW: gpu.powerMaxLimitW,
    utilizationGpuPct: gpu.utilizationGpuPct,
    utilizationMemoryPct: gpu.utilizationMemoryPct,
    memoryTotalBytes: gpu.memoryTotalBytes,
    memoryUsedBytes: gpu.memoryUsedBytes,
    memoryFreeBytes: gpu.memoryFreeBytes,
    clockGraphicsMhz: gpu.clockGraphicsMhz,
    clockSmMhz: gpu.clockSmMhz,
    clockMemoryMhz: gpu.clockMemoryMhz,
    clocksEventReasons: Object.keys(gpu.clockEventReasons).length > 0 ? mask : undefined,
    pstate: gpu.pstate,
    sampledAt: sampledAt.toISOString(),
  });
}
