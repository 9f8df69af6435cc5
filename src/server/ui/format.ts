// Numbers and times as the pages print them: en-US separators whatever the host's locale (as the
// CLI's tables, src/cli/output.ts), times in UTC to the minute or second.
import { formatUnixTime } from '../../core/time-bounds.js';
import { numberFormat } from '../../core/number-format.js';


/** 12,345 */
export const count = (n: number): string => numberFormat(0).format(n);

/** 12,345.0 (exactly `digits` decimals) */
export const fixed = (n: number, digits = 1): string => numberFormat(digits).format(n);

/** 2026-04-21 11:00 UTC; "-" for unknown (null or 0, as in the JSON shape). */
export function formatTime(unix: number | null | undefined): string {
  if (unix === null || unix === undefined || unix === 0) return '-';
  return formatUnixTime(unix).replace('T', ' ').replace(/:00Z$/, 'Z').replace(/Z$/, ' UTC');
}

/** 2026-04-21 */
export function formatDate(unix: number): string {
  return formatUnixTime(unix).slice(0, 10);
}
