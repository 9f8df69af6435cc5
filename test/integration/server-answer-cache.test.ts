// The answer cache of GET /api/vcenters/totals (src/server/answer-cache.ts) on both databases: a
// repeated request answers the very bytes and headers of the first (and 304 to its ETag), a job run
// (of this server or of another process sharing the database) makes the next answer carry the new
// numbers, and the cache stays within its bounds. The seed is written without job runs (as a
// database restored or filled by hand would be); only the jobs under test record runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { runSnapshotDelete } from '../../src/jobs/snapshot-delete.js';
import { silentLogger } from '../../src/log/logger.js';
import { toJsonShape } from '../../src/queries/json-shape.js';
import { readTotals, type TotalsInput } from '../../src/queries/totals.js';
import { AnswerCache } from '../../src/server/answer-cache.js';
import { vm } from '../helpers/builders.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/db.js';
import { serverForTest, type TestServer } from '../helpers/server.js';
import { H, SETTINGS, utc } from './maintenance-fleet.js';

const START = utc('2026-03-30T00:00:00Z');
const NOW = utc('2026-04-02T12:00:00Z');
const DELETED = utc('2026-04-02T09:00:00Z');

/** vc1 and vc2, hourly from 03-30 00:00 to 04-02 11:00; vc1's vm-b ends 03-31 10:00. */
async function seed(db: TestDatabase): Promise<void> {
  const store = await db.open();
  try {
    for (let t = START; t < NOW; t += H) {
      const ctx = { store, log: silentLogger(), now: () => t * 1000 };
      const vc1 = [vm('vm-a'), ...(t < utc('2026-03-31T11:00:00Z') ? [vm('vm-b', { creationTime: utc('2026-03-01T00:00:00Z') })] : [])];
      await captureInventory(ctx, SETTINGS, { vcenter: 'vc1', snapshotTime: t, records: vc1 });
      await captureInventory(ctx, SETTINGS, { vcenter: 'vc2', snapshotTime: t, records: [vm('vm-c'), vm('vm-d')] });
    }
  } finally {
    await store.close();
  }
}

interface Raw {
  status: number;
  headers: [string, string][];
  bytes: Buffer;
}

