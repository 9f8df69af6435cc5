// `vctp snapshot delete --vcenter V --at T`: takes one registered hourly snapshot back, leaving the
// store as if it had never been taken (src/core/snapshot-removal.ts says what that means, and what
// cannot come back). One transaction, under the snapshot job lock and, on PostgreSQL, the capture
// lock, so that no capture of V commits in the middle. Summaries over T's day and month become
// stale by the rule repair applies (src/core/staleness.ts); a day or month left without any
// snapshot loses its summary here, since repair only looks at days with snapshots.
import { VctpError } from '../core/errors.js';
import { dayPeriod, formatDay, formatMonth, hourLabel, hourStartOf, monthPeriod } from '../core/periods.js';
import { planSnapshotRemoval, type RemovalCounts } from '../core/snapshot-removal.js';
import { dailyStaleness } from '../core/staleness.js';
import { formatUnixTime, isRepresentableTime } from '../core/time-bounds.js';
import { reportFileTime, reportPath } from '../reports/report-file.js';
import { excludeCaptures } from '../store/capture-lock.js';
import type { SqlExecutor } from '../store/executor.js';
import { assertOpen } from '../store/month-closure-repository.js';
import { readMonthlyRegistry } from '../store/repair-repository.js';
import { readRegistry } from '../store/report-repository.js';
import {
  applySnapshotRemoval,
  loadRemovalHistories,
  readNearestSnapshots,
  readSnapshotNeighbours,
  type RemovalWrite,
} from '../store/snapshot-removal-repository.js';
import { readDailyRegistry, readHourlyDays } from '../store/summary-repository.js';
import { latestSnapshotTime, listVcenters } from '../store/vcenter-repository.js';
import { vcenterName } from '../vcenter/index.js';
import { type JobContext, unixSeconds } from './context.js';
import { withVcenterLock } from './job-lock.js';
import { withJobRun } from './job-run.js';

const HOUR = 3_600;

export interface SnapshotDeleteSettings {
  reports_dir: string;
}

export interface SnapshotDeleteInput {
  /** The vCenter as stored (host[:port]), or one of its SDK URLs. */
  vcenter: string;
  /** The snapshot's time, exactly as registered (unix seconds). */
  at: number;
  /** How long to wait for a running `vctp snapshot` (they share a lock). */
  lockWaitSeconds: number;
}

/** What became of a summary over the removed snapshot, and what brings it up to date. */
export interface SummaryAfterRemoval {
  kind: 'daily' | 'monthly';
  period: string;
  /**
   * none: there is no such summary. stale: it counted the removed snapshot (repair will redo it).
   * current: built before the snapshot was stored, it never counted it. removed: the period has no
   * snapshot left, and its summary went with the snapshot.
   */
  state: 'none' | 'stale' | 'current' | 'removed';
  detail?: string;
  /** The command that re-aggregates it, when one has to be run. */
  advice?: string;
}

export interface SnapshotDeleted {
  skipped: false;
  vcenter: string;
  snapshotTime: number;
  /** VMs the snapshot held (its registry row count). */
  vmCount: number;
  /** The vCenter's hourly snapshots just before and after the removed one (null: none). */
  previousSnapshot: number | null;
  nextSnapshot: number | null;
  /** The vCenter's latest hourly snapshot now (null: none left). */
  latestSnapshot: number | null;
  changes: RemovalCounts & Omit<RemovalWrite, 'dailySummaryRemoved' | 'monthlySummaryRemoved'>;
  summaries: SummaryAfterRemoval[];
  /** The hourly report file of T's hour, if one was written: it still shows the removed snapshot. */
  hourlyReport: { path: string; snapshotsLeftInHour: number; advice: string } | null;
  durationMs: number;
}

export type SnapshotDeleteResult = { skipped: true; holder: string } | SnapshotDeleted;

export async function runSnapshotDelete(ctx: JobContext, settings: SnapshotDeleteSettings, input: SnapshotDeleteInput): Promise<SnapshotDeleteResult> {
  const started = ctx.now();
  const vc = await resolveVcenter(ctx, input.vcenter);
  // Refused before the lock and again inside the transaction (another delete may have run meanwhile,
  // a month may have been closed). A snapshot of a closed month is part of its final figures.
  await assertRegistered(ctx.store, vc, input.at);
  await assertOpen(ctx.store, atFlag(input.at), input.at, input.at + 1);
  return withJobRun(ctx, { job: 'snapshot-delete' }, async (run) => {
    const locked = await withVcenterLock(ctx, 'snapshot', vc.name, input.lockWaitSeconds, () =>
      ctx.store.transaction(async (tx) => {
        await excludeCaptures(tx);
        await assertOpen(tx, atFlag(input.at), input.at, input.at + 1);
        const around = await readSnapshotNeighbours(tx, vc.id, input.at);
        if (around.rowCount === null) await assertRegistered(tx, vc, input.at);
        const histories = await loadRemovalHistories(tx, vc.id, input.at, around.previous);
        const plan = planSnapshotRemoval({ time: input.at, previous: around.previous, next: around.next, histories });
        const write = await applySnapshotRemoval(tx, vc.id, { time: input.at, previous: around.previous, next: around.next }, plan);
        return { around, plan, write, vmCount: around.rowCount ?? 0 };
      }),
    );
    if (!locked.acquired) {
      run.skip(`lock held by ${locked.holder}`);
      return { skipped: true, holder: locked.holder };
    }
    const { around, plan, write, vmCount } = locked.result;
    run.rows(plan.deleteSpans.length + plan.spanUpdates.length + plan.deleteLifecycles.length + plan.lifecycleUpdates.length + 1);
    const { dailySummaryRemoved, monthlySummaryRemoved, ...rest } = write;
    const result: SnapshotDeleted = {
      skipped: false,
      vcenter: vc.name,
      snapshotTime: input.at,
      vmCount,
      previousSnapshot: around.previous,
      nextSnapshot: around.next,
      latestSnapshot: await latestSnapshotTime(ctx.store, vc.id),
      changes: { ...plan.counts, ...rest },
      // A time no date represents (stored by a vctp that did not check --at) is in no period and no report.
      summaries: isRepresentableTime(input.at) ? await summariesAfter(ctx, vc, input.at, dailySummaryRemoved, monthlySummaryRemoved) : [],
      hourlyReport: isRepresentableTime(input.at) ? await hourlyReportAfter(ctx, settings, input.at) : null,
      durationMs: ctx.now() - started,
    };
    ctx.log.info(
      { vcenter: vc.name, snapshotTime: input.at, vmCount, ...result.changes },
      `hourly snapshot ${formatUnixTime(input.at)} of ${vc.name} removed`,
    );
    return result;
  });
}

