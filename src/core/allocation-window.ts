// The time windows of `vctp allocation` and GET /api/allocation (README "Allocation"): whole UTC
// days, [start, end) in unix seconds. Every window is made of whole days because cost is priced per
// day of a month (src/core/cost.ts windowMoney); `today` and `month` end at the end of today and
// are priced as if the rest of today went like its snapshots so far.
//
// `Nd` (`7d`) is the N whole days that ended with yesterday: complete days only, so its figures
// do not move while today goes on and none of its days lacks the snapshots still to come.
import { VctpError } from './errors.js';
import { formatDay, formatMonth, monthStartOf, nextMonthStartOf } from './periods.js';
import { parseUtcDay } from './rate-cards.js';

const DAY = 86_400;
/** The longest `Nd` window: a year of days, leap or not. */
export const MAX_WINDOW_DAYS = 366;

export interface AllocationWindow {
  /** As given (`lastmonth`, `7d`, ...). */
  text: string;
  /** 00:00 UTC of the first day. */
  start: number;
  /** Exclusive: 00:00 UTC after the last day. */
  end: number;
  /** Whole days in [start, end). */
  days: number;
  /**
   * The window is one calendar month that has ended (`lastmonth`, or `YYYY-MM` of a past month):
   * its figures are the month's stored monthly summaries. Every other window (a day range covering
   * a month included) is computed from the spans.
   */
  wholeMonths: boolean;
  /** For people: `2026-10-01 to 2026-10-31` (inclusive days). */
  label: string;
}

export const WINDOW_FORMS = 'today, yesterday, lastweek, month, lastmonth, Nd (N = 1..366, e.g. 7d), YYYY-MM or YYYY-MM-DD..YYYY-MM-DD';

/** `text` as a window at `now` (unix seconds); `flag` names the input in errors (--window, query.window). */
export function parseAllocationWindow(text: string, now: number, flag = '--window'): AllocationWindow {
  const trimmed = text.trim();
  const bad = (why: string): never => {
    throw new VctpError('usage', `${flag} ${text}: ${why}`);
  };
  const today = now - (((now % DAY) + DAY) % DAY);
  const make = (start: number, end: number, wholeMonths = false): AllocationWindow => {
    if (start > now) bad(`starts after now (${formatDay(start)}); there is nothing to allocate yet`);
    return { text: trimmed, start, end, days: Math.round((end - start) / DAY), wholeMonths, label: `${formatDay(start)} to ${formatDay(end - DAY)}` };
  };
  const month = (start: number) => {
    const end = nextMonthStartOf(start);
    return make(start, end, end <= now);
  };

  switch (trimmed.toLowerCase()) {
    case 'today':
      return make(today, today + DAY);
    case 'yesterday':
      return make(today - DAY, today);
    case 'lastweek': {
      // Monday 00:00 of this week (getUTCDay: Sunday 0), minus a week.
      const weekday = (new Date(today * 1000).getUTCDay() + 6) % 7;
      const monday = today - weekday * DAY;
      return make(monday - 7 * DAY, monday);
    }
    case 'month':
      return make(monthStartOf(today), today + DAY);
    case 'lastmonth':
      return month(monthStartOf(monthStartOf(today) - DAY));
  }

  const days = /^([0-9]{1,4})d$/i.exec(trimmed);
  if (days) {
    const n = Number(days[1]);
    if (n < 1 || n > MAX_WINDOW_DAYS) bad(`expected 1d to ${MAX_WINDOW_DAYS}d`);
    return make(today - n * DAY, today);
  }

  const monthMatch = /^([0-9]{4})-([0-9]{2})$/.exec(trimmed);
  if (monthMatch) {
    const m = Number(monthMatch[2]);
    if (m < 1 || m > 12) bad('not a month (expected YYYY-MM)');
    const start = Date.UTC(Number(monthMatch[1]), m - 1, 1) / 1000;
    if (formatMonth(start) !== trimmed) bad('not a month (expected YYYY-MM)');
    return month(start);
  }

  const range = /^(\S+)\.\.(\S+)$/.exec(trimmed);
  if (range) {
    const first = parseUtcDay(range[1]!);
    const last = parseUtcDay(range[2]!);
    if (first === null) bad(`${range[1]} is not a calendar day (expected YYYY-MM-DD..YYYY-MM-DD)`);
    if (last === null) bad(`${range[2]} is not a calendar day (expected YYYY-MM-DD..YYYY-MM-DD)`);
    if (last! < first!) bad('the last day is before the first');
    if ((last! - first!) / DAY + 1 > MAX_WINDOW_DAYS) bad(`longer than ${MAX_WINDOW_DAYS} days`);
    return make(first!, last! + DAY);
  }

  return bad(`expected ${WINDOW_FORMS}`);
}

/** The calendar months a window touches, each as the part of the window inside it: [start, end). */
export function monthParts(start: number, end: number): { start: number; end: number; month: number; monthDays: number }[] {
  const parts: { start: number; end: number; month: number; monthDays: number }[] = [];
  for (let from = start; from < end; ) {
    const month = monthStartOf(from);
    const next = nextMonthStartOf(from);
    const to = Math.min(next, end);
    parts.push({ start: from, end: to, month, monthDays: (next - month) / DAY });
    from = to;
  }
  return parts;
}
