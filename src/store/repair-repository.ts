// Reads of `vctp repair`: the monthly summaries registered and where a vCenter's history begins.
// (Daily registry rows and per-day hourly counts come from summary-repository.ts.)
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';
import { inList, num } from './sql-util.js';

export interface MonthlyRegistryEntry {
  month: number;
  totalSamples: number;
  createdAt: number;
}

/** The monthly summaries registered for months starting in [start, end). */
export async function readMonthlyRegistry(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<MonthlyRegistryEntry[]> {
  const rows = await db.all<{ snapshot_time: number; total_samples: number | null; created_at: number }>(sql`
    SELECT snapshot_time, total_samples, created_at FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'monthly' AND snapshot_time >= ${start} AND snapshot_time < ${end}
    ORDER BY snapshot_time`);
  return rows.map((r) => ({ month: num(r.snapshot_time), totalSamples: num(r.total_samples), createdAt: num(r.created_at) }));
}

/** The earliest hourly snapshot or daily summary of any of the vCenters (null: none). */
export async function earliestHistory(db: SqlExecutor, vcenterIds: readonly number[]): Promise<number | null> {
  if (vcenterIds.length === 0) return null;
  const rows = await db.all<{ t: number | null }>(sql`
    SELECT MIN(snapshot_time) AS t FROM snapshot_registry
    WHERE kind IN ('hourly', 'daily') AND vcenter_id IN (${inList(vcenterIds)})`);
  return rows[0]?.t == null ? null : num(rows[0].t);
}
