// The job lock hierarchy (src/jobs/job-lock.ts) on both databases: a vCenter's lock leaves the
// other vCenters free; a whole-database lock keeps every vCenter's lock of its kind from being
// taken, including a vCenter the database does not know yet; a whole-database job waits for (here:
// gives up on) a vCenter's running job and names its holder; several vCenters' locks at once;
// one process never takes the same lock twice. Between processes: job-locks.test.ts and
// test/e2e/several-collectors.test.ts.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { JobContext } from '../../src/jobs/context.js';
import { withEveryVcenterLock, withJobLock, withVcenterLock, withVcenterLocks } from '../../src/jobs/job-lock.js';
import type { Store } from '../../src/store/executor.js';
import { listJobLocks } from '../../src/store/job-locks-repository.js';
import { ensureVcenterId } from '../../src/store/vcenter-repository.js';
import { silentLogger } from '../../src/log/logger.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const ME = `${hostname()}:${process.pid}`;

for (const engine of ENGINES) {
  describe(`job locks per vCenter (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    let ctx: JobContext;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      await ensureVcenterId(store, 'vc1');
      await ensureVcenterId(store, 'vc2');
      ctx = { store, log: silentLogger(), now: Date.now };
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it("one vCenter's lock leaves the others free, and is not taken twice", async () => {
      const outcome = await withVcenterLock(ctx, 'snapshot', 'vc1', 0, async () => ({
        other: await withVcenterLock(ctx, 'snapshot', 'vc2', 0, async () => 'vc2 taken'),
        same: await withVcenterLock(ctx, 'snapshot', 'vc1', 0, async () => 'twice'),
        aggregate: await withVcenterLock(ctx, 'aggregate', 'vc1', 0, async () => 'other kind'),
        names: (await listJobLocks(store, ['snapshot:vc1'])).map((l) => l.name),
      }));
      assert.deepEqual(outcome, {
        acquired: true,
        result: {
          other: { acquired: true, result: 'vc2 taken' },
          same: { acquired: false, holder: ME },
          aggregate: { acquired: true, result: 'other kind' },
          names: ['snapshot:vc1'],
        },
      });
      assert.deepEqual(await listJobLocks(store, ['snapshot:vc1']), [], 'released');
    });

    it("the whole-database lock keeps every vCenter's lock out, a vCenter unknown to the database too", async () => {
      const outcome = await withJobLock(ctx, 'aggregate', 0, async () => [
        await withVcenterLock(ctx, 'aggregate', 'vc1', 0, async () => 'taken'),
        await withVcenterLock(ctx, 'aggregate', 'vc-new', 0, async () => 'taken'),
        await withVcenterLock(ctx, 'snapshot', 'vc1', 0, async () => 'other kind'),
      ]);
      assert.deepEqual(outcome, {
        acquired: true,
        result: [
          { acquired: false, holder: `${ME} (the whole-database aggregate lock)` },
          { acquired: false, holder: `${ME} (the whole-database aggregate lock)` },
          { acquired: true, result: 'other kind' },
        ],
      });
    });

    it("a whole-database job does not start while a vCenter's job runs, and names its holder", async () => {
      const outcome = await withVcenterLock(ctx, 'aggregate', 'vc2', 0, () => withEveryVcenterLock(ctx, 'aggregate', 0, async () => 'ran'));
      assert.deepEqual(outcome, { acquired: true, result: { acquired: false, holder: ME } });
      // And gave its whole-database lock back: a vCenter's lock is free again.
      assert.deepEqual(await withVcenterLock(ctx, 'aggregate', 'vc1', 0, async () => 'free'), { acquired: true, result: 'free' });
    });

    it("a whole-database job holds its kind's lock and every known vCenter's", async () => {
      const held = await withEveryVcenterLock(ctx, 'snapshot', 0, async () => (await listJobLocks(store, ['snapshot', 'snapshot:vc1', 'snapshot:vc2'])).map((l) => l.name));
      assert.deepEqual(held, { acquired: true, result: ['snapshot', 'snapshot:vc1', 'snapshot:vc2'] });
      const rows = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM job_locks`);
      assert.equal(Number(rows[0]!.n), 0, 'all released');
    });

    it('several vCenters at once, in sorted order; a held one makes the whole take give up and release the rest', async () => {
      const all = await withVcenterLocks(ctx, 'snapshot', ['vc2', 'vc1'], 0, async () => (await listJobLocks(store, [])).map((l) => l.name));
      assert.deepEqual(all, { acquired: true, result: ['snapshot:vc1', 'snapshot:vc2'] });
      const seen: string[] = [];
      const blocked = await withVcenterLock(ctx, 'snapshot', 'vc2', 0, () =>
        withVcenterLocks(ctx, 'snapshot', ['vc1', 'vc2'], 0, async () => 'ran', (vcenter, holder) => seen.push(`${vcenter} ${holder}`)),
      );
      assert.deepEqual(blocked, { acquired: true, result: { acquired: false, holder: ME } });
      assert.deepEqual(seen, [`vc2 ${ME}`]);
      assert.deepEqual(await listJobLocks(store, ['snapshot:vc1', 'snapshot:vc2']), [], 'vc1 given back');
    });
  });
}
