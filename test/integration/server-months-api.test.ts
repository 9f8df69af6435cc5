// GET /api/months and POST /api/months/{month}/close|reopen on both databases, through app.request():
// the CLI's job and refusals as HTTP statuses (400 not ended or not aggregated, 409 closed already or
// a change to a closed month: an aggregation or a lifecycle correction), the request's user recorded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { silentLogger } from '../../src/log/logger.js';
import { vm } from '../helpers/builders.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { serverForTest, type TestServer } from '../helpers/server.js';
import { H, SETTINGS, utc } from './maintenance-fleet.js';

const START = utc('2026-03-30T00:00:00Z');
const NOW = utc('2026-04-02T12:00:00Z');

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
}

for (const engine of ENGINES) {
  describe(`months API (${engine})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    const request = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> => {
      const res = await server.app.request(path, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const refused = (a: Answer, status: number, code: string, message: RegExp) => {
      assert.equal(a.status, status, JSON.stringify(a.body));
      assert.equal(a.body.error.code, code);
      assert.match(a.body.error.message, message);
    };

    before(async () => {
      db = await createTestDatabase(engine);
      const store = await db.open();
      try {
        const ctx = (t: number) => ({ store, log: silentLogger(), now: () => t * 1000 });
        for (let t = START; t < NOW; t += H) await captureInventory(ctx(t), SETTINGS, { vcenter: 'vc1', snapshotTime: t, records: [vm('vm-a')] });
        for (const day of ['2026-03-30', '2026-03-31']) await aggregateDay(ctx(NOW), SETTINGS, { vcenterId: 1, vcenter: 'vc1', engine: 'app', period: dayPeriod(day) });
      } finally {
        await store.close();
      }
      server = await serverForTest({ db, now: NOW * 1000 });
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    it('lists nothing at first; refuses a month not ended or not aggregated (400), and a bad month', async () => {
      const list = await request('GET', '/api/months');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, { closed: [], events: [] });
      refused(await request('POST', '/api/months/2026-04/close', {}), 400, 'usage', /^2026-04: the month has not ended yet/);
      refused(await request('POST', '/api/months/2026-03/close', {}), 400, 'usage', /^2026-03: the monthly summary is not up to date for vc1 \(missing: .*\); run vctp aggregate monthly --month 2026-03 first/);
      refused(await request('POST', '/api/months/2026-13/close', {}), 400, 'usage', /^path\.month 2026-13: expected a month YYYY-MM/);
      assert.equal((await request('POST', '/api/months/March/close', {})).status, 400);
    });

    it('closes an aggregated month, by the request\'s user; then refuses to close it again or to change it (409)', async () => {
      await aggregateMonth(server.ctx, SETTINGS, { vcenterId: 1, vcenter: 'vc1', engine: 'app', period: monthPeriod('2026-03') });
      const closed = await request('POST', '/api/months/2026-03/close', { reason: 'invoiced' });
      assert.equal(closed.status, 200, JSON.stringify(closed.body));
      assert.deepEqual(
        { ...closed.body, eventId: undefined },
        {
          skipped: false,
          month: '2026-03',
          closedAt: NOW,
          closedAtIso: '2026-04-02T12:00:00Z',
          closedBy: 'anonymous',
          reason: 'invoiced',
          currency: null,
          rateCards: [],
          vcenters: ['vc1'],
          eventId: undefined,
        },
      );
      refused(await request('POST', '/api/months/2026-03/close', {}), 409, 'closed', /^2026-03: the month is already closed \(by anonymous at 2026-04-02T12:00:00Z \("invoiced"\)\)$/);
      refused(
        await request('POST', '/api/snapshots/aggregate', { kind: 'monthly', date: '2026-03' }),
        409,
        'closed',
        /^body\.month 2026-03: the month 2026-03 is closed \(by anonymous at 2026-04-02T12:00:00Z\); its figures are final: run vctp month reopen 2026-03 --reason TEXT first$/,
      );
      refused(
        await request('POST', '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', creationTime: '2026-01-01T00:00:00Z', reason: 'ticket' }),
        409,
        'closed',
        /^vmId vm-a in vc1 \(its summaries of 2026-03-30 to 2026-04-02 carry its lifecycle\): the month 2026-03 is closed/,
      );
      const list = await request('GET', '/api/months');
      assert.equal(list.body.closed.length, 1);
      assert.equal(list.body.closed[0].month, '2026-03');
    });

    it('reopens with a reason only', async () => {
      const bare = await request('POST', '/api/months/2026-03/reopen', {});
      assert.equal(bare.status, 400);
      assert.equal(bare.body.error.field, 'body.reason');
      const reopened = await request('POST', '/api/months/2026-03/reopen', { reason: 'credit note' });
      assert.equal(reopened.status, 200, JSON.stringify(reopened.body));
      assert.equal(reopened.body.reopenedBy, 'anonymous');
      assert.equal(reopened.body.closedBy, 'anonymous');
      refused(await request('POST', '/api/months/2026-03/reopen', { reason: 'again' }), 400, 'usage', /^2026-03: the month is not closed/);
      const list = await request('GET', '/api/months');
      assert.deepEqual(list.body.closed, []);
      assert.deepEqual(
        list.body.events.map((e: { action: string; reason: string }) => [e.action, e.reason]),
        [
          ['close', 'invoiced'],
          ['reopen', 'credit note'],
        ],
      );
      const aggregated = await request('POST', '/api/snapshots/aggregate', { kind: 'monthly', date: '2026-03' });
      assert.equal(aggregated.status, 200, JSON.stringify(aggregated.body));
    });
  });
}
