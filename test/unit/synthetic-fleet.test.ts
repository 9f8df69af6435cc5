// The synthetic reference fleet: deterministic, the change rates of README "Measured", and spans exactly
// as hourly captures would have left them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FleetSpec,
  fleetFrame,
  generateFleet,
  generateFleetChunks,
  presentCounts,
  REFERENCE_RATES,
  referenceFleetSpec,
  type SyntheticFleet,
  type SyntheticSpan,
} from '../../src/core/synthetic-fleet.js';

const H = 3600;
const START = Date.UTC(2026, 2, 1) / 1000;

const spec = (over: Partial<FleetSpec> = {}): FleetSpec => ({
  name: 'test',
  vcenters: 2,
  vmsPerVcenter: 2_000,
  start: START,
  days: 10,
  snapshotSeconds: H,
  rates: REFERENCE_RATES,
  seed: 42,
  ...over,
});

const spansByVm = (fleet: SyntheticFleet): Map<number, SyntheticSpan[]> => {
  const byVm = new Map<number, SyntheticSpan[]>();
  for (const s of fleet.spans) byVm.set(s.lifecycleId, [...(byVm.get(s.lifecycleId) ?? []), s]);
  for (const list of byVm.values()) list.sort((a, b) => a.firstSeen - b.firstSeen);
  return byVm;
};

