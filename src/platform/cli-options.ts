// Option parsers the command-line tools share.
import { InvalidArgumentError } from "commander";

/**
 * Commander option parser: a whole number in [min, max] (surrounding spaces allowed), else commander's
 * own "invalid argument" error, which names the option and exits non-zero. Number("one") is NaN, and
 * NaN compares false with everything: a check such as `signatures < threshold` then passes.
 */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const v = value.trim();
    const n = /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${String(min)} to ${String(max)}`);
    return n;
  };
}
