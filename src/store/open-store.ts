// Opens the configured database and brings its schema up to date. A database that cannot be
// reached, is locked, read-only, full or damaged fails here as a VctpError('database') naming it
// (database-errors.ts), within the bounds of postgres-store.ts and sqlite-store.ts.
import { VctpError } from '../core/errors.js';
import { type DatabaseTarget, toDatabaseError } from './database-errors.js';
import type { Store } from './executor.js';
import { migrateStore } from './migrate.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore, sqlitePathFromUrl } from './sqlite-store.js';

export interface StoreSettings {
  database_driver: 'sqlite' | 'postgres';
  database_url: string;
  /** Applied by the migration step (src/store/migrate.ts); absent leaves the tables as they are. */
  postgres_vm_hourly_partitioning_enabled?: boolean;
}

export async function openStore(settings: StoreSettings, options: { migrate?: boolean } = {}): Promise<Store> {
  const store = connect(settings);
  try {
    if (store instanceof PostgresStore) await store.ping();
    if (options.migrate ?? true) await migrate(store, settings.postgres_vm_hourly_partitioning_enabled);
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The migrations run on the driver directly, not through the store's executor: on PostgreSQL they
 * get the statement bound here, and their driver faults are named here, saying what was being done.
 */
async function migrate(store: Store, partitioning: boolean | undefined): Promise<void> {
  try {
    const run = () => migrateStore(store, { partitioning });
    await (store instanceof PostgresStore ? store.withinStatementBound('the schema migrations', run) : run());
  } catch (error) {
    const target: DatabaseTarget =
      store instanceof SqliteStore ? store.target : { engine: 'postgres', url: store.description };
    const cause = error instanceof VctpError && error.cause !== undefined ? error.cause : error;
    const mapped = toDatabaseError(cause, target, { fromConnection: true });
    if (mapped instanceof VctpError && mapped !== cause) {
      throw new VctpError('database', `applying schema migrations: ${mapped.message}`, { cause: error });
    }
    throw error;
  }
}

function connect(settings: StoreSettings): Store {
  switch (settings.database_driver) {
    case 'sqlite':
      return new SqliteStore(sqlitePathFromUrl(settings.database_url));
    case 'postgres':
      return PostgresStore.open(settings.database_url);
    default:
      throw new VctpError('config', `settings.database_driver: expected sqlite or postgres, got ${JSON.stringify(settings.database_driver)}`);
  }
}
