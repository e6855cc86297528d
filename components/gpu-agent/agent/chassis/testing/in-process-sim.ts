import { basename } from 'node:path';
import { runIpmitool, runSensors } from '@skyy/sim-ipmi';
import { describeCommand, type CommandRunner, type RunResult } from '../../../utils/runner.ts';

/**
 * Runs the fake `sensors` and `ipmitool` of simulators/ipmi in this process instead of spawning
 * them: the same code the fake binaries run, without a node start-up per call, so closed-loop
 * tests can take dozens of polls quickly. A hang fault would hang here: tests of hangs and
 * timeouts spawn the real fake binaries instead.
 */
export function inProcessSimRunner(env: NodeJS.ProcessEnv): CommandRunner {
  return {
    async run(file, args, options): Promise<RunResult> {
      let stdout = '';
      let stderr = '';
      const io = {
        out: (text: string) => (stdout += text),
        err: (text: string) => (stderr += text),
        env: options?.env ?? env,
      };
      const name = basename(file);
      const program = name === 'sensors' ? runSensors : name === 'ipmitool' ? runIpmitool : undefined;
      const code = program ? await program(args, io) : null;
      if (!program) stderr = `spawn ${file} ENOENT`;
      return { command: describeCommand(file, args), code, signal: null, stdout, stderr, timedOut: false };
    },
  };
}
