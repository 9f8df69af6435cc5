// The one way jobs reach the database. Queries are drizzle `sql` templates (parameters are always
// bound, never spliced), rendered by drizzle's dialect and run on the raw driver: that keeps
// transactions in our hands on both engines (better-sqlite3 is synchronous, so drizzle's SQLite
// transactions cannot span an await) and lets hot paths use the driver's fastest bulk path.
import type { SQL } from 'drizzle-orm';

export type Dialect = 'sqlite' | 'postgres';

export type ColumnType = 'int' | 'bigint' | 'float' | 'text';

/** A column of a bulk insert, with its SQL type (documents the row layout; both drivers take the values as given). */
export interface BulkColumn {
  name: string;
  type: ColumnType;
}

export interface SqlExecutor {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /**
   * The rows as arrays of their values in select-list order, without an object per row: for hot
   * reads of many rows (aggregation reads 70,000 spans a fleet-L month; better-sqlite3's raw mode
   * reads them in half the time of objects). Optional: sql-util.ts allArrays() falls back to all().
   */
  allArrays?<T extends unknown[] = unknown[]>(query: SQL): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(query: SQL): Promise<number>;
  /** Inserts many rows in few round trips. Row values are in `columns` order. */
  insertRows(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void>;
  /**
   * Runs `fn` in one transaction: all of its writes commit together or none do. Inside a
   * transaction this reuses the outer one (transactions nest by reuse).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface Store extends SqlExecutor {
  /** A short, password-free description for logs and `vctp status`. */
  readonly description: string;
  close(): Promise<void>;
}
