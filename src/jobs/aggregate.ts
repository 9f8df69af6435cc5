// `vctp aggregate daily|monthly`: runs the aggregation of one period for each selected vCenter
// under that vCenter's aggregation lock (aggregate:<vCenter>), each vCenter its own recorded part
// of the run; one vCenter's failure does not stop the others. A vCenter another collector is
// aggregating, or aggregated while this run waited for it, is left to it: said in the result
// (byOthers) and the log, not a failure. With async_report_generation: false the period's report follows.
// A period in a closed month (vctp month close) is refused when named (--date, --month); the
// default period of a timer's run is skipped instead, recorded and said, so that the timer does not
// fail because someone closed the month first.
import { VctpError } from '../core/errors.js';
import { closedByText, closedMonthError } from '../core/month-closure.js';
import { dayPeriod, lastCompleteDay, lastCompleteMonth, monthPeriod, type Period } from '../core/periods.js';
import { readClosuresIn } from '../store/month-closure-repository.js';
import { readMonthlyRegistry } from '../store/repair-repository.js';
import { readDailyRegistry } from '../store/summary-repository.js';
import { listVcenters, vcentersWithData } from '../store/vcenter-repository.js';
import { aggregateDay, type PeriodOutcome } from './aggregate-daily.js';
import { aggregateMonth } from './aggregate-monthly.js';
import type { AggregationSettings, EngineName } from './aggregation-settings.js';
import { type JobContext, unixSeconds } from './context.js';
import { withVcenterLock } from './job-lock.js';
import { withJobRun } from './job-run.js';
import { type AfterJobReports, type AfterJobSettings, partialFailure, reportsAfterAggregate } from './report-after-job.js';

export interface AggregateInput {
  kind: 'daily' | 'monthly';
  /** YYYY-MM-DD (daily) or YYYY-MM (monthly); default the last complete UTC day or month. */
  period?: string;
  engine: EngineName;
  vcenters?: readonly string[];
  partial?: boolean;
  lockWaitSeconds: number;
}

export type AggregateOutcome = (PeriodOutcome & { ok: true }) | { ok: false; vcenter: string; period: string; error: string };

export type AggregateResult =
  | { skipped: true; holder: string; byOthers?: ByAnother[] }
  | { skipped: false; outcomes: AggregateOutcome[]; reports: AfterJobReports | null; closed?: ClosedPeriod; byOthers?: ByAnother[] };

/** The default period was in a closed month: nothing was aggregated (outcomes is empty). */
export interface ClosedPeriod {
  period: string;
  month: string;
  closedBy: string;
  closedAt: number;
}

/** The period a run covers: the one named (an empty name is a flag error), else the last complete UTC day or month. */
export function aggregationPeriod(ctx: JobContext, kind: 'daily' | 'monthly', label: string | undefined): Period {
  const now = unixSeconds(ctx.now());
  if (kind === 'daily') return label !== undefined ? dayPeriod(label) : lastCompleteDay(now);
  return label !== undefined ? monthPeriod(label) : lastCompleteMonth(now);
}

