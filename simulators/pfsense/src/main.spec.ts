import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTsScript } from '../../../scripts/testing/run-ts-script.ts';

const cli = fileURLToPath(new URL('./main.ts', import.meta.url));

/** `npm run sim:pfsense -- <args>` without npm. */
const simPfsense = (...args: string[]) => runTsScript(cli, args);

describe('npm run sim:pfsense: startup problems', () => {
  let dir: string;
  let taken: Server;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sim-pfsense-cli-'));
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => taken.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('names a port that is already taken in one line, exit 1', async () => {
    const port = (taken.address() as { port: number }).port;
    const { code, stderr } = await simPfsense('--port', String(port));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`sim-pfsense: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
  });

  it('names a broken --state file, what is wrong first and the way out, exit 1', async () => {
    const state = join(dir, 'pfsense.json');
    writeFileSync(state, '{"vips": []}');
    const { code, stderr } = await simPfsense('--port', '0', '--state', state);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `sim-pfsense: ${state} is not a valid simulator state (interfaces: Invalid input: expected array, received undefined); fix it, or delete it to start from the default firewall`,
    );
  });
});
