// The SQLite file `vctp import-sqlite FILE` copies from, opened read-only and checked before
// anything is written anywhere: it exists, is a SQLite database, is vctp's (its migrations table and
// every imported table with every column), and carries exactly the schema this vctp knows.
//
// An older vctp's file is refused, not migrated here: migrating it would write to the file being
// imported (or to a copy of a file that may be gigabytes), and `vctp db migrate` with settings
// naming that file already does exactly that, recorded as a run. A newer vctp's file is refused too.
//
// The whole import reads inside one read transaction, so a file that a collector is still writing
// to is read as of one moment: counts, time range and rows agree. Rows are streamed
// (better-sqlite3's iterate() in raw mode), a bounded batch at a time, and each value is checked
// against its PostgreSQL column type before it is sent, so a value PostgreSQL could not hold (text
// in an integer column, a NUL in text, an integer past 2^31 or 2^53) fails the import naming the
// table, the row and the column.
import Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { VctpError } from '../core/errors.js';
import { openFailure, toDatabaseError, type DatabaseTarget } from './database-errors.js';
import type { SqlExecutor } from './executor.js';
import { readMigrationStatus } from './migration-status.js';
import { RowDigest, type TableChecksum } from './sqlite-import-digest.js';
import { IMPORT_TABLES, ident, type ImportColumn, type ImportTable } from './sqlite-import-tables.js';
import { decodeUuid } from './uuid-codec.js';

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const dialect = new SQLiteSyncDialect();

export interface ImportBatch {
  /** Values in the table's column order, converted to their PostgreSQL column type. */
  rows: unknown[][];
  /** 1-based number (in the source's reading order) of the batch's first row. */
  firstRow: number;
}

/** Times that the target's month partitions must cover (src/store/pg-partitions.ts). */
export interface TimeRange {
  from: number;
  to: number;
}

export class SqliteImportSource {
  /** Rows of each imported table, read in the source's read transaction. */
  readonly counts = new Map<string, number>();
  private readonly digests = new Map<string, RowDigest>();

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {}

