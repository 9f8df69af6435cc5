// Writes one vCenter's capture: span closes and opens, lifecycle, registry row and totals. The
// caller runs it inside one transaction, so a capture is either wholly stored or not at all.
// Identities, placements and attribute sets are dictionaries: each distinct value is stored once
// and spans point at it.
import { sql } from 'drizzle-orm';
import { VctpError } from '../core/errors.js';
import type { CapturedVm, SpanDiff } from '../core/span-diff.js';
import { identityKey, placementKey, type SpanState } from '../core/span-state.js';
import type { VcenterTotals } from '../core/totals.js';
import { NO_ATTRIBUTES } from '../core/vm-attributes.js';
import { formatUnixTime } from '../core/time-bounds.js';
import { excludeCaptures } from './capture-lock.js';
import type { BulkColumn, SqlExecutor } from './executor.js';
import { assertOpen } from './month-closure-repository.js';
import { ensureMonthPartitions } from './pg-partitions.js';
import { type LifecycleRow, loadAttributeSets, loadLifecycle, loadPlacements, nextId } from './span-repository.js';
import { chunks, flag, inList } from './sql-util.js';
import { writeSnapshotTotals } from './totals-repository.js';
import { encodeUuid } from './uuid-codec.js';
import { latestSnapshotTime } from './vcenter-repository.js';


export interface CaptureWrite {
  vcenterId: number;
  snapshotTime: number;
  /** The vCenter's latest snapshot time the diff was computed against (null: first capture). */
  previousSnapshotTime: number | null;
  diff: SpanDiff;
  /** VmRemovedEvent times (unix s) of removed VMs, where vCenter has one. */
  removalTimes: ReadonlyMap<string, number>;
  totals: VcenterTotals;
  durationMs: number;
  createdAt: number;
}

const SPAN_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'vcenter_id', type: 'int' },
  { name: 'lifecycle_id', type: 'int' },
  { name: 'first_seen', type: 'bigint' },
  { name: 'name', type: 'text' },
  { name: 'identity_id', type: 'int' },
  { name: 'placement_id', type: 'int' },
  { name: 'provisioned_disk_gb', type: 'float' },
  { name: 'vcpu_count', type: 'int' },
  { name: 'ram_gb', type: 'float' },
  { name: 'is_template', type: 'int' },
  { name: 'powered_on', type: 'int' },
  { name: 'srm_placeholder', type: 'int' },
  { name: 'attributes_id', type: 'int' },
];
const IDENTITY_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'vm_uuid', type: 'text' },
  { name: 'instance_uuid', type: 'text' },
  { name: 'event_key', type: 'text' },
  { name: 'cloud_id', type: 'text' },
];
const PLACEMENT_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'resource_pool', type: 'text' },
  { name: 'tier', type: 'text' },
  { name: 'datacenter', type: 'text' },
  { name: 'cluster', type: 'text' },
  { name: 'folder', type: 'text' },
];
const ATTRIBUTE_SET_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'attributes', type: 'text' },
];
const LIFECYCLE_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'vcenter_id', type: 'int' },
  { name: 'vm_id', type: 'text' },
  { name: 'creation_time', type: 'bigint' },
  { name: 'deletion_time', type: 'bigint' },
  { name: 'first_seen', type: 'bigint' },
];

