import { BMC_RESTORE_MODES, type ChassisConfig, type ChassisState } from '@skyy/contracts';
import type { Logger } from '../../utils/logger.ts';
import { CommandFailedError, describeCommand, type CommandRunner } from '../../utils/runner.ts';
import { SerialSteps } from '../../utils/serial-steps.ts';
import type { EngineEvent } from '../controller/control-engine.ts';
import { clearHandover, writeHandover } from './bmc-handover.ts';
import type { ChassisMetrics, IpmiCommand } from './chassis-metrics.ts';
import { CpuTemperatureReader } from './cpu-temperature.ts';
import { FULL_SPEED_MODE, ipmiArgs, IpmitoolWriter } from './ipmi-writer.ts';
import { hexByte, nextLevel, wholeDegrees, zoneByte, type LevelRule } from './level-rule.ts';

/**
 * The user's hs-fan-daemon.sh as a controller of the agent. Every poll: read the hottest Tctl,
 * pick the level (level-rule.ts), write it to every zone whose level differs. Around that, the
 * GPU side's fail-safes:
 *
 * - a failed, hung (killed at command_timeout_sec) or missing reading puts every zone at 100 % in
 *   the same poll, with a critical event and an alert in /state; control resumes from 100 % when
 *   readings return. A reading still unanswered after 3 polls raises the alert before that;
 * - an ipmitool failure is logged once, counted, and retried on the next poll (what is in effect is
 *   only remembered after a successful write);
 * - Full Speed mode is asserted at start (and retried until it works); on stop the BMC gets its
 *   automatic mode back, and a handover file lets `gpu-agent restore` do the same after a crash.
 *
 * In dry-run nothing reaches ipmitool: the decisions and the commands they would send are logged.
 */

export interface ChassisControllerOptions {
  config: ChassisConfig;
  runner: CommandRunner;
  env?: NodeJS.ProcessEnv;
  dryRun: boolean;
  log: Logger;
  event: (event: EngineEvent) => void;
  metrics?: ChassisMetrics;
  /** Where the crash handover file goes; without one, only a clean stop restores the BMC mode. */
  stateDir?: string;
  now?: () => Date;
}

export class ChassisController {
  private config: ChassisConfig;
  private reader: CpuTemperatureReader;
  private writer: IpmitoolWriter;
  private level: number | undefined;
  /** Zone → level in effect (written, or logged in dry-run). Only set after a write succeeded. */
  private readonly inEffect = new Map<number, number>();
  /** Zones dropped from the config: set to 100 % once, then left alone. */
  private released: number[] = [];
  private fullSpeed = false;
  private tookBmc = false;
  private status: ChassisState['status'] = 'starting';
  private temperatureC: number | undefined;
  private readingAt: Date | undefined;
  /** Set while a reading is in flight: one that takes longer than 3 polls is a fail-safe by itself. */
  private readingSince: Date | undefined;
  private reason: string | undefined;
  private alert: string | undefined;
  private readingFailures = 0;
  private writeFailures = 0;
  /** Last failure per command, so a persistent failure is one event, not one per poll. */
  private readonly lastFailure = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly steps = new SerialSteps(
    () => this.step(),
    () => !this.stopped,
  );
  private stopped = false;
  private readonly now: () => Date;

  constructor(private readonly options: ChassisControllerOptions) {
    this.now = options.now ?? (() => new Date());
    this.config = options.config;
    this.reader = this.makeReader();
    this.writer = this.makeWriter();
  }

  private get pollMs(): number {
    return this.config.poll_interval_sec * 1000;
  }

  private get timeoutMs(): number {
    return this.config.command_timeout_sec * 1000;
  }

  private get rule(): LevelRule {
    return {
      thresholds: this.config.thresholds,
      hysteresis: this.config.hysteresis,
      minLevel: this.config.min_level,
    };
  }

  private makeReader(): CpuTemperatureReader {
    const { sensor } = this.config;
    return new CpuTemperatureReader(
      this.options.runner,
      {
        command: sensor.command,
        chip: sensor.chip,
        label: sensor.label,
        timeoutMs: this.timeoutMs,
        ...(this.options.env ? { env: this.options.env } : {}),
      },
      (message) => this.options.log.warn(`chassis: ${message}`),
    );
  }

  private makeWriter(): IpmitoolWriter {
    return new IpmitoolWriter(this.options.runner, this.config.ipmitool, this.timeoutMs, this.options.env);
  }

  start(): void {
    const { zones, poll_interval_sec, min_level } = this.config;
    this.options.event({
      level: 'info',
      kind: 'chassis_control_started',
      message: `chassis fans: zones ${zones.map(zoneByte).join(', ')} from ${this.reader.describe()} every ${poll_interval_sec} s, min ${min_level} %, ${this.options.dryRun ? 'dry-run (nothing sent to the BMC)' : `through ${this.config.ipmitool}`}`,
    });
    if (this.options.dryRun) {
      this.options.log.info(
        `[dry-run] chassis: would set the BMC fan mode to Full Speed (${this.command(ipmiArgs.setMode(FULL_SPEED_MODE))})`,
      );
    }
    this.requestStep();
    this.restartTimer();
  }

