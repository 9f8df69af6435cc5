// `vctp db migrate`: brings the schema up to date on its own (every job also does this when it
// opens the database), recorded like any other job so an upgrade shows in job_runs and metrics.
import { type MigrateOptions, migrateStore } from '../store/migrate.js';
import type { JobContext } from './context.js';
import { withJobRun } from './job-run.js';

/**
 * `adopt`: take over a non-empty database that has no vctp migrations table (src/store/schema-guard.ts);
 * `partitioning`: settings.postgres_vm_hourly_partitioning_enabled (src/store/pg-partitions-convert.ts).
 */
export async function runDbMigrate(ctx: JobContext, options: MigrateOptions = {}): Promise<{ database: string }> {
  return withJobRun(ctx, { job: 'db-migrate' }, async () => {
    await migrateStore(ctx.store, options);
    return { database: ctx.store.description };
  });
}
