// `vctp snapshot delete` leaves the store as if the snapshot had never been taken: on both
// databases, a random sequence of inventories (VMs appearing, vanishing, coming back, changing and
// changing back, deleted at vCenter's removal event or at the first snapshot they were missing
// from) is captured for vCenter "full", one random snapshot of it (first, middle or last) is
// deleted, and the same sequence without that snapshot is captured for vCenter "without". Every
// stored fact of the two must be equal: hourly rows (vm_hourly_stats), spans, lifecycle rows,
// registry, hourly and latest totals, the identity and placement rows they use; ids aside.
//
// The inventories behave as vCenter's do: a VM's config.createDate never changes, and a VM without
// one gets its creation event (time and key) looked up once, when vctp first sees it. Creation
// times and removal events never fall on a snapshot time, nor between snapshots where only the
// removed one could tell them apart: what capture would have stored then cannot be known (README
// "Taking a snapshot back"); the one loss it has (a VM back at the removed snapshot only loses the
// removal event of its earlier absence) is modelled by the "without" capture not finding that event.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import type { VmRecord } from '../../src/core/inventory.js';
import { dayPeriod } from '../../src/core/periods.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { captureInventory, type CaptureSettings } from '../../src/jobs/capture-inventory.js';
import { runRepair } from '../../src/jobs/repair.js';
import { runSnapshotDelete, type SnapshotDeleted } from '../../src/jobs/snapshot-delete.js';
import type { Store } from '../../src/store/executor.js';
import {
  readStoredHourlySnapshots,
  readStoredLifecycles,
  readStoredSpans,
} from '../../src/store/snapshot-removal-repository.js';
import { readDailyRegistry } from '../../src/store/summary-repository.js';
import { readLatestTotals } from '../../src/store/totals-repository.js';
import { decodeUuid } from '../../src/store/uuid-codec.js';
import { findVcenterId } from '../../src/store/vcenter-repository.js';
import { vm } from '../helpers/builders.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase, truncateAll } from '../helpers/db.js';
import { captureSeries, Fleet, H, random, SETTINGS as FLEET_SETTINGS, utc } from './maintenance-fleet.js';

const SETTINGS: CaptureSettings = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
};

const START = 1_776_000_000; // 2026-04-12T13:20:00Z
/** Before every snapshot of the sequence. */
const EARLY = 1_700_000_000;
/** After every snapshot: a creation time clamped to the first sight, a removal event clamped to the first absence. */
const FAR = 1_900_000_000;

type Creation = { kind: 'date'; time: number } | { kind: 'event'; time: number; key: string } | { kind: 'none' };
type RemovalEvent = { kind: 'none' } | { kind: 'inside'; fraction: number } | { kind: 'far' };

const VM_IDS = ['vm-1', 'vm-2', 'vm-3', 'vm-4', 'vm-5', 'vm-6'];

