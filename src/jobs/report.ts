// `vctp report hourly|daily|monthly`: plans the report (which snapshots or summaries it covers),
// builds its model and writes the workbook atomically into reports_dir/<kind>/<period>.xlsx (or
// --out). Every run is recorded in job_runs as `report-<kind>` (a wrong flag is no run).
import { resolve } from 'node:path';
import { VctpError } from '../core/errors.js';
import { hourStartOf, type Period } from '../core/periods.js';
import { planPivots } from '../core/report-pivots.js';
import { reportPath, type ReportKind, type TargetOrigin, writeReportFile } from '../reports/report-file.js';
import type { WrittenReport } from '../reports/write-report.js';
import { latestHourlyAtOrBefore } from '../store/report-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { type JobContext, unixSeconds } from './context.js';
import { withJobRun } from './job-run.js';
import type { ReportSettings } from './report-common.js';

// The workbook writer (exceljs, ~20 MB of memory, jszip, saxes) and the report models that use its
// cells load only when a report is built, so `vctp serve` and the commands that write no workbook
// never load them.
const hourlyModules = () => Promise.all([import('./report-hourly.js'), import('../reports/write-report.js')]);
const periodModules = () => Promise.all([import('./report-period.js'), import('../reports/write-report.js')]);

export type { ReportSettings } from './report-common.js';

export type ReportRequest =
  | { kind: 'hourly'; /** The snapshot at or before this time (default now). */ at?: number; /** Or this UTC hour exactly. */ hourStart?: number }
  | { kind: 'daily' | 'monthly'; period: Period };

export interface ReportOptions {
  /** Only these vCenters (their file name says so, so the full report is not overwritten). */
  vcenters?: readonly string[];
  /** Write here instead of reports_dir/<kind>/<period>.xlsx. */
  out?: string;
}

export interface ReportResult {
  kind: ReportKind;
  period: string;
  path: string;
  vcenters: string[];
  vmRows: number;
  charts: number;
  durationMs: number;
}

export async function buildReport(ctx: JobContext, settings: ReportSettings, request: ReportRequest, options: ReportOptions = {}): Promise<ReportResult> {
  const started = ctx.now();
  const only = options.vcenters ?? [];
  let period = '';
  try {
    return await withJobRun(ctx, { job: `report-${request.kind}` }, async (run) => {
      await assertKnownVcenters(ctx, only);
      let target = '';
      let written: WrittenReport | undefined;
      let vcenters: string[];
      const origin: TargetOrigin = options.out ? { key: '--out', code: 'usage' } : { key: 'settings.reports_dir', code: 'config' };
      if (request.kind === 'hourly') {
        const [{ planHourly, hourlyDocument }, { writeReportWorkbook }] = await hourlyModules();
        const plan = await planHourly(ctx, request.hourStart ?? (await hourOf(ctx, request.at)), only);
        period = plan.label;
        vcenters = plan.snapshots.map((s) => s.vcenter);
        target = options.out ? resolve(options.out) : reportPath(settings.reports_dir, 'hourly', plan.label, only);
        await writeReportFile(target, origin, async (temp) => {
          written = await writeReportWorkbook(await hourlyDocument(ctx, settings, plan), temp);
        });
      } else {
        // Settings problems of the Summary tables fail before any data is read.
        const pivots = planPivots(settings.report_summary_pivots);
        const [{ planPeriod, periodDocument }, { writeReportWorkbook }] = await periodModules();
        const plan = await planPeriod(ctx, request.period, only);
        period = request.period.label;
        vcenters = plan.summaries.map((s) => s.vcenter);
        target = options.out ? resolve(options.out) : reportPath(settings.reports_dir, request.kind, period, only);
        await writeReportFile(target, origin, async (temp) => {
          written = await writeReportWorkbook(await periodDocument(ctx, settings, plan, pivots), temp);
        });
      }
      const result: ReportResult = {
        kind: request.kind,
        period,
        path: target,
        vcenters,
        vmRows: written!.vmRows,
        charts: written!.charts,
        durationMs: ctx.now() - started,
      };
      run.rows(result.vmRows);
      ctx.log.info({ report: request.kind, period, path: target, vmRows: result.vmRows, durationMs: result.durationMs }, 'report written');
      return result;
    });
  } catch (error) {
    ctx.log.error({ report: request.kind, period: period || undefined, err: (error as Error).message }, 'report failed; no file was written');
    throw error;
  }
}

async function hourOf(ctx: JobContext, at: number | undefined): Promise<number> {
  const when = at ?? unixSeconds(ctx.now());
  const latest = await latestHourlyAtOrBefore(ctx.store, when);
  if (latest === null) throw new VctpError('usage', `no hourly snapshot at or before ${new Date(when * 1000).toISOString()}`);
  return hourStartOf(latest);
}

async function assertKnownVcenters(ctx: JobContext, only: readonly string[]): Promise<void> {
  if (only.length === 0) return;
  const known = (await listVcenters(ctx.store)).map((v) => v.name);
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new VctpError('usage', `--vcenter ${unknown.join(', ')}: no snapshots of such a vCenter (known: ${known.join(', ') || 'none'})`);
  }
}
