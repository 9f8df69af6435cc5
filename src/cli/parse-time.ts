import { VctpError } from '../core/errors.js';
import { formatUnixTime } from '../core/time-bounds.js';
import { parseTimeInput } from '../core/time-input.js';

/** A time given on the command line: unix seconds, or an ISO 8601 date-time (UTC unless it says). */
export const parseTimeFlag = parseTimeInput;

export function parseIntegerFlag(flag: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new VctpError('usage', `${flag} ${value}: expected a whole number >= ${min}`);
  return n;
}

/** A time in a table or line: 2026-04-21T13:00:00Z (UTC, as in --json's *Iso fields), or '-'. */
export function formatTime(unix: number | null): string {
  return unix === null ? '-' : formatUnixTime(unix);
}
