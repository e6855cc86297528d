import type {
  FanDecision,
  GpuAgentConfig,
  GpuAgentEventKind,
  GpuAgentGpuState,
  GpuControlStatus,
  GpuReading,
  PowerDecision,
} from '@skyy/contracts';
import {
  effectiveConfig,
  shutdownAction,
  warningTemp,
  type EffectiveGpuConfig,
} from '../config/effective-config.ts';
import type { Sample } from '../monitor/reading-source.ts';
import { fanMaximum, fanRange, powerScale, startupPowerW, stepFan, stepPower } from './actuator-rules.ts';
import { INITIAL_BAND_STATE, RULE_PERIOD_SEC, type BandState } from './band-rule.ts';
import { TemperatureTrend } from './temperature-trend.ts';

/**
 * Decides, per GPU, what its fans and power limit should be. No I/O: samples go in through
 * `observe`, `step(now)` returns decisions, events and protection actions, and the caller
 * writes, logs and acts. The order of precedence for each GPU:
 *
 *   1. fail-safe — no reading for 3 poll intervals, a failed reading, or no temperature:
 *      fans to 100 % at once (power left as is: there is no temperature to base it on);
 *   2. shutdown_temp — fans to max, power to the card's minimum, then after `confirm_readings`
 *      consecutive readings the configured action, once per episode;
 *   3. warning_temp — fans to max / power to min as protection.max_fan_on_warning / min_power_on_warning say;
 *   4. startup values, the first time a GPU is seen;
 *   5. the proportional band rule with hysteresis, once per new reading, scaled to the time since
 *      the previous one, paused while the temperature trend already heads for the target, and for
 *      the power limit started early once every fan is at its maximum above the fan band.
 */

export interface EngineEvent {
  level: 'info' | 'warn' | 'error' | 'critical';
  kind: GpuAgentEventKind;
  gpu?: string;
  message: string;
}

export interface ProtectionRequest {
  action: 'alert' | 'stop_workloads' | 'shutdown';
  gpu: string;
  index: number;
  temperatureC: number;
  containers: string[];
  vms: number[];
}

export interface EngineOutput {
  gpus: GpuAgentGpuState[];
  events: EngineEvent[];
  actions: ProtectionRequest[];
}

/** What the band rule is given besides the rule: the reading, the time since the last step, the trend. */
interface RuleContext {
  temperatureC: number;
  elapsedSec?: number;
  trendCPerSec?: number;
}

interface FanMemory {
  pct?: number;
  band: BandState;
}

interface GpuMemory {
  uuid: string;
  index: number;
  name?: string;
  reading?: GpuReading;
  readingAt?: number;
  /** readingAt of the reading the last rule step used, so a reading is never stepped on twice. */
  consumedAt?: number;
  failure?: string;
  failureAt?: number;
  fans: Map<number, FanMemory>;
  power: { watts?: number; band: BandState };
  trend: TemperatureTrend;
  status?: GpuControlStatus;
  startupDone: boolean;
  overTempReadings: number;
  actionTaken: boolean;
  last?: GpuAgentGpuState;
}

export class ControlEngine {
  private readonly memory = new Map<string, GpuMemory>();
  private config: GpuAgentConfig;

  constructor(config: GpuAgentConfig) {
    this.config = config;
  }

  setConfig(config: GpuAgentConfig): void {
    this.config = config;
  }

  /** Every GPU the engine knows, by UUID, in index order. */
  known(): { uuid: string; index: number; name?: string; fans: number[]; reading?: GpuReading }[] {
    return [...this.memory.values()]
      .sort((a, b) => a.index - b.index)
      .map((m) => ({
        uuid: m.uuid,
        index: m.index,
        ...(m.name ? { name: m.name } : {}),
        fans: [...m.fans.keys()],
        ...(m.reading ? { reading: m.reading } : {}),
      }));
  }

  observe(sample: Sample): void {
    const at = sample.at.getTime();
    for (const reading of sample.readings) {
      const memory = this.remember(reading.uuid, reading.index, reading.name);
      memory.reading = reading;
      memory.readingAt = at;
      if (reading.temperatureC !== undefined) memory.trend.add(at, reading.temperatureC);
      for (const fan of reading.fans)
        if (!memory.fans.has(fan.fan)) memory.fans.set(fan.fan, { band: INITIAL_BAND_STATE });
    }
    for (const failure of sample.failures) {
      const memory =
        (failure.uuid ? this.memory.get(failure.uuid) : undefined) ??
        [...this.memory.values()].find((m) => failure.index !== undefined && m.index === failure.index);
      if (!memory) continue;
      memory.failure = failure.reason;
      memory.failureAt = at;
    }
  }

