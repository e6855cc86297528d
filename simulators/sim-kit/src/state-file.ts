import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A simulated host lives in one JSON file so that separate processes of a fake tool (a long-running
 * `nvidia-smi -lms` and an nvidia-settings write, a `sensors` read and an `ipmitool` duty) agree.
 * Every update takes a lock file and writes the file back atomically (temp + rename), so a reader
 * never sees half a file and two writers never lose each other's change.
 */

export interface StateFileShape<S> {
  /** Validates what is on disk (a zod schema's parse): a hand-edited file fails loudly. */
  parse(raw: unknown): S;
  /** The host a missing file starts as. */
  create(): S;
}

/** `$<envVar>`, else `$TMPDIR/<dirName>/state.json`. */
export function stateFilePath(envVar: string, dirName: string, env: NodeJS.ProcessEnv): string {
  return env[envVar] ?? join(tmpdir(), dirName, 'state.json');
}

const LOCK_STALE_MS = 2_000;
const LOCK_WAIT_MS = 5_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

// The fakes answer synchronously (a CLI call, an NVML-shaped function): the lock is taken by
// spinning with a short blocking sleep rather than with promises.
function acquire(lock: string): void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        // A process killed while holding the lock must not wedge the simulator.
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) unlinkSync(lock);
      } catch {
        // The holder released it between the two calls.
      }
      if (Date.now() > deadline) throw new Error(`simulator state is locked: ${lock}`, { cause: error });
      Atomics.wait(sleeper, 0, 0, 3);
    }
  }
}

function release(lock: string): void {
  try {
    unlinkSync(lock);
  } catch {
    // Already removed as stale by another process; nothing to release.
  }
}

/** What is on disk is not JSON or not a host of this simulator: says which file and what to do. */
export class StateFileError extends Error {}

/** The first problem, short: a zod error's message is its whole issue list as JSON. */
function firstProblem(error: unknown): string {
  const issue = (error as { issues?: { path?: PropertyKey[]; message?: string }[] }).issues?.[0];
  if (issue) return `${issue.path?.map(String).join('.') || '(top level)'}: ${issue.message ?? 'invalid'}`;
  return error instanceof Error ? error.message : String(error);
}

export class StateFile<S> {
  constructor(private readonly shape: StateFileShape<S>) {}

  write(path: string, state: S): void {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(tmp, path);
  }

  /** The state on disk; a missing file is created with the default host first. */
  read(path: string): S {
    if (!existsSync(path)) {
      const fresh = this.shape.create();
      this.write(path, fresh);
      return fresh;
    }
    const text = readFileSync(path, 'utf8');
    try {
      return this.shape.parse(JSON.parse(text));
    } catch (error) {
      // A hand-edited or truncated file is the user's to fix: a one-line answer, not a stack trace.
      throw new StateFileError(
        `${path} is not a valid simulator state (${firstProblem(error)}); fix it, or delete it to start from a fresh host`,
        { cause: error },
      );
    }
  }

  /** Runs `change` on the state under the lock and saves it; returns what `change` returned. */
  update<T>(path: string, change: (state: S) => T): T {
    const lock = `${path}.lock`;
    acquire(lock);
    try {
      const state = this.read(path);
      const result = change(state);
      this.write(path, state);
      return result;
    } finally {
      release(lock);
    }
  }
}

/** A simulator left alone for a day must not run its model for a day on the next call. */
const MAX_CATCH_UP_SEC = 3600;

/**
 * Simulated seconds since `updatedAtMs` when the model runs `timeScale` simulated seconds per
 * real second, capped so a long pause never jumps the model by hours.
 */
export function scaledElapsedSec(updatedAtMs: number, now: number, timeScale: number): number {
  const elapsedSec = Math.max(0, (now - updatedAtMs) / 1000);
  return Math.min(elapsedSec * timeScale, MAX_CATCH_UP_SEC);
}
