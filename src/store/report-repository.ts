// What the reports read: registry rows (what a report covers and when its data was stored), VM rows
// of a snapshot or summary in pages (keyset on the VM's lifecycle id, so a 40,000-VM month is never
// all in memory), the spans and lifecycle times of the hourly interval rule, and the daily totals.
import { sql } from 'drizzle-orm';
import type { Money } from '../core/cost.js';
import type { PeriodKind } from '../core/periods.js';
import type { HourlyVmRow, SummaryTotalsRow, SummaryVmRow, VmRowBase } from '../core/report-rows.js';
import type { Tier } from '../core/tiers.js';
import type { VcenterTotals } from '../core/totals.js';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';
import { SUMMARY_TABLE } from './summary-repository.js';
import { totalsFromRow } from './totals-repository.js';
import { decodeUuid } from './uuid-codec.js';
import { sumsFromRow } from './summary-repository.js';

export type { HourlyVmRow, SummaryTotalsRow, SummaryVmRow, VmRowBase } from '../core/report-rows.js';

export type RegistryKind = 'hourly' | PeriodKind;

export interface RegistryEntry {
  vcenterId: number;
  vcenter: string;
  kind: RegistryKind;
  /** Snapshot time, or the start of the day or month. */
  time: number;
  rowCount: number;
  createdAt: number;
  expectedSamples: number | null;
  totalSamples: number | null;
}

/** Registry rows of `kinds` with time in [start, end), by time then vCenter name. */
export async function readRegistry(db: SqlExecutor, kinds: readonly RegistryKind[], start: number, end: number): Promise<RegistryEntry[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.vcenter_id, v.name AS vcenter, r.kind, r.snapshot_time, r.row_count, r.created_at, r.expected_samples, r.total_samples
    FROM snapshot_registry r JOIN vcenters v ON v.id = r.vcenter_id
    WHERE r.kind IN (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)}) AND r.snapshot_time >= ${start} AND r.snapshot_time < ${end}
    ORDER BY r.snapshot_time, v.name`);
  return rows.map((r) => ({
    vcenterId: num(r.vcenter_id),
    vcenter: String(r.vcenter),
    kind: String(r.kind) as RegistryKind,
    time: num(r.snapshot_time),
    rowCount: num(r.row_count),
    createdAt: num(r.created_at),
    expectedSamples: r.expected_samples == null ? null : num(r.expected_samples),
    totalSamples: r.total_samples == null ? null : num(r.total_samples),
  }));
}

/** The latest hourly snapshot time at or before `at` over all vCenters, or null. */
export async function latestHourlyAtOrBefore(db: SqlExecutor, at: number): Promise<number | null> {
  const rows = await db.all<{ t: number | null }>(sql`SELECT MAX(snapshot_time) AS t FROM snapshot_registry WHERE kind = 'hourly' AND snapshot_time <= ${at}`);
  return rows[0]?.t == null ? null : num(rows[0].t);
}

/** The vCenter's hourly snapshot times in [start, end), followed by its first one at or after `end`. */
export async function readIntervalSampleTimes(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<number[]> {
  const rows = await db.all<{ t: number }>(sql`
    SELECT snapshot_time AS t FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time >= ${start} AND snapshot_time < ${end}
    UNION ALL
    SELECT MIN(snapshot_time) AS t FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time >= ${end}`);
  return rows
    .filter((r) => r.t != null)
    .map((r) => num(r.t))
    .sort((a, b) => a - b);
}

const str = (v: unknown): string | null => (v == null ? null : String(v));

function baseRow(r: Record<string, unknown>): VmRowBase {
  return {
    inventoryId: num(r.inventory_id),
    name: String(r.name),
    vcenter: String(r.vcenter),
    vmId: String(r.vm_id),
    vmUuid: decodeUuid(r.vm_uuid),
    instanceUuid: decodeUuid(r.instance_uuid),
    eventKey: str(r.event_key),
    cloudId: str(r.cloud_id),
    creationTime: num(r.creation_time),
    deletionTime: num(r.deletion_time),
    snapshotTime: num(r.snapshot_time),
    resourcePool: str(r.resource_pool),
    tier: (r.tier ?? null) as Tier | null,
    datacenter: str(r.datacenter),
    cluster: str(r.cluster),
    folder: str(r.folder),
    provisionedDisk: Number(r.provisioned_disk),
    vcpuCount: num(r.vcpu_count),
    ramGb: Number(r.ram_gb),
    isTemplate: num(r.is_template) === 1,
    poweredOn: num(r.powered_on) === 1,
    srmPlaceholder: num(r.srm_placeholder) === 1,
  };
}

/** One page of a vCenter's VMs in one hourly snapshot (vm_hourly_stats), after `afterInventoryId`. */
export async function readHourlyVmPage(
  db: SqlExecutor,
  vcenter: string,
  snapshotTime: number,
  afterInventoryId: number,
  limit: number,
): Promise<HourlyVmRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT * FROM vm_hourly_stats
    WHERE vcenter = ${vcenter} AND snapshot_time = ${snapshotTime} AND inventory_id > ${afterInventoryId}
    ORDER BY inventory_id LIMIT ${limit}`);
  return rows.map(baseRow);
}

