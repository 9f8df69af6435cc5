// The rules of a lifecycle fact set by hand (src/core/lifecycle-import.ts): what the snapshots allow,
// the days whose summaries carried the old values, and which import makes which day stale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { affectedDays, LifecycleImportError, lifecycleChangeTimes, plannedLifecycle, type LifecycleFacts } from '../../src/core/lifecycle-import.js';
import { dailyStaleness, monthlyStaleness } from '../../src/core/staleness.js';

const utc = (iso: string) => Date.parse(iso) / 1000;
const gone: LifecycleFacts = {
  creationTime: 0,
  deletionTime: utc('2026-03-31T11:00:00Z'),
  firstSeen: utc('2026-03-30T00:00:00Z'),
  lastSeen: utc('2026-03-31T10:00:00Z'),
  firstMissing: utc('2026-03-31T11:00:00Z'),
  latestSnapshot: utc('2026-04-01T23:00:00Z'),
};
const present: LifecycleFacts = { ...gone, deletionTime: 0, lastSeen: null, firstMissing: null };

function refusedOn(field: string, f: () => unknown): void {
  assert.throws(f, (e: unknown) => e instanceof LifecycleImportError && e.field === field && e.code === 'usage' && e.message.startsWith(`${field}: `));
}

describe('plannedLifecycle', () => {
  it('takes a creation time up to the first snapshot, and keeps what is not given', () => {
    assert.deepEqual(plannedLifecycle(gone, { creationTime: gone.firstSeen }), { creationTime: gone.firstSeen, deletionTime: gone.deletionTime });
    assert.deepEqual(plannedLifecycle(present, { creationTime: 1 }), { creationTime: 1, deletionTime: 0 });
    refusedOn('creationTime', () => plannedLifecycle(gone, { creationTime: gone.firstSeen + 1 }));
    refusedOn('creationTime', () => plannedLifecycle(gone, { creationTime: 0 }));
    refusedOn('creationTime', () => plannedLifecycle(gone, { creationTime: 1.5 }));
  });
  it('takes a deletion time between the last snapshot with the VM and the first without it', () => {
    assert.equal(plannedLifecycle(gone, { deletionTime: gone.lastSeen! }).deletionTime, gone.lastSeen);
    assert.equal(plannedLifecycle(gone, { deletionTime: gone.firstMissing! }).deletionTime, gone.firstMissing);
    refusedOn('deletionTime', () => plannedLifecycle(gone, { deletionTime: gone.lastSeen! - 1 }));
    refusedOn('deletionTime', () => plannedLifecycle(gone, { deletionTime: gone.firstMissing! + 1 }));
    refusedOn('deletionTime', () => plannedLifecycle(present, { deletionTime: present.latestSnapshot }));
  });
  it('needs at least one of the two', () => refusedOn('body', () => plannedLifecycle(gone, {})));
});

describe('affected days and staleness', () => {
  it('covers the days of the VM’s snapshots (to the latest while present)', () => {
    assert.deepEqual(affectedDays(gone), { firstDay: utc('2026-03-30T00:00:00Z'), lastDay: utc('2026-03-31T00:00:00Z') });
    assert.deepEqual(affectedDays(present), { firstDay: utc('2026-03-30T00:00:00Z'), lastDay: utc('2026-04-01T00:00:00Z') });
  });
  it('gives each day the latest import covering it', () => {
    const d = (s: string) => utc(`${s}T00:00:00Z`);
    const times = lifecycleChangeTimes([d('2026-03-29'), d('2026-03-30'), d('2026-03-31')], [
      { firstDay: d('2026-03-30'), lastDay: d('2026-03-31'), importedAt: 100 },
      { firstDay: d('2026-03-31'), lastDay: d('2026-04-02'), importedAt: 200 },
    ]);
    assert.deepEqual([...times], [[d('2026-03-30'), 100], [d('2026-03-31'), 200]]);
  });
  it('a summary older than an import covering its day is stale; a newer one is not', () => {
    const hourly = { day: 0, samples: 24, storedAt: 1000, lifecycleChangedAt: 1500 };
    assert.equal(dailyStaleness(hourly, { day: 0, totalSamples: 24, createdAt: 1499 })?.reason, 'stale');
    assert.equal(dailyStaleness(hourly, { day: 0, totalSamples: 24, createdAt: 1500 }), null);
    const month = { source: 'hourly' as const, dailies: [], hourlyDays: [hourly], repairedDays: [] };
    assert.match(monthlyStaleness({ ...month, monthly: { month: 0, totalSamples: 24, createdAt: 1499 } })!.detail, /import-vm/);
    assert.equal(monthlyStaleness({ ...month, monthly: { month: 0, totalSamples: 24, createdAt: 1500 } }), null);
  });
});
