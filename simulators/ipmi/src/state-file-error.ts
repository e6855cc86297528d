import { StateFileError, type CliIo } from '@skyy/sim-kit';

/**
 * A hand-edited or truncated state file: its name and the way out on one line, and exit 1, as the
 * real ipmitool and sensors fail when they cannot reach the BMC or the chips. Anything else is a
 * bug of the simulator and keeps its stack trace.
 */
export function reportStateFileError(error: unknown, io: CliIo): number {
  if (!(error instanceof StateFileError)) throw error;
  io.err(`${error.message}\n`);
  return 1;
}
