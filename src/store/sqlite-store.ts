// SQLite through better-sqlite3: WAL, a busy timeout, cached prepared statements. A single
// connection is shared by concurrent async work (several vCenters captured at once), so everything
// runs through one queue: a transaction's statements never interleave with another caller's.
// SQLite's faults (locked past the busy timeout, read-only, full, damaged) leave every method as a
// VctpError('database') naming the file (database-errors.ts).
import Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { dirname } from 'node:path';
import { type DatabaseTarget, openFailure, toDatabaseError } from './database-errors.js';
import type { BulkColumn, SqlExecutor, Store } from './executor.js';
import { ensureDirectorySync } from '../files/ensure-directory.js';
import { SerialQueue } from './serial-queue.js';

const dialect = new SQLiteSyncDialect();
/** How long a write waits for another process's lock before it fails as 'database is locked'. */
export const BUSY_TIMEOUT_MS = 15_000;

// The settings rules refuse a URL that names no persistent file (src/core/sqlite-url.ts).
export { sqlitePathFromUrl } from '../core/sqlite-url.js';

class SqliteExecutor implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();
  /** The same cache for statements in raw (array) mode: raw() is a mode of the statement object. */
  private readonly rawStatements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    private readonly target: DatabaseTarget,
  ) {}

  private fail(error: unknown): never {
    throw toDatabaseError(error, this.target);
  }

  private prepare(query: SQL): { statement: Database.Statement; params: unknown[] } {
    const { sql: text, params } = dialect.sqlToQuery(query);
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return { statement, params };
  }

  async all<T>(query: SQL): Promise<T[]> {
    try {
      const { statement, params } = this.prepare(query);
      return statement.all(...params) as T[];
    } catch (error) {
      return this.fail(error);
    }
  }

  async allArrays<T extends unknown[]>(query: SQL): Promise<T[]> {
    try {
      const { sql: text, params } = dialect.sqlToQuery(query);
      let statement = this.rawStatements.get(text);
      if (!statement) {
        statement = this.db.prepare(text).raw(true);
        this.rawStatements.set(text, statement);
      }
      return statement.all(...params) as T[];
    } catch (error) {
      return this.fail(error);
    }
  }

  async run(query: SQL): Promise<number> {
    try {
      const { statement, params } = this.prepare(query);
      return statement.run(...params).changes;
    } catch (error) {
      return this.fail(error);
    }
  }

  async insertRows(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    const names = columns.map((c) => c.name).join(', ');
    const marks = columns.map(() => '?').join(', ');
    const key = `INSERT INTO ${table} (${names}) VALUES (${marks})`;
    try {
      let statement = this.statements.get(key);
      if (!statement) {
        statement = this.db.prepare(key);
        this.statements.set(key, statement);
      }
      for (const row of rows) statement.run(...row);
    } catch (error) {
      this.fail(error);
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  readonly target: DatabaseTarget;
  private readonly executor: SqliteExecutor;
  private readonly queue = new SerialQueue();
  private isVctpDatabase = false;

  constructor(readonly path: string) {
    this.description = `sqlite:${path}`;
    this.target = { engine: 'sqlite', path, busyTimeoutMs: BUSY_TIMEOUT_MS };
    let db: Database.Database | undefined;
    try {
      // Not mkdirSync({ recursive: true }): it spins forever under /proc (src/core/directory-walk.ts).
      if (path !== ':memory:') ensureDirectorySync(dirname(path));
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      // WAL (persistent in the file) is switched on by useAsVctpDatabase, once the file is known to
      // be vctp's: opening another application's database must not change it.
      db.pragma('synchronous = NORMAL');
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.executor = new SqliteExecutor(db, this.target);
    } catch (error) {
      db?.close();
      throw openFailure(error, this.target, 'opening');
    }
  }

  get db(): Database.Database {
    return this.executor.db;
  }

  all<T>(query: SQL): Promise<T[]> {
    return this.queue.run(() => this.executor.all<T>(query));
  }

  run(query: SQL): Promise<number> {
    return this.queue.run(() => this.executor.run(query));
  }

  insertRows(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
    return this.queue.run(() => this.transactionNow(() => this.executor.insertRows(table, columns, rows)));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.queue.run(() => this.transactionNow(() => fn(this.executor)));
  }

  // BEGIN IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout) at the
  // start instead of failing at its first write after having read stale state.
  private async transactionNow<T>(fn: () => Promise<T>): Promise<T> {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw toDatabaseError(error, this.target);
    }
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // SQLite already rolled back (a full disk or I/O error can do that); the first error says why.
        }
      }
      throw toDatabaseError(error, this.target);
    }
  }

  /** Called once the schema guard passed (src/store/migrate.ts): WAL, and optimisation at close. */
  useAsVctpDatabase(): void {
    this.db.pragma('journal_mode = WAL');
    this.isVctpDatabase = true;
  }

  async close(): Promise<void> {
    await this.queue.run(async () => {
      if (this.db.open) {
        // Another application's database, refused by the schema guard, is left as it was.
        if (this.isVctpDatabase) {
          try {
            // Never wait for another process's lock here: the job is done, optimisation can wait.
            this.db.pragma('busy_timeout = 0');
            this.db.pragma('optimize');
          } catch {
            // Optimisation is best effort: a read-only or busy database still closes.
          }
        }
        this.db.close();
      }
    });
  }
}
