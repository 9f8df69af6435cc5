// Capture semantics on both databases, without a vCenter: lifecycle times, registry rows, totals,
// and refusing snapshot times that are not new.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { VmRecord } from '../../src/core/inventory.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { captureInventory, type CaptureSettings } from '../../src/jobs/capture-inventory.js';
import type { Store } from '../../src/store/executor.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const SETTINGS: CaptureSettings = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: ['acme'],
  node_charge_clusters: ['hpc'],
  srm_activeactive_vms: [],
};

const vm = (vmId: string, over: Partial<VmRecord> = {}): VmRecord => ({
  vmId,
  name: `name-${vmId}`,
  vmUuid: `uuid-${vmId}`,
  instanceUuid: `iuuid-${vmId}`,
  eventKey: null,
  cloudId: null,
  resourcePool: 'Gold',
  resourcePoolChain: ['Gold'],
  datacenter: 'DC0',
  cluster: 'C0',
  folder: '/DC0/vm',
  provisionedDiskGb: 100,
  vcpuCount: 2,
  ramGb: 8,
  isTemplate: false,
  poweredOn: true,
  srmPlaceholder: false,
  creationTime: 1_700_000_000,
  ...over,
});

const H = 3600;
const T0 = 1_776_729_600; // 2026-04-21T00:00:00Z

// PostgreSQL also with monthly partitions (src/store/pg-partitions.ts): the same semantics.
const VARIANTS = [...ENGINES.map((engine) => ({ engine, partitioned: false })), { engine: 'postgres' as const, partitioned: true }];

