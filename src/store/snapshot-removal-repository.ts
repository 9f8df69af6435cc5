// The reads and writes of `vctp snapshot delete`: the rows around one hourly snapshot that its
// removal touches (src/core/snapshot-removal.ts plans the edits), and the edits themselves with
// the registry row, the totals caches and the summaries of a day or month left without snapshots.
// Everything runs in the caller's one transaction, under the capture lock (excludeCaptures).
// Also the typed readers of a vCenter's stored hourly history that tests compare stores with.
import { sql, type SQL } from 'drizzle-orm';
import { formatMonth, monthPeriod } from '../core/periods.js';
import type { LifecycleHistory, RemovalLifecycle, RemovalPlan, RemovalSpan } from '../core/snapshot-removal.js';
import type { Tier } from '../core/tiers.js';
import { isRepresentableTime } from '../core/time-bounds.js';
import { NO_ATTRIBUTES } from '../core/vm-attributes.js';
import type { SqlExecutor } from './executor.js';
import { deleteUnusedIdentities } from './retention-repository.js';
import { chunks, inList, num } from './sql-util.js';
import { TOTALS_COLUMNS } from './totals-repository.js';
import { decodeUuid } from './uuid-codec.js';

const DAY = 86_400;
/** Lifecycle ids per IN list: each list is one pass over vm_spans (no index on lifecycle_id), so few and long. */
const LIFECYCLE_CHUNK = 5_000;

/** A vCenter's hourly snapshots around a time: the registered one at it (if any) and its neighbours. */
export interface SnapshotNeighbours {
  /** Row count of the snapshot registered at the time; null: none is. */
  rowCount: number | null;
  previous: number | null;
  next: number | null;
}

export async function readSnapshotNeighbours(db: SqlExecutor, vcenterId: number, t: number): Promise<SnapshotNeighbours> {
  const rows = await db.all<{ at_row_count: number | null; previous: number | null; next: number | null }>(sql`
    SELECT
      (SELECT row_count FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time = ${t}) AS at_row_count,
      (SELECT MAX(snapshot_time) FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time < ${t}) AS previous,
      (SELECT MIN(snapshot_time) FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time > ${t}) AS next`);
  const r = rows[0];
  return {
    rowCount: r?.at_row_count == null ? null : num(r.at_row_count),
    previous: r?.previous == null ? null : num(r.previous),
    next: r?.next == null ? null : num(r.next),
  };
}

/** The vCenter's hourly snapshot times nearest to `t`: up to `each` before and after it, ascending. */
export async function readNearestSnapshots(db: SqlExecutor, vcenterId: number, t: number, each = 3): Promise<number[]> {
  const before = await db.all<{ t: number }>(sql`
    SELECT snapshot_time AS t FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time < ${t}
    ORDER BY snapshot_time DESC LIMIT ${each}`);
  const after = await db.all<{ t: number }>(sql`
    SELECT snapshot_time AS t FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time >= ${t}
    ORDER BY snapshot_time LIMIT ${each}`);
  return [...before.map((r) => num(r.t)).reverse(), ...after.map((r) => num(r.t))];
}

const SPAN_SELECT = sql`
  SELECT s.id, s.lifecycle_id, s.first_seen, s.last_seen, s.identity_id, s.placement_id, s.name,
         i.vm_uuid, i.instance_uuid, i.event_key, i.cloud_id,
         p.resource_pool, p.tier, p.datacenter, p.cluster, p.folder,
         s.provisioned_disk_gb, s.vcpu_count, s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder,
         a.attributes`;
const SPAN_FROM = sql`
  FROM vm_spans s
  JOIN vm_identities i ON i.id = s.identity_id
  JOIN vm_placements p ON p.id = s.placement_id
  LEFT JOIN vm_attribute_sets a ON a.id = s.attributes_id`;

