import { captureFiles, findSection, readCapture } from '@skyy/sim-nvidia-smi';
import { describe, expect, it } from 'vitest';
import { CsvShapeError, parseQueryOutput, readingFromRecord, SAMPLER_FIELDS } from './smi-csv.ts';
import { parseQueryText, readingFromQueryGpu } from './smi-query-text.ts';
import { hexOrDecimalValue, isAbsent, numberValue, pstateValue } from './smi-values.ts';

const MIB = 1024 * 1024;
const at = new Date('2026-11-27T10:00:00.000Z');

describe('nvidia-smi values', () => {
  it.each([
    '[N/A]',
    'N/A',
    '[Not Supported]',
    'Not Supported',
    '[Insufficient Permissions]',
    '[Unknown Error]',
    '[GPU is lost]',
    '[Requested functionality has been deprecated]',
    '',
    '  ',
  ])('treats %j as absent, never zero', (raw) => {
    expect(isAbsent(raw)).toBe(true);
    expect(numberValue(raw)).toBeUndefined();
    expect(hexOrDecimalValue(raw)).toBeUndefined();
    expect(pstateValue(raw)).toBeUndefined();
  });

  it.each([
    ['0', 0],
    ['38 %', 38],
    ['111.50 W', 111.5],
    ['8192 MiB', 8192],
    ['2055 MHz', 2055],
    ['45', 45],
    ['-3', -3],
  ])('reads %j as %d', (raw, expected) => {
    expect(numberValue(raw)).toBe(expected);
  });

  it('reads bitmasks in hex and performance states', () => {
    expect(hexOrDecimalValue('0x00000000000001FF')).toBe(0x1ff);
    expect(hexOrDecimalValue('0x0000000000000000')).toBe(0);
    expect(pstateValue('P2')).toBe(2);
    expect(pstateValue('P12')).toBe(12);
    expect(pstateValue('Unknown')).toBeUndefined();
  });

  it('rejects text that only starts like a number', () => {
    expect(numberValue('45abc')).toBeUndefined();
    expect(numberValue('Enabled')).toBeUndefined();
  });
});

describe('--query-gpu output as the sampler requests it (noheader, nounits)', () => {
  const twoGpus = [
    '2, 0, GPU-aaaaaaaa-0000-0000-0000-000000000001, NVIDIA GeForce RTX 3090, 00000000:01:00.0, 61, 70, 55, 301.21, 350.00, 350.00, 350.00, 100.00, 400.00, 98, 40, 24576, 20000, 4576, 1905, 1905, 9751, 0x0000000000000004, P2',
    '2, 1, GPU-aaaaaaaa-0000-0000-0000-000000000002, NVIDIA A100-PCIE-40GB, 00000000:41:00.0, [Unknown Error], [N/A], [N/A], [Not Supported], 250.00, 250.00, 250.00, 150.00, 250.00, [Insufficient Permissions], 0, 40960, 0, 40960, 210, 210, 1215, 0x0000000000000001, P0',
  ].join('\n');

  it('keys each GPU by UUID and keeps every reported value', () => {
    const [first] = parseQueryOutput(twoGpus, SAMPLER_FIELDS).map((record) => readingFromRecord(record, at));
    expect(first).toEqual({
      uuid: 'GPU-aaaaaaaa-0000-0000-0000-000000000001',
      index: 0,
      name: 'NVIDIA GeForce RTX 3090',
      pciBusId: '00000000:01:00.0',
      temperatureC: 61,
      memoryTemperatureC: 70,
      fans: [{ fan: 0, speedPct: 55 }],
      powerDrawW: 301.21,
      powerLimitW: 350,
      enforcedPowerLimitW: 350,
      powerDefaultLimitW: 350,
      powerMinLimitW: 100,
      powerMaxLimitW: 400,
      utilizationGpuPct: 98,
      utilizationMemoryPct: 40,
      memoryTotalBytes: 24576 * MIB,
      memoryUsedBytes: 20000 * MIB,
      memoryFreeBytes: 4576 * MIB,
      clockGraphicsMhz: 1905,
      clockSmMhz: 1905,
      clockMemoryMhz: 9751,
      clocksEventReasons: 4,
      pstate: 2,
      sampledAt: at.toISOString(),
    });
  });

  it('leaves out what a GPU does not report instead of reading it as zero', () => {
    const second = readingFromRecord(parseQueryOutput(twoGpus, SAMPLER_FIELDS)[1] ?? {}, at);
    expect(second?.uuid).toBe('GPU-aaaaaaaa-0000-0000-0000-000000000002');
    expect(second).not.toHaveProperty('temperatureC');
    expect(second).not.toHaveProperty('powerDrawW');
    expect(second).not.toHaveProperty('utilizationGpuPct');
    // A datacenter card without fans reports [N/A]: no fan, not a stopped fan.
    expect(second?.fans).toEqual([]);
    expect(second?.utilizationMemoryPct).toBe(0);
  });

  it('refuses a line whose cell count does not match the fields', () => {
    expect(() => parseQueryOutput('1, 0, GPU-x, 45', SAMPLER_FIELDS)).toThrow(CsvShapeError);
  });

  it('cannot key a row without a UUID', () => {
    const [record] = parseQueryOutput('[N/A], 0, 45', ['uuid', 'index', 'temperature.gpu']);
    expect(readingFromRecord(record ?? {}, at)).toBeUndefined();
  });

  it('accepts the older field names of drivers before R535', () => {
    const [record] = parseQueryOutput('GPU-1, 0, 0x4', [
      'gpu_uuid',
      'index',
      'clocks_throttle_reasons.active',
    ]);
    expect(readingFromRecord(record ?? {}, at)?.clocksEventReasons).toBe(4);
  });
});

