import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../utils/logger.ts';
import { nextDelayMs, type PollLoopState, type PollResult } from './server-poll-loop.ts';

const options = { intervalMs: 60_000, minGapMs: 1_000, firstBackoffMs: 1_000, log: silentLogger };
const ok: PollResult = { failed: false, serverWaits: true };
const oldServer: PollResult = { failed: false, serverWaits: false };
const down: PollResult = { failed: true, serverWaits: false };

/** Delays for a sequence of (result, elapsed ms) from a fresh loop. */
function delays(steps: [PollResult, number][]): number[] {
  const state: PollLoopState = { failures: 0, mode: undefined };
  return steps.map(([result, elapsed]) => nextDelayMs(result, elapsed, state, options));
}

describe('when the agent asks the server for its config again', () => {
  it('asks again at once after a held request, but never twice within a second', () => {
    expect(delays([[ok, 50_000]])).toEqual([0]);
    expect(delays([[ok, 1_000]])).toEqual([0]);
    expect(delays([[ok, 30]])).toEqual([970]);
    expect(delays([[ok, 0]])).toEqual([1_000]);
  });

  it('asks a server that answers at once every interval, as before', () => {
    expect(delays([[oldServer, 20]])).toEqual([60_000]);
  });

  it('backs off 1, 2, 4 … s up to the interval while the server fails, and starts over after a success', () => {
    const failing = Array.from({ length: 8 }, (): [PollResult, number] => [down, 10]);
    expect(delays(failing)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(
      delays([
        [down, 10],
        [down, 10],
        [ok, 50_000],
        [down, 10],
      ]),
    ).toEqual([1_000, 2_000, 0, 1_000]);
  });
});
