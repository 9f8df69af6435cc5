// `vctp import-sqlite FILE` (the spec's -import-sqlite): moves a vctp that started on SQLite to
// PostgreSQL. Every table of the file (src/store/sqlite-import-tables.ts says which) replaces the
// same table's rows in the configured PostgreSQL database, in ONE transaction:
//
//   capture lock -> TRUNCATE the imported tables -> month partitions for the file's time range ->
//   per table, stream the rows from SQLite in bounded batches into the bounded COPY ->
//   identity sequences continued past the imported ids -> per table, row count and checksum
//   computed by PostgreSQL compared with those of the rows read -> ANALYZE -> COMMIT
//
// Any refusal (a value PostgreSQL cannot hold, a row the server rejects, a checksum that differs,
// an interrupt) rolls the whole transaction back: the database keeps exactly what it held before.
// It runs as a job (recorded in job_runs, after the commit, so the import's own run follows the
// imported history) under every snapshot and aggregation job lock of the database (each kind's
// whole-database lock and every vCenter's), so no capture, aggregation or other whole-database job
// runs beside it, and takes the capture lock of PostgreSQL capture writers too.
import { VctpError } from '../core/errors.js';
import { excludeCaptures } from '../store/capture-lock.js';
import { ensureMonthPartitions } from '../store/pg-partitions.js';
import { describeRow, findRefusedRow, type ImportBatch, SqliteImportSource } from '../store/sqlite-import-source.js';
import { postgresChecksum } from '../store/sqlite-import-digest.js';
import { IMPORT_TABLES, type ImportTable } from '../store/sqlite-import-tables.js';
import { analyzeImportedTables, continueIdentities, copyImportRows, emptyImportedTables } from '../store/sqlite-import-target.js';
import type { JobContext } from './context.js';
import { withEveryVcenterLock } from './job-lock.js';
import { withJobRun } from './job-run.js';

/** Rows per COPY: bounds the memory of a batch and the time before a refused row is reported. */
export const IMPORT_BATCH_ROWS = 10_000;

export interface ImportProgress {
  table: string;
  /** Rows copied so far, over all tables. */
  done: number;
  /** Rows to copy, over all tables. */
  total: number;
  phase: 'copy' | 'verify';
}

export interface ImportTableResult {
  table: string;
  /** Rows read from the SQLite file. */
  sourceRows: number;
  /** Rows PostgreSQL holds after the copy, in the import's transaction. */
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
  match: boolean;
  copyMs: number;
}

export interface ImportSqliteResult {
  source: string;
  target: string;
  /** False: another run held a job lock for lock_wait_seconds; nothing was imported. */
  imported: boolean;
  lockHolder?: string;
  tables: ImportTableResult[];
  rows: number;
  /** The file's time range given to the month partitioning, unix seconds (null: no timed rows). */
  timeRange: { from: number; to: number } | null;
  /** From BEGIN to COMMIT. */
  ms: number;
  /** Of which the checksums PostgreSQL computed over the copied tables. */
  verifyMs: number;
  rowsPerSecond: number;
}

export interface ImportSqliteInput {
  lockWaitSeconds: number;
  batchRows?: number;
  onProgress?: (progress: ImportProgress) => void;
}

/** Opens and checks the file (see src/store/sqlite-import-source.ts); the caller closes it. */
export function openImportSource(path: string): Promise<SqliteImportSource> {
  return SqliteImportSource.open(path);
}

export type { SqliteImportSource };

export async function runImportSqlite(ctx: JobContext, source: SqliteImportSource, input: ImportSqliteInput): Promise<ImportSqliteResult> {
  if (ctx.store.dialect !== 'postgres') {
    throw new VctpError('config', 'settings.database_driver: import-sqlite copies into PostgreSQL; set database_driver: postgres and database_url to the target database');
  }
  const base = { source: source.path, target: ctx.store.description };
  return withJobRun(ctx, { job: 'import-sqlite' }, async (run) => {
    // The whole database, both kinds, 'snapshot' before 'aggregate' (the order src/jobs/job-lock.ts
    // sets): no capture, aggregation or whole-database job of this database runs meanwhile.
    const locked = await withEveryVcenterLock(ctx, 'snapshot', input.lockWaitSeconds, () =>
      withEveryVcenterLock(ctx, 'aggregate', input.lockWaitSeconds, () => importAll(ctx, source, input)),
    );
    const inner = locked.acquired ? locked.result : locked;
    if (!inner.acquired) {
      run.skip(`lock held by ${inner.holder}`);
      return { ...base, imported: false, lockHolder: inner.holder, tables: [], rows: 0, timeRange: null, ms: 0, verifyMs: 0, rowsPerSecond: 0 };
    }
    const result = inner.result;
    run.rows(result.rows);
    return { ...base, imported: true, ...result };
  });
}

