// The floor of an aggregation window for `vctp benchmark aggregations`: what the window costs at
// the least on this database, measured in the same run as the engines, so that an engine's time can
// be given as a ratio to it (a time without its yardstick cannot be compared between runs on a
// shared machine).
//
// floor = read + write, over every vCenter, one after the other, in one transaction:
// - read: the rows the engine aggregates: the period's spans (the span columns aggregation needs,
//   the engines' WHERE, no join) for daily and monthly windows alike, since a month whose daily
//   summaries cover its hourly snapshots is rolled up from the spans (see floorSources); for a
//   month whose hourly history retention trimmed, the app engine's statement over the daily rows
//   (readMonthFromDaily: summed per VM in the database). Run the fastest way the driver has:
//   SQLite a prepared statement in raw (array) mode, all() (10-20% faster than iterate() on
//   fleet-L's spans); PostgreSQL the same SELECT with .raw() (rows of undecoded Buffers, no value
//   parsing). Not COPY TO STDOUT: with postgres 3.4.x it can leave the connection stuck
//   (porsager/postgres#499), and this runs on the store's own pool.
// - write: as many summary rows as the read gives VMs (the rows the engine writes), 49 columns of
//   the engine's types and magnitudes, through the store's bulk path (SQLite one cached prepared
//   INSERT; PostgreSQL COPY FROM STDIN), into the window's summary table at the window's period,
//   where the engine writes; the commit counts as write. The caller removes the rows afterwards
//   (or rolls the run back), as it does the engines'.
// Not in the floor: joins to placements or lifecycle times, the sample-time and registry reads,
// deleting the period's old rows, building the rows, any computation, the registry and totals rows,
// one transaction per vCenter.
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type Database from 'better-sqlite3';
import type postgres from 'postgres';
import { VctpError } from '../core/errors.js';
import type { PeriodKind } from '../core/periods.js';
import type { SqlExecutor, Store } from './executor.js';
import { num } from './sql-util.js';
import { deleteSummaryRows, monthFromDailySql, SUMMARY_TABLE, summaryColumns } from './summary-repository.js';

export type FloorSource = 'spans' | 'daily';

export interface FloorWindow {
  kind: PeriodKind;
  start: number;
  end: number;
  /** Every vCenter with what its engine run reads (floorSources). */
  vcenters: readonly { id: number; source: FloorSource }[];
}

/**
 * What aggregation reads for each vCenter: the period's spans, except for a month from daily
 * summaries that do not cover exactly the month's hourly snapshots (retention trimmed them): then
 * the daily rows. The same test as aggregateMonth's (src/jobs/aggregate-monthly.ts): with every
 * day's summary in place the engines roll the month up from the spans, a tenth of the rows.
 */
export async function floorSources(
  store: SqlExecutor,
  window: 'daily' | 'monthly-from-daily' | 'monthly-from-hourly',
  vcenterIds: readonly number[],
  start: number,
  end: number,
): Promise<{ id: number; source: FloorSource }[]> {
  const sources: { id: number; source: FloorSource }[] = [];
  for (const id of vcenterIds) {
    if (window !== 'monthly-from-daily') {
      sources.push({ id, source: 'spans' });
      continue;
    }
    const [row] = await store.all<{ daily: unknown; hourly: unknown }>(sql`
      SELECT (SELECT COALESCE(SUM(total_samples), 0) FROM snapshot_registry
              WHERE vcenter_id = ${id} AND kind = 'daily' AND snapshot_time >= ${start} AND snapshot_time < ${end}) AS daily,
             (SELECT COUNT(*) FROM snapshot_registry
              WHERE vcenter_id = ${id} AND kind = 'hourly' AND snapshot_time >= ${start} AND snapshot_time < ${end}) AS hourly`);
    sources.push({ id, source: num(row?.daily) === num(row?.hourly) ? 'spans' : 'daily' });
  }
  return sources;
}

export interface FloorRun {
  readMs: number;
  /** Write and commit (when the store's transaction commits). */
  writeMs: number;
  /** Rows the read returned, all vCenters. */
  rowsRead: number;
  /** Summary rows written. */
  rowsWritten: number;
}

// The spans: the span columns aggregation needs, with the WHERE of readPeriodSpans and
// readPeriodSpansWithLifecycle (summary-repository.ts) and no join (what the engines join to the
// spans, placements and lifecycle times, is theirs to make cheap). The daily rows: readMonthFromDaily's own
// statement (monthFromDailySql).
function readStatement(source: FloorSource, vcenterId: number, start: number, end: number): SQL {
  if (source === 'spans') {
    return sql`
      SELECT lifecycle_id, first_seen, last_seen, name, identity_id, placement_id,
             provisioned_disk_gb, vcpu_count, ram_gb, is_template, powered_on, srm_placeholder, attributes_id
      FROM vm_spans
      WHERE vcenter_id = ${vcenterId} AND first_seen < ${end} AND (last_seen IS NULL OR last_seen >= ${start})`;
  }
  return monthFromDailySql(vcenterId, start, end);
}