  private restartTimer(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.stopped) return;
    this.timer = setInterval(() => {
      this.checkStale();
      this.requestStep();
    }, this.pollMs);
  }

  private requestStep(): void {
    this.steps.request();
  }

  /** Waits for the steps requested so far (tests, shutdown). */
  settled(): Promise<void> {
    return this.steps.settled();
  }

  /** Runs one poll now (tests drive the controller poll by poll). */
  async pollOnce(): Promise<void> {
    this.steps.request();
    await this.steps.settled();
  }

  /**
   * A reading that has not answered for 3 polls is a fail-safe at once (state, alert, event); the
   * 100 % follows as soon as the call is killed at command_timeout_sec. Time spent writing is not
   * counted: a slow BMC delays readings without making them stale.
   */
  private checkStale(): void {
    if (!this.readingSince) return;
    const ageMs = this.now().getTime() - this.readingSince.getTime();
    if (ageMs > 3 * this.pollMs) {
      this.enterFailsafe(
        `no CPU reading for ${Math.round(ageMs / 1000)} s: ${this.reader.describe()} has not answered`,
      );
    }
  }

  private enterFailsafe(why: string): void {
    this.alert = why;
    this.reason = `fail-safe: ${why}`;
    this.level = 100;
    if (this.status === 'failsafe') return;
    this.status = 'failsafe';
    this.options.metrics?.failsafeEntries.inc();
    this.options.event({
      level: 'critical',
      kind: 'chassis_reading_failed',
      message: `chassis fans to 100 %: ${why}`,
    });
  }

  private async step(): Promise<void> {
    if (!this.options.dryRun && !this.fullSpeed) await this.assertFullSpeed();
    this.readingSince = this.now();
    const reading = await this.reader.read();
    this.readingSince = undefined;
    // Stopping (SIGTERM reaches `sensors` too under systemd): a killed read is no reason for 100 %.
    if (this.stopped) return;
    if (reading.ok) {
      this.options.metrics?.readings.inc();
      this.readingAt = this.now();
      this.temperatureC = reading.temperatureC;
      const decision = nextLevel(wholeDegrees(reading.temperatureC), this.level, this.rule);
      if (this.status === 'failsafe') {
        this.options.event({
          level: 'info',
          kind: 'chassis_reading_recovered',
          message: `chassis CPU readings are back (${reading.temperatureC} °C): control resumes from ${this.level ?? 100} %`,
        });
      }
      this.status = 'ok';
      this.alert = undefined;
      if (decision.level !== this.level) this.options.metrics?.levelChanges.inc();
      this.level = decision.level;
      this.reason = decision.reason;
    } else {
      this.readingFailures++;
      this.options.metrics?.readingFailures.inc();
      this.enterFailsafe(reading.reason);
    }
    await this.apply();
  }

  private async apply(): Promise<void> {
    const level = this.level;
    if (level === undefined) return;
    for (const zone of this.config.zones) {
      if (this.inEffect.get(zone) === level) continue;
      if (await this.writeDuty(zone, level, this.reason ?? '')) this.inEffect.set(zone, level);
    }
    for (const zone of [...this.released]) {
      if (await this.writeDuty(zone, 100, 'zone no longer in the config: left at 100 %')) {
        this.released = this.released.filter((z) => z !== zone);
        this.inEffect.delete(zone);
      }
    }
  }

  private async writeDuty(zone: number, level: number, reason: string): Promise<boolean> {
    const args = ipmiArgs.setDuty(zone, level);
    const fields = {
      temperature: this.temperatureC,
      status: this.status,
      reason,
      command: this.command(args),
    };
    const line = `chassis zone ${zoneByte(zone)} → ${level} %`;
    if (this.options.dryRun) {
      this.options.log.info(`[dry-run] ${line}`, fields);
      return true;
    }
    return this.attempt(
      'duty',
      `zone ${zoneByte(zone)}`,
      `setting zone ${zoneByte(zone)} to ${level} %`,
      async () => {
        await this.writer.setDuty(zone, level);
        this.options.log.info(line, fields);
      },
    );
  }

  /** Runs one ipmitool write; a failure is counted, reported once per distinct message, retried next poll. */
  private async attempt(
    command: IpmiCommand,
    key: string,
    what: string,
    perform: () => Promise<void>,
  ): Promise<boolean> {
    try {
      await perform();
      this.options.metrics?.ipmiWrites.inc({ command });
      this.lastFailure.delete(key);
      return true;
    } catch (error) {
      const message = (error as Error).message;
      // The same failure at another level is still the same failure: compare without the command.
      const cause =
        error instanceof CommandFailedError ? message.slice(error.result.command.length) : message;
      this.writeFailures++;
      this.options.metrics?.ipmiFailures.inc({ command });
      if (this.lastFailure.get(key) !== cause) {
        this.lastFailure.set(key, cause);
        this.options.event({
          level: this.status === 'failsafe' ? 'critical' : 'error',
          kind: 'chassis_write_failed',
          message: `chassis: ${what} failed, retried next poll: ${message}`,
        });
      }
      return false;
    }
  }

  /** hs-fan-daemon.sh's initialize_fan_mode: read the mode, set Full Speed unless it is already, verify. */
  private async assertFullSpeed(): Promise<void> {
    if (!this.tookBmc) this.writeHandoverFile();
    this.tookBmc = true;
    const before = await this.writer.readMode().catch(() => undefined);
    if (before === FULL_SPEED_MODE) {
      this.options.log.info('chassis: BMC fan mode is already Full Speed (0x01)');
      this.fullSpeed = true;
      return;
    }
    const ok = await this.attempt('mode', 'mode', 'setting the BMC fan mode to Full Speed', () =>
      this.writer.setMode(FULL_SPEED_MODE),
    );
    if (!ok) return;
    // The BMC starts every zone at 100 % in Full Speed mode: nothing written before holds any more.
    this.inEffect.clear();
    this.fullSpeed = true;
    const after = await this.writer.readMode().catch(() => undefined);
    const from = before === undefined ? 'unknown' : hexByte(before);
    if (after === FULL_SPEED_MODE) {
      this.options.log.info(`chassis: BMC fan mode ${from} → Full Speed (0x01)`);
    } else {
      this.options.log.warn(
        `chassis: BMC fan mode set to Full Speed but it reads back ${after === undefined ? 'nothing' : hexByte(after)}; zone duties may be ignored`,
      );
    }
  }

  /** Written before the first command to the BMC, so that a crash at any point after can be undone. */
  private writeHandoverFile(): void {
    if (!this.options.stateDir) return;
    writeHandover(this.options.stateDir, {
      ipmitool: this.config.ipmitool,
      restoreMode: BMC_RESTORE_MODES[this.config.restore_mode],
      restoreModeName: this.config.restore_mode,
      timeoutMs: this.timeoutMs,
      since: this.now().toISOString(),
    });
  }

  /** A config reload: new rule, zones, sensor, ipmitool or poll interval, without losing the level. */
  reconfigure(next: ChassisConfig): void {
    const previous = this.config;
    this.config = next;
    this.reader = this.makeReader();
    if (next.ipmitool !== previous.ipmitool || next.command_timeout_sec !== previous.command_timeout_sec) {
      this.writer = this.makeWriter();
      if (next.ipmitool !== previous.ipmitool) this.fullSpeed = false;
    }
    // A crash after this reload must be undone with the new ipmitool and restore mode.
    if (this.tookBmc && !this.options.dryRun) this.writeHandoverFile();
    const dropped = previous.zones.filter((zone) => !next.zones.includes(zone));
    this.released = [...new Set([...this.released.filter((z) => !next.zones.includes(z)), ...dropped])];
    if (next.poll_interval_sec !== previous.poll_interval_sec) this.restartTimer();
    this.requestStep();
  }

  /**
   * Stops polling and, unless told otherwise, gives the BMC its automatic mode back (the
   * configured restore_mode). In dry-run it says what it would send.
   */
  async stop(options: { restore?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.steps.settled();
    if (options.restore === false) return;
    const mode = BMC_RESTORE_MODES[this.config.restore_mode];
    const args = ipmiArgs.setMode(mode);
    if (this.options.dryRun) {
      this.options.log.info(
        `[dry-run] chassis: would give the BMC its ${this.config.restore_mode} fan mode back (${this.command(args)})`,
      );
      return;
    }
    if (!this.tookBmc) return;
    const ok = await this.attempt(
      'restore',
      'restore',
      `restoring the BMC fan mode ${this.config.restore_mode}`,
      () => this.writer.setMode(mode),
    );
    if (ok) {
      if (this.options.stateDir) clearHandover(this.options.stateDir);
      this.options.event({
        level: 'info',
        kind: 'chassis_restored',
        message: `chassis: BMC fan mode back to ${this.config.restore_mode} (${hexByte(mode)})`,
      });
    }
  }

  private command(args: readonly string[]): string {
    return describeCommand(this.config.ipmitool, args);
  }

  state(): ChassisState {
    const level = this.level;
    return {
      status: this.status,
      sensor: this.reader.describe(),
      ...(this.temperatureC !== undefined ? { temperatureC: this.temperatureC } : {}),
      ...(this.readingAt ? { readingAt: this.readingAt.toISOString() } : {}),
      ...(level !== undefined ? { levelPct: level } : {}),
      zones:
        level === undefined
          ? []
          : this.config.zones.map((zone) => {
              const applied = this.options.dryRun ? undefined : this.inEffect.get(zone);
              return {
                zone: zoneByte(zone),
                levelPct: level,
                ...(applied !== undefined ? { appliedPct: applied } : {}),
              };
            }),
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.alert ? { alert: this.alert } : {}),
      readingFailures: this.readingFailures,
      writeFailures: this.writeFailures,
    };
  }
}
