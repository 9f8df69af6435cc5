// Job locks between real processes on both databases: a live holder blocks; a holder killed with
// SIGKILL is taken over at once (PostgreSQL: the server drops its advisory lock with its
// connection; SQLite: its pid and start time are gone from /proc); a holder in another pid
// namespace (a container sharing the database file, pid 1 like us) is never deleted while alive.
// And an interrupt: the open transaction rolls back, the run is recorded as interrupted, the lock
// is released.
//
// The holders are this file run again as a child (`--lock-child`), so that each one is a process
// of its own that can be killed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { InterruptedError } from '../../src/core/errors.js';
import type { JobContext } from '../../src/jobs/context.js';
import { LEASE_SECONDS, withJobLock } from '../../src/jobs/job-lock.js';
import { withJobRun } from '../../src/jobs/job-run.js';
import type { Store } from '../../src/store/executor.js';
import { interruptible } from '../../src/store/interruptible-store.js';
import { readJobLock } from '../../src/store/job-locks-repository.js';
import { latestJobRuns, readMetricFigures } from '../../src/store/job-runs-repository.js';
import { openStore, type StoreSettings } from '../../src/store/open-store.js';
import { currentProcessIdentity } from '../../src/store/process-identity.js';
import { silentLogger } from '../../src/log/logger.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const SELF = fileURLToPath(import.meta.url);
const LOCK = 'snapshot';
/** pg_locks rows of advisory locks in this test's database (advisory locks are per database; other tests run beside). */
const OUR_ADVISORY_LOCKS = sql`locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

// ---- the child: takes the lock (waiting at most WAIT seconds), says so, holds it until stdin ends.
if (process.argv[2] === '--lock-child') {
  const settings = JSON.parse(process.argv[3]!) as StoreSettings;
  const store = await openStore(settings, { migrate: false });
  const ctx: JobContext = { store, log: silentLogger(), now: Date.now };
  const result = await withJobLock(ctx, LOCK, Number(process.argv[4] ?? 0), async () => {
    writeSync(1, `locked ${process.pid}\n`);
    await new Promise<void>((resolve) => {
      process.stdin.on('end', resolve).on('close', resolve).resume();
    });
  });
  if (!result.acquired) writeSync(1, `busy ${result.holder}\n`);
  await store.close();
  process.exit(0);
}

interface Holder {
  child: ChildProcess;
  /** The first line: `locked <pid in its namespace>` or `busy <holder>`. */
  first: Promise<string>;
  exited: Promise<void>;
}

/** Starts a child that takes the lock; `namespaced`: in a pid namespace of its own (and pid 1 there). */
function startHolder(settings: StoreSettings, options: { namespaced?: boolean; waitSeconds?: number } = {}): Holder {
  const node = [process.execPath, '--import', 'tsx', SELF, '--lock-child', JSON.stringify(settings), String(options.waitSeconds ?? 0)];
  const child = options.namespaced
    ? spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...node], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(node[0]!, node.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    void exited.then(() => reject(new Error(`lock child exited (${child.exitCode ?? child.signalCode}) before saying anything`)));
  });
  return { child, first, exited };
}

/** Lets a holder end normally: it releases the lock and exits. */
async function endHolder(holder: Holder): Promise<void> {
  holder.child.stdin!.end();
  await holder.exited;
}

async function killHolder(holder: Holder): Promise<void> {
  holder.child.kill('SIGKILL');
  await holder.exited;
}

const unshareWorks =
  process.platform === 'linux' && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' }).status === 0;

function context(store: Store, nowMs = Date.now()): JobContext {
  return { store, log: silentLogger(), now: () => nowMs };
}

/** Tries the lock once (no waiting) in this process; resolves to what happened. */
async function tryOnce(ctx: JobContext): Promise<{ acquired: boolean; holder?: string; row?: Awaited<ReturnType<typeof readJobLock>> }> {
  const result = await withJobLock(ctx, LOCK, 0, async () => readJobLock(ctx.store, LOCK));
  return result.acquired ? { acquired: true, row: result.result } : { acquired: false, holder: result.holder };
}

/** Polls until `check` holds; the test's own timeout bounds it. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

for (const engine of ENGINES) {
  describe(`job locks between processes (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    /** PostgreSQL: whether any session holds a vctp job lock (the advisory lock itself, not the row). */
    const advisoryHeld = async (): Promise<boolean> =>
      (await store.all(sql`SELECT 1 FROM pg_locks WHERE ${OUR_ADVISORY_LOCKS} AND classid = 7467303 AND granted`)).length > 0;

    it('blocks while a live holder has the lock, and is free once it ends', { timeout: 60_000 }, async () => {
      const holder = startHolder(db.settings);
      try {
        assert.equal(await holder.first, `locked ${holder.child.pid}`);
        const row = await readJobLock(store, LOCK);
        assert.equal(row?.holder, `${hostname()}:${holder.child.pid}`);
        assert.equal(row?.pid, holder.child.pid);
        assert.deepEqual(await tryOnce(context(store)), { acquired: false, holder: `${hostname()}:${holder.child.pid}` });
        // However old its lease: a live holder on this host is never taken over.
        if (engine === 'sqlite') assert.equal((await tryOnce(context(store, (row!.expiresAt + 3600) * 1000))).acquired, false);
      } finally {
        await endHolder(holder);
      }
      assert.equal(await readJobLock(store, LOCK), null);
      const mine = await tryOnce(context(store));
      assert.equal(mine.acquired, true);
      assert.equal(mine.row?.pid, process.pid);
      assert.equal(mine.row?.runId?.length, 36);
      assert.equal(await readJobLock(store, LOCK), null);
    });

    it('takes over at once from a holder killed with SIGKILL', { timeout: 60_000 }, async () => {
      const holder = startHolder(db.settings);
      assert.match(await holder.first, /^locked /);
      await killHolder(holder);
      const left = await readJobLock(store, LOCK);
      assert.equal(left?.pid, holder.child.pid, 'the killed holder left its row behind');
      const now = Date.now();
      if (engine === 'sqlite') {
        // Its lease has most of its ten minutes to run: only the dead process lets us in.
        assert.ok(left!.expiresAt > now / 1000 + LEASE_SECONDS / 2);
      } else {
        // The server ends the dead client's session as soon as its socket closes.
        await until(async () => !(await advisoryHeld()));
      }
      const mine = await tryOnce(context(store, now));
      assert.equal(mine.acquired, true, `not taken over from the dead holder: ${mine.holder}`);
      assert.equal(mine.row?.pid, process.pid);
      assert.equal(await readJobLock(store, LOCK), null);
    });

    it('the next of two processes queued for the lock gets it when the first is killed', { timeout: 60_000 }, async () => {
      const first = startHolder(db.settings);
      assert.match(await first.first, /^locked /);
      const second = startHolder(db.settings, { waitSeconds: 600 });
      try {
        // The second is waiting (it is alive and has said nothing); killing the first lets it in.
        await killHolder(first);
        assert.equal(await second.first, `locked ${second.child.pid}`);
      } finally {
        await endHolder(second);
      }
    });

    it(
      'never deletes a live holder in another pid namespace, though both are pid 1 on one host',
      { timeout: 60_000, skip: unshareWorks ? false : 'needs root and unshare (util-linux) for pid namespaces' },
      async () => {
        const inside = startHolder(db.settings, { namespaced: true });
        let killed = false;
        try {
          assert.equal(await inside.first, 'locked 1');
          const row = await readJobLock(store, LOCK);
          assert.equal(row?.holder, `${hostname()}:1`);
          assert.equal(row?.bootId, currentProcessIdentity().bootId, 'same host, same boot');
          assert.notEqual(row?.pidNamespace, currentProcessIdentity().pidNamespace);
          // Another container: pid 1 as well, the same host name, its own pid namespace.
          const rival = startHolder(db.settings, { namespaced: true });
          assert.equal(await rival.first, `busy ${hostname()}:1`);
          await rival.exited;
          // This process, in the host's namespace, where pid 1 is some other process.
          assert.deepEqual(await tryOnce(context(store)), { acquired: false, holder: `${hostname()}:1` });
          assert.equal((await readJobLock(store, LOCK))?.runId, row?.runId, 'the holder keeps its row');

          await killHolder(inside);
          killed = true;
          if (engine === 'sqlite') {
            // Out of sight, its death cannot be proven: the lease decides, never longer than LEASE_SECONDS.
            assert.equal((await tryOnce(context(store))).acquired, false);
            assert.equal((await tryOnce(context(store, (row!.expiresAt + 1) * 1000))).acquired, true);
          } else {
            await until(async () => !(await advisoryHeld()));
            assert.equal((await tryOnce(context(store))).acquired, true);
          }
        } finally {
          if (!killed) await endHolder(inside);
        }
      },
    );

    it('honours the row of an older vctp (no process identity) until its lease runs out', async () => {
      const now = Math.floor(Date.now() / 1000);
      await store.run(sql`INSERT INTO job_locks (name, holder, acquired_at, expires_at) VALUES (${LOCK}, 'old-collector:77', ${now}, ${now + 300})`);
      try {
        assert.deepEqual(await tryOnce(context(store, now * 1000)), { acquired: false, holder: 'old-collector:77' });
        if (engine === 'postgres') assert.equal(await advisoryHeld(), false, 'the advisory lock was given back');
        const mine = await tryOnce(context(store, (now + 301) * 1000));
        assert.equal(mine.acquired, true);
        assert.equal(mine.row?.pid, process.pid);
        // Ours carries a lease too, which an older vctp honours.
        assert.equal(mine.row?.expiresAt, now + 301 + LEASE_SECONDS);
      } finally {
        await store.run(sql`DELETE FROM job_locks`);
      }
    });

    it('an interrupt rolls back the open transaction, records the run as interrupted and releases the lock', { timeout: 60_000 }, async () => {
      await store.run(sql`DELETE FROM job_runs`);
      const controller = new AbortController();
      const ctx: JobContext = { ...context(interruptible(store, controller.signal)), signal: controller.signal };
      const reached = { statementAfterAbort: false };
      await assert.rejects(
        withJobRun(ctx, { job: 'snapshot' }, () =>
          withJobLock(ctx, LOCK, 0, () =>
            ctx.store.transaction(async (tx) => {
              await tx.run(sql`INSERT INTO vcenters (name) VALUES ('vc-interrupted')`);
              assert.equal((await readJobLock(tx, LOCK))?.pid, process.pid);
              controller.abort(new InterruptedError('SIGTERM'));
              await tx.run(sql`INSERT INTO vcenters (name) VALUES ('vc-after-abort')`);
              reached.statementAfterAbort = true;
            }),
          ),
        ),
        (error: unknown) => error instanceof InterruptedError && error.signal === 'SIGTERM',
      );
      assert.equal(reached.statementAfterAbort, false);
      assert.equal((await store.all(sql`SELECT name FROM vcenters WHERE name LIKE 'vc-%'`)).length, 0, 'the transaction rolled back');
      assert.equal(await readJobLock(store, LOCK), null);
      if (engine === 'postgres') assert.equal(await advisoryHeld(), false);
      const [run] = await latestJobRuns(store);
      assert.equal(run?.status, 'interrupted');
      assert.match(run?.error ?? '', /interrupted by SIGTERM/);
      const figures = await readMetricFigures(store);
      assert.deepEqual(
        figures.jobs.map((j) => [j.job, j.runs, j.failed, j.lastOutcome]),
        [['snapshot', 1, 1, 'failed']],
      );
      // A run whose work finished after the signal is still an interrupted run; none starts after it.
      await assert.rejects(withJobRun(ctx, { job: 'backfill' }, async () => 'done'), InterruptedError);
      assert.deepEqual(
        (await latestJobRuns(store)).map((r) => [r.job, r.status]),
        [
          ['backfill', 'interrupted'],
          ['snapshot', 'interrupted'],
        ],
      );
    });

    it('stops waiting for a held lock at the interrupt', { timeout: 60_000 }, async () => {
      const holder = startHolder(db.settings);
      try {
        assert.match(await holder.first, /^locked /);
        const controller = new AbortController();
        const ctx: JobContext = { ...context(store), signal: controller.signal };
        const waiting = withJobLock(ctx, LOCK, 600, async () => 'never');
        controller.abort(new InterruptedError('SIGINT'));
        await assert.rejects(waiting, (error: unknown) => error instanceof InterruptedError && error.signal === 'SIGINT');
        assert.equal((await readJobLock(store, LOCK))?.pid, holder.child.pid, "the holder's lock is untouched");
      } finally {
        await endHolder(holder);
      }
    });
  });
}