  /** Opens and checks `path`; every refusal is a VctpError naming the file. */
  static async open(path: string): Promise<SqliteImportSource> {
    checkFile(path);
    const target: DatabaseTarget = { engine: 'sqlite', path, busyTimeoutMs: 15_000 };
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: 15_000 });
      db.exec('BEGIN');
      db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    } catch (error) {
      db?.close();
      const mapped = openFailure(error, target, 'opening');
      throw new VctpError('usage', `import-sqlite: ${path}: ${mapped.message.replace(/^settings\.database_url: /, '')}`, { cause: error });
    }
    const source = new SqliteImportSource(path, db);
    try {
      await source.checkVctpSchema();
      for (const table of IMPORT_TABLES) {
        const row = db.prepare(`SELECT COUNT(*) AS n FROM ${ident(table.name)}`).get() as { n: number };
        source.counts.set(table.name, row.n);
      }
      return source;
    } catch (error) {
      source.close();
      if (error instanceof VctpError) throw error;
      const mapped = toDatabaseError(error, target);
      throw new VctpError('usage', `import-sqlite: ${path}: ${mapped instanceof Error ? mapped.message : String(mapped)}`, { cause: error });
    }
  }

  private async checkVctpSchema(): Promise<void> {
    const tables = new Set(
      (this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name),
    );
    const missing = IMPORT_TABLES.map((t) => t.name).filter((name) => !tables.has(name));
    if (!tables.has('__drizzle_migrations') || missing.length === IMPORT_TABLES.length) {
      const what = missing.length === IMPORT_TABLES.length ? 'none of vctp\'s tables' : `no migrations table (__drizzle_migrations)`;
      const has = [...tables].filter((t) => !t.startsWith('sqlite_')).slice(0, 6);
      throw new VctpError(
        'usage',
        `import-sqlite: ${this.path} is a SQLite database but not vctp's: it has ${what}` +
          ` (its tables: ${has.length > 0 ? has.join(', ') + (tables.size > has.length ? ', ...' : '') : 'none'}); give the database_url file of the vctp to import`,
      );
    }
    const status = await readMigrationStatus(this.executor());
    if (status.newerThanThisVersion) {
      throw new VctpError('usage', `import-sqlite: ${this.path} was migrated by a newer vctp than this one: import it with that vctp, or upgrade this one`);
    }
    if (status.pending.length > 0) {
      throw new VctpError(
        'usage',
        `import-sqlite: ${this.path} has an older vctp schema (${status.pending.length} migration(s) not applied: ${status.pending.join(', ')}); ` +
          `bring it up to date first with \`vctp db migrate -s FILE\`, FILE being settings whose database_url is ${this.path} ` +
          '(the import only reads the file, it does not migrate it)',
      );
    }
    if (missing.length > 0) {
      throw new VctpError('usage', `import-sqlite: ${this.path} is not a complete vctp database: table(s) ${missing.join(', ')} missing`);
    }
    for (const table of IMPORT_TABLES) {
      const have = new Set((this.db.prepare(`PRAGMA table_info(${ident(table.name)})`).all() as { name: string }[]).map((r) => r.name));
      const lacking = table.columns.map((c) => c.name).filter((c) => !have.has(c));
      if (lacking.length > 0) {
        throw new VctpError('usage', `import-sqlite: ${this.path}: table ${table.name} lacks column(s) ${lacking.join(', ')}: not a vctp database of this version`);
      }
    }
  }

  /** readMigrationStatus's view of the file: queries only. */
  private executor(): SqlExecutor {
    const db = this.db;
    const refuse = (): never => {
      throw new VctpError('internal', 'the import source is read-only');
    };
    const executor: SqlExecutor = {
      dialect: 'sqlite',
      all: async <T>(query: SQL) => {
        const { sql: text, params } = dialect.sqlToQuery(query);
        return db.prepare(text).all(...params) as T[];
      },
      run: async () => refuse(),
      insertRows: async () => refuse(),
      transaction: async (fn) => fn(executor),
    };
    return executor;
  }

  /** The earliest and latest unix time of the partitioned data (registry, spans, hourly totals), or null when there is none. */
  timeRange(): TimeRange | null {
    const row = this.db
      .prepare(
        `SELECT MIN(lo) AS lo, MAX(hi) AS hi FROM (
           SELECT MIN(snapshot_time) AS lo, MAX(snapshot_time) AS hi FROM snapshot_registry
           UNION ALL SELECT MIN(first_seen), MAX(MAX(first_seen), COALESCE(MAX(last_seen), 0)) FROM vm_spans
           UNION ALL SELECT MIN(snapshot_time), MAX(snapshot_time) FROM vcenter_aggregate_totals)`,
      )
      .get() as { lo: number | null; hi: number | null };
    return row.lo === null || row.hi === null ? null : { from: row.lo, to: row.hi };
  }

  /**
   * The rows of `table`, `size` at a time, converted and checked; each row sent is added to the
   * table's checksum (checksum()). Nothing else may run on the source while a batch generator is open.
   */
  *batches(table: ImportTable, size: number): Generator<ImportBatch> {
    const columns = table.columns;
    const names = columns.map((c) => ident(c.name)).join(', ');
    const digest = new RowDigest(columns);
    this.digests.set(table.name, digest);
    const converters = columns.map(converter);
    const statement = this.db.prepare(`SELECT ${names} FROM ${ident(table.name)}`).raw(true);
    let rows: unknown[][] = [];
    let firstRow = 1;
    let number = 0;
    for (const raw of statement.iterate() as Iterable<unknown[]>) {
      number++;
      for (let c = 0; c < raw.length; c++) {
        const value = converters[c]!(raw[c]);
        if (value === REFUSED) throw this.refusal(table, number, raw, columns[c]!, raw[c]);
        raw[c] = value;
      }
      digest.add(raw);
      rows.push(raw);
      if (rows.length >= size) {
        yield { rows, firstRow };
        firstRow = number + 1;
        rows = [];
      }
    }
    if (rows.length > 0) yield { rows, firstRow };
  }

  /** The checksum of the rows batches() produced for `table`. */
  checksum(table: string): TableChecksum {
    return this.digests.get(table)?.result() ?? { rows: 0, checksum: new RowDigest([]).result().checksum };
  }

  private refusal(table: ImportTable, number: number, raw: readonly unknown[], column: ImportColumn, value: unknown): VctpError {
    return new VctpError(
      'database',
      `import-sqlite: ${this.path}: table ${table.name}, ${describeRow(table, number, raw)}: column ${column.name} ` +
        `(${PG_TYPE[column.type]}${column.notNull ? ' NOT NULL' : ''}) cannot hold ${describeValue(value)}; PostgreSQL would refuse the row. ` +
        'Nothing was imported: correct or delete that row in the SQLite file and import again.',
    );
  }

  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }
}

const PG_TYPE: Record<ImportColumn['type'], string> = { int: 'integer', bigint: 'bigint', float: 'double precision', text: 'text' };

