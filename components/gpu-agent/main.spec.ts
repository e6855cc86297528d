import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimState, readState, STATE_ENV, writeState } from '@skyy/sim-nvidia-smi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG } from './agent/config/load-config.ts';
import { main } from './main.ts';
import {
  FAKE_NVIDIA_SETTINGS,
  FAKE_NVIDIA_SMI,
  recordingIo,
  waitFor,
  type RecordingIo,
} from './test/helpers.ts';

describe('gpu-agent command line', () => {
  let dir: string;
  let io: RecordingIo;
  const fakes = ['--nvidia-smi', FAKE_NVIDIA_SMI, '--nvidia-settings', FAKE_NVIDIA_SETTINGS];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-agent-cli-'));
    writeState(join(dir, 'sim.json'), createSimState({ models: ['2080', '4080'] }));
    io = recordingIo({ ...process.env, [STATE_ENV]: join(dir, 'sim.json') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('validates a config: 0 when valid, 2 with key and line when not', async () => {
    expect(await main(['validate', BUNDLED_CONFIG], io)).toBe(0);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(BUNDLED_CONFIG, 'utf8').replace('max_step: 5 ', 'max_step: 0 '));
    expect(await main(['validate', bad], io)).toBe(2);
    expect(io.stderr).toMatch(/bad\.yaml:17:5: defaults\.fan_control\.max_step: /);
  });

  it('detects the GPUs and the control path', async () => {
    expect(await main(['detect', '--json', ...fakes], io)).toBe(0);
    const report = JSON.parse(io.stdout) as {
      reading: string;
      fans: string;
      power: string;
      gpus: { uuid: string }[];
    };
    expect(report).toMatchObject({ reading: 'nvidia-smi', fans: 'nvidia-settings', power: 'nvidia-smi' });
    expect(report.gpus.map((g) => g.uuid)).toEqual([
      'GPU-5eed0000-0000-4000-8000-000000000000',
      'GPU-5eed0000-0000-4000-8000-000000000001',
    ]);
  });

  it('restores automatic fans and default power limits (what ExecStopPost runs)', async () => {
    const simPath = join(dir, 'sim.json');
    const state = readState(simPath);
    for (const gpu of state.gpus) {
      gpu.powerLimitW = gpu.minPowerLimitW;
      for (const fan of gpu.fans) Object.assign(fan, { manual: true, targetPct: 100 });
    }
    writeState(simPath, state);
    expect(await main(['restore', ...fakes], io)).toBe(0);
    const after = readState(simPath);
    expect(after.gpus.map((g) => g.powerLimitW)).toEqual([250, 320]);
    expect(after.gpus.every((g) => g.fans.every((f) => !f.manual))).toBe(true);
    expect(io.stdout).toContain(
      'GPU 1 (GPU-5eed0000-0000-4000-8000-000000000001): fans automatic, power limit default',
    );
  });

  it('runs in dry-run when not root, prints decisions, and stops on SIGTERM', async () => {
    const running = main(['--listen', 'off', '--state-dir', join(dir, 'state'), ...fakes], io);
    await waitFor(() => io.stdout.includes('[dry-run] GPU 1 fan 0 → 70 %') && io.signal !== undefined);
    expect(io.stdout).toContain('dry-run, readings from nvidia-smi');
    io.signal?.('SIGTERM');
    expect(await running).toBe(0);
    expect(io.stdout).toContain('[dry-run] GPU 0 would get automatic fans and its default power limit back');
    // Nothing was written, so the stop must not claim it restored anything.
    expect(io.stdout).toContain(
      'SIGTERM: would restore automatic fans and default power limits (dry-run: nothing is written), then exiting',
    );
    expect(io.stdout).not.toContain('restoring automatic fans');
  });

  it('says a config file named on the command line is missing, in one line, exit 2', async () => {
    const missing = join(dir, 'nope.yaml');
    expect(await main(['validate', missing], io)).toBe(2);
    expect(io.stderr).toBe(`gpu-agent: ${missing}: no such file\n`);
    io.stderr = '';
    expect(await main(['validate', dir], io)).toBe(2);
    expect(io.stderr).toBe(`gpu-agent: ${dir}: is a directory, not a file\n`);
    io.stderr = '';
    const state = join(dir, 'state');
    expect(await main(['--config', missing, '--listen', 'off', '--state-dir', state, ...fakes], io)).toBe(2);
    expect(io.stderr).toBe(`gpu-agent: ${missing}: no such file\n`);
    expect(io.stdout).toBe('');
  });

  it('names an unknown command and lists the commands, exit 2; help exits 0', async () => {
    const unknown =
      "gpu-agent: unknown command 'frob' (commands: run, restore, detect, xorg-config, validate; see gpu-agent --help)\n";
    expect(await main(['frob'], io)).toBe(2);
    expect(io.stderr).toBe(unknown);
    io.stderr = '';
    expect(await main(['--log-level', 'debug', '--dry-run', 'frob'], io)).toBe(2);
    expect(io.stderr).toBe(unknown);
    expect(await main(['help'], io)).toBe(0);
    expect(io.stdout).toContain('validate <file>');
  });

  it('exits 2 on an unknown option', async () => {
    const code = await main(['detect', '--no-such-option'], io);
    expect(io.stderr).toContain("unknown option '--no-such-option'");
    expect(code).toBe(2);
  });
});
