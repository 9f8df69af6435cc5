// Reads behind `vctp trace`: which VMs an argument names, and one VM's spans and daily summaries.
// Everything here reads the span tables directly rather than the vm_hourly_stats view: the view
// has no way to narrow to one VM before joining every span to every registry time, while a VM has
// a handful of spans and the registry times of a window are one index range.
import { sql, type SQL } from 'drizzle-orm';
import type { Tier } from '../core/tiers.js';
import type { Dialect, SqlExecutor } from './executor.js';
import { chunks, inList, num } from './sql-util.js';
import { decodeUuid, encodeUuid } from './uuid-codec.js';
import type { SummaryValues } from '../core/summary-values.js';
import { summaryValuesFromRow } from './summary-repository.js';

export type TraceMatch = 'vm_id' | 'name' | 'uuid';

/** A VM (one vm_lifecycle row) that the trace argument names. */
export interface TraceTarget {
  lifecycleId: number;
  vcenterId: number;
  vcenter: string;
  vmId: string;
  creationTime: number;
  deletionTime: number;
  firstSeen: number;
  /** NULL while the VM is present in its vCenter's latest snapshot. */
  lastSeen: number | null;
  matchedBy: TraceMatch[];
}

export interface TraceState {
  name: string;
  vmUuid: string | null;
  instanceUuid: string | null;
  eventKey: string | null;
  cloudId: string | null;
  resourcePool: string | null;
  tier: Tier | null;
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
  provisionedDiskGb: number;
  vcpuCount: number;
  ramGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
}

export interface TraceSpan {
  lifecycleId: number;
  firstSeen: number;
  lastSeen: number | null;
  state: TraceState;
}

/**
 * Identity rows whose vm_uuid or instance_uuid is `value` as given, in lower case or in upper
 * case: exact comparisons, so no function runs on every identity row. vCenter gives UUIDs in one
 * case (lower), so this ignores the case of the argument. On SQLite a canonical (lowercase) UUID
 * is stored as a 16-byte blob (uuid-codec.ts), so the argument is also encoded that way.
 */
export function uuidCondition(dialect: Dialect, value: string): SQL {
  const forms: unknown[] = [...new Set([value, value.toLowerCase(), value.toUpperCase()])];
  const blob = encodeUuid(dialect, value.toLowerCase());
  if (Buffer.isBuffer(blob)) forms.push(blob);
  const list = sql.join(
    forms.map((f) => sql`${f}`),
    sql`, `,
  );
  return sql`(vm_uuid IN (${list}) OR instance_uuid IN (${list}))`;
}

const UUID_SHAPE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Whether `value` could be a config.uuid or config.instanceUuid (32 hex digits, dashed or not, any
 * case). Only such a value is looked up among the uuids: that lookup scans vm_identities and then
 * vm_spans (neither has an index on it), and a name lookup should not pay for it.
 */
export function isUuidShaped(value: string): boolean {
  return UUID_SHAPE.test(value);
}

/**
 * Names compare case-insensitively in ASCII letters on both databases: SQLite's lower() folds
 * ASCII only, and PostgreSQL's under the "C" collation does the same (and is several times faster
 * than a locale-aware lower()). The expression is exactly the one vm_spans_name_lower indexes on
 * each database (src/store/schema), so the planner finds the name by that index.
 */
export function lowerName(dialect: Dialect): SQL {
  return dialect === 'postgres' ? sql`lower(name COLLATE "C")` : sql`lower(name)`;
}

