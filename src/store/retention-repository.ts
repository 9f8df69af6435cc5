// The deletes of `vctp retention`. Every function runs inside the caller's one transaction; each
// returns the rows it removed (or changed), which is also what --dry-run reports before rolling back.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';
import { chunks, inList, num } from './sql-util.js';

/** An identity that lost a referrer: the (vCenter, VM) it belongs to lets summaries be checked by key. */
export interface IdentityCandidate {
  vcenterId: number;
  lifecycleId: number;
  identityId: number;
}

/** The vCenter's first hourly snapshot at or after the cut: the first that retention keeps (null: none). */
export async function firstKeptSnapshot(db: SqlExecutor, vcenterId: number, cut: number): Promise<number | null> {
  const rows = await db.all<{ kept: number | null }>(sql`
    SELECT MIN(snapshot_time) AS kept FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time >= ${cut}`);
  return rows[0]?.kept == null ? null : num(rows[0].kept);
}

export interface HourlyTrim {
  registry: number;
  spansDeleted: number;
  spansTrimmed: number;
  hourlyTotals: number;
  latestTotals: number;
  identities: IdentityCandidate[];
}

/** A range of history to remove, [from, to); from null = since the beginning (src/core/month-closure.ts trimWindows). */
export interface TrimRange {
  from: number | null;
  to: number;
}

async function snapshotBound(db: SqlExecutor, vcenterId: number, bound: 'before' | 'from', time: number): Promise<number | null> {
  const rows = await db.all<{ t: number | null }>(
    bound === 'before'
      ? sql`SELECT MAX(snapshot_time) AS t FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time < ${time}`
      : sql`SELECT MIN(snapshot_time) AS t FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND snapshot_time >= ${time}`,
  );
  return rows[0]?.t == null ? null : num(rows[0].t);
}

/**
 * Removes the vCenter's hourly history in `range`: registry rows, hourly totals rows, spans that
 * hold no snapshot outside it; a span that runs into it from before ends at the last snapshot
 * before it, one that runs out of it starts at the first snapshot after it, so each span still
 * holds exactly the kept snapshots it held before (a span across the whole range keeps both sides
 * and holds nothing in between, where no snapshot is left, as across a vCenter outage). The range
 * starts after the beginning only around a closed month, which retention keeps whole.
 *
 * With nothing kept after the range (no snapshot since the cut) the latest totals go too, and so
 * do spans still open: with no snapshot before the range either, all of the vCenter's hourly
 * history goes and its next capture starts afresh as if it were new.
 */
export async function trimHourlyHistory(tx: SqlExecutor, vcenterId: number, range: TrimRange): Promise<HourlyTrim> {
  const { from, to } = range;
  const next = await snapshotBound(tx, vcenterId, 'from', to);
  const previous = from === null ? null : await snapshotBound(tx, vcenterId, 'before', from);
  const inRange = from === null ? sql`first_seen < ${to}` : sql`first_seen >= ${from} AND first_seen < ${to}`;
  // Spans that start in the range and hold no snapshot after it.
  const gone = sql`vcenter_id = ${vcenterId} AND ${inRange} AND (${next === null ? sql`last_seen IS NULL OR ` : sql``}(last_seen IS NOT NULL AND last_seen < ${to}))`;
  const identities = await tx.all<{ lifecycle_id: number; identity_id: number }>(sql`SELECT DISTINCT lifecycle_id, identity_id FROM vm_spans WHERE ${gone}`);
  const spansDeleted = await tx.run(sql`DELETE FROM vm_spans WHERE ${gone}`);
  let spansTrimmed =
    next === null
      ? 0
      : await tx.run(sql`
          UPDATE vm_spans SET first_seen = ${next}
          WHERE vcenter_id = ${vcenterId} AND ${inRange} AND (last_seen IS NULL OR last_seen >= ${to})`);
  if (from !== null && previous !== null) {
    spansTrimmed += await tx.run(sql`
      UPDATE vm_spans SET last_seen = ${previous}
      WHERE vcenter_id = ${vcenterId} AND first_seen < ${from} AND last_seen >= ${from} AND last_seen < ${to}`);
  }
  const times = from === null ? sql`snapshot_time < ${to}` : sql`snapshot_time >= ${from} AND snapshot_time < ${to}`;
  const registry = await tx.run(sql`DELETE FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND ${times}`);
  const hourlyTotals = await tx.run(sql`DELETE FROM vcenter_aggregate_totals WHERE vcenter_id = ${vcenterId} AND kind = 'hourly' AND ${times}`);
  // The latest snapshot went (or none is left): its totals are no one's latest any more.
  const latestGone = next === null && (from === null || registry > 0);
  const latestTotals = latestGone ? await tx.run(sql`DELETE FROM vcenter_latest_totals WHERE vcenter_id = ${vcenterId}`) : 0;
  return {
    registry,
    spansDeleted,
    spansTrimmed,
    hourlyTotals,
    latestTotals,
    identities: identities.map((r) => ({ vcenterId, lifecycleId: num(r.lifecycle_id), identityId: num(r.identity_id) })),
  };
}