function spanFromRow(r: Record<string, unknown>): RemovalSpan {
  return {
    id: num(r.id),
    lifecycleId: num(r.lifecycle_id),
    firstSeen: num(r.first_seen),
    lastSeen: r.last_seen == null ? null : num(r.last_seen),
    identityId: num(r.identity_id),
    placementId: num(r.placement_id),
    state: {
      name: String(r.name),
      identity: {
        vmUuid: decodeUuid(r.vm_uuid),
        instanceUuid: decodeUuid(r.instance_uuid),
        eventKey: r.event_key == null ? null : String(r.event_key),
        cloudId: r.cloud_id == null ? null : String(r.cloud_id),
      },
      placement: {
        resourcePool: r.resource_pool == null ? null : String(r.resource_pool),
        tier: (r.tier ?? null) as Tier | null,
        datacenter: r.datacenter == null ? null : String(r.datacenter),
        cluster: r.cluster == null ? null : String(r.cluster),
        folder: r.folder == null ? null : String(r.folder),
      },
      provisionedDiskGb: Number(r.provisioned_disk_gb),
      vcpuCount: num(r.vcpu_count),
      ramGb: Number(r.ram_gb),
      isTemplate: num(r.is_template) === 1,
      poweredOn: num(r.powered_on) === 1,
      srmPlaceholder: num(r.srm_placeholder) === 1,
      // Spans that differ in custom attributes or tags only are two states: never merged.
      attributes: r.attributes == null ? NO_ATTRIBUTES : String(r.attributes),
    },
    nextSnapshot: r.next_snapshot == null ? null : num(r.next_snapshot),
  };
}

/**
 * The history of every VM whose spans start or end at `t`, or end at `previous`: what
 * planSnapshotRemoval needs. A VM whose span runs through T unchanged is not affected, and not read.
 */
export async function loadRemovalHistories(
  db: SqlExecutor,
  vcenterId: number,
  t: number,
  previous: number | null,
): Promise<LifecycleHistory[]> {
  const touching = previous === null ? sql`s.first_seen = ${t} OR s.last_seen = ${t}` : sql`s.first_seen = ${t} OR s.last_seen = ${t} OR s.last_seen = ${previous}`;
  const boundary = (await db.all<Record<string, unknown>>(sql`${SPAN_SELECT} ${SPAN_FROM} WHERE s.vcenter_id = ${vcenterId} AND (${touching})`)).map(
    (r) => spanFromRow(r),
  );
  const histories = new Map<number, { endingAtPrevious: RemovalSpan | null; atTime: RemovalSpan | null; after: RemovalSpan[] }>();
  for (const s of boundary) {
    const h = histories.get(s.lifecycleId) ?? { endingAtPrevious: null, atTime: null, after: [] };
    if (s.firstSeen === t || s.lastSeen === t) h.atTime = s;
    else h.endingAtPrevious = s;
    histories.set(s.lifecycleId, h);
  }
  if (histories.size === 0) return [];
  const ids = [...histories.keys()];
  const lifecycles = new Map<number, RemovalLifecycle>();
  const next = sql`(SELECT MIN(r.snapshot_time) FROM snapshot_registry r
    WHERE r.vcenter_id = ${vcenterId} AND r.kind = 'hourly' AND r.snapshot_time > s.last_seen AND r.snapshot_time <> ${t}) AS next_snapshot`;
  for (const chunk of chunks(ids, LIFECYCLE_CHUNK)) {
    const rows = await db.all<Record<string, unknown>>(sql`
      SELECT id, vm_id, creation_time, deletion_time, first_seen, last_seen FROM vm_lifecycle WHERE id IN (${inList(chunk)})`);
    for (const r of rows) {
      lifecycles.set(num(r.id), {
        id: num(r.id),
        vmId: String(r.vm_id),
        creationTime: num(r.creation_time),
        deletionTime: num(r.deletion_time),
        firstSeen: num(r.first_seen),
        lastSeen: r.last_seen == null ? null : num(r.last_seen),
      });
    }
    const after = await db.all<Record<string, unknown>>(sql`
      ${SPAN_SELECT}, ${next} ${SPAN_FROM}
      WHERE s.vcenter_id = ${vcenterId} AND s.first_seen > ${t} AND s.lifecycle_id IN (${inList(chunk)})
      ORDER BY s.lifecycle_id, s.first_seen`);
    for (const r of after) histories.get(num(r.lifecycle_id))!.after.push(spanFromRow(r));
  }
  // Where a VM that came back at T (absent at P, seen before) was last seen before: only those need it.
  const returned = ids.filter((id) => {
    const h = histories.get(id)!;
    return h.endingAtPrevious === null && h.atTime?.firstSeen === t && (lifecycles.get(id)?.firstSeen ?? t) < t;
  });
  const earlier = new Map<number, { lastSeen: number; nextSnapshot: number }>();
  for (const chunk of chunks(returned, LIFECYCLE_CHUNK)) {
    const rows = await db.all<{ lifecycle_id: number; last_seen: number; next_snapshot: number | null }>(sql`
      SELECT e.lifecycle_id, e.last_seen,
             (SELECT MIN(r.snapshot_time) FROM snapshot_registry r
              WHERE r.vcenter_id = ${vcenterId} AND r.kind = 'hourly' AND r.snapshot_time > e.last_seen AND r.snapshot_time <> ${t}) AS next_snapshot
      FROM (SELECT lifecycle_id, MAX(last_seen) AS last_seen FROM vm_spans
            WHERE vcenter_id = ${vcenterId} AND last_seen < ${t} AND lifecycle_id IN (${inList(chunk)})
            GROUP BY lifecycle_id) e`);
    for (const r of rows) {
      // The snapshot after a span's end always exists: the span was closed by a capture after it.
      if (r.next_snapshot != null) earlier.set(num(r.lifecycle_id), { lastSeen: num(r.last_seen), nextSnapshot: num(r.next_snapshot) });
    }
  }
  return ids.map((id) => {
    const lifecycle = lifecycles.get(id);
    if (!lifecycle) throw new Error(`vm_spans refers to lifecycle ${id}, which does not exist`);
    return { lifecycle, ...histories.get(id)!, earlier: earlier.get(id) ?? null };
  });
}

