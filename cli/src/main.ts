import { CommanderError } from 'commander';
import { CliError, formatCliError } from './errors.ts';
import { processIo, type CliIo } from './io.ts';
import { buildProgram } from './program.ts';

export { processIo, type CliIo } from './io.ts';

/**
 * Runs one `skyy` command and returns its exit code: 0 ok, 1 failed, 2 bad usage.
 * Never throws and never calls process.exit, so tests run it in-process.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(io, error);
  }
}

function report(io: CliIo, error: unknown): number {
  const debug = io.env.SKYY_DEBUG === '1';
  // Commander has printed its message (or the help/version) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof CliError) {
    io.stderr.write(`${formatCliError(error)}\n`);
    if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  io.stderr.write(
    `skyy: unexpected error: ${message} — run again with SKYY_DEBUG=1 for details and report it\n`,
  );
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return 1;
}
