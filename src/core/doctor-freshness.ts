// Whether aggregation and reports keep up with the snapshots, judged from snapshot_registry rows
// alone (pure; `vctp doctor` reads the rows). A summary is behind when it is missing or stale by the
// same rules `vctp repair` uses (staleness.ts). A report is behind when its file is missing or older
// than the newest registry row it is built from, the rule of `vctp report pending`
// (src/jobs/report-pending.ts), applied here to the newest report of each kind that should exist.
import type { Period } from './periods.js';
import { formatDay, formatMonth } from './periods.js';
import { dailyStaleness, monthlyStaleness, type DailySummaryEntry, type HourlyDay } from './staleness.js';

const DAY = 86_400;
const HOUR = 3600;

/** One snapshot_registry row, as much of it as these rules need. */
export interface RegistryFact {
  vcenter: string;
  kind: 'hourly' | 'daily' | 'monthly';
  /** Snapshot time, or the start of the day or month. */
  time: number;
  createdAt: number;
  totalSamples: number | null;
}

export interface BehindSummary {
  vcenter: string;
  period: string;
  reason: 'missing' | 'stale';
  detail: string;
}

function within(entries: readonly RegistryFact[], kind: RegistryFact['kind'], start: number, end: number): RegistryFact[] {
  return entries.filter((e) => e.kind === kind && e.time >= start && e.time < end);
}

function byVcenter(entries: readonly RegistryFact[]): Map<string, RegistryFact[]> {
  const map = new Map<string, RegistryFact[]>();
  for (const e of entries) map.set(e.vcenter, [...(map.get(e.vcenter) ?? []), e]);
  return map;
}

function hourlyDays(hourly: readonly RegistryFact[]): HourlyDay[] {
  const days = new Map<number, HourlyDay>();
  for (const e of hourly) {
    const day = e.time - (e.time % DAY);
    const d = days.get(day) ?? { day, samples: 0, storedAt: 0 };
    days.set(day, { day, samples: d.samples + 1, storedAt: Math.max(d.storedAt, e.createdAt) });
  }
  return [...days.values()].sort((a, b) => a.day - b.day);
}

const dailyEntry = (e: RegistryFact): DailySummaryEntry => ({ day: e.time, totalSamples: e.totalSamples ?? 0, createdAt: e.createdAt });

/** vCenters with hourly snapshots on `day` whose daily summary of it is missing or stale. */
export function dailyBehind(day: Period, entries: readonly RegistryFact[]): BehindSummary[] {
  const behind: BehindSummary[] = [];
  const summaries = within(entries, 'daily', day.start, day.end);
  for (const [vcenter, hourly] of byVcenter(within(entries, 'hourly', day.start, day.end))) {
    const summary = summaries.find((s) => s.vcenter === vcenter);
    const stale = dailyStaleness(hourlyDays(hourly)[0]!, summary && dailyEntry(summary));
    if (stale) behind.push({ vcenter, period: day.label, ...stale });
  }
  return behind.sort((a, b) => a.vcenter.localeCompare(b.vcenter));
}

/** vCenters with data in `month` whose monthly summary of it is missing or stale. */
export function monthlyBehind(month: Period, entries: readonly RegistryFact[], source: 'daily' | 'hourly'): BehindSummary[] {
  const inMonth = entries.filter((e) => e.time >= month.start && e.time < month.end);
  const behind: BehindSummary[] = [];
  for (const [vcenter, rows] of byVcenter(inMonth)) {
    const monthly = rows.find((e) => e.kind === 'monthly' && e.time === month.start);
    const stale = monthlyStaleness({
      source,
      monthly: monthly && { month: monthly.time, totalSamples: monthly.totalSamples ?? 0, createdAt: monthly.createdAt },
      dailies: rows.filter((e) => e.kind === 'daily').map(dailyEntry),
      hourlyDays: hourlyDays(rows.filter((e) => e.kind === 'hourly')),
      repairedDays: [],
    });
    if (stale) behind.push({ vcenter, period: month.label, ...stale });
  }
  return behind.sort((a, b) => a.vcenter.localeCompare(b.vcenter));
}

export interface DueReport {
  kind: 'hourly' | 'daily' | 'monthly';
  /** As in the file name: 2026-04-21T13, 2026-04-21, 2026-04. */
  period: string;
  /** Newest created_at of the rows the report is built from: a file older than this is outdated. */
  dataTime: number;
}

export interface DueReportRows {
  /** The registry rows of the newest hour whose hourly report should exist by now (any vCenter). */
  hour: readonly RegistryFact[];
  /** Daily rows of `day`, and hourly rows from day.end on (each vCenter's first snapshot after the day). */
  dayRows: readonly RegistryFact[];
  day: Period;
  /** Daily and monthly rows of `month`. */
  monthRows: readonly RegistryFact[];
  month: Period;
}

/**
 * The newest report of each kind that should be written by now, with its data time as `vctp report
 * pending` computes it: the hour's snapshots; the day's summaries and each vCenter's first snapshot
 * after the day (the 23:00 interval row reads it); the month's summary and its days' summaries.
 */
export function newestDueReports(rows: DueReportRows): DueReport[] {
  const due: DueReport[] = [];
  if (rows.hour.length > 0) {
    const hour = rows.hour[0]!.time - (rows.hour[0]!.time % HOUR);
    due.push({ kind: 'hourly', period: new Date(hour * 1000).toISOString().slice(0, 13), dataTime: Math.max(...rows.hour.map((e) => e.createdAt)) });
  }
  const { day, month } = rows;
  const dailies = within(rows.dayRows, 'daily', day.start, day.end);
  if (dailies.length > 0) {
    const next = dailies.flatMap((d) => {
      const after = rows.dayRows.filter((h) => h.kind === 'hourly' && h.vcenter === d.vcenter && h.time >= day.end).sort((a, b) => a.time - b.time)[0];
      return after ? [after.createdAt] : [];
    });
    due.push({ kind: 'daily', period: formatDay(day.start), dataTime: Math.max(...dailies.map((d) => d.createdAt), ...next) });
  }
  const monthlies = within(rows.monthRows, 'monthly', month.start, month.end);
  if (monthlies.length > 0) {
    const used = [...monthlies, ...within(rows.monthRows, 'daily', month.start, month.end)];
    due.push({ kind: 'monthly', period: formatMonth(month.start), dataTime: Math.max(...used.map((e) => e.createdAt)) });
  }
  return due;
}
