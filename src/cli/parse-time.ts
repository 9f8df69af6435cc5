import { VctpError } from '../core/errors.js';
import { assertRepresentableTime, formatUnixTime } from '../core/time-bounds.js';

/** A time given on the command line: unix seconds, or an ISO 8601 date-time (UTC unless it says). */
export function parseTimeFlag(flag: string, value: string): number {
  const unix = parseTime(flag, value);
  assertRepresentableTime(flag, unix);
  return unix;
}

function parseTime(flag: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) {
    throw new VctpError('usage', `${flag} ${value}: expected unix seconds or an ISO 8601 time such as 2026-04-21T13:00:00Z`);
  }
  return Math.floor(ms / 1000);
}

export function parseIntegerFlag(flag: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new VctpError('usage', `${flag} ${value}: expected a whole number >= ${min}`);
  return n;
}

/** A time in a table or line: 2026-04-21T13:00:00Z (UTC, as in --json's *Iso fields), or '-'. */
export function formatTime(unix: number | null): string {
  return unix === null ? '-' : formatUnixTime(unix);
}
