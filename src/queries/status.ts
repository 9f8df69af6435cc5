// `vctp status`: what was captured, per vCenter: the latest snapshot, its totals, the last
// snapshot job's result, and the recent days that missed snapshots. Configured vCenters without
// any data are listed too.
import { dayPeriod, expectedSamples, formatDay } from '../core/periods.js';
import type { VcenterTotals } from '../core/totals.js';
import { latestJobRuns, type JobRun } from '../store/job-runs-repository.js';
import { readSampleCoverage, type SampleCoverage } from '../store/totals-read-repository.js';
import { readLatestTotals } from '../store/totals-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { vcenterName } from '../vcenter/index.js';
import { unixSeconds } from '../core/periods.js';
import type { QueryContext } from './context.js';

const DAY = 86_400;
/** How many complete UTC days before today status checks for missed snapshots. */
export const MISSED_SNAPSHOT_DAYS = 7;

export interface StatusSettings {
  vcenter_addresses: readonly string[];
  vcenter_inventory_snapshot_seconds: number;
}

/** A complete UTC day with fewer snapshots than the cadence expects. */
export interface MissedSnapshotDay {
  day: string;
  expected: number;
  present: number;
  missing: number;
  /**
   * summary: the counts of the day's daily summary (what the day was billed on);
   * snapshots: the day is not aggregated yet, so they count its hourly snapshots against
   * 86400 / vcenter_inventory_snapshot_seconds.
   */
  source: 'summary' | 'snapshots';
}

export interface MissedSnapshots {
  /** First and last day checked (YYYY-MM-DD); null when no day of the window could be checked. */
  from: string | null;
  to: string | null;
  daysChecked: number;
  missing: number;
  days: MissedSnapshotDay[];
}

export interface VcenterStatus {
  vcenter: string;
  configured: boolean;
  latestSnapshot: number | null;
  totals: VcenterTotals | null;
  lastSnapshotJob: Pick<JobRun, 'status' | 'finishedAt' | 'attempts' | 'error'> | null;
  missedSnapshots: MissedSnapshots;
}

export interface StatusReport {
  database: string;
  /** Days before today checked for missed snapshots. */
  missedSnapshotDays: number;
  vcenters: VcenterStatus[];
  /** Latest run of each job that is not per vCenter (e.g. a skipped snapshot). */
  jobs: JobRun[];
}

export async function readStatus(ctx: QueryContext, settings: StatusSettings): Promise<StatusReport> {
  const configured = new Set(settings.vcenter_addresses.map(vcenterName));
  const totals = new Map((await readLatestTotals(ctx.store)).map((t) => [t.vcenter, t]));
  const runs = await latestJobRuns(ctx.store);
  const stored = await listVcenters(ctx.store);
  const ids = new Map(stored.map((v) => [v.name, v.id]));
  const names = [...new Set([...configured, ...stored.map((v) => v.name)])].sort();
  const today = unixSeconds(ctx.now()) - (unixSeconds(ctx.now()) % DAY);
  const windowStart = today - MISSED_SNAPSHOT_DAYS * DAY;
  const vcenters: VcenterStatus[] = [];
  for (const vcenter of names) {
    const latest = totals.get(vcenter);
    const run = runs.find((r) => r.job === 'snapshot' && r.vcenter === vcenter);
    const id = ids.get(vcenter);
    const coverage = id === undefined ? null : await readSampleCoverage(ctx.store, id, windowStart, today);
    vcenters.push({
      vcenter,
      configured: configured.has(vcenter),
      latestSnapshot: latest?.snapshotTime ?? null,
      totals: latest?.totals ?? null,
      lastSnapshotJob: run ? { status: run.status, finishedAt: run.finishedAt, attempts: run.attempts, error: run.error } : null,
      missedSnapshots: missedSnapshots(coverage, windowStart, today, configured.has(vcenter), settings.vcenter_inventory_snapshot_seconds),
    });
  }
  return { database: ctx.store.description, missedSnapshotDays: MISSED_SNAPSHOT_DAYS, vcenters, jobs: runs.filter((r) => r.vcenter === null) };
}

/**
 * The complete days of [windowStart, today) that have fewer snapshots than expected. Days are
 * checked from the vCenter's first snapshot on (before it, nothing was expected); a vCenter no
 * longer configured only up to its last snapshot (it was retired, not missed). A configured
 * vCenter's days after its last snapshot count as missed entirely: the collector stopped.
 */
export function missedSnapshots(
  coverage: SampleCoverage | null,
  windowStart: number,
  today: number,
  configured: boolean,
  snapshotSeconds: number,
): MissedSnapshots {
  const none: MissedSnapshots = { from: null, to: null, daysChecked: 0, missing: 0, days: [] };
  if (!coverage || coverage.firstSnapshot === null || coverage.lastSnapshot === null) return none;
  const first = Math.max(windowStart, coverage.firstSnapshot - (coverage.firstSnapshot % DAY));
  const last = configured ? today - DAY : Math.min(today - DAY, coverage.lastSnapshot - (coverage.lastSnapshot % DAY));
  if (first > last) return none;
  const byDay = new Map(coverage.days.map((d) => [d.day, d]));
  const days: MissedSnapshotDay[] = [];
  for (let day = first; day <= last; day += DAY) {
    const label = formatDay(day);
    const seen = byDay.get(day);
    const summary = seen?.summary;
    const counted =
      summary && summary.expected !== null && summary.total !== null
        ? { expected: summary.expected, present: summary.total, source: 'summary' as const }
        : { expected: expectedSamples(dayPeriod(label), snapshotSeconds), present: seen?.snapshots ?? 0, source: 'snapshots' as const };
    const missing = Math.max(0, counted.expected - counted.present);
    if (missing > 0) days.push({ day: label, expected: counted.expected, present: counted.present, missing, source: counted.source });
  }
  return {
    from: formatDay(first),
    to: formatDay(last),
    daysChecked: (last - first) / DAY + 1,
    missing: days.reduce((sum, d) => sum + d.missing, 0),
    days,
  };
}
