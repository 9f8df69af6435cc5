// The plan of `vctp demo`: the window of complete days, one missed hour in the middle day, a
// handful of changes a day of every kind, each consistent with the inventory the earlier changes
// left, and the same plan for the same seed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apply, DEMO_TIER_POOLS, type DemoVm, demoWindow, describeChange, planDemo } from '../../src/core/demo-plan.js';
import { VctpError } from '../../src/core/errors.js';

const H = 3600;
const DAY = 86_400;
/** 2026-03-04 10:17:05 UTC */
const NOW = Date.UTC(2026, 2, 4, 10, 17, 5) / 1000;

/** The simulator's shape: VM i of a cluster in Tin Bronze Silver Gold <root> ... App; standalone VMs in the root pool. */
function inventory(): DemoVm[] {
  const cycle = ['Tin', 'Bronze', 'Silver', 'Gold', 'Resources', 'Tin', 'Bronze', 'Silver', 'Gold', 'App'];
  const vms: DemoVm[] = [];
  for (const cluster of ['DC0_C0', 'DC0_C1']) {
    for (let i = 0; i < 38; i++) {
      vms.push({ name: `${cluster}_VM${i}`, cluster, pool: cycle[i % 10]!, vcpu: [1, 2, 4, 8][i % 4]!, memoryMb: 1024 * (1 + (i % 16)), poweredOn: i % 7 !== 0 });
    }
  }
  for (let i = 0; i < 40; i++) vms.push({ name: `DC0_H0_VM${i}`, cluster: null, pool: 'Resources', vcpu: 2, memoryMb: 4096, poweredOn: true });
  return vms;
}

const plan = (days: number, seed = 1) => planDemo({ window: demoWindow(NOW, days), seed, vms: inventory() });

