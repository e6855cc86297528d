/**
 * The user's proportional rule toward the middle of a temperature band:
 *
 *   new = clamp(cur + clamp(round(gain × (temp − target)), ±max_step), lo, hi)
 *
 * for fans (`direction` +1: hotter → faster) and, reversed, for the power limit (`direction` −1:
 * hotter → lower limit). Because each step adds to the last value it behaves like an integral
 * controller: the output keeps moving until the temperature sits at the target. On a GPU, whose
 * temperature lags the fans by a minute or more, a bare integral controller overshoots and cycles;
 * the additions below keep the user's step but decide *when* to take it.
 *
 * - Reference period. gain and max_step are per RULE_PERIOD_SEC (5 s, the poll of the user's file,
 *   the period they were tuned for). A reading `elapsedSec` after the last one moves the output by
 *   step × elapsedSec / 5; the fractions are carried, so a 1 s poll makes the same correction per
 *   minute as a 5 s poll, in smaller writes, and a slow correction is never rounded away.
 * - Hysteresis (Schmitt trigger): a correction starts only once the temperature is more than
 *   `hysteresis` °C from the target, and then runs until it is back within half the hysteresis
 *   (RUN_ENDS_AT); in between, the output holds. A degree of jitter moves nothing. Running all the
 *   way to the target is what wound the output up: the GPU is still moving when the run ends.
 * - Settle: a temperature sitting at least SETTLE_MIN_ERROR_C on one side of the target for
 *   SETTLE_AFTER_SEC, not heading back, gets one step of the rule, then the wait starts again. The
 *   hysteresis delays a trim but never parks the output off target (fans left at 100 % after an
 *   overshoot come back down), and one step per wait cannot outrun the GPU's lag.
 * - Approach: while the temperature is already moving toward the target fast enough to reach it
 *   within APPROACH_HORIZON_SEC at its current trend, the correction pauses: the output already
 *   given is doing the work, and adding more is what overshoots. This only ever holds an output; it
 *   never moves one the other way, so fans are never slowed while the GPU is above the target.
 * - Urgent: with `urgentAbove` (the engine sets it for the power limit when every fan is at its
 *   maximum and the GPU is above the fan band) a correction starts as soon as the temperature is
 *   above the target, instead of waiting for the hysteresis: nothing else is left to cool the GPU.
 *
 * With elapsedSec 5, no trend and no settle or urgency, this is exactly the user's rule (plus the
 * hysteresis; with hysteresis 0, exactly the user's rule).
 */

export type CorrectionMode = 'hold' | 'above' | 'below';

/** The period gain and max_step are expressed per: the poll interval of the user's file. */
export const RULE_PERIOD_SEC = 5;
/** A temperature this far off the target for SETTLE_AFTER_SEC starts a correction inside the hysteresis. */
export const SETTLE_MIN_ERROR_C = 1;
export const SETTLE_AFTER_SEC = 120;
/**
 * Pause a correction while the trend would bring the temperature to the target within this time:
 * longer than the GPU's thermal time constant (in the simulator's model 50–100 s at the fan speeds
 * a loaded GPU runs) plus the trend's own lag (half its 30 s window).
 */
export const APPROACH_HORIZON_SEC = 120;

/** What one output remembers between steps. */
export interface BandState {
  mode: CorrectionMode;
  /** What rounding has left over in the running correction, −0.5…0.5 of a percent (or watt). */
  carry: number;
  /** Seconds the temperature has sat ≥ SETTLE_MIN_ERROR_C above (+) or below (−) the target, inside the hysteresis. */
  offsetSec: number;
}

export const INITIAL_BAND_STATE: BandState = { mode: 'hold', carry: 0, offsetSec: 0 };

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
  /** The carry and offset returned by the previous step; none: a fresh start. */
  carry?: number;
  offsetSec?: number;
  /** Seconds since the previous step; default RULE_PERIOD_SEC. */
  elapsedSec?: number;
  /** Temperature trend, °C per second; undefined: unknown (no approach pause). */
  trendCPerSec?: number;
  /** Start a correction at any temperature above the target (the other actuator is exhausted). */
  urgentAbove?: boolean;
}

/** Why the output did what it did, for the reason text. */
export type BandAction = 'hold' | 'correct' | 'settle' | 'urgent' | 'approaching';

