// Monthly range partitions of the hourly history on PostgreSQL (settings
// postgres_vm_hourly_partitioning_enabled; pg-partitions-convert.ts turns an existing database's
// tables into these). What is partitioned, and by what:
//
// - vm_spans by the span's END: RANGE (COALESCE(last_seen, OPEN_SPAN_KEY)). A span lives in the
//   month its last snapshot falls in; open spans (last_seen NULL) in vm_spans_p_open, whose key
//   OPEN_SPAN_KEY is above every time. Every span in a month's partition ended in that month, so
//   once a month lies wholly before retention's cut, all of its spans are ones retention deletes
//   whole and the partition can be dropped (partitioning by first_seen would put long-lived open
//   spans into old partitions). Closing or trimming a span (UPDATE of last_seen) moves its row
//   once into its month's partition (PostgreSQL's row movement).
//   The key is an expression, and PostgreSQL allows no unique index on a table partitioned by one:
//   vm_spans keeps a plain index on id instead of its primary key. Ids stay unique because spans
//   are created only by capture, allocating MAX(id) + 1 under the capture lock (capture-writer.ts),
//   and by loads into empty tables (import-sqlite, the synthetic fleet), which copy unique ids.
// - snapshot_registry and vcenter_aggregate_totals by LIST (kind): the hourly rows go to
//   <table>_hourly, itself RANGE partitioned by snapshot_time per month; the daily and monthly rows
//   (few: one per vCenter and day, kept for months or for ever) to <table>_summaries, unpartitioned.
//   Splitting by kind keeps an old month's hourly partition free of the monthly rows retention
//   keeps, so it too can be dropped whole. Both keys (kind, snapshot_time) are in the tables'
//   unique keys, which therefore stay; snapshot_registry's unused surrogate id loses its primary key.
//
// There is no DEFAULT partition anywhere: ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (how
// retention removes old months without blocking readers) refuses a table that has one. A row
// outside every partition therefore fails its statement (PostgreSQL: "no partition of relation ...
// found for row"); ensureMonthPartitions, called by every writer with the times it writes (capture,
// bulk loads, imports) and by every job's migration step for this month and the next, keeps that
// from happening in normal operation, and the error names the setting (database-errors.ts).
import { sql } from 'drizzle-orm';
import { VctpError } from '../core/errors.js';
import { EARLIEST_SNAPSHOT_TIME, formatUnixTime } from '../core/time-bounds.js';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';
import { monthStartOf, nextMonthStartOf } from '../core/periods.js';

/** The partition key of an open span: bigint's maximum, above every time. */
export const OPEN_SPAN_KEY = '9223372036854775807';

export interface PartitionedTable {
  /** The table every query names. */
  table: string;
  /** The table whose partitions are months (the table itself, or its hourly LIST partition). */
  monthParent: string;
  /** The column (or expression) the months are ranges of. */
  monthKey: string;
}

export const PARTITIONED_TABLES: readonly PartitionedTable[] = [
  { table: 'vm_spans', monthParent: 'vm_spans', monthKey: `COALESCE(last_seen, ${OPEN_SPAN_KEY})` },
  { table: 'snapshot_registry', monthParent: 'snapshot_registry_hourly', monthKey: 'snapshot_time' },
  { table: 'vcenter_aggregate_totals', monthParent: 'vcenter_aggregate_totals_hourly', monthKey: 'snapshot_time' },
];

/** The partition of open spans. */
export const OPEN_SPANS_PARTITION = 'vm_spans_p_open';

// Serialises partition creation between concurrent writers (two collectors' captures, an import):
// CREATE TABLE ... PARTITION OF for the same month by two sessions would fail one of them.
const PG_PARTITION_LOCK = 7_467_303;
// More months than this in one call is a wrong time (a zero or a garbled value), not history.
const MAX_MONTHS_PER_CALL = 1_200;

