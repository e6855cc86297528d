import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import type { CliIo, InputStream } from './io.ts';
import { readNewPassword, readPassword } from './prompt.ts';

/** A fake terminal: stdin in raw mode receives keystrokes; stderr records what was shown. */
function terminal() {
  const stdin = new PassThrough() as PassThrough & InputStream;
  const rawModes: boolean[] = [];
  stdin.isTTY = true;
  stdin.setRawMode = (mode: boolean) => rawModes.push(mode);
  let shown = '';
  const io: CliIo = {
    stdin,
    stdout: { write: () => true },
    stderr: { write: (chunk: string) => (shown += chunk) },
    env: {},
    cwd: process.cwd(),
  };
  /** Types `keys` once the prompt `question` has been shown. */
  const typeAfter = async (question: string, keys: string) => {
    while (!shown.endsWith(question)) await new Promise((resolve) => setImmediate(resolve));
    stdin.write(keys);
  };
  return { io, stdin, rawModes, shown: () => shown, typeAfter };
}

describe('password prompts', () => {
  it('asks twice without echoing, honouring backspace, and restores the terminal', async () => {
    const t = terminal();
    const password = readNewPassword(t.io, false);
    await t.typeAfter('Password: ', 'hunter22x\u007f2\r');
    await t.typeAfter('Repeat password: ', 'hunter222\r');
    await expect(password).resolves.toBe('hunter222');
    expect(t.shown()).toBe('Password: \nRepeat password: \n');
    expect(t.rawModes).toEqual([true, false, true, false]);
  });

  it('fails when the two entries differ', async () => {
    const t = terminal();
    const password = readNewPassword(t.io, false);
    await t.typeAfter('Password: ', 'one password\r');
    await t.typeAfter('Repeat password: ', 'another one\r');
    await expect(password).rejects.toThrow('the two passwords differ');
  });

  it('Ctrl-C cancels', async () => {
    const t = terminal();
    const password = readPassword(t.io, false);
    await t.typeAfter('Password: ', 'half\u0003');
    await expect(password).rejects.toThrow('cancelled');
    expect(t.rawModes).toEqual([true, false]);
  });

  it('reads the whole of stdin with --password-stdin, minus one trailing newline', async () => {
    const t = terminal();
    const password = readPassword(t.io, true);
    t.stdin.end('  spaces kept  \n');
    await expect(password).resolves.toBe('  spaces kept  ');
  });

  it('refuses an empty password as bad usage', async () => {
    const t = terminal();
    const password = readPassword(t.io, true);
    t.stdin.end('\n');
    await expect(password).rejects.toBeInstanceOf(UsageError);
  });
});
