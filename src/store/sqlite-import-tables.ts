// What `vctp import-sqlite` copies: every table of the PostgreSQL schema (./schema/postgres.ts)
// but job_locks, with each column's PostgreSQL type, read from the drizzle schema so that a column
// added to both schemas is imported without a change here. The SQLite schema mirrors it column for
// column (./schema/sqlite.ts; test/unit/sqlite-import-tables.test.ts keeps the two in step).
//
// job_locks is not imported: its rows are the live locks of the collectors using a database (on
// PostgreSQL the advisory lock is the lock and the row says who holds it); a SQLite file's rows name
// processes that locked that file, which mean nothing to the PostgreSQL database, and the import
// itself holds locks there while it runs.
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type { ColumnType } from './executor.js';
import * as pg from './schema/postgres.js';

export interface ImportColumn {
  name: string;
  type: ColumnType;
  notNull: boolean;
  /** SQLite keeps canonical UUIDs of this column as 16-byte blobs (./uuid-codec.ts); PostgreSQL as text. */
  uuid: boolean;
}

export interface ImportTable {
  name: string;
  columns: ImportColumn[];
  /** The primary key's columns: how a refused row is named. */
  key: string[];
  /** The identity column whose sequence must continue after the imported rows, if any. */
  identity: string | null;
}

const NOT_IMPORTED = new Set(['job_locks']);

/** The columns capture writes with encodeUuid (./capture-writer.ts). */
const UUID_COLUMNS = new Set(['vm_identities.vm_uuid', 'vm_identities.instance_uuid']);

const PG_COLUMN_TYPES: Record<string, ColumnType> = {
  PgInteger: 'int',
  PgBigInt53: 'bigint',
  PgDoublePrecision: 'float',
  PgText: 'text',
};

function importTable(table: PgTable): ImportTable {
  const config = getTableConfig(table);
  const columns = config.columns.map((c): ImportColumn => {
    const type = PG_COLUMN_TYPES[c.columnType];
    // A new column type needs its conversion and checksum rendering decided here first.
    if (!type) throw new Error(`sqlite-import: ${config.name}.${c.name} has column type ${c.columnType}, which the import does not know`);
    return { name: c.name, type, notNull: c.notNull, uuid: UUID_COLUMNS.has(`${config.name}.${c.name}`) };
  });
  const single = config.columns.filter((c) => c.primary).map((c) => c.name);
  const key = single.length > 0 ? single : (config.primaryKeys[0]?.columns.map((c) => c.name) ?? []);
  const identity = config.columns.find((c) => (c as { generatedIdentity?: unknown }).generatedIdentity !== undefined)?.name ?? null;
  return { name: config.name, columns, key, identity };
}

/** The imported tables, in a fixed order (the schema has no foreign keys: any order loads). */
export const IMPORT_TABLES: readonly ImportTable[] = (Object.values(pg) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map(importTable)
  .filter((t) => !NOT_IMPORTED.has(t.name))
  .sort((a, b) => a.name.localeCompare(b.name));

/** A table name as an SQL identifier: the names come from the schema above, never from input. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`sqlite-import: unexpected identifier ${JSON.stringify(name)}`);
  return name;
}