/** What the removal changed besides spans and lifecycle rows. */
export interface RemovalWrite {
  identitiesDeleted: number;
  placementsDeleted: number;
  /** The latest totals now are those of P (T was the latest), or gone (T was the only snapshot). */
  latestTotals: 'unchanged' | 'previous' | 'removed';
  /** Summaries of T's day or month removed because no snapshot of theirs is left. */
  dailySummaryRemoved: boolean;
  monthlySummaryRemoved: boolean;
}

/**
 * Applies `plan` and removes the registry row and hourly totals of `t`. When T was the latest
 * snapshot (`next` null), the latest totals become those of P. A day (month) left without hourly
 * snapshots (and daily summaries) loses its summary too: nothing is left that it summarises, and
 * `vctp repair` only looks at days with snapshots.
 */
export async function applySnapshotRemoval(
  tx: SqlExecutor,
  vcenterId: number,
  at: { time: number; previous: number | null; next: number | null },
  plan: RemovalPlan,
): Promise<RemovalWrite> {
  const t = at.time;
  for (const ids of chunks(plan.deleteSpans)) await tx.run(sql`DELETE FROM vm_spans WHERE id IN (${inList(ids)})`);
  for (const [changes, ids] of grouped(plan.spanUpdates)) {
    const sets: SQL[] = [];
    if ('firstSeen' in changes) sets.push(sql`first_seen = ${changes.firstSeen}`);
    if ('lastSeen' in changes) sets.push(sql`last_seen = ${changes.lastSeen}`);
    if ('identityId' in changes) sets.push(sql`identity_id = ${changes.identityId}`);
    for (const chunk of chunks(ids)) await tx.run(sql`UPDATE vm_spans SET ${sql.join(sets, sql`, `)} WHERE id IN (${inList(chunk)})`);
  }
  const byKey = new Map<string, number[]>();
  for (const { identityId, eventKey } of plan.identityEventKeys) byKey.set(eventKey, [...(byKey.get(eventKey) ?? []), identityId]);
  for (const [eventKey, ids] of byKey) {
    for (const chunk of chunks(ids)) await tx.run(sql`UPDATE vm_identities SET event_key = ${eventKey} WHERE id IN (${inList(chunk)})`);
  }
  for (const ids of chunks(plan.deleteLifecycles)) await tx.run(sql`DELETE FROM vm_lifecycle WHERE id IN (${inList(ids)})`);
  for (const [changes, ids] of grouped(plan.lifecycleUpdates)) {
    const sets: SQL[] = [];
    if ('creationTime' in changes) sets.push(sql`creation_time = ${changes.creationTime}`);
    if ('deletionTime' in changes) sets.push(sql`deletion_time = ${changes.deletionTime}`);
    if ('firstSeen' in changes) sets.push(sql`first_seen = ${changes.firstSeen}`);
    if ('lastSeen' in changes) sets.push(sql`last_seen = ${changes.lastSeen}`);
    for (const chunk of chunks(ids)) await tx.run(sql`UPDATE vm_lifecycle SET ${sql.join(sets, sql`, `)} WHERE id IN (${inList(chunk)})`);
  }

  const identitiesDeleted = await deleteUnusedIdentities(
    tx,
    plan.identityCandidates.map((c) => ({ vcenterId, lifecycleId: c.lifecycleId, identityId: c.identityId })),
  );
  const placementsDeleted = await deleteUnusedPlacements(tx, plan.placementCandidates);

  await tx.run(sql`DELETE FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time = ${t}`);
  await tx.run(sql`DELETE FROM vcenter_aggregate_totals WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time = ${t}`);
  let latestTotals: RemovalWrite['latestTotals'] = 'unchanged';
  if (at.next === null) {
    await tx.run(sql`DELETE FROM vcenter_latest_totals WHERE vcenter_id = ${vcenterId}`);
    latestTotals = 'removed';
    if (at.previous !== null) {
      const columns = sql.raw(TOTALS_COLUMNS.map(([, c]) => c.name).join(', '));
      const copied = await tx.run(sql`
        INSERT INTO vcenter_latest_totals (vcenter_id, snapshot_time, ${columns})
        SELECT vcenter_id, snapshot_time, ${columns} FROM vcenter_aggregate_totals
        WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time = ${at.previous}`);
      if (copied > 0) latestTotals = 'previous';
    }
  }

  // A time no date represents (stored by a vctp that did not check --at) is in no day or month.
  if (!isRepresentableTime(t)) return { identitiesDeleted, placementsDeleted, latestTotals, dailySummaryRemoved: false, monthlySummaryRemoved: false };
  const day = t - (t % DAY);
  const month = monthPeriod(formatMonth(t));
  const dailySummaryRemoved = (await countHourly(tx, vcenterId, day, day + DAY)) === 0 && (await deleteSummary(tx, vcenterId, 'daily', day));
  const monthlySummaryRemoved =
    (await countHourly(tx, vcenterId, month.start, month.end)) === 0 &&
    (await countRegistry(tx, vcenterId, 'daily', month.start, month.end)) === 0 &&
    (await deleteSummary(tx, vcenterId, 'monthly', month.start));
  return { identitiesDeleted, placementsDeleted, latestTotals, dailySummaryRemoved, monthlySummaryRemoved };
}

