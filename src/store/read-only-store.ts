// The database opened for looking only (`vctp doctor`): nothing is created, migrated or written,
// and every wait is bounded. openStore() is not that: it creates a missing SQLite file and its
// directory, switches the file to WAL and runs PRAGMA optimize on close.
//
// - SQLite: a read-only connection to an existing file. Like any reader of a WAL database, SQLite
//   may leave empty `-wal`/`-shm` files beside it (owned like the database, also when run as root);
//   the database file itself is not touched.
// - PostgreSQL: one connection whose transactions are read-only (default_transaction_read_only),
//   with connect and statement timeouts.
import Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { stat } from 'node:fs/promises';
import postgres from 'postgres';
import { VctpError } from '../core/errors.js';
import { type DatabaseTarget, openFailure, toDatabaseError } from './database-errors.js';
import type { BulkColumn, SqlExecutor, Store } from './executor.js';
import type { StoreSettings } from './open-store.js';
import { PostgresStore, redactUrl, storeErrorFor } from './postgres-store.js';
import { assertReadable } from './schema-guard.js';
import { BUSY_TIMEOUT_MS, sqlitePathFromUrl } from './sqlite-store.js';

const sqliteDialect = new SQLiteSyncDialect();

export interface ReadOnlyStore extends Store {
  /** The SQLite file, or null on PostgreSQL. */
  readonly sqlitePath: string | null;
}

/**
 * For the read-only commands (status, totals, trace): never creates or migrates anything, and
 * refuses what is not a vctp database with this vctp's schema (src/store/schema-guard.ts).
 */
export async function openStoreForReading(settings: StoreSettings): Promise<ReadOnlyStore> {
  // SQLite: a read-only connection to an existing file. PostgreSQL: the jobs' bounded connection
  // (a few attempts, connect and statement timeouts: postgres-store.ts) in a read-only session.
  const store =
    settings.database_driver === 'sqlite'
      ? await openReadOnlyStore(settings, { timeoutMs: BUSY_TIMEOUT_MS })
      : await openPostgresForReading(settings.database_url);
  try {
    await assertReadable(store);
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

async function openPostgresForReading(url: string): Promise<ReadOnlyStore> {
  const store = PostgresStore.open(url, { readOnly: true });
  try {
    await store.ping();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return Object.assign(store, { sqlitePath: null });
}

export async function openReadOnlyStore(settings: StoreSettings, options: { timeoutMs: number }): Promise<ReadOnlyStore> {
  if (settings.database_driver === 'sqlite') return openSqlite(sqlitePathFromUrl(settings.database_url), options.timeoutMs);
  return openPostgres(settings.database_url, options.timeoutMs);
}

async function openSqlite(path: string, timeoutMs: number): Promise<ReadOnlyStore> {
  if (path === ':memory:' || path === '') throw new VctpError('config', `settings.database_url: ${JSON.stringify(path)} is not a database file`);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new VctpError('database', `settings.database_url: ${path} is not a file`);
  } catch (error) {
    if (error instanceof VctpError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist yet (the first job, or `vctp db migrate`, creates it)' : `cannot be read (${code ?? String(error)})`;
    throw new VctpError('database', `settings.database_url: the SQLite database ${path} ${why}`, { cause: error });
  }
  const target: DatabaseTarget = { engine: 'sqlite', path, busyTimeoutMs: timeoutMs };
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: timeoutMs });
    // The first read finds a damaged header or a filesystem SQLite cannot use: named as the jobs' are.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    return new ReadOnlySqliteStore(path, db, target);
  } catch (error) {
    db?.close();
    throw openFailure(error, target, 'opening');
  }
}

class ReadOnlySqliteStore implements ReadOnlyStore {
  readonly dialect = 'sqlite' as const;
  readonly description: string;

  constructor(
    readonly sqlitePath: string,
    private readonly db: Database.Database,
    private readonly target: DatabaseTarget,
  ) {
    this.description = `sqlite:${sqlitePath}`;
  }

  async all<T>(query: SQL): Promise<T[]> {
    const { sql: text, params } = sqliteDialect.sqlToQuery(query);
    try {
      return this.db.prepare(text).all(...params) as T[];
    } catch (error) {
      throw toDatabaseError(error, this.target);
    }
  }

  async run(query: SQL): Promise<number> {
    const { sql: text, params } = sqliteDialect.sqlToQuery(query);
    try {
      return this.db.prepare(text).run(...params).changes;
    } catch (error) {
      throw toDatabaseError(error, this.target);
    }
  }

  async insertRows(table: string, _columns: readonly BulkColumn[], _rows: readonly (readonly unknown[])[]): Promise<void> {
    throw new VctpError('internal', `insert into ${table} on a read-only store`);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

async function openPostgres(url: string, timeoutMs: number): Promise<ReadOnlyStore> {
  const client = postgres(url, {
    max: 1,
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    idle_timeout: 1,
    onnotice: () => {},
    types: { bigint: { to: 20, from: [20, 1700], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    connection: {
      application_name: 'vctp-doctor',
      default_transaction_read_only: true,
      statement_timeout: timeoutMs,
      lock_timeout: timeoutMs,
    },
  });
  const store = Object.assign(new PostgresStore(client), { sqlitePath: null });
  (store as { description: string }).description = redactUrl(url);
  try {
    await client`SELECT 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => undefined);
    throw storeErrorFor(url, error);
  }
  return store;
}
