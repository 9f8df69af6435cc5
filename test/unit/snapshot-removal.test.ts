// The pure plan of taking one snapshot back (src/core/snapshot-removal.ts), case by case. Snapshots
// P = 100, T = 200, N = 300 (and M = 400); the property test on both databases
// (test/integration/snapshot-delete.property.test.ts) checks the whole against captures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import { type LifecycleHistory, planSnapshotRemoval, type RemovalLifecycle, type RemovalSpan } from '../../src/core/snapshot-removal.js';
import type { SpanState } from '../../src/core/span-state.js';

const P = 100;
const T = 200;
const N = 300;
const M = 400;

const state = (over: Partial<SpanState> = {}, eventKey: string | null = null): SpanState => ({
  name: 'vm',
  identity: { vmUuid: 'u', instanceUuid: 'i', eventKey, cloudId: null },
  placement: { resourcePool: 'Gold', tier: 'gold', datacenter: 'DC0', cluster: 'C0', folder: '/DC0/vm' },
  provisionedDiskGb: 10,
  vcpuCount: 2,
  ramGb: 4,
  isTemplate: false,
  poweredOn: true,
  srmPlaceholder: false,
  ...over,
});

let nextId = 1;
const span = (firstSeen: number, lastSeen: number | null, s: SpanState = state(), over: Partial<RemovalSpan> = {}): RemovalSpan => {
  const id = nextId++;
  return { id, lifecycleId: 1, firstSeen, lastSeen, identityId: id, placementId: 7, state: s, nextSnapshot: null, ...over };
};
const lifecycle = (over: Partial<RemovalLifecycle> = {}): RemovalLifecycle => ({
  id: 1,
  vmId: 'vm-1',
  creationTime: 50,
  deletionTime: 0,
  firstSeen: 10,
  lastSeen: null,
  ...over,
});
const history = (over: Partial<LifecycleHistory>): LifecycleHistory => ({
  lifecycle: lifecycle(),
  endingAtPrevious: null,
  atTime: null,
  after: [],
  earlier: null,
  ...over,
});
const plan = (h: LifecycleHistory, around: { previous?: number | null; next?: number | null } = {}) =>
  planSnapshotRemoval({ time: T, previous: around.previous === undefined ? P : around.previous, next: around.next === undefined ? N : around.next, histories: [h] });

