// Times as people give them to vctp, on the command line (--at, --from, --to) or in a request's
// query (?from=, ?to=): one parser, so that the CLI and the HTTP API accept the same forms.
import { VctpError } from './errors.js';
import { formatDay } from './periods.js';
import { assertRepresentableTime } from './time-bounds.js';

const DAY = 86_400;

/** Unix seconds, or an ISO 8601 date-time (UTC unless it says). `label` names the input in errors (--to, query.to). */
export function parseTimeInput(label: string, value: string): number {
  const unix = parseTime(label, value);
  assertRepresentableTime(label, unix);
  return unix;
}

function parseTime(label: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) {
    throw new VctpError('usage', `${label} ${value}: expected unix seconds or an ISO 8601 time such as 2026-04-21T13:00:00Z`);
  }
  return Math.floor(ms / 1000);
}

/**
 * A bound of a time window: a day (YYYY-MM-DD: from its 00:00, or through its 23:59:59 UTC), else
 * unix seconds or an ISO 8601 time.
 */
export function parseTimeBound(label: string, value: string, side: 'start' | 'end'): number {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!day) return parseTimeInput(label, value);
  const start = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) / 1000;
  if (formatDay(start) !== value) throw new VctpError('usage', `${label} ${value}: not a calendar date (expected YYYY-MM-DD)`);
  return side === 'start' ? start : start + DAY - 1;
}
