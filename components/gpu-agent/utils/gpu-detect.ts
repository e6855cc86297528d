import type { GpuReading } from '@skyy/contracts';
import { loadNvml } from '../agent/monitor/nvml/koffi-nvml.ts';
import { errorMessage, nvmlCodeOf } from '../agent/monitor/nvml/nvml-errors.ts';
import type { NvmlLibrary } from '../agent/monitor/nvml/nvml-library.ts';
import { readAllGpus } from '../agent/monitor/nvml/nvml-reader.ts';
import type { Sample } from '../agent/monitor/reading-source.ts';
import { parseQueryLine, readingFromRecord, SAMPLER_FIELDS } from '../agent/monitor/smi-csv.ts';
import { textValue } from '../agent/monitor/smi-values.ts';
import type { CommandRunner } from './runner.ts';

/**
 * What this host has: GPUs (by UUID) with their fans and power limit ranges, the driver version,
 * and which control path works — NVML (driver ≥ R520 sets fans without X), NVML for power plus
 * nvidia-settings for fans, or nvidia-smi + nvidia-settings on old drivers.
 */

export type ReadingPath = 'nvml' | 'nvidia-smi' | 'none';
export type FanPath = 'nvml' | 'nvidia-settings' | 'none';

export interface DetectReport {
  driverVersion?: string;
  reading: ReadingPath;
  fans: FanPath;
  power: 'nvml' | 'nvidia-smi' | 'none';
  nvml: { available: boolean; reason?: string };
  nvidiaSmi: { path: string; available: boolean; reason?: string };
  nvidiaSettings: { path: string; available: boolean; reason?: string };
  gpus: {
    index: number;
    uuid: string;
    name?: string;
    pciBusId?: string;
    fans: number;
    fanRangePct?: [number, number];
    powerLimitsW?: { min?: number; default?: number; max?: number; current?: number };
    temperatureC?: number;
  }[];
  notes: string[];
}

