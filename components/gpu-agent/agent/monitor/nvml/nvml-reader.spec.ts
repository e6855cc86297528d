import { NVML_CODE, SimHost } from '@skyy/sim-nvidia-smi';
import { describe, expect, it } from 'vitest';
import { describeNvmlReturn, errorMessage, isAbsentCode, NvmlError } from './nvml-errors.ts';
import { readAllGpus } from './nvml-reader.ts';

const at = new Date('2026-11-27T10:00:00.000Z');

describe('NVML reader against the simulated host', () => {
  it('reads every GPU with each fan, the fan range and power limits in watts', () => {
    const host = SimHost.create({ models: ['2080', '4080'] });
    const nvml = host.nvml();
    nvml.init();
    const sample = readAllGpus(nvml, at);
    expect(sample.failures).toEqual([]);
    expect(sample.readings.map((r) => r.uuid)).toEqual([host.gpu(0).uuid, host.gpu(1).uuid]);
    expect(sample.readings[0]).toMatchObject({
      index: 0,
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      fans: [
        { fan: 0, speedPct: 38 },
        { fan: 1, speedPct: 38 },
      ],
      fanMinPct: 30,
      fanMaxPct: 100,
      powerLimitW: 250,
      powerDefaultLimitW: 250,
      powerMinLimitW: 105,
      powerMaxLimitW: 350,
      pstate: 8,
      clocksEventReasons: 1,
      sampledAt: at.toISOString(),
    });
  });

  it('keeps a GPU whose sensor fails, without a temperature, and names the NVML error', () => {
    const host = SimHost.create({ models: ['2080', '4080'] });
    host.fail(1, 'temperature', NVML_CODE.UNKNOWN);
    const nvml = host.nvml();
    nvml.init();
    const sample = readAllGpus(nvml, at);
    expect(sample.readings[1]).not.toHaveProperty('temperatureC');
    expect(sample.readings[1]?.powerLimitW).toBe(320);
    expect(sample.failures).toEqual([
      { uuid: host.gpu(1).uuid, index: 1, reason: expect.stringContaining('NVML_ERROR_UNKNOWN') },
    ]);
  });

  it('treats NOT_SUPPORTED as absent, not as a failure', () => {
    const host = SimHost.create({ models: ['2080'] });
    host.fail(0, 'fan', NVML_CODE.NOT_SUPPORTED);
    const nvml = host.nvml();
    nvml.init();
    const sample = readAllGpus(nvml, at);
    expect(sample.failures).toEqual([]);
    expect(sample.readings[0]?.fans).toEqual([]);
    expect(sample.readings[0]).not.toHaveProperty('fanMinPct');
  });

  it('reports a lost GPU as a failure by index when even its UUID cannot be read', () => {
    const host = SimHost.create({ models: ['2080', '4080'] });
    host.fail(0, 'all', NVML_CODE.GPU_IS_LOST);
    const nvml = host.nvml();
    nvml.init();
    const sample = readAllGpus(nvml, at);
    expect(sample.readings.map((r) => r.index)).toEqual([1]);
    expect(sample.failures).toEqual([{ index: 0, reason: expect.stringContaining('GPU is lost') }]);
  });
});

describe('NVML return codes', () => {
  it.each([
    [3, true],
    [4, true],
    [13, true],
    [15, false],
    [999, false],
    [undefined, false],
  ])('code %s absent: %s', (code, absent) => {
    expect(isAbsentCode(code)).toBe(absent);
  });

  it('explains codes in words an operator can act on', () => {
    expect(describeNvmlReturn(4)).toBe('NVML_ERROR_NO_PERMISSION (no permission (writes need root))');
    expect(describeNvmlReturn(18)).toContain('reboot after a driver update');
    expect(describeNvmlReturn(12345)).toBe('NVML return code 12345');
    expect(errorMessage(new NvmlError(15, 'nvmlDeviceGetTemperature'))).toBe(
      'nvmlDeviceGetTemperature: NVML_ERROR_GPU_IS_LOST (GPU is lost (fell off the bus); reboot to recover)',
    );
  });
});
