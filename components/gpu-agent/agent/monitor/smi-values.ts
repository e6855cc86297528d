/**
 * Turning nvidia-smi's text values into numbers. Anything the driver does not report — `[N/A]`,
 * `N/A`, `[Not Supported]`, `[Insufficient Permissions]`, `[Unknown Error]`, `[GPU is lost]`,
 * `[Requested functionality has been deprecated]`, an empty cell — is absent (`undefined`),
 * never zero: a missing temperature must trigger the fail-safe, not read as a cold GPU.
 */

const ABSENT_WORDS = new Set([
  '',
  '-',
  'n/a',
  'not supported',
  'insufficient permissions',
  'unknown error',
  'gpu is lost',
  'requested functionality has been deprecated',
  'not available',
]);

export function isAbsent(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const value = raw.trim();
  if (value.startsWith('[') && value.endsWith(']')) return true;
  return ABSENT_WORDS.has(value.toLowerCase());
}

/** A text cell (name, UUID, bus id), or undefined when absent. */
export function textValue(raw: string | undefined): string | undefined {
  return raw === undefined || isAbsent(raw) ? undefined : raw.trim();
}

const NUMBER_WITH_UNIT = /^([-+]?\d+(?:\.\d+)?)\s*(%|W|MiB|MHz|C|us|KB\/s|x)?$/;

/** A decimal number with an optional unit suffix (`38 %`, `111.50 W`, `8192 MiB`); undefined otherwise. */
export function numberValue(raw: string | undefined): number | undefined {
  if (raw === undefined || isAbsent(raw)) return undefined;
  const match = NUMBER_WITH_UNIT.exec(raw.trim());
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}

/** `0x00000000000001FF` → 511; decimal accepted too. Bitmasks above 2^53 are not used by NVML today. */
export function hexOrDecimalValue(raw: string | undefined): number | undefined {
  if (raw === undefined || isAbsent(raw)) return undefined;
  const value = raw.trim();
  if (/^0x[0-9a-f]+$/i.test(value)) {
    const big = BigInt(value);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : undefined;
  }
  return numberValue(value);
}

/** `P2` → 2; absent for `[N/A]` or `Unknown`. */
export function pstateValue(raw: string | undefined): number | undefined {
  if (raw === undefined || isAbsent(raw)) return undefined;
  const match = /^P(\d{1,2})$/i.exec(raw.trim());
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return value <= 15 ? value : undefined;
}

const MIB = 1024 * 1024;

export function mebibytesToBytes(mib: number | undefined): number | undefined {
  return mib === undefined ? undefined : Math.round(mib * MIB);
}
