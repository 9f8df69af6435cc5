// The read views on both databases: `vctp trace` (hourly from the spans, daily from the rollup),
// `vctp totals` per view, and the missed snapshots `vctp status` shows. Two vCenters over three
// days; 2026-04-20 misses the 05:00, 06:00 and 07:00 snapshots in both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { VmRecord } from '../../src/core/inventory.js';
import { VctpError } from '../../src/core/errors.js';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import type { AggregationSettings } from '../../src/jobs/aggregation-settings.js';
import { captureInventory, type CaptureSettings } from '../../src/jobs/capture-inventory.js';
import { missedSnapshots, readStatus } from '../../src/queries/status.js';
import { readTotals } from '../../src/queries/totals.js';
import { traceVm, type TraceInput } from '../../src/queries/trace.js';
import type { Store } from '../../src/store/executor.js';
import { findVcenterId } from '../../src/store/vcenter-repository.js';
import { vm as buildVm } from '../helpers/builders.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const H = 3600;
const DAY = 86_400;
const D1 = Date.UTC(2026, 3, 19) / 1000;
const D2 = D1 + DAY;
const D3 = D2 + DAY; // "today" for testContext (2026-04-21T12:00Z)
const NOW_MS = (D3 + 12 * H) * 1000;
const MISSED_HOURS = new Set([5, 6, 7]);

const UUID1 = '4201aaaa-bbbb-4ccc-8ddd-000000000001';
const IUUID1 = '5001aaaa-bbbb-4ccc-8ddd-000000000001';
const UUID2 = '4201AAAA-BBBB-4CCC-8DDD-000000000002'; // upper case: not canonical, stored as text

const SETTINGS: CaptureSettings & AggregationSettings = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
  vcenter_inventory_snapshot_seconds: 3600,
  scheduled_aggregation_engine: 'app',
  monthly_aggregation_source: 'daily',
};

const vm = (vmId: string, over: Partial<VmRecord>): VmRecord => buildVm(vmId, { creationTime: D1 - DAY, ...over });
const pool = (name: string) => ({ resourcePool: name, resourcePoolChain: [name] });

/** vc1 at time t: web01 grows to 4 vCPU at D2 10:00 and moves Tin -> Gold at 18:00; DB01 is created at D2 10:00 and powered off at 12:00; app04 is gone at D2 14:00 and 15:00. */
function vc1At(t: number): VmRecord[] {
  const vms = [
    vm('vm-1', { name: 'web01', vmUuid: UUID1, instanceUuid: IUUID1, vcpuCount: t >= D2 + 10 * H ? 4 : 2, ...pool(t >= D2 + 18 * H ? 'Gold' : 'Tin') }),
  ];
  if (t >= D2 + 10 * H) vms.push(vm('vm-2', { name: 'DB01', vmUuid: UUID2, poweredOn: t < D2 + 12 * H, creationTime: D2 + 10 * H, ...pool('Silver') }));
  if (t !== D2 + 14 * H && t !== D2 + 15 * H) vms.push(vm('vm-4', { name: 'app04', ...pool('Bronze') }));
  return vms;
}
const vc2At = (): VmRecord[] => [vm('vm-1', { name: 'WEB01', vmUuid: '4201bbbb-bbbb-4ccc-8ddd-000000000009', ...pool('Silver') })];

/** Snapshot times: every hour of D1, D2 without 05-07, D3 until 11:00. */
const SNAPSHOTS: number[] = [];
for (let t = D1; t < D3 + 12 * H; t += H) {
  if (t >= D2 && t < D3 && MISSED_HOURS.has((t - D2) / H)) continue;
  SNAPSHOTS.push(t);
}

