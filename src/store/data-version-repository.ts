// The data version: a value that changes whenever a job run of any process sharing the database
// ends. Every writer of the data the read API answers from (vcenter_aggregate_totals above all) is
// a job inside withJobRun (src/jobs/job-run.ts), which records its job_runs row only after its data
// committed, and job_runs rows are never deleted; so the newest row's id is such a value. One read
// of the primary key's last entry on both databases (an index seek, not a scan).
//
// PostgreSQL hands out ids before commit, so rows may commit out of id order; that is harmless: a
// run's data commits before its row's id is drawn, so a reader that sees max(id) = M also sees the
// data of every run whose id is <= M, and a run that commits later draws an id > M.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';

/** max(job_runs.id) as text ('0' before any run). */
export async function readJobRunsVersion(db: SqlExecutor): Promise<string> {
  const rows = await db.all<{ id: unknown }>(sql`SELECT MAX(id) AS id FROM job_runs`);
  const id = rows[0]?.id;
  return id == null ? '0' : String(id);
}
