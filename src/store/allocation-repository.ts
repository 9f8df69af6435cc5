// Reads behind `vctp allocation` and GET /api/allocation: a month's stored monthly summaries with
// their money columns, a window's spans with their attribute sets, and the placements and attribute
// sets those refer to (both small dictionaries, read by id).
import { sql } from 'drizzle-orm';
import type { AllocationSpan } from '../core/allocation-spans.js';
import type { AllocationPlacement } from '../core/allocation.js';
import type { Money } from '../core/cost.js';
import { VctpError } from '../core/errors.js';
import type { Tier } from '../core/tiers.js';
import type { SqlExecutor } from './executor.js';
import { chunks, inList, num } from './sql-util.js';

/** A vm_monthly_summary row as allocation reads it (vmId and name '' unless asked for). */
export interface MonthlyAllocationRow {
  lifecycleId: number;
  vmId: string;
  name: string;
  placementId: number;
  attributesId: number;
  avgIsPresent: number;
  avgVcpuCount: number;
  avgRamGb: number;
  avgProvisionedDisk: number;
  money: Money;
}

/** The TotalSamples of the vCenter's registered monthly summary of the month starting at `month`; null when not aggregated. */
export async function monthlySummarySamples(db: SqlExecutor, vcenterId: number, month: number): Promise<number | null> {
  const rows = await db.all<{ total_samples: number | null }>(sql`
    SELECT total_samples FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'monthly' AND snapshot_time = ${month}`);
  return rows[0] ? num(rows[0].total_samples) : null;
}

/**
 * The vCenter's monthly summary rows of one month, by inventory id (the monthly report's order: the
 * table's key order, no sort). `withNames`: also each VM's managed object id and name (a join).
 */
export async function readMonthlyAllocationRows(db: SqlExecutor, vcenterId: number, month: number, withNames: boolean): Promise<MonthlyAllocationRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.lifecycle_id, ${withNames ? sql`l.vm_id, r.name,` : sql``} r.placement_id, r.attributes_id, r.avg_is_present,
           r.avg_vcpu_count, r.avg_ram_gb, r.avg_provisioned_disk, r.cost_vcpu, r.cost_ram, r.cost_disk, r.cost_vm, r.cost_total
    FROM vm_monthly_summary r ${withNames ? sql`JOIN vm_lifecycle l ON l.id = r.lifecycle_id` : sql``}
    WHERE r.vcenter_id = ${vcenterId} AND r.month = ${month}
    ORDER BY r.lifecycle_id`);
  const out = new Array<MonthlyAllocationRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out[i] = {
      lifecycleId: num(r.lifecycle_id),
      vmId: withNames ? String(r.vm_id) : '',
      name: withNames ? String(r.name) : '',
      placementId: num(r.placement_id),
      attributesId: num(r.attributes_id),
      avgIsPresent: Number(r.avg_is_present),
      avgVcpuCount: Number(r.avg_vcpu_count),
      avgRamGb: Number(r.avg_ram_gb),
      avgProvisionedDisk: Number(r.avg_provisioned_disk),
      money: { vcpu: Number(r.cost_vcpu), ram: Number(r.cost_ram), disk: Number(r.cost_disk), vm: Number(r.cost_vm), total: Number(r.cost_total) },
    };
  }
  return out;
}

/** A span of the window with its VM's managed object id. */
export interface WindowSpan extends AllocationSpan {
  vmId: string;
}

/**
 * The spans of these vCenters that can hold a sample in [start, end), with their attribute set ids,
 * by vCenter. One statement for all of them: no index serves a time range of vm_spans, so each
 * statement is a scan of the table, and one scan beats one per vCenter. No join: the tier and
 * cluster come from `placements` (every placement, read first), and the VM's managed object id
 * only when `withVmIds` (otherwise '').
 */
export async function readWindowSpans(
  db: SqlExecutor,
  vcenterIds: readonly number[],
  start: number,
  end: number,
  placements: ReadonlyMap<number, AllocationPlacement>,
  withVmIds: boolean,
): Promise<Map<number, WindowSpan[]>> {
  const byVcenter = new Map<number, WindowSpan[]>(vcenterIds.map((id) => [id, []]));
  if (vcenterIds.length === 0) return byVcenter;
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT s.vcenter_id, s.lifecycle_id, ${withVmIds ? sql`l.vm_id,` : sql``} s.first_seen, s.last_seen, s.name, s.identity_id, s.placement_id, s.attributes_id,
           s.provisioned_disk_gb, s.vcpu_count, s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder
    FROM vm_spans s ${withVmIds ? sql`JOIN vm_lifecycle l ON l.id = s.lifecycle_id` : sql``}
    WHERE s.vcenter_id IN (${inList(vcenterIds)}) AND s.first_seen < ${end} AND (s.last_seen IS NULL OR s.last_seen >= ${start})`);
  for (const r of rows) {
    const placementId = num(r.placement_id);
    const placement = placements.get(placementId);
    if (!placement) throw new VctpError('database', `vm_placements: no row ${placementId}, which a span of inventory id ${num(r.lifecycle_id)} refers to`);
    byVcenter.get(num(r.vcenter_id))?.push({
      lifecycleId: num(r.lifecycle_id),
      vmId: withVmIds ? String(r.vm_id) : '',
      firstSeen: num(r.first_seen),
      lastSeen: r.last_seen == null ? null : num(r.last_seen),
      name: String(r.name),
      identityId: num(r.identity_id),
      placementId,
      attributesId: num(r.attributes_id),
      tier: placement.tier,
      cluster: placement.cluster,
      provisionedDiskGb: Number(r.provisioned_disk_gb),
      vcpuCount: num(r.vcpu_count),
      ramGb: Number(r.ram_gb),
      isTemplate: num(r.is_template) === 1,
      poweredOn: num(r.powered_on) === 1,
      srmPlaceholder: num(r.srm_placeholder) === 1,
    });
  }
  return byVcenter;
}

const text = (v: unknown): string | null => (v == null ? null : String(v));

/**
 * Placements by id: those of `ids`, or every one. The table is a dictionary of the distinct places
 * (pool, tier, datacenter, cluster, folder): a few hundred rows where a fleet has tens of thousands
 * of VMs, so reading it whole is cheaper than collecting ids first.
 */
export async function readPlacements(db: SqlExecutor, ids?: Iterable<number>): Promise<Map<number, AllocationPlacement>> {
  const placements = new Map<number, AllocationPlacement>();
  const add = (rows: Record<string, unknown>[]) => {
    for (const r of rows) {
      placements.set(num(r.id), {
        resourcePool: text(r.resource_pool),
        tier: (r.tier ?? null) as Tier | null,
        datacenter: text(r.datacenter),
        cluster: text(r.cluster),
        folder: text(r.folder),
      });
    }
  };
  if (ids === undefined) {
    add(await db.all<Record<string, unknown>>(sql`SELECT id, resource_pool, tier, datacenter, cluster, folder FROM vm_placements`));
    return placements;
  }
  for (const chunk of chunks([...new Set(ids)])) {
    add(await db.all<Record<string, unknown>>(sql`SELECT id, resource_pool, tier, datacenter, cluster, folder FROM vm_placements WHERE id IN (${inList(chunk)})`));
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
