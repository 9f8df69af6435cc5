// Whether aggregation and reports keep up with the snapshots, judged from snapshot_registry rows
// alone (pure; `vctp doctor` reads the rows). A summary is behind when it is missing or stale by the
// same rules `vctp repair` uses (staleness.ts). A report is behind when its file is missing or older
// than the newest registry row it is built from, the rule of `vctp report pending`
// (src/core/report-schedule.ts), applied here to the newest report of each kind that should exist.
import type { Period } from './periods.js';
import type { ScheduledReport } from './report-schedule.js';
import { dailyStaleness, monthlyStaleness, type DailySummaryEntry, type HourlyDay } from './staleness.js';

const DAY = 86_400;

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

/**
 * The newest report of each kind that should be written by now, out of the reports whose data exists
 * (src/core/report-schedule.ts, the plan of `vctp report pending`): an hourly report once its hour
 * has settled, a day's and a month's once their summaries should exist.
 */
export function newestDueReports(
  planned: readonly ScheduledReport[],
  due: { lastHourStart: number | null; day: Period; month: Period },
): ScheduledReport[] {
  const newest = (kind: ScheduledReport['kind'], latestStart: number | null) =>
    planned.filter((r) => r.kind === kind && latestStart !== null && startOf(r) <= latestStart).at(-1);
  return [newest('hourly', due.lastHourStart), newest('daily', due.day.start), newest('monthly', due.month.start)].filter(
    (r): r is ScheduledReport => r !== undefined,
  );
}

const startOf = (r: ScheduledReport): number => (r.kind === 'hourly' ? r.hourStart : r.periodOf.start);
