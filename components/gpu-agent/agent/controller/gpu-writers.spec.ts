import type { GpuAgentGpuState } from '@skyy/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimState, readState, SimHost, STATE_ENV, writeState } from '@skyy/sim-nvidia-smi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_NVIDIA_SETTINGS, FAKE_NVIDIA_SMI } from '../../test/helpers.ts';
import { createLogger, silentLogger } from '../../utils/logger.ts';
import { ProcessRunner } from '../../utils/runner.ts';
import { DecisionApplier } from './decision-applier.ts';
import { LegacyWriter, NvmlWriter, restoreDefaults, type GpuTarget, type GpuWriter } from './gpu-writers.ts';

describe('NVML writer on the simulated host', () => {
  it('sets each fan and the power limit, and restores automatic fans and the default limit', async () => {
    const host = SimHost.create({ models: ['2080', '4080'] });
    const nvml = host.nvml();
    nvml.init();
    const writer = new NvmlWriter(nvml);
    // The index is only a hint: the GPU is found by UUID even when indexes moved.
    const gpu: GpuTarget = { uuid: host.gpu(1).uuid, index: 0, fans: [0, 1] };
    await writer.setFanSpeed(gpu, 1, 80);
    await writer.setPowerLimit(gpu, 280);
    expect(host.gpu(1).fans[1]).toMatchObject({ manual: true, targetPct: 80 });
    expect(host.gpu(1).powerLimitW).toBe(280);
    expect(host.gpu(0).powerLimitW).toBe(250);
    await restoreDefaults(writer, gpu);
    expect(host.gpu(1).fans.every((f) => !f.manual)).toBe(true);
    expect(host.gpu(1).powerLimitW).toBe(320);
  });
});

describe('legacy writer (nvidia-smi -pl, nvidia-settings) on the fake executables', () => {
  let dir: string;
  let writer: LegacyWriter;
  const statePath = () => join(dir, 'state.json');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-legacy-writer-'));
    writeState(statePath(), createSimState({ models: ['2080', '4080'] }));
    writer = new LegacyWriter({
      runner: new ProcessRunner({ env: { ...process.env, [STATE_ENV]: statePath() } }),
      nvidiaSmi: FAKE_NVIDIA_SMI,
      nvidiaSettings: FAKE_NVIDIA_SETTINGS,
      display: ':0',
      fanOffset: (gpu) => gpu.index * 2,
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers fans across GPUs for nvidia-settings and sets power by UUID', async () => {
    const gpu: GpuTarget = {
      uuid: 'GPU-5eed0000-0000-4000-8000-000000000001',
      index: 1,
      fans: [0, 1],
      defaultPowerW: 320,
    };
    await writer.setFanSpeed(gpu, 1, 75);
    await writer.setPowerLimit(gpu, 300);
    let state = readState(statePath());
    expect(state.gpus[1]?.fans[1]).toMatchObject({ manual: true, targetPct: 75 });
    expect(state.gpus[0]?.fans.every((f) => !f.manual)).toBe(true);
    expect(state.gpus[1]?.powerLimitW).toBe(300);

    await restoreDefaults(writer, gpu);
    state = readState(statePath());
    expect(state.gpus[1]?.fans.every((f) => !f.manual)).toBe(true);
    expect(state.gpus[1]?.powerLimitW).toBe(320);
  });

  it('fails with the tool’s own message when a limit is out of range', async () => {
    const gpu: GpuTarget = { uuid: 'GPU-5eed0000-0000-4000-8000-000000000000', index: 0, fans: [0] };
    await expect(writer.setPowerLimit(gpu, 500)).rejects.toThrow(
      /exit code 2: .*between 105.00 W and 350.00 W/,
    );
  });
});

function state(fanPct: number, powerW?: number): GpuAgentGpuState {
  return {
    uuid: 'GPU-1',
    index: 0,
    status: 'ok',
    fans: [{ fan: 0, toPct: fanPct, changed: true, reason: 'test' }],
    ...(powerW !== undefined ? { power: { toW: powerW, changed: true, reason: 'test' } } : {}),
    notes: [],
  };
}

describe('decision applier', () => {
  const target = (gpu: GpuAgentGpuState): GpuTarget => ({ uuid: gpu.uuid, index: gpu.index, fans: [0] });

  it('writes only what differs from what is in effect', async () => {
    const calls: string[] = [];
    const writer: GpuWriter = {
      name: 'recording',
      setFanSpeed: async (_gpu, fan, pct) => void calls.push(`fan${fan}=${pct}`),
      setPowerLimit: async (_gpu, watts) => void calls.push(`power=${watts}`),
      restoreFans: async () => undefined,
      restorePower: async () => undefined,
    };
    const applier = new DecisionApplier(writer, silentLogger);
    await applier.apply([state(50, 200)], target);
    await applier.apply([state(50, 200)], target);
    await applier.apply([state(55, 200)], target);
    expect(calls).toEqual(['fan0=50', 'power=200', 'fan0=55']);
  });

  it('retries a failed write on the next step and reports a persistent failure once', async () => {
    let failing = true;
    const writer: GpuWriter = {
      name: 'flaky',
      setFanSpeed: async () => {
        if (failing) throw new Error('NVML_ERROR_NO_PERMISSION');
      },
      setPowerLimit: async () => undefined,
      restoreFans: async () => undefined,
      restorePower: async () => undefined,
    };
    const applier = new DecisionApplier(writer, silentLogger);
    const first = await applier.apply([state(60)], target);
    const second = await applier.apply([state(60)], target);
    expect(first.events.map((e) => e.kind)).toEqual(['write_failed']);
    expect(second.failures).toHaveLength(1);
    expect(second.events).toEqual([]);
    failing = false;
    const third = await applier.apply([state(60)], target);
    expect(third.writes).toEqual([{ uuid: 'GPU-1', actuator: 'fan 0', value: 60 }]);
  });

  it('logs instead of writing in dry-run', async () => {
    const lines: string[] = [];
    const applier = new DecisionApplier(undefined, createLogger({ write: (line) => lines.push(line) }));
    await applier.apply([state(65, 210)], target);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('[dry-run] GPU 0 fan 0 → 65 %');
    expect(lines[1]).toContain('[dry-run] GPU 0 power → 210 W');
  });
});
