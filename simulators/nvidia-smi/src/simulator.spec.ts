import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { powerDraw, REASON, steadyStateTempC, clockEventReasons } from './model.ts';
import { runNvidiaSettings } from './nvidia-settings-cli.ts';
import type { CliIo } from '@skyy/sim-kit';
import { runNvidiaSmi } from './nvidia-smi-cli.ts';
import { createSimState } from './presets.ts';
import { NVML_CODE, SimHost } from './sim-host.ts';
import { readState, STATE_ENV, writeState } from './state-store.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'nvidia-smi');

describe('thermal model', () => {
  it('heats up with load and power, cools down with fan speed', () => {
    const host = SimHost.create({ models: ['2080'] });
    const gpu = host.gpu(0);
    const idle = steadyStateTempC(gpu);
    host.setLoad(1);
    const loaded = steadyStateTempC(gpu);
    expect(loaded).toBeGreaterThan(idle + 20);
    gpu.powerLimitW = gpu.minPowerLimitW;
    const powerLimited = steadyStateTempC(gpu);
    expect(powerLimited).toBeLessThan(loaded);
    for (const fan of gpu.fans) fan.speedPct = 100;
    expect(steadyStateTempC(gpu)).toBeLessThan(powerLimited);
  });

  it('has thermal inertia: a load step takes minutes, not one sample, to show fully', () => {
    const host = SimHost.create({ models: ['2080'] });
    const before = host.gpu(0).temperatureC;
    host.setLoad(1);
    host.advance(1);
    const afterOneSecond = host.gpu(0).temperatureC;
    expect(afterOneSecond).toBeGreaterThan(before);
    expect(afterOneSecond - before).toBeLessThan(3);
    host.advance(600);
    expect(host.gpu(0).temperatureC - before).toBeGreaterThan(20);
  });

  it('caps power at the limit and reports the SW power cap reason', () => {
    const host = SimHost.create({ models: ['2080'] });
    const gpu = host.gpu(0);
    host.setLoad(1);
    expect(powerDraw(gpu)).toBe(gpu.powerLimitW);
    expect(clockEventReasons(gpu) & REASON.swPowerCap).toBe(REASON.swPowerCap);
    host.setLoad(0);
    expect(clockEventReasons(gpu) & REASON.gpuIdle).toBe(REASON.gpuIdle);
  });

  it('lets the NVML-shaped API set fans and power, refusing values out of range', () => {
    const host = SimHost.create({ models: ['2080'] });
    const nvml = host.nvml();
    nvml.init();
    nvml.deviceSetFanSpeed(0, 1, 90);
    nvml.deviceSetPowerManagementLimitMw(0, 200_000);
    host.advance(10);
    expect(nvml.deviceGetFanSpeed(0, 1)).toBe(90);
    expect(nvml.deviceGetPowerManagementLimitMw(0)).toBe(200_000);
    expect(() => nvml.deviceSetFanSpeed(0, 0, 5)).toThrow(
      expect.objectContaining({ code: NVML_CODE.INVALID_ARGUMENT }),
    );
    nvml.deviceSetDefaultFanSpeed(0, 1);
    expect(host.gpu(0).fans[1]?.manual).toBe(false);
    host.fail(0, 'temperature');
    expect(() => nvml.deviceGetTemperature(0)).toThrow(expect.objectContaining({ code: NVML_CODE.UNKNOWN }));
  });
});

