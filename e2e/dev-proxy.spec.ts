import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { devApiTarget } from '../frontend/scripts/api-target.mjs';

// `npm run dev`: the console's dev server must forward /api to the port the API really listens
// on. It used to be fixed at :8080, so with PORT set every console call failed.
const repo = fileURLToPath(new URL('..', import.meta.url));
const devScript = path.join(repo, 'frontend/scripts/dev.mjs');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('npm run dev', () => {
  let dev: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev?.once('exit', resolve));
      dev.kill('SIGINT');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('proxies the console to the API on PORT', { timeout: 240_000 }, async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'skyy-dev-'));
    const [apiPort, webPort] = [await freePort(), await freePort()];
    let log = '';
    dev = spawn('node', [devScript, '--port', String(webPort)], {
      cwd: repo,
      env: { ...process.env, PORT: String(apiPort), SKYY_DATA_DIR: dir, SKYY_CONFIG: '' },
    });
    dev.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    dev.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));

    // ng serve compiles the console first; poll its proxy until the API answers through it.
    let status = 0;
    for (let i = 0; i < 220 && status !== 200 && dev.exitCode === null; i++) {
      status = await fetch(`http://127.0.0.1:${webPort}/api/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(status, log).toBe(200);
    expect(log).toContain(`API at http://127.0.0.1:${apiPort}`);
    const metrics = await fetch(`http://127.0.0.1:${webPort}/metrics`);
    expect(metrics.status).toBe(200);

    // Stopped by a signal that is not a terminal's Ctrl-C (which reaches the whole group), ng
    // serve and the API must still go: nothing left holding the ports.
    const exited = new Promise((resolve) => dev?.once('exit', resolve));
    dev.kill('SIGTERM');
    await exited;
    const stillServing = async (port: number) =>
      fetch(`http://127.0.0.1:${port}/api/health`).then(
        () => true,
        () => false,
      );
    for (let i = 0; i < 20 && ((await stillServing(webPort)) || (await stillServing(apiPort))); i++)
      await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await stillServing(webPort)).toBe(false);
    expect(await stillServing(apiPort)).toBe(false);
  });

  it('follows config.yaml when PORT is not set, and 8080 by default', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'skyy-dev-'));
    const config = path.join(dir, 'skyy.yaml');
    writeFileSync(config, 'server:\n  port: 18765\n');
    expect(await devApiTarget({ SKYY_CONFIG: config }, dir)).toBe('http://127.0.0.1:18765');
    expect(await devApiTarget({}, dir)).toBe('http://127.0.0.1:8080');
    expect(await devApiTarget({ HOST: '::1', PORT: '9000' }, dir)).toBe('http://[::1]:9000');
  });

  it('refuses a bad PORT in one line, exit 2, before starting anything', () => {
    const run = spawnSync('node', [devScript], {
      cwd: repo,
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'skyy dev: invalid configuration: (environment):1:1: PORT: expected a port number, got "eighty"\n',
    );
    expect(run.stdout).toBe('');
  });
});
