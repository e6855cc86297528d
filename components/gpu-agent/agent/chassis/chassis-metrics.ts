import type { ChassisState } from '@skyy/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Chassis fan metrics under `skyy_chassis_`, next to the GPU ones on the agent's /metrics. Gauges
 * are rebuilt from the controller's state at each scrape (absent while no chassis is controlled);
 * decisions and failures are counters.
 */

export type IpmiCommand = 'mode' | 'duty' | 'restore';

export class ChassisMetrics {
  readonly readings: Counter;
  readonly readingFailures: Counter;
  readonly failsafeEntries: Counter;
  readonly levelChanges: Counter;
  readonly ipmiWrites: Counter<'command'>;
  readonly ipmiFailures: Counter<'command'>;
  private readonly refresh: () => void;

  constructor(registry: Registry, state: () => ChassisState | undefined) {
    const registers = [registry];
    const temperature = new Gauge({
      name: 'skyy_chassis_cpu_temperature_celsius',
      help: 'Hottest CPU sensor (k10temp Tctl) at the last good reading.',
      registers,
    });
    const duty = new Gauge({
      name: 'skyy_chassis_fan_duty_ratio',
      help: 'Fan duty decided for each BMC zone (1 = 100 %).',
      labelNames: ['zone'],
      registers,
    });
    const applied = new Gauge({
      name: 'skyy_chassis_fan_duty_applied_ratio',
      help: 'Fan duty last written to each BMC zone (absent in dry-run).',
      labelNames: ['zone'],
      registers,
    });
    const failsafe = new Gauge({
      name: 'skyy_chassis_failsafe',
      help: '1 while no good CPU reading: every zone at 100 %.',
      registers,
    });
    this.readings = new Counter({
      name: 'skyy_chassis_readings_total',
      help: 'CPU temperature readings that succeeded.',
      registers,
    });
    this.readingFailures = new Counter({
      name: 'skyy_chassis_reading_failures_total',
      help: 'CPU temperature readings that failed (sensors error, hang, no Tctl).',
      registers,
    });
    this.failsafeEntries = new Counter({
      name: 'skyy_chassis_failsafe_total',
      help: 'Times the chassis fans entered fail-safe (100 %).',
      registers,
    });
    this.levelChanges = new Counter({
      name: 'skyy_chassis_level_changes_total',
      help: 'Fan level decisions that changed the level.',
      registers,
    });
    this.ipmiWrites = new Counter({
      name: 'skyy_chassis_ipmi_writes_total',
      help: 'ipmitool writes that succeeded (logged only in dry-run).',
      labelNames: ['command'],
      registers,
    });
    this.ipmiFailures = new Counter({
      name: 'skyy_chassis_ipmi_failures_total',
      help: 'ipmitool calls that failed or timed out; retried on the next poll.',
      labelNames: ['command'],
      registers,
    });
    this.refresh = () => {
      for (const gauge of [temperature, duty, applied, failsafe]) gauge.reset();
      const current = state();
      if (!current) return;
      if (current.temperatureC !== undefined) temperature.set(current.temperatureC);
      failsafe.set(current.status === 'failsafe' ? 1 : 0);
      for (const zone of current.zones) {
        duty.set({ zone: zone.zone }, zone.levelPct / 100);
        if (zone.appliedPct !== undefined) applied.set({ zone: zone.zone }, zone.appliedPct / 100);
      }
    };
  }

  /** Called before each scrape renders. */
  update(): void {
    this.refresh();
  }
}
