import type { Readable } from 'node:stream';

/** A stream the CLI writes to: process.stdout/stderr, or a buffer in tests. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Standard input; on a terminal it can switch to raw mode for password prompts. */
export type InputStream = Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

/** Everything the CLI touches of its process, injectable so tests run `main()` in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: InputStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Writes a line; commands print through this so output order is easy to follow. */
export function println(stream: OutputStream, line = ''): void {
  stream.write(`${line}\n`);
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
