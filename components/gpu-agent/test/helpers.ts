import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MainIo } from '../main.ts';

/** The simulator's fake nvidia-smi executable (a node script). */
export const FAKE_NVIDIA_SMI = join(
  dirname(createRequire(import.meta.url).resolve('@skyy/sim-nvidia-smi')),
  '..',
  'bin',
  'nvidia-smi',
);
export const FAKE_NVIDIA_SETTINGS = join(dirname(FAKE_NVIDIA_SMI), 'nvidia-settings');

/** Polls `condition` until it holds; real child processes need real time (the machine may be busy). */
export async function waitFor(condition: () => boolean, timeoutMs = 20_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** What `main()` printed, and the signal handler it installed, for driving the CLI in-process. */
export type RecordingIo = MainIo & {
  stdout: string;
  stderr: string;
  signal?: (signal: NodeJS.Signals) => void;
  /** The signal main() would have ended the process with after stopping. */
  endedBy?: NodeJS.Signals;
};

/** A MainIo that records output instead of printing it; call `signal` to send main() SIGTERM or SIGINT. */
export function recordingIo(env: NodeJS.ProcessEnv): RecordingIo {
  return {
    stdout: '',
    stderr: '',
    env,
    isRoot: false,
    out(text) {
      this.stdout += text;
    },
    err(text) {
      this.stderr += text;
    },
    onSignal(handler) {
      this.signal = handler;
    },
    endBySignal(signal) {
      this.endedBy = signal;
    },
  };
}
