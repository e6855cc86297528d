import type { DetectReport } from '../../utils/gpu-detect.ts';
import type { ReadingSource } from '../monitor/reading-source.ts';

/**
 * Hosts without NVIDIA GPUs. The agent also runs the chassis fans (agent/chassis/), so it is
 * installed on hosts that have no GPU, or no NVIDIA driver. There the GPU side has nothing to
 * control: no reader to restart over and over, no fail-safe, nothing for `restore` to hand back.
 *
 * That is told apart from a GPU host whose tools fail (a hung nvidia-smi, an NVML error): those
 * stay failures, since GPUs may be there and running at the last fan speed written.
 */

/** Why this host has no NVIDIA GPU to control, or undefined when it may have one. */
export function noGpuReason(report: DetectReport): string | undefined {
  if (report.gpus.length > 0) return undefined;
  if (report.reading !== 'none') return `${report.reading} reports no GPUs`;
  const smi = report.nvidiaSmi.reason ?? '';
  const nvml = report.nvml.reason ?? '';
  // The real nvidia-smi with the driver loaded and no GPU: "No devices were found", exit 6.
  if (/No devices were found/i.test(smi)) return 'nvidia-smi: No devices were found';
  if (/couldn't communicate with the NVIDIA driver/i.test(smi) || /driver is not loaded/i.test(nvml))
    return 'the NVIDIA driver is not loaded';
  // Both absent: the driver is not installed. One of them alone (a --nvidia-smi path that does not
  // exist, NVML not tried) is more likely a mistake on a GPU host, and stays a failure.
  const smiNotTried = report.nvidiaSmi.reason === undefined && !report.nvidiaSmi.available;
  const smiMissing = /\bENOENT\b/.test(smi) || smiNotTried;
  const nvmlMissing =
    !report.nvml.available && /could not be opened|could not load|library not found/i.test(nvml);
  if (smiMissing && nvmlMissing) return 'no NVIDIA driver (neither nvidia-smi nor libnvidia-ml found)';
  return undefined;
}

/** The GPU reading source of a host without GPUs: nothing to read, never stale. */
export class NoGpuSource implements ReadingSource {
  readonly kind = 'none' as const;

  start(): void {
    // Nothing to read: the agent's GPU loop steps over an empty set of GPUs.
  }

  setInterval(): void {
    // No reader to re-time.
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
