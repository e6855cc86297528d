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
import { advance, simStateSchema, type SimState } from './model.ts';
import { createSimState } from './presets.ts';

/**
 * The simulated host lives in one JSON file so that separate invocations agree: a `-pl` write or
 * an nvidia-settings fan change is seen by the long-running `-lms` loop. Every access takes a
 * lock file, advances the model to now, and writes the file back atomically (temp + rename).
 */

export const STATE_ENV = 'SKYY_SIM_NVIDIA_SMI_STATE';

export function statePath(env: NodeJS.ProcessEnv = process.env): string {
  return env[STATE_ENV] ?? join(tmpdir(), 'skyy-sim-nvidia-smi', 'state.json');
}

export function writeState(path: string, state: SimState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readState(path: string): SimState {
  if (!existsSync(path)) {
    const fresh = createSimState();
    writeState(path, fresh);
    return fresh;
  }
  return simStateSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const LOCK_STALE_MS = 2_000;
const LOCK_WAIT_MS = 5_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

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
      sleepSync(3);
    }
  }
}

/**
 * Runs `change` on the state advanced to `now` and saves it. The model runs `timeScale`
 * simulated seconds per real second; a long pause is capped so the model never jumps hours.
 */
export function withState<T>(path: string, change: (state: SimState) => T, now = Date.now()): T {
  const lock = `${path}.lock`;
  acquire(lock);
  try {
    const state = readState(path);
    const elapsedSec = Math.max(0, (now - state.updatedAtMs) / 1000);
    advance(state, Math.min(elapsedSec * state.timeScale, 3600));
    state.updatedAtMs = now;
    const result = change(state);
    writeState(path, state);
    return result;
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // Already removed as stale by another process; nothing to release.
    }
  }
}
