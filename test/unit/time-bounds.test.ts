// Which times a flag may carry (src/core/time-bounds.ts): dates JavaScript represents, and for a
// snapshot nothing before 2000 or further ahead of the clock than the skew allowance.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import {
  assertRepresentableTime,
  assertSnapshotTime,
  CLOCK_SKEW_ALLOWANCE_SECONDS,
  EARLIEST_SNAPSHOT_TIME,
  formatUnixTime,
  isRepresentableTime,
  MAX_REPRESENTABLE_SECONDS,
} from '../../src/core/time-bounds.js';

const NOW = Date.UTC(2026, 3, 21, 12) / 1000;

function usage(fn: () => void, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof VctpError, String(error));
    assert.equal(error.code, 'usage');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('time bounds', () => {
  it('knows the range of JavaScript dates exactly', () => {
    assert.ok(isRepresentableTime(MAX_REPRESENTABLE_SECONDS));
    assert.ok(isRepresentableTime(-MAX_REPRESENTABLE_SECONDS));
    assert.ok(!isRepresentableTime(MAX_REPRESENTABLE_SECONDS + 1));
    assert.ok(!isRepresentableTime(Number.NaN));
    assert.ok(!isRepresentableTime(Number.POSITIVE_INFINITY));
    // The edges are exactly what Date accepts.
    assert.doesNotThrow(() => new Date(MAX_REPRESENTABLE_SECONDS * 1000).toISOString());
    assert.throws(() => new Date((MAX_REPRESENTABLE_SECONDS + 1) * 1000).toISOString(), RangeError);
  });

  it('refuses an unrepresentable time naming the flag, and formats one without throwing', () => {
    usage(() => assertRepresentableTime('--from', 99_999_999_999_999), /^--from 99999999999999: not a representable time/);
    usage(() => assertRepresentableTime('--to', 1_776_772_800_000_000), /milliseconds\?/);
    assert.doesNotThrow(() => assertRepresentableTime('--at', 0));
    assert.equal(formatUnixTime(99_999_999_999_999), '99999999999999 (unix seconds, not a representable date)');
    assert.equal(formatUnixTime(1_776_772_800), '2026-04-21T12:00:00Z');
  });

  it('accepts a snapshot time up to the skew allowance ahead of now', () => {
    assert.doesNotThrow(() => assertSnapshotTime('--at', NOW, NOW));
    assert.doesNotThrow(() => assertSnapshotTime('--at', NOW + CLOCK_SKEW_ALLOWANCE_SECONDS, NOW));
    assert.doesNotThrow(() => assertSnapshotTime('--at', EARLIEST_SNAPSHOT_TIME, NOW));
  });

  it('refuses a future snapshot time, naming the flag', () => {
    usage(() => assertSnapshotTime('--at', NOW + CLOCK_SKEW_ALLOWANCE_SECONDS + 1, NOW), /^--at 2026-04-21T12:05:01Z: in the future \(now is 2026-04-21T12:00:00Z/);
    usage(() => assertSnapshotTime('--at', Date.UTC(2030, 0, 1) / 1000, NOW), /^--at 2030-01-01T00:00:00Z: in the future/);
    // Milliseconds given for seconds: representable (year 58,000-odd), so the future rule says so.
    usage(() => assertSnapshotTime('--at', NOW * 1000, NOW), /milliseconds\? --at takes unix seconds/);
  });

  it('refuses a snapshot time no date represents, or before 2000', () => {
    usage(() => assertSnapshotTime('--at', 99_999_999_999_999, NOW), /^--at 99999999999999: not a representable time/);
    usage(() => assertSnapshotTime('--at', EARLIEST_SNAPSHOT_TIME - 1, NOW), /^--at 1999-12-31T23:59:59Z: before 2000-01-01T00:00:00Z/);
    usage(() => assertSnapshotTime('--at', 0, NOW), /before 2000/);
    usage(() => assertSnapshotTime('--at', -1, NOW), /before 2000/);
  });
});
