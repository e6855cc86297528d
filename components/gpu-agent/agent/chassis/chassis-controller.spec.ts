import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chassisConfigSchema, type ChassisConfig } from '@skyy/contracts';
import {
  createIpmiSimState,
  readState,
  STATE_ENV,
  withState,
  writeState,
  type CreateOptions,
} from '@skyy/sim-ipmi';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../utils/logger.ts';
import type { CommandRunner } from '../../utils/runner.ts';
import { waitFor } from '../../test/helpers.ts';
import type { EngineEvent } from '../controller/control-engine.ts';
import { handoverPath, readHandover } from './bmc-handover.ts';
import { ChassisController } from './chassis-controller.ts';
import { ChassisMetrics } from './chassis-metrics.ts';
import { restoreChassisFromHandover } from './chassis-restore.ts';
import { ChassisSupervisor } from './chassis-supervisor.ts';
import { inProcessSimRunner } from './testing/in-process-sim.ts';

/**
 * The chassis controller in closed loop with the simulated H12 host (simulators/ipmi): every poll
 * reads the fake `sensors`, every write goes through the fake `ipmitool`, and the simulated CPU
 * heats or cools with the duty written. Each `sensors` call advances the model by one 5 s poll,
 * so runs are exact and repeatable. The timer is out of the way (1 h): tests poll by hand.
 */

const DUTY = 'raw 0x30 0x70 0x66 0x01';

