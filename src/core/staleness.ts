// Whether a summary is up to date with what it summarises: a daily summary against its day's hourly
// snapshots, a monthly one against its daily summaries (or hourly snapshots). Shared by `vctp
// repair`, which reports the reason, and monthly aggregation, which refreshes stale days first.
import { formatDay } from './periods.js';

/** A registered daily summary (snapshot_registry, kind daily). */
export interface DailySummaryEntry {
  day: number;
  totalSamples: number;
  createdAt: number;
}

/** A registered monthly summary (snapshot_registry, kind monthly). */
export interface MonthlySummaryEntry {
  month: number;
  totalSamples: number;
  createdAt: number;
}

export interface Staleness {
  reason: 'missing' | 'stale';
  detail: string;
}

/** A day with hourly snapshots: how many, and when the newest was stored. */
export interface HourlyDay {
  day: number;
  samples: number;
  storedAt: number;
  /** When a VM of the day last had its creation or deletion time corrected by hand (import-vm), if ever. */
  lifecycleChangedAt?: number;
}

const LIFECYCLE_CHANGED = "a VM's creation or deletion time was corrected (import-vm) after the summary";

/**
 * A day's daily summary against its hourly snapshots: the rule aggregate-monthly.ts applies before
 * a month (refreshDailySummaries), spelled out with the reason. Fresh = registered no earlier than
 * the newest snapshot of the day, over the same number of snapshots.
 */
export function dailyStaleness(hourly: HourlyDay, summary: DailySummaryEntry | undefined): Staleness | null {
  if (!summary) return { reason: 'missing', detail: `${hourly.samples} hourly snapshots, no daily summary` };
  if (summary.totalSamples !== hourly.samples) {
    return { reason: 'stale', detail: `summary over ${summary.totalSamples} snapshots, the day has ${hourly.samples}` };
  }
  if (summary.createdAt < hourly.storedAt) return { reason: 'stale', detail: 'a snapshot was stored after the summary' };
  if (hourly.lifecycleChangedAt !== undefined && summary.createdAt < hourly.lifecycleChangedAt) return { reason: 'stale', detail: LIFECYCLE_CHANGED };
  return null;
}

export interface MonthInputs {
  source: 'daily' | 'hourly';
  monthly: MonthlySummaryEntry | undefined;
  dailies: readonly DailySummaryEntry[];
  hourlyDays: readonly HourlyDay[];
  /** Days of the month re-aggregated by this run. */
  repairedDays: readonly string[];
}

/** A month's summary against its inputs: daily summaries (default source) or hourly snapshots. */
export function monthlyStaleness(m: MonthInputs): Staleness | null {
  if (m.source === 'daily') {
    if (m.dailies.length === 0 && m.hourlyDays.length === 0) return null;
    const registered = new Map(m.dailies.map((d) => [d.day, d]));
    const behind = m.hourlyDays.filter((h) => dailyStaleness(h, registered.get(h.day)) !== null).map((h) => formatDay(h.day));
    if (!m.monthly) {
      return { reason: 'missing', detail: `${m.dailies.length} daily summaries, no monthly summary` };
    }
    if (m.repairedDays.length > 0) return { reason: 'stale', detail: `days re-aggregated: ${m.repairedDays.join(', ')}` };
    if (behind.length > 0) return { reason: 'stale', detail: `days without an up-to-date daily summary: ${behind.join(', ')}` };
    const samples = m.dailies.reduce((sum, d) => sum + d.totalSamples, 0);
    if (m.monthly.totalSamples !== samples) {
      return { reason: 'stale', detail: `summary over ${m.monthly.totalSamples} snapshots, its daily summaries hold ${samples}` };
    }
    if (m.dailies.some((d) => d.createdAt > m.monthly!.createdAt)) return { reason: 'stale', detail: 'a daily summary is newer than the monthly one' };
    return null;
  }
  if (m.hourlyDays.length === 0) return null;
  if (!m.monthly) return { reason: 'missing', detail: `${m.hourlyDays.length} days with hourly snapshots, no monthly summary` };
  const samples = m.hourlyDays.reduce((sum, d) => sum + d.samples, 0);
  if (m.monthly.totalSamples !== samples) {
    return { reason: 'stale', detail: `summary over ${m.monthly.totalSamples} snapshots, the month has ${samples}` };
  }
  if (m.hourlyDays.some((d) => d.storedAt > m.monthly!.createdAt)) return { reason: 'stale', detail: 'a snapshot was stored after the summary' };
  if (m.hourlyDays.some((d) => (d.lifecycleChangedAt ?? 0) > m.monthly!.createdAt)) return { reason: 'stale', detail: LIFECYCLE_CHANGED };
  return null;
}
