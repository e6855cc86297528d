import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNvml, NvmlUnavailableError } from './koffi-nvml.ts';
import type { NvmlLibrary } from './nvml-library.ts';
import { readAllGpus } from './nvml-reader.ts';
import { buildFakeNvml, type FakeNvml } from './testdata/fake-nvml.ts';

/**
 * The koffi binding against a stand-in libnvidia-ml built from testdata/fake-libnvidia-ml.c with
 * nvml.h's prototypes and layouts (needs a C compiler, `cc`). The real library is only on GPU hosts.
 */
describe('koffi NVML binding', () => {
  let fake: FakeNvml;
  let nvml: NvmlLibrary;

  beforeAll(async () => {
    fake = buildFakeNvml();
    nvml = await loadNvml(fake.library);
  });
  afterAll(() => fake.remove());

  it('reads strings, structs, out parameters and 64-bit values', () => {
    expect(nvml.systemGetDriverVersion()).toBe('595.71.05');
    const sample = readAllGpus(nvml, new Date('2026-11-27T10:00:00Z'));
    expect(sample.readings[0]).toMatchObject({
      uuid: 'GPU-c0ffee00-0000-4000-8000-000000000000',
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      pciBusId: '00000000:0C:00.0',
      temperatureC: 47,
      fans: [
        { fan: 0, speedPct: 40 },
        { fan: 1, speedPct: 41 },
      ],
      fanMinPct: 30,
      fanMaxPct: 100,
      powerDrawW: 111.5,
      powerLimitW: 250,
      powerMinLimitW: 105,
      powerMaxLimitW: 350,
      utilizationGpuPct: 98,
      memoryTotalBytes: 8 * 2 ** 30,
      memoryUsedBytes: 5 * 2 ** 30,
      clockMemoryMhz: 7500,
      pstate: 2,
    });
  });

  it('reads the memory temperature from nvmlDeviceGetFieldValues, absent where the field has none', () => {
    const sample = readAllGpus(nvml, new Date());
    // GPU 0 answers as an unsigned int, GPU 2 as a signed 64-bit value; GPU 1 says NOT_SUPPORTED.
    expect(sample.readings.map((r) => r.memoryTemperatureC)).toEqual([62, undefined, 71]);
    expect(sample.readings[1]).not.toHaveProperty('memoryTemperatureC');
    // A board without the field is not a failed reading.
    expect(sample.failures.map((f) => f.index)).toEqual([1]);
  });

  it('makes the same calls on a worker thread, with the same results and errors', async () => {
    const callAsync = nvml.callAsync;
    if (!callAsync) throw new Error('the koffi binding has no asynchronous calls');
    const device = await callAsync('deviceGetHandleByIndex', 2);
    expect(await callAsync('deviceGetUUID', device)).toBe('GPU-c0ffee00-0000-4000-8000-000000000002');
    expect(await callAsync('deviceGetMemoryInfo', device)).toEqual({
      total: 8 * 2 ** 30,
      used: 5 * 2 ** 30,
      free: 3 * 2 ** 30,
    });
    expect(await callAsync('deviceGetMemoryTemperature', device)).toBe(71);
    await callAsync('deviceSetFanSpeed', device, 0, 90);
    expect(nvml.deviceGetFanSpeed(device, 0)).toBe(90);
    const broken = await callAsync('deviceGetHandleByIndex', 1);
    await expect(callAsync('deviceGetTemperature', broken)).rejects.toThrow(
      'nvmlDeviceGetTemperature: NVML_ERROR_UNKNOWN (unknown error)',
    );
    await expect(callAsync('deviceGetMemoryTemperature', broken)).rejects.toMatchObject({ code: 3 });
  });

  it('falls back to the older symbol name when the newer one is missing', () => {
    const sample = readAllGpus(nvml, new Date());
    expect(sample.readings[0]?.clocksEventReasons).toBe(4);
  });

  it('turns a non-zero return into an error naming the NVML function and code', () => {
    const sample = readAllGpus(nvml, new Date());
    expect(sample.readings[1]).not.toHaveProperty('temperatureC');
    expect(sample.failures[0]?.reason).toBe('nvmlDeviceGetTemperature: NVML_ERROR_UNKNOWN (unknown error)');
  });

  it('writes fan speeds and power limits, and refuses values out of range', () => {
    const device = nvml.deviceGetHandleByIndex(0);
    nvml.deviceSetFanSpeed(device, 1, 85);
    nvml.deviceSetPowerManagementLimitMw(device, 200_000);
    expect(nvml.deviceGetFanSpeed(device, 1)).toBe(85);
    expect(nvml.deviceGetPowerManagementLimitMw(device)).toBe(200_000);
    expect(() => nvml.deviceSetFanSpeed(device, 0, 10)).toThrow('NVML_ERROR_INVALID_ARGUMENT');
    nvml.deviceSetDefaultFanSpeed(device, 1);
    expect(nvml.deviceGetFanSpeed(device, 1)).toBe(38);
  });

  it('reports a missing library as unavailable so the agent falls back to nvidia-smi', async () => {
    await expect(loadNvml(join(fake.library, '..', 'no-such-libnvidia-ml.so.1'))).rejects.toBeInstanceOf(
      NvmlUnavailableError,
    );
  });
});