export interface DailyTrim {
  rollupRows: number;
  registry: number;
  dailyTotals: number;
  identities: IdentityCandidate[];
}

/** Removes the vCenter's daily summaries of the days in `range`: rows, registry rows, daily totals. */
export async function trimDailySummaries(tx: SqlExecutor, vcenterId: number, range: TrimRange): Promise<DailyTrim> {
  const { from, to } = range;
  const days = from === null ? sql`day < ${to}` : sql`day >= ${from} AND day < ${to}`;
  const times = from === null ? sql`snapshot_time < ${to}` : sql`snapshot_time >= ${from} AND snapshot_time < ${to}`;
  const identities = await tx.all<{ lifecycle_id: number; identity_id: number }>(
    sql`SELECT DISTINCT lifecycle_id, identity_id FROM vm_daily_rollup WHERE vcenter_id = ${vcenterId} AND ${days}`,
  );
  const rollupRows = await tx.run(sql`DELETE FROM vm_daily_rollup WHERE vcenter_id = ${vcenterId} AND ${days}`);
  const registry = await tx.run(sql`DELETE FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'daily' AND ${times}`);
  const dailyTotals = await tx.run(sql`DELETE FROM vcenter_aggregate_totals WHERE vcenter_id = ${vcenterId} AND kind = 'daily' AND ${times}`);
  return {
    rollupRows,
    registry,
    dailyTotals,
    identities: identities.map((r) => ({ vcenterId, lifecycleId: num(r.lifecycle_id), identityId: num(r.identity_id) })),
  };
}

/**
 * Lifecycle rows that nothing refers to any more: no span, no daily or monthly summary row
 * (summaries keep the InventoryId, and the VM id lives only here), of VMs deleted before `cut`, or
 * never seen deleted (deletion time 0) but whose spans all went with a vCenter's whole history. The
 * summary checks are primary-key lookups; the span check reads vm_spans once.
 */
export async function deleteUnusedLifecycles(tx: SqlExecutor, cut: number): Promise<number> {
  return tx.run(sql`
    DELETE FROM vm_lifecycle
    WHERE deletion_time < ${cut}
      AND id NOT IN (SELECT lifecycle_id FROM vm_spans)
      AND NOT EXISTS (SELECT 1 FROM vm_daily_rollup d WHERE d.vcenter_id = vm_lifecycle.vcenter_id AND d.lifecycle_id = vm_lifecycle.id)
      AND NOT EXISTS (SELECT 1 FROM vm_monthly_summary m WHERE m.vcenter_id = vm_lifecycle.vcenter_id AND m.lifecycle_id = vm_lifecycle.id)`);
}

/**
 * Deletes those candidate identities that no span and no summary row refers to any more. An
 * identity belongs to one VM (capture reuses an identity row only for the same VM), so its summary
 * rows are found by the (vCenter, VM) key instead of by scanning the summary tables.
 */
export async function deleteUnusedIdentities(tx: SqlExecutor, candidates: readonly IdentityCandidate[]): Promise<number> {
  if (candidates.length === 0) return 0;
  const inSpans = new Set(
    (await tx.all<{ identity_id: number }>(sql`SELECT DISTINCT identity_id FROM vm_spans`)).map((r) => num(r.identity_id)),
  );
  const unused = new Map<number, IdentityCandidate>();
  for (const c of candidates) if (!inSpans.has(c.identityId)) unused.set(c.identityId, c);
  const byVcenter = new Map<number, Set<number>>();
  for (const c of unused.values()) {
    const set = byVcenter.get(c.vcenterId) ?? new Set<number>();
    set.add(c.lifecycleId);
    byVcenter.set(c.vcenterId, set);
  }
  for (const [vcenterId, lifecycles] of byVcenter) {
    for (const ids of chunks([...lifecycles])) {
      const used = await tx.all<{ identity_id: number }>(sql`
        SELECT identity_id FROM vm_daily_rollup WHERE vcenter_id = ${vcenterId} AND lifecycle_id IN (${inList(ids)})
        UNION
        SELECT identity_id FROM vm_monthly_summary WHERE vcenter_id = ${vcenterId} AND lifecycle_id IN (${inList(ids)})`);
      for (const r of used) unused.delete(num(r.identity_id));
    }
  }
  let deleted = 0;
  for (const ids of chunks([...unused.keys()])) deleted += await tx.run(sql`DELETE FROM vm_identities WHERE id IN (${inList(ids)})`);
  return deleted;
}
