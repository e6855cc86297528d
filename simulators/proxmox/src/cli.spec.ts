import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTsScript } from '../../../scripts/testing/run-ts-script.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** `npm run sim:proxmox -- <args>` without npm. */
const simProxmox = (...args: string[]) => runTsScript(cli, args);

describe('npm run sim:proxmox: startup problems', () => {
  let dir: string;
  let taken: Server;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sim-proxmox-cli-'));
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => taken.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('names a port that is already taken in one line, exit 1', async () => {
    const port = (taken.address() as { port: number }).port;
    const { code, stderr } = await simProxmox('--port', String(port));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`sim-proxmox: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
  });

  it('names a broken --state file, what is wrong first and the way out, exit 1', async () => {
    const state = join(dir, 'pve.json');
    writeFileSync(state, '{"nodes": 3}');
    const { code, stderr } = await simProxmox('--port', '0', '--state', state);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `sim-proxmox: ${state} is not a valid simulator state (clusterName: Invalid input: expected string, received undefined); fix it, or delete it to generate a fresh cluster`,
    );
  });
});