  private remember(uuid: string, index: number, name: string | undefined): GpuMemory {
    let memory = this.memory.get(uuid);
    if (!memory) {
      memory = {
        uuid,
        index,
        fans: new Map(),
        power: { band: INITIAL_BAND_STATE },
        trend: new TemperatureTrend(),
        startupDone: false,
        overTempReadings: 0,
        actionTaken: false,
      };
      this.memory.set(uuid, memory);
    }
    memory.index = index;
    if (name) memory.name = name;
    return memory;
  }

  /** Decisions for every known GPU at `now`; call on each sample and on a timer (staleness). */
  step(now: Date): EngineOutput {
    const output: EngineOutput = { gpus: [], events: [], actions: [] };
    const staleMs = 3 * this.config.poll_interval_sec * 1000;
    for (const memory of [...this.memory.values()].sort((a, b) => a.index - b.index)) {
      const gpu = this.decide(memory, now.getTime(), staleMs, output);
      memory.last = gpu;
      output.gpus.push(gpu);
    }
    return output;
  }

  private decide(m: GpuMemory, now: number, staleMs: number, out: EngineOutput): GpuAgentGpuState {
    const cfg = effectiveConfig(this.config, {
      uuid: m.uuid,
      index: m.index,
      ...(m.name ? { name: m.name } : {}),
    });
    const base = {
      uuid: m.uuid,
      index: m.index,
      ...(m.name ? { name: m.name } : {}),
      ...(m.reading ? { reading: m.reading } : {}),
    };
    const event = (level: EngineEvent['level'], kind: GpuAgentEventKind, message: string) =>
      out.events.push({ level, kind, gpu: m.uuid, message: `GPU ${m.index} (${m.uuid}): ${message}` });
    const setStatus = (status: GpuControlStatus) => {
      if (m.status === 'failsafe' && status !== 'failsafe')
        event('info', 'reading_recovered', 'readings are back');
      if (
        (m.status === 'warning' || m.status === 'shutdown') &&
        status !== 'warning' &&
        status !== 'shutdown'
      ) {
        event('info', 'warning_temp', 'back below the warning temperature');
      }
      m.status = status;
    };

    if (!cfg.control) {
      setStatus('monitor-only');
      return {
        ...base,
        status: 'monitor-only',
        fans: [],
        notes: ['control: false in the config: read only'],
      };
    }

    const reading = m.reading;
    const fresh = m.readingAt !== undefined && now - m.readingAt <= staleMs;
    // A failure in the same sample as a reading with a temperature is partial (e.g. one clock
    // unreadable): controlled on, noted. A failure newer than the last reading is a failed reading.
    const sameSample = m.failureAt !== undefined && m.failureAt === m.readingAt;
    const failedLast = m.failureAt !== undefined && (m.readingAt === undefined || m.failureAt > m.readingAt);
    const temperature = fresh && !failedLast ? reading?.temperatureC : undefined;
    const isNewReading = m.readingAt !== undefined && m.readingAt !== m.consumedAt;

    if (temperature === undefined) {
      const why = !fresh
        ? m.readingAt === undefined
          ? 'no reading yet'
          : `no reading for ${Math.round((now - m.readingAt) / 1000)} s (more than 3 poll intervals)`
        : failedLast || sameSample
          ? `reading failed: ${m.failure ?? 'unknown error'}`
          : 'temperature not reported';
      if (m.status !== 'failsafe') event('critical', 'reading_failed', `${why}; fans to 100 %`);
      m.status = 'failsafe';
      const fans = this.forceFans(m, fanMaximum(reading), `fail-safe: ${why}`);
      return {
        ...base,
        status: 'failsafe',
        fans,
        notes: fans.length === 0 ? ['no fans known for this GPU'] : [],
      };
    }

    const notes: string[] = [];
    if (sameSample && m.failure) notes.push(`partial reading: ${m.failure}`);
    if (m.fans.size === 0) notes.push('no fans reported (passively cooled card?): fan control off');
    const scale = powerScale(cfg.power, reading);
    if (!scale.ok) notes.push(`power control off: ${scale.reason}`);
    const currentW = m.power.watts ?? reading?.powerLimitW;
    const consume = () => {
      m.consumedAt = m.readingAt;
    };
    const trend = m.trend.perSecond();
    const elapsedSec = this.elapsedSec(m);
    const context: RuleContext = {
      temperatureC: temperature,
      ...(elapsedSec !== undefined ? { elapsedSec } : {}),
      ...(trend !== undefined ? { trendCPerSec: trend } : {}),
    };

    // Power is the only lever left once every fan is at its maximum and the GPU is above the fan band.
    const fansExhausted = (fans: FanDecision[]) =>
      fans.length > 0 &&
      temperature > cfg.fan.max_temp &&
      fans.every((f) => f.toPct >= fanRange(cfg.fan, reading).hi);

    const { shutdown_temp, max_fan_on_warning, min_power_on_warning, confirm_readings } =
      this.config.protection;
    const minPowerW = reading?.powerMinLimitW ?? (scale.ok ? scale.scale.range.lo : undefined);

    if (temperature >= shutdown_temp) {
      if (isNewReading) m.overTempReadings++;
      consume();
      if (m.status !== 'shutdown') setStatus('shutdown');
      if (isNewReading) {
        event(
          'critical',
          'shutdown_temp',
          `${temperature} °C ≥ shutdown_temp ${shutdown_temp} °C (${m.overTempReadings}/${confirm_readings}): fans max, power min`,
        );
      }
      const fans = this.forceFans(
        m,
        fanMaximum(reading),
        `protection: ${temperature} °C ≥ shutdown_temp ${shutdown_temp} °C`,
      );
      const power = this.forcePower(
        m,
        minPowerW,
        currentW,
        `protection: ${temperature} °C ≥ shutdown_temp ${shutdown_temp} °C`,
      );
      if (m.overTempReadings >= confirm_readings && !m.actionTaken) {
        m.actionTaken = true;
        const action = shutdownAction(this.config);
        out.actions.push({
          action,
          gpu: m.uuid,
          index: m.index,
          temperatureC: temperature,
          containers: this.config.protection.stop_containers,
          vms: this.config.protection.stop_vms,
        });
        event(
          'critical',
          'protection_action',
          `${temperature} °C for ${m.overTempReadings} readings: action ${action}`,
        );
      }
      return { ...base, status: 'shutdown', fans, ...(power ? { power } : {}), notes };
    }
    if (temperature < warningTemp(this.config)) {
      m.overTempReadings = 0;
      m.actionTaken = false;
    }

    if (temperature >= warningTemp(this.config)) {
      if (m.status !== 'warning') {
        event(
          'warn',
          'warning_temp',
          `${temperature} °C ≥ warning temperature ${warningTemp(this.config)} °C`,
        );
        setStatus('warning');
      }
      const why = `protection: ${temperature} °C ≥ warning temperature ${warningTemp(this.config)} °C`;
      const fans = max_fan_on_warning
        ? this.forceFans(m, fanMaximum(reading), why)
        : this.ruleFans(m, cfg, context, isNewReading);
      const power = min_power_on_warning
        ? this.forcePower(m, minPowerW, currentW, why)
        : this.rulePower(m, cfg, context, currentW, isNewReading, fansExhausted(fans));
      consume();
      return { ...base, status: 'warning', fans, ...(power ? { power } : {}), notes };
    }

    setStatus('ok');
    if (!m.startupDone) {
      m.startupDone = true;
      consume();
      const fans = this.startupFans(m, cfg);
      const power = this.startupPower(m, cfg, currentW);
      if (fans.length > 0 || power) {
        event(
          'info',
          'startup_applied',
          `startup values: ${fans.map((f) => `fan ${f.fan} ${f.toPct} %`).join(', ')}${power ? ` power ${power.toW} W` : ''}`,
        );
      }
      return { ...base, status: 'ok', fans, ...(power ? { power } : {}), notes };
    }
    const fans = this.ruleFans(m, cfg, context, isNewReading);
    const power = scale.ok
      ? this.rulePower(m, cfg, context, currentW, isNewReading, fansExhausted(fans))
      : undefined;
    consume();
    return { ...base, status: 'ok', fans, ...(power ? { power } : {}), notes };
  }

