// `vctp retention`: drops hourly history older than hourly_snapshot_max_age_days and daily summaries
// older than daily_snapshot_max_age_months, in one transaction. Monthly summaries are kept. A dry run
// does exactly the same work and rolls it back, so the counts it prints are the real ones.
//
// A closed month (vctp month close) is kept whole, its hourly history and daily summaries included:
// they are what its final figures were computed from, and what `vctp explain` shows. Retention
// trims around it and says which closed months it kept (the log, its output, `closedMonthsKept`
// in the result); it never fails for them, since every month it reaches may well be closed.
// Reopening a month lets the next run trim it.
import { monthsKeptBefore, trimWindows } from '../core/month-closure.js';
import { excludeCaptures } from '../store/capture-lock.js';
import { readClosures } from '../store/month-closure-repository.js';
import { detachOldMonths, dropDetachedMonths } from '../store/pg-partitions-retention.js';
import {
  deleteUnusedIdentities,
  deleteUnusedLifecycles,
  firstKeptSnapshot,
  type IdentityCandidate,
  trimDailySummaries,
  trimHourlyHistory,
} from '../store/retention-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { type JobContext, unixSeconds } from './context.js';
import { withEveryVcenterLock } from './job-lock.js';
import { type JobRun, withJobRun } from './job-run.js';

const DAY = 86_400;

export interface RetentionSettings {
  hourly_snapshot_max_age_days: number;
  daily_snapshot_max_age_months: number;
}

export interface RetentionCuts {
  /** Hourly snapshots before this time go (00:00 UTC, max_age_days before today). */
  hourlyCut: number;
  /** Daily summaries of days before this go (the 1st of the month, max_age_months before this one; never after hourlyCut). */
  dailyCut: number;
}

/**
 * Cuts fall on day and month boundaries: a day is either wholly kept or wholly gone, so no daily
 * summary ever looks stale for lack of its early hours (repair would rebuild it from what is left).
 * Daily summaries also stay as long as the hourly history they were built from.
 */
export function retentionCuts(now: number, settings: RetentionSettings): RetentionCuts {
  const today = now - (now % DAY);
  const hourlyCut = today - settings.hourly_snapshot_max_age_days * DAY;
  const d = new Date(now * 1000);
  const monthCut = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - settings.daily_snapshot_max_age_months, 1) / 1000;
  return { hourlyCut, dailyCut: Math.min(monthCut, hourlyCut) };
}

export interface RetentionCounts {
  hourlySnapshots: number;
  spansDeleted: number;
  spansTrimmed: number;
  hourlyTotals: number;
  latestTotals: number;
  dailyRollupRows: number;
  dailySummaries: number;
  dailyTotals: number;
  lifecycles: number;
  identities: number;
}

export interface RetentionVcenter {
  vcenter: string;
  /** First hourly snapshot kept: the first at or after the cut; null when there is none (all of its hourly history goes). */
  keptFrom: number | null;
}

export type RetentionResult =
  | { skipped: true; holder: string }
  | {
      skipped: false;
      dryRun: boolean;
      cuts: RetentionCuts;
      vcenters: RetentionVcenter[];
      removed: RetentionCounts;
      /** Closed months (YYYY-MM) before a cut whose hourly history and daily summaries were kept. */
      closedMonthsKept: string[];
    };

export interface RetentionInput {
  dryRun: boolean;
  lockWaitSeconds: number;
}

interface RetentionOutcome {
  vcenters: RetentionVcenter[];
  removed: RetentionCounts;
  closedMonthsKept: string[];
}

class DryRunRollback extends Error {
  constructor(readonly outcome: RetentionOutcome) {
    super('dry run: rolled back');
  }
}

/**
 * Under the aggregation lock (repair and aggregation read what this deletes) and, on PostgreSQL,
 * the capture lock (a capture could otherwise revive a VM whose lifecycle row is being deleted).
 */
export async function runRetention(ctx: JobContext, settings: RetentionSettings, input: RetentionInput): Promise<RetentionResult> {
  const cuts = retentionCuts(unixSeconds(ctx.now()), settings);
  // A dry run changes nothing, so it is no run of the job either.
  return input.dryRun ? retain(ctx, cuts, input) : withJobRun(ctx, { job: 'retention' }, (run) => retain(ctx, cuts, input, run));
}

