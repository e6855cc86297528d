import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimState, STATE_ENV, withState, writeState, type SimState } from '@skyy/sim-nvidia-smi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_NVIDIA_SMI, waitFor } from '../../test/helpers.ts';
import type { Sample } from './reading-source.ts';
import { SmiSampler } from './smi-sampler.ts';

describe('nvidia-smi sampler against the fake nvidia-smi', () => {
  let dir: string;
  let statePath: string;
  let sampler: SmiSampler | undefined;
  let samples: Sample[];
  let problems: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-sampler-'));
    statePath = join(dir, 'state.json');
    writeState(statePath, createSimState({ models: ['2080', '4080'] }));
    samples = [];
    problems = [];
  });

  afterEach(async () => {
    await sampler?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (options: Partial<ConstructorParameters<typeof SmiSampler>[0]> = {}) => {
    sampler = new SmiSampler({
      binary: FAKE_NVIDIA_SMI,
      intervalMs: 150,
      env: { ...process.env, [STATE_ENV]: statePath },
      initialBackoffMs: 100,
      maxBackoffMs: 400,
      ...options,
    });
    sampler.start({ sample: (s) => samples.push(s), problem: (p) => problems.push(p) });
    return sampler;
  };
  const change = (fn: (state: SimState) => void) => withState(statePath, fn);

  it('delivers one sample per round with every GPU keyed by UUID', async () => {
    start();
    await waitFor(() => samples.length >= 3);
    for (const sample of samples.slice(0, 3)) {
      expect(sample.readings.map((r) => r.uuid)).toEqual([
        'GPU-5eed0000-0000-4000-8000-000000000000',
        'GPU-5eed0000-0000-4000-8000-000000000001',
      ]);
      expect(sample.failures).toEqual([]);
    }
    expect(samples[0]?.readings[0]?.name).toBe('NVIDIA GeForce RTX 2080 SUPER');
    expect(samples[0]?.readings[0]?.powerMaxLimitW).toBe(350);
    // One process for the whole time, not one per poll.
    expect(sampler?.status().restarts).toBe(0);
  });

  it('reports [N/A] temperatures as absent in the sample, not as 0', async () => {
    change((state) => {
      const gpu = state.gpus[1];
      if (gpu) gpu.overrides['temperature.gpu'] = '[N/A]';
    });
    start();
    await waitFor(() => samples.length >= 1);
    expect(samples[0]?.readings[1]).not.toHaveProperty('temperatureC');
    expect(samples[0]?.readings[0]?.temperatureC).toBeGreaterThan(20);
  });

  it('restarts nvidia-smi with backoff when it dies, and samples again once it works', async () => {
    change((state) => {
      state.faults.exitCode = 15;
      state.faults.dieMessage = 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error';
    });
    start();
    await waitFor(() => problems.filter((p) => p.includes('exited')).length >= 2);
    expect(problems.find((p) => p.includes('exited'))).toContain('code 15');
    expect(problems.find((p) => p.includes('exited'))).toContain('Unknown Error');
    expect(samples).toHaveLength(0);
    change((state) => {
      delete state.faults.exitCode;
    });
    await waitFor(() => samples.length >= 1);
    expect(sampler?.status().restarts).toBeGreaterThanOrEqual(2);
  });

  it('kills a hung nvidia-smi after three silent intervals and starts a new one', async () => {
    start();
    await waitFor(() => samples.length >= 1);
    const firstPid = sampler?.status().pid;
    change((state) => {
      state.faults.hang = true;
    });
    await waitFor(() => problems.some((p) => p.includes('printed nothing')));
    change((state) => {
      state.faults.hang = false;
    });
    const before = samples.length;
    await waitFor(() => samples.length > before && sampler?.status().pid !== firstPid);
    expect(sampler?.status().restarts).toBeGreaterThanOrEqual(1);
  });

  it('falls back to the pre-R535 field name when nvidia-smi rejects clocks_event_reasons', async () => {
    change((state) => {
      state.faults.rejectFields.push('clocks_event_reasons.active');
    });
    start();
    await waitFor(() => samples.length >= 1);
    expect(sampler?.status().fields).toContain('clocks_throttle_reasons.active');
    expect(samples[0]?.readings[0]?.clocksEventReasons).toBe(1);
    expect(problems.some((p) => p.includes('using clocks_throttle_reasons.active'))).toBe(true);
  });

  it('says so when the binary cannot be run at all', async () => {
    start({ binary: join(dir, 'no-such-nvidia-smi') });
    await waitFor(() => problems.some((p) => p.includes('cannot run')));
    expect(samples).toHaveLength(0);
  });
});
