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
 * I/O, which heartbeats and the config cache need: no new NVML call starts while all but 2 of them
 * are held by hung calls.
 */

export class NvmlHungError extends Error {
  constructor(message: string) {
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

export interface NvmlCallsOptions {
  /** Hung calls tolerated before no new call starts (default: libuv's worker threads − 2, at least 1). */
  maxHung?: number;
  now?: () => number;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
}

export class NvmlCalls {
  private readonly lanes = new Map<string, Outstanding>();
  private readonly callAsync: NvmlAsyncCall;
  private readonly maxHung: number;
  private readonly now: () => number;

  constructor(nvml: NvmlLibrary, options: NvmlCallsOptions = {}) {
    // The simulator has no worker threads: its calls run inline, still through the same lanes.
    this.callAsync = nvml.callAsync ?? (async (method, ...args) => invoke(nvml, method, args));
    const threads = Number(process.env['UV_THREADPOOL_SIZE']) || 4;
    this.maxHung = options.maxHung ?? Math.max(1, threads - 2);
    this.now = options.now ?? Date.now;
  }

  /** Calls whose deadline passed and that have not returned (what `/state` reasons name). */
  hung(): { lane: string; fn: string; forMs: number }[] {
    return [...this.lanes]
      .filter(([, call]) => call.hung)
      .map(([lane, call]) => ({ lane, fn: call.fn, forMs: this.now() - call.since }));
  }

  /** Why no call can start in this lane now, or undefined. */
  refusal(lane: string): NvmlHungError | undefined {
    const busy = this.lanes.get(lane);
    if (busy) {
      return new NvmlHungError(`NVML call ${busy.fn} hung for ${seconds(this.now() - busy.since)} s`);
    }
    const hung = this.hung();
    if (hung.length >= this.maxHung) {
      const list = hung.map((call) => `${call.fn} for ${seconds(call.forMs)} s`).join(', ');
      return new NvmlHungError(`${hung.length} NVML calls hung (${list}); no new call started`);
    }
    return undefined;
  }

  /**
   * Runs a program in a lane. Rejects with NvmlHungError when the lane is busy, or when the
   * program has not finished within `deadlineMs`: then the call it is in stays outstanding (and
   * the lane busy) until the driver returns, and the program does not go on.
   */
  run<T>(lane: string, program: NvmlProgram<T>, deadlineMs: number): Promise<T> {
    const refused = this.refusal(lane);
    if (refused) return Promise.reject(refused);
    return new Promise<T>((resolve, reject) => {
      let expired = false;
      const timer = setTimeout(() => {
        expired = true;
        const outstanding = this.lanes.get(lane);
        if (outstanding) outstanding.hung = true;
        reject(
          new NvmlHungError(
            `NVML call ${outstanding?.fn ?? 'sequence'} hung for ${seconds(
              outstanding ? this.now() - outstanding.since : deadlineMs,
            )} s`,
          ),
        );
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

  private async perform(lane: string, request: NvmlRequest): Promise<unknown> {
    const refused = this.refusal(lane);
    if (refused) throw refused;
    const outstanding: Outstanding = { fn: NVML_FUNCTION_NAMES[request.method], since: this.now(), hung: false };
    this.lanes.set(lane, outstanding);
    try {
      return await request.async(this.callAsync);
    } finally {
      if (this.lanes.get(lane) === outstanding) this.lanes.delete(lane);
    }
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
