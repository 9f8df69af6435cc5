// Golden hourly interval totals (spec "Snapshots and Reports", README "Reports"),
// each expected value worked out by hand in the comment beside it. The day is 2026-04-21 UTC;
// snapshots are taken on the hour unless a case removes one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HOUR,
  hourlyIntervalTotals,
  IntervalIndex,
  type IntervalLifecycle,
  type IntervalSource,
  type IntervalSpan,
  presenceInInterval,
} from '../../src/core/hourly-intervals.js';
import { dayPeriod } from '../../src/core/periods.js';
import { breakdownTotals } from '../../src/core/report-totals.js';

const DAY = dayPeriod('2026-04-21');
const at = (hour: number, minute = 0) => DAY.start + hour * HOUR + minute * 60;
/** Snapshot times 00:00 .. 24:00 (the next day's first), without the hours listed. */
const snapshots = (...missing: number[]) => [...Array(25).keys()].filter((h) => !missing.includes(h)).map((h) => at(h));

const span = (lifecycleId: number, over: Partial<IntervalSpan> = {}): IntervalSpan => ({
  lifecycleId,
  firstSeen: at(0),
  lastSeen: null,
  chargeClass: 'chargeable',
  tier: 'gold',
  vcpuCount: 2,
  ramGb: 8,
  provisionedDiskGb: 100,
  ...over,
});

function source(sampleTimes: number[], spans: IntervalSpan[], lifecycle: Record<number, Partial<IntervalLifecycle>>): IntervalSource {
  const life = new Map<number, IntervalLifecycle>();
  for (const s of spans) life.set(s.lifecycleId, { creationTime: 0, deletionTime: 0, ...lifecycle[s.lifecycleId] });
  return { sampleTimes, spans, lifecycle: life };
}

/** Presence per VM in the hour starting at `hour`, and the snapshot the row was read from. */
function hourOf(src: IntervalSource, hour: number) {
  const { snapshotTime, vms } = new IntervalIndex(src).vmsOf(at(hour));
  return { snapshotTime, presence: Object.fromEntries(vms.map((v) => [v.lifecycleId, v.presence])), vms };
}

describe('presence in an interval', () => {
  it('is the overlap of [creation, deletion) with the hour, 0 meaning unbounded', () => {
    assert.equal(presenceInInterval({ creationTime: 0, deletionTime: 0 }, at(13), at(14)), 1);
    assert.equal(presenceInInterval({ creationTime: at(13, 20), deletionTime: 0 }, at(13), at(14)), 40 / 60);
    assert.equal(presenceInInterval({ creationTime: 0, deletionTime: at(13, 45) }, at(13), at(14)), 45 / 60);
    assert.equal(presenceInInterval({ creationTime: at(13, 20), deletionTime: at(13, 45) }, at(13), at(14)), 25 / 60);
    assert.equal(presenceInInterval({ creationTime: at(14, 5), deletionTime: 0 }, at(13), at(14)), 0);
    assert.equal(presenceInInterval({ creationTime: 0, deletionTime: at(13) }, at(13), at(14)), 0);
  });
});