for (const engine of ENGINES) {
  describe(`totals answer cache (${engine})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    /** A second server on the same database: its jobs are another process's. */
    let other: TestServer;

    const raw = async (s: TestServer, path: string, headers: Record<string, string> = {}): Promise<Raw> => {
      const res = await s.app.request(path, { headers });
      return { status: res.status, headers: [...res.headers.entries()].sort(), bytes: Buffer.from(await res.arrayBuffer()) };
    };
    const ok = async (path: string): Promise<Raw> => {
      const answer = await raw(server, path);
      assert.equal(answer.status, 200, `${path}: ${answer.bytes.toString()}`);
      return answer;
    };
    /** What the query answers now, in the shape app.ts gives a plain result. */
    const expected = async (input: TotalsInput) => JSON.stringify(toJsonShape(await readTotals(server.ctx, input)));

    before(async () => {
      db = await createTestDatabase(engine as Engine);
      await seed(db);
      server = await serverForTest({ db, now: NOW * 1000 });
      other = await serverForTest({ db, now: NOW * 1000 });
    });
    after(async () => {
      await server?.close();
      await other?.close();
      await db?.drop();
    });

    it('answers a repeated request with the same bytes and headers, and 304 to its ETag', async () => {
      for (const path of ['/api/vcenters/totals', '/api/vcenters/totals?view=hourly&days=2', '/api/vcenters/totals?view=monthly&vcenter=vc2,vc1']) {
        const before = server.deps.answers.stats();
        const first = await ok(path);
        const second = await ok(path);
        assert.deepEqual(second.headers, first.headers, path);
        assert.ok(second.bytes.equals(first.bytes), path);
        assert.deepEqual(server.deps.answers.stats().hits, before.hits + 1, path);
        const etag = first.headers.find(([name]) => name === 'etag')?.[1];
        assert.match(etag ?? '', /^"[A-Za-z0-9_-]+"$/, path);
        const contentType = first.headers.find(([name]) => name === 'content-type')?.[1];
        assert.equal(contentType, 'application/json');
        for (const header of [etag!, `W/${etag}`, `"other", ${etag}`, '*']) {
          const notModified = await raw(server, path, { 'if-none-match': header });
          assert.equal(notModified.status, 304, `${path} ${header}`);
          assert.equal(notModified.bytes.length, 0);
          assert.deepEqual(notModified.headers, [['etag', etag!]]);
        }
        assert.equal((await raw(server, path, { 'if-none-match': '"other"' })).status, 200);
      }
      // The answer is the query's, as an uncached operation gives it; vCenter order and repeats are one request.
      const daily = await ok('/api/vcenters/totals?view=daily&days=5');
      assert.equal(daily.bytes.toString(), await expected({ view: 'daily', days: 5 }));
      const hits = server.deps.answers.stats().hits;
      assert.ok((await ok('/api/vcenters/totals?view=monthly&vcenter=vc1&vcenter=vc2&vcenter=vc1')).bytes.equals((await ok('/api/vcenters/totals?view=monthly&vcenter=vc2,vc1')).bytes));
      assert.equal(server.deps.answers.stats().hits, hits + 2);
      // A refused request is answered as before and not kept.
      const unknown = await raw(server, '/api/vcenters/totals?vcenter=nope');
      assert.equal(unknown.status, 400);
      assert.match(unknown.bytes.toString(), /query\.vcenter nope/);
    });

    it('shares one computation between concurrent requests', async () => {
      const before = server.deps.answers.stats();
      const answers = await Promise.all(Array.from({ length: 5 }, () => ok('/api/vcenters/totals?days=7')));
      for (const a of answers) assert.ok(a.bytes.equals(answers[0]!.bytes));
      assert.equal(server.deps.answers.stats().misses, before.misses + 1);
    });

    it("answers new numbers after a job of this server or of another process changes the totals", async () => {
      const dailyPath = '/api/vcenters/totals?view=daily&days=5';
      const cached = JSON.parse((await ok(dailyPath)).bytes.toString());
      assert.equal(cached.rows.length, 0, 'nothing aggregated yet');
      // The admin API's aggregation (runAggregate in withJobRun), run by the other server.
      const res = await other.app.request('/api/snapshots/aggregate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'daily', date: '2026-03-31' }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const fresh = await ok(dailyPath);
      assert.equal(fresh.bytes.toString(), await expected({ view: 'daily', days: 5 }));
      const rows = JSON.parse(fresh.bytes.toString()).rows as { vcenter: string; period: string; samples: { present: number } }[];
      assert.deepEqual(rows.map((r) => [r.vcenter, r.period, r.samples.present]), [['vc1', '2026-03-31', 24], ['vc2', '2026-03-31', 24]]);

      // Hourly rows: a snapshot taken back by the snapshot-delete job on a connection of its own.
      const hourlyPath = '/api/vcenters/totals?view=hourly&days=1&vcenter=vc2';
      const hourly = await ok(hourlyPath);
      assert.ok(JSON.parse(hourly.bytes.toString()).rows.some((r: { time: number }) => r.time === DELETED));
      const store = await db.open();
      try {
        await runSnapshotDelete({ store, log: silentLogger(), now: () => NOW * 1000 }, { reports_dir: server.settings.reports_dir }, {
          vcenter: 'vc2',
          at: DELETED,
          lockWaitSeconds: 5,
        });
      } finally {
        await store.close();
      }
      const after = await ok(hourlyPath);
      assert.equal(after.bytes.toString(), await expected({ view: 'hourly', days: 1, vcenters: ['vc2'] }));
      assert.ok(!JSON.parse(after.bytes.toString()).rows.some((r: { time: number }) => r.time === DELETED));
      assert.notEqual(after.headers.find(([n]) => n === 'etag')?.[1], hourly.headers.find(([n]) => n === 'etag')?.[1]);
    });

    it('stays within its bounds in entries and bytes', async () => {
      const one = (await ok('/api/vcenters/totals?view=hourly&days=1')).bytes.length;
      const limits = { maxEntries: 3, maxBytes: Math.floor(one * 2.5) };
      server.deps.answers = new AnswerCache(limits);
      const answers = new Map<string, Buffer>();
      for (const vcenter of ['vc1', 'vc2', 'vc1,vc2']) {
        for (const days of [1, 2, 3]) {
          const path = `/api/vcenters/totals?view=hourly&days=${days}&vcenter=${vcenter}`;
          answers.set(path, (await ok(path)).bytes);
          const stats = server.deps.answers.stats();
          assert.ok(stats.entries <= limits.maxEntries, `${stats.entries} entries`);
          assert.ok(stats.bytes <= limits.maxBytes, `${stats.bytes} bytes`);
        }
      }
      // Evicted or not, every answer is still the same.
      for (const [path, bytes] of answers) assert.ok((await ok(path)).bytes.equals(bytes), path);
      // An answer larger than the whole bound is answered, not kept.
      server.deps.answers = new AnswerCache({ maxEntries: 3, maxBytes: 100 });
      const big = await ok('/api/vcenters/totals?view=hourly&days=3');
      assert.ok(big.bytes.length > 100);
      assert.ok((await ok('/api/vcenters/totals?view=hourly&days=3')).bytes.equals(big.bytes));
      assert.deepEqual(server.deps.answers.stats(), { entries: 0, bytes: 0, hits: 0, misses: 2 });
    });
  });
}
