import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG } from '../agent/config/load-config.ts';
import { buildFakeNvml, type FakeNvml } from '../agent/monitor/nvml/testdata/fake-nvml.ts';
import { waitFor } from './helpers.ts';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.ts');

/**
 * systemd stops the agent with SIGTERM and runs its ExecStopPost restore only once the process is
 * gone: an NVML call stuck in the driver (on a libuv worker) must not keep the process alive.
 */
describe('gpu-agent stopping while NVML calls hang', () => {
  let fake: FakeNvml;
  let dir: string;

  beforeAll(() => {
    fake = buildFakeNvml();
    dir = mkdtempSync(join(tmpdir(), 'gpu-agent-exit-'));
    const config = readFileSync(BUNDLED_CONFIG, 'utf8').replace(
      /^poll_interval_sec: .*$/m,
      'poll_interval_sec: 1',
    );
    writeFileSync(join(dir, 'gpu_config.yaml'), config);
  });
  afterAll(() => {
    fake.release();
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits on SIGTERM although a driver call never returns', async () => {
    const output: string[] = [];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'run',
        '--source',
        'nvml',
        '--nvml-library',
        fake.library,
        '--config',
        join(dir, 'gpu_config.yaml'),
        '--state-dir',
        dir,
        '--dry-run',
        '--listen',
        'off',
      ],
      { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    let gone = false;
    void exited.then(() => (gone = true));

    await waitFor(() => output.join('').includes('agent_started'), 60_000);
    fake.hang('*'); // every later driver call sleeps until release()
    await waitFor(() => output.join('').includes('hung for'), 30_000);
    child.kill('SIGTERM');
    await waitFor(() => gone, 30_000).catch(() => undefined);
    const stillRunning = !gone;
    if (stillRunning) child.kill('SIGKILL');
    expect(stillRunning, output.join('').slice(-2000)).toBe(false);
    // Ended by its own SIGTERM, re-raised after the restore: what systemd counts as a clean stop.
    expect(await exited).toBe('SIGTERM');
    expect(output.join('')).toMatch(/SIGTERM: (would restore|restoring) automatic fans/);
  }, 120_000);
});