/** Rows with the same changes, grouped: one UPDATE per kind of change instead of one per row. */
function grouped<U extends { id: number }>(updates: readonly U[]): Map<Omit<U, 'id'>, number[]> {
  const byKey = new Map<string, { changes: Omit<U, 'id'>; ids: number[] }>();
  for (const { id, ...changes } of updates) {
    const key = JSON.stringify(Object.entries(changes).sort(([a], [b]) => a.localeCompare(b)));
    const group = byKey.get(key) ?? { changes, ids: [] };
    group.ids.push(id);
    byKey.set(key, group);
  }
  return new Map([...byKey.values()].map((g) => [g.changes, g.ids]));
}

async function deleteUnusedPlacements(tx: SqlExecutor, candidates: readonly number[]): Promise<number> {
  if (candidates.length === 0) return 0;
  const unused = new Set(candidates);
  for (const ids of chunks(candidates)) {
    const used = await tx.all<{ placement_id: number }>(sql`
      SELECT placement_id FROM vm_spans WHERE placement_id IN (${inList(ids)})
      UNION SELECT placement_id FROM vm_daily_rollup WHERE placement_id IN (${inList(ids)})
      UNION SELECT placement_id FROM vm_monthly_summary WHERE placement_id IN (${inList(ids)})`);
    for (const r of used) unused.delete(num(r.placement_id));
  }
  let deleted = 0;
  for (const ids of chunks([...unused])) deleted += await tx.run(sql`DELETE FROM vm_placements WHERE id IN (${inList(ids)})`);
  return deleted;
}