describe('chassis fan controller against the simulated H12 host', () => {
  let dir: string;
  let simPath: string;
  let env: NodeJS.ProcessEnv;
  let events: EngineEvent[];
  let logs: string[];
  let registry: Registry;
  let controller: ChassisController | undefined;

  const config = (over: Partial<ChassisConfig> = {}): ChassisConfig =>
    chassisConfigSchema.parse({ poll_interval_sec: 3600, ...over });
  const sim = (options: CreateOptions = {}) =>
    writeState(simPath, createIpmiSimState({ stepPerReadSec: 5, ...options }));
  const options = (dryRun = false) => {
    registry = new Registry();
    return {
      runner: inProcessSimRunner(env),
      env,
      dryRun,
      log: createLogger({ write: (line) => logs.push(line) }),
      event: (event: EngineEvent) => events.push(event),
      stateDir: join(dir, 'agent'),
    };
  };
  let metrics: ChassisMetrics;
  const scrape = () => {
    metrics.update();
    return registry.metrics();
  };
  const start = async (over: Partial<ChassisConfig> = {}, dryRun = false) => {
    const opts = options(dryRun);
    metrics = new ChassisMetrics(registry, () => controller?.state());
    const started = new ChassisController({ ...opts, metrics, config: config(over) });
    controller = started;
    started.start();
    await started.settled();
    return started;
  };
  const commands = () => readState(simPath).commands.map((c) => c.args.join(' '));
  const dutyWrites = () => commands().filter((c) => c.startsWith(DUTY));
  const change = (what: Parameters<typeof withState>[1]) => withState(simPath, what);
  const pollTimes = async (n: number) => {
    const levels: (number | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      await controller?.pollOnce();
      levels.push(controller?.state().levelPct);
    }
    return levels;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chassis-'));
    simPath = join(dir, 'sim.json');
    env = { ...process.env, [STATE_ENV]: simPath };
    events = [];
    logs = [];
    controller = undefined;
  });
  afterEach(async () => {
    await controller?.stop({ restore: false });
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the BMC into Full Speed mode, then a load step raises the level 10 % at a time until it settles', async () => {
    sim({ load: 0.05, noiseC: 1 });
    await start();
    expect(commands().slice(0, 3)).toEqual([
      'raw 0x30 0x45 0x00',
      'raw 0x30 0x45 0x01 0x01',
      'raw 0x30 0x45 0x00',
    ]);
    const idle = await pollTimes(5);
    expect(idle).toEqual([40, 40, 40, 40, 40]);

    change((s) => (s.load = 0.6));
    const levels = await pollTimes(40);
    const steps = levels.map((level, i) => (level ?? 0) - (levels[i - 1] ?? 40));
    expect(steps.every((step) => step === 0 || step === 10)).toBe(true);
    expect(Math.max(...levels.map((l) => l ?? 0))).toBe(70);
    // Settled: the last 20 polls (100 simulated seconds, readings jittering ±1 °C) hold 70 % …
    expect(levels.slice(-20)).toEqual(Array(20).fill(70));
    // … and cost no write at all: each zone was written once per level.
    expect(dutyWrites()).toEqual(
      ['0x28', '0x32', '0x3C', '0x46'].flatMap((duty) => [`${DUTY} 0x00 ${duty}`, `${DUTY} 0x01 ${duty}`]),
    );
    const state = controller?.state();
    expect(state).toMatchObject({ status: 'ok', levelPct: 70, readingFailures: 0, writeFailures: 0 });
    expect(state?.zones).toEqual([
      { zone: '0x00', levelPct: 70, appliedPct: 70 },
      { zone: '0x01', levelPct: 70, appliedPct: 70 },
    ]);
    expect(state?.temperatureC).toBeGreaterThan(53);
    expect(state?.temperatureC).toBeLessThan(62);

    const metrics = await scrape();
    expect(metrics).toMatch(/^skyy_chassis_cpu_temperature_celsius 5\d(\.\d+)?$/m);
    expect(metrics).toContain('skyy_chassis_fan_duty_ratio{zone="0x00"} 0.7');
    expect(metrics).toContain('skyy_chassis_fan_duty_applied_ratio{zone="0x01"} 0.7');
    expect(metrics).toContain('skyy_chassis_level_changes_total 4');
    expect(metrics).toContain('skyy_chassis_failsafe 0');
  });

  it('raises the alert when a reading has not answered for 3 polls, before the call is killed', async () => {
    sim({ load: 0.05 });
    let release: (() => void) | undefined;
    const inner = inProcessSimRunner(env);
    const runner: CommandRunner = {
      run: async (file, args, opts) => {
        if (release === undefined && file === 'sensors' && controller?.state().levelPct !== undefined) {
          await new Promise<void>((resolve) => (release = resolve));
        }
        return inner.run(file, args, opts);
      },
    };
    controller = new ChassisController({ ...options(), runner, config: config({ poll_interval_sec: 0.05 }) });
    controller.start();
    await waitFor(() => controller?.state().status === 'failsafe', 5_000, 10);
    expect(controller.state().alert).toMatch(
      /^no CPU reading for \d+ s: k10temp Tctl \(sensors -j\) has not answered$/,
    );
    expect(events.map((e) => e.kind)).toContain('chassis_reading_failed');
    release?.();
    await waitFor(() => controller?.state().status === 'ok', 5_000, 10);
  });

  it('does not set Full Speed mode again when the BMC is already in it', async () => {
    sim({ mode: 'full' });
    await start();
    expect(commands()).toEqual(['raw 0x30 0x45 0x00', `${DUTY} 0x00 0x28`, `${DUTY} 0x01 0x28`]);
  });

  it.each([
    ['error', 'sensors -j: No sensors found!'],
    ['no-tctl', 'sensors -j: no k10temp* Tctl reading'],
  ] as const)(
    'sensor fault "%s": every zone to 100 %% in the same poll, an alert, then control resumes from 100 %%',
    async (fault, alert) => {
      sim({ load: 0.05 });
      await start();
      await pollTimes(2);
      const before = dutyWrites().length;

      change((s) => (s.faults.sensors = fault));
      await pollTimes(1);
      expect(dutyWrites().slice(before)).toEqual([`${DUTY} 0x00 0x64`, `${DUTY} 0x01 0x64`]);
      expect(controller?.state()).toMatchObject({
        status: 'failsafe',
        levelPct: 100,
        alert,
        readingFailures: 1,
        zones: [
          { zone: '0x00', levelPct: 100, appliedPct: 100 },
          { zone: '0x01', levelPct: 100, appliedPct: 100 },
        ],
      });
      expect(events.filter((e) => e.kind === 'chassis_reading_failed')).toEqual([
        { level: 'critical', kind: 'chassis_reading_failed', message: `chassis fans to 100 %: ${alert}` },
      ]);
      expect(await scrape()).toContain('skyy_chassis_failsafe 1');

      await pollTimes(2); // still failing: no new event, nothing rewritten
      expect(events.filter((e) => e.kind === 'chassis_reading_failed')).toHaveLength(1);
      expect(dutyWrites().slice(before)).toHaveLength(2);

      change((s) => (s.faults.sensors = 'none'));
      expect(await pollTimes(3)).toEqual([90, 80, 70]);
      expect(controller?.state().status).toBe('ok');
      expect(controller?.state().alert).toBeUndefined();
      expect(events.map((e) => e.kind)).toContain('chassis_reading_recovered');
    },
  );

  it('counts ipmitool failures, reports them once per zone and retries on the next poll', async () => {
    sim({ load: 0.05 });
    await start();
    change((s) => {
      s.faults.ipmitool = 'error';
      s.load = 1;
    });
    for (let i = 0; i < 10 && controller?.state().levelPct === 40; i++) await pollTimes(1);
    await pollTimes(2);
    const state = controller?.state();
    expect(state?.levelPct).toBeGreaterThan(40);
    expect(state?.zones.map((z) => z.appliedPct)).toEqual([40, 40]);
    expect(state?.writeFailures).toBeGreaterThanOrEqual(6);
    const failures = events.filter((e) => e.kind === 'chassis_write_failed');
    expect(failures.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^chassis: setting zone 0x00 to \d+ % failed, retried next poll: ipmitool raw .*Could not open device at \/dev\/ipmi0/,
      ),
      expect.stringMatching(/^chassis: setting zone 0x01 to \d+ % failed/),
    ]);
    expect(await scrape()).toMatch(/^skyy_chassis_ipmi_failures_total\{command="duty"\} ([6-9]|\d\d)$/m);

    change((s) => (s.faults.ipmitool = 'none'));
    await pollTimes(1);
    const level = controller?.state().levelPct;
    expect(controller?.state().zones.map((z) => z.appliedPct)).toEqual([level, level]);
    expect(commands().slice(-2)).toEqual([
      `${DUTY} 0x00 0x${(level ?? 0).toString(16).toUpperCase()}`,
      `${DUTY} 0x01 0x${(level ?? 0).toString(16).toUpperCase()}`,
    ]);
  });

  it('keeps asking for Full Speed mode until the BMC accepts it', async () => {
    sim({ load: 0.05 });
    change((s) => (s.faults.ipmitool = 'error'));
    await start();
    expect(events.filter((e) => e.kind === 'chassis_write_failed').map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^chassis: setting the BMC fan mode to Full Speed failed, retried next poll/),
    );
    change((s) => (s.faults.ipmitool = 'none'));
    await pollTimes(1);
    expect(readState(simPath).bmc.mode).toBe(0x01);
    expect(controller?.state().zones.map((z) => z.appliedPct)).toEqual([40, 40]);
  });

  it('on stop gives the BMC its automatic mode back and removes the handover file', async () => {
    sim();
    await start();
    expect(readHandover(join(dir, 'agent'))).toMatchObject({ ipmitool: 'ipmitool', restoreMode: 4 });
    await controller?.stop();
    expect(commands().at(-1)).toBe('raw 0x30 0x45 0x01 0x04');
    expect(readState(simPath).bmc.mode).toBe(0x04);
    expect(existsSync(handoverPath(join(dir, 'agent')))).toBe(false);
    expect(events.at(-1)).toMatchObject({
      kind: 'chassis_restored',
      message: 'chassis: BMC fan mode back to heavy_io (0x04)',
    });
  });

  it('after a crash, the handover file lets `gpu-agent restore` give the mode back (once)', async () => {
    sim();
    await start({ restore_mode: 'optimal' });
    await controller?.stop({ restore: false }); // what a SIGKILL leaves behind
    expect(readState(simPath).bmc.mode).toBe(0x01);
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line) });
    const stateDir = join(dir, 'agent');
    expect(await restoreChassisFromHandover(inProcessSimRunner(env), stateDir, log, env)).toBe('restored');
    expect(readState(simPath).bmc.mode).toBe(0x02);
    expect(lines.join('\n')).toContain('chassis: BMC fan mode back to optimal (0x02)');
    const sent = commands().length;
    expect(await restoreChassisFromHandover(inProcessSimRunner(env), stateDir, log, env)).toBe('none');
    expect(commands()).toHaveLength(sent);
  });

  it('in dry-run logs each decision with the command it would send, and sends nothing', async () => {
    sim({ load: 0.05 });
    await start({}, true);
    change((s) => (s.load = 0.6));
    await pollTimes(6);
    await controller?.stop();
    expect(commands()).toEqual([]);
    const text = logs.join('\n');
    expect(text).toContain(
      '[dry-run] chassis: would set the BMC fan mode to Full Speed (ipmitool raw 0x30 0x45 0x01 0x01)',
    );
    expect(text).toMatch(
      /\[dry-run\] chassis zone 0x00 → 40 % temperature=4\d.* reason="first reading 4\d °C: band from 40 °C → 40 %" command="ipmitool raw 0x30 0x70 0x66 0x01 0x00 0x28"/,
    );
    expect(text).toContain('[dry-run] chassis zone 0x01 → 50 %');
    expect(text).toContain(
      '[dry-run] chassis: would give the BMC its heavy_io fan mode back (ipmitool raw 0x30 0x45 0x01 0x04)',
    );
    expect(controller?.state().zones.every((z) => z.appliedPct === undefined)).toBe(true);
  });

  it('reads the text output of an lm-sensors without -j', async () => {
    sim({ load: 0.05 });
    change((s) => (s.faults.sensors = 'no-json'));
    await start();
    expect(controller?.state()).toMatchObject({
      status: 'ok',
      levelPct: 40,
      sensor: 'k10temp Tctl (sensors)',
    });
    expect(logs.join('\n')).toContain(
      'chassis: sensors -j is not supported here; reading its text output instead',
    );
  });

  it('follows config reloads: dropped zones go to 100 %, a higher min level applies at once, disabling restores the BMC', async () => {
    sim({ load: 0.05 });
    const supervisor = new ChassisSupervisor(options());
    await supervisor.apply(config());
    await supervisor.current?.settled();
    expect(dutyWrites()).toEqual([`${DUTY} 0x00 0x28`, `${DUTY} 0x01 0x28`]);

    await supervisor.apply(config({ zones: [0x00], min_level: 60, restore_mode: 'optimal' }));
    await supervisor.current?.settled();
    expect(readHandover(join(dir, 'agent'))).toMatchObject({ restoreMode: 0x02, restoreModeName: 'optimal' });
    expect(dutyWrites().slice(2)).toEqual([`${DUTY} 0x00 0x3C`, `${DUTY} 0x01 0x64`]);
    expect(supervisor.state()?.zones).toEqual([{ zone: '0x00', levelPct: 60, appliedPct: 60 }]);

    await supervisor.apply(config({ enabled: false }));
    expect(commands().at(-1)).toBe('raw 0x30 0x45 0x01 0x02');
    expect(existsSync(handoverPath(join(dir, 'agent')))).toBe(false);
    expect(supervisor.state()).toBeUndefined();
    await supervisor.stop();
  });
});
