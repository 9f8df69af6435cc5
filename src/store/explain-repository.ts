// Reads behind `vctp explain`: one VM's spans over a period with their placements (by the index
// vm_spans_lifecycle), and its stored summary row of that period (by the summary's primary key).
import { sql } from 'drizzle-orm';
import type { ExplainSpan, StoredSummary } from '../core/explain.js';
import type { PeriodKind } from '../core/periods.js';
import type { Tier } from '../core/tiers.js';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';
import { SUMMARY_TABLE, sumsFromRow } from './summary-repository.js';

const text = (v: unknown): string | null => (v == null ? null : String(v));

/** The VM's spans that can hold a sample in [start, end), by first_seen. */
export async function readExplainSpans(db: SqlExecutor, vcenterId: number, lifecycleId: number, start: number, end: number): Promise<ExplainSpan[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT s.lifecycle_id, s.first_seen, s.last_seen, s.name, s.identity_id, s.placement_id, s.attributes_id,
           s.provisioned_disk_gb, s.vcpu_count, s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder,
           p.resource_pool, p.tier, p.datacenter, p.cluster, p.folder
    FROM vm_spans s JOIN vm_placements p ON p.id = s.placement_id
    WHERE s.lifecycle_id = ${lifecycleId} AND s.vcenter_id = ${vcenterId}
      AND s.first_seen < ${end} AND (s.last_seen IS NULL OR s.last_seen >= ${start})
    ORDER BY s.first_seen`);
  return rows.map((r) => ({
    lifecycleId: num(r.lifecycle_id),
    firstSeen: num(r.first_seen),
    lastSeen: r.last_seen == null ? null : num(r.last_seen),
    name: String(r.name),
    identityId: num(r.identity_id),
    placementId: num(r.placement_id),
    attributesId: num(r.attributes_id),
    provisionedDiskGb: Number(r.provisioned_disk_gb),
    vcpuCount: num(r.vcpu_count),
    ramGb: Number(r.ram_gb),
    isTemplate: num(r.is_template) === 1,
    poweredOn: num(r.powered_on) === 1,
    srmPlaceholder: num(r.srm_placeholder) === 1,
    resourcePool: text(r.resource_pool),
    tier: (r.tier ?? null) as Tier | null,
    datacenter: text(r.datacenter),
    cluster: text(r.cluster),
    folder: text(r.folder),
  }));
}

/** The VM's summary row of the day or month starting at `periodStart`, or null when there is none. */
export async function readStoredSummary(db: SqlExecutor, kind: PeriodKind, vcenterId: number, lifecycleId: number, periodStart: number): Promise<StoredSummary | null> {
  const { table, period } = SUMMARY_TABLE[kind];
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT total_samples, samples_present, sum_vcpu, sum_ram_mb, sum_disk_centigb, tin_hits, bronze_hits, silver_hits, gold_hits,
           avg_is_present, avg_vcpu_count, avg_ram_gb, avg_provisioned_disk,
           cost_vcpu_units, cost_ram_units, cost_disk_units, cost_vm_units, cost_template_units, cost_srm_units, cost_node_units,
           cost_vcpu, cost_ram, cost_disk, cost_vm, cost_total
    FROM ${sql.raw(table)}
    WHERE vcenter_id = ${vcenterId} AND ${sql.raw(period)} = ${periodStart} AND lifecycle_id = ${lifecycleId}`);
  const r = rows[0];
  if (!r) return null;
  return {
    totalSamples: num(r.total_samples),
    ...sumsFromRow(r),
    values: {
      avgIsPresent: Number(r.avg_is_present),
      avgVcpuCount: Number(r.avg_vcpu_count),
      avgRamGb: Number(r.avg_ram_gb),
      avgProvisionedDisk: Number(r.avg_provisioned_disk),
    },
    units: {
      vcpu: num(r.cost_vcpu_units),
      ram: num(r.cost_ram_units),
      disk: num(r.cost_disk_units),
      vm: num(r.cost_vm_units),
      template: num(r.cost_template_units),
      srm: num(r.cost_srm_units),
      node: num(r.cost_node_units),
    },
    money: { vcpu: Number(r.cost_vcpu), ram: Number(r.cost_ram), disk: Number(r.cost_disk), vm: Number(r.cost_vm), total: Number(r.cost_total) },
  };
}