async function retain(ctx: JobContext, cuts: RetentionCuts, input: RetentionInput, run?: JobRun): Promise<RetentionResult> {
  const locked = await withEveryVcenterLock(ctx, 'aggregate', input.lockWaitSeconds, async () => {
    // Partitioned PostgreSQL: the months that lie wholly in the first trim window are detached
    // whole first, outside the transaction as PostgreSQL requires; the transaction drops them
    // (src/store/pg-partitions-retention.ts says why the result is the row-by-row one). A dry run
    // detaches nothing.
    if (!input.dryRun) {
      const first = trimWindows(cuts.hourlyCut, await readClosures(ctx.store))[0];
      if (first !== undefined) {
        const detached = await detachOldMonths(ctx.store, first.to);
        if (detached.partitions.length > 0) ctx.log.info({ partitions: detached.partitions }, `detached ${detached.partitions.length} monthly partitions before the cut`);
      }
    }
    let outcome: RetentionOutcome;
    try {
      outcome = await ctx.store.transaction(async (tx) => {
        await excludeCaptures(tx);
        const dropped = await dropDetachedMonths(tx);
        const removed: RetentionCounts = {
          hourlySnapshots: dropped.registry,
          spansDeleted: dropped.spans,
          spansTrimmed: 0,
          hourlyTotals: dropped.hourlyTotals,
          latestTotals: 0,
          dailyRollupRows: 0,
          dailySummaries: 0,
          dailyTotals: 0,
          lifecycles: 0,
          identities: 0,
        };
        const vcenters: RetentionVcenter[] = [];
        const candidates: IdentityCandidate[] = [...dropped.identities];
        // Read under the aggregation lock, which close and reopen take too: no month changes state meanwhile.
        const closures = await readClosures(tx);
        const closedMonthsKept = monthsKeptBefore(cuts.hourlyCut, closures);
        for (const vc of await listVcenters(tx)) {
          const keptFrom = await firstKeptSnapshot(tx, vc.id, cuts.hourlyCut);
          vcenters.push({ vcenter: vc.name, keptFrom });
          for (const range of trimWindows(cuts.hourlyCut, closures)) {
            const hourly = await trimHourlyHistory(tx, vc.id, range);
            removed.hourlySnapshots += hourly.registry;
            removed.spansDeleted += hourly.spansDeleted;
            removed.spansTrimmed += hourly.spansTrimmed;
            removed.hourlyTotals += hourly.hourlyTotals;
            removed.latestTotals += hourly.latestTotals;
            candidates.push(...hourly.identities);
          }
          for (const range of trimWindows(cuts.dailyCut, closures)) {
            const daily = await trimDailySummaries(tx, vc.id, range);
            removed.dailyRollupRows += daily.rollupRows;
            removed.dailySummaries += daily.registry;
            removed.dailyTotals += daily.dailyTotals;
            candidates.push(...daily.identities);
          }
        }
        removed.lifecycles = await deleteUnusedLifecycles(tx, cuts.hourlyCut);
        removed.identities = await deleteUnusedIdentities(tx, candidates);
        // Info, not a warning: kept by design, on every run for as long as the months stay closed.
        if (closedMonthsKept.length > 0) {
          ctx.log.info({ closedMonthsKept }, `closed months kept whole: ${closedMonthsKept.join(', ')} (vctp month reopen lets retention trim them)`);
        }
        if (input.dryRun) throw new DryRunRollback({ vcenters, removed, closedMonthsKept });
        return { vcenters, removed, closedMonthsKept };
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
      outcome = error.outcome;
    }
    run?.rows(Object.values(outcome.removed).reduce((a, b) => a + b, 0) - outcome.removed.spansTrimmed);
    return outcome;
  });
  if (!locked.acquired) {
    run?.skip(`lock held by ${locked.holder}`);
    return { skipped: true, holder: locked.holder };
  }
  return { skipped: false, dryRun: input.dryRun, cuts, ...locked.result };
}
