// Applies the committed drizzle migrations (drizzle/sqlite, drizzle/postgres). Every job calls this
// before it touches data, so an upgrade needs no separate step; `vctp db migrate` runs it alone.
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import { fileURLToPath } from 'node:url';
import { VctpError } from '../core/errors.js';
import type { Store } from './executor.js';
import { ensurePartitionsAhead } from './pg-partitions.js';
import { applyPartitioningSetting } from './pg-partitions-convert.js';
import { PostgresStore } from './postgres-store.js';
import { assertMigratable } from './schema-guard.js';
import { SqliteStore } from './sqlite-store.js';

// Both src/store (tsx) and dist/store (built) sit two levels below the package root.
const MIGRATIONS_ROOT = fileURLToPath(new URL('../../drizzle/', import.meta.url));
// Any fixed number: serialises concurrent migrators on one PostgreSQL database.
const PG_MIGRATION_LOCK = 7_467_301;

export interface MigrateOptions {
  adopt?: boolean;
  /**
   * settings.postgres_vm_hourly_partitioning_enabled (PostgreSQL only): true converts unpartitioned
   * tables (pg-partitions-convert.ts), false refuses partitioned ones; undefined leaves them as they are.
   */
  partitioning?: boolean;
}

export async function migrateStore(store: Store, options: MigrateOptions = {}): Promise<void> {
  await assertMigratable(store, options.adopt ?? false);
  try {
    if (store instanceof SqliteStore) {
      store.useAsVctpDatabase();
      // drizzle's migrator runs its own transaction; take the write lock first so two processes
      // starting together do not both apply the same migration.
      migrateSqlite(drizzleSqlite(store.db), { migrationsFolder: `${MIGRATIONS_ROOT}sqlite` });
    } else if (store instanceof PostgresStore) {
      const reserved = await store.client.reserve();
      try {
        await reserved`SELECT pg_advisory_lock(${PG_MIGRATION_LOCK})`;
        await migratePg(drizzlePg(store.client), { migrationsFolder: `${MIGRATIONS_ROOT}postgres` });
        // Still under the migration lock: two jobs starting together convert once.
        const now = Math.floor(Date.now() / 1000);
        await applyPartitioningSetting(store, options.partitioning, now);
        // Every job passes here first: this month's and next month's partitions exist before it writes.
        await ensurePartitionsAhead(store, now);
      } finally {
        await reserved`SELECT pg_advisory_unlock(${PG_MIGRATION_LOCK})`.catch(() => undefined);
        reserved.release();
      }
    } else {
      throw new VctpError('internal', 'unknown store type');
    }
  } catch (error) {
    if (error instanceof VctpError) throw error;
    const cause = (error as Error).cause instanceof Error ? `: ${((error as Error).cause as Error).message}` : '';
    throw new VctpError('database', `database migration failed on ${store.description}: ${(error as Error).message}${cause}`, {
      cause: error,
    });
  }
}
