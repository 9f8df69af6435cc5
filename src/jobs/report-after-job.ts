// async_report_generation: false (the spec's synchronous mode): snapshot and aggregate build their
// report right after their data committed. A report that fails never touches that data: it is
// logged and recorded in job_runs by buildReport, and the command exits non-zero (partial failure).
// With true (the default) nothing happens here; the timers run `vctp report pending` instead.
import { VctpError } from '../core/errors.js';
import { hourStartOf, type Period } from '../core/periods.js';
import type { ReportKind } from '../reports/report-file.js';
import type { JobContext } from './context.js';
import type { ReportSettings } from './report-common.js';
import { buildReport, type ReportRequest, type ReportResult } from './report.js';

/** Settings without async_report_generation (library callers, tests) build no report after a job. */
export type AfterJobSettings = { async_report_generation?: true } | (ReportSettings & { async_report_generation: false });

export interface AfterJobReports {
  written: ReportResult[];
  failed: { kind: ReportKind; error: string }[];
}

async function build(ctx: JobContext, settings: AfterJobSettings, requests: readonly ReportRequest[]): Promise<AfterJobReports | null> {
  if (settings.async_report_generation !== false || requests.length === 0) return null;
  const out: AfterJobReports = { written: [], failed: [] };
  for (const request of requests) {
    try {
      out.written.push(await buildReport(ctx, settings, request));
    } catch (error) {
      out.failed.push({ kind: request.kind, error: (error as Error).message });
    }
  }
  return out;
}

/** After `vctp snapshot`: the hourly report of each hour a vCenter's snapshot was stored in. */
export function reportsAfterSnapshot(ctx: JobContext, settings: AfterJobSettings, snapshotTimes: readonly number[]): Promise<AfterJobReports | null> {
  const hours = [...new Set(snapshotTimes.map(hourStartOf))].sort((a, b) => a - b);
  return build(ctx, settings, hours.map((hourStart) => ({ kind: 'hourly', hourStart })));
}

/** After `vctp aggregate daily|monthly`: the period's report, when at least one vCenter committed. */
export function reportsAfterAggregate(ctx: JobContext, settings: AfterJobSettings, period: Period, committed: number): Promise<AfterJobReports | null> {
  return build(ctx, settings, committed > 0 ? [{ kind: period.kind, period }] : []);
}

/**
 * The error a finished job ends with (exit status 2, HTTP 207-like): some of its units failed
 * (`unitsFailed`, already worded), or a report after it did; null when everything succeeded.
 */
export function partialFailure(unitsFailed: string | null, reports: AfterJobReports | null): VctpError | null {
  const reportFailures = reports?.failed ?? [];
  const parts = [
    ...(unitsFailed ? [unitsFailed] : []),
    ...(reportFailures.length > 0
      ? [`the data was committed, but ${reportFailures.map((f) => `the ${f.kind} report failed: ${f.error}`).join('; ')}`]
      : []),
  ];
  return parts.length === 0 ? null : new VctpError('partial', parts.join('; '));
}