/** One page of a vCenter's daily or monthly summary rows, after `afterInventoryId`. */
export async function readSummaryVmPage(
  db: SqlExecutor,
  kind: PeriodKind,
  vcenterId: number,
  periodStart: number,
  afterInventoryId: number,
  limit: number,
): Promise<SummaryVmRow[]> {
  const { table, period } = SUMMARY_TABLE[kind];
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.lifecycle_id AS inventory_id, r.name, v.name AS vcenter, l.vm_id, i.vm_uuid, i.instance_uuid, i.event_key, i.cloud_id,
           r.creation_time, r.deletion_time, r.snapshot_time, p.resource_pool, p.tier, p.datacenter, p.cluster, p.folder,
           r.provisioned_disk_gb AS provisioned_disk, r.vcpu_count, r.ram_gb, r.is_template, r.powered_on, r.srm_placeholder,
           r.samples_present, r.total_samples, r.avg_is_present, r.avg_vcpu_count, r.avg_ram_gb, r.avg_provisioned_disk,
           r.pool_tin_pct, r.pool_bronze_pct, r.pool_silver_pct, r.pool_gold_pct, r.tin, r.bronze, r.silver, r.gold,
           r.cost_vcpu, r.cost_ram, r.cost_disk, r.cost_vm, r.cost_total
    FROM ${sql.raw(table)} r
    JOIN vcenters v ON v.id = r.vcenter_id
    JOIN vm_lifecycle l ON l.id = r.lifecycle_id
    JOIN vm_identities i ON i.id = r.identity_id
    JOIN vm_placements p ON p.id = r.placement_id
    WHERE r.vcenter_id = ${vcenterId} AND r.${sql.raw(period)} = ${periodStart} AND r.lifecycle_id > ${afterInventoryId}
    ORDER BY r.lifecycle_id LIMIT ${limit}`);
  return rows.map(summaryRow);
}

// One object literal (no spread of baseRow): building 45-property rows by spreading was most of
// the time of reading a 40,000-VM month.
function summaryRow(r: Record<string, unknown>): SummaryVmRow {
  return {
    inventoryId: num(r.inventory_id),
    name: String(r.name),
    vcenter: String(r.vcenter),
    vmId: String(r.vm_id),
    vmUuid: decodeUuid(r.vm_uuid),
    instanceUuid: decodeUuid(r.instance_uuid),
    eventKey: str(r.event_key),
    cloudId: str(r.cloud_id),
    creationTime: num(r.creation_time),
    deletionTime: num(r.deletion_time),
    snapshotTime: num(r.snapshot_time),
    resourcePool: str(r.resource_pool),
    tier: (r.tier ?? null) as Tier | null,
    datacenter: str(r.datacenter),
    cluster: str(r.cluster),
    folder: str(r.folder),
    provisionedDisk: Number(r.provisioned_disk),
    vcpuCount: num(r.vcpu_count),
    ramGb: Number(r.ram_gb),
    isTemplate: num(r.is_template) === 1,
    poweredOn: num(r.powered_on) === 1,
    srmPlaceholder: num(r.srm_placeholder) === 1,
    samplesPresent: num(r.samples_present),
    totalSamples: num(r.total_samples),
    avgIsPresent: Number(r.avg_is_present),
    avgVcpuCount: Number(r.avg_vcpu_count),
    avgRamGb: Number(r.avg_ram_gb),
    avgProvisionedDisk: Number(r.avg_provisioned_disk),
    poolTinPct: Number(r.pool_tin_pct),
    poolBronzePct: Number(r.pool_bronze_pct),
    poolSilverPct: Number(r.pool_silver_pct),
    poolGoldPct: Number(r.pool_gold_pct),
    tin: Number(r.tin),
    bronze: Number(r.bronze),
    silver: Number(r.silver),
    gold: Number(r.gold),
    cost: moneyFromRow(r),
  };
}

/** A summary row's money columns (cost_vcpu .. cost_total). */
function moneyFromRow(r: Record<string, unknown>): Money {
  return { vcpu: Number(r.cost_vcpu), ram: Number(r.cost_ram), disk: Number(r.cost_disk), vm: Number(r.cost_vm), total: Number(r.cost_total) };
}

/**
 * One page of summary rows with only the columns totals and the Cost and Allocation sheets need:
 * the first of the report's two passes reads half of the columns, and no text but the name.
 */
export async function readSummaryTotalsPage(
  db: SqlExecutor,
  kind: PeriodKind,
  vcenterId: number,
  periodStart: number,
  afterInventoryId: number,
  limit: number,
): Promise<SummaryTotalsRow[]> {
  const { table, period } = SUMMARY_TABLE[kind];
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.lifecycle_id, r.name, l.vm_id, r.placement_id, r.attributes_id, p.cluster, r.is_template, r.powered_on, r.srm_placeholder,
           r.samples_present, r.sum_vcpu, r.sum_ram_mb, r.sum_disk_centigb, r.tin_hits, r.bronze_hits, r.silver_hits, r.gold_hits,
           r.avg_is_present, r.avg_vcpu_count, r.avg_ram_gb, r.avg_provisioned_disk, r.cost_vcpu, r.cost_ram, r.cost_disk, r.cost_vm, r.cost_total
    FROM ${sql.raw(table)} r JOIN vm_placements p ON p.id = r.placement_id JOIN vm_lifecycle l ON l.id = r.lifecycle_id
    WHERE r.vcenter_id = ${vcenterId} AND r.${sql.raw(period)} = ${periodStart} AND r.lifecycle_id > ${afterInventoryId}
    ORDER BY r.lifecycle_id LIMIT ${limit}`);
  return rows.map((r) => ({
    inventoryId: num(r.lifecycle_id),
    name: String(r.name),
    vmId: String(r.vm_id),
    placementId: num(r.placement_id),
    attributesId: num(r.attributes_id),
    cluster: str(r.cluster),
    isTemplate: num(r.is_template) === 1,
    poweredOn: num(r.powered_on) === 1,
    srmPlaceholder: num(r.srm_placeholder) === 1,
    ...sumsFromRow(r),
    avgIsPresent: Number(r.avg_is_present),
    avgVcpuCount: Number(r.avg_vcpu_count),
    avgRamGb: Number(r.avg_ram_gb),
    avgProvisionedDisk: Number(r.avg_provisioned_disk),
    money: moneyFromRow(r),
  }));
}

