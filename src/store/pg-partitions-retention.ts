// Retention on partitioned PostgreSQL (pg-partitions.ts): a month whose every row retention would
// delete anyway is detached and dropped whole instead of deleted row by row.
//
// Which months: those ending at or before the end of retention's first trim window (the history
// before the hourly cut and before the first closed month, src/core/month-closure.ts trimWindows),
// for every vCenter alike. Every span in such a month's vm_spans partition ended before that point
// and started before its end, every registry and totals row in the hourly partitions lies before
// it: trimHourlyHistory would delete each of them (and only trims rows of later months, or around
// closed ones). So the result is the row-by-row path's, row for row; the counts are the dropped
// partitions' row counts added to the deleted rows', and the spans' identities are candidates for
// deleteUnusedIdentities just as deleted spans' are.
//
// How: `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY` (detachOldMonths) runs outside any
// transaction, before retention's one transaction, and does not block readers or captures; it is
// why no table here has a DEFAULT partition. From that moment the month's rows are invisible to
// every query. The transaction then counts the detached tables, takes their identities and drops
// them (dropDetachedMonths) along with its other deletes. Should the run end between the two
// (killed, or its transaction failed), the detached tables stay, invisible, until the next run
// drops them and cleans up after them; a detach interrupted half-way is finished the same way
// (DETACH ... FINALIZE). A dry run detaches nothing: it deletes row by row and rolls back, so its
// counts are the real run's.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';
import { nextMonthStartOf } from '../core/periods.js';
import { listPartitions, monthOfPartition, PARTITIONED_TABLES, partitionedTables } from './pg-partitions.js';
import type { IdentityCandidate } from './retention-repository.js';
import { num } from './sql-util.js';

/** Months detached whole, by table (the names the run log shows). */
export interface DetachedMonths {
  partitions: string[];
}

/**
 * Finishes any interrupted detach, then detaches every monthly partition that ends at or before
 * `before`. Not in a transaction (PostgreSQL refuses DETACH ... CONCURRENTLY in one). Nothing to do
 * on SQLite or unpartitioned tables.
 */
export async function detachOldMonths(store: SqlExecutor, before: number): Promise<DetachedMonths> {
  const partitions: string[] = [];
  if (store.dialect !== 'postgres') return { partitions };
  const partitioned = await partitionedTables(store);
  const tables = PARTITIONED_TABLES.filter((t) => partitioned.has(t.table));
  for (const p of await listPartitions(store, tables.map((t) => t.monthParent))) {
    if (p.detachPending) {
      await store.run(sql.raw(`ALTER TABLE "${p.parent}" DETACH PARTITION "${p.name}" FINALIZE`));
      partitions.push(p.name);
      continue;
    }
    const month = monthOfPartition(p.parent, p.name);
    if (month === null || p.partitioned || nextMonthStartOf(month) > before) continue;
    await store.run(sql.raw(`ALTER TABLE "${p.parent}" DETACH PARTITION "${p.name}" CONCURRENTLY`));
    partitions.push(p.name);
  }
  return { partitions };
}

export interface DroppedMonths {
  partitions: string[];
  registry: number;
  spans: number;
  hourlyTotals: number;
  identities: IdentityCandidate[];
}

/**
 * Inside retention's transaction: counts and drops every detached month (this run's, and any an
 * interrupted run left), returning its rows as removed ones. A detached month is a table named like
 * a month partition of one of the partitioned tables that is no partition.
 */
export async function dropDetachedMonths(tx: SqlExecutor): Promise<DroppedMonths> {
  const out: DroppedMonths = { partitions: [], registry: 0, spans: 0, hourlyTotals: 0, identities: [] };
  if (tx.dialect !== 'postgres') return out;
  const rows = await tx.all<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition
      AND c.relname ~ '_p[0-9]{6}$'
    ORDER BY c.relname`);
  for (const { name } of rows) {
    const table = PARTITIONED_TABLES.find((t) => monthOfPartition(t.monthParent, name) !== null);
    if (table === undefined) continue;
    const count = num((await tx.all<{ n: number }>(sql.raw(`SELECT COUNT(*) AS n FROM "${name}"`)))[0]?.n);
    if (table.table === 'vm_spans') {
      out.spans += count;
      const ids = await tx.all<{ vcenter_id: number; lifecycle_id: number; identity_id: number }>(
        sql.raw(`SELECT DISTINCT vcenter_id, lifecycle_id, identity_id FROM "${name}"`),
      );
      out.identities.push(...ids.map((r) => ({ vcenterId: num(r.vcenter_id), lifecycleId: num(r.lifecycle_id), identityId: num(r.identity_id) })));
    } else if (table.table === 'snapshot_registry') {
      out.registry += count;
    } else {
      out.hourlyTotals += count;
    }
    await tx.run(sql.raw(`DROP TABLE "${name}"`));
    out.partitions.push(name);
  }
  return out;
}
