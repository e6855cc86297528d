import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** `npm run sim:proxmox -- <args>` without npm; resolves when it exits (or is killed after 15 s). */
function simProxmox(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

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
