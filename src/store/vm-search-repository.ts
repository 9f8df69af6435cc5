// The read behind GET /api/vm/search: VMs (vm_lifecycle rows) that a search text names, each with
// its latest span's state. One statement: the matches (managed object id and uuid exactly, any name
// the VM has had as a substring), then the matched VMs' latest spans by a window over their spans.
// vm_spans carries only the index capture needs (README "Measured"), so the name match is one scan
// of vm_spans, a few milliseconds per 10,000 spans; the id match uses the (vcenter_id, vm_id) index.
import { sql, type SQL } from 'drizzle-orm';
import type { Tier } from '../core/tiers.js';
import type { Dialect, SqlExecutor } from './executor.js';
import { inList, num } from './sql-util.js';
import { uuidCondition } from './trace-repository.js';
import { decodeUuid } from './uuid-codec.js';

export type VmSearchMatch = 'vm_id' | 'name' | 'uuid';

export interface VmSearchRow {
  inventoryId: number;
  vcenterId: number;
  vcenter: string;
  vmId: string;
  matchedBy: VmSearchMatch[];
  creationTime: number;
  deletionTime: number;
  firstSeen: number;
  /** NULL while the VM is in its vCenter's latest snapshot. */
  lastSeen: number | null;
  /** The latest span's values. */
  name: string;
  vmUuid: string | null;
  instanceUuid: string | null;
  poweredOn: boolean;
  vcpuCount: number;
  ramGb: number;
  provisionedDiskGb: number;
  isTemplate: boolean;
  tier: Tier | null;
  resourcePool: string | null;
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
}

/** `text` as a substring of the name, ignoring ASCII case (the rule of trace-repository's names). */
function nameContains(dialect: Dialect, text: string): SQL {
  return dialect === 'postgres'
    ? sql`strpos(lower(name COLLATE "C"), lower(${text} COLLATE "C")) > 0`
    : sql`instr(lower(name), lower(${text})) > 0`;
}

/**
 * Text compared byte by byte on both databases: SQLite's default, PostgreSQL's "C" collation. The
 * order is then the same on both, and PostgreSQL's locale-aware comparisons were most of the time
 * of a search that matches every VM (fleet-L, MIN(lower(name)) over 70,000 spans).
 */
function binary(dialect: Dialect, expression: SQL): SQL {
  return dialect === 'postgres' ? sql`${expression} COLLATE "C"` : expression;
}

/**
 * Up to `limit` VMs of the given vCenters that `text` names: exact id and uuid matches first, then
 * by the name that matched (ASCII case ignored; the latest name is shown), vCenter and managed object id.
 */
export async function searchVmRows(db: SqlExecutor, text: string, vcenterIds: readonly number[], limit: number): Promise<VmSearchRow[]> {
  if (vcenterIds.length === 0) return [];
  const vcs = inList(vcenterIds);
  const vmIds = inList([...new Set([text, text.toLowerCase()])]);
  // The page is chosen before any latest span is looked up: vm_spans has no index on lifecycle_id,
  // so finding latest spans is a scan, and a one-letter text matches every VM (fleet-L: ordering
  // all 52,000 matches by their latest name took 0.5 s on SQLite; by the name that matched, then
  // one scan for the page's latest spans, a fraction of that).
  const rows = await db.all<Record<string, unknown>>(sql`
    WITH matched AS (
      SELECT id AS lifecycle_id, 1 AS by_id, 0 AS by_name, 0 AS by_uuid, NULL AS name FROM vm_lifecycle
      WHERE vcenter_id IN (${vcs}) AND vm_id IN (${vmIds})
      UNION ALL
      SELECT lifecycle_id, 0, 1, 0, name FROM vm_spans WHERE vcenter_id IN (${vcs}) AND ${nameContains(db.dialect, text)}
      UNION ALL
      SELECT lifecycle_id, 0, 0, 1, NULL FROM vm_spans
      WHERE vcenter_id IN (${vcs}) AND identity_id IN (SELECT id FROM vm_identities WHERE ${uuidCondition(db.dialect, text)})
    ),
    hits AS (
      SELECT lifecycle_id, MAX(by_id) AS by_id, MAX(by_name) AS by_name, MAX(by_uuid) AS by_uuid,
             COALESCE(MIN(lower(${binary(db.dialect, sql`name`)})), '') AS sort_name
      FROM matched GROUP BY lifecycle_id
    ),
    page AS (
      SELECT h.*, CASE WHEN h.by_id = 1 OR h.by_uuid = 1 THEN 0 ELSE 1 END AS exact_last, v.name AS vcenter,
             l.vcenter_id, l.vm_id, l.creation_time, l.deletion_time, l.first_seen, l.last_seen
      FROM hits h JOIN vm_lifecycle l ON l.id = h.lifecycle_id JOIN vcenters v ON v.id = l.vcenter_id
      ORDER BY exact_last, sort_name, ${binary(db.dialect, sql`v.name`)}, ${binary(db.dialect, sql`l.vm_id`)}
      LIMIT ${limit}
    ),
    latest AS (
      SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.lifecycle_id ORDER BY s.first_seen DESC) AS rn
      FROM vm_spans s WHERE s.vcenter_id IN (${vcs}) AND s.lifecycle_id IN (SELECT lifecycle_id FROM page)
    )
    SELECT g.lifecycle_id AS id, g.vcenter_id, g.vcenter, g.vm_id, g.creation_time, g.deletion_time, g.first_seen, g.last_seen,
           g.by_id, g.by_name, g.by_uuid, s.name, s.powered_on, s.vcpu_count, s.ram_gb, s.provisioned_disk_gb, s.is_template,
           i.vm_uuid, i.instance_uuid, p.tier, p.resource_pool, p.datacenter, p.cluster, p.folder
    FROM page g
    JOIN latest s ON s.lifecycle_id = g.lifecycle_id AND s.rn = 1
    JOIN vm_identities i ON i.id = s.identity_id
    JOIN vm_placements p ON p.id = s.placement_id
    ORDER BY g.exact_last, g.sort_name, ${binary(db.dialect, sql`g.vcenter`)}, ${binary(db.dialect, sql`g.vm_id`)}`);
  const textOrNull = (v: unknown) => (v == null ? null : String(v));
  return rows.map((r) => ({
    inventoryId: num(r.id),
    vcenterId: num(r.vcenter_id),
    vcenter: String(r.vcenter),
    vmId: String(r.vm_id),
    matchedBy: (['vm_id', 'name', 'uuid'] as const).filter((m) => num(m === 'vm_id' ? r.by_id : m === 'name' ? r.by_name : r.by_uuid) === 1),
    creationTime: num(r.creation_time),
    deletionTime: num(r.deletion_time),
    firstSeen: num(r.first_seen),
    lastSeen: r.last_seen == null ? null : num(r.last_seen),
    name: String(r.name),
    vmUuid: decodeUuid(r.vm_uuid),
    instanceUuid: decodeUuid(r.instance_uuid),
    poweredOn: num(r.powered_on) === 1,
    vcpuCount: num(r.vcpu_count),
    ramGb: Number(r.ram_gb),
    provisionedDiskGb: Number(r.provisioned_disk_gb),
    isTemplate: num(r.is_template) === 1,
    tier: textOrNull(r.tier) as Tier | null,
    resourcePool: textOrNull(r.resource_pool),
    datacenter: textOrNull(r.datacenter),
    cluster: textOrNull(r.cluster),
    folder: textOrNull(r.folder),
  }));
}
