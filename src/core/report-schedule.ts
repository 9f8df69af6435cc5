// Which reports have data, and since when: the plan behind `vctp report pending` and the doctor's
// "reports behind" check. A report's data time is the newest registry created_at it is built from:
// the snapshots of its hour; the day's summaries and each vCenter's first snapshot after the day
// (the 23:00 interval row reads it); the month's summary and its days' summaries. Only data within
// the retention windows counts (hourly_snapshot_max_age_days for hourly reports,
// daily_snapshot_max_age_months for daily and monthly ones). Pure: the caller reads the registry.
import { dayPeriod, formatDay, formatMonth, hourLabel, hourStartOf, monthPeriod, type Period } from './periods.js';

const DAY = 86_400;

/** A snapshot_registry row as the planner needs it. */
export interface RegistryFact {
  vcenterId: number;
  kind: 'hourly' | 'daily' | 'monthly';
  /** Snapshot time, or the start of the day or month. */
  time: number;
  createdAt: number;
}

export type ScheduledReport =
  | { kind: 'hourly'; period: string; hourStart: number; dataTime: number }
  | { kind: 'daily' | 'monthly'; period: string; periodOf: Period; dataTime: number };

export interface ReportWindowSettings {
  hourly_snapshot_max_age_days: number;
  daily_snapshot_max_age_months: number;
}

/** The registry rows the plan needs: those with time in [since, until). */
export function reportDataWindow(now: number, settings: ReportWindowSettings): { hourlySince: number; periodSince: number; since: number; until: number } {
  const hourlySince = now - settings.hourly_snapshot_max_age_days * DAY;
  const d = new Date(now * 1000);
  const periodSince = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - settings.daily_snapshot_max_age_months, 1) / 1000;
  return { hourlySince, periodSince, since: Math.min(hourlySince, periodSince), until: now + DAY };
}

function maxInto(map: Map<number, number>, key: number, value: number): void {
  map.set(key, Math.max(map.get(key) ?? 0, value));
}

/** Every report whose data exists in the retention windows, with its data time; oldest first per kind. Entries sorted by time. */
export function reportsWithData(entries: readonly RegistryFact[], now: number, settings: ReportWindowSettings): ScheduledReport[] {
  const { hourlySince, periodSince } = reportDataWindow(now, settings);
  const hourly = entries.filter((e) => e.kind === 'hourly');

  const hours = new Map<number, number>();
  for (const e of hourly) if (e.time >= hourlySince) maxInto(hours, hourStartOf(e.time), e.createdAt);

  const firstAfter = firstSnapshotAfter(hourly);
  const days = new Map<number, number>();
  const months = new Map<number, number>();
  for (const e of entries) {
    if (e.time < periodSince) continue;
    if (e.kind === 'daily') {
      maxInto(days, e.time, e.createdAt);
      const next = firstAfter(e.vcenterId, e.time + DAY);
      if (next) maxInto(days, e.time, next.createdAt);
      maxInto(months, monthPeriod(formatMonth(e.time)).start, e.createdAt);
    } else if (e.kind === 'monthly') maxInto(months, e.time, e.createdAt);
  }
  // A month whose only rows are daily ones has no monthly summary yet: nothing to report.
  const monthly = new Set(entries.filter((e) => e.kind === 'monthly').map((e) => e.time));

  const due: ScheduledReport[] = [];
  for (const [start, dataTime] of [...hours].sort((a, b) => a[0] - b[0])) {
    due.push({ kind: 'hourly', period: hourLabel(start), hourStart: start, dataTime });
  }
  for (const [start, dataTime] of [...days].sort((a, b) => a[0] - b[0])) {
    const periodOf = dayPeriod(formatDay(start));
    due.push({ kind: 'daily', period: periodOf.label, periodOf, dataTime });
  }
  for (const [start, dataTime] of [...months].sort((a, b) => a[0] - b[0])) {
    if (!monthly.has(start)) continue;
    const periodOf = monthPeriod(formatMonth(start));
    due.push({ kind: 'monthly', period: periodOf.label, periodOf, dataTime });
  }
  return due;
}

/** Per vCenter, its first hourly snapshot at or after a time (entries come sorted by time). */
function firstSnapshotAfter(hourly: readonly RegistryFact[]): (vcenterId: number, t: number) => RegistryFact | undefined {
  const byVcenter = new Map<number, RegistryFact[]>();
  for (const e of hourly) {
    const list = byVcenter.get(e.vcenterId);
    if (list) list.push(e);
    else byVcenter.set(e.vcenterId, [e]);
  }
  return (vcenterId, t) => {
    const list = byVcenter.get(vcenterId) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.time < t) lo = mid + 1;
      else hi = mid;
    }
    return list[lo];
  };
}