export async function runAggregate(ctx: JobContext, settings: AggregationSettings & AfterJobSettings, input: AggregateInput): Promise<AggregateResult> {
  const period = aggregationPeriod(ctx, input.kind, input.period);
  const known = await listVcenters(ctx.store);
  const unknown = (input.vcenters ?? []).filter((name) => !known.some((v) => v.name === name));
  if (unknown.length > 0) {
    throw new VctpError('usage', `--vcenter ${unknown.join(', ')}: no snapshots of such a vCenter (known: ${known.map((v) => v.name).join(', ') || 'none'})`);
  }
  const named = input.vcenters?.length ? known.filter((v) => input.vcenters!.includes(v.name)) : known;
  // A period with nothing to summarise gets no rows that would look like a real, empty period.
  const withData = await vcentersWithData(ctx.store, named.map((v) => v.id), period.start, period.end);
  const selected = named.filter((v) => withData.has(v.id));
  if (selected.length === 0) {
    const flag = input.kind === 'daily' ? '--date' : '--month';
    const whose = named.length === 0 ? 'no vCenter has snapshots yet' : `no snapshots of ${named.map((v) => v.name).join(', ')} in it`;
    throw new VctpError('usage', `${flag} ${period.label}: ${whose}; nothing to aggregate`);
  }
  for (const vc of named.filter((v) => !withData.has(v.id))) ctx.log.info({ vcenter: vc.name, period: period.label }, 'no snapshots in this period; not aggregated');
  const job = input.kind === 'daily' ? 'aggregate-daily' : 'aggregate-monthly';
  const closure = (await readClosuresIn(ctx.store, period.start, period.end))[0];
  if (closure) {
    const flag = input.kind === 'daily' ? '--date' : '--month';
    if (input.period !== undefined) throw closedMonthError(`${flag} ${period.label}`, closure);
    const closed = { period: period.label, month: closure.label, closedBy: closure.closedBy, closedAt: closure.closedAt };
    return withJobRun(ctx, { job }, async (run) => {
      const why = `${period.label}: the month ${closure.label} is closed (${closedByText(closure)}); not aggregated`;
      ctx.log.info(closed, why);
      run.skip(why);
      return { skipped: false, outcomes: [], reports: null, closed };
    });
  }
  return withJobRun(ctx, { job }, async (run) => {
    const aggregateOne = async (vc: { id: number; name: string }): Promise<AggregateOutcome> => {
      const args = { period, vcenterId: vc.id, vcenter: vc.name, engine: input.engine, partial: input.partial };
      try {
        const outcome = await withJobRun(ctx, { job, vcenter: vc.name }, async (part) => {
          const done = input.kind === 'daily' ? await aggregateDay(ctx, settings, args) : await aggregateMonth(ctx, settings, args);
          part.rows(done.rows);
          return done;
        });
        if (outcome.missingSamples > 0) {
          ctx.log.warn({ vcenter: vc.name, period: outcome.period, expected: outcome.expectedSamples, present: outcome.totalSamples }, 'snapshots missing in this period');
        }
        return { ...outcome, ok: true };
      } catch (error) {
        // A refused flag, a closed month, an interruption or a database fault is the run's, not this vCenter's.
        if (error instanceof VctpError && ['usage', 'closed', 'interrupted', 'database'].includes(error.code)) throw error;
        const message = (error as Error).message;
        ctx.log.error({ vcenter: vc.name, period: period.label, err: message }, `${job} failed; the previous summaries are kept`);
        return { ok: false, vcenter: vc.name, period: period.label, error: message };
      }
    };
    // Each vCenter under its own lock (src/jobs/job-lock.ts), so that collectors sharing the
    // database split the vCenters: first every vCenter whose lock is free now, then, waiting up to
    // the lock wait, those another run held; one whose summary that run wrote meanwhile is left as
    // it made it (aggregating it again would give the same rows: idempotent, but wasted).
    const done = new Map<string, AggregateOutcome>();
    const deferred: { vc: { id: number; name: string }; holder: string; stamp: number | null }[] = [];
    for (const vc of selected) {
      const stamp = await summaryStamp(ctx, input.kind, vc.id, period);
      const locked = await withVcenterLock(ctx, 'aggregate', vc.name, 0, () => aggregateOne(vc));
      if (locked.acquired) done.set(vc.name, locked.result);
      else deferred.push({ vc, holder: locked.holder, stamp });
    }
    const byOthers: ByAnother[] = [];
    for (const { vc, holder, stamp } of deferred) {
      const locked = await withVcenterLock(ctx, 'aggregate', vc.name, input.lockWaitSeconds, async () =>
        (await summaryStamp(ctx, input.kind, vc.id, period)) !== stamp ? null : aggregateOne(vc),
      );
      if (!locked.acquired) byOthers.push({ vcenter: vc.name, holder: locked.holder, done: false });
      else if (locked.result === null) byOthers.push({ vcenter: vc.name, holder, done: true });
      else done.set(vc.name, locked.result);
    }
    for (const other of byOthers) {
      const why = other.done ? `aggregated by ${other.holder} (another vctp) while this run waited; not aggregated again` : `${other.holder} (another vctp) is aggregating it; left to it`;
      ctx.log.info({ vcenter: other.vcenter, holder: other.holder, period: period.label }, why);
      // A skipped part naming the other run (job_runs); skipped rows count in no metric.
      if (!ctx.signal?.aborted) await withJobRun(ctx, { job, vcenter: other.vcenter }, async (part) => part.skip(why));
    }
    if (done.size === 0 && byOthers.every((o) => !o.done)) {
      run.skip(`lock held by ${byOthers.map((o) => `${o.holder} (${o.vcenter})`).join(', ')}`);
      return { skipped: true, holder: byOthers[0]!.holder, byOthers };
    }
    const outcomes = selected.flatMap((vc) => done.get(vc.name) ?? []);
    run.rows(outcomes.reduce((n, o) => n + (o.ok ? o.rows : 0), 0));
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) run.fail(vcenterFailures(outcomes.length, failed));
    else if (outcomes.length === 0) run.skip(`aggregated by another vctp: ${byOthers.map((o) => `${o.vcenter} (${o.holder})`).join(', ')}`);
    // async_report_generation: false builds the report now, after the commit (never instead of it).
    const committed = outcomes.filter((o) => o.ok).length;
    return { skipped: false, outcomes, byOthers, reports: await reportsAfterAggregate(ctx, settings, period, committed) };
  });
}

/** A vCenter left to another run: done (its summary was written while this one waited) or still held past the lock wait. */
export interface ByAnother {
  vcenter: string;
  /** The other run, host:pid. */
  holder: string;
  done: boolean;
}

/** When the vCenter's summary of the period was registered (null: none yet): what tells that another run wrote it meanwhile. */
async function summaryStamp(ctx: JobContext, kind: 'daily' | 'monthly', vcenterId: number, period: Period): Promise<number | null> {
  const rows = kind === 'daily' ? await readDailyRegistry(ctx.store, vcenterId, period.start, period.start + 1) : await readMonthlyRegistry(ctx.store, vcenterId, period.start, period.start + 1);
  return rows[0]?.createdAt ?? null;
}

function vcenterFailures(total: number, failed: readonly AggregateOutcome[]): string {
  return `${failed.length} of ${total} vCenters failed: ${failed.map((f) => `${f.vcenter}: ${'error' in f ? f.error : ''}`).join('; ')}`;
}

/** The error a finished run ends with: some vCenters failed, or the report after it did. */
export function aggregateFailure(result: AggregateResult): VctpError | null {
  if (result.skipped) return null;
  const failed = result.outcomes.filter((o) => !o.ok);
  return partialFailure(failed.length > 0 ? vcenterFailures(result.outcomes.length, failed) : null, result.reports);
}
