// `vctp report pending` and `vctp report regenerate-hourly`. Pending: every report whose data is
// stored and whose file is missing or older than that data (the plan: src/core/report-schedule.ts).
// One report failing does not stop the others, unless the cause is a
// setting (an unwritable reports_dir, a bad report_summary_pivots entry), which would fail them all.
import { VctpError } from '../core/errors.js';
import { hourLabel, hourStartOf, monthStartOf } from '../core/periods.js';
import { reportDataWindow, reportsWithData } from '../core/report-schedule.js';
import { reportFileTime, reportPath, type ReportKind } from '../reports/report-file.js';
import { readClosureEvents } from '../store/month-closure-repository.js';
import { readRegistry } from '../store/report-repository.js';
import { type JobContext, unixSeconds } from './context.js';
import type { ReportSettings } from './report-common.js';
import { withJobRun } from './job-run.js';
import { buildReport, type ReportRequest, type ReportResult } from './report.js';

export interface DueReport {
  kind: ReportKind;
  period: string;
  request: ReportRequest;
  /** Newest created_at of the data it is built from. */
  dataTime: number;
}

export interface PendingResult {
  written: ReportResult[];
  /** Reports whose file is newer than their data. */
  fresh: number;
  failed: { kind: ReportKind; period: string; error: string }[];
}

/** Every report whose data exists in the retention windows, with its data time; oldest first per kind. */
export async function duePendingReports(ctx: JobContext, settings: ReportSettings): Promise<DueReport[]> {
  const now = unixSeconds(ctx.now());
  const window = reportDataWindow(now, settings);
  const entries = await readRegistry(ctx.store, ['hourly', 'daily', 'monthly'], window.since, window.until);
  // Closing or reopening a month changes its workbooks' front sheet ("Closed on ... by ..."), not
  // their data: the latest such event counts as data time for the month's and its days' reports.
  const closureTimes = new Map<number, number>();
  for (const e of await readClosureEvents(ctx.store)) closureTimes.set(e.month, Math.max(closureTimes.get(e.month) ?? 0, e.at));
  return reportsWithData(entries, now, settings).map((r) => ({
    kind: r.kind,
    period: r.period,
    request: r.kind === 'hourly' ? { kind: 'hourly', hourStart: r.hourStart } : { kind: r.kind, period: r.periodOf },
    dataTime: r.kind === 'hourly' ? r.dataTime : Math.max(r.dataTime, closureTimes.get(monthStartOf(r.periodOf.start)) ?? 0),
  }));
}

export async function runPendingReports(ctx: JobContext, settings: ReportSettings): Promise<PendingResult> {
  return withJobRun(ctx, { job: 'report-pending' }, async (run) => {
    const result: PendingResult = { written: [], fresh: 0, failed: [] };
    for (const report of await duePendingReports(ctx, settings)) {
      const mtime = await reportFileTime(reportPath(settings.reports_dir, report.kind, report.period));
      if (mtime !== null && mtime >= report.dataTime) {
        result.fresh++;
        continue;
      }
      await buildInto(ctx, settings, report, result);
    }
    run.rows(result.written.length);
    run.reports({ available: result.fresh + result.written.length, pending: result.failed.length });
    if (result.failed.length > 0) run.fail(`${result.failed.length} reports failed: ${result.failed.map((f) => `${f.kind} ${f.period}: ${f.error}`).join('; ')}`);
    return result;
  });
}

/** Rewrites the hourly report of every UTC hour with a snapshot in [from, to]. */
export async function regenerateHourlyReports(ctx: JobContext, settings: ReportSettings, from: number, to: number): Promise<PendingResult> {
  const result: PendingResult = { written: [], fresh: 0, failed: [] };
  const hours = [...new Set((await readRegistry(ctx.store, ['hourly'], from, to + 1)).map((e) => hourStartOf(e.time)))].sort((a, b) => a - b);
  for (const start of hours) {
    await buildInto(ctx, settings, { kind: 'hourly', period: hourLabel(start), request: { kind: 'hourly', hourStart: start }, dataTime: 0 }, result);
  }
  return result;
}

async function buildInto(ctx: JobContext, settings: ReportSettings, report: DueReport, result: PendingResult): Promise<void> {
  try {
    result.written.push(await buildReport(ctx, settings, report.request));
  } catch (error) {
    // A settings problem (unwritable reports_dir, bad report_summary_pivots) fails every report alike.
    if (error instanceof VctpError && error.code === 'config') throw error;
    result.failed.push({ kind: report.kind, period: report.period, error: (error as Error).message });
  }
}