export interface DetectOptions {
  source: 'auto' | 'nvml' | 'nvidia-smi';
  nvidiaSmi: string;
  nvidiaSettings: string;
  display: string;
  nvmlLibrary?: string;
  runner: CommandRunner;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface Detection {
  report: DetectReport;
  nvml?: NvmlLibrary;
  /** The readings taken while detecting, to start the control loop with. */
  sample?: Sample;
}

const FAN_FUNCTIONS_MIN_DRIVER = 520;

export async function detectGpus(options: DetectOptions): Promise<Detection> {
  const now = options.now ?? (() => new Date());
  const env = options.env ? { env: options.env } : {};
  const report: DetectReport = {
    reading: 'none',
    fans: 'none',
    power: 'none',
    nvml: { available: false },
    nvidiaSmi: { path: options.nvidiaSmi, available: false },
    nvidiaSettings: { path: options.nvidiaSettings, available: false },
    gpus: [],
    notes: [],
  };
  let nvml: NvmlLibrary | undefined;
  let sample: Sample | undefined;

  if (options.source !== 'nvidia-smi') {
    try {
      nvml = await loadNvml(options.nvmlLibrary);
      report.nvml.available = true;
      report.driverVersion = nvml.systemGetDriverVersion();
      sample = readAllGpus(nvml, now());
      report.reading = 'nvml';
      report.power = 'nvml';
      const first = sample.readings[0] ? nvml.deviceGetHandleByIndex(sample.readings[0].index) : undefined;
      report.fans = 'nvml';
      if (first !== undefined) {
        try {
          nvml.deviceGetNumFans(first);
        } catch (error) {
          if (nvmlCodeOf(error) === 13) report.fans = 'none';
        }
      }
    } catch (error) {
      report.nvml.reason = errorMessage(error);
      nvml = undefined;
    }
  }

  if (!nvml && options.source !== 'nvml') {
    const fields = [...SAMPLER_FIELDS, 'driver_version'];
    const result = await options.runner.run(
      options.nvidiaSmi,
      [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'],
      {
        timeoutMs: 20_000,
        ...env,
      },
    );
    if (result.code === 0) {
      report.nvidiaSmi.available = true;
      report.reading = 'nvidia-smi';
      report.power = 'nvidia-smi';
      const at = now();
      const readings: GpuReading[] = [];
      for (const line of result.stdout.split('\n').filter((l) => l.trim() !== '')) {
        try {
          const record = parseQueryLine(line, fields);
          report.driverVersion ??= textValue(record['driver_version']);
          const reading = readingFromRecord(record, at);
          if (reading) readings.push(reading);
        } catch (error) {
          report.notes.push(`unparsable nvidia-smi line: ${errorMessage(error)}`);
        }
      }
      sample = { at, readings, failures: [] };
    } else {
      report.nvidiaSmi.reason =
        (result.stderr || result.stdout).trim().split('\n').pop() ?? `exit ${result.code}`;
    }
  }

  const settings = await options.runner.run(options.nvidiaSettings, ['-c', options.display, '-q', 'fans'], {
    timeoutMs: 10_000,
    ...env,
  });
  report.nvidiaSettings.available = settings.code === 0;
  if (settings.code !== 0)
    report.nvidiaSettings.reason =
      (settings.stderr || settings.stdout).trim().split('\n').pop() ?? `exit ${settings.code}`;
  if (report.fans === 'none' && report.nvidiaSettings.available) report.fans = 'nvidia-settings';

  const major = Number((report.driverVersion ?? '').split('.')[0]);
  if (report.reading !== 'none' && Number.isFinite(major) && major > 0 && major < FAN_FUNCTIONS_MIN_DRIVER) {
    report.notes.push(
      `driver ${report.driverVersion} is older than R${FAN_FUNCTIONS_MIN_DRIVER}: NVML cannot set fan speeds; fans need nvidia-settings on a headless X server with Coolbits (systemd/xorg-headless.service)`,
    );
  }
  if (report.reading === 'none')
    report.notes.push('no GPU readings: neither NVML nor nvidia-smi works on this host');
  if (report.fans === 'none' && report.reading !== 'none') {
    report.notes.push(
      'no fan control path: fans stay on the driver curve (NVML fan functions missing and nvidia-settings unusable)',
    );
  }

  for (const reading of sample?.readings ?? []) {
    report.gpus.push({
      index: reading.index,
      uuid: reading.uuid,
      ...(reading.name ? { name: reading.name } : {}),
      ...(reading.pciBusId ? { pciBusId: reading.pciBusId } : {}),
      fans: reading.fans.length,
      ...(reading.fanMinPct !== undefined && reading.fanMaxPct !== undefined
        ? { fanRangePct: [reading.fanMinPct, reading.fanMaxPct] as [number, number] }
        : {}),
      powerLimitsW: {
        ...(reading.powerMinLimitW !== undefined ? { min: reading.powerMinLimitW } : {}),
        ...(reading.powerDefaultLimitW !== undefined ? { default: reading.powerDefaultLimitW } : {}),
        ...(reading.powerMaxLimitW !== undefined ? { max: reading.powerMaxLimitW } : {}),
        ...(reading.powerLimitW !== undefined ? { current: reading.powerLimitW } : {}),
      },
      ...(reading.temperatureC !== undefined ? { temperatureC: reading.temperatureC } : {}),
    });
  }
  return { report, ...(nvml ? { nvml } : {}), ...(sample ? { sample } : {}) };
}

export function formatDetectReport(report: DetectReport): string {
  const lines = [
    `driver:          ${report.driverVersion ?? 'unknown'}`,
    `readings:        ${report.reading}${report.nvml.reason && report.reading !== 'nvml' ? ` (NVML: ${report.nvml.reason})` : ''}`,
    `fan control:     ${report.fans}`,
    `power control:   ${report.power}`,
    `nvidia-settings: ${report.nvidiaSettings.available ? 'usable' : `not usable${report.nvidiaSettings.reason ? ` (${report.nvidiaSettings.reason})` : ''}`}`,
    `GPUs:            ${report.gpus.length}`,
  ];
  for (const gpu of report.gpus) {
    const power = gpu.powerLimitsW;
    lines.push(
      `  [${gpu.index}] ${gpu.name ?? '?'} ${gpu.uuid} ${gpu.pciBusId ?? ''}`.trimEnd(),
      `      fans ${gpu.fans}${gpu.fanRangePct ? ` (${gpu.fanRangePct[0]}–${gpu.fanRangePct[1]} %)` : ''}, power ${power?.min ?? '?'}–${power?.max ?? '?'} W (default ${power?.default ?? '?'} W, now ${power?.current ?? '?'} W), ${gpu.temperatureC ?? '?'} °C`,
    );
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
