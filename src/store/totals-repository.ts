// vcenter_latest_totals (one row per vCenter) and vcenter_aggregate_totals (one row per vCenter,
// kind and time): the compact caches the totals pages and `vctp status` read.
import { sql, type SQL } from 'drizzle-orm';
import type { Money } from '../core/cost.js';
import type { PeriodTotals } from '../core/period-totals.js';
import { emptyTotals, type VcenterTotals } from '../core/totals.js';
import type { BulkColumn, SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

/** The totals columns, in table order, with the types bulk inserts need. */
export const TOTALS_COLUMNS: [keyof VcenterTotals, BulkColumn][] = [
  ['vmCount', { name: 'vm_count', type: 'int' }],
  ['poweredOnCount', { name: 'powered_on_count', type: 'int' }],
  ['templateCount', { name: 'template_count', type: 'int' }],
  ['srmPlaceholderCount', { name: 'srm_placeholder_count', type: 'int' }],
  ['nodeChargeVmCount', { name: 'node_charge_vm_count', type: 'int' }],
  ['chargeableVmCount', { name: 'chargeable_vm_count', type: 'float' }],
  ['vcpuTotal', { name: 'vcpu_total', type: 'float' }],
  ['ramGbTotal', { name: 'ram_gb_total', type: 'float' }],
  ['diskGbTotal', { name: 'disk_gb_total', type: 'float' }],
  ['tinVmCount', { name: 'tin_vm_count', type: 'float' }],
  ['bronzeVmCount', { name: 'bronze_vm_count', type: 'float' }],
  ['silverVmCount', { name: 'silver_vm_count', type: 'float' }],
  ['goldVmCount', { name: 'gold_vm_count', type: 'float' }],
  ['untieredVmCount', { name: 'untiered_vm_count', type: 'float' }],
];
const COLUMNS: [keyof VcenterTotals, string][] = TOTALS_COLUMNS.map(([key, column]) => [key, column.name]);

const columnList = sql.raw(COLUMNS.map(([, column]) => column).join(', '));
const valuesOf = (totals: VcenterTotals): SQL =>
  sql.join(
    COLUMNS.map(([key]) => sql`${totals[key]}`),
    sql`, `,
  );

/**
 * The cost columns of a totals row, by Money key. Set on daily and monthly rows only: NULL on
 * hourly and latest rows (vctp prices days and months, not snapshots).
 */
export const TOTALS_COST_COLUMNS: [keyof Money, string][] = [
  ['vcpu', 'cost_vcpu'],
  ['ram', 'cost_ram'],
  ['disk', 'cost_disk'],
  ['vm', 'cost_vm'],
  ['total', 'cost_total'],
];

/** A totals row's cost: null on hourly and latest rows; 0 on period rows written without rate cards. */
export function totalsCostFromRow(row: Record<string, unknown>): Money | null {
  if (row.cost_total == null) return null;
  const cost = { vcpu: 0, ram: 0, disk: 0, vm: 0, total: 0 };
  for (const [key, column] of TOTALS_COST_COLUMNS) cost[key] = num(row[column]);
  return cost;
}

export function totalsFromRow(row: Record<string, unknown>): VcenterTotals {
  const totals = emptyTotals();
  for (const [key, column] of COLUMNS) totals[key] = num(row[column]);
  return totals;
}

export async function writeSnapshotTotals(tx: SqlExecutor, vcenterId: number, snapshotTime: number, totals: VcenterTotals): Promise<void> {
  const updates = sql.raw(COLUMNS.map(([, column]) => `${column} = excluded.${column}`).join(', '));
  await tx.run(sql`
    INSERT INTO vcenter_latest_totals (vcenter_id, snapshot_time, ${columnList})
    VALUES (${vcenterId}, ${snapshotTime}, ${valuesOf(totals)})
    ON CONFLICT (vcenter_id) DO UPDATE SET snapshot_time = excluded.snapshot_time, ${updates}`);
  await tx.run(sql`
    INSERT INTO vcenter_aggregate_totals (vcenter_id, kind, snapshot_time, ${columnList})
    VALUES (${vcenterId}, 'hourly', ${snapshotTime}, ${valuesOf(totals)})
    ON CONFLICT (vcenter_id, kind, snapshot_time) DO UPDATE SET ${updates}`);
}

export interface LatestTotalsRow {
  vcenter: string;
  snapshotTime: number;
  totals: VcenterTotals;
}

export async function readLatestTotals(db: SqlExecutor): Promise<LatestTotalsRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT v.name AS vcenter, t.snapshot_time, ${sql.raw(COLUMNS.map(([, c]) => `t.${c}`).join(', '))}
    FROM vcenter_latest_totals t JOIN vcenters v ON v.id = t.vcenter_id ORDER BY v.name`);
  return rows.map((r) => ({ vcenter: String(r.vcenter), snapshotTime: num(r.snapshot_time), totals: totalsFromRow(r) }));
}

/** The daily or monthly row of vcenter_aggregate_totals, with the samples expected and present. */
export async function writePeriodTotals(
  tx: SqlExecutor,
  vcenterId: number,
  kind: 'daily' | 'monthly',
  periodStart: number,
  totals: PeriodTotals,
  samples: { expected: number; present: number },
): Promise<void> {
  const all = [...COLUMNS.map(([, column]) => column), ...TOTALS_COST_COLUMNS.map(([, column]) => column)];
  const updates = sql.raw(all.map((column) => `${column} = excluded.${column}`).join(', '));
  const costColumns = sql.raw(TOTALS_COST_COLUMNS.map(([, column]) => column).join(', '));
  const costValues = sql.join(
    TOTALS_COST_COLUMNS.map(([key]) => sql`${totals.cost[key]}`),
    sql`, `,
  );
  await tx.run(sql`
    INSERT INTO vcenter_aggregate_totals (vcenter_id, kind, snapshot_time, ${columnList}, ${costColumns}, expected_samples, present_samples)
    VALUES (${vcenterId}, ${kind}, ${periodStart}, ${valuesOf(totals)}, ${costValues}, ${samples.expected}, ${samples.present})
    ON CONFLICT (vcenter_id, kind, snapshot_time) DO UPDATE SET ${updates},
      expected_samples = excluded.expected_samples, present_samples = excluded.present_samples`);
}
