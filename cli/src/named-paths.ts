import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { CliError, UsageError } from './errors.ts';

/**
 * Paths the user named on the command line. One that names nothing (a typo, the wrong directory)
 * is bad usage, exit 2, the same for every command: the command line is what to fix. A file that
 * is there but whose content is invalid is a failed run, exit 1, and is reported by each command.
 */

const HINT = 'check the path';

/** errno codes mean little to most users: the problem in words. */
function problem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, expected a file';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** How a path is named in messages: as typed, after the option it came with (`--site-settings x`). */
const label = (input: string, option?: string) => (option ? `${option} ${input}` : input);

/** The file's text, or a UsageError naming it (and its option) with what is wrong in words. */
export function readNamedFile(input: string, cwd: string, option?: string): string {
  try {
    return readFileSync(path.resolve(cwd, input), 'utf8');
  } catch (error) {
    throw new UsageError(`${label(input, option)}: ${problem(error)}`, HINT);
  }
}

/** A file or directory that must exist; its stat, or a UsageError naming it. */
export function statNamedPath(input: string, cwd: string, option?: string): Stats {
  try {
    return statSync(path.resolve(cwd, input));
  } catch (error) {
    throw new UsageError(`${label(input, option)}: ${problem(error)}`, HINT);
  }
}

/**
 * A file about to be created: its directory must exist (else bad usage, exit 2) and the file must
 * not unless `force` (else exit 1: refusing to overwrite is the CLI protecting the user's data).
 * `canForce` says whether the command has a --force to offer.
 */
export function checkNewFile(
  input: string,
  cwd: string,
  options: { option?: string; force?: boolean; canForce?: boolean } = {},
): string {
  const target = path.resolve(cwd, input);
  if (!existsSync(path.dirname(target)))
    throw new UsageError(
      `${label(input, options.option)}: the directory ${path.dirname(input)} does not exist`,
      'create it first',
    );
  if (existsSync(target) && !options.force)
    throw new CliError(
      `${input} already exists`,
      options.canForce
        ? 'choose another file name, or pass --force to overwrite it'
        : 'choose another file name, or remove it first',
    );
  return target;
}