  /**
   * Seconds between this reading and the one the last step used, for the band rule's scaling; at
   * most one poll (or rule period), so readings lost to a fault never add up to one big jump.
   */
  private elapsedSec(m: GpuMemory): number | undefined {
    if (m.readingAt === undefined || m.consumedAt === undefined) return undefined;
    const cap = Math.max(RULE_PERIOD_SEC, this.config.poll_interval_sec);
    return Math.min(Math.max(0, (m.readingAt - m.consumedAt) / 1000), cap);
  }

  private forceFans(m: GpuMemory, pct: number, reason: string): FanDecision[] {
    return [...m.fans.entries()].map(([fan, memory]) => {
      const from = memory.pct ?? m.reading?.fans.find((f) => f.fan === fan)?.speedPct;
      memory.pct = pct;
      memory.band = INITIAL_BAND_STATE;
      return {
        fan,
        ...(from !== undefined ? { fromPct: from } : {}),
        toPct: pct,
        changed: from !== pct,
        reason,
      };
    });
  }

  private forcePower(
    m: GpuMemory,
    watts: number | undefined,
    currentW: number | undefined,
    reason: string,
  ): PowerDecision | undefined {
    if (watts === undefined) return undefined;
    m.power = { watts, band: INITIAL_BAND_STATE };
    return {
      ...(currentW !== undefined ? { fromW: currentW } : {}),
      toW: watts,
      changed: currentW !== watts,
      reason,
    };
  }

