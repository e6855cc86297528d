import type { JobQueue } from '../job-queue.ts';

/** A multi-step job for crash tests: the worker that runs it first dies inside `apply`. */
export const THREE_STEPS = 'test.three-steps';

export interface StepCounters {
  fetch: number;
  reserve: number;
  apply: number;
}

export function registerThreeSteps(
  queue: JobQueue,
  counters: StepCounters,
  apply: () => Promise<string>,
): void {
  queue.register(THREE_STEPS, async (_payload, ctx) => {
    const inventory = await ctx.step('fetch-inventory', async () => {
      counters.fetch++;
      return { hosts: ['puma-proxmox-001', 'puma-proxmox-002'] };
    });
    await ctx.progress(33);
    const ips = await ctx.step('reserve-ips', async () => {
      counters.reserve++;
      return ['203.0.113.10', '203.0.113.11'];
    });
    await ctx.progress(66);
    const applied = await ctx.step('apply', async () => {
      counters.apply++;
      return apply();
    });
    return { inventory, ips, applied };
  });
}
