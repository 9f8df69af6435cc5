// Whether a vCenter's monthly summary is up to date with its inputs, read from the store: the rule
// of src/core/staleness.ts over the month's registry rows. `vctp repair` re-aggregates a month it
// finds stale; `vctp month close` refuses to freeze one.
import type { Period } from '../core/periods.js';
import { monthlyStaleness, type Staleness } from '../core/staleness.js';
import type { SqlExecutor } from '../store/executor.js';
import { readMonthlyRegistry } from '../store/repair-repository.js';
import { readDailyRegistry, readHourlyDays } from '../store/summary-repository.js';

export async function readMonthStaleness(
  db: SqlExecutor,
  vcenterId: number,
  month: Period,
  source: 'daily' | 'hourly',
  repairedDays: readonly string[] = [],
): Promise<Staleness | null> {
  return monthlyStaleness({
    source,
    monthly: (await readMonthlyRegistry(db, vcenterId, month.start, month.start + 1))[0],
    dailies: await readDailyRegistry(db, vcenterId, month.start, month.end),
    hourlyDays: await readHourlyDays(db, vcenterId, month.start, month.end),
    repairedDays,
  });
}
