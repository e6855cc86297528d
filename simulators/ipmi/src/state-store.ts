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
import { advance, createIpmiSimState, ipmiSimStateSchema, type IpmiSimState } from './model.ts';

/**
 * The simulated host lives in one JSON file so that the separate `sensors` and `ipmitool`
 * processes agree: a duty written by ipmitool cools the CPU the next `sensors` call reports.
 * Every access takes a lock file and writes the file back atomically (temp + rename).
 */

export const STATE_ENV = 'SKYY_SIM_IPMI_STATE';
const MAX_COMMANDS = 2000;

export function statePath(env: NodeJS.ProcessEnv = process.env): string {
  return env[STATE_ENV] ?? join(tmpdir(), 'skyy-sim-ipmi', 'state.json');
}

export function writeState(path: string, state: IpmiSimState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readState(path: string): IpmiSimState {
  if (!existsSync(path)) {
    const fresh = createIpmiSimState();
    writeState(path, fresh);
    return fresh;
  }
  return ipmiSimStateSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const LOCK_STALE_MS = 2_000;
const LOCK_WAIT_MS = 5_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

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

export interface AccessOptions {
  /** A `sensors` read: in per-read stepping mode it advances the model by one step. */
  read?: boolean;
  now?: number;
}

/**
 * Runs `change` on the state advanced to now and saves it. With `stepPerReadSec` set, time only
 * moves on reads (deterministic tests); otherwise it follows the wall clock × `timeScale`, capped
 * so a long pause never jumps the model by hours.
 */
export function withState<T>(
  path: string,
  change: (state: IpmiSimState) => T,
  options: AccessOptions = {},
): T {
  const now = options.now ?? Date.now();
  const lock = `${path}.lock`;
  acquire(lock);
  try {
    const state = readState(path);
    if (state.stepPerReadSec > 0) {
      if (options.read) advance(state, state.stepPerReadSec);
    } else {
      const elapsedSec = Math.max(0, (now - state.updatedAtMs) / 1000);
      advance(state, Math.min(elapsedSec * state.timeScale, 3600));
    }
    state.updatedAtMs = now;
    const result = change(state);
    if (state.commands.length > MAX_COMMANDS) state.commands.splice(0, state.commands.length - MAX_COMMANDS);
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
