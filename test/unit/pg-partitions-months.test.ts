// The month arithmetic of the partitioning (src/store/pg-partitions.ts): names, bounds and ranges in UTC.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import { monthStartOf as monthStart, nextMonthStartOf as nextMonthStart } from '../../src/core/periods.js';
import { monthOfPartition, monthPartitionName, monthsCovering } from '../../src/store/pg-partitions.js';

const utc = (iso: string) => Date.parse(iso) / 1000;

describe('monthly partitions: months', () => {
  it('bounds are UTC month starts, across year ends and leap Februaries', () => {
    assert.equal(monthStart(utc('2026-12-31T23:59:59Z')), utc('2026-12-01T00:00:00Z'));
    assert.equal(nextMonthStart(utc('2026-12-31T23:59:59Z')), utc('2027-01-01T00:00:00Z'));
    assert.equal(nextMonthStart(utc('2028-02-10T00:00:00Z')), utc('2028-03-01T00:00:00Z'));
    assert.equal(monthStart(utc('2026-03-01T00:00:00Z')), utc('2026-03-01T00:00:00Z'));
  });

  it('names a month YYYYMM and reads it back; other names are no month', () => {
    assert.equal(monthPartitionName('vm_spans', utc('2026-04-15T00:00:00Z')), 'vm_spans_p202604');
    assert.equal(monthOfPartition('vm_spans', 'vm_spans_p202604'), utc('2026-04-01T00:00:00Z'));
    assert.equal(monthOfPartition('snapshot_registry_hourly', 'snapshot_registry_hourly_p202612'), utc('2026-12-01T00:00:00Z'));
    for (const name of ['vm_spans_p_open', 'vm_spans_p202613', 'vm_spans_p2026041', 'snapshot_registry_hourly_p202604']) {
      assert.equal(monthOfPartition('vm_spans', name), null, name);
    }
  });

  it('covers both ends\' months, in either order; refuses a range of centuries', () => {
    assert.deepEqual(monthsCovering(utc('2026-11-30T23:00:00Z'), utc('2027-01-01T00:00:00Z')), [
      utc('2026-11-01T00:00:00Z'),
      utc('2026-12-01T00:00:00Z'),
      utc('2027-01-01T00:00:00Z'),
    ]);
    assert.deepEqual(monthsCovering(utc('2026-05-09T00:00:00Z'), utc('2026-05-01T00:00:00Z')), [utc('2026-05-01T00:00:00Z')]);
    assert.throws(() => monthsCovering(utc('2000-01-01T00:00:00Z'), utc('2200-01-01T00:00:00Z')), (e: unknown) => e instanceof VctpError && /more than 1200 months/.test(e.message));
  });
});
