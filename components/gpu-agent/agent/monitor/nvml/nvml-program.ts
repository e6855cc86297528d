import type { NvmlArgs, NvmlAsyncCall, NvmlFunctions, NvmlMethod, NvmlResult } from './nvml-library.ts';

/**
 * A sequence of NVML calls written once and run two ways: synchronously (detection, the simulated
 * closed loop, `restore`) or one asynchronous call at a time under a deadline (the daemon, see
 * nvml-calls.ts). A program is a generator that yields each call it wants and is resumed with the
 * result, or has the call's error thrown into it:
 *
 *   function* temperature(device) { return yield* nvml('deviceGetTemperature', device); }
 */

export interface NvmlRequest {
  method: NvmlMethod;
  sync(lib: NvmlFunctions): unknown;
  async(call: NvmlAsyncCall): Promise<unknown>;
}

export type NvmlProgram<T> = Generator<NvmlRequest, T, unknown>;

/** Calls a method by name (`lib[method](...args)` with `this` kept). */
export function invoke<K extends NvmlMethod>(
  lib: NvmlFunctions,
  method: K,
  args: NvmlArgs<K>,
): NvmlResult<K> {
  const fn = lib[method] as unknown as (this: NvmlFunctions, ...a: NvmlArgs<K>) => NvmlResult<K>;
  return fn.apply(lib, args);
}

/** One NVML call inside a program; `yield*` it to get the typed result. */
export function* nvml<K extends NvmlMethod>(method: K, ...args: NvmlArgs<K>): NvmlProgram<NvmlResult<K>> {
  const request: NvmlRequest = {
    method,
    sync: (lib) => invoke(lib, method, args),
    async: (call) => call(method, ...args),
  };
  // The driver resumes the generator with exactly this call's result.
  return (yield request) as NvmlResult<K>;
}

/** Runs a program to its end with synchronous calls. */
export function runSync<T>(lib: NvmlFunctions, program: NvmlProgram<T>): T {
  let step = program.next();
  while (!step.done) {
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: step.value.sync(lib) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    step = outcome.ok ? program.next(outcome.value) : program.throw(outcome.error);
  }
  return step.value;
}

/**
 * Runs a program with `perform` doing each call. `stop()` true ends it before its next call (its
 * deadline passed); an error `perform` marks as `fatal` ends it too instead of going into the
 * program (a refused call: the program's own error handling is for NVML return codes).
 */
export async function runAsync<T>(
  program: NvmlProgram<T>,
  perform: (request: NvmlRequest) => Promise<unknown>,
  options: { stop: () => boolean; fatal: (error: unknown) => boolean },
): Promise<T> {
  let step = program.next();
  while (!step.done) {
    if (options.stop()) throw new Error('NVML program abandoned after its deadline');
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await perform(step.value) };
    } catch (error) {
      if (options.fatal(error)) throw error;
      outcome = { ok: false, error };
    }
    step = outcome.ok ? program.next(outcome.value) : program.throw(outcome.error);
  }
  return step.value;
}
