// Aggregation periods. Times are UTC unix seconds; a day is [00:00, 24:00) UTC and a month runs
// from its first day's 00:00 to the next month's.
import { VctpError } from './errors.js';

export type PeriodKind = 'daily' | 'monthly';

export interface Period {
  kind: PeriodKind;
  /** YYYY-MM-DD or YYYY-MM. */
  label: string;
  start: number;
  /** Exclusive. */
  end: number;
}

const DAY = 86_400;

const HOUR = 3_600;

/** `2026-04-21T13`: an hour's name in file names and titles. */
export function hourLabel(hourStart: number): string {
  return new Date(hourStart * 1000).toISOString().slice(0, 13);
}

export const hourStartOf = (t: number): number => Math.floor(t / HOUR) * HOUR;

/** A clock reading (unix milliseconds, as ctx.now() gives) in whole unix seconds. */
export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

export function dayPeriod(label: string): Period {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
  const start = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / 1000 : NaN;
  if (!match || Number.isNaN(start) || formatDay(start) !== label) {
    throw new VctpError('usage', `--date ${label}: expected a calendar date YYYY-MM-DD`);
  }
  return { kind: 'daily', label, start, end: start + DAY };
}

export function monthPeriod(label: string): Period {
  const match = /^(\d{4})-(\d{2})$/.exec(label);
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) throw new VctpError('usage', `--month ${label}: expected YYYY-MM`);
  const start = Date.UTC(Number(match[1]), month - 1, 1) / 1000;
  const end = Date.UTC(Number(match[1]), month, 1) / 1000;
  return { kind: 'monthly', label, start, end };
}

export function formatDay(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 10);
}

export function formatMonth(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 7);
}

/** The last UTC day that has ended by `now`. */
export function lastCompleteDay(now: number): Period {
  return dayPeriod(formatDay(now - DAY));
}

/** The last UTC month that has ended by `now`. */
export function lastCompleteMonth(now: number): Period {
  const d = new Date(now * 1000);
  return monthPeriod(formatMonth(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1) / 1000));
}

export function daysOf(period: Period): Period[] {
  const days: Period[] = [];
  for (let t = period.start; t < period.end; t += DAY) days.push(dayPeriod(formatDay(t)));
  return days;
}

/** Samples a complete period should have at the configured cadence (hourly: 24 a day). */
export function expectedSamples(period: Period, snapshotSeconds: number): number {
  return Math.floor((period.end - period.start) / snapshotSeconds);
}

/** 00:00 UTC of the 1st of the month holding `time`. */
export function monthStartOf(time: number): number {
  const d = new Date(time * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
}

/** 00:00 UTC of the 1st of the month after the one holding `time`. */
export function nextMonthStartOf(time: number): number {
  const d = new Date(time * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
}

/** Days in the UTC month holding `time`: 28 to 31. */
export function daysInMonthOf(time: number): number {
  return (nextMonthStartOf(time) - monthStartOf(time)) / DAY;
}
