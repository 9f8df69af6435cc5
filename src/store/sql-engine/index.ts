// The `sql` aggregation engine: the same math as src/core/period-rollup.ts and summary-values.ts,
// as SQL statements, one set per dialect. It must produce rows identical to the `app` engine's
// (test/integration/aggregation-engines.test.ts).
import { VctpError } from '../../core/errors.js';
import type { SqlExecutor } from '../executor.js';

/** Inserts the vCenter's vm_daily_rollup rows for the day [start, end); the day's old rows are already deleted. */
export async function sqlDailyRows(_tx: SqlExecutor, _vcenterId: number, _start: number, _end: number): Promise<void> {
  throw new VctpError('usage', '--engine sql: the SQL aggregation engine is not available yet; use --engine app');
}

/** Inserts the vCenter's vm_monthly_summary rows for the month [start, end) from daily rows or spans. */
export async function sqlMonthlyRows(
  _tx: SqlExecutor,
  _vcenterId: number,
  _start: number,
  _end: number,
  _source: 'daily' | 'hourly',
  _totalSamples: number,
): Promise<void> {
  throw new VctpError('usage', '--engine sql: the SQL aggregation engine is not available yet; use --engine app');
}