for (const { engine, partitioned } of VARIANTS) {
  describe(`capture lifecycle (${engine}${partitioned ? ', partitioned' : ''})`, () => {
    let db: TestDatabase;
    let store: Store;
    before(async () => {
      db = await createTestDatabase(engine, { partitioned });
      store = await db.open();
      const ctx = testContext(store);
      await captureInventory(ctx, SETTINGS, {
        vcenter: 'vc1',
        snapshotTime: T0,
        records: [vm('vm-1'), vm('vm-2'), vm('vm-3', { creationTime: 0 }), vm('vm-9', { resourcePoolChain: ['ACME'], resourcePool: 'ACME' })],
      });
      await captureInventory(ctx, SETTINGS, {
        vcenter: 'vc1',
        snapshotTime: T0 + H,
        records: [vm('vm-1', { vcpuCount: 4 }), vm('vm-3', { creationTime: 1_700_000_500 }), vm('vm-4', { cluster: 'HPC' })],
        removalTimes: async (ids, since) => {
          assert.deepEqual(ids, ['vm-2']);
          assert.equal(since, T0);
          return new Map([['vm-2', T0 + 1800]]);
        },
      });
      await captureInventory(ctx, SETTINGS, {
        vcenter: 'vc1',
        snapshotTime: T0 + 2 * H,
        records: [vm('vm-1', { vcpuCount: 4 }), vm('vm-3')],
      });
      await captureInventory(ctx, SETTINGS, {
        vcenter: 'vc1',
        snapshotTime: T0 + 3 * H,
        records: [vm('vm-1', { vcpuCount: 4 }), vm('vm-3'), vm('vm-4', { cluster: 'HPC' })],
      });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    const lifecycle = async (vmId: string) =>
      (
        await store.all<{ creation_time: number; deletion_time: number; first_seen: number; last_seen: number | null }>(
          sql`SELECT creation_time, deletion_time, first_seen, last_seen FROM vm_lifecycle WHERE vm_id = ${vmId}`,
        )
      ).map((r) => ({ ...r, creation_time: Number(r.creation_time), deletion_time: Number(r.deletion_time), first_seen: Number(r.first_seen), last_seen: r.last_seen === null ? null : Number(r.last_seen) }))[0];

    it('takes the deletion time from the removal event when vCenter has one', async () => {
      assert.deepEqual(await lifecycle('vm-2'), { creation_time: 1_700_000_000, deletion_time: T0 + 1800, first_seen: T0, last_seen: T0 });
    });
    it('otherwise uses the first snapshot the VM was missing from, and clears it when the VM returns', async () => {
      const rows = await store.all<{ deletion_time: number }>(sql`SELECT deletion_time FROM vm_lifecycle WHERE vm_id = 'vm-4'`);
      assert.equal(Number(rows[0]!.deletion_time), 0);
      const hours = await store.all<{ snapshot_time: number }>(
        sql`SELECT snapshot_time FROM vm_hourly_stats WHERE vm_id = 'vm-4' ORDER BY snapshot_time`,
      );
      assert.deepEqual(hours.map((h) => Number(h.snapshot_time)), [T0 + H, T0 + 3 * H]);
    });
    it('fills a creation time that vCenter gives later, and keeps it', async () => {
      assert.equal((await lifecycle('vm-3'))!.creation_time, 1_700_000_500);
    });
    it('does not capture VMs of filtered tenants', async () => {
      const rows = await store.all(sql`SELECT 1 FROM vm_hourly_stats WHERE vm_id = 'vm-9'`);
      assert.equal(rows.length, 0);
    });
    it('shows the old size before a change and the new one after it', async () => {
      const rows = await store.all<{ snapshot_time: number; vcpu_count: number }>(
        sql`SELECT snapshot_time, vcpu_count FROM vm_hourly_stats WHERE vm_id = 'vm-1' ORDER BY snapshot_time`,
      );
      assert.deepEqual(rows.map((r) => [Number(r.snapshot_time), Number(r.vcpu_count)]), [
        [T0, 2],
        [T0 + H, 4],
        [T0 + 2 * H, 4],
        [T0 + 3 * H, 4],
      ]);
    });
    it('registers each snapshot and writes hourly and latest totals', async () => {
      const registry = await store.all<{ snapshot_time: number; row_count: number }>(
        sql`SELECT snapshot_time, row_count FROM snapshot_registry WHERE kind = 'hourly' ORDER BY snapshot_time`,
      );
      assert.deepEqual(registry.map((r) => [Number(r.snapshot_time), Number(r.row_count)]), [
        [T0, 3],
        [T0 + H, 3],
        [T0 + 2 * H, 2],
        [T0 + 3 * H, 3],
      ]);
      const hourly = await store.all<{ snapshot_time: number; vm_count: number; node_charge_vm_count: number; vcpu_total: number; gold_vm_count: number }>(
        sql`SELECT snapshot_time, vm_count, node_charge_vm_count, vcpu_total, gold_vm_count FROM vcenter_aggregate_totals WHERE kind = 'hourly' ORDER BY snapshot_time`,
      );
      assert.deepEqual(
        hourly.map((r) => [Number(r.snapshot_time), Number(r.vm_count), Number(r.node_charge_vm_count), Number(r.vcpu_total), Number(r.gold_vm_count)]),
        [
          [T0, 3, 0, 6, 3],
          [T0 + H, 3, 1, 6, 2],
          [T0 + 2 * H, 2, 0, 6, 2],
          [T0 + 3 * H, 3, 1, 6, 2],
        ],
      );
      const latest = await store.all<{ snapshot_time: number }>(sql`SELECT snapshot_time FROM vcenter_latest_totals`);
      assert.deepEqual(latest.map((r) => Number(r.snapshot_time)), [T0 + 3 * H]);
    });
    it('refuses a snapshot time that is not later than the latest and stores nothing', async () => {
      const before = await store.all(sql`SELECT COUNT(*) AS n FROM vm_spans`);
      await assert.rejects(
        captureInventory(testContext(store), SETTINGS, { vcenter: 'vc1', snapshotTime: T0 + 3 * H, records: [vm('vm-1')] }),
        (error: Error) => /--at .*vc1 already has a snapshot at 2026-04-21T03:00:00.000Z/.test(error.message),
      );
      assert.deepEqual(await store.all(sql`SELECT COUNT(*) AS n FROM vm_spans`), before);
    });
  });
}