describe('planning the removal of one snapshot', () => {
  it('joins the span of P with the one of N when a change at T was reverted at N', () => {
    const p = span(10, P);
    const t = span(T, T, state({ vcpuCount: 4 }));
    const n = span(N, null, state(), { nextSnapshot: null });
    const result = plan(history({ endingAtPrevious: p, atTime: t, after: [n] }));
    assert.deepEqual(result.deleteSpans.sort(), [t.id, n.id].sort());
    assert.deepEqual(result.spanUpdates, [{ id: p.id, lastSeen: null }]);
    assert.deepEqual(result.lifecycleUpdates, []);
    assert.equal(result.counts.spansMerged, 1);
    assert.equal(result.counts.spansDeleted, 1);
    assert.deepEqual(
      result.identityCandidates.map((c) => c.identityId).sort(),
      [t.identityId, n.identityId].sort(),
    );
  });

  it('keeps both spans when the state at N differs from P, pointing N at P\'s identity row when equal', () => {
    const p = span(10, P);
    const t = span(T, T, state({ vcpuCount: 4 }));
    const n = span(N, null, state({ vcpuCount: 8 }));
    const result = plan(history({ endingAtPrevious: p, atTime: t, after: [n] }));
    assert.deepEqual(result.deleteSpans, [t.id]);
    assert.deepEqual(result.spanUpdates, [{ id: n.id, identityId: p.identityId }]);
  });

  it('moves a span starting at T to N, and one ending at T to P', () => {
    const starting = plan(history({ lifecycle: lifecycle({ firstSeen: T, creationTime: T }), atTime: span(T, null) }));
    assert.deepEqual(starting.spanUpdates.map(({ id: _, ...u }) => u), [{ firstSeen: N }]);
    // First seen at T with a creation time clamped to it: both move to N.
    assert.deepEqual(starting.lifecycleUpdates.map(({ id: _, ...u }) => u), [{ creationTime: N, firstSeen: N }]);
    const ending = plan(history({ lifecycle: lifecycle({ lastSeen: T, deletionTime: 250 }), atTime: span(10, T) }));
    assert.deepEqual(ending.spanUpdates.map(({ id: _, ...u }) => u), [{ lastSeen: P }]);
    assert.deepEqual(ending.lifecycleUpdates.map(({ id: _, ...u }) => u), [{ lastSeen: P }]);
  });

  it('when T was the latest, reopens what was present at P and deletes what appeared at T', () => {
    const gone = plan(history({ lifecycle: lifecycle({ lastSeen: P, deletionTime: T }), endingAtPrevious: span(10, P) }), { next: null });
    assert.deepEqual(gone.spanUpdates.map(({ id: _, ...u }) => u), [{ lastSeen: null }]);
    assert.deepEqual(gone.lifecycleUpdates.map(({ id: _, ...u }) => u), [{ deletionTime: 0, lastSeen: null }]);
    assert.equal(gone.counts.spansReopened, 1);
    const fresh = plan(history({ lifecycle: lifecycle({ firstSeen: T, creationTime: 0 }), atTime: span(T, null) }), { next: null });
    assert.equal(fresh.deleteSpans.length, 1);
    assert.deepEqual(fresh.deleteLifecycles, [1]);
  });

  it('moves a deletion time from T to N, and keeps one from a removal event', () => {
    const atT = plan(history({ lifecycle: lifecycle({ lastSeen: P, deletionTime: T }), endingAtPrevious: span(10, P) }));
    assert.deepEqual(atT.spanUpdates, []);
    assert.deepEqual(atT.lifecycleUpdates.map(({ id: _, ...u }) => u), [{ deletionTime: N }]);
    const event = plan(history({ lifecycle: lifecycle({ lastSeen: P, deletionTime: 150 }), endingAtPrevious: span(10, P) }));
    assert.deepEqual(event.lifecycleUpdates, []);
  });

  it('gives a VM back at T only the deletion time of the absence before it', () => {
    const result = plan(
      history({ lifecycle: lifecycle({ lastSeen: T, deletionTime: N }), atTime: span(T, T), earlier: { lastSeen: 50, nextSnapshot: 60 } }),
    );
    assert.deepEqual(result.lifecycleUpdates.map(({ id: _, ...u }) => u), [{ deletionTime: 60, lastSeen: 50 }]);
  });

  it('moves the first sight of a VM seen at T, gone at N and back at M to M', () => {
    const m = span(M, null, state({}, null));
    const result = plan(history({ lifecycle: lifecycle({ firstSeen: T, creationTime: T }), atTime: span(T, T, state({}, '17')), after: [m] }));
    assert.deepEqual(result.lifecycleUpdates.map(({ id: _, ...u }) => u), [{ creationTime: M, firstSeen: M }]);
    // At M it would have been new: its creation event looked up, the key found again.
    assert.deepEqual(result.identityEventKeys, [{ identityId: m.identityId, eventKey: '17' }]);
  });

  it('carries the event key into a VM gone at T only, then joins the spans if nothing else changed', () => {
    const p = span(10, P, state({}, '42'));
    const n1 = span(N, M, state({}, null), { nextSnapshot: 500 });
    const n2 = span(500, null, state({ vcpuCount: 4 }, null), { identityId: n1.identityId });
    const result = plan(history({ lifecycle: lifecycle(), endingAtPrevious: p, after: [n1, n2] }));
    assert.deepEqual(result.identityEventKeys, [{ identityId: n1.identityId, eventKey: '42' }]);
    assert.deepEqual(result.deleteSpans, [n1.id]);
    assert.deepEqual(
      result.spanUpdates.sort((a, b) => a.id - b.id),
      [
        { id: p.id, lastSeen: M },
        { id: n2.id, identityId: p.identityId },
      ],
    );
  });

  it('stops carrying at a gap in the VM\'s presence', () => {
    const p = span(10, P, state({}, '42'));
    const n1 = span(N, N, state({ vcpuCount: 4 }, null), { nextSnapshot: M });
    const later = span(500, null, state({}, null));
    const result = plan(history({ endingAtPrevious: p, after: [n1, later] }));
    assert.deepEqual(result.identityEventKeys, [{ identityId: n1.identityId, eventKey: '42' }]);
  });

  it('refuses rows that cannot come from capture', () => {
    assert.throws(() => plan(history({ atTime: span(150, 250) })), (e: unknown) => e instanceof VctpError && e.code === 'internal');
    assert.throws(() => plan(history({ endingAtPrevious: span(10, 90) })), /said to end at the previous snapshot/);
    assert.throws(() => plan(history({ atTime: span(10, T) }), { previous: null }), /not at or before the previous/);
    assert.throws(() => plan(history({ atTime: span(T, 250) }), { next: null }), /T is the latest snapshot/);
  });
});
