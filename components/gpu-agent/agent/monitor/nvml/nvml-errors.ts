/**
 * NVML return codes (nvml.h, nvmlReturn_t) and what each means for the agent. A value the card
 * does not support is "absent"; a lost GPU or an unknown error is a failed reading, which drives
 * that GPU's fans to 100 %.
 */

export const NVML_RETURN: Readonly<Record<number, { name: string; message: string }>> = {
  0: { name: 'NVML_SUCCESS', message: 'success' },
  1: { name: 'NVML_ERROR_UNINITIALIZED', message: 'NVML was not initialized' },
  2: { name: 'NVML_ERROR_INVALID_ARGUMENT', message: 'invalid argument (value out of the allowed range?)' },
  3: { name: 'NVML_ERROR_NOT_SUPPORTED', message: 'not supported by this GPU' },
  4: { name: 'NVML_ERROR_NO_PERMISSION', message: 'no permission (writes need root)' },
  5: { name: 'NVML_ERROR_ALREADY_INITIALIZED', message: 'already initialized' },
  6: { name: 'NVML_ERROR_NOT_FOUND', message: 'not found' },
  7: { name: 'NVML_ERROR_INSUFFICIENT_SIZE', message: 'buffer too small' },
  8: { name: 'NVML_ERROR_INSUFFICIENT_POWER', message: 'external power cables not connected properly' },
  9: { name: 'NVML_ERROR_DRIVER_NOT_LOADED', message: 'NVIDIA driver is not loaded' },
  10: { name: 'NVML_ERROR_TIMEOUT', message: 'timed out' },
  11: { name: 'NVML_ERROR_IRQ_ISSUE', message: 'interrupt request issue' },
  12: { name: 'NVML_ERROR_LIBRARY_NOT_FOUND', message: 'NVML shared library not found' },
  13: { name: 'NVML_ERROR_FUNCTION_NOT_FOUND', message: 'function not found in this driver' },
  14: { name: 'NVML_ERROR_CORRUPTED_INFOROM', message: 'infoROM is corrupted' },
  15: { name: 'NVML_ERROR_GPU_IS_LOST', message: 'GPU is lost (fell off the bus); reboot to recover' },
  16: { name: 'NVML_ERROR_RESET_REQUIRED', message: 'GPU needs a reset' },
  17: { name: 'NVML_ERROR_OPERATING_SYSTEM', message: 'operating system call failed' },
  18: {
    name: 'NVML_ERROR_LIB_RM_VERSION_MISMATCH',
    message: 'driver and NVML library versions differ (reboot after a driver update)',
  },
  19: { name: 'NVML_ERROR_IN_USE', message: 'in use by another process' },
  20: { name: 'NVML_ERROR_MEMORY', message: 'insufficient memory' },
  21: { name: 'NVML_ERROR_NO_DATA', message: 'no data' },
  22: { name: 'NVML_ERROR_VGPU_ECC_NOT_ENABLED', message: 'vGPU ECC not enabled' },
  23: { name: 'NVML_ERROR_INSUFFICIENT_RESOURCES', message: 'insufficient resources' },
  24: { name: 'NVML_ERROR_FREQ_NOT_SUPPORTED', message: 'frequency not supported' },
  25: { name: 'NVML_ERROR_ARGUMENT_VERSION_MISMATCH', message: 'argument version mismatch' },
  26: { name: 'NVML_ERROR_DEPRECATED', message: 'deprecated' },
  27: { name: 'NVML_ERROR_NOT_READY', message: 'not ready' },
  28: { name: 'NVML_ERROR_GPU_NOT_FOUND', message: 'GPU not found' },
  29: { name: 'NVML_ERROR_INVALID_STATE', message: 'invalid state' },
  999: { name: 'NVML_ERROR_UNKNOWN', message: 'unknown error' },
};

export class NvmlError extends Error {
  constructor(
    readonly code: number,
    readonly fn: string,
  ) {
    super(`${fn}: ${describeNvmlReturn(code)}`);
    this.name = 'NvmlError';
  }
}

export function describeNvmlReturn(code: number): string {
  const known = NVML_RETURN[code];
  return known ? `${known.name} (${known.message})` : `NVML return code ${code}`;
}

/** The NVML return code carried by an error from the real binding or from the simulator's fake. */
export function nvmlCodeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** Codes meaning "this card does not have it": the value is absent, the reading is still good. */
const ABSENT_CODES = new Set([3, 4, 13, 26]);

export function isAbsentCode(code: number | undefined): boolean {
  return code !== undefined && ABSENT_CODES.has(code);
}

export function errorMessage(error: unknown): string {
  const code = nvmlCodeOf(error);
  if (code !== undefined && !(error instanceof NvmlError)) {
    const fn =
      typeof error === 'object' && error !== null && 'fn' in error
        ? String((error as { fn: unknown }).fn)
        : 'NVML';
    return `${fn}: ${describeNvmlReturn(code)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
