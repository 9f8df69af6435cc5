-- vm_hourly_stats: the rows one-row-per-VM-per-hour storage would hold, rebuilt from state spans.
-- A span is present at every hourly registry time of its vCenter in [first_seen, last_seen];
-- an open span (last_seen NULL) runs to the vCenter's latest snapshot.
CREATE VIEW vm_hourly_stats AS
SELECT
  l.id AS inventory_id,
  s.name AS name,
  v.name AS vcenter,
  l.vm_id AS vm_id,
  i.vm_uuid AS vm_uuid,
  i.instance_uuid AS instance_uuid,
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