describe('hourly interval golden cases', () => {
  it('a VM created at 13:20 counts 40/60 in [13:00, 14:00), read from the 14:00 snapshot', () => {
    // First captured by the 14:00 snapshot; vCenter's createDate says 13:20.
    const src = source(snapshots(), [span(1, { firstSeen: at(14) }), span(2)], { 1: { creationTime: at(13, 20) } });
    const h13 = hourOf(src, 13);
    assert.equal(h13.snapshotTime, at(14));
    assert.deepEqual(h13.presence, { 1: 40 / 60, 2: 1 });
    assert.deepEqual(hourOf(src, 12).presence, { 2: 1 }); // not in the 13:00 snapshot, not yet created
    assert.deepEqual(hourOf(src, 14).presence, { 1: 1, 2: 1 });

    const rows = hourlyIntervalTotals(DAY.start, src);
    const t13 = breakdownTotals(rows[13]!.sums, 1);
    assert.equal(t13.chargeable.vmCount, 2);
    assert.equal(t13.chargeable.proratedVmCount, 1 + 40 / 60);
    assert.equal(t13.chargeable.vcpu, 2 + (2 * 40) / 60); // 2 vCPU each
    assert.equal(t13.gold.ramGb, (8 * 1024 + (8 * 1024 * 40) / 60) / 1024);
  });

  it('a VM deleted at 13:45 is absent from the 14:00 snapshot and still counts 45/60 in its last state', () => {
    // Last seen by the 13:00 snapshot with 4 vCPU (resized at 10:00); vCenter's removal event at 13:45.
    const src = source(
      snapshots(),
      [span(1, { lastSeen: at(9) }), span(1, { firstSeen: at(10), lastSeen: at(13), vcpuCount: 4 }), span(2)],
      { 1: { deletionTime: at(13, 45) } },
    );
    const h13 = hourOf(src, 13);
    assert.deepEqual(h13.presence, { 1: 45 / 60, 2: 1 });
    const deleted = h13.vms.find((v) => v.lifecycleId === 1)!;
    assert.equal(deleted.source, 'deleted');
    assert.equal(deleted.span.vcpuCount, 4);
    assert.deepEqual(hourOf(src, 12).presence, { 1: 1, 2: 1 }); // present in the 13:00 snapshot
    assert.deepEqual(hourOf(src, 14).presence, { 2: 1 }); // gone before 14:00

    const t13 = breakdownTotals(hourlyIntervalTotals(DAY.start, src)[13]!.sums, 1);
    assert.equal(t13.chargeable.vcpu, 2 + (4 * 45) / 60); // 2 + 3
  });

  it('a VM deleted without a removal event counts until the first snapshot it is missing from', () => {
    // Missing from 14:00, no VmRemovedEvent: deletion_time is 14:00 (capture semantics).
    const src = source(snapshots(), [span(1, { lastSeen: at(13) })], { 1: { deletionTime: at(14) } });
    assert.deepEqual(hourOf(src, 13).presence, { 1: 1 });
    assert.deepEqual(hourOf(src, 14).presence, {});
  });

  it('a missing 15:00 snapshot: [14:00, 15:00) is read from 16:00', () => {
    // VM 1 created 15:30 (first seen 16:00); VM 2 deleted 15:10 (last seen 14:00); VM 3 resized
    // from 2 to 8 vCPU at the 16:00 snapshot; VM 4 always there.
    const src = source(
      snapshots(15),
      [
        span(1, { firstSeen: at(16) }),
        span(2, { lastSeen: at(14) }),
        span(3, { lastSeen: at(14) }),
        span(3, { firstSeen: at(16), vcpuCount: 8 }),
        span(4),
      ],
      { 1: { creationTime: at(15, 30) }, 2: { deletionTime: at(15, 10) } },
    );
    const h14 = hourOf(src, 14);
    assert.equal(h14.snapshotTime, at(16));
    // VM 1: in the 16:00 snapshot but created after 15:00: no overlap. VM 2: deleted after the hour: all of it.
    assert.deepEqual(h14.presence, { 2: 1, 3: 1, 4: 1 });
    assert.equal(h14.vms.find((v) => v.lifecycleId === 3)!.span.vcpuCount, 8); // the state of the snapshot used
    const h15 = hourOf(src, 15);
    assert.equal(h15.snapshotTime, at(16));
    assert.deepEqual(h15.presence, { 1: 30 / 60, 2: 10 / 60, 3: 1, 4: 1 });

    const rows = hourlyIntervalTotals(DAY.start, src);
    assert.equal(rows[14]!.snapshotTime, at(16));
    assert.equal(breakdownTotals(rows[14]!.sums, 1).chargeable.vcpu, 2 + 8 + 2); // VM 2, 3 (8 now), 4
  });

  it('the last hour of the day is read from the next day\'s first snapshot, or the one after it', () => {
    const next = at(24);
    const src = source(snapshots(), [span(1, { firstSeen: next }), span(2)], { 1: { creationTime: at(23, 30) } });
    const h23 = hourOf(src, 23);
    assert.equal(h23.snapshotTime, next);
    assert.deepEqual(h23.presence, { 1: 0.5, 2: 1 });

    // The next day's 00:00 is missing: 01:00 is used; a VM created at 00:20 does not count in 23:00.
    const late = source(
      [...snapshots(24), at(25)],
      [span(1, { firstSeen: at(25) }), span(2), span(3, { firstSeen: at(25) })],
      { 1: { creationTime: at(23, 30) }, 3: { creationTime: at(24, 20) } },
    );
    const l23 = hourOf(late, 23);
    assert.equal(l23.snapshotTime, at(25));
    assert.deepEqual(l23.presence, { 1: 0.5, 2: 1 });
  });

  it('an hour whose snapshot does not exist yet gives an empty row without a snapshot', () => {
    const src = source(snapshots(24), [span(1)], {});
    const rows = hourlyIntervalTotals(DAY.start, src);
    assert.equal(rows.length, 24);
    assert.equal(rows[22]!.snapshotTime, at(23));
    assert.equal(rows[23]!.snapshotTime, null);
    assert.equal(breakdownTotals(rows[23]!.sums, 1).all.vmCount, 0);
  });

  it('splits by tier and keeps node-charged VMs, SRM placeholders and templates apart', () => {
    const src = source(
      snapshots(),
      [
        span(1, { tier: 'silver' }),
        span(2, { tier: null }),
        span(3, { chargeClass: 'node_charge', vcpuCount: 16 }),
        span(4, { chargeClass: 'srm_placeholder' }),
        span(5, { chargeClass: 'template' }),
        span(6, { firstSeen: at(11) }),
      ],
      { 6: { creationTime: at(10, 15) } },
    );
    const t = breakdownTotals(hourlyIntervalTotals(DAY.start, src)[10]!.sums, 1);
    assert.equal(t.silver.proratedVmCount, 1);
    assert.equal(t.untiered.proratedVmCount, 1);
    assert.equal(t.gold.proratedVmCount, 0.75); // VM 6, from 10:15
    assert.equal(t.chargeable.proratedVmCount, 2.75);
    assert.equal(t.chargeable.vcpu, 2 * 2.75);
    assert.equal(t.node_charge.vmCount, 1);
    assert.equal(t.node_charge.vcpu, 16);
    assert.equal(t.srm.vmCount, 1);
    assert.equal(t.template.vmCount, 1);
    assert.equal(t.all.vmCount, 6);
  });
});
