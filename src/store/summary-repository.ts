// Reads and writes of the aggregation: sample times, spans of a period, and the daily/monthly
// summary rows with their registry rows and totals.
import { type SQL, sql } from 'drizzle-orm';
import type { CostUnits, Money } from '../core/cost.js';
import type { AggregationSpan, SampleSums, VmPeriodRollup } from '../core/period-rollup.js';
import { lifecycleChangeTimes } from '../core/lifecycle-import.js';
import type { PeriodKind } from '../core/periods.js';
import type { HourlyDay } from '../core/staleness.js';
import type { LifecycleTimes, SummaryRow } from '../core/summary-row.js';
import type { SummaryValues } from '../core/summary-values.js';
import type { Tier } from '../core/tiers.js';
import type { BulkColumn, SqlExecutor } from './executor.js';
import { allArrays, chunks, flag, inList, num } from './sql-util.js';
import { readLifecycleImportRanges } from './vm-lifecycle-repository.js';

export const SUMMARY_TABLE: Record<PeriodKind, { table: string; period: string }> = {
  daily: { table: 'vm_daily_rollup', period: 'day' },
  monthly: { table: 'vm_monthly_summary', period: 'month' },
};

/** The vCenter's hourly snapshot times in [start, end), ascending. */
export async function readSampleTimes(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<number[]> {
  const rows = await db.all<{ t: number }>(sql`
    SELECT snapshot_time AS t FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time >= ${start} AND snapshot_time < ${end}
    ORDER BY snapshot_time`);
  return rows.map((r) => num(r.t));
}

const SPAN_COLUMNS = sql`s.lifecycle_id, s.first_seen, s.last_seen, s.name, s.identity_id, s.placement_id, p.tier, p.cluster,
           s.provisioned_disk_gb, s.vcpu_count, s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder, s.attributes_id`;
const spansOfPeriod = (vcenterId: number, start: number, end: number): SQL =>
  sql`s.vcenter_id = ${vcenterId} AND s.first_seen < ${end} AND (s.last_seen IS NULL OR s.last_seen >= ${start})`;

/** Spans of the vCenter that can hold a sample in [start, end). */
export async function readPeriodSpans(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<AggregationSpan[]> {
  const rows = await allArrays(db, sql`
    SELECT ${SPAN_COLUMNS}
    FROM vm_spans s JOIN vm_placements p ON p.id = s.placement_id
    WHERE ${spansOfPeriod(vcenterId, start, end)}`);
  return rows.map(spanFromArray);
}

/**
 * readPeriodSpans with the creation and deletion times of the spans' VMs, joined into the same read
 * (the VMs of the period only, not every VM the vCenter ever had). The placements' tier and cluster
 * come from the placement dictionary, read whole (a few thousand rows at most), not joined per span:
 * on fleet-L the join cost a fifth of the read (30 of 150 ms a month of 8 vCenters, measured). As
 * the inner join did, a span whose placement is missing is left out (placements are never deleted).
 */
export async function readPeriodSpansWithLifecycle(
  db: SqlExecutor,
  vcenterId: number,
  start: number,
  end: number,
): Promise<{ spans: AggregationSpan[]; lifecycle: Map<number, LifecycleTimes> }> {
  const placements = new Map<number, unknown[]>();
  for (const p of await allArrays(db, sql`SELECT id, tier, cluster FROM vm_placements`)) placements.set(num(p[0]), p);
  const rows = await allArrays(db, sql`
    SELECT s.lifecycle_id, s.first_seen, s.last_seen, s.name, s.identity_id, s.placement_id,
           s.provisioned_disk_gb, s.vcpu_count, s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder, s.attributes_id,
           l.id, l.creation_time, l.deletion_time
    FROM vm_spans s LEFT JOIN vm_lifecycle l ON l.id = s.lifecycle_id
    WHERE ${spansOfPeriod(vcenterId, start, end)}`);
  const spans: AggregationSpan[] = [];
  const lifecycle = new Map<number, LifecycleTimes>();
  for (const r of rows) {
    const placement = placements.get(num(r[5]));
    if (placement === undefined) continue;
    const lifecycleId = num(r[0]);
    spans.push({
      lifecycleId,
      firstSeen: num(r[1]),
      lastSeen: r[2] == null ? null : num(r[2]),
      name: String(r[3]),
      identityId: num(r[4]),
      placementId: num(r[5]),
      tier: (placement[1] ?? null) as Tier | null,
      cluster: placement[2] == null ? null : String(placement[2]),
      provisionedDiskGb: Number(r[6]),
      vcpuCount: num(r[7]),
      ramGb: Number(r[8]),
      isTemplate: num(r[9]) === 1,
      poweredOn: num(r[10]) === 1,
      srmPlaceholder: num(r[11]) === 1,
      attributesId: num(r[12]),
    });
    if (r[13] != null && !lifecycle.has(lifecycleId)) lifecycle.set(lifecycleId, { creationTime: num(r[14]), deletionTime: num(r[15]) });
  }
  return { spans, lifecycle };
}

/** A span from a row of SPAN_COLUMNS (values in that order), converted as spanFromRow does. */
function spanFromArray(r: unknown[]): AggregationSpan {
  return {
    lifecycleId: num(r[0]),
    firstSeen: num(r[1]),
    lastSeen: r[2] == null ? null : num(r[2]),
    name: String(r[3]),
    identityId: num(r[4]),
    placementId: num(r[5]),
    tier: (r[6] ?? null) as Tier | null,
    cluster: r[7] == null ? null : String(r[7]),
    provisionedDiskGb: Number(r[8]),
    vcpuCount: num(r[9]),
    ramGb: Number(r[10]),
    isTemplate: num(r[11]) === 1,
    poweredOn: num(r[12]) === 1,
    srmPlaceholder: num(r[13]) === 1,
    attributesId: num(r[14]),
  };
}

/** A span (or a summary's latest sample) from a row with the span's column names. */
function spanFromRow(r: Record<string, unknown>, firstSeen: number, lastSeen: number | null): AggregationSpan {
  return {
    lifecycleId: num(r.lifecycle_id),
    firstSeen,
    lastSeen,
    name: String(r.name),
    identityId: num(r.identity_id),
    placementId: num(r.placement_id),
    tier: (r.tier ?? null) as Tier | null,
    cluster: r.cluster == null ? null : String(r.cluster),
    provisionedDiskGb: Number(r.provisioned_disk_gb),
    vcpuCount: num(r.vcpu_count),
    ramGb: Number(r.ram_gb),
    isTemplate: num(r.is_template) === 1,
    poweredOn: num(r.powered_on) === 1,
    srmPlaceholder: num(r.srm_placeholder) === 1,
    attributesId: num(r.attributes_id),
  };
}

/** The spec's summary fields of a summary row, as stored. */
export function summaryValuesFromRow(r: Record<string, unknown>): SummaryValues {
  return {
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
  };
}

/** The integer sample sums of a summary row (or of a GROUP BY over summary rows). */
export function sumsFromRow(r: Record<string, unknown>): SampleSums {
  return {
    samplesPresent: num(r.samples_present),
    sumVcpu: num(r.sum_vcpu),
    sumRamMb: num(r.sum_ram_mb),
    sumDiskCentiGb: num(r.sum_disk_centigb),
    tinHits: num(r.tin_hits),
    bronzeHits: num(r.bronze_hits),
    silverHits: num(r.silver_hits),
    goldHits: num(r.gold_hits),
  };
}

/** The cost units of a summary row (or of a GROUP BY over summary rows). */
export function costUnitsFromRow(r: Record<string, unknown>): CostUnits {
  return {
    vcpu: num(r.cost_vcpu_units),
    ram: num(r.cost_ram_units),
    disk: num(r.cost_disk_units),
    vm: num(r.cost_vm_units),
    template: num(r.cost_template_units),
    srm: num(r.cost_srm_units),
    node: num(r.cost_node_units),
  };
}

export async function readLifecycleTimes(db: SqlExecutor, vcenterId: number): Promise<Map<number, LifecycleTimes>> {
  const rows = await allArrays(db, sql`SELECT id, creation_time, deletion_time FROM vm_lifecycle WHERE vcenter_id = ${vcenterId}`);
  const map = new Map<number, LifecycleTimes>();
  for (const r of rows) map.set(num(r[0]), { creationTime: num(r[1]), deletionTime: num(r[2]) });
  return map;
}

export function summaryColumns(kind: PeriodKind): BulkColumn[] {
  const int = (name: string): BulkColumn => ({ name, type: 'int' });
  const big = (name: string): BulkColumn => ({ name, type: 'bigint' });
  const float = (name: string): BulkColumn => ({ name, type: 'float' });
  return [
    int('vcenter_id'),
    int('lifecycle_id'),
    big(SUMMARY_TABLE[kind].period),
    big('snapshot_time'),
    { name: 'name', type: 'text' },
    int('identity_id'),
    int('placement_id'),
    float('provisioned_disk_gb'),
    int('vcpu_count'),
    float('ram_gb'),
    int('is_template'),
    int('powered_on'),
    int('srm_placeholder'),
    big('creation_time'),
    big('deletion_time'),
    int('samples_present'),
    int('total_samples'),
    big('sum_vcpu'),
    big('sum_ram_mb'),
    big('sum_disk_centigb'),
    int('tin_hits'),
    int('bronze_hits'),
    int('silver_hits'),
    int('gold_hits'),
    float('avg_is_present'),
    float('avg_vcpu_count'),
    float('avg_ram_gb'),
    float('avg_provisioned_disk'),
    float('pool_tin_pct'),
    float('pool_bronze_pct'),
    float('pool_silver_pct'),
    float('pool_gold_pct'),
    float('tin'),
    float('bronze'),
    float('silver'),
    float('gold'),
    int('attributes_id'),
    ...SUMMARY_COST_UNIT_COLUMNS.map(big),
    ...SUMMARY_MONEY_COLUMNS.map(float),
  ];
}

/** The seven cost numerators of a summary row, in column order (src/core/cost.ts CostUnits). */
export const SUMMARY_COST_UNIT_COLUMNS = [
  'cost_vcpu_units',
  'cost_ram_units',
  'cost_disk_units',
  'cost_vm_units',
  'cost_template_units',
  'cost_srm_units',
  'cost_node_units',
] as const;

/** The money of a summary row, in column order (src/core/cost.ts Money). */
export const SUMMARY_MONEY_COLUMNS = ['cost_vcpu', 'cost_ram', 'cost_disk', 'cost_vm', 'cost_total'] as const;

function rowValues(r: SummaryRow): unknown[] {
  const l = r.latest;
  return [
    r.vcenterId,
    r.lifecycleId,
    r.periodStart,
    r.snapshotTime,
    l.name,
    l.identityId,
    l.placementId,
    l.provisionedDiskGb,
    l.vcpuCount,
    l.ramGb,
    flag(l.isTemplate),
    flag(l.poweredOn),
    flag(l.srmPlaceholder),
    r.creationTime,
    r.deletionTime,
    r.samplesPresent,
    r.totalSamples,
    r.sumVcpu,
    r.sumRamMb,
    r.sumDiskCentiGb,
    r.tinHits,
    r.bronzeHits,
    r.silverHits,
    r.goldHits,
    r.avgIsPresent,
    r.avgVcpuCount,
    r.avgRamGb,
    r.avgProvisionedDisk,
    r.poolTinPct,
    r.poolBronzePct,
    r.poolSilverPct,
    r.poolGoldPct,
    r.tin,
    r.bronze,
    r.silver,
    r.gold,
    l.attributesId,
    r.cost.vcpu,
    r.cost.ram,
    r.cost.disk,
    r.cost.vm,
    r.cost.template,
    r.cost.srm,
    r.cost.node,
    r.money.vcpu,
    r.money.ram,
    r.money.disk,
    r.money.vm,
    r.money.total,
  ];
}

export async function deleteSummaryRows(tx: SqlExecutor, kind: PeriodKind, vcenterId: number, periodStart: number): Promise<void> {
  const { table, period } = SUMMARY_TABLE[kind];
  await tx.run(sql`DELETE FROM ${sql.raw(table)} WHERE vcenter_id = ${vcenterId} AND ${sql.raw(period)} = ${periodStart}`);
}

export async function insertSummaryRows(tx: SqlExecutor, kind: PeriodKind, rows: readonly SummaryRow[]): Promise<void> {
  await tx.insertRows(SUMMARY_TABLE[kind].table, summaryColumns(kind), rows.map(rowValues));
}

export interface SummaryRegistryRow {
  vcenterId: number;
  kind: PeriodKind;
  periodStart: number;
  rowCount: number;
  durationMs: number;
  createdAt: number;
  expectedSamples: number;
  totalSamples: number;
}

export async function upsertSummaryRegistry(tx: SqlExecutor, r: SummaryRegistryRow): Promise<void> {
  await tx.run(sql`
    INSERT INTO snapshot_registry (vcenter_id, kind, snapshot_time, row_count, duration_ms, created_at, expected_samples, total_samples)
    VALUES (${r.vcenterId}, ${r.kind}, ${r.periodStart}, ${r.rowCount}, ${Math.round(r.durationMs)}, ${r.createdAt}, ${r.expectedSamples}, ${r.totalSamples})
    ON CONFLICT (vcenter_id, kind, snapshot_time) DO UPDATE SET row_count = excluded.row_count, duration_ms = excluded.duration_ms,
      created_at = excluded.created_at, expected_samples = excluded.expected_samples, total_samples = excluded.total_samples`);
}

/** A period's stored rows whose latest name is one of `names` (the sql engine's active/active VMs). */
export async function readSummaryRowsNamed(
  db: SqlExecutor,
  kind: PeriodKind,
  vcenterId: number,
  periodStart: number,
  names: readonly string[],
): Promise<{ row: Record<string, unknown>; cluster: string | null }[]> {
  const { table, period } = SUMMARY_TABLE[kind];
  const out: { row: Record<string, unknown>; cluster: string | null }[] = [];
  for (const chunk of chunks(names)) {
    const rows = await db.all<Record<string, unknown>>(sql`
      SELECT r.lifecycle_id, r.name, r.is_template, r.powered_on, r.srm_placeholder, r.samples_present, r.sum_vcpu, r.sum_ram_mb,
             r.sum_disk_centigb, r.tin_hits, r.bronze_hits, r.silver_hits, r.gold_hits,
             ${sql.raw(SUMMARY_COST_UNIT_COLUMNS.map((c) => `r.${c}`).join(', '))}, p.cluster
      FROM ${sql.raw(table)} r JOIN vm_placements p ON p.id = r.placement_id
      WHERE r.vcenter_id = ${vcenterId} AND r.${sql.raw(period)} = ${periodStart} AND r.name IN (${inList(chunk)})`);
    out.push(...rows.map((row) => ({ row, cluster: row.cluster == null ? null : String(row.cluster) })));
  }
  return out;
}

/** Every cluster name placements hold (a few per vCenter): the SQL engine matches node_charge_clusters against them. */
export async function readPlacementClusters(db: SqlExecutor): Promise<string[]> {
  const rows = await db.all<{ cluster: string }>(sql`SELECT DISTINCT cluster FROM vm_placements WHERE cluster IS NOT NULL`);
  return rows.map((r) => String(r.cluster));
}

/** Rewrites the money of some stored summary rows (the SQL engine's active/active VMs). */
export async function updateSummaryMoney(
  tx: SqlExecutor,
  kind: PeriodKind,
  vcenterId: number,
  periodStart: number,
  rows: readonly { lifecycleId: number; money: Money }[],
): Promise<void> {
  const { table, period } = SUMMARY_TABLE[kind];
  for (const { lifecycleId, money } of rows) {
    await tx.run(sql`
      UPDATE ${sql.raw(table)} SET cost_vcpu = ${money.vcpu}, cost_ram = ${money.ram}, cost_disk = ${money.disk},
        cost_vm = ${money.vm}, cost_total = ${money.total}
      WHERE vcenter_id = ${vcenterId} AND ${sql.raw(period)} = ${periodStart} AND lifecycle_id = ${lifecycleId}`);
  }
}

/** The statement of readMonthFromDaily (also the benchmark floor's read of a month's daily rows). */
export function monthFromDailySql(vcenterId: number, start: number, end: number): SQL {
  return sql`
    SELECT g.lifecycle_id, g.samples_present, g.sum_vcpu, g.sum_ram_mb, g.sum_disk_centigb,
           g.tin_hits, g.bronze_hits, g.silver_hits, g.gold_hits,
           g.cost_vcpu_units, g.cost_ram_units, g.cost_disk_units, g.cost_vm_units,
           g.cost_template_units, g.cost_srm_units, g.cost_node_units,
           d.snapshot_time, d.name, d.identity_id, d.placement_id, d.provisioned_disk_gb, d.vcpu_count, d.ram_gb,
           d.is_template, d.powered_on, d.srm_placeholder, d.attributes_id, p.tier, p.cluster
    FROM (
      SELECT lifecycle_id, SUM(samples_present) AS samples_present, SUM(sum_vcpu) AS sum_vcpu, SUM(sum_ram_mb) AS sum_ram_mb,
             SUM(sum_disk_centigb) AS sum_disk_centigb, SUM(tin_hits) AS tin_hits, SUM(bronze_hits) AS bronze_hits,
             SUM(silver_hits) AS silver_hits, SUM(gold_hits) AS gold_hits,
             SUM(cost_vcpu_units) AS cost_vcpu_units, SUM(cost_ram_units) AS cost_ram_units,
             SUM(cost_disk_units) AS cost_disk_units, SUM(cost_vm_units) AS cost_vm_units,
             SUM(cost_template_units) AS cost_template_units, SUM(cost_srm_units) AS cost_srm_units,
             SUM(cost_node_units) AS cost_node_units, MAX(day) AS last_day
      FROM vm_daily_rollup
      WHERE vcenter_id = ${vcenterId} AND day >= ${start} AND day < ${end}
      GROUP BY lifecycle_id
    ) g
    JOIN vm_daily_rollup d ON d.vcenter_id = ${vcenterId} AND d.lifecycle_id = g.lifecycle_id AND d.day = g.last_day
    JOIN vm_placements p ON p.id = d.placement_id`;
}

/**
 * A month per VM from its daily rows: the integer sums added up in SQL (the month's daily rows are
 * never all brought into the process) and the VM's latest daily row, which holds its latest sample.
 */
export async function readMonthFromDaily(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<VmPeriodRollup[]> {
  const rows = await db.all<Record<string, unknown>>(monthFromDailySql(vcenterId, start, end));
  return rows.map((r) => ({
    lifecycleId: num(r.lifecycle_id),
    snapshotTime: num(r.snapshot_time),
    ...sumsFromRow(r),
    cost: costUnitsFromRow(r),
    latest: spanFromRow(r, num(r.snapshot_time), num(r.snapshot_time)),
  }));
}

export interface DailyRegistryEntry {
  day: number;
  totalSamples: number;
  createdAt: number;
}

/** The daily summaries registered in [start, end). */
export async function readDailyRegistry(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<DailyRegistryEntry[]> {
  const rows = await db.all<{ snapshot_time: number; total_samples: number | null; created_at: number }>(sql`
    SELECT snapshot_time, total_samples, created_at FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'daily' AND snapshot_time >= ${start} AND snapshot_time < ${end}
    ORDER BY snapshot_time`);
  return rows.map((r) => ({ day: num(r.snapshot_time), totalSamples: num(r.total_samples), createdAt: num(r.created_at) }));
}

/** Per UTC day in [start, end) that has hourly snapshots: their count and when the newest was stored. */
export async function readHourlyDays(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<HourlyDay[]> {
  const rows = await db.all<{ day: number; samples: number; stored_at: number }>(sql`
    SELECT snapshot_time - (snapshot_time % 86400) AS day, COUNT(*) AS samples, MAX(created_at) AS stored_at
    FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time >= ${start} AND snapshot_time < ${end}
    GROUP BY snapshot_time - (snapshot_time % 86400)
    ORDER BY 1`);
  // A VM's creation or deletion time corrected by hand (import-vm) since makes the day's summary stale too.
  const changed = lifecycleChangeTimes(rows.map((r) => num(r.day)), await readLifecycleImportRanges(db, vcenterId, start, end));
  return rows.map((r) => {
    const lifecycleChangedAt = changed.get(num(r.day));
    return { day: num(r.day), samples: num(r.samples), storedAt: num(r.stored_at), ...(lifecycleChangedAt ? { lifecycleChangedAt } : {}) };
  });
}
