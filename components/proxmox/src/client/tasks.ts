import { z } from 'zod';
import { PveTaskFailedError, PveTimeoutError } from './errors.ts';
import { seg, sleep, type PveTransport } from './transport.ts';
import { pveNumber } from './wire-types.ts';

export const taskStatusSchema = z.looseObject({
  upid: z.string(),
  node: z.string(),
  type: z.string(),
  id: z.string().optional().default(''),
  user: z.string(),
  status: z.enum(['running', 'stopped']),
  exitstatus: z.string().optional(),
  starttime: pveNumber,
});
export type TaskStatus = z.output<typeof taskStatusSchema>;

const taskLogSchema = z.array(z.looseObject({ n: z.number(), t: z.string() }));

const taskListSchema = z.array(
  z.looseObject({
    upid: z.string(),
    node: z.string(),
    type: z.string(),
    id: z.string().optional().default(''),
    user: z.string(),
    starttime: pveNumber,
    endtime: pveNumber.optional(),
    status: z.string().optional(),
  }),
);
export type TaskSummary = z.output<typeof taskListSchema>[number];

/** The node a UPID belongs to: `UPID:pve1:…` → `pve1`. */
export function nodeOfUpid(upid: string): string {
  const node = upid.split(':')[1];
  if (!node) throw new Error(`not a UPID: ${upid}`);
  return node;
}

/** `OK` and `WARNINGS: n` are successes; anything else is the error message. */
export function taskSucceeded(exitstatus: string | undefined): boolean {
  return exitstatus === 'OK' || /^WARNINGS: \d+$/.test(exitstatus ?? '');
}

export class TasksApi {
  constructor(private readonly t: PveTransport) {}

  status(upid: string): Promise<TaskStatus> {
    return this.t.request(
      taskStatusSchema,
      'GET',
      `/nodes/${seg(nodeOfUpid(upid))}/tasks/${seg(upid)}/status`,
      {},
      { idempotent: true },
    );
  }

  /** Task log lines from `start`, at most `limit`. */
  async log(upid: string, options: { start?: number; limit?: number } = {}): Promise<string[]> {
    const lines = await this.t.request(
      taskLogSchema,
      'GET',
      `/nodes/${seg(nodeOfUpid(upid))}/tasks/${seg(upid)}/log`,
      { start: options.start, limit: options.limit },
      { idempotent: true },
    );
    return lines.map((line) => line.t);
  }

  list(
    node: string,
    options: { limit?: number; vmid?: number; errors?: boolean } = {},
  ): Promise<TaskSummary[]> {
    return this.t.request(
      taskListSchema,
      'GET',
      `/nodes/${seg(node)}/tasks`,
      { limit: options.limit, vmid: options.vmid, errors: options.errors },
      { idempotent: true },
    );
  }

  /**
   * Polls until the task stops. Resolves with its status when it ended OK; throws
   * PveTaskFailedError with the task log's last lines otherwise, PveTimeoutError when it runs too long.
   */
  async wait(
    upid: string,
    options: { timeoutMs?: number; pollIntervalMs?: number } = {},
  ): Promise<TaskStatus> {
    const timeoutMs = options.timeoutMs ?? this.t.taskTimeoutMs;
    const poll = options.pollIntervalMs ?? this.t.taskPollIntervalMs;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status(upid);
      if (status.status === 'stopped') {
        if (taskSucceeded(status.exitstatus)) return status;
        const log = await this.log(upid, { start: 0, limit: 500 }).catch(() => []);
        throw new PveTaskFailedError(upid, status.exitstatus ?? 'unknown error', log.slice(-50));
      }
      if (Date.now() >= deadline) {
        throw new PveTimeoutError(
          'GET',
          `/nodes/${nodeOfUpid(upid)}/tasks/${upid}/status`,
          timeoutMs,
          'task wait',
        );
      }
      await sleep(poll);
    }
  }
}