describe.each(captureFiles().map((file) => [file.split('/').pop() ?? file, readCapture(file)] as const))(
  'capture %s',
  (_name, capture) => {
    const queryGpuSections = capture.sections.filter((s) =>
      (s.command ?? '').startsWith('nvidia-smi --query-gpu='),
    );
    const queryTextSections = capture.sections.filter((s) => s.command === 'nvidia-smi -q');

    it('holds idle and load sections of both kinds', () => {
      expect(queryGpuSections.map((s) => s.phase)).toEqual(['idle', 'load']);
      expect(queryTextSections.map((s) => s.phase)).toEqual(['idle', 'load']);
    });

    it.each(['idle', 'load'])('parses the %s --query-gpu csv (with header and units)', (phase) => {
      const section = queryGpuSections.find((s) => s.phase === phase);
      const records = parseQueryOutput(section?.body ?? '');
      expect(records).toHaveLength(1);
      const reading = readingFromRecord(records[0] ?? {}, at);
      expect(reading?.uuid).toMatch(/^GPU-/);
      expect(reading?.name).toMatch(/^NVIDIA GeForce RTX/);
      expect(reading?.temperatureC).toBeGreaterThan(20);
      // Memory temperature is N/A on GeForce cards: absent, not 0 °C.
      expect(reading).not.toHaveProperty('memoryTemperatureC');
      expect(reading?.fans).toHaveLength(1);
      expect(reading?.powerMinLimitW).toBeLessThan(reading?.powerDefaultLimitW ?? 0);
      expect(reading?.powerDefaultLimitW).toBeLessThan(reading?.powerMaxLimitW ?? 0);
      expect(reading?.memoryTotalBytes).toBeGreaterThan(0);
      expect(reading?.pstate).toBe(phase === 'idle' ? 8 : 2);
    });

    it.each(['idle', 'load'])('parses the %s -q text for detection', (phase) => {
      const section = queryTextSections.find((s) => s.phase === phase);
      const report = parseQueryText(section?.body ?? '');
      expect(report.driverVersion).toBe(capture.driverVersion);
      expect(report.attachedGpus).toBe(1);
      expect(report.gpus).toHaveLength(1);
      const gpu = report.gpus[0];
      expect(gpu?.fanCount).toBe(1);
      expect(gpu?.shutdownTempC).toBeGreaterThan(gpu?.slowdownTempC ?? Infinity);
      expect(gpu?.memoryTemperatureC).toBeUndefined();
      expect(gpu?.clockEventReasons).toHaveProperty('SW Power Cap');
      const reading = readingFromQueryGpu(gpu ?? { pciBusId: '', fanCount: 0, clockEventReasons: {} }, 0, at);
      expect(reading?.powerMaxLimitW).toBe(gpu?.powerMaxLimitW);
    });

    it('agrees between the -q text and the csv of the same moment on the power limits', () => {
      const csv = readingFromRecord(parseQueryOutput(queryGpuSections[0]?.body ?? '')[0] ?? {}, at);
      const text = parseQueryText(queryTextSections[0]?.body ?? '').gpus[0];
      expect(text?.powerMinLimitW).toBe(csv?.powerMinLimitW);
      expect(text?.powerMaxLimitW).toBe(csv?.powerMaxLimitW);
      expect(text?.powerDefaultLimitW).toBe(csv?.powerDefaultLimitW);
      expect(text?.uuid).toBe(csv?.uuid);
    });
  },
);

describe('the RTX 2080 SUPER capture under load', () => {
  const capture = readCapture(captureFiles().find((file) => file.includes('2080')) ?? '');
  it('reads the exact values nvidia-smi printed', () => {
    const section = findSection(capture, 'load', 'nvidia-smi --query-gpu=');
    const reading = readingFromRecord(parseQueryOutput(section?.body ?? '')[0] ?? {}, at);
    expect(reading).toMatchObject({
      index: 0,
      temperatureC: 45,
      fans: [{ fan: 0, speedPct: 38 }],
      powerDrawW: 111.5,
      powerLimitW: 250,
      powerMinLimitW: 105,
      powerMaxLimitW: 350,
      utilizationGpuPct: 8,
      memoryUsedBytes: 819 * MIB,
      clockSmMhz: 2055,
      clocksEventReasons: 0,
    });
  });

  it('reads the idle -q clock event reasons as NVML bits (Idle active)', () => {
    const section = findSection(capture, 'idle', 'nvidia-smi -q');
    const gpu = parseQueryText(section?.body ?? '').gpus[0];
    expect(gpu?.clockEventReasons['Idle']).toBe(true);
    expect(
      readingFromQueryGpu(gpu ?? { pciBusId: '', fanCount: 0, clockEventReasons: {} }, 0, at)
        ?.clocksEventReasons,
    ).toBe(1);
  });
});
