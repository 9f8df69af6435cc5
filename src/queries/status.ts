// `vctp status`: what was captured, per vCenter: the latest snapshot, its totals, the last
// snapshot job's result, and the recent days that missed snapshots. Configured vCenters without
// any data are listed too.
import { JOB_LOCK_KINDS, JOB_LOCK_NAMES, mayTakeOver, vcenterLockName, type ProcessIdentity, type ProcessLookup } from '../core/lock-holder.js';
import type { VcenterTotals } from '../core/totals.js';
import { listJobLocks, type ListedLock } from '../store/job-locks-repository.js';
import { latestJobRuns, type JobRun } from '../store/job-runs-repository.js';
import { readClosures } from '../store/month-closure-repository.js';
import { currentProcessIdentity, lookAtProcess } from '../store/process-identity.js';
import { readLatestTotals } from '../store/totals-repository.js';
import { unixSeconds } from '../core/periods.js';
import type { QueryContext } from './context.js';
import { readMissedSnapshots, type MissedSnapshots, type StatusSettings } from './missed-snapshots.js';

export { parseLockName } from '../core/lock-holder.js';
export { missedSnapshots, type MissedSnapshotDay, type MissedSnapshots, type StatusSettings } from './missed-snapshots.js';

/** How many complete UTC days before today status checks for missed snapshots. */
export const MISSED_SNAPSHOT_DAYS = 7;

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
  /**
   * The lock's name: `snapshot:<vCenter>`, `aggregate:<vCenter>` (one vCenter's job), or `snapshot`,
   * `aggregate` (a whole-database job: src/jobs/job-lock.ts).
   */
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
  /** The closed months, YYYY-MM, oldest first (vctp month list says by whom and why). */
  closedMonths: string[];
}

export async function readStatus(ctx: QueryContext, settings: StatusSettings): Promise<StatusReport> {
  const totals = new Map((await readLatestTotals(ctx.store)).map((t) => [t.vcenter, t]));
  const runs = await latestJobRuns(ctx.store);
  const missed = await readMissedSnapshots(ctx, settings, MISSED_SNAPSHOT_DAYS);
  const vcenters: VcenterStatus[] = missed.vcenters.map(({ vcenter, configured, ...missedSnapshots }) => {
    const latest = totals.get(vcenter);
    const run = runs.find((r) => r.job === 'snapshot' && r.vcenter === vcenter);
    return {
      vcenter,
      configured,
      latestSnapshot: latest?.snapshotTime ?? null,
      totals: latest?.totals ?? null,
      lastSnapshotJob: run ? { status: run.status, finishedAt: run.finishedAt, attempts: run.attempts, error: run.error } : null,
      missedSnapshots,
    };
  });
  // Every name a lock can have here: each kind's whole-database lock and its lock per known vCenter.
  const lockNames = [...JOB_LOCK_NAMES, ...JOB_LOCK_KINDS.flatMap((kind) => missed.vcenters.map((v) => vcenterLockName(kind, v.vcenter)))];
  const running = runningJobs(await listJobLocks(ctx.store, lockNames), unixSeconds(ctx.now()), currentProcessIdentity(), lookAtProcess);
  const closedMonths = (await readClosures(ctx.store)).map((c) => c.label);
  return { database: ctx.store.description, missedSnapshotDays: MISSED_SNAPSHOT_DAYS, vcenters, jobs: runs.filter((r) => r.vcenter === null), running, closedMonths };
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
