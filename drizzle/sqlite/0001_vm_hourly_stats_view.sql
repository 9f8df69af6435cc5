-- vm_hourly_stats: the rows one-row-per-VM-per-hour storage would hold, rebuilt from state spans.
-- A span is present at every hourly registry time of its vCenter in [first_seen, last_seen];
-- an open span (last_seen NULL) runs to the vCenter's latest snapshot. Canonical UUIDs are stored
-- as 16-byte blobs (src/store/uuid-codec.ts) and given back here as text.
CREATE VIEW vm_hourly_stats AS
SELECT
  l.id AS inventory_id,
  s.name AS name,
  v.name AS vcenter,
  l.vm_id AS vm_id,
  CASE WHEN typeof(i.vm_uuid) = 'blob' THEN lower(substr(hex(i.vm_uuid), 1, 8) || '-' || substr(hex(i.vm_uuid), 9, 4) || '-' || substr(hex(i.vm_uuid), 13, 4) || '-' || substr(hex(i.vm_uuid), 17, 4) || '-' || substr(hex(i.vm_uuid), 21, 12)) ELSE i.vm_uuid END AS vm_uuid,
  CASE WHEN typeof(i.instance_uuid) = 'blob' THEN lower(substr(hex(i.instance_uuid), 1, 8) || '-' || substr(hex(i.instance_uuid), 9, 4) || '-' || substr(hex(i.instance_uuid), 13, 4) || '-' || substr(hex(i.instance_uuid), 17, 4) || '-' || substr(hex(i.instance_uuid), 21, 12)) ELSE i.instance_uuid END AS instance_uuid,
  i.event_key AS event_key,
  i.cloud_id AS cloud_id,
  l.creation_time AS creation_time,
  l.deletion_time AS deletion_time,
  r.snapshot_time AS snapshot_time,
  p.resource_pool AS resource_pool,
  p.tier AS tier,
  p.datacenter AS datacenter,
  p.cluster AS cluster,
  p.folder AS folder,
  s.provisioned_disk_gb AS provisioned_disk,
  s.vcpu_count AS vcpu_count,
  s.ram_gb AS ram_gb,
  s.is_template AS is_template,
  s.powered_on AS powered_on,
  s.srm_placeholder AS srm_placeholder
FROM vm_spans s
JOIN snapshot_registry r
  ON r.vcenter_id = s.vcenter_id
 AND r.kind = 'hourly'
 AND r.snapshot_time >= s.first_seen
 AND (s.last_seen IS NULL OR r.snapshot_time <= s.last_seen)
JOIN vm_lifecycle l ON l.id = s.lifecycle_id
JOIN vcenters v ON v.id = s.vcenter_id
JOIN vm_identities i ON i.id = s.identity_id
JOIN vm_placements p ON p.id = s.placement_id;
