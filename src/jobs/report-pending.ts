// `vctp report pending` and `vctp report regenerate-hourly`. Pending: every report whose data is
// stored (hourly registry rows; daily and monthly summaries) and whose file is missing or older
// than that data, within the retention windows (hourly_snapshot_max_age_days for hourly reports,
// daily_snapshot_max_age_months for daily and monthly ones). A report's data time is the newest
// registry created_at it is built from: the snapshots of its hour; the day's summaries and each
// vCenter's first snapshot after the day (the 23:00 interval row reads it); the month's summary
// and its days' summaries. One report failing does not stop the others, unless the cause is a
// setting (an unwritable reports_dir, a bad report_summary_pivots entry), which would fail them all.
import { VctpError } from '../core/errors.js';
import { dayPeriod, formatDay, monthPeriod, formatMonth } from '../core/periods.js';
import { reportFileTime, reportPath, type ReportKind } from '../reports/report-file.js';
import { readRegistry, type RegistryEntry } from '../store/report-repository.js';
import { type JobContext, unixSeconds } from './context.js';
import type { ReportSettings } from './report-common.js';
import { hourLabel, hourStartOf } from './report-hourly.js';
import { withJobRun } from './job-run.js';
import { buildReport, type ReportRequest, type ReportResult } from './report.js';

const DAY = 86_400;

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

function maxInto(map: Map<number, number>, key: number, value: number): void {
  map.set(key, Math.max(map.get(key) ?? 0, value));
}

/** Every report whose data exists in the retention windows, with its data time; oldest first per kind. */
export async function reportsWithData(ctx: JobContext, settings: ReportSettings): Promise<DueReport[]> {
  const now = unixSeconds(ctx.now());
  const hourlySince = now - settings.hourly_snapshot_max_age_days * DAY;
  const d = new Date(now * 1000);
  const periodSince = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - settings.daily_snapshot_max_age_months, 1) / 1000;
  const entries = await readRegistry(ctx.store, ['hourly', 'daily', 'monthly'], Math.min(hourlySince, periodSince), now + DAY);
  const hourly = entries.filter((e) => e.kind === 'hourly');

  const hours = new Map<number, number>();
  for (const e of hourly) if (e.time >= hourlySince) maxInto(hours, hourStartOf(e.time), e.createdAt);

  const firstAfter = firstSnapshotAfter(hourly);
  const days = new Map<number, number>();
  const months = new Map<number, number>();
  for (const e of entries) {
    if (e.time < periodSince) continue;
    if (e.kind === 'daily') {
      maxInto(days, e.time, e.createdAt);
      const next = firstAfter(e.vcenterId, e.time + DAY);
      if (next) maxInto(days, e.time, next.createdAt);
      maxInto(months, monthPeriod(formatMonth(e.time)).start, e.createdAt);
    } else if (e.kind === 'monthly') maxInto(months, e.time, e.createdAt);
  }
  // A month whose only rows are daily ones has no monthly summary yet: nothing to report.
  const monthly = new Set(entries.filter((e) => e.kind === 'monthly').map((e) => e.time));

  const due: DueReport[] = [];
  for (const [start, dataTime] of [...hours].sort((a, b) => a[0] - b[0])) {
    due.push({ kind: 'hourly', period: hourLabel(start), request: { kind: 'hourly', hourStart: start }, dataTime });
  }
  for (const [start, dataTime] of [...days].sort((a, b) => a[0] - b[0])) {
    const period = dayPeriod(formatDay(start));
    due.push({ kind: 'daily', period: period.label, request: { kind: 'daily', period }, dataTime });
  }
  for (const [start, dataTime] of [...months].sort((a, b) => a[0] - b[0])) {
    if (!monthly.has(start)) continue;
    const period = monthPeriod(formatMonth(start));
    due.push({ kind: 'monthly', period: period.label, request: { kind: 'monthly', period }, dataTime });
  }
  return due;
}

/** Per vCenter, its first hourly snapshot at or after a time (entries come sorted by time). */
function firstSnapshotAfter(hourly: readonly RegistryEntry[]): (vcenterId: number, t: number) => RegistryEntry | undefined {
  const byVcenter = new Map<number, RegistryEntry[]>();
  for (const e of hourly) {
    const list = byVcenter.get(e.vcenterId);
    if (list) list.push(e);
    else byVcenter.set(e.vcenterId, [e]);
  }
  return (vcenterId, t) => {
    const list = byVcenter.get(vcenterId) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.time < t) lo = mid + 1;
      else hi = mid;
    }
    return list[lo];
  };
}

export async function runPendingReports(ctx: JobContext, settings: ReportSettings): Promise<PendingResult> {
  return withJobRun(ctx, { job: 'report-pending' }, async (run) => {
    const result: PendingResult = { written: [], fresh: 0, failed: [] };
    for (const report of await reportsWithData(ctx, settings)) {
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

