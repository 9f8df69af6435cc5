// Session settings for an aggregation transaction.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';

/**
 * PostgreSQL's JIT compiles the aggregation's statements because their cost estimates cross
 * jit_above_cost, and spends 70-230 ms doing so per statement on a fleet-L vCenter: more than the
 * statements take to run. SET LOCAL ends with the transaction.
 */
export async function tuneForAggregation(tx: SqlExecutor): Promise<void> {
  if (tx.dialect === 'postgres') await tx.run(sql`SET LOCAL jit = off`);
}
