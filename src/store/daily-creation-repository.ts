// Reads behind GET /api/diagnostics/daily-creation: the spans that overlap a window with their VM's
// creation time, and each vCenter's hourly snapshots per UTC day. The spans are one scan of
// vm_spans (fleet-L: about 70,000 rows) rather than a join of every span with every day or snapshot,
// which would multiply the rows by the days; the days are counted from them in the query.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

export interface PresenceSpan {
  vcenterId: number;
  lifecycleId: number;
  firstSeen: number;
  /** NULL while open. */
  lastSeen: number | null;
  /** The VM's creation time as vCenter gave it; 0 when it gave none. */
  creationTime: number;
}

/** Spans present at some time in [from, to), by VM then time. */
export async function readPresenceSpans(db: SqlExecutor, from: number, to: number): Promise<PresenceSpan[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT s.vcenter_id, s.lifecycle_id, s.first_seen, s.last_seen, l.creation_time
    FROM vm_spans s JOIN vm_lifecycle l ON l.id = s.lifecycle_id
    WHERE s.first_seen < ${to} AND (s.last_seen IS NULL OR s.last_seen >= ${from})
    ORDER BY s.lifecycle_id, s.first_seen`);
  return rows.map((r) => ({
    vcenterId: num(r.vcenter_id),
    lifecycleId: num(r.lifecycle_id),
    firstSeen: num(r.first_seen),
    lastSeen: r.last_seen == null ? null : num(r.last_seen),
    creationTime: num(r.creation_time),
  }));
}

export interface DaySnapshots {
  vcenterId: number;
  /** 00:00 UTC. */
  day: number;
  count: number;
  first: number;
  last: number;
}

/** Per vCenter and UTC day in [from, to) (both at 00:00): its hourly snapshots, and the first and last one's time. */
export async function readDaySnapshots(db: SqlExecutor, from: number, to: number): Promise<DaySnapshots[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT vcenter_id, snapshot_time - (snapshot_time % 86400) AS day, COUNT(*) AS n, MIN(snapshot_time) AS first, MAX(snapshot_time) AS last
    FROM snapshot_registry
    WHERE kind = 'hourly' AND snapshot_time >= ${from} AND snapshot_time < ${to}
    GROUP BY vcenter_id, snapshot_time - (snapshot_time % 86400)`);
  return rows.map((r) => ({ vcenterId: num(r.vcenter_id), day: num(r.day), count: num(r.n), first: num(r.first), last: num(r.last) }));
}