async function countHourly(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<number> {
  return countRegistry(db, vcenterId, 'hourly', start, end);
}

async function countRegistry(db: SqlExecutor, vcenterId: number, kind: string, start: number, end: number): Promise<number> {
  const rows = await db.all<{ n: number }>(sql`
    SELECT COUNT(*) AS n FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = ${kind} AND snapshot_time >= ${start} AND snapshot_time < ${end}`);
  return num(rows[0]?.n);
}

/** Removes a daily or monthly summary (rows, registry row, totals row); whether there was one. */
async function deleteSummary(tx: SqlExecutor, vcenterId: number, kind: 'daily' | 'monthly', periodStart: number): Promise<boolean> {
  const rows = kind === 'daily' ? sql.raw('vm_daily_rollup') : sql.raw('vm_monthly_summary');
  const period = kind === 'daily' ? sql.raw('day') : sql.raw('month');
  await tx.run(sql`DELETE FROM ${rows} WHERE vcenter_id = ${vcenterId} AND ${period} = ${periodStart}`);
  await tx.run(sql`DELETE FROM vcenter_aggregate_totals WHERE vcenter_id = ${vcenterId} AND kind = ${kind} AND snapshot_time = ${periodStart}`);
  const registry = await tx.run(sql`DELETE FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = ${kind} AND snapshot_time = ${periodStart}`);
  return registry > 0;
}

// ---- typed readers of stored hourly history (tests compare two stores through them) -----------

/** A span as stored, its identity and placement by value and its VM by managed object id. */
export interface StoredSpan {
  vmId: string;
  firstSeen: number;
  lastSeen: number | null;
  name: string;
  vmUuid: string | null;
  instanceUuid: string | null;
  eventKey: string | null;
  cloudId: string | null;
  resourcePool: string | null;
  tier: string | null;
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
  provisionedDiskGb: number;
  vcpuCount: number;
  ramGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
  /** Custom attributes and tags, canonical text (`{}`: none). */
  attributes: string;
}

export async function readStoredSpans(db: SqlExecutor, vcenterId: number): Promise<StoredSpan[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    ${SPAN_SELECT}, l.vm_id ${SPAN_FROM} JOIN vm_lifecycle l ON l.id = s.lifecycle_id
    WHERE s.vcenter_id = ${vcenterId} ORDER BY l.vm_id, s.first_seen`);
  return Array.from(rows, (r) => {
    const s = spanFromRow(r);
    return {
      vmId: String(r.vm_id),
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      name: s.state.name,
      ...s.state.identity,
      ...s.state.placement,
      provisionedDiskGb: s.state.provisionedDiskGb,
      vcpuCount: s.state.vcpuCount,
      ramGb: s.state.ramGb,
      isTemplate: s.state.isTemplate,
      poweredOn: s.state.poweredOn,
      srmPlaceholder: s.state.srmPlaceholder,
      attributes: s.state.attributes ?? NO_ATTRIBUTES,
    };
  });
}

export interface StoredLifecycle {
  vmId: string;
  creationTime: number;
  deletionTime: number;
  firstSeen: number;
  lastSeen: number | null;
}

export async function readStoredLifecycles(db: SqlExecutor, vcenterId: number): Promise<StoredLifecycle[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT vm_id, creation_time, deletion_time, first_seen, last_seen FROM vm_lifecycle WHERE vcenter_id = ${vcenterId} ORDER BY vm_id`);
  return Array.from(rows, (r) => ({
    vmId: String(r.vm_id),
    creationTime: num(r.creation_time),
    deletionTime: num(r.deletion_time),
    firstSeen: num(r.first_seen),
    lastSeen: r.last_seen == null ? null : num(r.last_seen),
  }));
}

export interface StoredHourlySnapshot {
  snapshotTime: number;
  rowCount: number;
  /** Its row of vcenter_aggregate_totals (kind hourly), column by column; null: none. */
  totals: Record<string, number> | null;
}

export async function readStoredHourlySnapshots(db: SqlExecutor, vcenterId: number): Promise<StoredHourlySnapshot[]> {
  const columns = sql.raw(TOTALS_COLUMNS.map(([, c]) => `t.${c.name}`).join(', '));
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT r.snapshot_time, r.row_count, t.vcenter_id AS has_totals, ${columns}
    FROM snapshot_registry r
    LEFT JOIN vcenter_aggregate_totals t ON t.vcenter_id = r.vcenter_id AND t.kind = 'hourly' AND t.snapshot_time = r.snapshot_time
    WHERE r.vcenter_id = ${vcenterId} AND r.kind = 'hourly' ORDER BY r.snapshot_time`);
  const orphans = await db.all<{ n: number }>(sql`
    SELECT COUNT(*) AS n FROM vcenter_aggregate_totals t
    WHERE t.vcenter_id = ${vcenterId} AND t.kind = 'hourly'
      AND NOT EXISTS (SELECT 1 FROM snapshot_registry r WHERE r.vcenter_id = t.vcenter_id AND r.kind = 'hourly' AND r.snapshot_time = t.snapshot_time)`);
  if (num(orphans[0]?.n) > 0) throw new Error(`vCenter ${vcenterId} has ${num(orphans[0]?.n)} hourly totals rows without a snapshot`);
  return Array.from(rows, (r) => ({
    snapshotTime: num(r.snapshot_time),
    rowCount: num(r.row_count),
    totals: r.has_totals == null ? null : Object.fromEntries(TOTALS_COLUMNS.map(([, c]) => [c.name, Number(r[c.name])])),
  }));
}

/** Rows of the shared dictionaries, by value: what capture would have stored for the same history. */
export async function readDictionaryCounts(db: SqlExecutor): Promise<{ identities: number; placements: number }> {
  const rows = await db.all<{ identities: number; placements: number }>(sql`
    SELECT (SELECT COUNT(*) FROM vm_identities) AS identities, (SELECT COUNT(*) FROM vm_placements) AS placements`);
  return { identities: num(rows[0]?.identities), placements: num(rows[0]?.placements) };
}
