// The one job-run seam: every job that writes (a timer's, a shell's or, later, the HTTP server's)
// runs inside withJobRun, and this is the only writer of job_runs and of job metrics. A run is
// recorded when it ends, with its outcome, duration, rows and error; a whole run (no vCenter) that
// did work then publishes the job's metrics, derived from job_runs so that counters survive the
// process (which is also why job_runs rows are never deleted: a counter must not go down).
//
// Outcomes: fn returns (ok, unless it called run.fail or run.skip), or throws (failed, rethrown).
// SIGINT/SIGTERM (ctx.signal) makes it interrupted: fn threw after the signal fired (the signal's
// InterruptedError is then what is rethrown, whatever fn threw: an aborted request, a rolled back
// transaction), or the whole run returned after it (parts of it may have committed, but the run
// was stopped). A part (one vCenter) that returned committed its work, and is recorded as such.
// A refused invocation (VctpError 'usage': a wrong flag or argument; 'closed': a change to a closed
// month) is no run: nothing is recorded, since nothing was attempted. A settings fault is recorded:
// under a timer it is exactly what the failed-run alerts are for.
import { InterruptedError, VctpError } from '../core/errors.js';
import { readMetricFigures, recordJobRun, type JobStatus } from '../store/job-runs-repository.js';
import { type JobContext, unixSeconds } from './context.js';

/** Every job that records runs; the textfile of a job is vctp_<name with _ for ->.prom. */
export type JobName =
  | 'snapshot'
  | 'snapshot-delete'
  | 'import-vm'
  | 'import-sqlite'
  | 'aggregate-daily'
  | 'aggregate-monthly'
  | 'report-hourly'
  | 'report-daily'
  | 'report-monthly'
  | 'report-pending'
  | 'backfill'
  | 'repair'
  | 'retention'
  | 'db-cleanup'
  | 'db-migrate'
  | 'month-close'
  | 'month-reopen';

export interface JobRunScope {
  job: JobName;
  /** The vCenter this part of a run worked on; absent for the whole run. */
  vcenter?: string;
}

/** What a running job tells the seam about itself. */
export interface JobRun {
  /** Rows written (or, for reports, VM rows written into the workbook). */
  rows(count: number): void;
  /** Attempts it took (retries included); 1 unless said. */
  attempts(count: number): void;
  /** The run did its work but part of it failed: recorded as failed with this message, not thrown. */
  fail(message: string): void;
  /** The run did nothing (another run holds the lock): recorded as skipped with this reason. */
  skip(reason: string): void;
  /** Report figures the report jobs know (files available, reports pending). */
  reports(figures: { available: number; pending: number }): void;
}

export async function withJobRun<T>(ctx: JobContext, scope: JobRunScope, fn: (run: JobRun) => Promise<T>): Promise<T> {
  const startedMs = ctx.now();
  let status: JobStatus = 'ok';
  let error: string | null = null;
  let rows: number | null = null;
  let attempts = 1;
  let reportFigures: { available: number; pending: number } | undefined;
  const run: JobRun = {
    rows: (count) => void (rows = count),
    attempts: (count) => void (attempts = count),
    fail: (message) => {
      status = 'failed';
      error = message;
    },
    skip: (reason) => {
      status = 'skipped';
      error = reason;
      attempts = 0;
    },
    reports: (figures) => void (reportFigures = figures),
  };
  let result: T;
  try {
    ctx.signal?.throwIfAborted();
    result = await fn(run);
  } catch (thrown) {
    if (thrown instanceof VctpError && (thrown.code === 'usage' || thrown.code === 'closed')) throw thrown;
    const interrupted = interruption(ctx, thrown);
    status = interrupted ? 'interrupted' : 'failed';
    error = interrupted && interrupted !== thrown ? `${interrupted.message} (${messageOf(thrown)})` : messageOf(thrown);
    // The failure is what the caller sees; a second fault while recording it must not replace it.
    await finish().catch((recordError: unknown) =>
      ctx.log.warn({ job: scope.job, err: (recordError as Error).message }, `could not record the ${status} run`),
    );
    throw interrupted ?? thrown;
  }
  const interrupted = scope.vcenter === undefined ? interruption(ctx, undefined) : null;
  if (interrupted) {
    status = 'interrupted';
    error = error === null ? interrupted.message : `${interrupted.message}; ${error}`;
  }
  await finish();
  if (interrupted) throw interrupted;
  return result;

  async function finish(): Promise<void> {
    const finishedMs = ctx.now();
    await recordJobRun(ctx.store, {
      job: scope.job,
      vcenter: scope.vcenter ?? null,
      startedAt: unixSeconds(startedMs),
      finishedAt: unixSeconds(finishedMs),
      status,
      durationMs: finishedMs - startedMs,
      attempts,
      rows,
      error,
    });
    // A skipped run changes no figure, and its file write could race the running holder's.
    if (scope.vcenter === undefined && status !== 'skipped' && ctx.metrics) await publish(ctx, scope.job, reportFigures);
  }
}

/** The InterruptedError that stopped this run, if the signal fired (or `thrown` is one). */
function interruption(ctx: JobContext, thrown: unknown): InterruptedError | null {
  if (thrown instanceof InterruptedError) return thrown;
  const reason: unknown = ctx.signal?.aborted ? ctx.signal.reason : undefined;
  if (reason instanceof InterruptedError) return reason;
  return ctx.signal?.aborted ? new InterruptedError('SIGTERM') : null;
}

function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}

/** Metrics never fail a job whose data committed: a fault here is logged, and the stale series alert. */
async function publish(ctx: JobContext, job: JobName, reports: { available: number; pending: number } | undefined): Promise<void> {
  try {
    const figures = await readMetricFigures(ctx.store);
    await ctx.metrics!.publish(job, reports ? { ...figures, reports } : figures);
  } catch (error) {
    ctx.log.error({ job, err: (error as Error).message }, 'could not publish the metrics of this run');
  }
}
