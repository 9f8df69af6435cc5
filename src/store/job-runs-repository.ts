// job_runs: one row per job run (per vCenter where the job works per vCenter). `vctp status` and
// the metrics read the latest row of each job.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

export type JobStatus = 'ok' | 'failed' | 'skipped';

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

/** The latest run of each (job, vCenter). */
export async function latestJobRuns(db: SqlExecutor): Promise<JobRun[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.* FROM job_runs r
    JOIN (SELECT MAX(id) AS id FROM job_runs GROUP BY job, vcenter) latest ON latest.id = r.id
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
