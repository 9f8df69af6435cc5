// `vctp status`: what was captured, per vCenter: the latest snapshot, its totals, the last
// snapshot job's result, and the recent days that missed snapshots. Configured vCenters without
// any data are listed too.
import { JOB_LOCK_NAMES, mayTakeOver, type ProcessIdentity, type ProcessLookup } from '../core/lock-holder.js';
import { dayPeriod, expectedSamples, formatDay } from '../core/periods.js';
import type { VcenterTotals } from '../core/totals.js';
import { listJobLocks, type ListedLock } from '../store/job-locks-repository.js';
import { latestJobRuns, type JobRun } from '../store/job-runs-repository.js';
import { currentProcessIdentity, lookAtProcess } from '../store/process-identity.js';
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

/** A job lock that is held now: the job running under it, and its holder as far as the database tells. */
export interface RunningJob {
  /** The lock's name: snapshot, aggregate. */
  job: string;
  /**
   * running: its holder runs (or cannot be proven dead and its lease runs). stale: SQLite, a row
   * whose holder is provably gone or whose lease ran out; PostgreSQL, a row whose holder's session
   * (and so its lock) ended. The next run takes a stale lock over at once.
   */
  state: 'running' | 'stale';
  /** host:pid as the holder recorded it; null when PostgreSQL holds the lock but its holder has not written its row yet. */
  holder: string | null;
  host: string | null;
  /** The holder's pid, in its own pid namespace. */
  pid: number | null;
  /** When the holder took the lock (unix seconds). */
  since: number | null;
  /** stale: why (e.g. "no process 4242 on this host"); null when running. */
  detail: string | null;
}

export interface StatusReport {
  database: string;
  /** Days before today checked for missed snapshots. */
  missedSnapshotDays: number;
  vcenters: VcenterStatus[];
  /** Latest run of each job that is not per vCenter (e.g. a skipped snapshot). */
  jobs: JobRun[];
  /** The job locks held now, by lock name (a stale one says so). Read only: no lock is taken or broken. */
  running: RunningJob[];
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
  const running = runningJobs(await listJobLocks(ctx.store, JOB_LOCK_NAMES), unixSeconds(ctx.now()), currentProcessIdentity(), lookAtProcess);
  return { database: ctx.store.description, missedSnapshotDays: MISSED_SNAPSHOT_DAYS, vcenters, jobs: runs.filter((r) => r.vcenter === null), running };
}

/**
 * Which listed locks are held, judged as the next job run would judge them (src/core/lock-holder.ts
 * on SQLite; the advisory lock itself on PostgreSQL), without touching any of them.
 */
export function runningJobs(locks: readonly ListedLock[], nowSeconds: number, self: ProcessIdentity, lookup: ProcessLookup): RunningJob[] {
  const out: RunningJob[] = [];
  for (const { name, row, advisoryHeld } of locks) {
    const entry = (state: RunningJob['state'], detail: string | null): RunningJob => {
      const split = row ? row.holder.lastIndexOf(':') : -1;
      const host = row ? (split > 0 ? row.holder.slice(0, split) : row.holder) : null;
      const parsedPid = split > 0 ? Number(row!.holder.slice(split + 1)) : NaN;
      const pid = row?.pid ?? (Number.isSafeInteger(parsedPid) ? parsedPid : null);
      return { job: name, state, holder: row?.holder ?? null, host, pid, since: row?.acquiredAt ?? null, detail };
    };
    if (advisoryHeld === null) {
      // SQLite: the row is the lock.
      if (!row) continue;
      const decision = mayTakeOver(row, row.expiresAt, nowSeconds, self, lookup);
      if (!decision.take) out.push(entry('running', null));
      else out.push(entry('stale', decision.reason === 'dead' ? `holder gone: ${decision.detail}` : `lease ran out: ${decision.detail}`));
    } else if (advisoryHeld) {
      out.push(entry('running', null));
    } else if (row) {
      // No session holds it: an older vctp's row is its lock while its lease runs; any other row
      // was left by a holder whose session ended.
      if (row.runId !== null) out.push(entry('stale', 'holder gone: its database session ended'));
      else if (row.expiresAt >= nowSeconds) out.push(entry('running', null));
      else out.push(entry('stale', 'lease ran out: a lock of an older vctp'));
    }
  }
  return out;
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
