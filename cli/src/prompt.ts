import { createInterface } from 'node:readline/promises';
import { CliError, UsageError } from './errors.ts';
import type { CliIo } from './io.ts';

/** The whole of stdin, minus one trailing newline (what `echo secret |` and files add). */
export async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function isInteractive(io: CliIo): boolean {
  return io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
}

/** A visible answer on the terminal (username, email). Prompts go to stderr so stdout stays clean. */
export async function promptLine(io: CliIo, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** A password typed without echo, in raw mode; Ctrl-C cancels. */
export async function promptSecret(io: CliIo, question: string): Promise<string> {
  const { stdin } = io;
  if (!isInteractive(io) || !stdin.setRawMode) {
    throw new UsageError('no terminal to ask for the password on', 'pipe it in with --password-stdin');
  }
  io.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let typed: string[] = [];
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(typed.join(''));
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new CliError('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char >= ' ') typed.push(char);
      }
    };
    stdin.on('data', onData);
  });
}

/** A new password: from stdin with --password-stdin, else typed twice on the terminal. */
export async function readNewPassword(io: CliIo, fromStdin: boolean): Promise<string> {
  if (fromStdin) return nonEmpty(await readStdin(io));
  const first = await promptSecret(io, 'Password: ');
  const second = await promptSecret(io, 'Repeat password: ');
  if (first !== second) throw new CliError('the two passwords differ', 'run the command again');
  return nonEmpty(first);
}

/** An existing password, asked once. */
export async function readPassword(io: CliIo, fromStdin: boolean): Promise<string> {
  return nonEmpty(fromStdin ? await readStdin(io) : await promptSecret(io, 'Password: '));
}

/** A value from its flag, else asked on the terminal, else a usage error naming the flag. */
export async function requireValue(
  io: CliIo,
  value: string | undefined,
  flag: string,
  question: string,
): Promise<string> {
  if (value) return value;
  if (!isInteractive(io)) throw new UsageError(`${flag} is required when stdin is not a terminal`);
  const answer = await promptLine(io, question);
  if (!answer) throw new UsageError(`${flag} cannot be empty`);
  return answer;
}

function nonEmpty(password: string): string {
  if (password.length === 0) throw new UsageError('the password is empty');
  return password;
}