for (const engine of ENGINES) {
  describe(`read views (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    const ctx = () => testContext(store, NOW_MS);
    const trace = (vmArg: string, over: Partial<TraceInput> = {}) =>
      traceVm(ctx(), { vm: vmArg, view: 'hourly', from: D2, to: D3 - 1, vcenter: 'vc1', ...over });

    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      for (const t of SNAPSHOTS) {
        await captureInventory(ctx(), SETTINGS, { vcenter: 'vc1', snapshotTime: t, records: vc1At(t) });
        await captureInventory(ctx(), SETTINGS, { vcenter: 'vc2', snapshotTime: t, records: vc2At() });
      }
      // vc1 is aggregated (days, and April so far); vc2 is not, so status must count its snapshots.
      const vcenterId = (await findVcenterId(store, 'vc1'))!;
      for (const day of ['2026-04-19', '2026-04-20']) {
        await aggregateDay(ctx(), SETTINGS, { period: dayPeriod(day), vcenterId, vcenter: 'vc1', engine: 'app' });
      }
      await aggregateMonth(ctx(), SETTINGS, { period: monthPeriod('2026-04'), vcenterId, vcenter: 'vc1', engine: 'app', partial: true });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    describe('trace, hourly', () => {
      it('finds a VM by name, case-insensitively, with every snapshot of the window and marks where values changed', async () => {
        const result = await trace('WEB01');
        assert.equal(result.vms.length, 1);
        const [traced] = result.vms;
        assert.deepEqual([traced!.vcenter, traced!.vmId, traced!.matchedBy, traced!.name], ['vc1', 'vm-1', ['name'], 'web01']);
        const rows = traced!.hourly!;
        assert.deepEqual(rows.map((r) => r.time), SNAPSHOTS.filter((t) => t >= D2 && t < D3));
        assert.equal(rows.length, 21);
        const marked = rows.filter((r) => r.changed.length > 0).map((r) => [(r.time - D2) / H, r.changed]);
        assert.deepEqual(marked, [
          [10, ['vcpuCount']],
          [18, ['resourcePool', 'tier']],
        ]);
        assert.deepEqual(rows.map((r) => r.vcpuCount).slice(6, 8), [2, 4]); // 09:00, 10:00
        assert.equal(rows.at(-1)!.tier, 'gold');
        assert.ok(rows.every((r) => r.notes.length === 0));
        assert.deepEqual(traced!.lifecycle, { creationTime: D1 - DAY, deletionTime: 0, firstSeen: D1, lastSeen: D3 + 11 * H, present: true });
      });

      it('lists every VM that shares a name when no vCenter is given', async () => {
        const result = await trace('web01', { vcenter: undefined });
        assert.deepEqual(result.vms.map((v) => [v.vcenter, v.vmId, v.name]), [
          ['vc1', 'vm-1', 'web01'],
          ['vc2', 'vm-1', 'WEB01'],
        ]);
        assert.equal(result.vms[1]!.hourly!.length, 21);
      });

      it('finds a VM by managed object id', async () => {
        const result = await trace('vm-1');
        assert.deepEqual(result.vms.map((v) => [v.vcenter, v.vmId, v.matchedBy]), [['vc1', 'vm-1', ['vm_id']]]);
        assert.equal(result.vms[0]!.hourly!.length, 21);
      });

      it('finds a VM by its canonical uuid or instance uuid, in any case', async () => {
        for (const value of [UUID1, UUID1.toUpperCase(), IUUID1]) {
          const result = await trace(value);
          assert.deepEqual(result.vms.map((v) => [v.vmId, v.matchedBy, v.vmUuid]), [['vm-1', ['uuid'], UUID1]], value);
          assert.equal(result.vms[0]!.hourly!.length, 21);
        }
      });

      it('finds a VM whose uuid is stored as given (not canonical), by that value or its lower case', async () => {
        for (const value of [UUID2, UUID2.toLowerCase()]) {
          const result = await trace(value);
          assert.deepEqual(result.vms.map((v) => [v.vmId, v.vmUuid]), [['vm-2', UUID2]], value);
          const rows = result.vms[0]!.hourly!;
          assert.deepEqual(rows.map((r) => (r.time - D2) / H), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
          assert.deepEqual(rows[0]!.notes, ['new']);
          assert.deepEqual(rows[2]!.changed, ['poweredOn']);
          assert.equal(rows[2]!.poweredOn, false);
        }
      });

      it('notes a VM that left and came back, and takes the window from --from/--to', async () => {
        const result = await trace('app04', { from: D2 + 12 * H, to: D2 + 17 * H });
        const rows = result.vms[0]!.hourly!;
        assert.deepEqual(rows.map((r) => [(r.time - D2) / H, r.notes, r.changed]), [
          [12, [], []],
          [13, ['gone after'], []],
          [16, ['returned'], []],
          [17, [], []],
        ]);
        assert.equal(result.vms[0]!.lifecycle.present, true);
        assert.equal(result.vms[0]!.lifecycle.deletionTime, 0);
      });

      it('marks a change on the first sample of the window against the sample before it', async () => {
        const rows = (await trace('web01', { from: D2 + 10 * H, to: D2 + 10 * H })).vms[0]!.hourly!;
        assert.deepEqual(rows.map((r) => r.changed), [['vcpuCount']]);
      });
    });

    describe('trace, daily', () => {
      it('gives the VM\'s daily summaries with samples, averages, tier shares and the day\'s missed snapshots', async () => {
        const result = await trace('web01', { view: 'daily', from: D1, to: D2 + DAY - 1 });
        const days = result.vms[0]!.daily!;
        assert.deepEqual(days.map((d) => [d.day, d.samplesPresent, d.totalSamples, d.expectedSamples, d.missedSamples]), [
          ['2026-04-19', 24, 24, 24, 0],
          ['2026-04-20', 21, 21, 24, 3],
        ]);
        const d2 = days[1]!;
        assert.equal(d2.avgIsPresent, 1);
        assert.ok(Math.abs(d2.avgVcpuCount - 70 / 21) < 1e-9);
        assert.ok(Math.abs(d2.poolTinPct - (15 / 21) * 100) < 1e-9);
        assert.ok(Math.abs(d2.poolGoldPct - (6 / 21) * 100) < 1e-9);
        assert.ok(Math.abs(d2.tin - 15 / 21) < 1e-9);
        assert.ok(Math.abs(d2.gold - 6 / 21) < 1e-9);
        assert.equal(d2.tier, 'gold');
        assert.equal(days[0]!.tin, 1);
      });

      it('returns no daily rows for a vCenter that was never aggregated, but still the VM', async () => {
        const result = await trace('web01', { view: 'daily', vcenter: 'vc2', from: D1, to: D2 });
        assert.equal(result.vms.length, 1);
        assert.deepEqual(result.vms[0]!.daily, []);
      });
    });

    describe('trace, bad input', () => {
      it('names an unknown VM', async () => {
        await assert.rejects(trace('no-such-vm'), (e: Error) => e instanceof VctpError && e.code === 'not-found' && /unknown VM "no-such-vm" in vCenter vc1: it is no VM's name, managed object id \(vm-42\) or uuid/.test(e.message));
      });
      it('names an unknown vCenter and lists the known ones', async () => {
        await assert.rejects(trace('web01', { vcenter: 'vc9' }), (e: Error) => e instanceof VctpError && e.code === 'usage' && /--vcenter vc9.*known: vc1, vc2/.test(e.message));
      });
      it('refuses --from after --to and an empty argument', async () => {
        await assert.rejects(trace('web01', { from: D2, to: D1 }), (e: Error) => e instanceof VctpError && /--from .* is after --to/.test(e.message));
        await assert.rejects(trace('  '), (e: Error) => e instanceof VctpError && /empty/.test(e.message));
      });
    });

    describe('totals', () => {
      it('hourly: one row per snapshot in the last --days days', async () => {
        const report = await readTotals(ctx(), { view: 'hourly', days: 1, vcenters: ['vc1'] });
        assert.equal(report.since, D2 + 12 * H);
        assert.deepEqual(report.rows.map((r) => r.time), SNAPSHOTS.filter((t) => t >= D2 + 12 * H));
        const last = report.rows.at(-1)!;
        assert.deepEqual([last.vcenter, last.totals.vmCount, last.totals.goldVmCount, last.totals.silverVmCount, last.totals.bronzeVmCount, last.samples], ['vc1', 3, 1, 1, 1, null]);
      });

      it('daily: prorated rows per vCenter with expected, present and missed samples', async () => {
        const report = await readTotals(ctx(), { view: 'daily', days: 45 });
        assert.equal(report.since, D3 - 45 * DAY);
        assert.deepEqual(report.rows.map((r) => [r.vcenter, r.period, r.samples]), [
          ['vc1', '2026-04-19', { expected: 24, present: 24, missing: 0 }],
          ['vc1', '2026-04-20', { expected: 24, present: 21, missing: 3 }],
          ['vc1', '2026-04-21', { expected: 24, present: 12, missing: 12 }], // refreshed by the partial monthly run
        ]);
        const d2 = report.rows[1]!.totals;
        assert.equal(d2.vmCount, 3);
        assert.ok(Math.abs(d2.chargeableVmCount - (21 + 14 + 19) / 21) < 1e-9);
        assert.ok(Math.abs(d2.tinVmCount - 15 / 21) < 1e-9);
        assert.ok(Math.abs(d2.silverVmCount - 14 / 21) < 1e-9);
        assert.ok(Math.abs(d2.bronzeVmCount - 19 / 21) < 1e-9);
      });

      it('monthly: the months covering the days', async () => {
        const report = await readTotals(ctx(), { view: 'monthly', days: 45 });
        assert.equal(report.since, Date.UTC(2026, 2, 1) / 1000);
        assert.deepEqual(report.rows.map((r) => [r.vcenter, r.period, r.samples]), [['vc1', '2026-04', { expected: 720, present: 57, missing: 663 }]]);
      });

      it('refuses an unknown vCenter and a bad --days', async () => {
        await assert.rejects(readTotals(ctx(), { view: 'daily', days: 45, vcenters: ['nope'] }), /--vcenter nope: no snapshots/);
        await assert.rejects(readTotals(ctx(), { view: 'daily', days: 0 }), /--days 0/);
      });
    });

    describe('status: missed snapshots', () => {
      it('shows the day with 3 missed snapshots, from the daily summary or, not aggregated, from the snapshots', async () => {
        const report = await readStatus(ctx(), { vcenter_addresses: ['https://vc1/sdk'], vcenter_inventory_snapshot_seconds: 3600 });
        assert.equal(report.missedSnapshotDays, 7);
        const [vc1, vc2] = report.vcenters;
        assert.deepEqual([vc1!.vcenter, vc1!.configured, vc2!.vcenter, vc2!.configured], ['vc1', true, 'vc2', false]);
        assert.deepEqual(vc1!.missedSnapshots, {
          from: '2026-04-19',
          to: '2026-04-20',
          daysChecked: 2,
          missing: 3,
          days: [{ day: '2026-04-20', expected: 24, present: 21, missing: 3, source: 'summary' }],
        });
        assert.deepEqual(vc2!.missedSnapshots.days, [{ day: '2026-04-20', expected: 24, present: 21, missing: 3, source: 'snapshots' }]);
      });

      it('expects 86400 / vcenter_inventory_snapshot_seconds snapshots a day where no summary says otherwise', async () => {
        const report = await readStatus(ctx(), { vcenter_addresses: [], vcenter_inventory_snapshot_seconds: 1800 });
        const vc2 = report.vcenters.find((v) => v.vcenter === 'vc2')!;
        assert.deepEqual(vc2.missedSnapshots.days.map((d) => [d.day, d.present, d.expected]), [
          ['2026-04-19', 24, 48],
          ['2026-04-20', 21, 48],
        ]);
      });
    });

    describe('trace, too many matches', () => {
      // Last: it adds a vCenter the other tests do not expect.
      it('asks to narrow an argument that names more than 20 VMs', async () => {
        const clones = Array.from({ length: 21 }, (_, i) => vm(`vm-${100 + i}`, { name: 'clone' }));
        await captureInventory(ctx(), SETTINGS, { vcenter: 'vc3', snapshotTime: D3, records: clones });
        await assert.rejects(trace('Clone', { vcenter: undefined }), /"Clone" matches 21 VMs \(vc3\/vm-100, .*\); narrow it with --vcenter/);
      });
    });
  });
}

describe('status: which days count as missed', () => {
  const coverage = (first: number, last: number) => ({ firstSnapshot: first, lastSnapshot: last, days: [{ day: D1, snapshots: 24, summary: null }] });
  it('counts the days after the last snapshot of a configured vCenter as wholly missed, not those of a retired one', () => {
    const configured = missedSnapshots(coverage(D1, D1 + 23 * H), D3 - 7 * DAY, D3, true, 3600);
    assert.deepEqual(configured.days, [{ day: '2026-04-20', expected: 24, present: 0, missing: 24, source: 'snapshots' }]);
    const retired = missedSnapshots(coverage(D1, D1 + 23 * H), D3 - 7 * DAY, D3, false, 3600);
    assert.deepEqual([retired.daysChecked, retired.days], [1, []]);
  });
  it('does not count the days before the first snapshot, nor today', () => {
    const result = missedSnapshots(coverage(D1, D3 + 10 * H), D3 - 7 * DAY, D3, true, 3600);
    assert.deepEqual([result.from, result.to], ['2026-04-19', '2026-04-20']);
  });
});
