import type { GpuAgentGpuState, GpuAgentState } from '@skyy/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../utils/logger.ts';
import { Reporter } from './reporter.ts';

const gpu: GpuAgentGpuState = { uuid: 'GPU-1', index: 0, status: 'ok', fans: [], notes: [] };

function agentState(overrides: Partial<GpuAgentState>): GpuAgentState {
  return {
    host: 'puma-proxmox-005',
    version: 't',
    mode: 'dry-run',
    source: 'nvidia-smi',
    configSource: 'server',
    stale: false,
    gpus: [],
    events: [],
    ...overrides,
  };
}

/** A reporter on fake timers whose server records each heartbeat's GPU count. */
function reporterOver(state: () => GpuAgentState) {
  const beats: number[] = [];
  const fakeFetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    beats.push((JSON.parse(String(init?.body)) as GpuAgentState).gpus.length);
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  const reporter = new Reporter({
    url: 'http://skyy.test',
    host: 'puma-proxmox-005',
    intervalMs: 30_000,
    state,
    log: silentLogger,
    fetch: fakeFetch,
  });
  return { reporter, beats };
}

describe('the first heartbeat', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes out right after the first reading, not one interval after start', async () => {
    vi.useFakeTimers();
    let current = agentState({});
    const { reporter, beats } = reporterOver(() => current);
    reporter.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(beats).toEqual([]); // nothing read yet: nothing worth sending

    current = agentState({ gpus: [gpu, { ...gpu, uuid: 'GPU-2', index: 1 }] });
    await vi.advanceTimersByTimeAsync(250);
    expect(beats).toEqual([2]);

    // Then the interval, without a second early one.
    await vi.advanceTimersByTimeAsync(27_000);
    expect(beats).toEqual([2]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(beats).toEqual([2, 2]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(beats).toEqual([2, 2, 2]);
    reporter.stop();
  });

  it('goes out at once on a host without GPUs (chassis fans only)', async () => {
    vi.useFakeTimers();
    const { reporter, beats } = reporterOver(() => agentState({ source: 'none' }));
    reporter.start();
    await vi.advanceTimersByTimeAsync(250);
    expect(beats).toEqual([0]);
    reporter.stop();
  });

  it('still waits for the interval when nothing is ever read, and stops with the agent', async () => {
    vi.useFakeTimers();
    const { reporter, beats } = reporterOver(() => agentState({}));
    reporter.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(beats).toEqual([0]); // the server learns the agent is alive, if blind
    reporter.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(beats).toEqual([0]);
  });
});
