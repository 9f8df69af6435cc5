// The figures behind /metrics of `vctp serve`: the ones every job publishes (job_runs and the
// registry, src/store/job-runs-repository.ts) plus the report figures, which only the report jobs
// know in a textfile and which the server reads itself: every report whose data exists in the
// retention windows (the plan of `vctp report pending`, src/core/report-schedule.ts) is available
// when its file is at least as new as its data, pending otherwise.
import type { MetricFigures, ReportFigures } from '../core/metric-figures.js';
import { unixSeconds } from '../core/periods.js';
import { reportDataWindow, reportsWithData, type ReportWindowSettings } from '../core/report-schedule.js';
import { reportFileTime, reportPath } from '../reports/report-file.js';
import { readMetricFigures } from '../store/job-runs-repository.js';
import { readRegistry } from '../store/report-repository.js';
import type { QueryContext } from './context.js';

export interface MetricFiguresSettings extends ReportWindowSettings {
  reports_dir: string;
}

/** stat() calls in flight at once: a year of reports is ~1,800 files; libuv has 4 threads. */
const STAT_BATCH = 64;

export async function readServerMetricFigures(ctx: QueryContext, settings: MetricFiguresSettings): Promise<MetricFigures> {
  const figures = await readMetricFigures(ctx.store);
  return { ...figures, reports: await readReportFigures(ctx, settings) };
}

export async function readReportFigures(ctx: QueryContext, settings: MetricFiguresSettings): Promise<ReportFigures> {
  const now = unixSeconds(ctx.now());
  const window = reportDataWindow(now, settings);
  const due = reportsWithData(await readRegistry(ctx.store, ['hourly', 'daily', 'monthly'], window.since, window.until), now, settings);
  let available = 0;
  for (let i = 0; i < due.length; i += STAT_BATCH) {
    const batch = due.slice(i, i + STAT_BATCH);
    const times = await Promise.all(batch.map((r) => reportFileTime(reportPath(settings.reports_dir, r.kind, r.period))));
    times.forEach((mtime, j) => {
      if (mtime !== null && mtime >= batch[j]!.dataTime) available++;
    });
  }
  return { available, pending: due.length - available };
}
