import { NVML_FUNCTION_NAMES, type NvmlAsyncCall, type NvmlLibrary } from './nvml-library.ts';
import { invoke, runAsync, type NvmlProgram, type NvmlRequest } from './nvml-program.ts';

/**
 * How the daemon calls NVML: asynchronously (koffi runs each call on a libuv worker thread), each
 * sequence of calls under a deadline, in lanes (one GPU's reads, one GPU's writes) that never hold
 * more than one call. A driver call that does not return therefore costs one worker thread and
 * makes that lane's work fail as "hung" at its deadline and at once afterwards, until the call
 * returns; nothing piles up behind it and the event loop (timers, fail-safe, HTTP API, heartbeats)
 * never waits for it.
 *
 * libuv has 4 worker threads by default (UV_THREADPOOL_SIZE), shared with DNS lookups and file
 * I/O, which heartbeats and the config cache need: at most all but 2 of them run NVML calls at a
 * time. A call waits for one of those (microseconds on a healthy driver) until its deadline.
 */

export class NvmlHungError extends Error {
  constructor(
    message: string,
    /** The call in this lane that has not returned (absent when the wait was for a free thread). */
    readonly call?: { fn: string; since: number },
  ) {
    super(message);
    this.name = 'NvmlHungError';
  }
}

interface Outstanding {
  fn: string;
  since: number;
  /** Its deadline passed while it was running. */
  hung: boolean;
}

interface Waiter {
  lane: string;
  resolve(): void;
  reject(error: Error): void;
}

export interface NvmlCallsOptions {
  /** NVML calls running at once (default: libuv's worker threads − 2, at least 1). */
  maxInFlight?: number;
  now?: () => number;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
}

export class NvmlCalls {
  private readonly lanes = new Map<string, Outstanding>();
  private readonly waiting: Waiter[] = [];
  private inFlight = 0;
  private readonly callAsync: NvmlAsyncCall;
  private readonly maxInFlight: number;
  private readonly now: () => number;

  constructor(nvml: NvmlLibrary, options: NvmlCallsOptions = {}) {
    // The simulator has no worker threads: its calls run inline, still through the same lanes.
    this.callAsync = nvml.callAsync ?? (async (method, ...args) => invoke(nvml, method, args));
    const threads = Number(process.env['UV_THREADPOOL_SIZE']) || 4;
    this.maxInFlight = options.maxInFlight ?? Math.max(1, threads - 2);
    this.now = options.now ?? Date.now;
  }

  /** Calls whose deadline passed and that have not returned. */
  hung(): { lane: string; fn: string; forMs: number }[] {
    return [...this.lanes]
      .filter(([, call]) => call.hung)
      .map(([lane, call]) => ({ lane, fn: call.fn, forMs: this.now() - call.since }));
  }

  /**
   * Runs a program in a lane. Rejects with NvmlHungError when the lane still has a call
   * outstanding, or when the program has not finished within `deadlineMs`: then the call it is in
   * stays outstanding (and the lane busy) until the driver returns, and the program does not go on.
   */
  run<T>(lane: string, program: NvmlProgram<T>, deadlineMs: number): Promise<T> {
    const busy = this.lanes.get(lane);
    if (busy) return Promise.reject(this.hungError(busy));
    return new Promise<T>((resolve, reject) => {
      let expired = false;
      const timer = setTimeout(() => {
        expired = true;
        const outstanding = this.lanes.get(lane);
        if (outstanding) outstanding.hung = true;
        reject(outstanding ? this.hungError(outstanding) : this.noThreadError(deadlineMs));
        this.stopWaiting(lane);
      }, deadlineMs);
      runAsync(program, (request) => this.perform(lane, request), {
        stop: () => expired,
        fatal: (error) => error instanceof NvmlHungError,
      }).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private hungError(call: Outstanding): NvmlHungError {
    return new NvmlHungError(`NVML call ${call.fn} hung for ${seconds(this.now() - call.since)} s`, {
      fn: call.fn,
      since: call.since,
    });
  }

  private noThreadError(deadlineMs: number): NvmlHungError {
    const busy = [...this.lanes.values()].map(
      (call) => `${call.fn} for ${seconds(this.now() - call.since)} s`,
    );
    return new NvmlHungError(
      `no NVML call could start within ${seconds(deadlineMs)} s: ${busy.length} running (${busy.join(', ')})`,
    );
  }

  private async perform(lane: string, request: NvmlRequest): Promise<unknown> {
    await this.acquire(lane);
    const outstanding: Outstanding = {
      fn: NVML_FUNCTION_NAMES[request.method],
      since: this.now(),
      hung: false,
    };
    this.lanes.set(lane, outstanding);
    try {
      return await request.async(this.callAsync);
    } finally {
      if (this.lanes.get(lane) === outstanding) this.lanes.delete(lane);
      this.release();
    }
  }

  private acquire(lane: string): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiting.push({ lane, resolve, reject }));
  }

  /** A finished call hands its thread to the next waiting one. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.inFlight--;
  }

  private stopWaiting(lane: string): void {
    const at = this.waiting.findIndex((waiter) => waiter.lane === lane);
    if (at < 0) return;
    const [waiter] = this.waiting.splice(at, 1);
    waiter?.reject(new NvmlHungError('deadline passed while waiting for a free NVML call'));
  }
}

const shared = new WeakMap<NvmlLibrary, NvmlCalls>();

/** One NvmlCalls per library: the reader and the writer share its worker threads and its limit. */
export function nvmlCalls(nvml: NvmlLibrary): NvmlCalls {
  let calls = shared.get(nvml);
  if (!calls) {
    calls = new NvmlCalls(nvml);
    shared.set(nvml, calls);
  }
  return calls;
}
