/**
 * Failures the CLI expects. Each prints as one line, `skyy: <message> — <what to do next>`,
 * and maps to an exit code: 1 when the work failed, 2 when the command line itself was wrong.
 */
export class CliError extends Error {
  readonly exitCode: 1 | 2 = 1;
  constructor(
    message: string,
    /** What to do next, e.g. "run `skyy login <url>`". */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad usage: a missing argument, an invalid value, a flag that needs a terminal. Exit code 2. */
export class UsageError extends CliError {
  override readonly exitCode = 2;
}

export function formatCliError(error: CliError): string {
  return error.hint ? `skyy: ${error.message} — ${error.hint}` : `skyy: ${error.message}`;
}
