import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import {
  createIpmiSimState,
  readState,
  STATE_ENV as IPMI_STATE_ENV,
  withState,
  writeState,
} from '@skyy/sim-ipmi';
import {
  createSimState,
  runNvidiaSmi,
  STATE_ENV as SMI_STATE_ENV,
  writeState as writeSmiState,
} from '@skyy/sim-nvidia-smi';
import { gpuAgentStateSchema } from '@skyy/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promtoolProblems } from '../../../../scripts/testing/promtool.ts';
import { main } from '../../main.ts';
import { BUNDLED_CONFIG } from '../config/load-config.ts';
import {
  FAKE_NVIDIA_SETTINGS,
  FAKE_NVIDIA_SMI,
  recordingIo,
  waitFor,
  type RecordingIo,
} from '../../test/helpers.ts';
import { handoverPath, writeHandover } from './bmc-handover.ts';

/**
 * `gpu-agent` as an operator runs it, with the fake `sensors` and `ipmitool` of simulators/ipmi
 * first on PATH: real child processes, real timeouts (a hung `sensors` is killed), the SIGTERM
 * handler of main.ts. The simulated host follows the wall clock here.
 */

const FAKE_IPMI_BIN = join(dirname(createRequire(import.meta.url).resolve('@skyy/sim-ipmi')), '..', 'bin');
const EXAMPLE = join(FAKE_IPMI_BIN, '..', 'examples', 'gpu_config.yaml');
const DUTY = 'raw 0x30 0x70 0x66 0x01';