export interface BandRuleResult extends BandState {
  next: number;
  target: number;
  /** temperature − target, °C. */
  error: number;
  /** Step per rule period before scaling and the lo/hi clamp (0 while holding). */
  step: number;
  /** What was applied this time, before the lo/hi clamp. */
  applied: number;
  /** The step was scaled: the reading came sooner or later than RULE_PERIOD_SEC after the last. */
  scaled: boolean;
  /** The output's change per RULE_PERIOD_SEC at this error (step × direction). */
  perPeriod: number;
  clamped: boolean;
  action: BandAction;
}

/** round() that treats +x.5 and −x.5 alike (JavaScript's Math.round(−2.5) is −2). */
export function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

export function clamp(value: number, lo: number, hi: number): number {
  return Math.min(Math.max(value, lo), hi);
}

/** A correction run ends this far (a fraction of the hysteresis) short of the target; settle trims the rest. */
export const RUN_ENDS_AT = 0.5;

export function nextMode(mode: CorrectionMode, error: number, hysteresis: number): CorrectionMode {
  const enter = (): CorrectionMode => (error > hysteresis ? 'above' : error < -hysteresis ? 'below' : 'hold');
  const end = RUN_ENDS_AT * hysteresis;
  if (mode === 'above') return error > end ? 'above' : enter();
  if (mode === 'below') return error < -end ? 'below' : enter();
  return enter();
}

/** True while the trend would carry the temperature to the target within APPROACH_HORIZON_SEC. */
export function approaching(error: number, trendCPerSec: number | undefined): boolean {
  if (trendCPerSec === undefined || error === 0) return false;
  const towardTarget = -Math.sign(error) * trendCPerSec;
  return towardTarget > 0 && towardTarget * APPROACH_HORIZON_SEC >= Math.abs(error);
}

export function applyBandRule(input: BandRuleInput): BandRuleResult {
  const target = (input.minTemp + input.maxTemp) / 2;
  const error = input.temperatureC - target;
  const elapsedSec = Math.max(0, input.elapsedSec ?? RULE_PERIOD_SEC);
  const moving = approaching(error, input.trendCPerSec);
  let mode = nextMode(input.mode, error, input.hysteresis);
  let action: BandAction = mode === 'hold' ? 'hold' : 'correct';

  // Time spent off target inside the hysteresis; a temperature on its way back does not count.
  const side = Math.abs(error) >= SETTLE_MIN_ERROR_C ? Math.sign(error) : 0;
  const before = input.offsetSec ?? 0;
  let offsetSec = 0;
  if (mode === 'hold' && side !== 0 && !moving)
    offsetSec = (Math.sign(before) === side ? before : 0) + side * elapsedSec;

  if (mode === 'hold' && input.urgentAbove && error > 0) {
    mode = 'above';
    action = 'urgent';
  }
  // A settle trim is one whole step, then another full wait: the GPU takes about a minute to show
  // what a step did, and stepping on while the whole-degree reading has not moved yet is what
  // would overshoot.
  const settle = mode === 'hold' && Math.abs(offsetSec) >= SETTLE_AFTER_SEC;
  if (settle) action = 'settle';
  if (mode !== 'hold' || settle) offsetSec = 0;

  const step =
    mode === 'hold' && !settle ? 0 : clamp(roundHalfAway(input.gain * error), -input.maxStep, input.maxStep);
  if (mode !== 'hold' && moving) action = 'approaching';
  const paused = (mode === 'hold' && !settle) || moving || step === 0;

  // The step scaled to the elapsed time, plus what rounding left over from the earlier readings of
  // the same correction run (a carry from a run the other way is dropped).
  const carried = mode === input.mode ? (input.carry ?? 0) : 0;
  const exact = settle ? step : paused ? 0 : (step * elapsedSec) / RULE_PERIOD_SEC + carried;
  const whole = roundHalfAway(exact);
  const applied = whole * input.direction;

  const lo = Math.min(input.lo, input.hi);
  const unclamped = input.current + applied;
  const next = clamp(unclamped, lo, input.hi);
  const clamped = next !== unclamped;
  // Against a limit there is nothing to carry: it would only wind up.
  const carry = paused || clamped || settle ? 0 : exact - whole;
  const scaled = !settle && Math.abs(elapsedSec - RULE_PERIOD_SEC) > 0.5;
  const perPeriod = step * input.direction;
  return { next, mode, carry, offsetSec, target, error, step, applied, scaled, perPeriod, clamped, action };
}
