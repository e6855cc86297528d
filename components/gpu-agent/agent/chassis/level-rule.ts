import { CHASSIS_LEVELS } from '@skyy/contracts';

/**
 * The user's fan curve (hs-fan-daemon.sh), as a pure function. Levels are 20 … 100 % in steps of
 * 10; level 20 + 10·(i+1) applies from `thresholds[i]` °C. The first reading picks its band
 * directly (initial_level_from_temp); after that the level moves at most ONE step per poll, up
 * when the temperature reaches the next band's edge + hysteresis, down when it falls to its own
 * band's edge − hysteresis (next_level_with_hysteresis). The result never goes below `minLevel`
 * (FAN_MIN_LEVEL). Temperatures are whole degrees, truncated like the script's `${t%.*}`.
 */

export interface LevelRule {
  /** 8 increasing temperatures: where 30 %, 40 %, … 100 % begin. */
  thresholds: readonly number[];
  hysteresis: number;
  minLevel: number;
}

export interface LevelDecision {
  level: number;
  /** For logs and /state, e.g. `47 °C ≥ 47 °C (45 + 2): 40 → 50 %`. */
  reason: string;
}

const LOWEST = CHASSIS_LEVELS[0];
const HIGHEST = CHASSIS_LEVELS[CHASSIS_LEVELS.length - 1] ?? 100;

/** The script compares whole degrees: 57.8 °C counts as 57. */
export function wholeDegrees(celsius: number): number {
  return Math.trunc(celsius);
}

/** Band lookup without hysteresis (the first reading, or a level the table does not know). */
export function levelForTemperature(temp: number, thresholds: readonly number[]): number {
  return LOWEST + 10 * thresholds.filter((edge) => temp >= edge).length;
}

function isKnownLevel(level: number | undefined): level is number {
  return level !== undefined && (CHASSIS_LEVELS as readonly number[]).includes(level);
}

/** Where a level's band starts (°C), or undefined for the lowest level. */
function bandStart(level: number, thresholds: readonly number[]): number | undefined {
  return level <= LOWEST ? undefined : thresholds[(level - LOWEST) / 10 - 1];
}

function atLeastMin(decision: LevelDecision, minLevel: number): LevelDecision {
  if (decision.level >= minLevel) return decision;
  return { level: minLevel, reason: `${decision.reason}, raised to min_level ${minLevel} %` };
}

/** The next level for a whole-degree `temp`, given the level in force (undefined at start). */
export function nextLevel(temp: number, last: number | undefined, rule: LevelRule): LevelDecision {
  const { thresholds, hysteresis: h, minLevel } = rule;
  if (!isKnownLevel(last)) {
    const level = levelForTemperature(temp, thresholds);
    const from = bandStart(level, thresholds);
    const band = from === undefined ? `below ${thresholds[0]} °C` : `from ${from} °C`;
    return atLeastMin({ level, reason: `first reading ${temp} °C: band ${band} → ${level} %` }, minLevel);
  }
  const up = last < HIGHEST ? bandStart(last + 10, thresholds) : undefined;
  const down = bandStart(last, thresholds);
  if (up !== undefined && temp >= up + h) {
    return atLeastMin(
      { level: last + 10, reason: `${temp} °C ≥ ${up + h} °C (${up} + ${h}): ${last} → ${last + 10} %` },
      minLevel,
    );
  }
  if (down !== undefined && temp <= down - h) {
    return atLeastMin(
      { level: last - 10, reason: `${temp} °C ≤ ${down - h} °C (${down} − ${h}): ${last} → ${last - 10} %` },
      minLevel,
    );
  }
  const limits = [
    up !== undefined ? `up at ${up + h} °C` : undefined,
    down !== undefined ? `down at ${down - h} °C` : undefined,
  ].filter((part) => part !== undefined);
  return atLeastMin({ level: last, reason: `${temp} °C: holds ${last} % (${limits.join(', ')})` }, minLevel);
}

/** A byte as the script passes it to ipmitool: 0x00, 0x1E, 0x64. */
export function hexByte(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Duty byte for `ipmitool raw 0x30 0x70 0x66 0x01 <zone> <duty>`, as the script writes it (40 → 0x28, 30 → 0x1E). */
export const dutyByte = hexByte;

/** A zone as ipmitool gets it: 0 → 0x00. */
export const zoneByte = hexByte;
