import { execFile } from 'node:child_process';

/**
 * Runs external commands (nvidia-smi -pl, nvidia-settings, docker stop, qm shutdown, systemctl)
 * without a shell: arguments are passed as a list, so nothing in a GPU name or a container name
 * is ever interpreted. Every command has a timeout: a hung driver call must not hang the agent.
 */

export interface RunResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface CommandRunner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

export class CommandFailedError extends Error {
  constructor(readonly result: RunResult) {
    const why = result.timedOut
      ? 'timed out'
      : result.signal
        ? `killed by ${result.signal}`
        : `exit code ${result.code}`;
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-2).join(' ');
    super(`${result.command}: ${why}${detail ? `: ${detail}` : ''}`);
    this.name = 'CommandFailedError';
  }
}

/** `file arg …` for logs, quoting arguments with spaces. */
export function describeCommand(file: string, args: readonly string[]): string {
  return [file, ...args]
    .map((part) => (/^[\w@%+=:,./[\]-]+$/.test(part) ? part : JSON.stringify(part)))
    .join(' ');
}

export class ProcessRunner implements CommandRunner {
  constructor(private readonly defaults: RunOptions = {}) {}

  run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs ?? 15_000;
    const env = options.env ?? this.defaults.env ?? process.env;
    const command = describeCommand(file, args);
    return new Promise((resolve) => {
      execFile(
        file,
        [...args],
        { timeout: timeoutMs, killSignal: 'SIGKILL', env, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const failure = error as
            (NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals }) | null;
          const spawnFailed = failure !== null && typeof failure.code === 'string';
          resolve({
            command,
            code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
            signal: failure?.signal ?? null,
            stdout,
            stderr: spawnFailed ? `${stderr}${failure.message}` : stderr,
            timedOut: failure?.killed === true && failure.signal === 'SIGKILL',
          });
        },
      );
    });
  }
}

/** Runs and throws CommandFailedError unless the command exited 0. */
export async function runChecked(
  runner: CommandRunner,
  file: string,
  args: readonly string[],
  options?: RunOptions,
): Promise<RunResult> {
  const result = await runner.run(file, args, options);
  if (result.code !== 0) throw new CommandFailedError(result);
  return result;
}
