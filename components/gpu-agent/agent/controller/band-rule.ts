/**
 * The user's proportional rule, one step per reading, toward the middle of a temperature band:
 *
 *   new = clamp(cur + clamp(round(gain × (temp − target)), ±max_step), lo, hi)
 *
 * for fans (`direction` +1: hotter → faster) and, reversed, for the power limit (`direction` −1:
 * hotter → lower limit). Because each step adds to the last value it behaves like an integral
 * controller: the output keeps moving until the temperature sits at the target.
 *
 * Hysteresis keeps it from flapping when the temperature jitters by a degree: a correction starts
 * only once the temperature is more than `hysteresis` °C from the target, and then runs until the
 * target is reached (Schmitt-trigger style); in between, the output holds. With hysteresis 0 this
 * is exactly the user's rule.
 */

export type CorrectionMode = 'hold' | 'above' | 'below';

export interface BandRuleInput {
  current: number;
  temperatureC: number;
  minTemp: number;
  maxTemp: number;
  gain: number;
  maxStep: number;
  hysteresis: number;
  lo: number;
  hi: number;
  direction: 1 | -1;
  /** The mode returned by the previous step for this output ('hold' at start). */
  mode: CorrectionMode;
}

export interface BandRuleResult {
  next: number;
  mode: CorrectionMode;
  target: number;
  /** temperature − target, °C. */
  error: number;
  /** Step before the lo/hi clamp (0 while holding). */
  step: number;
  clamped: boolean;
}

/** round() that treats +x.5 and −x.5 alike (JavaScript's Math.round(−2.5) is −2). */
export function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

export function clamp(value: number, lo: number, hi: number): number {
  return Math.min(Math.max(value, lo), hi);
}

export function nextMode(mode: CorrectionMode, error: number, hysteresis: number): CorrectionMode {
  const enter = (): CorrectionMode => (error > hysteresis ? 'above' : error < -hysteresis ? 'below' : 'hold');
  if (mode === 'above') return error > 0 ? 'above' : enter();
  if (mode === 'below') return error < 0 ? 'below' : enter();
  return enter();
}

export function applyBandRule(input: BandRuleInput): BandRuleResult {
  const target = (input.minTemp + input.maxTemp) / 2;
  const error = input.temperatureC - target;
  const mode = nextMode(input.mode, error, input.hysteresis);
  const raw = mode === 'hold' ? 0 : roundHalfAway(input.gain * error);
  const step = clamp(raw, -input.maxStep, input.maxStep) * input.direction;
  const lo = Math.min(input.lo, input.hi);
  const unclamped = input.current + step;
  const next = clamp(unclamped, lo, input.hi);
  return { next, mode, target, error, step, clamped: next !== unclamped };
}
