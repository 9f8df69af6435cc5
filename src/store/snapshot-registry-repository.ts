// The read behind GET /api/snapshots: snapshot_registry rows, newest first. Ordering the whole
// registry by time is one sort of a small table (a year of hourly snapshots of 8 vCenters is
// 70,080 rows); a vCenter and kind filter is a range of the (vcenter_id, kind, snapshot_time) index.
import { sql, type SQL } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';
import { inList, num } from './sql-util.js';

export type RegistryKind = 'hourly' | 'daily' | 'monthly';

export interface RegistryFilter {
  /** null: every vCenter. */
  vcenterIds: readonly number[] | null;
  kinds: readonly RegistryKind[] | null;
  /** Inclusive bounds on snapshot_time, unix seconds. */
  from: number | null;
  to: number | null;
  limit: number;
}

export interface RegistryRow {
  vcenter: string;
  kind: RegistryKind;
  /** The snapshot's time, or the start of the summarised day or month. */
  snapshotTime: number;
  /** VMs captured, or summary rows written. */
  rows: number;
  durationMs: number;
  /** When the row was written (a re-aggregation rewrites it). */
  registeredAt: number;
  /** Daily and monthly rows: samples the cadence expects and the vCenter has (null on hourly rows). */
  expectedSamples: number | null;
  totalSamples: number | null;
}

export async function listRegistryRows(db: SqlExecutor, filter: RegistryFilter): Promise<RegistryRow[]> {
  const conditions: SQL[] = [];
  if (filter.vcenterIds) conditions.push(sql`r.vcenter_id IN (${inList(filter.vcenterIds)})`);
  if (filter.kinds) conditions.push(sql`r.kind IN (${inList(filter.kinds)})`);
  if (filter.from !== null) conditions.push(sql`r.snapshot_time >= ${filter.from}`);
  if (filter.to !== null) conditions.push(sql`r.snapshot_time <= ${filter.to}`);
  const where = conditions.length === 0 ? sql`` : sql`WHERE ${sql.join(conditions, sql` AND `)}`;
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT v.name AS vcenter, r.kind, r.snapshot_time, r.row_count, r.duration_ms, r.created_at, r.expected_samples, r.total_samples
    FROM snapshot_registry r JOIN vcenters v ON v.id = r.vcenter_id
    ${where}
    ORDER BY r.snapshot_time DESC, v.name, r.kind
    LIMIT ${filter.limit}`);
  return rows.map((r) => ({
    vcenter: String(r.vcenter),
    kind: String(r.kind) as RegistryKind,
    snapshotTime: num(r.snapshot_time),
    rows: num(r.row_count),
    durationMs: num(r.duration_ms),
    registeredAt: num(r.created_at),
    expectedSamples: r.expected_samples == null ? null : num(r.expected_samples),
    totalSamples: r.total_samples == null ? null : num(r.total_samples),
  }));
}