const creationArb: fc.Arbitrary<Creation> = fc.oneof(
  fc.constantFrom<Creation>({ kind: 'date', time: EARLY }, { kind: 'date', time: FAR }, { kind: 'none' }),
  fc.record({ kind: fc.constant('event' as const), time: fc.constantFrom(EARLY, FAR), key: fc.constantFrom('17', '42') }),
);
const removalArb: fc.Arbitrary<RemovalEvent> = fc.oneof(
  fc.constant<RemovalEvent>({ kind: 'none' }),
  fc.constant<RemovalEvent>({ kind: 'far' }),
  fc.record({ kind: fc.constant('inside' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

/** The tracked attributes of a VM in one snapshot, from domains small enough that changes get reverted. */
const stateArb = fc.record({
  vcpuCount: fc.constantFrom(2, 4),
  poweredOn: fc.boolean(),
  resourcePool: fc.constantFrom('Gold', 'Tin', 'Pool-X'),
  vmUuid: fc.constantFrom('4201a1b2-0c3d-4e5f-8a9b-0c1d2e3f4a5b', '4201a1b2-0c3d-4e5f-8a9b-00000000000b'),
});
type VmState = { vcpuCount: number; poweredOn: boolean; resourcePool: string; vmUuid: string };

// Each snapshot, per VM: absent, unchanged, changed to a random state, or back to the state it had
// before its last change; weighted so that long runs, returns and reverted changes all happen.
type Step = { kind: 'absent' } | { kind: 'keep' } | { kind: 'back' } | { kind: 'change'; state: VmState };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Step>({ kind: 'absent' }) },
  { weight: 5, arbitrary: fc.constant<Step>({ kind: 'keep' }) },
  { weight: 2, arbitrary: fc.constant<Step>({ kind: 'back' }) },
  { weight: 2, arbitrary: stateArb.map((state): Step => ({ kind: 'change', state })) },
);
const inventoryArb = fc.tuple(...VM_IDS.map(() => stepArb));

/** The states of each VM in each snapshot (null: absent). */
function inventoriesOf(steps: readonly Step[][]): (VmState | null)[][] {
  const initial: VmState = { vcpuCount: 2, poweredOn: true, resourcePool: 'Tin', vmUuid: '4201a1b2-0c3d-4e5f-8a9b-0c1d2e3f4a5b' };
  const current = VM_IDS.map(() => initial);
  const before = VM_IDS.map(() => initial);
  return steps.map((inventory) =>
    inventory.map((step, v) => {
      if (step.kind === 'absent') return null;
      if (step.kind === 'back') [current[v], before[v]] = [before[v]!, current[v]!];
      if (step.kind === 'change') [current[v], before[v]] = [step.state, current[v]!];
      return current[v]!;
    }),
  );
}

const scenarioArb = fc
  .record({
    steps: fc.array(inventoryArb, { minLength: 1, maxLength: 7 }),
    gaps: fc.array(fc.integer({ min: 60, max: 7200 }), { minLength: 7, maxLength: 7 }),
    creations: fc.tuple(...VM_IDS.map(() => creationArb)),
    removals: fc.array(removalArb, { minLength: 8, maxLength: 8 }),
    which: fc.constantFrom<'first' | 'middle' | 'last' | 'random'>('first', 'middle', 'last', 'random'),
    pick: fc.nat(),
  })
  .map(({ steps, ...s }) => {
    const inventories = inventoriesOf(steps);
    const n = inventories.length;
    const index = s.which === 'first' ? 0 : s.which === 'last' ? n - 1 : s.which === 'middle' ? Math.floor(n / 2) : s.pick % n;
    return { ...s, inventories, index };
  });
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

interface World {
  times: number[];
  inventories: (VmState | null)[][];
}

/** A VM's removal event: per VM and first snapshot it was missing from (in the whole sequence). */
function removalEventOf(s: Scenario, times: number[], vmIndex: number, lastSeenIndex: number): number | null {
  const event = s.removals[(vmIndex + lastSeenIndex) % s.removals.length]!;
  const last = times[lastSeenIndex]!;
  const missing = times[lastSeenIndex + 1]!;
  if (event.kind === 'none') return null;
  if (event.kind === 'far') return FAR;
  // Strictly between the two snapshots, so that it never equals a snapshot time.
  return last + 1 + Math.floor(event.fraction * (missing - last - 2));
}

/** Captures a world as vctp would have: creation events looked up at first sight, removal events at absence. */
async function captureWorld(
  store: Store,
  vcenter: string,
  s: Scenario,
  world: World,
  removalEvent: (vmIndex: number, since: number, time: number) => number | null,
): Promise<void> {
  const ctx = testContext(store);
  const seen = new Set<string>();
  for (const [i, inventory] of world.inventories.entries()) {
    const time = world.times[i]!;
    const records: VmRecord[] = [];
    for (const [v, state] of inventory.entries()) {
      if (!state) continue;
      const vmId = VM_IDS[v]!;
      const creation = s.creations[v]!;
      const first = !seen.has(vmId);
      seen.add(vmId);
      records.push(
        vm(vmId, {
          ...state,
          resourcePoolChain: [state.resourcePool],
          creationTime: creation.kind === 'date' ? creation.time : creation.kind === 'event' && first ? creation.time : 0,
          eventKey: creation.kind === 'event' && first ? creation.key : null,
        }),
      );
    }
    await captureInventory(ctx, SETTINGS, {
      vcenter,
      snapshotTime: time,
      records,
      removalTimes: async (vmIds, since) => {
        const found = new Map<string, number>();
        for (const vmId of vmIds) {
          const e = removalEvent(VM_IDS.indexOf(vmId), since, time);
          if (e !== null) found.set(vmId, e);
        }
        return found;
      },
    });
  }
}

async function hourlyRows(store: Store, vcenter: string): Promise<Record<string, unknown>[]> {
  const rows = await store.all<Record<string, unknown>>(sql`
    SELECT snapshot_time, vm_id, name, vm_uuid, instance_uuid, event_key, cloud_id, creation_time, deletion_time, resource_pool, tier,
           datacenter, cluster, folder, provisioned_disk, vcpu_count, ram_gb, is_template, powered_on, srm_placeholder
    FROM vm_hourly_stats WHERE vcenter = ${vcenter}`);
  return [...rows].sort((a, b) => Number(a.snapshot_time) - Number(b.snapshot_time) || String(a.vm_id).localeCompare(String(b.vm_id)));
}

/** Every stored fact of one vCenter's hourly history, ids aside. */
async function storedFacts(store: Store, vcenter: string) {
  const id = await findVcenterId(store, vcenter);
  if (id === null) return { hourly: [], spans: [], lifecycles: [], snapshots: [], latest: null, identities: [] };
  const latest = (await readLatestTotals(store)).find((r) => r.vcenter === vcenter);
  // Identity rows by value, one per row the vCenter's spans use.
  const identities = await store.all<Record<string, unknown>>(sql`
    SELECT i.vm_uuid, i.instance_uuid, i.event_key, i.cloud_id FROM vm_identities i
    WHERE i.id IN (SELECT identity_id FROM vm_spans WHERE vcenter_id = ${id})`);
  return {
    hourly: await hourlyRows(store, vcenter),
    spans: await readStoredSpans(store, id),
    lifecycles: await readStoredLifecycles(store, id),
    snapshots: await readStoredHourlySnapshots(store, id),
    latest: latest ? { snapshotTime: latest.snapshotTime, totals: latest.totals } : null,
    identities: Array.from(identities, (r) => JSON.stringify([decodeUuid(r.vm_uuid), decodeUuid(r.instance_uuid), r.event_key, r.cloud_id])).sort(),
  };
}

for (const engine of ENGINES) {
  describe(`vctp snapshot delete (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    const reportsDir = mkdtempSync(join(tmpdir(), 'vctp-snapdel-'));
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('leaves the store as if the snapshot had never been taken', async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async (s) => {
          await truncateAll(store);
          const times: number[] = [];
          let t = START;
          for (const gap of s.gaps.slice(0, s.inventories.length)) times.push((t += gap));
          const full: World = { times, inventories: s.inventories };
          const removed = times[s.index]!;
          const without: World = {
            times: times.filter((_, i) => i !== s.index),
            inventories: s.inventories.filter((_, i) => i !== s.index),
          };
          const present = (v: number, i: number) => i >= 0 && i < times.length && s.inventories[i]![v] !== null;

          // Whole-sequence absences: VM v last seen at index l, missing at l + 1.
          const eventInFull = (v: number, time: number): number | null => {
            const missing = times.indexOf(time);
            return missing > 0 && present(v, missing - 1) && !present(v, missing) ? removalEventOf(s, times, v, missing - 1) : null;
          };
          // Without the snapshot: the absence that ends the VM's sight in (since, time] is one of the
          // whole sequence (the earliest one in that window). Its event is lost if the removed
          // snapshot was the VM's only sight after it (that return reset the deletion time).
          const eventWithout = (v: number, since: number, time: number): number | null => {
            const k = s.index;
            const returnedThereOnly = present(v, k) && k > 0 && !present(v, k - 1) && times.slice(k + 1).every((_, j) => !present(v, k + 1 + j));
            for (let i = 1; i < times.length; i++) {
              if (times[i]! <= since || times[i]! > time || !present(v, i - 1) || present(v, i)) continue;
              if (returnedThereOnly && i < k) return null;
              return removalEventOf(s, times, v, i - 1);
            }
            return null;
          };

          await captureWorld(store, 'without', s, without, eventWithout);
          await captureWorld(store, 'full', s, full, (v, _since, time) => eventInFull(v, time));
          const result = await runSnapshotDelete(testContext(store), { reports_dir: reportsDir }, { vcenter: 'full', at: removed, lockWaitSeconds: 0 });
          assert.equal(result.skipped, false);
          const deleted = result as SnapshotDeleted;
          assert.equal(deleted.previousSnapshot, s.index > 0 ? times[s.index - 1]! : null);
          assert.equal(deleted.nextSnapshot, s.index < times.length - 1 ? times[s.index + 1]! : null);

          const got = await storedFacts(store, 'full');
          const want = await storedFacts(store, 'without');
          assert.deepEqual(got.hourly, want.hourly, 'hourly rows');
          assert.deepEqual(got.spans, want.spans, 'spans');
          assert.deepEqual(got.lifecycles, want.lifecycles, 'lifecycle rows');
          assert.deepEqual(got.snapshots, want.snapshots, 'registry and hourly totals');
          assert.deepEqual(got.latest, want.latest, 'latest totals');
          assert.deepEqual(got.identities, want.identities, 'identity rows');
          // Nothing left that nothing refers to (capture never leaves any).
          const orphans = await store.all<{ identities: number; placements: number }>(sql`
            SELECT (SELECT COUNT(*) FROM vm_identities WHERE id NOT IN (SELECT identity_id FROM vm_spans)) AS identities,
                   (SELECT COUNT(*) FROM vm_placements WHERE id NOT IN (SELECT placement_id FROM vm_spans)) AS placements`);
          assert.deepEqual(orphans.map((r) => [Number(r.identities), Number(r.placements)]), [[0, 0]], 'unreferenced identity or placement rows');
        }),
        { numRuns: engine === 'sqlite' ? 300 : 40 },
      );
    });

    it('refuses a time that is no snapshot of the vCenter, listing the nearest, and an unknown vCenter', async () => {
      await truncateAll(store);
      const ctx = testContext(store);
      for (const [i, time] of [START, START + H, START + 2 * H].entries()) {
        await captureInventory(ctx, SETTINGS, { vcenter: 'vc1', snapshotTime: time, records: [vm('vm-1', { vcpuCount: 2 + i })] });
      }
      const del = (vcenter: string, at: number) => runSnapshotDelete(ctx, { reports_dir: reportsDir }, { vcenter, at, lockWaitSeconds: 0 });
      await assert.rejects(del('vc1', START + 1), (error: Error) => {
        assert.match(error.message, /^--at 2026-04-12T13:20:01Z: vCenter vc1 has no hourly snapshot at this time; the nearest: 2026-04-12T13:20:00Z \(1776000000\), 2026-04-12T14:20:00Z/);
        return true;
      });
      await assert.rejects(del('vc9', START), /--vcenter vc9: no snapshots of such a vCenter are stored \(known: vc1\)/);
      assert.equal((await readStoredHourlySnapshots(store, (await findVcenterId(store, 'vc1'))!)).length, 3);
      const runs = await store.all(sql`SELECT job FROM job_runs WHERE job = 'snapshot-delete'`);
      assert.equal(runs.length, 0, 'a refused delete records no run');
    });

    it('makes the summaries of its day stale, and repair re-aggregates them', async () => {
      await truncateAll(store);
      const now = utc('2026-04-03T12:00:00Z');
      const ctx = testContext(store, now * 1000);
      const hours = [utc('2026-03-31T22:00:00Z'), utc('2026-04-01T09:00:00Z'), utc('2026-04-01T10:00:00Z'), utc('2026-04-01T11:00:00Z')];
      await captureSeries(ctx, 'vc1', new Fleet(random(3), 12), hours);
      const repair = async () => {
        const r = await runRepair(ctx, FLEET_SETTINGS, { engine: 'app', lockWaitSeconds: 0, from: dayPeriod('2026-03-31').start, to: dayPeriod('2026-04-02').start });
        assert.equal(r.skipped, false);
        return r.skipped ? [] : r.actions.map((a) => [a.kind, a.period, a.reason, a.result]);
      };
      assert.deepEqual(await repair(), [
        ['daily', '2026-03-31', 'missing', 'ok'],
        ['daily', '2026-04-01', 'missing', 'ok'],
        ['monthly', '2026-03', 'missing', 'ok'],
      ]);
      const vc = (await findVcenterId(store, 'vc1'))!;
      const del = (at: number) => runSnapshotDelete(ctx, { reports_dir: reportsDir }, { vcenter: 'vc1', at, lockWaitSeconds: 0 }) as Promise<SnapshotDeleted>;

      const middle = await del(hours[2]!);
      assert.deepEqual(
        middle.summaries.map((x) => [x.kind, x.period, x.state, x.advice]),
        [
          ['daily', '2026-04-01', 'stale', 'vctp repair --from 2026-04-01 --to 2026-04-01 --vcenter vc1'],
          ['monthly', '2026-04', 'none', undefined],
        ],
      );
      assert.deepEqual(await repair(), [['daily', '2026-04-01', 'stale', 'ok']]);
      assert.deepEqual((await readDailyRegistry(store, vc, dayPeriod('2026-04-01').start, dayPeriod('2026-04-02').start)).map((d) => d.totalSamples), [2]);

      // The only snapshot of 2026-03-31: the day's summary goes with it, and the month's is stale.
      const only = await del(hours[0]!);
      assert.deepEqual(
        only.summaries.map((x) => [x.kind, x.period, x.state]),
        [
          ['daily', '2026-03-31', 'removed'],
          ['monthly', '2026-03', 'removed'],
        ],
      );
      assert.deepEqual(await readDailyRegistry(store, vc, dayPeriod('2026-03-31').start, dayPeriod('2026-04-01').start), []);
      assert.deepEqual(await repair(), []);
      const left = await store.all(sql`SELECT kind, snapshot_time FROM snapshot_registry WHERE kind <> 'hourly' ORDER BY kind, snapshot_time`);
      assert.equal(left.length, 1, JSON.stringify(left));
    });
  });
}
