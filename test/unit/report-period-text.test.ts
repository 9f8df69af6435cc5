// Periods as the workbooks write them: inclusive days for people, exact UTC bounds for the record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { daysText, hourText, utcBoundsText, utcInstant } from '../../src/core/report-period-text.js';

describe('report period text', () => {
  it('writes a month as its first and last day, inclusive, and its UTC bounds end exclusive', () => {
    const october = monthPeriod('2026-10');
    assert.equal(daysText(october.start, october.end), '2026-10-01 to 2026-10-31');
    assert.equal(utcBoundsText(october.start, october.end), '2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z (end exclusive)');
    const february = monthPeriod('2028-02');
    assert.equal(daysText(february.start, february.end), '2028-02-01 to 2028-02-29');
  });

  it('writes one day as the day, and the last day of a year before the next', () => {
    const day = dayPeriod('2026-12-31');
    assert.equal(daysText(day.start, day.end), '2026-12-31');
    assert.equal(utcBoundsText(day.start, day.end), '2026-12-31T00:00:00Z to 2027-01-01T00:00:00Z (end exclusive)');
  });

  it('writes an hour by its start and end instant, the last one of a day to 24:00', () => {
    const day = dayPeriod('2026-04-21');
    assert.equal(hourText(day.start + 13 * 3600), '2026-04-21 13:00 to 14:00 UTC');
    assert.equal(hourText(day.start + 23 * 3600), '2026-04-21 23:00 to 24:00 UTC');
    assert.equal(utcInstant(day.start + 61), '2026-04-21T00:01:01Z');
  });
});
