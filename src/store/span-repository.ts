// Reads the state a capture diffs against: a vCenter's open spans, its lifecycle rows and the shared
// placement and attribute-set dictionaries.
import { sql } from 'drizzle-orm';
import type { OpenSpan } from '../core/span-diff.js';
import { placementKey, type SpanPlacement } from '../core/span-state.js';
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
  name: string;
  vm_uuid: unknown;
  instance_uuid: unknown;
  event_key: string | null;
  cloud_id: string | null;
  resource_pool: string | null;
  tier: string | null;
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
  provisioned_disk_gb: number;
  vcpu_count: number;
  ram_gb: number;
  is_template: number;
  powered_on: number;
  srm_placeholder: number;
  attributes_id: number;
  attributes: string | null;
}

export async function loadOpenSpans(db: SqlExecutor, vcenterId: number): Promise<Map<string, OpenSpan>> {
  const rows = await db.all<OpenSpanRow>(sql`
    SELECT s.id AS span_id, s.lifecycle_id, l.vm_id, s.identity_id, s.placement_id, s.name,
           i.vm_uuid, i.instance_uuid, i.event_key, i.cloud_id,
           p.resource_pool, p.tier, p.datacenter, p.cluster, p.folder,
           s.provisioned_disk_gb, s.vcpu_count, s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder,
           s.attributes_id, a.attributes
    FROM vm_spans s
    JOIN vm_lifecycle l ON l.id = s.lifecycle_id
    JOIN vm_identities i ON i.id = s.identity_id
    JOIN vm_placements p ON p.id = s.placement_id
    LEFT JOIN vm_attribute_sets a ON a.id = s.attributes_id
    WHERE s.vcenter_id = ${vcenterId} AND s.last_seen IS NULL`);
  const open = new Map<string, OpenSpan>();
  // Many spans share a set: one string per set instead of one copy per row.
  const sets = new Map<string, string>();
  for (const r of rows) {
    let attributes = r.attributes ?? NO_ATTRIBUTES;
    const known = sets.get(attributes);
    if (known === undefined) sets.set(attributes, attributes);
    else attributes = known;
    open.set(r.vm_id, {
      spanId: num(r.span_id),
      lifecycleId: num(r.lifecycle_id),
      vmId: r.vm_id,
      identityId: num(r.identity_id),
      placementId: num(r.placement_id),
      attributesId: num(r.attributes_id),
      state: {
        name: r.name,
        identity: { vmUuid: decodeUuid(r.vm_uuid), instanceUuid: decodeUuid(r.instance_uuid), eventKey: r.event_key, cloudId: r.cloud_id },
        placement: {
          resourcePool: r.resource_pool,
          tier: r.tier as Tier | null,
          datacenter: r.datacenter,
          cluster: r.cluster,
          folder: r.folder,
        },
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
  const rows = await db.all<{
    id: number;
    resource_pool: string | null;
    tier: string | null;
    datacenter: string | null;
    cluster: string | null;
    folder: string | null;
  }>(sql`SELECT id, resource_pool, tier, datacenter, cluster, folder FROM vm_placements`);
  const map = new Map<string, number>();
  for (const r of rows) {
    const placement: SpanPlacement = {
      resourcePool: r.resource_pool,
      tier: r.tier as Tier | null,
      datacenter: r.datacenter,
      cluster: r.cluster,
      folder: r.folder,
    };
    map.set(placementKey(placement), num(r.id));
  }
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