/** `row 12 (id=345)`: the row's number in reading order and its primary key. */
export function describeRow(table: ImportTable, number: number, values: readonly unknown[]): string {
  const key = table.key.map((k) => `${k}=${shown(values[table.columns.findIndex((c) => c.name === k)])}`).join(', ');
  return `row ${number}${key ? ` (${key})` : ''}`;
}

/**
 * Which of a refused batch's rows the server's detail names, as its index: "Key (vcenter_id, vm_id)=(1, vm-1)
 * already exists" (a unique index) or "Failing row contains (...)" (NOT NULL, CHECK). The last
 * match: of two rows in one batch with the same key, the second is the one refused. Null when the
 * detail names no row (a partition's key, a lost reason) or no row matches.
 */
export function findRefusedRow(table: ImportTable, rows: readonly (readonly unknown[])[], error: unknown): number | null {
  let detail: string | null = null;
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const d = (e as { detail?: unknown }).detail;
    if (typeof d === 'string') detail = d;
  }
  if (detail === null) return null;
  const render = (v: unknown) => (v === null ? 'null' : String(v));
  let columns: number[];
  let wanted: string;
  const key = /^Key \((.+?)\)=\((.*)\) (?:already exists|conflicts with)/s.exec(detail);
  const failing = /^Failing row contains \((.*)\)\.?$/s.exec(detail);
  if (key) {
    columns = key[1]!.split(', ').map((name) => table.columns.findIndex((c) => c.name === name));
    if (columns.some((i) => i < 0)) return null;
    wanted = key[2]!;
  } else if (failing) {
    columns = table.columns.map((_, i) => i);
    wanted = failing[1]!;
  } else return null;
  for (let r = rows.length - 1; r >= 0; r--) {
    if (columns.map((i) => render(rows[r]![i])).join(', ') === wanted) return r;
  }
  return null;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (Buffer.isBuffer(value)) return `x'${value.subarray(0, 32).toString('hex')}${value.length > 32 ? '...' : ''}'`;
  return String(value);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return `the text ${shown(value.replace(/\0/g, '\\0'))}${value.includes('\0') ? ' (it contains a NUL byte)' : ''}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === 'bigint') return `the integer ${value}`;
  if (Buffer.isBuffer(value)) return `a ${value.length}-byte blob ${shown(value)}`;
  return String(value);
}

const REFUSED = Symbol('refused');
type Converter = (value: unknown) => unknown;

/** The check and conversion of one column's SQLite values into what its PostgreSQL type holds. */
function converter(column: ImportColumn): Converter {
  const ifNull = column.notNull ? REFUSED : null;
  switch (column.type) {
    case 'int':
      // (v | 0) === v: an integer within 32 bits.
      return (v) => (typeof v === 'number' ? ((v | 0) === v ? v : REFUSED) : v === null ? ifNull : REFUSED);
    case 'bigint':
      return (v) => (typeof v === 'number' ? (Number.isSafeInteger(v) ? v : REFUSED) : v === null ? ifNull : REFUSED);
    case 'float':
      // v - v === 0: finite. -0 becomes 0, which is what COPY's text of it ("0") stores.
      return (v) => (typeof v === 'number' ? (v - v === 0 ? v + 0 : REFUSED) : v === null ? ifNull : REFUSED);
    case 'text':
      if (column.uuid) {
        return (v) =>
          typeof v === 'string' ? (v.includes('\0') ? REFUSED : v) : Buffer.isBuffer(v) && v.length === 16 ? decodeUuid(v) : v === null ? ifNull : REFUSED;
      }
      return (v) => (typeof v === 'string' ? (v.includes('\0') ? REFUSED : v) : v === null ? ifNull : REFUSED);
  }
}

/** The file must exist, be a regular file and start with SQLite's header. */
function checkFile(path: string): void {
  let size: number;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw new VctpError('usage', `import-sqlite: ${path} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof VctpError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new VctpError('not-found', `import-sqlite: ${path} does not exist`);
    throw new VctpError('usage', `import-sqlite: ${path} cannot be read (${code ?? String(error)})`, { cause: error });
  }
  if (size < HEADER.length) throw new VctpError('usage', `import-sqlite: ${path} is not a SQLite database (${size === 0 ? 'it is empty' : `only ${size} bytes`})`);
  const head = Buffer.alloc(HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, HEADER.length, 0);
  } catch (error) {
    throw new VctpError('usage', `import-sqlite: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!head.equals(HEADER)) throw new VctpError('usage', `import-sqlite: ${path} is not a SQLite database (it does not start with the SQLite header)`);
}
