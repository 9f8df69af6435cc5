// vcenter_latest_totals (one row per vCenter) and vcenter_aggregate_totals (one row per vCenter,
// kind and time): the compact caches the totals pages and `vctp status` read.
import { sql, type SQL } from 'drizzle-orm';
import { emptyTotals, type VcenterTotals } from '../core/totals.js';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

const COLUMNS: [keyof VcenterTotals, string][] = [
  ['vmCount', 'vm_count'],
  ['poweredOnCount', 'powered_on_count'],
  ['templateCount', 'template_count'],
  ['srmPlaceholderCount', 'srm_placeholder_count'],
  ['nodeChargeVmCount', 'node_charge_vm_count'],
  ['chargeableVmCount', 'chargeable_vm_count'],
  ['vcpuTotal', 'vcpu_total'],
  ['ramGbTotal', 'ram_gb_total'],
  ['diskGbTotal', 'disk_gb_total'],
  ['tinVmCount', 'tin_vm_count'],
  ['bronzeVmCount', 'bronze_vm_count'],
  ['silverVmCount', 'silver_vm_count'],
  ['goldVmCount', 'gold_vm_count'],
  ['untieredVmCount', 'untiered_vm_count'],
];

const columnList = sql.raw(COLUMNS.map(([, column]) => column).join(', '));
const valuesOf = (totals: VcenterTotals): SQL =>
  sql.join(
    COLUMNS.map(([key]) => sql`${totals[key]}`),
    sql`, `,
  );

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
  totals: VcenterTotals,
  samples: { expected: number; present: number },
): Promise<void> {
  const updates = sql.raw(COLUMNS.map(([, column]) => `${column} = excluded.${column}`).join(', '));
  await tx.run(sql`
    INSERT INTO vcenter_aggregate_totals (vcenter_id, kind, snapshot_time, ${columnList}, expected_samples, present_samples)
    VALUES (${vcenterId}, ${kind}, ${periodStart}, ${valuesOf(totals)}, ${samples.expected}, ${samples.present})
    ON CONFLICT (vcenter_id, kind, snapshot_time) DO UPDATE SET ${updates},
      expected_samples = excluded.expected_samples, present_samples = excluded.present_samples`);
}
