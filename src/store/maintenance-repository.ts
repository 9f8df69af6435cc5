// Database maintenance for `vctp db cleanup`: ANALYZE / VACUUM / PRAGMA optimize, per engine.
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { SqlExecutor, Store } from './executor.js';
import { PostgresStore } from './postgres-store.js';
import * as pgSchema from './schema/postgres.js';
import { num } from './sql-util.js';
import { toDatabaseError } from './database-errors.js';


export interface MaintenanceStep {
  step: string;
  durationMs: number;
  detail?: string;
}

export interface MaintenanceReport {
  steps: MaintenanceStep[];
  bytesBefore: number;
  bytesAfter: number;
}

async function timed(steps: MaintenanceStep[], step: string, fn: () => Promise<string | undefined>): Promise<void> {
  const started = Date.now();
  const detail = await fn();
  steps.push(detail === undefined ? { step, durationMs: Date.now() - started } : { step, durationMs: Date.now() - started, detail });
}

/** page_count x page_size: the bytes the database file holds once the WAL is checkpointed. */
export async function sqliteDatabaseBytes(db: SqlExecutor): Promise<number> {
  const pages = await db.all<{ page_count: number }>(sql`PRAGMA page_count`);
  const size = await db.all<{ page_size: number }>(sql`PRAGMA page_size`);
  return num(pages[0]?.page_count) * num(size[0]?.page_size);
}

/**
 * SQLite: statistics (PRAGMA optimize, ANALYZE), VACUUM to rebuild the file without free pages, and
 * a TRUNCATE checkpoint so the WAL file shrinks too. None of these may run inside a transaction:
 * they go straight through the store, statement by statement.
 */
export async function sqliteMaintenance(store: Store): Promise<MaintenanceReport> {
  const steps: MaintenanceStep[] = [];
  const bytesBefore = await sqliteDatabaseBytes(store);
  const free = await store.all<{ freelist_count: number }>(sql`PRAGMA freelist_count`);
  await timed(steps, 'PRAGMA optimize', async () => {
    await store.run(sql`PRAGMA optimize`);
    return undefined;
  });
  await timed(steps, 'ANALYZE', async () => {
    await store.run(sql`ANALYZE`);
    return undefined;
  });
  await timed(steps, 'VACUUM', async () => {
    await store.run(sql`VACUUM`);
    return `${num(free[0]?.freelist_count)} free pages before`;
  });
  await timed(steps, 'PRAGMA wal_checkpoint(TRUNCATE)', async () => {
    const rows = await store.all<{ busy: number; log: number; checkpointed: number }>(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
    const r = rows[0];
    if (!r) return undefined;
    // busy = 1: another connection was reading or writing, so the WAL could not be emptied entirely.
    return num(r.busy) === 1 ? `busy: another connection holds the database (${num(r.checkpointed)}/${num(r.log)} frames checkpointed)` : `${num(r.checkpointed)} frames checkpointed, WAL truncated`;
  });
  return { steps, bytesBefore, bytesAfter: await sqliteDatabaseBytes(store) };
}

/** The tables of vctp's schema (not the view, not the migrator's bookkeeping). */
export function postgresTableNames(): string[] {
  const names: string[] = [];
  for (const value of Object.values(pgSchema) as unknown[]) if (is(value, PgTable)) names.push(getTableName(value));
  return names.sort();
}

async function postgresTablesBytes(store: PostgresStore, tables: readonly string[]): Promise<number> {
  const rows = await store.client.unsafe<{ bytes: string | number | null }[]>(
    // A partitioned table (settings.postgres_vm_hourly_partitioning_enabled) has no storage of its
    // own: its partitions' are summed (pg_partition_tree lists none for an unpartitioned table).
    `SELECT SUM(COALESCE((SELECT SUM(pg_total_relation_size(p.relid)) FROM pg_partition_tree(to_regclass(t)) p WHERE p.isleaf),
                        pg_total_relation_size(to_regclass(t)))) AS bytes
     FROM unnest($1::text[]) AS t`,
    [tables as string[]],
  );
  return num(rows[0]?.bytes);
}

/**
 * PostgreSQL: VACUUM (ANALYZE) of each vctp table. VACUUM refuses to run inside a transaction block,
 * so it goes through the raw client in the simple query protocol, one table per statement.
 */
export async function postgresMaintenance(store: Store): Promise<MaintenanceReport> {
  if (!(store instanceof PostgresStore)) throw new Error('postgresMaintenance needs a PostgreSQL store');
  const tables = postgresTableNames();
  const present = (
    await store.client.unsafe<{ name: string }[]>(`SELECT t AS name FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL`, [tables])
  ).map((r) => r.name);
  const steps: MaintenanceStep[] = [];
  const bytesBefore = await postgresTablesBytes(store, present);
  for (const table of present) {
    await timed(steps, `VACUUM (ANALYZE) ${table}`, async () => {
      // On the driver directly (VACUUM refuses a transaction block), so its faults are named here:
      // a lost connection or a refused VACUUM is the database's 'database' error, not a stack.
      try {
        await store.client.unsafe(`VACUUM (ANALYZE) "${table.replace(/"/g, '""')}"`).simple();
      } catch (error) {
        throw toDatabaseError(error, { engine: 'postgres', url: store.description });
      }
      return undefined;
    });
  }
  return { steps, bytesBefore, bytesAfter: await postgresTablesBytes(store, present) };
}