describe('demo plan', () => {
  it('covers the last N complete UTC days, hour by hour', () => {
    const window = demoWindow(NOW, 3);
    assert.deepEqual(window.days, ['2026-03-01', '2026-03-02', '2026-03-03']);
    assert.equal(window.start, Date.UTC(2026, 2, 1) / 1000);
    assert.equal(window.end, Date.UTC(2026, 2, 4) / 1000);
    const p = plan(3);
    assert.equal(p.hours.length, 72);
    assert.deepEqual(
      p.hours.map((h) => h.time),
      Array.from({ length: 72 }, (_, i) => window.start + i * H),
    );
    // Across a month boundary too.
    assert.deepEqual(demoWindow(Date.UTC(2026, 2, 2, 0, 0, 0) / 1000, 3).days, ['2026-02-27', '2026-02-28', '2026-03-01']);
  });

  it('refuses --days outside 1-31', () => {
    for (const days of [0, -1, 1.5, 32, Number.NaN]) {
      assert.throws(() => demoWindow(NOW, days), (e: unknown) => e instanceof VctpError && e.code === 'usage' && /--days/.test(e.message));
    }
  });

  it('skips exactly one snapshot, in office hours of the middle day, never the first', () => {
    for (const days of [1, 2, 3, 7]) {
      for (const seed of [1, 2, 3, 42]) {
        const p = plan(days, seed);
        const skipped = p.hours.filter((h) => !h.snapshot);
        assert.equal(skipped.length, 1);
        assert.equal(skipped[0]!.time, p.missed);
        const day = Math.floor((p.missed - p.window.start) / DAY);
        assert.equal(day, Math.floor(days / 2));
        const hour = ((p.missed - p.window.start) % DAY) / H;
        assert.ok(hour >= 9 && hour <= 16, `hour ${hour}`);
      }
    }
  });

  it('makes a handful of changes a day, every kind each day, none before the first snapshot', () => {
    for (const seed of [1, 2, 3, 99]) {
      const p = plan(3, seed);
      assert.deepEqual(p.hours[0]!.changes, []);
      for (let d = 0; d < 3; d++) {
        const changes = p.hours.slice(d * 24, d * 24 + 24).flatMap((h) => h.changes);
        assert.ok(changes.length >= 5 && changes.length <= 7, `day ${d}: ${changes.length} changes`);
        assert.deepEqual([...new Set(changes.map((c) => c.kind))].sort(), ['create', 'destroy', 'move', 'power', 'resize']);
      }
    }
  });

  it('changes only VMs that exist at that hour, each in a way that changes it', () => {
    const p = plan(7, 5);
    const state = new Map(inventory().map((vm) => [vm.name, { ...vm }]));
    const created = new Set<string>();
    for (const hour of p.hours) {
      const touched = new Set<string>();
      for (const change of hour.changes) {
        assert.ok(!touched.has(change.vm), `${change.vm} changed twice in one hour`);
        touched.add(change.vm);
        const vm = state.get(change.vm);
        switch (change.kind) {
          case 'create':
            assert.equal(vm, undefined);
            assert.ok(!created.has(change.vm), `${change.vm} created twice`);
            created.add(change.vm);
            assert.ok((DEMO_TIER_POOLS as readonly string[]).includes(change.pool));
            assert.match(change.cluster, /^DC0_C[01]$/);
            break;
          case 'destroy':
            assert.ok(vm);
            break;
          case 'resize':
            assert.ok(vm);
            assert.deepEqual(change.from, { vcpu: vm.vcpu, memoryMb: vm.memoryMb });
            assert.notEqual(change.to.vcpu, change.from.vcpu);
            assert.ok(change.to.vcpu >= 1 && change.to.vcpu <= 16 && change.to.memoryMb >= 1024);
            break;
          case 'move':
            assert.ok(vm && vm.cluster !== null, `${change.vm} can move`);
            assert.equal(change.cluster, vm.cluster);
            assert.equal(change.from, vm.pool);
            assert.notEqual(change.to, vm.pool);
            assert.ok((DEMO_TIER_POOLS as readonly string[]).includes(change.to));
            break;
          case 'power':
            assert.ok(vm);
            assert.equal(change.on, !vm.poweredOn);
            break;
        }
        apply(state, change);
      }
    }
    assert.deepEqual([...state.values()].sort((a, b) => a.name.localeCompare(b.name)), [...p.final].sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('is the same plan for the same seed, and another for another seed', () => {
    assert.deepEqual(plan(3, 7), plan(3, 7));
    assert.notDeepEqual(plan(3, 7).hours, plan(3, 8).hours);
  });

  it('describes each change on one short line', () => {
    const lines = plan(3)
      .hours.flatMap((h) => h.changes)
      .map(describeChange);
    assert.ok(lines.every((line) => line.length < 80 && !line.includes('\n')));
    assert.equal(
      describeChange({ kind: 'resize', vm: 'DC0_C0_VM21', from: { vcpu: 2, memoryMb: 4096 }, to: { vcpu: 4, memoryMb: 8192 } }),
      'resized DC0_C0_VM21: 2->4 vCPU, 4 GB->8 GB',
    );
    assert.equal(describeChange({ kind: 'move', vm: 'DC0_C0_VM27', cluster: 'DC0_C0', from: 'Silver', to: 'Gold' }), 'moved DC0_C0_VM27: DC0_C0/Silver -> Gold');
    assert.equal(
      describeChange({ kind: 'create', vm: 'demo-web-01', cluster: 'DC0_C1', pool: 'Tin', vcpu: 2, memoryMb: 4096, poweredOn: true }),
      'created demo-web-01 in DC0_C1/Tin (2 vCPU, 4 GB, on)',
    );
    assert.equal(describeChange({ kind: 'power', vm: 'DC0_C0_VM15', on: false }), 'powered off DC0_C0_VM15');
    assert.equal(describeChange({ kind: 'destroy', vm: 'DC0_C1_VM3' }), 'destroyed DC0_C1_VM3');
  });
});
