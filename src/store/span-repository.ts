// Reads the state a capture diffs against: a vCenter's open spans, its lifecycle rows and the shared
// placement and attribute-set dictionaries.
import { sql } from 'drizzle-orm';
import type { OpenSpan } from '../core/span-diff.js';
import { VctpError } from '../core/errors.js';
import { placementKey, type SpanIdentity, type SpanPlacement } from '../core/span-state.js';
import type { Tier } from '../core/tiers.js';
import { NO_ATTRIBUTES } from '../core/vm-attributes.js';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';
import { decodeUuid } from './uuid-codec.js';

interface OpenSpanRow {
  span_id: number;
  lifecycle_id: number;
  vm_id: string;
  identity_id: number;
  placement_id: number;
  attributes_id: number;
  name: string;
  provisioned_disk_gb: number;
  vcpu_count: number;
  ram_gb: number;
  is_template: number;
  powered_on: number;
  srm_placeholder: number;
}

interface IdentityRow {
  id: number;
  vm_uuid: unknown;
  instance_uuid: unknown;
  event_key: string | null;
  cloud_id: string | null;
}

/**
 * A vCenter's open spans with their state by value. Four narrow reads rather than one join: the
 * spans, their identities, and the placements and attribute sets they use (a handful, each read once
 * and shared by the states that use it: read-only). Narrow because better-sqlite3 builds each row
 * as an object with one property per column, and from 20 columns on V8 keeps such objects in
 * dictionary mode: 860 bytes a row at 20-21 columns, 1,630 from 22 (measured), against 160-200 below
 * 19. The joined read with the attribute set was 23 columns: 33.5 MB of heap for 10,000 open spans
 * (24.6 MB at 21 columns before attribute sets); these reads together hold a fraction of that.
 */
export async function loadOpenSpans(db: SqlExecutor, vcenterId: number): Promise<Map<string, OpenSpan>> {
  const openOfVcenter = sql`s.vcenter_id = ${vcenterId} AND s.last_seen IS NULL`;
  const rows = await db.all<OpenSpanRow>(sql`
    SELECT s.id AS span_id, s.lifecycle_id, l.vm_id, s.identity_id, s.placement_id, s.attributes_id, s.name,
           s.provisioned_disk_gb, s.vcpu_count, s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder
    FROM vm_spans s
    JOIN vm_lifecycle l ON l.id = s.lifecycle_id
    WHERE ${openOfVcenter}`);
  const identities = new Map<number, SpanIdentity>();
  for (const r of await db.all<IdentityRow>(sql`
    SELECT i.id, i.vm_uuid, i.instance_uuid, i.event_key, i.cloud_id FROM vm_identities i
    WHERE i.id IN (SELECT s.identity_id FROM vm_spans s WHERE ${openOfVcenter})`)) {
    identities.set(num(r.id), { vmUuid: decodeUuid(r.vm_uuid), instanceUuid: decodeUuid(r.instance_uuid), eventKey: r.event_key, cloudId: r.cloud_id });
  }
  const placements = new Map<number, SpanPlacement>();
  for (const r of await db.all<PlacementRow>(sql`
    SELECT p.id, p.resource_pool, p.tier, p.datacenter, p.cluster, p.folder FROM vm_placements p
    WHERE p.id IN (SELECT s.placement_id FROM vm_spans s WHERE ${openOfVcenter})`)) {
    placements.set(num(r.id), placementOf(r));
  }
  const sets = new Map<number, string>([[0, NO_ATTRIBUTES]]);
  for (const r of await db.all<{ id: number; attributes: string }>(sql`
    SELECT a.id, a.attributes FROM vm_attribute_sets a
    WHERE a.id IN (SELECT s.attributes_id FROM vm_spans s WHERE ${openOfVcenter})`)) {
    sets.set(num(r.id), r.attributes);
  }

  const open = new Map<string, OpenSpan>();
  for (const r of rows) {
    const identityId = num(r.identity_id);
    const placementId = num(r.placement_id);
    const attributesId = num(r.attributes_id);
    const identity = identities.get(identityId);
    const placement = placements.get(placementId);
    const attributes = sets.get(attributesId);
    if (!identity || !placement || attributes === undefined) {
      throw new VctpError('database', `vm_spans ${num(r.span_id)} refers to a missing identity, placement or attribute set`);
    }
    open.set(r.vm_id, {
      spanId: num(r.span_id),
      lifecycleId: num(r.lifecycle_id),
      vmId: r.vm_id,
      identityId,
      placementId,
      attributesId,
      state: {
        name: r.name,
        identity,
        placement,
        provisionedDiskGb: Number(r.provisioned_disk_gb),
        vcpuCount: num(r.vcpu_count),
        ramGb: Number(r.ram_gb),
        isTemplate: num(r.is_template) === 1,
        poweredOn: num(r.powered_on) === 1,
        srmPlaceholder: num(r.srm_placeholder) === 1,
        attributes,
      },
    });
  }
  return open;
}

interface PlacementRow {
  id: number;
  resource_pool: string | null;
  tier: string | null;
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
}

function placementOf(r: PlacementRow): SpanPlacement {
  return { resourcePool: r.resource_pool, tier: r.tier as Tier | null, datacenter: r.datacenter, cluster: r.cluster, folder: r.folder };
}

export interface LifecycleRow {
  id: number;
  vmId: string;
  creationTime: number;
  deletionTime: number;
}

export async function loadLifecycle(db: SqlExecutor, vcenterId: number): Promise<Map<string, LifecycleRow>> {
  const rows = await db.all<{ id: number; vm_id: string; creation_time: number; deletion_time: number }>(
    sql`SELECT id, vm_id, creation_time, deletion_time FROM vm_lifecycle WHERE vcenter_id = ${vcenterId}`,
  );
  return new Map(
    rows.map((r) => [r.vm_id, { id: num(r.id), vmId: r.vm_id, creationTime: num(r.creation_time), deletionTime: num(r.deletion_time) }]),
  );
}

export async function loadPlacements(db: SqlExecutor): Promise<Map<string, number>> {
  const rows = await db.all<PlacementRow>(sql`SELECT id, resource_pool, tier, datacenter, cluster, folder FROM vm_placements`);
  const map = new Map<string, number>();
  for (const r of rows) map.set(placementKey(placementOf(r)), num(r.id));
  return map;
}

/** The attribute-set dictionary: canonical text -> id (`{}` is id 0 and has no row). */
export async function loadAttributeSets(db: SqlExecutor): Promise<Map<string, number>> {
  const rows = await db.all<{ id: number; attributes: string }>(sql`SELECT id, attributes FROM vm_attribute_sets`);
  const map = new Map<string, number>([[NO_ATTRIBUTES, 0]]);
  for (const r of rows) map.set(r.attributes, num(r.id));
  return map;
}

/** Next free id of a table whose ids vctp allocates itself (under the capture lock). */
export async function nextId(
  db: SqlExecutor,
  table: 'vm_spans' | 'vm_identities' | 'vm_placements' | 'vm_lifecycle' | 'vm_attribute_sets',
): Promise<number> {
  const rows = await db.all<{ m: number | null }>(sql`SELECT MAX(id) AS m FROM ${sql.raw(table)}`);
  return num(rows[0]?.m) + 1;
}
