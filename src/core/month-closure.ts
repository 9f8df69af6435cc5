// Closed months (`vctp month close`): the rules, no I/O. A closed month's monthly summaries, totals
// and cost are final: nothing may change the data they were computed from, or recompute them, until
// `vctp month reopen`. Every job that would (aggregation, repair, retention, backfill, a snapshot
// stored or taken back in it, a VM lifecycle corrected over it) asks here first; the reads and
// writes live in src/store/month-closure-repository.ts.
import { VctpError } from './errors.js';
import { formatMonth, monthPeriod, monthStartOf, nextMonthStartOf, type Period } from './periods.js';
import type { Staleness } from './staleness.js';
import { formatUnixTime } from './time-bounds.js';

/** A month_closures row. */
export interface MonthClosure {
  /** 00:00 UTC of the month's 1st, unix seconds. */
  month: number;
  /** YYYY-MM. */
  label: string;
  closedAt: number;
  closedBy: string;
  reason: string;
  /** The rate cards' currency; null when no card priced the month. */
  currency: string | null;
  /** The rate cards that priced the month, as the settings gave them (JSON text). */
  rateCards: string;
}

/** The closure of the month holding `time`, if that month is closed. */
export function closureAt(closures: readonly MonthClosure[], time: number): MonthClosure | undefined {
  const month = monthStartOf(time);
  return closures.find((c) => c.month === month);
}

/** The closed months that overlap [start, end), oldest first. */
export function closuresIn(closures: readonly MonthClosure[], start: number, end: number): MonthClosure[] {
  return closures.filter((c) => c.month < end && nextMonthStartOf(c.month) > start).sort((a, b) => a.month - b.month);
}

/** "by alice at 2026-11-02T09:00:00Z": who closed it and when, as every refusal says it. */
export function closedByText(closure: MonthClosure): string {
  return `by ${closure.closedBy} at ${formatUnixTime(closure.closedAt)}`;
}

/**
 * The refusal of a change to a closed month: `subject` names what was asked (`--month 2026-10`,
 * `--at 2026-10-05T10:00:00Z`, `vm-42's lifecycle`), the rest says who closed it and what undoes that.
 * Code 'closed': exit status 1, HTTP 409.
 */
export function closedMonthError(subject: string, closure: MonthClosure): VctpError {
  return new VctpError(
    'closed',
    `${subject}: the month ${closure.label} is closed (${closedByText(closure)}); its figures are final: ` +
      `run vctp month reopen ${closure.label} --reason TEXT first`,
  );
}

/** Refuses when any month overlapping [start, end) is closed. */
export function assertMonthsOpen(closures: readonly MonthClosure[], subject: string, start: number, end: number): void {
  const closed = closuresIn(closures, start, end)[0];
  if (closed) throw closedMonthError(subject, closed);
}

/** What keeps a vCenter's month from being closed: its monthly summary is missing or stale. */
export interface VcenterMonthState {
  vcenter: string;
  staleness: Staleness | null;
}

/**
 * Why `month` cannot be closed now, or null. A month that has not ended (UTC) could still change;
 * a vCenter whose monthly summary is missing or older than its inputs would freeze wrong figures.
 * `vcenters`: every vCenter with snapshots or summaries in the month.
 */
export function closeRefusal(month: Period, now: number, vcenters: readonly VcenterMonthState[]): VctpError | null {
  if (month.end > now) {
    return new VctpError('usage', `${month.label}: the month has not ended yet (UTC); it can be closed from ${formatUnixTime(month.end)} on`);
  }
  if (vcenters.length === 0) return new VctpError('usage', `${month.label}: no vCenter has snapshots or summaries in this month; there is nothing to close`);
  const behind = vcenters.filter((v) => v.staleness !== null);
  if (behind.length === 0) return null;
  const which = behind.map((v) => `${v.vcenter} (${v.staleness!.reason}: ${v.staleness!.detail})`).join('; ');
  return new VctpError(
    'usage',
    `${month.label}: the monthly summary is not up to date for ${which}; run vctp aggregate monthly --month ${month.label} first, then close it`,
  );
}

/** A time range retention may trim: [from, to), from null = since the beginning. */
export interface TrimWindow {
  from: number | null;
  to: number;
}

/**
 * The parts of history before `cut` that lie outside every closed month: retention trims those and
 * keeps each closed month whole (its hourly history and daily summaries, the inputs of its frozen
 * figures), so that a closed month's figures stay reproducible and explainable.
 */
export function trimWindows(cut: number, closures: readonly MonthClosure[]): TrimWindow[] {
  const windows: TrimWindow[] = [];
  let from: number | null = null;
  for (const c of [...closures].sort((a, b) => a.month - b.month)) {
    if (c.month >= cut) break;
    if (from === null || from < c.month) windows.push({ from, to: c.month });
    from = nextMonthStartOf(c.month);
  }
  if (from === null || from < cut) windows.push({ from, to: cut });
  return windows;
}

/** The closed months retention keeps although (part of) them lies before `cut`. */
export function monthsKeptBefore(cut: number, closures: readonly MonthClosure[]): string[] {
  return closures.filter((c) => c.month < cut).map((c) => c.label).sort();
}

/** A rate card as the settings give it: only its start day and currency matter here. */
export interface DatedCard {
  valid_from: string;
  currency: string;
}

/**
 * The cards that price some day of [start, end): the last one valid at `start` and every one that
 * starts inside. Cards come ordered by valid_from (settings validation refuses any other order).
 */
export function cardsPricing<T extends DatedCard>(cards: readonly T[], start: number, end: number): T[] {
  const dayOf = (card: DatedCard) => Date.parse(`${card.valid_from}T00:00:00Z`) / 1000;
  let current: T | undefined;
  const inside: T[] = [];
  for (const card of cards) {
    const from = dayOf(card);
    if (from <= start) current = card;
    else if (from < end) inside.push(card);
  }
  return current ? [current, ...inside] : inside;
}

/**
 * The front sheet's line of a report over a closed month (a month's, or a day's of it):
 * `Closed on 2026-11-02T09:00:00Z by alice ("Q4 invoiced"); figures final`.
 */
export function closedReportNote(closure: MonthClosure, kind: 'daily' | 'monthly'): string {
  const whose = kind === 'monthly' ? 'Closed' : `Its month ${closure.label} closed`;
  const why = closure.reason ? ` ("${closure.reason}")` : '';
  return `${whose} on ${formatUnixTime(closure.closedAt)} by ${closure.closedBy}${why}; figures final`;
}

/** The closure row's label for a month start. */
export const monthLabel = (month: number): string => formatMonth(month);

/** A YYYY-MM argument as a month, or a usage error naming `name` (`month`, `path.month`). */
export function parseMonthArgument(name: string, label: string): Period {
  try {
    return monthPeriod(label);
  } catch {
    throw new VctpError('usage', `${name} ${label}: expected a month YYYY-MM (as 2026-10)`);
  }
}

/** The longest reason kept with a close or reopen (as with a VM lifecycle set by hand). */
export const CLOSURE_REASON_MAX_CHARS = 1000;

/** A close's or reopen's reason, trimmed; `required` for a reopen (undoing final figures needs a why). */
export function closureReason(flag: string, given: string | undefined, required: boolean): string {
  const reason = (given ?? '').trim();
  if (required && reason === '') throw new VctpError('usage', `${flag}: say why the month is reopened (it is kept with the month's history)`);
  if (reason.length > CLOSURE_REASON_MAX_CHARS) throw new VctpError('usage', `${flag}: at most ${CLOSURE_REASON_MAX_CHARS} characters`);
  return reason;
}