export async function writeCapture(tx: SqlExecutor, write: CaptureWrite): Promise<void> {
  await excludeCaptures(tx);
  const latest = await latestSnapshotTime(tx, write.vcenterId);
  if (latest !== write.previousSnapshotTime) {
    throw new VctpError('lock', `another capture stored a snapshot of this vCenter meanwhile (latest is now ${latest}); nothing written`);
  }
  const { diff, snapshotTime: t } = write;
  // Under the capture lock, which `vctp month close` takes too: a month closed since the run began is final.
  await assertOpen(tx, `snapshot ${formatUnixTime(t)}`, t, t + 1);
  const previous = write.previousSnapshotTime;
  // Partitioned PostgreSQL (pg-partitions.ts): the months this capture writes into (closed spans
  // end at `previous`) must have partitions; the migration step made this month's and the next, so
  // this only creates one for a capture whose time is far from the clock (--at).
  await ensureMonthPartitions(tx, previous ?? t, t);

  const closing = [...diff.changed.map((c) => c.old.spanId), ...diff.removed.map((s) => s.spanId)];
  if (closing.length > 0 && previous === null) throw new VctpError('internal', 'open spans without a previous snapshot');
  for (const ids of chunks(closing)) {
    await tx.run(sql`UPDATE vm_spans SET last_seen = ${previous} WHERE id IN (${inList(ids)})`);
  }

  const lifecycle = await loadLifecycle(tx, write.vcenterId);
  const lifecycleIds = await writeLifecycle(tx, write, lifecycle);
  await writeRemovals(tx, write, lifecycle);

  const opening: { vm: CapturedVm; identityId: number | null; attributesId: number | null }[] = [
    ...diff.added.map((vm) => ({ vm, identityId: null, attributesId: null })),
    ...diff.changed.map(({ vm, old }) => ({
      vm,
      identityId: identityKey(old.state.identity) === identityKey(vm.state.identity) ? old.identityId : null,
      attributesId: (old.state.attributes ?? NO_ATTRIBUTES) === (vm.state.attributes ?? NO_ATTRIBUTES) ? old.attributesId : null,
    })),
  ];
  const placementIds = await resolvePlacements(tx, opening.map((o) => o.vm.state));
  const attributeIds = await resolveAttributeSets(
    tx,
    opening.flatMap((o) => (o.attributesId === null ? [o.vm.state.attributes ?? NO_ATTRIBUTES] : [])),
  );
  let identityId = await nextId(tx, 'vm_identities');
  let spanId = await nextId(tx, 'vm_spans');
  const identityRows: unknown[][] = [];
  const spanRows: unknown[][] = [];
  for (const { vm, identityId: reuse, attributesId: reuseAttributes } of opening) {
    const s = vm.state;
    let identity = reuse;
    if (identity === null) {
      identity = identityId++;
      identityRows.push([
        identity,
        encodeUuid(tx.dialect, s.identity.vmUuid),
        encodeUuid(tx.dialect, s.identity.instanceUuid),
        s.identity.eventKey,
        s.identity.cloudId,
      ]);
    }
    spanRows.push([
      spanId++,
      write.vcenterId,
      lifecycleIds.get(vm.vmId)!,
      t,
      s.name,
      identity,
      placementIds.get(placementKey(s.placement))!,
      s.provisionedDiskGb,
      s.vcpuCount,
      s.ramGb,
      flag(s.isTemplate),
      flag(s.poweredOn),
      flag(s.srmPlaceholder),
      reuseAttributes ?? attributeIds.get(s.attributes ?? NO_ATTRIBUTES)!,
    ]);
  }
  await tx.insertRows('vm_identities', IDENTITY_COLUMNS, identityRows);
  await tx.insertRows('vm_spans', SPAN_COLUMNS, spanRows);

  const rowCount = diff.unchanged.length + diff.changed.length + diff.added.length;
  await tx.run(sql`
    INSERT INTO snapshot_registry (vcenter_id, kind, snapshot_time, row_count, duration_ms, created_at)
    VALUES (${write.vcenterId}, 'hourly', ${t}, ${rowCount}, ${Math.round(write.durationMs)}, ${write.createdAt})`);
  await writeSnapshotTotals(tx, write.vcenterId, t, write.totals);
}