/** `vm_spans_p202612`: the partition of `parent` holding December 2026. */
export function monthPartitionName(parent: string, seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${parent}_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month (its first second) a partition name of monthPartitionName stands for; null for any other name. */
export function monthOfPartition(parent: string, name: string): number | null {
  const m = new RegExp(`^${parent}_p(\\d{4})(\\d{2})$`).exec(name);
  if (!m) return null;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  return Date.UTC(Number(m[1]), month - 1, 1) / 1000;
}

/** Which of vm_spans, snapshot_registry, vcenter_aggregate_totals are partitioned in the current schema. */
export async function partitionedTables(db: SqlExecutor): Promise<Set<string>> {
  if (db.dialect !== 'postgres') return new Set();
  const rows = await db.all<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'p'
      AND c.relname IN (${sql.join(PARTITIONED_TABLES.map((t) => sql`${t.table}`), sql`, `)})`);
  return new Set(rows.map((r) => r.name));
}

export interface PartitionInfo {
  parent: string;
  name: string;
  /** PostgreSQL's text of its bounds: FOR VALUES FROM (...) TO (...), or FOR VALUES IN (...). */
  bound: string;
  /** A partitioned partition (snapshot_registry_hourly), not a leaf. */
  partitioned: boolean;
  /** Being detached by an interrupted DETACH ... CONCURRENTLY (PostgreSQL 14+). */
  detachPending: boolean;
}

/** The direct partitions of `parents`, by name. */
export async function listPartitions(db: SqlExecutor, parents: readonly string[]): Promise<PartitionInfo[]> {
  if (db.dialect !== 'postgres' || parents.length === 0) return [];
  const rows = await db.all<{ parent: string; name: string; bound: string; relkind: string; pending: boolean }>(sql`
    SELECT p.relname AS parent, c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, c.relkind::text AS relkind,
           i.inhdetachpending AS pending
    FROM pg_inherits i
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_namespace n ON n.oid = p.relnamespace
    WHERE n.nspname = current_schema() AND p.relname IN (${sql.join(parents.map((t) => sql`${t}`), sql`, `)})
    ORDER BY p.relname, c.relname`);
  return rows.map((r) => ({ parent: r.parent, name: r.name, bound: r.bound, partitioned: r.relkind === 'p', detachPending: r.pending === true }));
}

/** Tables of the current schema among `names` (attached or not). */
async function existingTables(db: SqlExecutor, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.all<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relname IN (${sql.join(names.map((t) => sql`${t}`), sql`, `)})`);
  return new Set(rows.map((r) => r.name));
}

/** The month starts in [from, to], both ends' months included. */
export function monthsCovering(fromSeconds: number, toSeconds: number): number[] {
  if (!Number.isFinite(fromSeconds) || !Number.isFinite(toSeconds)) {
    throw new VctpError('internal', `partition range is not a pair of times: ${fromSeconds}..${toSeconds}`);
  }
  const months: number[] = [];
  for (let m = monthStartOf(Math.min(fromSeconds, toSeconds)); m <= Math.max(fromSeconds, toSeconds); m = nextMonthStartOf(m)) {
    months.push(m);
    if (months.length > MAX_MONTHS_PER_CALL) {
      throw new VctpError(
        'database',
        `monthly partitions asked for ${formatUnixTime(fromSeconds)} to ${formatUnixTime(toSeconds)}: more than ${MAX_MONTHS_PER_CALL} months; a time is wrong`,
      );
    }
  }
  return months;
}

/**
 * Creates every missing monthly partition covering [fromSeconds, toSeconds] (both ends' months) of
 * each partitioned table. A no-op on SQLite and on a database whose tables are not partitioned.
 * Runs in the caller's transaction when given one (its writes then see the partitions), else in
 * its own. Creating a partition locks its parent until the transaction ends; it happens once a
 * month per table, and the jobs' migration step does it ahead (ensurePartitionsAhead).
 */