const sqliteDialect = new SQLiteSyncDialect();
const pgDialect = new PgDialect();

/**
 * The driver under a store's transaction executor. The executors keep it to themselves (jobs go
 * through SqlExecutor); the floor is the one reader that must bypass their row decoding.
 */
function driverOf(tx: SqlExecutor): { sqlite: Database.Database } | { pg: postgres.Sql | postgres.TransactionSql } {
  const inner = tx as unknown as { db?: Database.Database; sql?: postgres.Sql };
  if (tx.dialect === 'sqlite' && inner.db && typeof inner.db.prepare === 'function') return { sqlite: inner.db };
  if (tx.dialect === 'postgres' && inner.sql && typeof inner.sql.unsafe === 'function') return { pg: inner.sql };
  throw new VctpError('internal', `benchmark floor: no ${tx.dialect} driver under the store's executor`);
}

/** Reads the window's input rows of one vCenter the fastest way; returns how many. */
async function rawRead(tx: SqlExecutor, statement: SQL): Promise<number> {
  const driver = driverOf(tx);
  if ('sqlite' in driver) {
    const { sql: text, params } = sqliteDialect.sqlToQuery(statement);
    // Every row comes into the process as an array of its values (a vCenter's rows are few enough to hold).
    return driver.sqlite.prepare(text).raw(true).all(...params).length;
  }
  const { sql: text, params } = pgDialect.sqlToQuery(statement);
  const rows = await driver.pg.unsafe(text, params as postgres.ParameterOrJSON<never>[]).raw();
  return rows.length;
}

/**
 * The summary rows the floor writes for one vCenter: one per VM of the window's input (what the
 * engine writes), the VM's values from the input where the input has them, numbers of the
 * engine's magnitudes elsewhere. Built untimed (building them is not part of the floor), one
 * vCenter at a time as the engines do, so that the floor holds no more rows than they do.
 */
async function vcenterRows(db: SqlExecutor, w: FloorWindow, vcenterId: number, source: FloorSource): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  const columns = summaryColumns(w.kind).length;
  const byVm = new Map<number, Record<string, unknown>>();
  for (const r of await db.all<Record<string, unknown>>(readStatement(source, vcenterId, w.start, w.end))) byVm.set(num(r.lifecycle_id), r);
  // In key order (vCenter, period, VM), as a period's rows are appended.
  for (const [lifecycleId, r] of [...byVm].sort((a, b) => a[0] - b[0])) {
    const samples = source === 'daily' ? num(r.samples_present) : 24;
    const vcpu = num(r.vcpu_count);
    const ram = Number(r.ram_gb);
    const disk = Number(r.provisioned_disk_gb);
    const row: unknown[] = [
      vcenterId,
      lifecycleId,
      w.start,
      w.end - 3600,
      String(r.name),
      num(r.identity_id),
      num(r.placement_id),
      disk,
      vcpu,
      ram,
      num(r.is_template),
      num(r.powered_on),
      num(r.srm_placeholder),
      w.start - 86_400 * 400,
      0,
      samples,
      samples,
      vcpu * samples,
      Math.round(ram * 1024) * samples,
      Math.round(disk * 100) * samples,
      samples,
      0,
      0,
      0,
      1,
      vcpu,
      ram,
      disk,
      100,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      num(r.attributes_id),
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ];
    if (row.length !== columns) throw new VctpError('internal', `benchmark floor: ${row.length} values for ${columns} summary columns`);
    rows.push(row);
  }
  return rows;
}

/**
 * Deletes the window's period rows of every vCenter (untimed; a configured database has them
 * already): the floor writes where the engine writes.
 */
export async function clearFloorTarget(store: Store, w: FloorWindow): Promise<void> {
  await store.transaction(async (tx) => {
    for (const vc of w.vcenters) await deleteSummaryRows(tx, w.kind, vc.id, w.start);
  });
}

/**
 * One floor run, in one transaction: for each vCenter the timed raw read, then (untimed) its rows
 * built, then their timed bulk write; the commit is timed as part of the write.
 */
export async function runFloor(store: Store, w: FloorWindow): Promise<FloorRun> {
  const run: FloorRun = { readMs: 0, writeMs: 0, rowsRead: 0, rowsWritten: 0 };
  const table = SUMMARY_TABLE[w.kind].table;
  const columns = summaryColumns(w.kind);
  let bodyDone = 0;
  await store.transaction(async (tx) => {
    for (const vc of w.vcenters) {
      let t0 = performance.now();
      run.rowsRead += await rawRead(tx, readStatement(vc.source, vc.id, w.start, w.end));
      run.readMs += performance.now() - t0;
      const rows = await vcenterRows(tx, w, vc.id, vc.source);
      t0 = performance.now();
      await tx.insertRows(table, columns, rows);
      run.writeMs += performance.now() - t0;
      run.rowsWritten += rows.length;
    }
    bodyDone = performance.now();
  });
  run.writeMs += performance.now() - bodyDone;
  return run;
}
