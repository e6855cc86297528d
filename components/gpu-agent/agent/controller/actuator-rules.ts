import type { GpuReading } from '@skyy/contracts';
import type { FanRule, PowerRule } from '../config/effective-config.ts';
import {
  applyBandRule,
  clamp,
  RULE_PERIOD_SEC,
  SETTLE_AFTER_SEC,
  type BandRuleResult,
  type BandState,
} from './band-rule.ts';

/**
 * The band rule applied to real actuators: fan speeds within what the card accepts and the
 * configured range, power limits in percent of the default limit or in watts within the card's
 * min/max. Pure functions; reasons are written for the operator reading /state or the log.
 */

export interface Range {
  lo: number;
  hi: number;
}

/**
 * Fan speeds the agent may command: the configured min/max, narrowed by what the card accepts
 * (nvmlDeviceGetMinMaxFanSpeed) and by `floor` for cards whose fans stall below some speed.
 */
export function fanRange(
  rule: FanRule,
  reading: Pick<GpuReading, 'fanMinPct' | 'fanMaxPct'> | undefined,
): Range {
  const hi = Math.min(rule.max_speed, reading?.fanMaxPct ?? 100);
  const lo = Math.max(rule.min_speed, rule.floor, reading?.fanMinPct ?? 0);
  return { lo: Math.min(lo, hi), hi };
}