describe('synthetic fleet', () => {
  const fleet = generateFleet(spec());

  it('is the same for the same seed and differs for another', () => {
    assert.deepEqual(generateFleet(spec()), fleet);
    const other = generateFleet(spec({ seed: 43 }));
    assert.notDeepEqual(other.spans.slice(0, 50), fleet.spans.slice(0, 50));
  });

  it('changes the fleet at the reference rates per day, keeping its size', () => {
    const vmDays = spec().days * spec().vcenters * spec().vmsPerVcenter;
    const rate = (n: number) => n / vmDays;
    // 2% churn = 1% created + 1% deleted; counts are drawn per day, so allow a little noise.
    assert.ok(Math.abs(rate(fleet.events.created) - 0.01) < 0.001, `created ${rate(fleet.events.created)}`);
    assert.ok(Math.abs(rate(fleet.events.deleted) - 0.01) < 0.001, `deleted ${rate(fleet.events.deleted)}`);
    assert.ok(Math.abs(rate(fleet.events.resized) - 0.01) < 0.001, `resized ${rate(fleet.events.resized)}`);
    assert.ok(Math.abs(rate(fleet.events.moved) - 0.005) < 0.0007, `moved ${rate(fleet.events.moved)}`);
    for (const perVcenter of presentCounts(fleet)) {
      for (const present of perVcenter) assert.ok(Math.abs(present - 2_000) <= 100, `fleet size ${present}`);
    }
    // Every change opens one span: the initial VMs plus each creation, resize and move.
    assert.equal(fleet.spans.length, 2 * 2_000 + fleet.events.created + fleet.events.resized + fleet.events.moved);
    assert.equal(fleet.vms.length, 2 * 2_000 + fleet.events.created);
  });

  it('has a few templates, VMs in the root pool and all four tiers', () => {
    const placement = new Map(fleet.placements.map((p) => [p.id, p]));
    const open = fleet.spans.filter((s) => s.lastSeen === null);
    const templates = open.filter((s) => s.isTemplate);
    assert.ok(templates.length > 0 && templates.length < open.length * 0.02, `${templates.length} templates`);
    for (const t of templates) assert.equal(placement.get(t.placementId)!.resourcePool, null);
    const root = open.filter((s) => placement.get(s.placementId)!.resourcePool === 'Resources');
    assert.ok(root.length > open.length * 0.02 && root.length < open.length * 0.1, `${root.length} in the root pool`);
    for (const s of root) assert.equal(placement.get(s.placementId)!.tier, null);
    assert.deepEqual(new Set(fleet.placements.map((p) => p.tier).filter((t) => t !== null)), new Set(['tin', 'bronze', 'silver', 'gold']));
    for (const vm of fleet.vms) assert.match(vm.vmUuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('stores spans as capture would: registry times, consecutive, never overlapping, one change each', () => {
    const times = new Set(fleet.snapshotTimes);
    const last = fleet.snapshotTimes.at(-1)!;
    const placement = new Map(fleet.placements.map((p) => [p.id, p]));
    const vms = new Map(fleet.vms.map((m) => [m.id, m]));
    for (const [id, spans] of spansByVm(fleet)) {
      const vm = vms.get(id)!;
      assert.equal(vm.firstSeen, spans[0]!.firstSeen);
      assert.equal(vm.lastSeen, spans.at(-1)!.lastSeen);
      for (const [i, s] of spans.entries()) {
        assert.ok(times.has(s.firstSeen), 'first_seen is a snapshot time');
        if (s.lastSeen !== null) assert.ok(times.has(s.lastSeen) && s.lastSeen >= s.firstSeen && s.lastSeen < last);
        const next = spans[i + 1];
        if (!next) continue;
        assert.notEqual(s.lastSeen, null, 'only the last span is open');
        assert.equal(next.firstSeen, s.lastSeen! + H, 'the next span starts at the next snapshot');
        const changedSize = s.vcpuCount !== next.vcpuCount || s.ramGb !== next.ramGb || s.provisionedDiskGb !== next.provisionedDiskGb;
        const moved = placement.get(s.placementId)!.tier !== placement.get(next.placementId)!.tier;
        assert.ok(changedSize !== moved, 'exactly one of a resize or a move between spans');
        if (moved) assert.notEqual(placement.get(next.placementId)!.tier, null);
      }
      if (vm.creationTime > fleet.spec.start) {
        // Created mid-hour while watched: first seen at the next snapshot.
        assert.ok(vm.creationTime % H !== 0 && vm.firstSeen > vm.creationTime && vm.firstSeen - vm.creationTime < H);
      }
      if (vm.deletionTime !== 0) {
        assert.ok(vm.lastSeen !== null && vm.deletionTime > vm.lastSeen && vm.deletionTime < vm.lastSeen + H, 'deleted between two snapshots');
      } else assert.equal(vm.lastSeen, null);
    }
  });

  it('counts VMs per snapshot as vm_hourly_stats would', () => {
    const tiny = generateFleet(spec({ vmsPerVcenter: 50, days: 3, rates: { churn: 0.2, resize: 0.1, move: 0.1 } }));
    const counts = presentCounts(tiny);
    tiny.vcenters.forEach((_, v) => {
      const naive = tiny.snapshotTimes.map((t) => tiny.spans.filter((s) => s.vcenter === v && s.firstSeen <= t && (s.lastSeen === null || t <= s.lastSeen)).length);
      assert.deepEqual(counts[v], naive);
    });
  });

  it('comes one vCenter at a time, the chunks together being the whole fleet', () => {
    const chunks = [...generateFleetChunks(spec())];
    assert.deepEqual(
      chunks.map((c) => c.vcenter),
      [0, 1],
    );
    for (const chunk of chunks) {
      assert.ok(chunk.vms.every((m) => m.vcenter === chunk.vcenter) && chunk.spans.every((s) => s.vcenter === chunk.vcenter));
      assert.ok(chunk.placements.every((p) => p.datacenter === `DC${chunk.vcenter + 1}`), "a chunk's placements are its vCenter's");
    }
    assert.deepEqual(chunks.flatMap((c) => c.spans), fleet.spans);
    assert.deepEqual(chunks.flatMap((c) => c.vms), fleet.vms);
    assert.deepEqual(chunks.flatMap((c) => c.placements), fleet.placements);
    assert.deepEqual(chunks.map((c) => c.counts), presentCounts(fleet));
    assert.equal(chunks.reduce((n, c) => n + c.events.created, 0), fleet.events.created);
    assert.deepEqual(fleetFrame(spec()).snapshotTimes, fleet.snapshotTimes);
  });
});

describe('reference fleets', () => {
  it('cover the latest complete 31-day month', () => {
    const at = (iso: string) => Date.parse(iso) / 1000;
    const label = (s: FleetSpec) => new Date(s.start * 1000).toISOString().slice(0, 10);
    assert.equal(label(referenceFleetSpec('fleet-L', at('2026-11-25T08:00:00Z'))), '2026-10-01');
    assert.equal(label(referenceFleetSpec('fleet-L', at('2026-03-05T00:00:00Z'))), '2026-01-01'); // February is skipped
    assert.equal(label(referenceFleetSpec('fleet-L', at('2026-05-01T00:00:00Z'))), '2026-03-01'); // April has 30 days
    assert.equal(label(referenceFleetSpec('fleet-S', at('2026-01-15T00:00:00Z'))), '2025-12-01');
    const l = referenceFleetSpec('fleet-L', at('2026-11-25T08:00:00Z'));
    assert.deepEqual([l.vcenters, l.vmsPerVcenter, l.days, l.snapshotSeconds], [8, 5_000, 31, 3600]);
    const s = referenceFleetSpec('fleet-S', at('2026-11-25T08:00:00Z'));
    assert.deepEqual([s.vcenters, s.vmsPerVcenter], [1, 1_000]);
    const xl = referenceFleetSpec('fleet-XL', at('2026-11-25T08:00:00Z'));
    assert.deepEqual([xl.vcenters, xl.vmsPerVcenter, xl.days, xl.start], [32, 10_000, 31, l.start]);
  });
});