/** `value` in lower case as lowerName() folds it: ASCII letters only. */
export function asciiLower(value: string): string {
  return value.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function nameCondition(dialect: Dialect, value: string): SQL {
  return sql`${lowerName(dialect)} = ${asciiLower(value)}`;
}

/**
 * The VMs of the given vCenters that `value` names: by managed object id (the unique index on
 * (vcenter_id, vm_id)), by any name the VM has had in its span history, ignoring ASCII case (the
 * index vm_spans_name_lower), or, when `value` is shaped like a uuid, by config.uuid /
 * config.instanceUuid (a scan of vm_identities and of vm_spans: no index serves it).
 */
export async function findTraceTargets(db: SqlExecutor, value: string, vcenterIds: readonly number[]): Promise<TraceTarget[]> {
  if (vcenterIds.length === 0) return [];
  const vcs = inList(vcenterIds);
  const vmIds = [...new Set([value, value.toLowerCase()])];
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT l.id, l.vcenter_id, v.name AS vcenter, l.vm_id, l.creation_time, l.deletion_time, l.first_seen, l.last_seen, m.matched_by
    FROM (
      SELECT id AS lifecycle_id, 'vm_id' AS matched_by FROM vm_lifecycle WHERE vcenter_id IN (${vcs}) AND vm_id IN (${inList(vmIds)})
      UNION
      SELECT lifecycle_id, 'name' AS matched_by FROM vm_spans WHERE vcenter_id IN (${vcs}) AND ${nameCondition(db.dialect, value)}
      ${isUuidShaped(value) ? sql`UNION
      SELECT lifecycle_id, 'uuid' AS matched_by FROM vm_spans
      WHERE vcenter_id IN (${vcs}) AND identity_id IN (SELECT id FROM vm_identities WHERE ${uuidCondition(db.dialect, value)})` : sql``}
    ) m
    JOIN vm_lifecycle l ON l.id = m.lifecycle_id
    JOIN vcenters v ON v.id = l.vcenter_id
    ORDER BY v.name, l.first_seen, l.vm_id`);
  const byId = new Map<number, TraceTarget>();
  for (const r of rows) {
    const id = num(r.id);
    const matched = String(r.matched_by) as TraceMatch;
    const known = byId.get(id);
    if (known) {
      if (!known.matchedBy.includes(matched)) known.matchedBy.push(matched);
      continue;
    }
    byId.set(id, {
      lifecycleId: id,
      vcenterId: num(r.vcenter_id),
      vcenter: String(r.vcenter),
      vmId: String(r.vm_id),
      creationTime: num(r.creation_time),
      deletionTime: num(r.deletion_time),
      firstSeen: num(r.first_seen),
      lastSeen: r.last_seen == null ? null : num(r.last_seen),
      matchedBy: [matched],
    });
  }
  for (const target of byId.values()) target.matchedBy.sort();
  return [...byId.values()];
}

/**
 * The spans of these VMs that start by `until`, in order, with their identity and placement values
 * (by the index vm_spans_lifecycle).
 */
export async function readTraceSpans(db: SqlExecutor, targets: readonly TraceTarget[], until: number): Promise<TraceSpan[]> {
  if (targets.length === 0) return [];
  const vcenterIds = [...new Set(targets.map((t) => t.vcenterId))];
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT s.lifecycle_id, s.first_seen, s.last_seen, s.name, s.provisioned_disk_gb, s.vcpu_count, s.ram_gb,
           s.is_template, s.powered_on, s.srm_placeholder, i.vm_uuid, i.instance_uuid, i.event_key, i.cloud_id,
           p.resource_pool, p.tier, p.datacenter, p.cluster, p.folder
    FROM vm_spans s
    JOIN vm_identities i ON i.id = s.identity_id
    JOIN vm_placements p ON p.id = s.placement_id
    WHERE s.vcenter_id IN (${inList(vcenterIds)}) AND s.lifecycle_id IN (${inList(targets.map((t) => t.lifecycleId))})
      AND s.first_seen <= ${until}
    ORDER BY s.lifecycle_id, s.first_seen`);
  const text = (v: unknown) => (v == null ? null : String(v));
  return rows.map((r) => ({
    lifecycleId: num(r.lifecycle_id),
    firstSeen: num(r.first_seen),
    lastSeen: r.last_seen == null ? null : num(r.last_seen),
    state: {
      name: String(r.name),
      vmUuid: decodeUuid(r.vm_uuid),
      instanceUuid: decodeUuid(r.instance_uuid),
      eventKey: text(r.event_key),
      cloudId: text(r.cloud_id),
      resourcePool: text(r.resource_pool),
      tier: text(r.tier) as Tier | null,
      datacenter: text(r.datacenter),
      cluster: text(r.cluster),
      folder: text(r.folder),
      provisionedDiskGb: Number(r.provisioned_disk_gb),
      vcpuCount: num(r.vcpu_count),
      ramGb: Number(r.ram_gb),
      isTemplate: num(r.is_template) === 1,
      poweredOn: num(r.powered_on) === 1,
      srmPlaceholder: num(r.srm_placeholder) === 1,
    },
  }));
}

