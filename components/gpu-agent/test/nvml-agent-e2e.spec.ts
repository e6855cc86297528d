import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpuAgentStateSchema, type GpuAgentState } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent, type RunningAgent } from '../agent/bootstrap/run-agent.ts';
import { BUNDLED_CONFIG } from '../agent/config/load-config.ts';
import { loadNvml } from '../agent/monitor/nvml/koffi-nvml.ts';
import type { NvmlLibrary } from '../agent/monitor/nvml/nvml-library.ts';
import { buildFakeNvml, type FakeNvml } from '../agent/monitor/nvml/testdata/fake-nvml.ts';
import { createLogger } from '../utils/logger.ts';
import { waitFor } from './helpers.ts';

/**
 * The whole agent, writing, on the NVML path through koffi against the stand-in libnvidia-ml
 * (three GPUs; GPU 1's sensor is broken, so it is in fail-safe throughout), while driver calls hang:
 * what an operator would see with a wedged driver.
 */

const POLL_SEC = 1;
const uuid = (index: number) => `GPU-c0ffee00-0000-4000-8000-00000000000${index}`;

describe('gpu-agent on NVML when driver calls hang', () => {
  let dir: string;
  let fake: FakeNvml;
  let nvml: NvmlLibrary;
  let running: RunningAgent;
  const logLines: string[] = [];

  const api = (path: string) => fetch(`${running.url}${path}`);
  const state = async (): Promise<GpuAgentState> =>
    gpuAgentStateSchema.parse(await (await api('/state')).json());
  let latest: GpuAgentState | undefined;
  let poller: NodeJS.Timeout;
  const until = (check: (s: GpuAgentState) => boolean) =>
    waitFor(() => latest !== undefined && check(latest), 30_000, 50);
  const gpu = (index: number) => latest?.gpus.find((g) => g.index === index);
  /** What the fake card has been told, read straight from the library (never a hung function). */
  const fanOf = (index: number, fan: number) =>
    nvml.deviceGetFanSpeed(nvml.deviceGetHandleByIndex(index), fan);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-agent-nvml-e2e-'));
    fake = buildFakeNvml();
    nvml = await loadNvml(fake.library);
    const configPath = join(dir, 'gpu_config.yaml');
    writeFileSync(
      configPath,
      readFileSync(BUNDLED_CONFIG, 'utf8').replace('poll_interval_sec: 5', `poll_interval_sec: ${POLL_SEC}`),
    );
    running = await runAgent({
      configPath,
      stateDir: join(dir, 'agent'),
      dryRun: false,
      source: 'nvml',
      nvmlLibrary: fake.library,
      nvidiaSmi: '/bin/false',
      nvidiaSettings: '/bin/false',
      display: ':0',
      listen: '127.0.0.1:0',
      host: 'nvml-e2e-host',
      version: 'test',
      log: createLogger({ write: (line) => logLines.push(line) }),
    });
    poller = setInterval(() => {
      void state().then(
        (s) => (latest = s),
        () => undefined,
      );
    }, 100);
  });

  afterAll(async () => {
    clearInterval(poller);
    fake?.release();
    if (fake) await waitFor(() => fake.hungCalls() === 0);
    await running?.stop();
    fake?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('controls every GPU through NVML and shows the memory temperature in /state and /metrics', async () => {
    await until((s) => s.gpus.length === 3 && gpu(0)?.status === 'ok' && gpu(2)?.status === 'ok');
    expect(running.detection.reading).toBe('nvml');
    expect(latest?.source).toBe('nvml');
    expect(gpu(0)?.reading?.memoryTemperatureC).toBe(62);
    expect(gpu(2)?.reading?.memoryTemperatureC).toBe(71);
    expect(gpu(1)?.reading).not.toHaveProperty('memoryTemperatureC');
    const metrics = await (await api('/metrics')).text();
    expect(metrics).toMatch(
      new RegExp(`^skyy_gpu_memory_temperature_celsius\\{uuid="${uuid(0)}",gpu="0"\\} 62$`, 'm'),
    );
    expect(metrics).not.toMatch(new RegExp(`^skyy_gpu_memory_temperature_celsius\\{uuid="${uuid(1)}"`, 'm'));
    // Written through NVML: GPU 2 (52 °C, within the hysteresis of the 50 °C target) holds its
    // startup fan speed of 70 % (the card started at 60 and 61 %).
    await waitFor(() => fanOf(2, 0) === 70 && fanOf(2, 1) === 70);
  });

  it('puts a GPU whose read hangs in fail-safe within one poll and its deadline, fans written to 100 %', async () => {
    fake.hang('nvmlDeviceGetTemperature@0');
    const hungAt = Date.now();
    await until((s) => s.gpus[0]?.status === 'failsafe');
    console.log(`fail-safe in /state ${Date.now() - hungAt} ms after the read hung (poll ${POLL_SEC} s)`);
    expect(gpu(0)?.fans.map((f) => f.toPct)).toEqual([100, 100]);
    expect(gpu(0)?.fans[0]?.reason).toMatch(
      /^fail-safe: reading failed: NVML call nvmlDeviceGetTemperature hung for /,
    );
    await waitFor(() => fanOf(0, 0) === 100 && fanOf(0, 1) === 100);
    expect(latest?.events).toContainEqual(
      expect.objectContaining({
        level: 'critical',
        kind: 'reading_failed',
        gpu: uuid(0),
        message: expect.stringMatching(/NVML call nvmlDeviceGetTemperature hung for .*; fans to 100 %/),
      }),
    );
    // The other GPUs are still read and controlled; one call is hung, none piled up behind it.
    await until((s) => (s.gpus[2]?.reading?.sampledAt ?? '') > new Date(hungAt).toISOString());
    expect(gpu(2)?.status).toBe('ok');
    expect(fake.hungCalls()).toBe(1);
    const health = await api('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'degraded', failsafe: 2 });

    fake.release();
    await until((s) => s.gpus[0]?.status === 'ok');
    expect(latest?.events).toContainEqual(
      expect.objectContaining({ kind: 'reading_recovered', gpu: uuid(0) }),
    );
  });

  it('goes stale (503) when no GPU can be read, keeps answering, and recovers when the driver does', async () => {
    fake.hang('*');
    const hungAt = Date.now();
    await until((s) => s.gpus.every((g) => g.status === 'failsafe'));
    console.log(`every GPU in fail-safe ${Date.now() - hungAt} ms after the driver hung`);
    // GPU 2's fans had to go to 100 %, but its writes hang too: reported, and nothing waits on them.
    await until((s) =>
      s.events.some(
        (e) => e.kind === 'write_failed' && e.gpu === uuid(2) && /NVML call|no NVML call/.test(e.message),
      ),
    );
    // Stale once 3 poll intervals have passed without a single GPU read.
    let health = await api('/health');
    for (let i = 0; i < 100 && health.status !== 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      health = await api('/health');
    }
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'stale', failsafe: 3 });
    const started = performance.now();
    const metrics = await api('/metrics');
    console.log(`/metrics answered in ${(performance.now() - started).toFixed(1)} ms during the hang`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^skyy_gpu_agent_stale 1$/m);
    expect(fake.hungCalls()).toBeLessThanOrEqual(2);

    fake.release();
    await until((s) => !s.stale && s.gpus[0]?.status === 'ok' && s.gpus[2]?.status === 'ok');
    expect((await api('/health')).status).toBe(200);
  });
});