async function importAll(
  ctx: JobContext,
  source: SqliteImportSource,
  input: ImportSqliteInput,
): Promise<Pick<ImportSqliteResult, 'tables' | 'rows' | 'timeRange' | 'ms' | 'verifyMs' | 'rowsPerSecond'>> {
  const batchRows = input.batchRows ?? IMPORT_BATCH_ROWS;
  const total = IMPORT_TABLES.reduce((sum, t) => sum + (source.counts.get(t.name) ?? 0), 0);
  const progress = input.onProgress ?? (() => {});
  const timeRange = source.timeRange();
  const started = performance.now();
  let verifyMs = 0;
  const tables = await ctx.store.transaction(async (tx) => {
    await excludeCaptures(tx);
    await emptyImportedTables(tx);
    // Partitioned target (settings.postgres_vm_hourly_partitioning_enabled): every month of the
    // file's data gets its partition before the COPY, or PostgreSQL would refuse the rows outside
    // them. A no-op when the tables are not partitioned.
    if (timeRange) await ensureMonthPartitions(tx, timeRange.from, timeRange.to);
    let done = 0;
    const copyMs = new Map<string, number>();
    for (const table of IMPORT_TABLES) {
      const t0 = performance.now();
      progress({ table: table.name, done, total, phase: 'copy' });
      for (const batch of source.batches(table, batchRows)) {
        ctx.signal?.throwIfAborted();
        try {
          await copyImportRows(tx, table, batch.rows);
        } catch (error) {
          throw refusedBatch(source.path, table, batch, error);
        }
        done += batch.rows.length;
        progress({ table: table.name, done, total, phase: 'copy' });
      }
      copyMs.set(table.name, performance.now() - t0);
    }
    await continueIdentities(tx);
    const verifyStarted = performance.now();
    const results: ImportTableResult[] = [];
    for (const table of IMPORT_TABLES) {
      progress({ table: table.name, done, total, phase: 'verify' });
      const sourceSum = source.checksum(table.name);
      const target = await postgresChecksum(tx, table);
      const counted = source.counts.get(table.name) ?? 0;
      results.push({
        table: table.name,
        sourceRows: sourceSum.rows,
        targetRows: target.rows,
        sourceChecksum: sourceSum.checksum,
        targetChecksum: target.checksum,
        match: sourceSum.rows === counted && target.rows === sourceSum.rows && target.checksum === sourceSum.checksum,
        copyMs: copyMs.get(table.name) ?? 0,
      });
    }
    verifyMs = performance.now() - verifyStarted;
    const differing = results.filter((r) => !r.match);
    if (differing.length > 0) {
      throw new VctpError(
        'database',
        `import-sqlite: ${source.path}: the copy in ${ctx.store.description} differs from the file in ` +
          differing
            .map((r) => `${r.table} (file ${r.sourceRows} rows, checksum ${r.sourceChecksum}; PostgreSQL ${r.targetRows} rows, checksum ${r.targetChecksum})`)
            .join('; ') +
          '. The transaction was rolled back: the database holds what it held before.',
      );
    }
    await analyzeImportedTables(tx);
    return results;
  });
  const ms = performance.now() - started;
  const rows = tables.reduce((sum, t) => sum + t.sourceRows, 0);
  return { tables, rows, timeRange, ms, verifyMs, rowsPerSecond: ms > 0 ? rows / (ms / 1000) : 0 };
}

/**
 * A batch PostgreSQL refused, named by table and row: the row the server's detail names (its number
 * in the file's reading order and its primary key), else the batch's rows. The transaction rolls back.
 */
function refusedBatch(path: string, table: ImportTable, batch: ImportBatch, error: unknown): unknown {
  if (!(error instanceof VctpError) || error.code !== 'database') return error;
  const index = findRefusedRow(table, batch.rows, error);
  const count = batch.rows.length;
  const rows =
    index !== null
      ? describeRow(table, batch.firstRow + index, batch.rows[index]!)
      : count === 1
        ? `row ${batch.firstRow}`
        : `one of rows ${batch.firstRow}-${batch.firstRow + count - 1}`;
  return new VctpError(
    'database',
    `import-sqlite: ${path}: PostgreSQL refused ${rows} of table ${table.name} (rows numbered in the file's reading order): ` +
      `${error.message.replace(/ ?Nothing of the unfinished transaction was stored\.?/, '')} Nothing was imported: the database holds what it held before.`,
    { cause: error },
  );
}