/** The vCenter's hourly snapshot times in [from, to], and the latest one before `from` (or null). */
export async function readTraceTimes(db: SqlExecutor, vcenterId: number, from: number, to: number): Promise<{ times: number[]; before: number | null }> {
  const rows = await db.all<{ t: number }>(sql`
    SELECT snapshot_time AS t FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time >= ${from} AND snapshot_time <= ${to}
    ORDER BY snapshot_time`);
  const before = await db.all<{ t: number | null }>(sql`
    SELECT MAX(snapshot_time) AS t FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time < ${from}`);
  return { times: rows.map((r) => num(r.t)), before: before[0]?.t == null ? null : num(before[0].t) };
}

export interface TraceDailyRow extends SummaryValues {
  day: number;
  name: string;
  resourcePool: string | null;
  tier: Tier | null;
  vcpuCount: number;
  ramGb: number;
  provisionedDiskGb: number;
  poweredOn: boolean;
  samplesPresent: number;
  totalSamples: number;
  /** From the day's registry row: samples the cadence expected (null if the row predates that column). */
  expectedSamples: number | null;
}

const DAY = 86_400;

/**
 * One VM's vm_daily_rollup rows with day in [fromDay, toDay] (fromDay at 00:00 UTC). The primary key
 * is (vcenter_id, day, lifecycle_id): a range of days would read every VM of the vCenter on each day
 * of it (fleet-L: 19 ms for 45 days of 5,000 VMs), so the days are listed and each is one lookup of
 * the key. Days outside the VM's lifecycle (before its first snapshot, after its last) hold none
 * of its rows and are not asked for.
 */
export async function readTraceDaily(db: SqlExecutor, target: TraceTarget, fromDay: number, toDay: number): Promise<TraceDailyRow[]> {
  const first = Math.max(fromDay, target.firstSeen - (target.firstSeen % DAY));
  const last = Math.min(toDay, target.lastSeen ?? toDay);
  const days: number[] = [];
  for (let day = first; day <= last; day += DAY) days.push(day);
  const rows: Record<string, unknown>[] = [];
  for (const some of chunks(days)) rows.push(...(await readDailyRows(db, target, some)));
  return rows.map((r) => ({
    day: num(r.day),
    name: String(r.name),
    resourcePool: r.resource_pool == null ? null : String(r.resource_pool),
    tier: (r.tier ?? null) as Tier | null,
    vcpuCount: num(r.vcpu_count),
    ramGb: Number(r.ram_gb),
    provisionedDiskGb: Number(r.provisioned_disk_gb),
    poweredOn: num(r.powered_on) === 1,
    samplesPresent: num(r.samples_present),
    totalSamples: num(r.total_samples),
    expectedSamples: r.expected_samples == null ? null : num(r.expected_samples),
    ...summaryValuesFromRow(r),
  }));
}

async function readDailyRows(db: SqlExecutor, target: TraceTarget, days: readonly number[]): Promise<Record<string, unknown>[]> {
  return db.all<Record<string, unknown>>(sql`
    SELECT d.day, d.name, p.resource_pool, p.tier, d.vcpu_count, d.ram_gb, d.provisioned_disk_gb, d.powered_on,
           d.samples_present, d.total_samples, r.expected_samples, d.avg_is_present, d.avg_vcpu_count, d.avg_ram_gb,
           d.avg_provisioned_disk, d.pool_tin_pct, d.pool_bronze_pct, d.pool_silver_pct, d.pool_gold_pct,
           d.tin, d.bronze, d.silver, d.gold
    FROM vm_daily_rollup d
    JOIN vm_placements p ON p.id = d.placement_id
    LEFT JOIN snapshot_registry r ON r.vcenter_id = d.vcenter_id AND r.kind = 'daily' AND r.snapshot_time = d.day
    WHERE d.vcenter_id = ${target.vcenterId} AND d.day IN (${inList(days)}) AND d.lifecycle_id = ${target.lifecycleId}
    ORDER BY d.day`);
}