  private ruleFans(
    m: GpuMemory,
    cfg: EffectiveGpuConfig,
    context: RuleContext,
    isNewReading: boolean,
  ): FanDecision[] {
    const range = fanRange(cfg.fan, m.reading);
    return [...m.fans.entries()].map(([fan, memory]) => {
      const from = memory.pct ?? m.reading?.fans.find((f) => f.fan === fan)?.speedPct ?? range.lo;
      if (!isNewReading) {
        return {
          fan,
          fromPct: from,
          toPct: from,
          changed: false,
          // Between readings nothing moves; keep showing why the value is what it is.
          reason: m.last?.fans.find((f) => f.fan === fan)?.reason ?? 'waiting for the next reading',
        };
      }
      const outcome = stepFan({ ...context, current: from, rule: cfg.fan, range, state: memory.band });
      memory.pct = outcome.value;
      memory.band = outcome.state;
      return {
        fan,
        fromPct: from,
        toPct: outcome.value,
        changed: outcome.value !== from,
        reason: outcome.reason,
      };
    });
  }

  private rulePower(
    m: GpuMemory,
    cfg: EffectiveGpuConfig,
    context: RuleContext,
    currentW: number | undefined,
    isNewReading: boolean,
    fansExhausted: boolean,
  ): PowerDecision | undefined {
    const scale = powerScale(cfg.power, m.reading);
    if (!scale.ok || currentW === undefined) return undefined;
    if (!isNewReading) {
      const reason = m.last?.power?.reason ?? 'waiting for the next reading';
      return { fromW: currentW, toW: currentW, changed: false, reason };
    }
    const outcome = stepPower({
      ...context,
      currentW,
      rule: cfg.power,
      scale: scale.scale,
      state: m.power.band,
      fansExhausted,
    });
    m.power = { watts: outcome.value, band: outcome.state };
    return {
      fromW: currentW,
      toW: outcome.value,
      changed: outcome.value !== currentW,
      reason: outcome.reason,
    };
  }

  private startupFans(m: GpuMemory, cfg: EffectiveGpuConfig): FanDecision[] {
    const init = cfg.startup.init_fan_speed;
    if (init === undefined)
      return this.ruleFans(m, cfg, { temperatureC: m.reading?.temperatureC ?? 0 }, false);
    const range = fanRange(cfg.fan, m.reading);
    const pct = Math.min(Math.max(init, range.lo), range.hi);
    return this.forceFans(
      m,
      pct,
      `startup: init_fan_speed ${init} %${pct !== init ? ` (limited to ${range.lo}–${range.hi} %)` : ''}`,
    );
  }

  private startupPower(
    m: GpuMemory,
    cfg: EffectiveGpuConfig,
    currentW: number | undefined,
  ): PowerDecision | undefined {
    const watts = startupPowerW(cfg.startup, m.reading);
    if (watts === undefined) return undefined;
    const what =
      cfg.startup.init_power_limit_w !== undefined
        ? `${cfg.startup.init_power_limit_w} W`
        : `${cfg.startup.init_power_limit_pct} % of default`;
    return this.forcePower(m, watts, currentW, `startup: init power limit ${what}`);
  }
}
