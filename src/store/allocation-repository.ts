// Reads behind `vctp allocation` and GET /api/allocation: a month's stored monthly summaries with
// their money columns, a window's spans with their attribute sets, and the placements and attribute
// sets those refer to (both small dictionaries, read by id).
import { sql } from 'drizzle-orm';
import type { AllocationSpan } from '../core/allocation-spans.js';
import type { AllocationPlacement } from '../core/allocation.js';
import type { Money } from '../core/cost.js';
import type { Tier } from '../core/tiers.js';
import type { SqlExecutor } from './executor.js';
import { chunks, inList, num } from './sql-util.js';

/** A vm_monthly_summary row as allocation reads it. */
export interface MonthlyAllocationRow {
  lifecycleId: number;
  vmId: string;
  name: string;
  placementId: number;
  attributesId: number;
  totalSamples: number;
  avgIsPresent: number;
  avgVcpuCount: number;
  avgRamGb: number;
  avgProvisionedDisk: number;
  money: Money;
}

/** Whether the vCenter's summary of the month starting at `month` is registered (aggregated). */
export async function hasMonthlySummary(db: SqlExecutor, vcenterId: number, month: number): Promise<boolean> {
  const rows = await db.all(sql`
    SELECT 1 AS one FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'monthly' AND snapshot_time = ${month}`);
  return rows.length > 0;
}

/** The vCenter's monthly summary rows of one month, by inventory id (the monthly report's order). */
export async function readMonthlyAllocationRows(db: SqlExecutor, vcenterId: number, month: number): Promise<MonthlyAllocationRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.lifecycle_id, l.vm_id, r.name, r.placement_id, r.attributes_id, r.total_samples, r.avg_is_present,
           r.avg_vcpu_count, r.avg_ram_gb, r.avg_provisioned_disk, r.cost_vcpu, r.cost_ram, r.cost_disk, r.cost_vm, r.cost_total
    FROM vm_monthly_summary r JOIN vm_lifecycle l ON l.id = r.lifecycle_id
    WHERE r.vcenter_id = ${vcenterId} AND r.month = ${month}
    ORDER BY r.lifecycle_id`);
  return rows.map((r) => ({
    lifecycleId: num(r.lifecycle_id),
    vmId: String(r.vm_id),
    name: String(r.name),
    placementId: num(r.placement_id),
    attributesId: num(r.attributes_id),
    totalSamples: num(r.total_samples),
    avgIsPresent: Number(r.avg_is_present),
    avgVcpuCount: Number(r.avg_vcpu_count),
    avgRamGb: Number(r.avg_ram_gb),
    avgProvisionedDisk: Number(r.avg_provisioned_disk),
    money: { vcpu: Number(r.cost_vcpu), ram: Number(r.cost_ram), disk: Number(r.cost_disk), vm: Number(r.cost_vm), total: Number(r.cost_total) },
  }));
}

/** A span of the window with its VM's managed object id. */
export interface WindowSpan extends AllocationSpan {
  vmId: string;
}

/** The vCenter's spans that can hold a sample in [start, end), with their attribute set ids. */
export async function readWindowSpans(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<WindowSpan[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT s.lifecycle_id, l.vm_id, s.first_seen, s.last_seen, s.name, s.identity_id, s.placement_id, s.attributes_id, p.tier, p.cluster,
           s.provisioned_disk_gb, s.vcpu_count, s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder
    FROM vm_spans s
    JOIN vm_placements p ON p.id = s.placement_id
    JOIN vm_lifecycle l ON l.id = s.lifecycle_id
    WHERE s.vcenter_id = ${vcenterId} AND s.first_seen < ${end} AND (s.last_seen IS NULL OR s.last_seen >= ${start})`);
  return rows.map((r) => ({
    lifecycleId: num(r.lifecycle_id),
    vmId: String(r.vm_id),
    firstSeen: num(r.first_seen),
    lastSeen: r.last_seen == null ? null : num(r.last_seen),
    name: String(r.name),
    identityId: num(r.identity_id),
    placementId: num(r.placement_id),
    attributesId: num(r.attributes_id),
    tier: (r.tier ?? null) as Tier | null,
    cluster: r.cluster == null ? null : String(r.cluster),
    provisionedDiskGb: Number(r.provisioned_disk_gb),
    vcpuCount: num(r.vcpu_count),
    ramGb: Number(r.ram_gb),
    isTemplate: num(r.is_template) === 1,
    poweredOn: num(r.powered_on) === 1,
    srmPlaceholder: num(r.srm_placeholder) === 1,
  }));
}

const text = (v: unknown): string | null => (v == null ? null : String(v));

/** Placements by id. */
export async function readPlacements(db: SqlExecutor, ids: Iterable<number>): Promise<Map<number, AllocationPlacement>> {
  const placements = new Map<number, AllocationPlacement>();
  for (const chunk of chunks([...new Set(ids)])) {
    const rows = await db.all<Record<string, unknown>>(sql`
      SELECT id, resource_pool, tier, datacenter, cluster, folder FROM vm_placements WHERE id IN (${inList(chunk)})`);
    for (const r of rows) {
      placements.set(num(r.id), {
        resourcePool: text(r.resource_pool),
        tier: (r.tier ?? null) as Tier | null,
        datacenter: text(r.datacenter),
        cluster: text(r.cluster),
        folder: text(r.folder),
      });
    }
  }
  return placements;
}

/** Attribute sets by id, as stored (canonical JSON text; src/core/vm-attributes.ts). Id 0 has no row. */
export async function readAttributeSetTexts(db: SqlExecutor, ids: Iterable<number>): Promise<Map<number, string>> {
  const sets = new Map<number, string>();
  for (const chunk of chunks([...new Set(ids)].filter((id) => id !== 0))) {
    const rows = await db.all<{ id: number; attributes: string }>(sql`SELECT id, attributes FROM vm_attribute_sets WHERE id IN (${inList(chunk)})`);
    for (const r of rows) sets.set(num(r.id), String(r.attributes));
  }
  return sets;
}
