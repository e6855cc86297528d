import type { GpuReading } from '@skyy/contracts';

/** One round of readings for all GPUs, and the GPUs that could not be read in it. */
export interface Sample {
  at: Date;
  readings: GpuReading[];
  failures: ReadingFailure[];
}

/** A GPU whose reading failed (NVML error, GPU lost, unparsable line). */
export interface ReadingFailure {
  uuid?: string;
  index?: number;
  reason: string;
}

export interface SourceListener {
  sample(sample: Sample): void;
  /** Something went wrong with the source itself (process died, hung, library error). */
  problem(message: string): void;
}

/**
 * Where readings come from: NVML polled in-process, or one long-running nvidia-smi. The agent
 * does not care which; it notices staleness itself from the time of the last sample.
 */
export interface ReadingSource {
  /** 'none': a host without NVIDIA GPUs (agent/bootstrap/no-gpus.ts). */
  readonly kind: 'nvml' | 'nvidia-smi' | 'none';
  start(listener: SourceListener): void;
  /** A new poll interval (hot-reloaded config). */
  setInterval(intervalMs: number): void;
  stop(): Promise<void>;
}
