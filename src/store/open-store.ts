// Opens the configured database and brings its schema up to date.
import { VctpError } from '../core/errors.js';
import type { Store } from './executor.js';
import { migrateStore } from './migrate.js';
import { PostgresStore, storeErrorFor } from './postgres-store.js';
import { SqliteStore, sqlitePathFromUrl } from './sqlite-store.js';

export interface StoreSettings {
  database_driver: 'sqlite' | 'postgres';
  database_url: string;
}

export async function openStore(settings: StoreSettings, options: { migrate?: boolean } = {}): Promise<Store> {
  const store = connect(settings);
  try {
    if (store instanceof PostgresStore) await store.client`SELECT 1`.catch((e: unknown) => { throw storeErrorFor(settings.database_url, e); });
    if (options.migrate ?? true) await migrateStore(store);
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
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