/** Lifecycle ids of every VM present now: new VMs get a row, returning VMs lose their deletion. */
async function writeLifecycle(
  tx: SqlExecutor,
  write: CaptureWrite,
  lifecycle: Map<string, LifecycleRow>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const present = [...write.diff.unchanged, ...write.diff.changed.map((c) => c.vm), ...write.diff.added];
  let nextLifecycleId = await nextId(tx, 'vm_lifecycle');
  const newRows: unknown[][] = [];
  for (const vm of present) {
    const row = lifecycle.get(vm.vmId);
    if (!row) {
      const id = nextLifecycleId++;
      ids.set(vm.vmId, id);
      // A creation time after the first snapshot that saw the VM is clock skew or an --at backfill:
      // the VM existed by then, so that is its latest possible creation.
      const creation = vm.creationTime > write.snapshotTime ? write.snapshotTime : vm.creationTime;
      newRows.push([id, write.vcenterId, vm.vmId, creation, 0, write.snapshotTime]);
      continue;
    }
    ids.set(vm.vmId, row.id);
    const creation = row.creationTime === 0 ? vm.creationTime : row.creationTime;
    if (row.deletionTime !== 0 || creation !== row.creationTime) {
      await tx.run(sql`UPDATE vm_lifecycle SET deletion_time = 0, last_seen = NULL, creation_time = ${creation} WHERE id = ${row.id}`);
    }
  }
  await tx.insertRows('vm_lifecycle', LIFECYCLE_COLUMNS, newRows);
  return ids;
}

/** A VM gone from this snapshot: deleted at vCenter's removal event, else at this snapshot. */
async function writeRemovals(tx: SqlExecutor, write: CaptureWrite, lifecycle: Map<string, LifecycleRow>): Promise<void> {
  for (const span of write.diff.removed) {
    const row = lifecycle.get(span.vmId);
    if (!row) throw new VctpError('internal', `open span of ${span.vmId} has no lifecycle row`);
    // An event time outside (last seen, this snapshot] can only be clock skew between vCenter and
    // this host (or an --at time in the past): keep the deletion inside the window we observed.
    const event = write.removalTimes.get(span.vmId);
    const deletion = event === undefined ? write.snapshotTime : Math.min(Math.max(event, write.previousSnapshotTime ?? event), write.snapshotTime);
    await tx.run(
      sql`UPDATE vm_lifecycle SET deletion_time = ${deletion}, last_seen = ${write.previousSnapshotTime} WHERE id = ${row.id}`,
    );
  }
}

async function resolvePlacements(tx: SqlExecutor, states: readonly SpanState[]): Promise<Map<string, number>> {
  const known = await loadPlacements(tx);
  let next = await nextId(tx, 'vm_placements');
  const rows: unknown[][] = [];
  for (const { placement: p } of states) {
    const key = placementKey(p);
    if (known.has(key)) continue;
    const id = next++;
    known.set(key, id);
    rows.push([id, p.resourcePool, p.tier, p.datacenter, p.cluster, p.folder]);
  }
  await tx.insertRows('vm_placements', PLACEMENT_COLUMNS, rows);
  return known;
}

/**
 * Ids of attribute sets, adding the new ones. The dictionary is read only when a span opens with a
 * set its VM did not have before (a new VM with attributes, a change of attributes): an hourly
 * capture in which attributes did not change reads nothing.
 */
async function resolveAttributeSets(tx: SqlExecutor, sets: readonly string[]): Promise<Map<string, number>> {
  const wanted = new Set(sets);
  wanted.delete(NO_ATTRIBUTES);
  if (wanted.size === 0) return new Map([[NO_ATTRIBUTES, 0]]);
  const known = await loadAttributeSets(tx);
  let next = await nextId(tx, 'vm_attribute_sets');
  const rows: unknown[][] = [];
  for (const text of wanted) {
    if (known.has(text)) continue;
    const id = next++;
    known.set(text, id);
    rows.push([id, text]);
  }
  await tx.insertRows('vm_attribute_sets', ATTRIBUTE_SET_COLUMNS, rows);
  return known;
}
