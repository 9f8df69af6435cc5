// One VM's lifecycle row (vm_lifecycle) as import-vm reads and corrects it, and the audit of those
// corrections (vm_lifecycle_imports). vm_lifecycle is what capture, aggregation (both engines),
// reports and trace read, so a corrected value is used everywhere at once; capture never replaces a
// known creation time, and only touches the deletion time of a VM it sees again or sees leave.
import { sql } from 'drizzle-orm';
import type { LifecycleFacts } from '../core/lifecycle-import.js';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

export interface StoredLifecycle extends LifecycleFacts {
  lifecycleId: number;
  /** Spans of the VM still stored (retention removes those of hourly history past its age). */
  spans: number;
}

export async function readLifecycleFacts(db: SqlExecutor, vcenterId: number, vmId: string): Promise<StoredLifecycle | null> {
  const rows = await db.all<{ id: number; creation_time: number; deletion_time: number; first_seen: number; last_seen: number | null; spans: number }>(sql`
    SELECT l.id, l.creation_time, l.deletion_time, l.first_seen, l.last_seen,
           (SELECT COUNT(*) FROM vm_spans s WHERE s.lifecycle_id = l.id) AS spans
    FROM vm_lifecycle l WHERE l.vcenter_id = ${vcenterId} AND l.vm_id = ${vmId}`);
  const r = rows[0];
  if (!r) return null;
  const lastSeen = r.last_seen == null ? null : num(r.last_seen);
  const times = await db.all<{ latest: number | null; first_missing: number | null }>(sql`
    SELECT MAX(snapshot_time) AS latest,
           MIN(CASE WHEN snapshot_time > ${lastSeen ?? Number.MAX_SAFE_INTEGER} THEN snapshot_time END) AS first_missing
    FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly'`);
  return {
    lifecycleId: num(r.id),
    creationTime: num(r.creation_time),
    deletionTime: num(r.deletion_time),
    firstSeen: num(r.first_seen),
    lastSeen,
    firstMissing: lastSeen === null || times[0]?.first_missing == null ? null : num(times[0].first_missing),
    latestSnapshot: num(times[0]?.latest),
    spans: num(r.spans),
  };
}

export async function writeLifecycleTimes(db: SqlExecutor, lifecycleId: number, times: { creationTime: number; deletionTime: number }): Promise<void> {
  await db.run(sql`UPDATE vm_lifecycle SET creation_time = ${times.creationTime}, deletion_time = ${times.deletionTime} WHERE id = ${lifecycleId}`);
}

export interface LifecycleImportRow {
  vcenterId: number;
  lifecycleId: number;
  vmId: string;
  importedAt: number;
  importedBy: string;
  /** Where it came from: api (POST /api/import/vm) or the legacy endpoint's path. */
  source: string;
  reason: string;
  oldCreationTime: number;
  newCreationTime: number;
  oldDeletionTime: number;
  newDeletionTime: number;
  firstDay: number;
  lastDay: number;
}

export async function insertLifecycleImport(db: SqlExecutor, row: LifecycleImportRow): Promise<number> {
  const rows = await db.all<{ id: number }>(sql`
    INSERT INTO vm_lifecycle_imports (vcenter_id, lifecycle_id, vm_id, imported_at, imported_by, source, reason,
      old_creation_time, new_creation_time, old_deletion_time, new_deletion_time, first_day, last_day)
    VALUES (${row.vcenterId}, ${row.lifecycleId}, ${row.vmId}, ${row.importedAt}, ${row.importedBy}, ${row.source}, ${row.reason},
      ${row.oldCreationTime}, ${row.newCreationTime}, ${row.oldDeletionTime}, ${row.newDeletionTime}, ${row.firstDay}, ${row.lastDay})
    RETURNING id`);
  return num(rows[0]!.id);
}

/** The audit rows of one VM of one vCenter, oldest first. */
export async function readLifecycleImports(db: SqlExecutor, vcenterId: number, vmId: string): Promise<(LifecycleImportRow & { id: number })[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT * FROM vm_lifecycle_imports WHERE vcenter_id = ${vcenterId} AND vm_id = ${vmId} ORDER BY id`);
  return rows.map((r) => ({
    id: num(r.id),
    vcenterId: num(r.vcenter_id),
    lifecycleId: num(r.lifecycle_id),
    vmId: String(r.vm_id),
    importedAt: num(r.imported_at),
    importedBy: String(r.imported_by),
    source: String(r.source),
    reason: String(r.reason),
    oldCreationTime: num(r.old_creation_time),
    newCreationTime: num(r.new_creation_time),
    oldDeletionTime: num(r.old_deletion_time),
    newDeletionTime: num(r.new_deletion_time),
    firstDay: num(r.first_day),
    lastDay: num(r.last_day),
  }));
}

/** Imports of a vCenter whose day range meets [start, end): what makes those days' summaries stale. */
export async function readLifecycleImportRanges(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<{ firstDay: number; lastDay: number; importedAt: number }[]> {
  const rows = await db.all<{ first_day: number; last_day: number; imported_at: number }>(sql`
    SELECT first_day, last_day, imported_at FROM vm_lifecycle_imports
    WHERE vcenter_id = ${vcenterId} AND last_day >= ${start} AND first_day < ${end}`);
  return rows.map((r) => ({ firstDay: num(r.first_day), lastDay: num(r.last_day), importedAt: num(r.imported_at) }));
}