/** A span as the interval rule reads it, with what the charge rules classify it by and its VM's lifecycle. */
export interface IntervalSpanRow {
  lifecycleId: number;
  firstSeen: number;
  lastSeen: number | null;
  name: string;
  tier: Tier | null;
  cluster: string | null;
  vcpuCount: number;
  ramGb: number;
  provisionedDiskGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
  creationTime: number;
  deletionTime: number;
}

/**
 * Spans that can matter to the intervals of [start, ...) read from snapshots up to `lastSnapshot`:
 * those reaching `start` or later (present in a chosen snapshot), and every span of a VM deleted
 * after `start` (its last state counts for the hour it was deleted in).
 */
export async function readIntervalSpans(db: SqlExecutor, vcenterId: number, start: number, lastSnapshot: number): Promise<IntervalSpanRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT s.lifecycle_id, s.first_seen, s.last_seen, s.name, p.tier, p.cluster, s.vcpu_count, s.ram_gb, s.provisioned_disk_gb,
           s.is_template, s.powered_on, s.srm_placeholder, l.creation_time, l.deletion_time
    FROM vm_spans s
    JOIN vm_lifecycle l ON l.id = s.lifecycle_id
    JOIN vm_placements p ON p.id = s.placement_id
    WHERE s.vcenter_id = ${vcenterId} AND s.first_seen <= ${lastSnapshot}
      AND (s.last_seen IS NULL OR s.last_seen >= ${start} OR l.deletion_time > ${start})`);
  return rows.map((r) => ({
    lifecycleId: num(r.lifecycle_id),
    firstSeen: num(r.first_seen),
    lastSeen: r.last_seen == null ? null : num(r.last_seen),
    name: String(r.name),
    tier: (r.tier ?? null) as Tier | null,
    cluster: str(r.cluster),
    vcpuCount: num(r.vcpu_count),
    ramGb: Number(r.ram_gb),
    provisionedDiskGb: Number(r.provisioned_disk_gb),
    isTemplate: num(r.is_template) === 1,
    poweredOn: num(r.powered_on) === 1,
    srmPlaceholder: num(r.srm_placeholder) === 1,
    creationTime: num(r.creation_time),
    deletionTime: num(r.deletion_time),
  }));
}

export interface PeriodTotalsRow {
  vcenterId: number;
  vcenter: string;
  time: number;
  totals: VcenterTotals;
  expectedSamples: number | null;
  presentSamples: number | null;
}

/** Rows of vcenter_aggregate_totals of `kind` in [start, end), by time then vCenter. */
export async function readAggregateTotals(db: SqlExecutor, kind: RegistryKind, start: number, end: number): Promise<PeriodTotalsRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT t.*, v.name AS vcenter FROM vcenter_aggregate_totals t JOIN vcenters v ON v.id = t.vcenter_id
    WHERE t.kind = ${kind} AND t.snapshot_time >= ${start} AND t.snapshot_time < ${end}
    ORDER BY t.snapshot_time, v.name`);
  return rows.map((r) => ({
    vcenterId: num(r.vcenter_id),
    vcenter: String(r.vcenter),
    time: num(r.snapshot_time),
    totals: totalsFromRow(r),
    expectedSamples: r.expected_samples == null ? null : num(r.expected_samples),
    presentSamples: r.present_samples == null ? null : num(r.present_samples),
  }));
}