describe('fake nvidia-smi and nvidia-settings', () => {
  let dir: string;
  let io: CliIo & { stdout: string; stderr: string };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-nvidia-smi-'));
    const env = { [STATE_ENV]: join(dir, 'state.json'), DISPLAY: ':0' };
    writeState(env[STATE_ENV], createSimState({ models: ['2080', '4080'] }));
    io = {
      stdout: '',
      stderr: '',
      env,
      out(text) {
        this.stdout += text;
      },
      err(text) {
        this.stderr += text;
      },
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const smi = async (...args: string[]) => {
    io.stdout = '';
    io.stderr = '';
    return runNvidiaSmi(args, io);
  };

  it('answers --query-gpu with header and units like the real tool, one line per GPU', async () => {
    expect(await smi('--query-gpu=index,name,fan.speed,power.limit,pstate', '--format=csv')).toBe(0);
    expect(io.stdout).toBe(
      'index, name, fan.speed [%], power.limit [W], pstate\n' +
        '0, NVIDIA GeForce RTX 2080 SUPER, 38 %, 250.00 W, P8\n' +
        '1, NVIDIA GeForce RTX 4080 SUPER, 0 %, 320.00 W, P8\n',
    );
    await smi('--query-gpu=index,power.limit', '--format=csv,noheader,nounits', '-i', '1');
    expect(io.stdout).toBe('1, 320.00\n');
  });

  it('answers fields it does not model from the recorded capture, and rejects unknown ones', async () => {
    await smi('--query-gpu=vbios_version,pcie.link.gen.max', '--format=csv,noheader');
    expect(io.stdout).toBe('90.04.7A.40.73, 3\n95.03.44.00.B2, 4\n');
    expect(await smi('--query-gpu=index,not.a.field', '--format=csv')).toBe(2);
    expect(io.stdout).toContain('Field "not.a.field" is not a valid field to query.');
  });

  it('applies -pl within the card range so that later readings show it', async () => {
    expect(await smi('-i', '0', '-pl', '180')).toBe(0);
    expect(io.stdout).toContain('was set to 180.00 W from 250.00 W');
    await smi('--query-gpu=power.limit', '--format=csv,noheader,nounits', '-i', '0');
    expect(io.stdout).toBe('180.00\n');
    expect(await smi('-i', '0', '-pl', '50')).toBe(2);
    expect(io.stderr).toContain('between 105.00 W and 350.00 W');
  });

  it('answers [N/A] where told to, as a card with a failing sensor does', async () => {
    await smi('sim', 'fault', 'na', '0', 'temperature.gpu', '[Unknown Error]');
    await smi('--query-gpu=index,temperature.gpu', '--format=csv,noheader');
    expect(io.stdout.split('\n')[0]).toBe('0, [Unknown Error]');
  });

  it('takes nvidia-settings fan writes only in manual mode, numbering fans across GPUs', async () => {
    expect(runNvidiaSettings(['-a', '[fan:2]/GPUTargetFanSpeed=90'], io)).toBe(1);
    expect(
      runNvidiaSettings(['-a', '[gpu:1]/GPUFanControlState=1', '-a', '[fan:2]/GPUTargetFanSpeed=90'], io),
    ).toBe(0);
    const state = readState(io.env[STATE_ENV] ?? '');
    expect(state.gpus[1]?.fans[0]).toMatchObject({ manual: true, targetPct: 90 });
    expect(state.gpus[0]?.fans[0]?.manual).toBe(false);
  });

  it('renders -q from the capture with live values written over it', async () => {
    await smi('sim', 'load', '0', '1');
    await smi('-q', '-i', '0');
    expect(io.stdout).toContain('Attached GPUs                                          : 2');
    expect(io.stdout).toMatch(/GPU UUID\s+: GPU-5eed0000-0000-4000-8000-000000000000/);
    expect(io.stdout).toMatch(/Performance State\s+: P2/);
    expect(io.stdout).toMatch(/VBIOS Version\s+: 90.04.7A.40.73/);
  });

  it('answers like the real tool on a host without GPUs or without a driver', async () => {
    await smi('sim', 'init', '--gpus', '0');
    expect(await smi('--query-gpu=index,uuid', '--format=csv,noheader')).toBe(6);
    expect(io.stdout).toBe('No devices were found\n');
    expect(await smi('-L')).toBe(6);
    expect(await smi('--version')).toBe(0);

    await smi('sim', 'init', '--gpus', '1');
    await smi('sim', 'fault', 'no-driver');
    expect(await smi('--query-gpu=index', '--format=csv')).toBe(9);
    expect(io.stderr).toContain("couldn't communicate with the NVIDIA driver");
  });
  it('answers mistakes in driving the simulator with one line and exit 2, changing nothing', async () => {
    expect(await smi('sim', 'load', '7', '1')).toBe(2);
    expect(io.stderr).toBe('sim: no simulated GPU "7"; GPUs are 0..1, or all\n');
    expect(await smi('sim', 'load', '0', '5')).toBe(2);
    expect(io.stderr).toBe('sim: the load must be a number from 0 to 1, got 5\n');
    expect(await smi('sim', 'ambient', 'hot')).toBe(2);
    expect(io.stderr).toContain('the ambient temperature (°C) must be a number');
    expect(await smi('sim', 'fault', 'melt')).toBe(2);
    expect(io.stderr).toContain('sim: unknown fault "melt"; faults: hang,');
    expect(await smi('sim', 'lod')).toBe(2);
    expect(io.stderr).toContain('sim: unknown command "lod"\nusage: nvidia-smi sim init');
    const state = readState(io.env[STATE_ENV] ?? '');
    expect(state.gpus.map((gpu) => gpu.load)).toEqual([0, 0]);
    expect(state.faults.hang).toBe(false);
  });

  it('names a broken state file and how to recover, instead of a stack trace', async () => {
    writeFileSync(io.env[STATE_ENV] ?? '', '{"version": 1, "gpus": [');
    expect(await smi('-L')).toBe(1);
    expect(io.stderr).toMatch(/state\.json is not a valid simulator state \(.+\); fix it, or delete it/);
    expect(await smi('sim', 'load', 'all', '1')).toBe(1);
    expect(io.stderr).toContain('is not a valid simulator state');
    expect(await smi('sim', 'init')).toBe(0);
    expect(await smi('-L')).toBe(0);
  });
});

describe('the nvidia-smi executable', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-nvidia-smi-bin-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], until: (out: string) => boolean) {
    const child = spawn(BIN, args, { env: { ...process.env, [STATE_ENV]: join(dir, 'state.json') } });
    let out = '';
    const done = new Promise<{ out: string; code: number | null; err: string }>((resolve) => {
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (until(out)) child.kill('SIGTERM');
      });
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('exit', (code) => resolve({ out, code, err }));
    });
    return done;
  }

  it('loops with -lms until killed, one line per GPU per interval', async () => {
    writeState(join(dir, 'state.json'), createSimState({ models: ['2080'], gpus: 2 }));
    const { out } = await run(
      ['--query-gpu=count,index,temperature.gpu', '--format=csv,noheader,nounits', '-lms', '100'],
      (text) => text.split('\n').length > 6,
    );
    const lines = out.trim().split('\n').slice(0, 6);
    expect(lines.map((line) => line.split(', ')[1])).toEqual(['0', '1', '0', '1', '0', '1']);
  });

  it('dies with an error code when told to, as a crashed driver call does', async () => {
    const state = createSimState({ models: ['2080'] });
    state.faults.exitCode = 15;
    writeState(join(dir, 'state.json'), state);
    const { code, err } = await run(['--query-gpu=index', '--format=csv', '-lms', '100'], () => false);
    expect(code).toBe(15);
    expect(err).toContain('Unknown Error');
  });
});
