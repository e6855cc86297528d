import { scaledElapsedSec, StateFile, stateFilePath } from '@skyy/sim-kit';
import { advance, simStateSchema, type SimState } from './model.ts';
import { createSimState } from './presets.ts';

/**
 * The simulated GPUs, in one locked JSON file (@skyy/sim-kit) so that separate invocations agree:
 * a `-pl` write or an nvidia-settings fan change is seen by the long-running `-lms` loop. Every
 * access advances the model to now first.
 */

export const STATE_ENV = 'SKYY_SIM_NVIDIA_SMI_STATE';

const file = new StateFile<SimState>({
  parse: (raw) => simStateSchema.parse(raw),
  create: () => createSimState(),
});

export function statePath(env: NodeJS.ProcessEnv = process.env): string {
  return stateFilePath(STATE_ENV, 'skyy-sim-nvidia-smi', env);
}

export function writeState(path: string, state: SimState): void {
  file.write(path, state);
}

export function readState(path: string): SimState {
  return file.read(path);
}

/** Runs `change` on the state advanced to `now` (× `timeScale`) and saves it. */
export function withState<T>(path: string, change: (state: SimState) => T, now = Date.now()): T {
  return file.update(path, (state) => {
    advance(state, scaledElapsedSec(state.updatedAtMs, now, state.timeScale));
    state.updatedAtMs = now;
    return change(state);
  });
}
