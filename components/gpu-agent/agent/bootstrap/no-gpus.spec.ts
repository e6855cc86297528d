import { describe, expect, it } from 'vitest';
import type { DetectReport } from '../../utils/gpu-detect.ts';
import { noGpuReason } from './no-gpus.ts';

function report(overrides: {
  reading?: DetectReport['reading'];
  gpus?: number;
  nvml?: DetectReport['nvml'];
  nvidiaSmi?: Partial<DetectReport['nvidiaSmi']>;
}): DetectReport {
  return {
    reading: overrides.reading ?? 'none',
    fans: 'none',
    power: 'none',
    nvml: overrides.nvml ?? { available: false },
    nvidiaSmi: { path: 'nvidia-smi', available: false, ...overrides.nvidiaSmi },
    nvidiaSettings: { path: 'nvidia-settings', available: false },
    gpus: Array.from({ length: overrides.gpus ?? 0 }, (_, index) => ({
      index,
      uuid: `GPU-${index}`,
      fans: 1,
    })),
    notes: [],
  };
}

const libMissing = {
  available: false,
  reason: 'libnvidia-ml.so.1 could not be opened: libnvidia-ml.so.1: cannot open shared object file',
};

describe('noGpuReason: a host without NVIDIA GPUs, told apart from a GPU host whose tools fail', () => {
  it.each([
    ['GPUs found', report({ reading: 'nvml', gpus: 2 }), undefined],
    [
      'NVML works and counts none',
      report({ reading: 'nvml', nvml: { available: true } }),
      'nvml reports no GPUs',
    ],
    [
      'nvidia-smi: No devices were found (exit 6)',
      report({ nvml: libMissing, nvidiaSmi: { reason: 'No devices were found' } }),
      'nvidia-smi: No devices were found',
    ],
    [
      'driver not loaded (nvidia-smi)',
      report({
        nvidiaSmi: {
          reason:
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
        },
      }),
      'the NVIDIA driver is not loaded',
    ],
    [
      'driver not loaded (NVML, --source nvml)',
      report({ nvml: { available: false, reason: 'nvmlInit_v2 failed: NVIDIA driver is not loaded' } }),
      'the NVIDIA driver is not loaded',
    ],
    [
      'no driver installed: neither libnvidia-ml nor nvidia-smi',
      report({ nvml: libMissing, nvidiaSmi: { reason: 'spawn nvidia-smi ENOENT' } }),
      'no NVIDIA driver (neither nvidia-smi nor libnvidia-ml found)',
    ],
    // Failures, not absence: GPUs may be there, at the last fan speed written.
    [
      'an --nvidia-smi path that does not exist (NVML not tried)',
      report({ nvidiaSmi: { reason: 'spawn /opt/nvidia-smi ENOENT' } }),
      undefined,
    ],
    [
      'nvidia-smi fails on a GPU',
      report({
        nvml: libMissing,
        nvidiaSmi: { reason: 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error' },
      }),
      undefined,
    ],
    [
      'nvidia-smi killed after its timeout, silent',
      report({ nvml: libMissing, nvidiaSmi: { reason: '' } }),
      undefined,
    ],
    [
      'NVML missing, nvidia-smi not tried (--source nvml)',
      report({ nvml: libMissing }),
      'no NVIDIA driver (neither nvidia-smi nor libnvidia-ml found)',
    ],
  ])('%s', (_what, detected, expected) => {
    expect(noGpuReason(detected)).toBe(expected);
  });
});