const atFlag = (at: number) => `--at ${formatUnixTime(at)}`;

async function resolveVcenter(ctx: JobContext, given: string): Promise<{ id: number; name: string }> {
  const known = await listVcenters(ctx.store);
  let name = given;
  if (!known.some((v) => v.name === given) && /^[a-z][a-z0-9+.-]*:\/\//i.test(given)) {
    try {
      name = vcenterName(given);
    } catch {
      // Not a URL after all: reported as unknown below.
    }
  }
  const vc = known.find((v) => v.name === name);
  if (!vc) {
    throw new VctpError(
      'usage',
      `--vcenter ${given}: no snapshots of such a vCenter are stored (known: ${known.map((v) => v.name).join(', ') || 'none'})`,
    );
  }
  return vc;
}

async function assertRegistered(db: SqlExecutor, vc: { id: number; name: string }, at: number): Promise<void> {
  const around = await readSnapshotNeighbours(db, vc.id, at);
  if (around.rowCount !== null) return;
  const nearest = await readNearestSnapshots(db, vc.id, at);
  const listed = nearest.length === 0 ? 'it has none' : `the nearest: ${nearest.map((t) => `${formatUnixTime(t)} (${t})`).join(', ')}`;
  throw new VctpError('usage', `--at ${formatUnixTime(at)}: vCenter ${vc.name} has no hourly snapshot at this time; ${listed}`);
}

async function summariesAfter(
  ctx: JobContext,
  vc: { id: number; name: string },
  t: number,
  dailyRemoved: boolean,
  monthlyRemoved: boolean,
): Promise<SummaryAfterRemoval[]> {
  const now = unixSeconds(ctx.now());
  const day = dayPeriod(formatDay(t));
  const month = monthPeriod(formatMonth(t));
  const only = `--vcenter ${vc.name}`;
  const repair = `vctp repair --from ${day.label} --to ${day.label} ${only}`;
  const summaries: SummaryAfterRemoval[] = [];

  let daily: SummaryAfterRemoval = { kind: 'daily', period: day.label, state: dailyRemoved ? 'removed' : 'none' };
  const registered = (await readDailyRegistry(ctx.store, vc.id, day.start, day.end))[0];
  if (!dailyRemoved && registered) {
    const hourly = (await readHourlyDays(ctx.store, vc.id, day.start, day.end))[0] ?? { day: day.start, samples: 0, storedAt: 0 };
    const staleness = dailyStaleness(hourly, registered);
    daily = staleness
      ? {
          ...daily,
          state: 'stale',
          detail: staleness.detail,
          advice: day.end <= now ? repair : `vctp aggregate daily --date ${day.label} --partial ${only} (the day has not ended)`,
        }
      : { ...daily, state: 'current', detail: 'built before the snapshot was stored: it never counted it' };
  }
  summaries.push(daily);

  let monthly: SummaryAfterRemoval = { kind: 'monthly', period: month.label, state: monthlyRemoved ? 'removed' : 'none' };
  if (!monthlyRemoved && (await readMonthlyRegistry(ctx.store, vc.id, month.start, month.start + 1)).length > 0) {
    // A monthly summary counts its days' snapshots (through their daily summaries or the spans).
    monthly =
      daily.state === 'current'
        ? { ...monthly, state: 'current', detail: 'its day never counted the snapshot' }
        : {
            ...monthly,
            state: 'stale',
            detail: 'it counted the removed snapshot',
            advice: month.end <= now ? `${repair} (re-aggregates the day, then the month)` : `vctp aggregate monthly --month ${month.label} --partial ${only} (the month has not ended)`,
          };
  }
  summaries.push(monthly);
  return summaries;
}

async function hourlyReportAfter(ctx: JobContext, settings: SnapshotDeleteSettings, t: number): Promise<SnapshotDeleted['hourlyReport']> {
  const hour = hourStartOf(t);
  const path = reportPath(settings.reports_dir, 'hourly', hourLabel(hour));
  if ((await reportFileTime(path)) === null) return null;
  const left = (await readRegistry(ctx.store, ['hourly'], hour, hour + HOUR)).length;
  const to = formatUnixTime(hour + HOUR - 1);
  return {
    path,
    snapshotsLeftInHour: left,
    advice:
      left > 0
        ? `vctp report regenerate-hourly --from ${formatUnixTime(hour)} --to ${to} rewrites it`
        : 'no snapshot of any vCenter is left in that hour: delete the file',
  };
}

