// `vctp status` shows the jobs running now, on both databases: a job lock held (withJobLock, as a
// job holds it) is reported with its holder while held and not after release; a lock left behind
// by a holder that is gone is reported as stale. Status reads through the read-only store
// (openStoreForReading), as the command does: a read-only SQLite connection, a read-only
// PostgreSQL session reading pg_locks.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { JobContext } from '../../src/jobs/context.js';
import { LEASE_SECONDS, withJobLock } from '../../src/jobs/job-lock.js';
import { silentLogger } from '../../src/log/logger.js';
import { toJsonShape } from '../../src/queries/json-shape.js';
import { readStatus, type StatusReport } from '../../src/queries/status.js';
import type { Store } from '../../src/store/executor.js';
import { openStoreForReading, type ReadOnlyStore } from '../../src/store/read-only-store.js';
import { currentProcessIdentity } from '../../src/store/process-identity.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const NOW = Date.UTC(2026, 11, 1, 14, 0, 5) / 1000;
const SETTINGS = { vcenter_addresses: [], vcenter_inventory_snapshot_seconds: 3600 };

const context = (store: Store): JobContext => ({ store, log: silentLogger(), now: () => NOW * 1000 });

for (const engine of ENGINES) {
  describe(`status: the jobs running now (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    let reader: ReadOnlyStore;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      reader = await openStoreForReading(db.settings);
    });
    after(async () => {
      await reader?.close();
      await store?.close();
      await db?.drop();
    });

    const status = (): Promise<StatusReport> => readStatus(context(reader), SETTINGS);

    it('reports a held lock with its holder, and nothing once it is released', async () => {
      assert.deepEqual((await status()).running, []);
      const locked = await withJobLock(context(store), 'snapshot', 0, async () => {
        const report = await status();
        // Read only: the lock is still ours, and still held, after status looked.
        const again = await status();
        assert.deepEqual(again.running, report.running);
        return report;
      });
      assert.equal(locked.acquired, true);
      const report = locked.acquired ? locked.result : undefined;
      assert.deepEqual(report?.running, [
        { job: 'snapshot', state: 'running', holder: `${hostname()}:${process.pid}`, host: hostname(), pid: process.pid, since: NOW, detail: null },
      ]);
      const shaped = toJsonShape(report) as { running: { sinceIso: string }[] };
      assert.equal(shaped.running[0]?.sinceIso, '2026-12-01T14:00:05Z');
      assert.deepEqual((await status()).running, []);
    });

    it('reports two jobs held at once, by lock name', async () => {
      const both = await withJobLock(context(store), 'snapshot', 0, () =>
        withJobLock(context(store), 'aggregate', 0, async () => (await status()).running.map((r) => [r.job, r.state, r.pid])),
      );
      assert.deepEqual(both.acquired && both.result.acquired ? both.result.result : null, [
        ['aggregate', 'running', process.pid],
        ['snapshot', 'running', process.pid],
      ]);
      assert.deepEqual((await status()).running, []);
    });

    it('shows a lock whose holder is gone as stale, not running', async () => {
      const self = currentProcessIdentity();
      // SQLite: this host's boot and pid namespace, our pid but another start time: a process
      // that ended (its pid now ours), provably dead. PostgreSQL: a row with a run id and no
      // advisory lock: its holder's session ended.
      await store.run(sql`
        INSERT INTO job_locks (name, holder, acquired_at, expires_at, run_id, boot_id, pid_namespace, pid, pid_start_time)
        VALUES ('aggregate', ${`${self.hostname}:${self.pid}`}, ${NOW - 60}, ${NOW + LEASE_SECONDS}, 'a-run-that-died',
          ${self.bootId}, ${self.pidNamespace}, ${self.pid}, ${(self.startTime ?? 0) - 1})`);
      try {
        const [stale, ...rest] = (await status()).running;
        assert.deepEqual(rest, []);
        assert.equal(stale?.job, 'aggregate');
        assert.equal(stale?.state, 'stale');
        assert.equal(stale?.pid, self.pid);
        assert.equal(stale?.since, NOW - 60);
        assert.match(stale?.detail ?? '', engine === 'sqlite' ? /^holder gone: process \d+ is another process now/ : /^holder gone: its database session ended/);
        // Status changed nothing: the row is still there.
        assert.equal((await store.all(sql`SELECT 1 FROM job_locks WHERE name = 'aggregate'`)).length, 1);
      } finally {
        await store.run(sql`DELETE FROM job_locks WHERE name = 'aggregate'`);
      }
    });

    it('shows a lock of an older vctp (no run id, no process identity) as running while its lease runs', async () => {
      await store.run(sql`
        INSERT INTO job_locks (name, holder, acquired_at, expires_at) VALUES ('snapshot', 'oldhost:77', ${NOW - 30}, ${NOW + 60})`);
      try {
        assert.deepEqual((await status()).running, [
          { job: 'snapshot', state: 'running', holder: 'oldhost:77', host: 'oldhost', pid: 77, since: NOW - 30, detail: null },
        ]);
        await store.run(sql`UPDATE job_locks SET expires_at = ${NOW - 1} WHERE name = 'snapshot'`);
        assert.deepEqual((await status()).running.map((r) => [r.job, r.state]), [['snapshot', 'stale']]);
      } finally {
        await store.run(sql`DELETE FROM job_locks WHERE name = 'snapshot'`);
      }
    });
  });
}
