// The pure rules of closed months (src/core/month-closure.ts) and the audit's OS user name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import {
  cardsPricing,
  closedMonthError,
  closeRefusal,
  closureAt,
  closureReason,
  closuresIn,
  type MonthClosure,
  monthsKeptBefore,
  parseMonthArgument,
  trimWindows,
} from '../../src/core/month-closure.js';
import { monthPeriod } from '../../src/core/periods.js';
import { actorName, osUser } from '../../src/config/os-user.js';

const utc = (iso: string) => Date.parse(iso) / 1000;
const closure = (label: string, over: Partial<MonthClosure> = {}): MonthClosure => ({
  month: monthPeriod(label).start,
  label,
  closedAt: utc('2026-11-02T09:00:00Z'),
  closedBy: 'alice',
  reason: '',
  currency: null,
  rateCards: '[]',
  ...over,
});

describe('closed months: which times they hold', () => {
  const closures = [closure('2026-10'), closure('2026-08')];
  it('finds the closure of a time, and those overlapping a range', () => {
    assert.equal(closureAt(closures, utc('2026-10-31T23:59:59Z'))?.label, '2026-10');
    assert.equal(closureAt(closures, utc('2026-11-01T00:00:00Z')), undefined);
    assert.equal(closureAt(closures, utc('2026-09-15T00:00:00Z')), undefined);
    assert.deepEqual(closuresIn(closures, utc('2026-08-31T00:00:00Z'), utc('2026-10-01T00:00:00Z')).map((c) => c.label), ['2026-08']);
    assert.deepEqual(closuresIn(closures, utc('2026-07-01T00:00:00Z'), utc('2026-12-01T00:00:00Z')).map((c) => c.label), ['2026-08', '2026-10']);
    assert.deepEqual(closuresIn(closures, utc('2026-09-01T00:00:00Z'), utc('2026-10-01T00:00:00Z')), []);
  });

  it('refuses with code closed, naming who, when and the reopen command', () => {
    const error = closedMonthError('--month 2026-10', closures[0]!);
    assert.ok(error instanceof VctpError);
    assert.equal(error.code, 'closed');
    assert.equal(
      error.message,
      '--month 2026-10: the month 2026-10 is closed (by alice at 2026-11-02T09:00:00Z); its figures are final: run vctp month reopen 2026-10 --reason TEXT first',
    );
  });
});

describe('closed months: retention trims around them', () => {
  const cut = utc('2026-12-16T00:00:00Z');
  it('without closed months: everything before the cut', () => {
    assert.deepEqual(trimWindows(cut, []), [{ from: null, to: cut }]);
  });
  it('with closed months: the gaps between them, each kept whole', () => {
    const closures = [closure('2026-10'), closure('2026-08'), closure('2026-09'), closure('2027-01')];
    assert.deepEqual(trimWindows(cut, closures), [
      { from: null, to: utc('2026-08-01T00:00:00Z') },
      { from: utc('2026-11-01T00:00:00Z'), to: cut },
    ]);
    assert.deepEqual(monthsKeptBefore(cut, closures), ['2026-08', '2026-09', '2026-10']);
  });
  it('a closed month across the cut: nothing after its start', () => {
    assert.deepEqual(trimWindows(cut, [closure('2026-12')]), [{ from: null, to: utc('2026-12-01T00:00:00Z') }]);
    assert.deepEqual(trimWindows(utc('2026-12-01T00:00:00Z'), [closure('2026-11')]), [{ from: null, to: utc('2026-11-01T00:00:00Z') }]);
  });
});

describe('closing a month', () => {
  const october = monthPeriod('2026-10');
  const after = utc('2026-11-01T00:00:00Z');
  it('refuses a month that has not ended, one without history, one with a missing or stale summary', () => {
    assert.match(closeRefusal(october, after - 1, [])!.message, /^2026-10: the month has not ended yet \(UTC\); it can be closed from 2026-11-01T00:00:00Z on$/);
    assert.match(closeRefusal(october, after, [])!.message, /no vCenter has snapshots or summaries in this month/);
    const refusal = closeRefusal(october, after, [
      { vcenter: 'vc1', staleness: null },
      { vcenter: 'vc2', staleness: { reason: 'missing', detail: '31 daily summaries, no monthly summary' } },
    ]);
    assert.equal(refusal?.code, 'usage');
    assert.equal(
      refusal?.message,
      '2026-10: the monthly summary is not up to date for vc2 (missing: 31 daily summaries, no monthly summary); run vctp aggregate monthly --month 2026-10 first, then close it',
    );
    assert.equal(closeRefusal(october, after, [{ vcenter: 'vc1', staleness: null }]), null);
  });

  it('keeps the rate cards that price some day of the month', () => {
    const cards = [
      { valid_from: '2026-01-01', currency: 'EUR' },
      { valid_from: '2026-09-15', currency: 'EUR' },
      { valid_from: '2026-10-01', currency: 'EUR' },
      { valid_from: '2026-10-20', currency: 'EUR' },
      { valid_from: '2026-11-01', currency: 'EUR' },
    ];
    assert.deepEqual(cardsPricing(cards, october.start, october.end).map((c) => c.valid_from), ['2026-10-01', '2026-10-20']);
    assert.deepEqual(cardsPricing(cards.slice(0, 2), october.start, october.end).map((c) => c.valid_from), ['2026-09-15']);
    assert.deepEqual(cardsPricing(cards.slice(4), october.start, october.end), []);
    assert.deepEqual(cardsPricing([], october.start, october.end), []);
  });

  it('parses the month and the reason, naming the argument', () => {
    assert.equal(parseMonthArgument('month', '2026-10').start, october.start);
    assert.throws(() => parseMonthArgument('month', '2026-13'), /^VctpError: month 2026-13: expected a month YYYY-MM \(as 2026-10\)$/);
    assert.equal(closureReason('--reason', undefined, false), '');
    assert.equal(closureReason('--reason', '  year end  ', true), 'year end');
    assert.throws(() => closureReason('--reason', ' ', true), /--reason: say why the month is reopened/);
    assert.throws(() => closureReason('--reason', 'x'.repeat(1001), false), /--reason: at most 1000 characters/);
  });
});

describe('the OS user an audit names', () => {
  it('adds the sudo invoker to the account that runs vctp', () => {
    assert.equal(actorName('alice', undefined), 'alice');
    assert.equal(actorName('root', 'alice'), 'root (sudo by alice)');
    assert.equal(actorName('vctp', 'alice'), 'vctp (sudo by alice)');
    assert.equal(actorName('alice', 'alice'), 'alice');
    assert.equal(actorName('root', ' '), 'root');
    assert.equal(osUser({ SUDO_USER: 'bob' }, () => ({ username: 'root' })), 'root (sudo by bob)');
    assert.match(osUser({}, () => { throw new Error('no passwd entry'); }), /^uid \d+$/);
  });
});
