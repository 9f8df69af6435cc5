// The read behind GET /api/vm/search: VMs (vm_lifecycle rows) that a search text names, each with
// its latest span's state. One statement: the matches (managed object id and uuid exactly, any name
// the VM has had by prefix or as a substring), then the matched VMs' latest spans by a window over
// their spans. The id match uses the (vcenter_id, vm_id) index, a name prefix the index
// vm_spans_name_lower, the latest spans vm_spans_lifecycle. A substring (match 'contains') can use
// no index: one scan of vm_spans. The uuid match, tried only for a uuid-shaped text, scans
// vm_identities and vm_spans.
import { sql, type SQL } from 'drizzle-orm';
import type { Tier } from '../core/tiers.js';
import type { Dialect, SqlExecutor } from './executor.js';
import { inList, num } from './sql-util.js';
import { asciiLower, isUuidShaped, lowerName, uuidCondition } from './trace-repository.js';
import { decodeUuid } from './uuid-codec.js';

export type VmSearchMatch = 'vm_id' | 'name' | 'uuid';
/** How the text is matched against names: their beginning (by the index) or anywhere (a scan). */
export type VmSearchNameMatch = 'prefix' | 'contains';

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

/**
 * Names that `text` names, ignoring ASCII case (the rule of trace-repository's names). A prefix is
 * the range [text, the next string after every string that starts with text) of lower(name), in
 * byte order on both databases (UTF-8 byte order is code point order): a range the index
 * vm_spans_name_lower answers. A substring is looked for in every span's name.
 */
function nameMatches(dialect: Dialect, text: string, match: VmSearchNameMatch): SQL {
  const name = lowerName(dialect);
  const low = asciiLower(text);
  if (match === 'contains') return dialect === 'postgres' ? sql`strpos(${name}, ${low}) > 0` : sql`instr(${name}, ${low}) > 0`;
  const high = prefixEnd(low);
  return high === null ? sql`${name} >= ${low}` : sql`${name} >= ${low} AND ${name} < ${high}`;
}

/**
 * The least string greater than every string that starts with `prefix`: its last code point
 * incremented (a last U+10FFFF is dropped first, a surrogate skipped); null when there is none.
 */
export function prefixEnd(prefix: string): string | null {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0 && points.at(-1) === 0x10ffff) points.pop();
  if (points.length === 0) return null;
  let last = points.pop()! + 1;
  if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
  return String.fromCodePoint(...points, last);
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
export async function searchVmRows(
  db: SqlExecutor,
  text: string,
  vcenterIds: readonly number[],
  limit: number,
  match: VmSearchNameMatch = 'prefix',
): Promise<VmSearchRow[]> {
  if (vcenterIds.length === 0) return [];
  const vcs = inList(vcenterIds);
  const vmIds = inList([...new Set([text, text.toLowerCase()])]);
  // The page is chosen before any latest span is looked up: a one-letter text matches every VM
  // (fleet-L: ordering all 52,000 matches by their latest name took 0.5 s on SQLite; by the name
  // that matched, then the page's latest spans, a fraction of that).
  // page is MATERIALIZED: SQLite otherwise plans it afresh inside `IN (SELECT ... FROM page)`,
  // walking every vm_lifecycle row of the vCenters to the matches (2 ms on fleet-L for 10 matches).
  const rows = await db.all<Record<string, unknown>>(sql`
    WITH matched AS (
      SELECT id AS lifecycle_id, 1 AS by_id, 0 AS by_name, 0 AS by_uuid, NULL AS name FROM vm_lifecycle
      WHERE vcenter_id IN (${vcs}) AND vm_id IN (${vmIds})
      UNION ALL
      SELECT lifecycle_id, 0, 1, 0, name FROM vm_spans WHERE vcenter_id IN (${vcs}) AND ${nameMatches(db.dialect, text, match)}
      ${isUuidShaped(text) ? sql`UNION ALL
      SELECT lifecycle_id, 0, 0, 1, NULL FROM vm_spans
      WHERE vcenter_id IN (${vcs}) AND identity_id IN (SELECT id FROM vm_identities WHERE ${uuidCondition(db.dialect, text)})` : sql``}
    ),
    hits AS (
      SELECT lifecycle_id, MAX(by_id) AS by_id, MAX(by_name) AS by_name, MAX(by_uuid) AS by_uuid,
             COALESCE(MIN(lower(${binary(db.dialect, sql`name`)})), '') AS sort_name
      FROM matched GROUP BY lifecycle_id
    ),
    page AS MATERIALIZED (
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
