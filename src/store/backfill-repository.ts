// Reads and writes of `vctp backfill`: the summaries registered for a vCenter, their rows grouped by
// what the charge rules look at, and the rebuilt rows of the totals caches.
import { sql } from 'drizzle-orm';
import type { PeriodKind } from '../core/periods.js';
import type { VcenterTotals } from '../core/totals.js';
import type { BulkColumn, SqlExecutor } from './executor.js';
import { num } from './sql-util.js';
import { SUMMARY_COST_UNIT_COLUMNS, SUMMARY_TABLE } from './summary-repository.js';
import { TOTALS_COLUMNS } from './totals-repository.js';

export interface RegisteredSummary {
  kind: PeriodKind;
  periodStart: number;
  expectedSamples: number | null;
  totalSamples: number;
}

/** Every daily and monthly summary registered for the vCenter, oldest first. */
export async function readRegisteredSummaries(db: SqlExecutor, vcenterId: number): Promise<RegisteredSummary[]> {
  const rows = await db.all<{ kind: string; snapshot_time: number; expected_samples: number | null; total_samples: number | null }>(sql`
    SELECT kind, snapshot_time, expected_samples, total_samples FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind IN ('daily', 'monthly')
    ORDER BY kind, snapshot_time`);
  return rows.map((r) => ({
    kind: r.kind as PeriodKind,
    periodStart: num(r.snapshot_time),
    expectedSamples: r.expected_samples == null ? null : num(r.expected_samples),
    totalSamples: num(r.total_samples),
  }));
}

/**
 * Empties both totals caches of the vCenter but for the rows of times in `keep` ([start, end)
 * ranges: closed months, whose figures are final); returns the rows removed.
 */
export async function deleteVcenterTotals(tx: SqlExecutor, vcenterId: number, keep: readonly { start: number; end: number }[] = []): Promise<number> {
  const kept =
    keep.length === 0
      ? sql``
      : sql` AND NOT (${sql.join(
          keep.map((r) => sql`(snapshot_time >= ${r.start} AND snapshot_time < ${r.end})`),
          sql` OR `,
        )})`;
  const latest = await tx.run(sql`DELETE FROM vcenter_latest_totals WHERE vcenter_id = ${vcenterId}${kept}`);
  return latest + (await tx.run(sql`DELETE FROM vcenter_aggregate_totals WHERE vcenter_id = ${vcenterId}${kept}`));
}


const HOURLY_COLUMNS: BulkColumn[] = [
  { name: 'vcenter_id', type: 'int' },
  { name: 'kind', type: 'text' },
  { name: 'snapshot_time', type: 'bigint' },
  ...TOTALS_COLUMNS.map(([, column]) => column),
];

/** Bulk-inserts hourly rows of vcenter_aggregate_totals (the vCenter's old rows are already gone). */
export async function insertHourlyTotals(
  tx: SqlExecutor,
  vcenterId: number,
  rows: readonly { snapshotTime: number; totals: VcenterTotals }[],
): Promise<void> {
  await tx.insertRows(
    'vcenter_aggregate_totals',
    HOURLY_COLUMNS,
    rows.map((r) => [vcenterId, 'hourly', r.snapshotTime, ...TOTALS_COLUMNS.map(([key]) => r.totals[key])]),
  );
}

export interface SummaryTotalsGroup {
  periodStart: number;
  vmCount: number;
  /**
   * Column names as totalsInputFromRow reads them; `name` is '' unless grouped by name. The cost
   * unit sums are decimal text: a group's can pass 2^53, which a number would round.
   */
  row: Record<string, unknown>;
  cluster: string | null;
}

/**
 * The summary rows of one vCenter and kind, grouped by period and by every value the charge rules
 * and period totals look at (template, powered on, SRM placeholder, cluster, and the name when
 * srm_activeactive_vms makes names matter), with the integer sample sums added up. Totals from the
 * groups equal totals from the rows exactly (the sums are integers), and a year of daily rows comes
 * back as a few thousand groups instead of millions of rows.
 */
export async function readSummaryTotalsGroups(
  db: SqlExecutor,
  kind: PeriodKind,
  vcenterId: number,
  byName: boolean,
  /** Only this period (the sql aggregation engine's totals); default every period. */
  periodStart?: number,
): Promise<SummaryTotalsGroup[]> {
  const { table, period } = SUMMARY_TABLE[kind];
  const onePeriod = periodStart === undefined ? sql`` : sql` AND r.${sql.raw(period)} = ${periodStart}`;
  const name = byName ? sql`r.name` : sql`''`;
  const nameGroup = byName ? sql`, r.name` : sql``;
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.${sql.raw(period)} AS period_start, COUNT(*) AS vm_count, ${name} AS name, r.is_template, r.powered_on, r.srm_placeholder, p.cluster,
           SUM(r.samples_present) AS samples_present, SUM(r.sum_vcpu) AS sum_vcpu, SUM(r.sum_ram_mb) AS sum_ram_mb,
           SUM(r.sum_disk_centigb) AS sum_disk_centigb, SUM(r.tin_hits) AS tin_hits, SUM(r.bronze_hits) AS bronze_hits,
           SUM(r.silver_hits) AS silver_hits, SUM(r.gold_hits) AS gold_hits,
           ${sql.raw(SUMMARY_COST_UNIT_COLUMNS.map((c) => `CAST(SUM(r.${c}) AS TEXT) AS ${c}`).join(', '))}
    FROM ${sql.raw(table)} r JOIN vm_placements p ON p.id = r.placement_id
    WHERE r.vcenter_id = ${vcenterId}${onePeriod}
    GROUP BY r.${sql.raw(period)}, r.is_template, r.powered_on, r.srm_placeholder, p.cluster${nameGroup}`);
  return rows.map((row) => ({
    periodStart: num(row.period_start),
    vmCount: num(row.vm_count),
    row,
    cluster: row.cluster == null ? null : String(row.cluster),
  }));
}
