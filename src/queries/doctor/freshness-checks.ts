// Doctor's freshness checks, read from the database: each configured vCenter's latest snapshot,
// the daily and monthly summaries of the last period that should be aggregated by now, and the
// newest report of each kind.
import { doctorCheck, type DoctorCheck } from '../../core/doctor-check.js';
import { dailyBehind, monthlyBehind, newestDueReports, type BehindSummary, type RegistryFact } from '../../core/doctor-freshness.js';
import { dueDay, dueMonth, formatDuration, snapshotFreshness } from '../../core/doctor-rules.js';
import { hourStartOf, unixSeconds } from '../../core/periods.js';
import { configuredVcenterUrls } from '../../core/vcenter-logins.js';
import { reportDataWindow, reportsWithData } from '../../core/report-schedule.js';
import { reportFileTime, reportPath } from '../../reports/report-file.js';
import { latestJobRuns } from '../../store/job-runs-repository.js';
import { latestHourlyAtOrBefore, readRegistry } from '../../store/report-repository.js';
import { latestSnapshotTime, listVcenters } from '../../store/vcenter-repository.js';
import { vcenterName } from '../../vcenter/index.js';
import type { QueryContext } from '../context.js';
import type { DoctorSettings } from './types.js';

const AGGREGATE = { daily: 'vctp aggregate daily --date', monthly: 'vctp aggregate monthly --month' } as const;

export async function freshnessChecks(ctx: QueryContext, settings: DoctorSettings): Promise<DoctorCheck[]> {
  const now = unixSeconds(ctx.now());
  return [...(await snapshotChecks(ctx, settings, now)), ...(await aggregationChecks(ctx, settings, now)), await reportsCheck(ctx, settings, now)];
}

async function snapshotChecks(ctx: QueryContext, settings: DoctorSettings, now: number): Promise<DoctorCheck[]> {
  const ids = new Map((await listVcenters(ctx.store)).map((v) => [v.name, v.id]));
  const runs = await latestJobRuns(ctx.store);
  const interval = settings.vcenter_inventory_snapshot_seconds;
  const checks: DoctorCheck[] = [];
  const names = new Set<string>();
  for (const url of configuredVcenterUrls(settings)) {
    let name: string;
    try {
      name = vcenterName(url);
    } catch {
      continue; // the vCenter check already says the URL is invalid
    }
    if (names.has(name)) continue;
    names.add(name);
    const id = ids.get(name);
    const latest = id === undefined ? null : await latestSnapshotTime(ctx.store, id);
    const run = runs.find((r) => r.job === 'snapshot' && r.vcenter === name);
    const rule = snapshotFreshness(latest, now, interval, run !== undefined);
    const lines = [rule.reason];
    if (latest !== null) lines[0] = `${isoSeconds(latest)}: ${rule.reason}`;
    if (run && run.status !== 'ok') lines.push(`last snapshot run ${run.status} at ${isoSeconds(run.finishedAt)}${run.error ? `: ${run.error}` : ''}`);
    if (rule.status === 'fail') lines.push('check vctp-snapshot.timer (systemctl status vctp-snapshot.timer; journalctl -u vctp-snapshot.service)');
    checks.push(doctorCheck(`snapshots ${name}`, rule.status, lines.join('\n'), { latestSnapshot: latest, intervalSeconds: interval, lastRun: run ?? null }));
  }
  return checks;
}

async function aggregationChecks(ctx: QueryContext, settings: DoctorSettings, now: number): Promise<DoctorCheck[]> {
  const day = dueDay(now);
  const dayRows = facts(await readRegistry(ctx.store, ['hourly', 'daily'], day.start, day.end));
  const month = dueMonth(now);
  const monthRows = facts(await readRegistry(ctx.store, ['hourly', 'daily', 'monthly'], month.start, month.end));
  return [
    behindCheck('aggregation: daily', day.label, dailyBehind(day, dayRows), dayRows.some((r) => r.kind === 'hourly'), AGGREGATE.daily),
    behindCheck('aggregation: monthly', month.label, monthlyBehind(month, monthRows, settings.monthly_aggregation_source), monthRows.length > 0, AGGREGATE.monthly),
  ];
}

function behindCheck(check: string, period: string, behind: BehindSummary[], hasData: boolean, command: string): DoctorCheck {
  if (!hasData) return doctorCheck(check, 'ok', `${period}: no snapshots, nothing to aggregate`, { period, behind });
  if (behind.length === 0) return doctorCheck(check, 'ok', `${period}: every vCenter with snapshots has an up-to-date summary`, { period, behind });
  const lines = behind.map((b) => `${b.vcenter}: ${b.reason} (${b.detail})`);
  return doctorCheck(check, 'fail', [`${period} is behind for ${behind.length} vCenter(s):`, ...lines, `run \`${command} ${period}\` (or \`vctp repair\`), then check its timer`].join('\n'), { period, behind });
}

async function reportsCheck(ctx: QueryContext, settings: DoctorSettings, now: number): Promise<DoctorCheck> {
  // An hourly report is due once its snapshot is an interval old; a day's and a month's once their
  // summaries should exist (the same grace as the aggregation checks).
  const settledAt = await latestHourlyAtOrBefore(ctx.store, now - settings.vcenter_inventory_snapshot_seconds);
  const window = reportDataWindow(now, settings);
  const planned = reportsWithData(await readRegistry(ctx.store, ['hourly', 'daily', 'monthly'], window.since, window.until), now, settings);
  const due = newestDueReports(planned, { lastHourStart: settledAt === null ? null : hourStartOf(settledAt), day: dueDay(now), month: dueMonth(now) });
  const behind: string[] = [];
  const found = [];
  for (const report of due) {
    const path = reportPath(settings.reports_dir, report.kind, report.period);
    const mtime = await reportFileTime(path);
    found.push({ kind: report.kind, period: report.period, dataTime: report.dataTime, path, fileTime: mtime });
    if (mtime === null) behind.push(`${report.kind} ${report.period}: missing (${path})`);
    else if (mtime < report.dataTime) behind.push(`${report.kind} ${report.period}: ${formatDuration(report.dataTime - mtime)} older than its data (${path})`);
  }
  if (due.length === 0) return doctorCheck('reports', 'ok', 'no report due yet', { reports: found });
  if (behind.length === 0) return doctorCheck('reports', 'ok', `the newest reports are written: ${due.map((r) => `${r.kind} ${r.period}`).join(', ')}`, { reports: found });
  return doctorCheck('reports', 'warn', [...behind, 'run `vctp report pending` (data is safe; only the workbooks lag)'].join('\n'), { reports: found });
}

function facts(rows: readonly { vcenter: string; kind: string; time: number; createdAt: number; totalSamples: number | null }[]): RegistryFact[] {
  return rows.map((r) => ({ vcenter: r.vcenter, kind: r.kind as RegistryFact['kind'], time: r.time, createdAt: r.createdAt, totalSamples: r.totalSamples }));
}

function isoSeconds(unix: number): string {
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}
