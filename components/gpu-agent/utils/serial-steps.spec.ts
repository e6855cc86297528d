import { describe, expect, it } from 'vitest';
import { SerialSteps } from './serial-steps.ts';

describe('SerialSteps', () => {
  it('never overlaps steps and folds the requests made during a step into one more', async () => {
    let inStep = 0;
    let overlapped = false;
    let runs = 0;
    let release: () => void = () => undefined;
    const steps = new SerialSteps(
      async () => {
        overlapped ||= inStep > 0;
        inStep++;
        runs++;
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
        inStep--;
      },
      () => true,
    );
    steps.request();
    await Promise.resolve();
    steps.request();
    steps.request();
    steps.request();
    release();
    await steps.settled();
    expect({ runs, overlapped }).toEqual({ runs: 2, overlapped: false });
  });

  it('runs nothing more once its owner stops, even a step already queued', async () => {
    let active = true;
    let runs = 0;
    const steps = new SerialSteps(
      () => {
        runs++;
        active = false;
        return Promise.resolve();
      },
      () => active,
    );
    steps.request();
    await steps.settled();
    steps.request();
    await steps.settled();
    expect(runs).toBe(1);
  });
});
