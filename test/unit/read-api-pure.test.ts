// The pure parts behind the read API: time inputs, the trace's default window, report file names,
// the per-day creation counts and the query parameter schemas.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import { parseTimeBound, parseTimeInput } from '../../src/core/time-input.js';
import { countCreationDays } from '../../src/queries/daily-creation.js';
import { isReportFileName, parseReportFileName } from '../../src/queries/report-files.js';
import { traceWindow } from '../../src/queries/trace-window.js';
import { listParam, timeParam } from '../../src/server/routes/read-schemas.js';

const DAY = 86_400;
const H = 3600;
const D = Date.UTC(2026, 3, 20) / 1000;

describe('time inputs', () => {
  it('takes unix seconds, ISO 8601 (UTC unless it says) and, as bounds, whole days', () => {
    assert.equal(parseTimeInput('--to', '1776690000'), 1776690000);
    assert.equal(parseTimeInput('--to', '2026-04-20T13:00:00'), D + 13 * H);
    assert.equal(parseTimeInput('--to', '2026-04-20T15:00:00+02:00'), D + 13 * H);
    assert.equal(parseTimeBound('from', '2026-04-20', 'start'), D);
    assert.equal(parseTimeBound('to', '2026-04-20', 'end'), D + DAY - 1);
    assert.equal(parseTimeBound('to', '2026-04-20T01:00:00Z', 'end'), D + H);
  });
  it('names the input it refuses', () => {
    assert.throws(() => parseTimeInput('query.from', 'yesterday'), (e: Error) => e instanceof VctpError && e.code === 'usage' && /^query\.from yesterday: expected unix seconds/.test(e.message));
    assert.throws(() => parseTimeBound('--to', '2026-02-30', 'end'), /--to 2026-02-30: not a calendar date/);
    assert.throws(() => parseTimeInput('--at', '99999999999999999'), /not a representable time/);
  });
});

describe('trace window', () => {
  it('defaults to a week of snapshots or 45 whole days of summaries before to (default now)', () => {
    const now = D + 12 * H;
    assert.deepEqual(traceWindow('hourly', now), { from: now - 7 * DAY, to: now });
    assert.deepEqual(traceWindow('daily', now), { from: D - 45 * DAY, to: now });
    assert.deepEqual(traceWindow('daily', now, undefined, D - 1), { from: D - DAY - 45 * DAY, to: D - 1 });
    assert.deepEqual(traceWindow('hourly', now, D, D + H), { from: D, to: D + H });
  });
});

describe('report file names', () => {
  it('are plain names of workbooks: no path, no .., no hidden temp file', () => {
    for (const ok of ['2026-04-20.xlsx', '2026-04-21T13.xlsx', '2026-04.xlsx', '2026-04-20_vc1.example.com+vc2_8443.xlsx']) assert.ok(isReportFileName(ok), ok);
    for (const bad of ['../2026-04.xlsx', 'a/b.xlsx', 'a\\b.xlsx', '.2026-04.xlsx.123.ab.tmp', '.x.xlsx', 'x..xlsx', '2026-04.xls', '2026-04.xlsx ', '', `${'a'.repeat(251)}.xlsx`, '%2e%2e.xlsx']) {
      assert.ok(!isReportFileName(bad), bad);
    }
  });
  it('give the period and the vCenters of a limited report', () => {
    assert.deepEqual(parseReportFileName('2026-04-20.xlsx'), { period: '2026-04-20', vcenters: null });
    assert.deepEqual(parseReportFileName('2026-04-21T13_vc1.example.com+vc2_8443.xlsx'), { period: '2026-04-21T13', vcenters: ['vc1.example.com', 'vc2_8443'] });
  });
});

describe('daily creation counts', () => {
  const day = (vcenterId: number, i: number, first: number, last: number, count: number) => ({ vcenterId, day: D + i * DAY, count, first: D + i * DAY + first * H, last: D + i * DAY + last * H });
  const span = (lifecycleId: number, firstSeen: number, lastSeen: number | null, creationTime = 0, vcenterId = 1) => ({ vcenterId, lifecycleId, firstSeen, lastSeen, creationTime });

  it('counts a VM once a day when one of its spans covers one of that day\'s snapshots', () => {
    // Day 0 snapshots 00:00-23:00, day 1 only 10:00-12:00, day 2 none.
    const snapshots = [day(1, 0, 0, 23, 24), day(1, 1, 10, 12, 3)];
    const counts = countCreationDays(
      [
        // Changed at 05:00 on day 0: two spans, one VM.
        span(1, D, D + 4 * H, D - DAY),
        span(1, D + 5 * H, null, D - DAY),
        // Seen 01:00-08:00 on day 1, but day 1's snapshots are 10:00-12:00: not seen then.
        span(2, D + DAY + H, D + DAY + 8 * H, D + DAY + H),
        // Created day 0 at 07:00, gone after day 1 11:00.
        span(3, D + 8 * H, D + DAY + 11 * H, D + 7 * H),
        // No creation time; first seen at the last snapshot of day 0.
        span(4, D + 23 * H, D + 23 * H),
      ],
      snapshots,
      D,
      3,
    );
    assert.deepEqual(
      counts.get(1)!.map((d) => [d.day, d.snapshots, d.vms, d.withCreationTime, d.withoutCreationTime, d.createdThatDay]),
      [
        ['2026-04-20', 24, 3, 2, 1, 1],
        ['2026-04-21', 3, 2, 2, 0, 0],
        ['2026-04-22', 0, 0, 0, 0, 0],
      ],
    );
  });

  it('keeps vCenters apart and ignores what lies outside the window', () => {
    const counts = countCreationDays([span(1, D - 5 * DAY, null, 0, 1), span(2, D, null, D, 2)], [day(1, 0, 0, 23, 24), day(2, 0, 0, 23, 24), day(2, 9, 0, 1, 2)], D, 1);
    assert.deepEqual([...counts.keys()].sort(), [1, 2]);
    assert.deepEqual(counts.get(1)!.map((d) => [d.vms, d.withoutCreationTime]), [[1, 1]]);
    assert.deepEqual(counts.get(2)!.map((d) => [d.vms, d.withCreationTime, d.createdThatDay]), [[1, 1, 1]]);
  });
});

describe('query parameter schemas', () => {
  it('a list parameter: repeated or comma-separated, blanks dropped', () => {
    const vcenter = listParam('vCenters', 'vc1');
    assert.deepEqual(vcenter.parse('vc1, vc2'), ['vc1', 'vc2']);
    assert.deepEqual(vcenter.parse(['vc1', 'vc2,vc3']), ['vc1', 'vc2', 'vc3']);
    assert.equal(vcenter.parse(','), undefined);
    assert.equal(vcenter.parse(undefined), undefined);
  });
  it('a time parameter: the CLI\'s forms, and a message without the field (the validation hook names it)', () => {
    assert.equal(timeParam('end', 'to', '').parse('2026-04-20'), D + DAY - 1);
    assert.equal(timeParam('start', 'from', '').parse(String(D)), D);
    const failed = timeParam('start', 'from', '').safeParse('soon');
    assert.ok(!failed.success);
    assert.match(failed.error.issues[0]!.message, /^soon: expected unix seconds or an ISO 8601 time/);
  });
});