/** The most a fan can be driven to, for fail-safe and protection (config caps do not apply). */
export function fanMaximum(reading: Pick<GpuReading, 'fanMaxPct'> | undefined): number {
  return Math.min(100, reading?.fanMaxPct ?? 100);
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const signed = (n: number) => (n > 0 ? `+${fmt(n)}` : fmt(n));

function explain(
  result: BandRuleResult,
  temperatureC: number,
  hysteresis: number,
  unit: string,
  range: Range,
): string {
  const where = `${fmt(temperatureC)} °C vs target ${fmt(result.target)} °C`;
  if (result.action === 'hold') return `${where}: within ±${fmt(hysteresis)} °C, hold`;
  if (result.action === 'approaching') return `${where}: already heading there, hold`;
  const why =
    result.action === 'settle'
      ? ` (off target for ${SETTLE_AFTER_SEC / 60} min)`
      : result.action === 'urgent'
        ? ' (fans at max above their band)'
        : '';
  const limited = result.clamped ? ` (limited to ${fmt(range.lo)}–${fmt(range.hi)} ${unit})` : '';
  const rate = result.scaled ? ` (${signed(result.perPeriod)} ${unit} per ${RULE_PERIOD_SEC} s)` : '';
  return `${where}: ${signed(result.applied)} ${unit}${rate}${why}${limited}`;
}

export interface StepOutcome {
  value: number;
  state: BandState;
  reason: string;
}

/** What the band rule needs besides the rule itself, the same for fans and power. */
export interface StepContext {
  temperatureC: number;
  state: BandState;
  /** Seconds since the previous step; default the rule period. */
  elapsedSec?: number;
  /** °C per second; undefined when not known yet. */
  trendCPerSec?: number;
}

const bandInputs = (context: StepContext) => ({
  temperatureC: context.temperatureC,
  mode: context.state.mode,
  carry: context.state.carry,
  offsetSec: context.state.offsetSec,
  ...(context.elapsedSec !== undefined ? { elapsedSec: context.elapsedSec } : {}),
  ...(context.trendCPerSec !== undefined ? { trendCPerSec: context.trendCPerSec } : {}),
});

const stateOf = (result: BandRuleResult): BandState => ({
  mode: result.mode,
  carry: result.carry,
  offsetSec: result.offsetSec,
});

export function stepFan(
  input: StepContext & {
    current: number;
    rule: FanRule;
    range: Range;
  },
): StepOutcome {
  const { rule, range } = input;
  const result = applyBandRule({
    ...bandInputs(input),
    current: input.current,
    minTemp: rule.min_temp,
    maxTemp: rule.max_temp,
    gain: rule.gain,
    maxStep: rule.max_step,
    hysteresis: rule.hysteresis,
    lo: range.lo,
    hi: range.hi,
    direction: 1,
  });
  return {
    value: result.next,
    state: stateOf(result),
    reason: explain(result, input.temperatureC, rule.hysteresis, '%', range),
  };
}

/** Power limits the agent may set, in watts, and how to express watts in the config's unit. */
export interface PowerScale {
  range: Range;
  /** watts → config unit (percent of default or watts). */
  toUnit(watts: number): number;
  fromUnit(value: number): number;
  unit: '%' | 'W';
}

export type PowerScaleResult = { ok: true; scale: PowerScale } | { ok: false; reason: string };

export function powerScale(
  rule: PowerRule,
  reading: Pick<GpuReading, 'powerDefaultLimitW' | 'powerMinLimitW' | 'powerMaxLimitW'> | undefined,
): PowerScaleResult {
  const cardLo = reading?.powerMinLimitW ?? 0;
  const cardHi = reading?.powerMaxLimitW ?? Infinity;
  if (rule.unit === 'watts') {
    const hi = Math.min(rule.max_pl, cardHi);
    return {
      ok: true,
      scale: {
        range: { lo: Math.min(Math.max(rule.min_pl, cardLo), hi), hi },
        toUnit: (w) => w,
        fromUnit: (v) => v,
        unit: 'W',
      },
    };
  }
  const defaultW = reading?.powerDefaultLimitW;
  if (defaultW === undefined || defaultW <= 0) {
    return { ok: false, reason: 'default power limit not reported: percent limits cannot be applied' };
  }
  const hi = Math.min((rule.max_pl * defaultW) / 100, cardHi);
  const lo = Math.min(Math.max((rule.min_pl * defaultW) / 100, cardLo), hi);
  return {
    ok: true,
    scale: {
      range: { lo, hi },
      toUnit: (w) => (w / defaultW) * 100,
      fromUnit: (v) => (v * defaultW) / 100,
      unit: '%',
    },
  };
}

/** One power step; the band rule runs in the config's unit, the result is whole watts within the card range. */
export function stepPower(
  input: StepContext & {
    currentW: number;
    rule: PowerRule;
    scale: PowerScale;
    /** Every fan is at its maximum and the GPU is above the fan band: power is the only lever left. */
    fansExhausted?: boolean;
  },
): StepOutcome {
  const { rule, scale } = input;
  const unitRange = { lo: scale.toUnit(scale.range.lo), hi: scale.toUnit(scale.range.hi) };
  const result = applyBandRule({
    ...bandInputs(input),
    current: scale.toUnit(input.currentW),
    urgentAbove: input.fansExhausted === true,
    minTemp: rule.min_temp,
    maxTemp: rule.max_temp,
    gain: rule.gain,
    maxStep: rule.max_step,
    hysteresis: rule.hysteresis,
    lo: unitRange.lo,
    hi: unitRange.hi,
    direction: -1,
  });
  const watts = clamp(
    Math.round(scale.fromUnit(result.next)),
    Math.ceil(scale.range.lo),
    Math.floor(scale.range.hi),
  );
  const reason = explain(result, input.temperatureC, rule.hysteresis, scale.unit, unitRange);
  return { value: watts, state: stateOf(result), reason };
}

/** Startup power limit in watts: init_power_limit_w, else init_power_limit_pct of the default; within the card range. */
export function startupPowerW(
  startup: { init_power_limit_w?: number; init_power_limit_pct?: number },
  reading: Pick<GpuReading, 'powerDefaultLimitW' | 'powerMinLimitW' | 'powerMaxLimitW'> | undefined,
): number | undefined {
  let watts = startup.init_power_limit_w;
  if (
    watts === undefined &&
    startup.init_power_limit_pct !== undefined &&
    reading?.powerDefaultLimitW !== undefined
  ) {
    watts = (startup.init_power_limit_pct * reading.powerDefaultLimitW) / 100;
  }
  if (watts === undefined) return undefined;
  return Math.round(clamp(watts, reading?.powerMinLimitW ?? 0, reading?.powerMaxLimitW ?? Infinity));
}