describe('gpu-agent with chassis fans, against the fake sensors and ipmitool on PATH', () => {
  let dir: string;
  let simPath: string;
  let io: RecordingIo;
  const gpuFakes = ['--nvidia-smi', FAKE_NVIDIA_SMI, '--nvidia-settings', FAKE_NVIDIA_SETTINGS];
  const commands = () => readState(simPath).commands.map((c) => c.args.join(' '));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-agent-chassis-'));
    simPath = join(dir, 'ipmi.json');
    writeState(simPath, createIpmiSimState());
    writeSmiState(join(dir, 'smi.json'), createSimState({ models: ['2080'] }));
    // Short polls keep the test quick; the timeout stays generous (each fake call is a node process
    // starting on a busy machine) and below 3 polls, so a hang is ended by the timeout.
    writeFileSync(
      join(dir, 'gpu_config.yaml'),
      readFileSync(EXAMPLE, 'utf8')
        .replace('poll_interval_sec: 5 # POLL_INTERVAL', 'poll_interval_sec: 2')
        .replace('command_timeout_sec: 3', 'command_timeout_sec: 5'),
    );
    io = recordingIo({
      ...process.env,
      PATH: `${FAKE_IPMI_BIN}${delimiter}${process.env['PATH'] ?? ''}`,
      [IPMI_STATE_ENV]: simPath,
      [SMI_STATE_ENV]: join(dir, 'smi.json'),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...extra: string[]) =>
    main(
      [
        '--config',
        join(dir, 'gpu_config.yaml'),
        '--listen',
        'off',
        '--state-dir',
        join(dir, 'agent'),
        ...gpuFakes,
        ...extra,
      ],
      io,
    );

  it('--dry-run prints the chassis decisions and sends nothing to the BMC', async () => {
    const exited = run('--dry-run');
    await waitFor(() => io.stdout.includes('[dry-run] chassis zone 0x01 → 40 %') && io.signal !== undefined);
    io.signal?.('SIGTERM');
    expect(await exited).toBe(0);
    expect(io.stdout).toMatch(
      /\[dry-run\] chassis zone 0x00 → 40 % temperature=41\.\d+ status=ok reason="first reading 41 °C: band from 40 °C → 40 %" command="ipmitool raw 0x30 0x70 0x66 0x01 0x00 0x28"/,
    );
    expect(io.stdout).toContain('[dry-run] chassis: would give the BMC its heavy_io fan mode back');
    expect(commands()).toEqual([]);
  });

  it('starts and stops with the chassis: block of a reloaded config file', async () => {
    const path = join(dir, 'gpu_config.yaml');
    const gpuOnly = readFileSync(BUNDLED_CONFIG, 'utf8');
    writeFileSync(path, gpuOnly);
    const exited = run('--dry-run');
    await waitFor(
      () => io.stdout.includes('[dry-run] GPU 0 fan 0 → 70 %') && io.signal !== undefined,
      40_000,
    );
    expect(io.stdout).not.toContain('chassis_control_started');

    writeFileSync(path, `${gpuOnly}\nchassis:\n  poll_interval_sec: 2\n`);
    await waitFor(() => io.stdout.includes('[dry-run] chassis zone 0x01 → 40 %'), 40_000);
    writeFileSync(path, `${gpuOnly}\nchassis:\n  enabled: false\n`);
    await waitFor(
      () => io.stdout.includes('[dry-run] chassis: would give the BMC its heavy_io fan mode back'),
      40_000,
    );
    io.signal?.('SIGTERM');
    expect(await exited).toBe(0);
    expect(commands()).toEqual([]);
  }, 120_000);

  it('controls the zones, goes to 100 % when sensors hangs, and on SIGTERM gives the BMC its mode back', async () => {
    const exited = run('--no-dry-run', '--listen', '127.0.0.1:0');
    await waitFor(() => commands().includes(`${DUTY} 0x01 0x28`) && io.signal !== undefined, 40_000);

    // What /state, the heartbeat, /health and /metrics show (the contract the backend validates).
    const url = /API on (http:\/\/\S+) /.exec(io.stdout)?.[1];
    const fetchState = async () => gpuAgentStateSchema.parse(await (await fetch(`${url}/state`)).json());
    // The fake ipmitool records a command before it exits; the agent counts the write as applied
    // once it has exited, a moment later.
    let state = await fetchState();
    for (let tries = 0; tries < 100 && state.chassis?.zones.some((z) => z.appliedPct !== 40); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = await fetchState();
    }
    expect(state.chassis).toMatchObject({
      status: 'ok',
      sensor: 'k10temp Tctl (sensors -j)',
      levelPct: 40,
      zones: [
        { zone: '0x00', levelPct: 40, appliedPct: 40 },
        { zone: '0x01', levelPct: 40, appliedPct: 40 },
      ],
    });
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ chassis: 'ok' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('skyy_chassis_fan_duty_applied_ratio{zone="0x01"} 0.4');
    expect(metrics).toMatch(/^skyy_chassis_cpu_temperature_celsius [34]\d(\.\d+)?$/m);
    expect(promtoolProblems(metrics) ?? []).toEqual([]);
    expect(commands().slice(0, 3)).toEqual([
      'raw 0x30 0x45 0x00',
      'raw 0x30 0x45 0x01 0x01',
      'raw 0x30 0x45 0x00',
    ]);
    expect(existsSync(handoverPath(join(dir, 'agent')))).toBe(true);

    withState(simPath, (s) => (s.faults.sensors = 'hang'));
    await waitFor(() => commands().includes(`${DUTY} 0x01 0x64`), 40_000);
    expect(commands().filter((c) => c.startsWith(DUTY))).toEqual([
      `${DUTY} 0x00 0x28`,
      `${DUTY} 0x01 0x28`,
      `${DUTY} 0x00 0x64`,
      `${DUTY} 0x01 0x64`,
    ]);
    expect(io.stdout).toMatch(
      /chassis_reading_failed: chassis fans to 100 %: sensors -j: no answer within 5 s level=critical/,
    );

    withState(simPath, (s) => (s.faults.sensors = 'none'));
    await waitFor(() => io.stdout.includes('chassis_reading_recovered'), 40_000);
    io.signal?.('SIGTERM');
    expect(await exited).toBe(0);
    expect(commands().at(-1)).toBe('raw 0x30 0x45 0x01 0x04');
    expect(readState(simPath).bmc.mode).toBe(0x04);
    expect(existsSync(handoverPath(join(dir, 'agent')))).toBe(false);
  }, 120_000);

  describe('on a host without NVIDIA GPUs', () => {
    /** The fake nvidia-smi as `nvidia-smi sim …` sets it up. */
    const smi = async (...args: string[]) =>
      runNvidiaSmi(['sim', ...args], { out: () => undefined, err: () => undefined, env: io.env });
    const hosts: [string, () => Promise<unknown>, string][] = [
      ['no GPU', () => smi('init', '--gpus', '0'), 'nvidia-smi: No devices were found'],
      [
        'the NVIDIA driver not loaded',
        () => smi('init', '--gpus', '1').then(() => smi('fault', 'no-driver')),
        'the NVIDIA driver is not loaded',
      ],
    ];

    /** What a crashed agent leaves behind: the BMC in Full Speed mode and the handover file. */
    const crashedAgent = () => {
      withState(simPath, (s) => (s.bmc.mode = 0x01));
      writeHandover(join(dir, 'agent'), {
        ipmitool: 'ipmitool',
        restoreMode: 0x04,
        restoreModeName: 'heavy_io',
        timeoutMs: 5000,
        since: new Date().toISOString(),
      });
    };

    it.each(hosts)(
      'restore (ExecStopPost) with %s gives the BMC its mode back and exits 0',
      async (_host, setUp, why) => {
        await setUp();
        crashedAgent();
        expect(await main(['restore', '--state-dir', join(dir, 'agent'), ...gpuFakes], io)).toBe(0);
        expect(readState(simPath).bmc.mode).toBe(0x04);
        expect(io.stdout).toContain(`no NVIDIA GPUs to restore (${why})`);
        expect(existsSync(handoverPath(join(dir, 'agent')))).toBe(false);
      },
    );

    it('restore still exits 1 when nvidia-smi fails on a host that may have GPUs, after restoring the BMC', async () => {
      await smi('fault', 'die', '15');
      crashedAgent();
      expect(await main(['restore', '--state-dir', join(dir, 'agent'), ...gpuFakes], io)).toBe(1);
      expect(readState(simPath).bmc.mode).toBe(0x04);
      expect(io.stdout).toMatch(/no GPUs found to restore .*Unknown Error/);
    });

    it('runs the chassis fans alone: healthy, no GPU reader restarting, no fail-safe', async () => {
      await smi('init', '--gpus', '0');
      // GPU polls of 1 s: the 4 s below are past the 3 intervals after which readings go stale.
      const config = join(dir, 'gpu_config.yaml');
      writeFileSync(
        config,
        readFileSync(config, 'utf8').replace(/^poll_interval_sec: 5$/m, 'poll_interval_sec: 1'),
      );
      const exited = run('--no-dry-run', '--listen', '127.0.0.1:0');
      await waitFor(() => commands().includes(`${DUTY} 0x01 0x28`) && io.signal !== undefined, 40_000);
      const since = Date.now();
      await waitFor(() => Date.now() - since > 4_000, 10_000, 250);

      const url = /API on (http:\/\/\S+) /.exec(io.stdout)?.[1];
      const health = await fetch(`${url}/health`);
      expect({ code: health.status, body: await health.json() }).toMatchObject({
        code: 200,
        body: { status: 'ok', source: 'none', gpus: 0, chassis: 'ok' },
      });
      const state = gpuAgentStateSchema.parse(await (await fetch(`${url}/state`)).json());
      expect(state).toMatchObject({ source: 'none', stale: false, gpus: [], chassis: { status: 'ok' } });
      expect(state.events.map((e) => e.kind)).toContain('no_gpus');
      expect(io.stdout).toContain('no_gpus: no NVIDIA GPUs on this host (nvidia-smi: No devices were found)');
      expect(io.stdout).not.toMatch(/sampler_restarted|reading_failed/);

      io.signal?.('SIGTERM');
      expect(await exited).toBe(0);
      expect(readState(simPath).bmc.mode).toBe(0x04);
    }, 60_000);
  });
});
