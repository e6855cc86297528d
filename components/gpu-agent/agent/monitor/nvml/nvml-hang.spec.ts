import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers.ts';
import { NvmlWriter } from '../../controller/gpu-writers.ts';
import type { Sample } from '../reading-source.ts';
import { loadNvml } from './koffi-nvml.ts';
import type { NvmlLibrary } from './nvml-library.ts';
import { NvmlSource } from './nvml-reader.ts';
import { buildFakeNvml, type FakeNvml } from './testdata/fake-nvml.ts';

/**
 * A driver call that never returns, through koffi's asynchronous calls against the stand-in
 * libnvidia-ml: the GPU's reading fails at the deadline, the other GPUs go on being read, the
 * event loop stays free, and nothing piles up behind the hung call.
 */

const POLL_MS = 400;
const GPU0 = 'GPU-c0ffee00-0000-4000-8000-000000000000';

describe('NVML calls that hang', () => {
  let fake: FakeNvml;
  let nvml: NvmlLibrary;
  let source: NvmlSource | undefined;
  const samples: Sample[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    fake = buildFakeNvml();
    nvml = await loadNvml(fake.library);
  });
  afterEach(async () => {
    fake.release();
    await source?.stop();
    source = undefined;
    samples.length = 0;
    await waitFor(() => fake.hungCalls() === 0);
  });
  afterAll(() => fake.remove());

  const start = () => {
    source = new NvmlSource(nvml, POLL_MS);
    source.start({ sample: (s) => samples.push(s), problem: (p) => problems.push(p) });
  };
  const latest = () => samples.at(-1);
  const failureOf = (sample: Sample | undefined, index: number) =>
    sample?.failures.find((f) => f.index === index)?.reason;

  it('fails the hung GPU’s reading, keeps reading the others, and starts no second call on it', async () => {
    start();
    await waitFor(() => samples.some((s) => s.readings.some((r) => r.uuid === GPU0)));
    fake.hang('*@0');
    const hungFrom = samples.length;
    await waitFor(() => failureOf(latest(), 0)?.includes('hung') === true);
    const first = latest();
    expect(first?.failures.find((f) => f.index === 0)).toEqual({
      uuid: GPU0,
      index: 0,
      reason: expect.stringMatching(/^NVML call nvmlDevice\w+ hung for \d+\.\d s$/),
    });
    expect(first?.readings.map((r) => r.index)).toEqual([1, 2]);

    // Polls go on while the call hangs: the event loop is free, and the hung call is the only one.
    await waitFor(() => samples.length >= hungFrom + 4);
    expect(fake.hungCalls()).toBe(1);
    expect(samples.slice(hungFrom + 1).every((s) => s.readings.every((r) => r.index !== 0))).toBe(true);
    const seconds = (reason: string | undefined) => Number(/hung for ([\d.]+) s/.exec(reason ?? '')?.[1]);
    expect(seconds(failureOf(latest(), 0))).toBeGreaterThan(seconds(failureOf(first, 0)));

    fake.release();
    await waitFor(() => latest()?.readings.some((r) => r.uuid === GPU0 && r.temperatureC === 47) === true);
    expect(failureOf(latest(), 0)).toBeUndefined();
  });

  it('never lets hung calls take more than 2 of libuv’s 4 worker threads', async () => {
    start();
    await waitFor(() => samples.some((s) => s.readings.length === 3));
    fake.hang('*@0', '*@1', '*@2');
    const hungFrom = samples.length;
    await waitFor(() => samples.length >= hungFrom + 5);
    const last = latest();
    expect(last?.readings).toEqual([]);
    expect(last?.failures.map((f) => f.index).sort()).toEqual([0, 1, 2]);
    expect(last?.failures.map((f) => f.reason).sort()).toEqual([
      expect.stringMatching(/^NVML call nvmlDevice\w+ hung for \d+\.\d s$/),
      expect.stringMatching(/^NVML call nvmlDevice\w+ hung for \d+\.\d s$/),
      expect.stringMatching(/^no NVML call could start within 0\.4 s: 2 running \(nvmlDevice\w+ for /),
    ]);
    expect(fake.hungCalls()).toBe(2);
    // The other threads stay free for file I/O and DNS (heartbeats, the config cache).
    await expect(readFile(fake.library)).resolves.toBeInstanceOf(Buffer);

    fake.release();
    await waitFor(() => latest()?.readings.length === 3);
  });

  it('fails a hung write at its deadline and refuses the next one to that GPU until it returns', async () => {
    const writer = new NvmlWriter(nvml, 300);
    const gpu = { uuid: GPU0, index: 0, fans: [0, 1] };
    await writer.setFanSpeed(gpu, 0, 60);
    fake.hang('nvmlDeviceSetFanSpeed_v2@0');
    const failed = writer.setFanSpeed(gpu, 0, 100);
    await expect(failed).rejects.toThrow(/^NVML call nvmlDeviceSetFanSpeed_v2 has not returned since \d{4}-/);
    const message = await failed.catch((error: Error) => error.message);
    // The same words again, without a second call into the driver.
    await expect(writer.setFanSpeed(gpu, 1, 100)).rejects.toThrow(message);
    await expect(writer.setPowerLimit(gpu, 200)).rejects.toThrow(message);
    expect(fake.hungCalls()).toBe(1);

    fake.release();
    await waitFor(() => fake.hungCalls() === 0);
    // The hung call itself completed when the driver let go; the next write goes through.
    await waitFor(() => nvml.deviceGetFanSpeed(nvml.deviceGetHandleByIndex(0), 0) === 100);
    await writer.setFanSpeed(gpu, 1, 95);
    expect(nvml.deviceGetFanSpeed(nvml.deviceGetHandleByIndex(0), 1)).toBe(95);
  });
});
