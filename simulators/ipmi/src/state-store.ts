import { scaledElapsedSec, StateFile, stateFilePath } from '@skyy/sim-kit';
import { advance, createIpmiSimState, ipmiSimStateSchema, type IpmiSimState } from './model.ts';

/**
 * The simulated host, in one locked JSON file (@skyy/sim-kit) so that the separate `sensors` and
 * `ipmitool` processes agree: a duty written by ipmitool cools the CPU the next `sensors` call
 * reports.
 */

export const STATE_ENV = 'SKYY_SIM_IPMI_STATE';
const MAX_COMMANDS = 2000;

const file = new StateFile<IpmiSimState>({
  parse: (raw) => ipmiSimStateSchema.parse(raw),
  create: () => createIpmiSimState(),
});

export function statePath(env: NodeJS.ProcessEnv = process.env): string {
  return stateFilePath(STATE_ENV, 'skyy-sim-ipmi', env);
}

export function writeState(path: string, state: IpmiSimState): void {
  file.write(path, state);
}

export function readState(path: string): IpmiSimState {
  return file.read(path);
}

export interface AccessOptions {
  /** A `sensors` read: in per-read stepping mode it advances the model by one step. */
  read?: boolean;
  now?: number;
}

/**
 * Runs `change` on the state advanced to now and saves it. With `stepPerReadSec` set, time only
 * moves on reads (deterministic tests); otherwise it follows the wall clock × `timeScale`.
 */
export function withState<T>(
  path: string,
  change: (state: IpmiSimState) => T,
  options: AccessOptions = {},
): T {
  const now = options.now ?? Date.now();
  return file.update(path, (state) => {
    if (state.stepPerReadSec > 0) {
      if (options.read) advance(state, state.stepPerReadSec);
    } else {
      advance(state, scaledElapsedSec(state.updatedAtMs, now, state.timeScale));
    }
    state.updatedAtMs = now;
    const result = change(state);
    // The command log is for `sim commands` and tests, not an unbounded history.
    if (state.commands.length > MAX_COMMANDS) state.commands.splice(0, state.commands.length - MAX_COMMANDS);
    return result;
  });
}