export async function ensureMonthPartitions(executor: SqlExecutor, fromSeconds: number, toSeconds: number): Promise<void> {
  if (executor.dialect !== 'postgres') return;
  const partitioned = await partitionedTables(executor);
  if (partitioned.size === 0) return;
  // Times before 2000 are no snapshot's (time-bounds.ts): never make partitions for decades of nothing.
  const from = Math.max(fromSeconds, EARLIEST_SNAPSHOT_TIME);
  const to = Math.max(toSeconds, EARLIEST_SNAPSHOT_TIME);
  const months = monthsCovering(from, to);
  const tables = PARTITIONED_TABLES.filter((t) => partitioned.has(t.table));
  const missing = async (db: SqlExecutor) => {
    const wanted = tables.flatMap((t) => months.map((m) => ({ t, m, name: monthPartitionName(t.monthParent, m) })));
    const attached = new Set((await listPartitions(db, tables.map((t) => t.monthParent))).map((p) => p.name));
    const todo = wanted.filter((w) => !attached.has(w.name));
    // A table of that name that is no partition: a detached month an interrupted retention left
    // (retention drops it on its next run). Creating over it would fail less clearly.
    const stray = await existingTables(db, todo.map((w) => w.name));
    if (stray.size > 0) {
      throw new VctpError(
        'database',
        `table ${[...stray].join(', ')} exists but is not a partition: a month detached by an interrupted \`vctp retention\`; run \`vctp retention\` again to drop it`,
      );
    }
    return todo;
  };
  if ((await missing(executor)).length === 0) return;
  await executor.transaction(async (tx) => {
    await tx.all(sql`SELECT pg_advisory_xact_lock(${PG_PARTITION_LOCK})`);
    for (const { t, m, name } of await missing(tx)) {
      await tx.run(
        sql.raw(`CREATE TABLE "${name}" PARTITION OF "${t.monthParent}" FOR VALUES FROM (${m}) TO (${nextMonthStartOf(m)})`),
      );
    }
  });
}

/** Partitions ahead: this month's and next month's, for every partitioned table (the jobs' migration step). */
export async function ensurePartitionsAhead(executor: SqlExecutor, nowSeconds: number): Promise<void> {
  await ensureMonthPartitions(executor, nowSeconds, nextMonthStartOf(nowSeconds));
}

/** The tables' first and last time in use, for partitions covering existing rows. */
export async function timeRangeInUse(db: SqlExecutor): Promise<{ min: number; max: number } | null> {
  const rows = await db.all<{ lo: number | null; hi: number | null }>(sql`
    SELECT MIN(lo) AS lo, MAX(hi) AS hi FROM (
      SELECT MIN(last_seen) AS lo, MAX(last_seen) AS hi FROM vm_spans
      UNION ALL SELECT MIN(snapshot_time), MAX(snapshot_time) FROM snapshot_registry WHERE kind = 'hourly'
      UNION ALL SELECT MIN(snapshot_time), MAX(snapshot_time) FROM vcenter_aggregate_totals WHERE kind = 'hourly'
    ) x`);
  const r = rows[0];
  return r?.lo == null || r.hi == null ? null : { min: num(r.lo), max: num(r.hi) };
}

/** What `vctp doctor` shows: per partitioned table, its month partitions; detached months left over. */
export interface PartitionFacts {
  tables: { table: string; partitioned: boolean; months: string[]; others: string[] }[];
  /** Detached months an interrupted retention left (the next run drops them). */
  detached: string[];
}

export async function partitionFacts(db: SqlExecutor): Promise<PartitionFacts> {
  const partitioned = await partitionedTables(db);
  const tables: PartitionFacts['tables'] = [];
  for (const t of PARTITIONED_TABLES) {
    if (!partitioned.has(t.table)) {
      tables.push({ table: t.table, partitioned: false, months: [], others: [] });
      continue;
    }
    const direct = await listPartitions(db, t.table === t.monthParent ? [t.table] : [t.table, t.monthParent]);
    const months: string[] = [];
    const others: string[] = [];
    for (const p of direct) {
      const month = monthOfPartition(t.monthParent, p.name);
      if (month !== null && p.parent === t.monthParent) months.push(new Date(month * 1000).toISOString().slice(0, 7));
      else if (p.name !== t.monthParent) others.push(p.name);
    }
    tables.push({ table: t.table, partitioned: true, months: months.sort(), others });
  }
  const detached =
    partitioned.size === 0
      ? []
      : (
          await db.all<{ name: string }>(sql`
            SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition AND c.relname ~ '_p[0-9]{6}$'`)
        )
          .map((r) => r.name)
          .filter((name) => PARTITIONED_TABLES.some((t) => monthOfPartition(t.monthParent, name) !== null));
  return { tables, detached };
}
