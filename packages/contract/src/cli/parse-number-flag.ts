// The one strict reading of a numeric flag, shared by every server bin and the
// client: plain decimal digits only, so `0x4700`, `1e3`, `-1`, ` 8` or `08.5`
// are mistakes to report, not numbers `Number()` would quietly accept.
import { UsageError } from '../errors.js';

/** Decimal digits without a sign or a leading zero (`0` itself is fine). */
const INTEGER = /^(?:0|[1-9]\d*)$/;
/** The same, optionally followed by a fraction: `0.5`, `30`, `2.25`. */
const DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** Bounds of an integer flag, both inclusive. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Reads `--flag`'s value as an integer within `range`; `fallback` when the
 * flag was not given. Anything else throws a one-line `UsageError`.
 */
export function parseIntegerFlag(
  flag: string,
  text: string | undefined,
  fallback: number,
  { min, max }: IntegerRange,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!INTEGER.test(text) || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/**
 * Reads `--flag`'s value as a non-negative decimal number (seconds, say);
 * `fallback` when the flag was not given. Anything else throws a one-line
 * `UsageError`.
 */
export function parseDecimalFlag(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!DECIMAL.test(text)) {
    throw new UsageError(`${flag} must be a decimal number >= 0 (like 5 or 0.5), got "${text}"`);
  }
  return Number(text);
}
