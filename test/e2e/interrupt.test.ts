// The built `vctp snapshot` stopped at a few points, as systemd (SIGTERM, then SIGKILL) or the
// kernel (OOM: SIGKILL) would, on both databases. After each, a rerun with --lock-wait 0 runs at
// once (no "another vctp snapshot is running") and stores exactly what an uninterrupted run does.
// SIGTERM exits 143 (SIGINT 130) and records the run as interrupted; a job stuck in a call that
// cannot be aborted still exits 143 after the grace period.
//
// The points are reached, not timed: vctp talks to the simulator through a proxy in this test that
// holds a chosen SOAP operation (a mid-collection ContinueRetrievePropertiesEx, the Login) unanswered
// and says when it has one; on PostgreSQL the test holds the capture lock so that vctp waits inside
// its write transaction (seen in pg_locks).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { Store } from '../../src/store/executor.js';
import { VCTP_BIN } from '../helpers/cli.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

const HOUR = 3600;
const T0 = Date.parse('2026-04-21T00:00:00Z') / 1000;
// Any fixed number, as in src/store/capture-lock.ts.
const PG_CAPTURE_LOCK = 7_467_302;
/** pg_locks rows of advisory locks in this test's database (advisory locks are per database; other tests run beside). */
const OUR_ADVISORY_LOCKS = sql`locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** An HTTP proxy in front of the simulator that can hold one SOAP operation unanswered. */
interface SoapProxy {
  url: string;
  /** Holds the next request for `operation` (and every later one) unanswered; resolves once one arrives. */
  hold(operation: string): Promise<void>;
  /** Forwards everything again (held requests stay held until their client gives up). */
  pass(): void;
  close(): Promise<void>;
}

async function startProxy(target: URL): Promise<SoapProxy> {
  let held: { operation: string; arrived: () => void } | null = null;
  const stalled = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = /<soapenv:Body><(\w+)/.exec(body.toString('utf8'))?.[1];
      if (held && operation === held.operation) {
        stalled.add(res);
        res.on('close', () => stalled.delete(res));
        held.arrived();
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    hold: (operation) => new Promise<void>((arrived) => void (held = { operation, arrived })),
    pass: () => void (held = null),
    close: async () => {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Run {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves once stderr has a line matching `pattern`. */
  logged(pattern: RegExp): Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function startVctp(args: string[]): Run {
  const child = spawn(process.execPath, [VCTP_BIN, ...args], { env: { ...process.env, VCTP_SETTINGS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters.filter((w) => w.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    stderr: () => stderr,
    logged: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`vctp exited before logging ${pattern}:\n${stderr}`)));
      }),
    done,
  };
}

/** Polls until `check` holds; the test's timeout bounds it. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

for (const engine of ENGINES) {
  describe(`vctp snapshot interrupted (built binary, simulator, ${engine})`, () => {
    let sim: Vcsim;
    let proxy: SoapProxy;
    let db: TestDatabase;
    let store: Store;
    let settingsPath: string;
    let reference: { rows: unknown[]; spans: number };
    let next = T0;

    const vctp = (...args: string[]) => startVctp(['-s', settingsPath, ...args]);
    const snapshotAt = (at: number, ...more: string[]) => vctp('snapshot', '--at', String(at), '--lock-wait', '0', '--json', ...more);
    const status = async () => {
      const result = await vctp('status', '--json').done;
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as {
        vcenters: { latestSnapshot: number | null; lastSnapshotJob: { status: string; error: string | null } | null }[];
        jobs: { job: string; status: string }[];
      };
    };
    /** What a snapshot at `at` stored: every VM's row of vm_hourly_stats but the time, and the span count. */
    const stored = async (at: number) => ({
      rows: await store.all(sql`SELECT vm_id, name, vcpu_count, ram_gb, provisioned_disk, powered_on, resource_pool, tier, folder,
          creation_time, deletion_time FROM vm_hourly_stats WHERE snapshot_time = ${at} ORDER BY vm_id`),
      spans: Number((await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_spans`))[0]!.n),
    });
    const jobLockRows = async () => (await store.all(sql`SELECT * FROM job_locks`)).length;
    const pgJobLockHeld = async () =>
      (await store.all(sql`SELECT 1 FROM pg_locks WHERE ${OUR_ADVISORY_LOCKS} AND classid = 7467303 AND granted`)).length > 0;

    /** The rerun every scenario ends with: at once, complete, identical to the clean run. */
    async function rerunConverges(at: number): Promise<void> {
      const rerun = await snapshotAt(at).done;
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.doesNotMatch(rerun.stdout + rerun.stderr, /another vctp snapshot is running/);
      const result = JSON.parse(rerun.stdout);
      assert.equal(result.skipped, false);
      assert.equal(result.outcomes[0].ok, true, JSON.stringify(result.outcomes[0]));
      assert.equal(result.outcomes[0].summary.vmCount, sim.info.vms);
      assert.deepEqual(await stored(at), reference);
      assert.equal((await status()).vcenters[0]!.latestSnapshot, at);
      assert.equal(await jobLockRows(), 0);
    }

    /** Nothing of the snapshot at `at` was written; the latest is still the one before. */
    async function nothingStored(at: number): Promise<void> {
      assert.equal((await stored(at)).rows.length, 0);
      assert.equal((await stored(at)).spans, reference.spans);
      assert.equal((await status()).vcenters[0]!.latestSnapshot, at - HOUR);
    }

    before(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-interrupt-'));
      sim = await startVcsim({ tls: false, dc: 1, cluster: 1, host: 1, vm: 8, pageSize: 5 });
      proxy = await startProxy(new URL(sim.url));
      db = await createTestDatabase(engine);
      settingsPath = join(dir, 'vctp.yml');
      writeFileSync(
        settingsPath,
        [
          'settings:',
          `  database_driver: ${engine}`,
          `  database_url: ${db.settings.database_url}`,
          '  log_output: json',
          `  vcenter_addresses: [ "${proxy.url}" ]`,
          `  vcenter_username: ${sim.username}`,
          `  vcenter_password: ${sim.password}`,
          '  encryption_key: e2e-key',
          '  hourly_snapshot_retry_seconds: 1',
          '  hourly_snapshot_max_retries: 1',
          '',
        ].join('\n'),
      );
      // The clean run every interrupted one must converge to (the simulator's inventory does not change).
      const clean = await snapshotAt(next).done;
      assert.equal(clean.code, 0, clean.stderr);
      store = await db.open();
      reference = await stored(next);
      assert.equal(reference.rows.length, sim.info.vms);
    });
    after(async () => {
      await store?.close();
      await proxy?.close();
      await sim?.stop();
      await db?.drop();
    });

    it('SIGTERM mid-collection: exits 143, records the run as interrupted, frees the lock; a rerun runs at once', { timeout: 120_000 }, async () => {
      const at = (next += HOUR);
      const stalled = proxy.hold('ContinueRetrievePropertiesEx');
      const run = snapshotAt(at);
      await stalled;
      assert.equal(await jobLockRows(), 1, 'the run holds the lock while it collects');
      run.child.kill('SIGTERM');
      const result = await run.done;
      proxy.pass();
      assert.equal(result.code, 143, result.stderr);
      assert.match(result.stderr, /interrupted by SIGTERM/);
      assert.doesNotMatch(result.stderr, /did not stop in time/, 'the collection was aborted, not waited out');
      const after = await status();
      assert.equal(after.vcenters[0]!.lastSnapshotJob?.status, 'interrupted');
      assert.deepEqual(after.jobs.filter((j) => j.job === 'snapshot').map((j) => j.status), ['interrupted']);
      assert.equal(await jobLockRows(), 0, 'the lock was released');
      if (engine === 'postgres') assert.equal(await pgJobLockHeld(), false);
      await nothingStored(at);
      await rerunConverges(at);
    });

    it('Ctrl-C (SIGINT) mid-collection: exits 130, records the run as interrupted', { timeout: 120_000 }, async () => {
      const at = (next += HOUR);
      const stalled = proxy.hold('ContinueRetrievePropertiesEx');
      const run = snapshotAt(at);
      await stalled;
      run.child.kill('SIGINT');
      const result = await run.done;
      proxy.pass();
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stderr, /interrupted by SIGINT/);
      assert.equal((await status()).vcenters[0]!.lastSnapshotJob?.status, 'interrupted');
      await nothingStored(at);
      await rerunConverges(at);
    });

    it('kill -9 mid-collection: the lock it leaves behind does not stop the rerun', { timeout: 120_000 }, async () => {
      const at = (next += HOUR);
      const stalled = proxy.hold('ContinueRetrievePropertiesEx');
      const run = snapshotAt(at);
      await stalled;
      run.child.kill('SIGKILL');
      const result = await run.done;
      proxy.pass();
      assert.equal(result.signal, 'SIGKILL');
      assert.equal(await jobLockRows(), 1, 'the killed run left its lock row');
      // PostgreSQL frees the advisory lock when it sees the connection close; on SQLite the row
      // names a process that no longer exists.
      if (engine === 'postgres') await until(async () => !(await pgJobLockHeld()));
      await nothingStored(at);
      await rerunConverges(at);
    });

    it('SIGTERM during a call that cannot be aborted (Login): exits 143 after the grace period anyway', { timeout: 120_000 }, async () => {
      const at = (next += HOUR);
      const stalled = proxy.hold('Login');
      const run = snapshotAt(at);
      await stalled;
      run.child.kill('SIGTERM');
      const result = await run.done;
      proxy.pass();
      assert.equal(result.code, 143, result.stderr);
      assert.match(result.stderr, /did not stop in time/);
      if (engine === 'postgres') await until(async () => !(await pgJobLockHeld()));
      await nothingStored(at);
      await rerunConverges(at);
    });

    if (engine === 'postgres') {
      describe('inside the write transaction (PostgreSQL: the test holds the capture lock)', () => {
        let blocker: postgres.ReservedSql;
        let client: postgres.Sql;
        before(async () => {
          client = postgres(db.settings.database_url, { max: 1, onnotice: () => {} });
          blocker = await client.reserve();
        });
        after(async () => {
          blocker?.release();
          await client?.end();
        });
        const holdCaptures = () => blocker`SELECT pg_advisory_lock(${PG_CAPTURE_LOCK}::bigint)`;
        const releaseCaptures = () => blocker`SELECT pg_advisory_unlock(${PG_CAPTURE_LOCK}::bigint)`;
        const vctpWaitsInTransaction = async () =>
          (await store.all(sql`SELECT 1 FROM pg_locks WHERE ${OUR_ADVISORY_LOCKS} AND objid = ${PG_CAPTURE_LOCK} AND NOT granted`)).length > 0;

        it('SIGTERM: the open transaction rolls back, the run is interrupted (143), the rerun converges', { timeout: 120_000 }, async () => {
          const at = (next += HOUR);
          await holdCaptures();
          let released = false;
          try {
            const run = snapshotAt(at);
            await until(vctpWaitsInTransaction);
            run.child.kill('SIGTERM');
            await run.logged(/SIGTERM: stopping/);
            await releaseCaptures();
            released = true;
            const result = await run.done;
            assert.equal(result.code, 143, result.stderr);
            assert.doesNotMatch(result.stderr, /did not stop in time/);
          } finally {
            if (!released) await releaseCaptures();
          }
          assert.equal((await status()).vcenters[0]!.lastSnapshotJob?.status, 'interrupted');
          await nothingStored(at);
          await rerunConverges(at);
        });

        it('kill -9: the server rolls back the transaction and drops the lock; the rerun converges', { timeout: 120_000 }, async () => {
          const at = (next += HOUR);
          await holdCaptures();
          try {
            const run = snapshotAt(at);
            await until(vctpWaitsInTransaction);
            run.child.kill('SIGKILL');
            await run.done;
          } finally {
            await releaseCaptures();
          }
          await until(async () => !(await pgJobLockHeld()));
          await nothingStored(at);
          await rerunConverges(at);
        });
      });
    }
  });
}
