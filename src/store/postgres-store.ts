// PostgreSQL through the `postgres` driver. Bulk inserts send each column as one array and unnest
// it server-side: one statement per 5,000 rows instead of one per row.
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { VctpError } from '../core/errors.js';
import type { BulkColumn, ColumnType, SqlExecutor, Store } from './executor.js';

const dialect = new PgDialect();
const BULK_CHUNK = 5_000;
const ARRAY_TYPE: Record<ColumnType, string> = { int: 'int4[]', bigint: 'int8[]', float: 'float8[]', text: 'text[]' };

type Sql = postgres.Sql | postgres.TransactionSql;

/** The connection URL with its password masked, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

class PostgresExecutor implements SqlExecutor {
  readonly dialect = 'postgres' as const;

  constructor(protected readonly sql: Sql) {}

  async all<T>(query: SQL): Promise<T[]> {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return (await this.sql.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
  }

  async run(query: SQL): Promise<number> {
    const { sql: text, params } = dialect.sqlToQuery(query);
    const result = await this.sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
    return result.count;
  }

  async insertRows(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
    const names = columns.map((c) => c.name).join(', ');
    const arrays = columns.map((c, i) => `$${i + 1}::${ARRAY_TYPE[c.type]}`).join(', ');
    const text = `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})`;
    for (let start = 0; start < rows.length; start += BULK_CHUNK) {
      const chunk = rows.slice(start, start + BULK_CHUNK);
      const params = columns.map((_, i) => chunk.map((row) => row[i] ?? null));
      await this.sql.unsafe(text, params as never[]);
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

export class PostgresStore extends PostgresExecutor implements Store {
  readonly description: string;

  constructor(readonly client: postgres.Sql) {
    super(client);
    this.description = 'postgres';
  }

  static open(url: string): PostgresStore {
    const client = postgres(url, {
      max: 4,
      onnotice: () => {},
      // int8 and numeric arrive as strings by default; every such value here is a count, a sum or a
      // unix time well inside 2^53, so numbers are exact and far easier to compare.
      types: {
        bigint: { to: 20, from: [20, 1700], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
      },
      connection: { application_name: 'vctp' },
    });
    const store = new PostgresStore(client);
    (store as { description: string }).description = redactUrl(url);
    return store;
  }

  override async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return (await this.client.begin((tx) => fn(new PostgresExecutor(tx)))) as T;
  }

  override async insertRows(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
    await this.transaction((tx) => tx.insertRows(table, columns, rows));
  }

  async close(): Promise<void> {
    await this.client.end({ timeout: 5 });
  }
}

export function storeErrorFor(url: string, error: unknown): VctpError {
  return new VctpError('store', `settings.database_url: PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`, {
    cause: error,
  });
}
