// `vctp db cleanup` (the spec's -db-cleanup): the maintenance each database needs. SQLite: PRAGMA
// optimize, ANALYZE, VACUUM, and a TRUNCATE checkpoint of the WAL; PostgreSQL: VACUUM (ANALYZE) of
// vctp's tables. None of it can run inside a transaction, and none of it changes any data.
//
// hourly_index_max_age_days: the original kept one table per hourly snapshot, each with indexes,
// and dropped the indexes of tables older than this many days. Hourly history here is one span table
// with a single partial index (open spans, which capture needs); there are no per-hour tables or
// indexes, so the setting has nothing to act on. The run says so rather than pretend.
import { type MaintenanceStep, postgresMaintenance, sqliteMaintenance } from '../store/maintenance-repository.js';
import type { JobContext } from './context.js';
import { withJobRun } from './job-run.js';

export interface DbCleanupSettings {
  hourly_index_max_age_days: number;
}

export interface DbCleanupResult {
  database: string;
  dialect: 'sqlite' | 'postgres';
  steps: MaintenanceStep[];
  /** SQLite: page_count x page_size; PostgreSQL: the total size of vctp's tables with their indexes and TOAST. */
  bytesBefore: number;
  bytesAfter: number;
  hourlyIndexes: { maxAgeDays: number; dropped: string[]; note: string };
}

export function hourlyIndexNote(maxAgeDays: number): string {
  if (maxAgeDays < 0) return 'hourly_index_max_age_days is -1: index clean-up disabled';
  return 'hourly history is stored as spans: there are no per-hour tables or indexes, nothing to drop';
}

export async function runDbCleanup(ctx: JobContext, settings: DbCleanupSettings): Promise<DbCleanupResult> {
  return withJobRun(ctx, { job: 'db-cleanup' }, async () => {
    const report = ctx.store.dialect === 'sqlite' ? await sqliteMaintenance(ctx.store) : await postgresMaintenance(ctx.store);
    return {
      database: ctx.store.description,
      dialect: ctx.store.dialect,
      ...report,
      hourlyIndexes: { maxAgeDays: settings.hourly_index_max_age_days, dropped: [], note: hourlyIndexNote(settings.hourly_index_max_age_days) },
    };
  });
}
