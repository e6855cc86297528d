import { captureFiles, findSection, readCapture } from './captures.ts';
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

/**
 * `nvidia-smi -q`: the card's recorded `-q` output with the live values of the model written
 * over it, so everything the model does not know (VBIOS, PCIe, ECC, …) stays as the real card
 * printed it.
 */

function templateFor(gpu: SimGpu): string {
  const file = captureFiles().find((f) => gpu.capture && f.endsWith(gpu.capture)) ?? captureFiles()[0] ?? '';
  return findSection(readCapture(file), 'idle', 'nvidia-smi -q')?.body ?? '';
}

const active = (on: boolean) => (on ? 'Active' : 'Not Active');

function liveValues(gpu: SimGpu): Map<string, string> {
  const reasons = clockEventReasons(gpu);
  const used = memoryUsedMiB(gpu);
  const w = (n: number) => `${n.toFixed(2)} W`;
  return new Map([
    ['Product Name', gpu.name],
    ['GPU UUID', gpu.uuid],
    ['Minor Number', String(gpu.index)],
    ['PCI/Bus Id', gpu.pciBusId],
    ['Fan Speed', gpu.fans[0] ? `${Math.round(gpu.fans[0].speedPct)} %` : 'N/A'],
    ['Performance State', `P${pstate(gpu)}`],
    ['Clocks Event Reasons/Idle', active((reasons & REASON.gpuIdle) !== 0)],
    ['Clocks Event Reasons/SW Power Cap', active((reasons & REASON.swPowerCap) !== 0)],
    ['Clocks Event Reasons/HW Slowdown', active((reasons & REASON.hwThermalSlowdown) !== 0)],
    [
      'Clocks Event Reasons/HW Slowdown/HW Thermal Slowdown',
      active((reasons & REASON.hwThermalSlowdown) !== 0),
    ],
    ['FB Memory Usage/Used', `${used} MiB`],
    ['FB Memory Usage/Free', `${gpu.memoryTotalMiB - used} MiB`],
    ['Utilization/GPU', `${utilizationPct(gpu)} %`],
    ['Utilization/Memory', `${Math.round(utilizationPct(gpu) * 0.4)} %`],
    ['Temperature/GPU Current Temp', `${Math.round(gpu.temperatureC)} C`],
    ['Temperature/GPU Shutdown Temp', `${gpu.shutdownTempC} C`],
    ['Temperature/GPU Slowdown Temp', `${gpu.slowdownTempC} C`],
    ['GPU Power Readings/Instantaneous Power Draw', w(gpu.powerDrawW)],
    ['GPU Power Readings/Current Power Limit', w(gpu.powerLimitW)],
    ['GPU Power Readings/Requested Power Limit', w(gpu.powerLimitW)],
    ['GPU Power Readings/Default Power Limit', w(gpu.defaultPowerLimitW)],
    ['GPU Power Readings/Min Power Limit', w(gpu.minPowerLimitW)],
    ['GPU Power Readings/Max Power Limit', w(gpu.maxPowerLimitW)],
    ['Clocks/Graphics', `${graphicsClockMhz(gpu)} MHz`],
    ['Clocks/SM', `${graphicsClockMhz(gpu)} MHz`],
    ['Clocks/Memory', `${memoryClockMhz(gpu)} MHz`],
  ]);
}

/** Rewrites `Key : value` lines whose section path is in `values`; keeps everything else. */
function overwrite(lines: string[], values: Map<string, string>): string[] {
  const stack: { indent: number; key: string }[] = [];
  return lines.map((line) => {
    const indent = line.length - line.trimStart().length;
    const colon = line.indexOf(' : ');
    const key = (colon >= 0 ? line.slice(0, colon) : line).trim();
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) stack.pop();
    // The GPU header line is the root of the per-GPU tree; paths start below it.
    const path = [...stack.slice(1).map((s) => s.key), key].join('/');
    stack.push({ indent, key });
    const replacement = values.get(path);
    if (colon < 0 || replacement === undefined) return line;
    // "Average Power Draw : N/A" stays N/A on cards that do not report it.
    const current = line.slice(colon + 3).trim();
    if (current === 'N/A' && path.includes('Power Draw')) return line;
    return `${line.slice(0, colon + 3)}${replacement}`;
  });
}

export function renderQueryText(state: SimState, gpus: readonly SimGpu[], now: Date): string {
  const out: string[] = ['', '==============NVSMI LOG==============', ''];
  const pad = (key: string) => key.padEnd(55);
  out.push(`${pad('Timestamp')}: ${now.toString().slice(0, 24)}`);
  out.push(`${pad('Driver Version')}: ${state.driverVersion}`);
  out.push(`${pad('CUDA Version')}: ${state.cudaVersion}`);
  out.push('');
  out.push(`${pad('Attached GPUs')}: ${state.gpus.length}`);
  for (const gpu of gpus) {
    const template = templateFor(gpu).split('\n');
    const start = template.findIndex((line) => /^GPU [0-9A-F]+:/.test(line));
    const body = template.slice(start >= 0 ? start : 0);
    const rewritten = overwrite(body, liveValues(gpu));
    rewritten[0] = `GPU ${gpu.pciBusId}`;
    while (rewritten.length > 0 && (rewritten[rewritten.length - 1] ?? '').trim() === '') rewritten.pop();
    out.push(...rewritten, '');
  }
  return `${out.join('\n')}\n`;
}
