// Whether this vctp may use a database: the checks before migrating (every job, `vctp db migrate`)
// and before reading (`status`, `totals`, `trace`). A typo'd database_url or another application's
// database must not become a vctp database by accident, and a database a newer vctp migrated must
// not be written with an older schema in mind.
import { sql } from 'drizzle-orm';
import { VctpError } from '../core/errors.js';
import type { Store } from './executor.js';
import { readMigrationStatus } from './migration-status.js';

/** Tables of a database other than the migrations bookkeeping and the engine's own. */
async function userTableCount(store: Store): Promise<number> {
  const rows =
    store.dialect === 'postgres'
      ? await store.all<{ n: unknown }>(sql`
          SELECT COUNT(*) AS n FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'drizzle') AND table_type = 'BASE TABLE'`)
      : await store.all<{ n: unknown }>(sql`
          SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Before migrating: refuses a database migrated by a newer vctp, and a non-empty database without
 * vctp's migrations table unless `adopt` (`vctp db migrate --adopt`) says to take it over.
 */
export async function assertMigratable(store: Store, adopt: boolean): Promise<void> {
  const status = await readMigrationStatus(store);
  if (status.newerThanThisVersion) throw newerSchema(store);
  if (status.tracked || adopt) return;
  const tables = await userTableCount(store);
  if (tables > 0) {
    throw new VctpError(
      'database',
      `${store.description} holds ${tables} table${tables === 1 ? '' : 's'} but no vctp migrations table: it is not a vctp database ` +
        '(check settings.database_url), or one made by hand; `vctp db migrate --adopt` takes it over',
    );
  }
}

/** Before reading: the database must be a vctp database with exactly this vctp's schema. */
export async function assertReadable(store: Store): Promise<void> {
  const status = await readMigrationStatus(store);
  if (!status.tracked) {
    throw new VctpError('database', `${store.description} is not a vctp database (no migrations table): check settings.database_url; the first job, or \`vctp db migrate\`, creates one`);
  }
  if (status.newerThanThisVersion) throw newerSchema(store);
  if (status.pending.length > 0) {
    throw new VctpError('database', `${store.description} has an older schema than this vctp (${status.pending.length} migration(s) pending): run \`vctp db migrate\``);
  }
}

function newerSchema(store: Store): VctpError {
  return new VctpError('database', `${store.description} was migrated by a newer vctp than this one: upgrade vctp before using it`);
}
