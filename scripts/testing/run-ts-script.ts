import { spawn } from 'node:child_process';

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ScriptOptions {
  cwd?: string;
  /** The whole environment of the script (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Killed after this long: a command that should have failed at once (default 15 s). */
  timeoutMs?: number;
}

/**
 * Runs a TypeScript entry point as `npm run <script> -- <args>` (or the README's
 * `node --import tsx <script>`) would, and resolves with its exit code and output.
 */
export function runTsScript(script: string, args: string[], options: ScriptOptions = {}): Promise<ScriptRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: options.env ?? process.env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 15_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
