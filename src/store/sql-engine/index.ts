// The `sql` aggregation engine: the same math as src/core/period-rollup.ts and summary-values.ts,
// as SQL statements, one set per dialect (./sqlite.ts, ./postgres.ts). It must produce rows
// identical to the `app` engine's (test/integration/aggregation-engines.test.ts).
import type { SqlExecutor } from '../executor.js';
import type { SqlCost } from './columns.js';
import { postgresMonthFromDaily, postgresRowsFromSpans } from './postgres.js';
import { sqliteMonthFromDaily, sqliteRowsFromSpans } from './sqlite.js';

export type { SqlCost } from './columns.js';

/** Inserts the vCenter's vm_daily_rollup rows for the day [start, end); the day's old rows are already deleted. */
export async function sqlDailyRows(tx: SqlExecutor, vcenterId: number, start: number, end: number, cost: SqlCost): Promise<void> {
  const period = { vcenterId, start, end, totalSamples: null };
  if (tx.dialect === 'postgres') await postgresRowsFromSpans(tx, 'daily', period, cost);
  else await sqliteRowsFromSpans(tx, 'daily', period, cost);
}

/**
 * Inserts the vCenter's vm_monthly_summary rows for the month [start, end) from daily rows or spans;
 * the month's old rows are already deleted. `totalSamples` is the month's TotalSamples as the
 * caller counted it for that source.
 */
export async function sqlMonthlyRows(
  tx: SqlExecutor,
  vcenterId: number,
  start: number,
  end: number,
  source: 'daily' | 'hourly',
  totalSamples: number,
  cost: SqlCost,
): Promise<void> {
  if (source === 'hourly') {
    const period = { vcenterId, start, end, totalSamples };
    if (tx.dialect === 'postgres') await postgresRowsFromSpans(tx, 'monthly', period, cost);
    else await sqliteRowsFromSpans(tx, 'monthly', period, cost);
  } else if (tx.dialect === 'postgres') await postgresMonthFromDaily(tx, vcenterId, start, end, totalSamples, cost);
  else await sqliteMonthFromDaily(tx, vcenterId, start, end, totalSamples, cost);
}
