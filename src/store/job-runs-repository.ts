// job_runs: one row per job run (per vCenter where the job works per vCenter). `vctp status` and
// the metrics read the latest row of each job.
import { sql } from 'drizzle-orm';
import type { JobFigures, MetricFigures, RunCounts, VcenterFigures } from '../core/metric-figures.js';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

/** interrupted: SIGINT/SIGTERM stopped the run; it counts as failed wherever runs are counted. */
export type JobStatus = 'ok' | 'failed' | 'skipped' | 'interrupted';

export interface JobRun {
  job: string;
  vcenter: string | null;
  startedAt: number;
  finishedAt: number;
  status: JobStatus;
  durationMs: number;
  attempts: number;
  rows: number | null;
  error: string | null;
}

export async function recordJobRun(db: SqlExecutor, run: JobRun): Promise<void> {
  await db.run(sql`
    INSERT INTO job_runs (job, vcenter, started_at, finished_at, status, duration_ms, attempts, rows, error)
    VALUES (${run.job}, ${run.vcenter}, ${run.startedAt}, ${run.finishedAt}, ${run.status},
            ${Math.round(run.durationMs)}, ${run.attempts}, ${run.rows}, ${run.error})`);
}

/**
 * The latest run of each (job, vCenter). A vCenter's skipped part (another collector had the
 * vCenter: src/jobs/snapshot.ts, aggregate.ts) is passed over: the vCenter's latest run is the one
 * that did its work, whichever collector ran it.
 */
export async function latestJobRuns(db: SqlExecutor): Promise<JobRun[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.* FROM job_runs r
    JOIN (SELECT MAX(id) AS id FROM job_runs WHERE vcenter IS NULL OR status <> 'skipped' GROUP BY job, vcenter) latest ON latest.id = r.id
    ORDER BY r.job, r.vcenter`);
  return rows.map((r) => ({
    job: String(r.job),
    vcenter: r.vcenter == null ? null : String(r.vcenter),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    status: r.status as JobStatus,
    durationMs: num(r.duration_ms),
    attempts: num(r.attempts),
    rows: r.rows == null ? null : num(r.rows),
    error: r.error == null ? null : String(r.error),
  }));
}

const optNum = (value: unknown): number | null => (value == null ? null : Number(value));
const seconds = (ms: unknown): number | null => (ms == null ? null : Number(ms) / 1000);

/**
 * Everything the metrics say, derived from job_runs and the registry: durable, so a counter read
 * by the next process continues where the last one left it. Skipped runs (lock held) did nothing
 * and count nowhere; the runs that did work are ok, failed or interrupted, and an interrupted run
 * counts as failed. A handful of grouped scans; job_runs grows by (vCenters + 1) rows an hour.
 */
export async function readMetricFigures(db: SqlExecutor): Promise<MetricFigures> {
  // MATERIALIZED: with statistics from a young database (PRAGMA optimize at close records them),
  // SQLite would otherwise run the grouped subquery once per job_runs row, turning a read of a
  // year of runs into hours. Each grouped scan runs once, on both databases.
  const jobs = await db.all<Record<string, unknown>>(sql`
    WITH c AS MATERIALIZED (
           SELECT job, COUNT(*) AS runs, SUM(CASE WHEN status IN ('failed', 'interrupted') THEN 1 ELSE 0 END) AS failed, MAX(id) AS last_id
           FROM job_runs WHERE vcenter IS NULL AND status <> 'skipped' GROUP BY job),
         s AS MATERIALIZED (
           SELECT job, MAX(finished_at) AS last_success FROM job_runs WHERE vcenter IS NULL AND status = 'ok' GROUP BY job)
    SELECT c.job, c.runs, c.failed, r.status AS last_status, r.duration_ms AS last_duration_ms, s.last_success
    FROM c JOIN job_runs r ON r.id = c.last_id LEFT JOIN s ON s.job = c.job
    ORDER BY c.job`);
  const perVcenter = await db.all<Record<string, unknown>>(sql`
    SELECT job, COUNT(*) AS runs, SUM(CASE WHEN status IN ('failed', 'interrupted') THEN 1 ELSE 0 END) AS failed
    FROM job_runs WHERE vcenter IS NOT NULL AND status <> 'skipped'
      AND job IN ('snapshot', 'aggregate-daily', 'aggregate-monthly')
    GROUP BY job`);
  const vcenterRuns = await db.all<Record<string, unknown>>(sql`
    WITH c AS MATERIALIZED (
           SELECT vcenter, SUM(CASE WHEN status = 'ok' THEN attempts - 1 ELSE attempts END) AS failed_attempts, MAX(id) AS last_id
           FROM job_runs WHERE job = 'snapshot' AND vcenter IS NOT NULL AND status <> 'skipped' GROUP BY vcenter)
    SELECT c.vcenter, c.failed_attempts, r.duration_ms AS last_duration_ms
    FROM c JOIN job_runs r ON r.id = c.last_id`);
  const latest = await db.all<Record<string, unknown>>(sql`
    SELECT v.name AS vcenter, g.snapshot_time, g.row_count
    FROM (SELECT vcenter_id, MAX(snapshot_time) AS latest FROM snapshot_registry WHERE kind = 'hourly' GROUP BY vcenter_id) l
    JOIN snapshot_registry g ON g.vcenter_id = l.vcenter_id AND g.kind = 'hourly' AND g.snapshot_time = l.latest
    JOIN vcenters v ON v.id = l.vcenter_id`);

  const jobFigures: JobFigures[] = jobs.map((r) => ({
    job: String(r.job),
    runs: num(r.runs),
    failed: num(r.failed),
    lastOutcome: r.last_status === 'ok' ? 'ok' : 'failed',
    lastDurationSeconds: seconds(r.last_duration_ms),
    lastSuccessUnix: optNum(r.last_success),
  }));
  const counts = (job: string): RunCounts => {
    const row = perVcenter.find((r) => r.job === job);
    return {
      total: num(row?.runs),
      failed: num(row?.failed),
      lastDurationSeconds: jobFigures.find((j) => j.job === job)?.lastDurationSeconds ?? null,
    };
  };
  const names = [...new Set([...vcenterRuns.map((r) => String(r.vcenter)), ...latest.map((r) => String(r.vcenter))])].sort();
  const vcenters: VcenterFigures[] = names.map((vcenter) => {
    const run = vcenterRuns.find((r) => r.vcenter === vcenter);
    const stored = latest.find((r) => r.vcenter === vcenter);
    return {
      vcenter,
      failedAttempts: num(run?.failed_attempts),
      lastDurationSeconds: seconds(run?.last_duration_ms),
      inventorySize: optNum(stored?.row_count),
      lastSnapshotUnix: optNum(stored?.snapshot_time),
    };
  });
  return {
    jobs: jobFigures,
    hourlySnapshots: {
      ...counts('snapshot'),
      lastUnix: latest.length === 0 ? null : Math.max(...latest.map((r) => num(r.snapshot_time))),
      lastRows: latest.length === 0 ? null : latest.reduce((sum, r) => sum + num(r.row_count), 0),
    },
    dailyAggregations: counts('aggregate-daily'),
    monthlyAggregations: counts('aggregate-monthly'),
    vcenters,
  };
}
