// Session settings for an aggregation transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already
// gives the transaction a stable view and exclusive writes).
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';

/**
 * - REPEATABLE READ: the job reads the period's sample times, then the spans, then writes the
 *   registry and totals from what it read; under READ COMMITTED a capture committing in between
 *   (today's partial day, an --at backfill) could make those disagree. Must come first.
 * - jit off: PostgreSQL's JIT compiles these statements because their cost estimates cross
 *   jit_above_cost, and spends 70-230 ms doing so per statement on a fleet-L vCenter, more than
 *   the statements take to run.
 * - work_mem: right after a month's daily rows are written their statistics are stale, and the
 *   monthly GROUP BY's sort spilled 11 MB to disk at the default 4 MB (about 240 ms a vCenter).
 * SET LOCAL ends with the transaction.
 */
export async function tuneForAggregation(tx: SqlExecutor): Promise<void> {
  if (tx.dialect !== 'postgres' || tuned.has(tx)) return;
  await tx.run(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
  await tx.run(sql`SET LOCAL jit = off`);
  await tx.run(sql`SET LOCAL work_mem = '64MB'`);
  tuned.add(tx);
}

// A transaction's executor lives for that transaction, and a nested transaction runs on the same
// one. `vctp benchmark aggregations` on a configured database runs every job of a run inside one
// transaction it rolls back, and tunes it first: the jobs' own calls then find it tuned (SET
// TRANSACTION after the transaction's first query is an error).
const tuned = new WeakSet<SqlExecutor>();
