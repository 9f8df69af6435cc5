// Routine database faults end a run with a named error (VctpError 'database', exit status 4) that
// names the database, and within bounded time; never a stack, never a hang. Each fault is real:
// a second process holding SQLite's lock, a read-only filesystem or an immutable file, garbage
// written into a database file, a full tmpfs, a PostgreSQL session terminated mid-transaction, TCP
// listeners that close or never answer, a proxy that stops forwarding mid-statement, and a
// PostgreSQL tablespace on a full tmpfs. Faults that need root (mount, chattr, the postgres OS user)
// are skipped, saying so, where those are not available.
//
// The CLI runs from source through tsx (not dist/), so these tests need no fresh build.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { VctpError } from '../../src/core/errors.js';
import { generateFleet, presentCounts, REFERENCE_RATES } from '../../src/core/synthetic-fleet.js';
import { withJobLock } from '../../src/jobs/job-lock.js';
import { withJobRun } from '../../src/jobs/job-run.js';
import { loadSyntheticFleet } from '../../src/store/bulk-load.js';
import type { BulkColumn, Store } from '../../src/store/executor.js';
import { latestJobRuns } from '../../src/store/job-runs-repository.js';
import { openStore } from '../../src/store/open-store.js';
import type { PostgresStore } from '../../src/store/postgres-store.js';
import { BUSY_TIMEOUT_MS } from '../../src/store/sqlite-store.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from '../helpers/db.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = pathToFileURL(join(ROOT, 'src/cli/main.ts')).href;
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');
const dir = mkdtempSync(join(tmpdir(), 'vctp-dbfaults-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `vctp ARGS` from source, as bin/vctp runs dist: the process must exit on its own. */
function vctp(args: string[], killAfterMs = 90_000): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(process.argv.slice(1));`, '--', ...args],
      { cwd: ROOT, env: { ...process.env, VCTP_SETTINGS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr, ms: performance.now() - started });
    });
  });
}

function settingsFor(name: string, driver: 'sqlite' | 'postgres', url: string): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(path, `settings:\n  database_driver: ${driver}\n  database_url: "${url}"\n  log_output: json\n`);
  return path;
}

/** Exit status 4, the database named, a message instead of a stack. */
function assertDatabaseFailure(run: Run, names: string | RegExp, says: RegExp): void {
  assert.equal(run.code, 4, `exit status (stderr: ${run.stderr})`);
  const lastLine = run.stderr.trim().split('\n').at(-1) ?? '';
  assert.match(lastLine, /^vctp: /);
  if (typeof names === 'string') assert.ok(lastLine.includes(names), `${lastLine} names ${names}`);
  else assert.match(lastLine, names);
  assert.match(lastLine, says);
  assert.doesNotMatch(run.stderr, /internal error|^\s+at /m);
}

/** A query's rows as a plain array (the driver's result list is an Array subclass). */
async function rows(store: Store, query: ReturnType<typeof sql>): Promise<unknown[]> {
  return [...(await store.all(query))];
}

const isRoot = process.getuid?.() === 0;
const tmpfsUsable = isRoot && spawnSync('mount', ['--version']).status === 0;

/** A tmpfs of `size` at a new directory; null when this host cannot mount one. */
function tmpfs(name: string, size: string, parent = dir): { path: string; remountReadOnly(): void; unmount(): void } | null {
  if (!tmpfsUsable) return null;
  const path = join(parent, name);
  mkdirSync(path);
  chmodSync(parent, 0o755);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]).status !== 0) return null;
  return {
    path,
    remountReadOnly: () => void execFileSync('mount', ['-o', 'remount,ro', path]),
    unmount: () => {
      spawnSync('umount', ['-l', path]);
      if (parent !== dir) rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** A small fleet loaded into a new SQLite file: data pages for the corruption tests. */
async function filledSqlite(path: string): Promise<void> {
  const fleet = generateFleet({ name: 'tiny', vcenters: 2, vmsPerVcenter: 300, start: Date.UTC(2025, 0, 1) / 1000, days: 2, snapshotSeconds: 3600, rates: REFERENCE_RATES, seed: 3 });
  const store = await openStore({ database_driver: 'sqlite', database_url: path });
  try {
    await loadSyntheticFleet(store, fleet, presentCounts(fleet));
  } finally {
    await store.close();
  }
}

function overwrite(path: string, offset: number, length: number): void {
  const garbage = Buffer.alloc(length);
  for (let i = 0; i < length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, garbage, 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('SQLite faults: exit status 4 with the file named', () => {
  it('locked by a second process (BEGIN EXCLUSIVE): fails after the busy timeout, naming the file', { timeout: 120_000 }, async () => {
    const path = join(dir, 'locked.sqlite3');
    const settings = settingsFor('locked', 'sqlite', path);
    assert.equal((await vctp(['-s', settings, 'db', 'migrate'])).code, 0);
    const holder = spawn(
      process.execPath,
      ['-e', `const D = require(${JSON.stringify(BETTER_SQLITE3)}); const db = new D(${JSON.stringify(path)}); db.exec('BEGIN EXCLUSIVE'); console.log('held'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
        holder.on('exit', () => reject(new Error('the lock holder exited')));
      });
      const run = await vctp(['-s', settings, 'db', 'migrate']);
      assertDatabaseFailure(run, `SQLite database ${path}`, /is locked by another process \(waited 15 s\): database is locked \(SQLITE_BUSY\)/);
      assert.ok(run.ms >= BUSY_TIMEOUT_MS, `waited the busy timeout (${run.ms} ms)`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('on a filesystem mounted read-only', { timeout: 60_000 }, async (t) => {
    const fs = tmpfs('ro', '8m');
    if (!fs) return t.skip('needs root and mount (tmpfs)');
    try {
      const path = join(fs.path, 'db.sqlite3');
      const settings = settingsFor('ro', 'sqlite', path);
      assert.equal((await vctp(['-s', settings, 'db', 'migrate'])).code, 0);
      fs.remountReadOnly();
      for (const command of [['status'], ['db', 'migrate']]) {
        assertDatabaseFailure(await vctp(['-s', settings, ...command]), `SQLite database ${path} is read-only`, /the filesystem is mounted read-only/);
      }
    } finally {
      fs.unmount();
    }
  });

  it('read-only file: immutable (chattr +i; as root) or without write permission (chmod; not root)', { timeout: 60_000 }, async (t) => {
    const path = join(dir, 'readonly.sqlite3');
    const settings = settingsFor('readonly', 'sqlite', path);
    assert.equal((await vctp(['-s', settings, 'db', 'migrate'])).code, 0);
    if (isRoot) {
      // chmod does not stop root; the immutable attribute does.
      if (spawnSync('chattr', ['+i', path]).status !== 0) return t.skip('chattr +i is not supported here');
      try {
        // `db migrate` records its run in job_runs: a write, whatever the schema's state.
        assertDatabaseFailure(await vctp(['-s', settings, 'db', 'migrate']), `SQLite database ${path} is read-only`, /immutable/);
      } finally {
        spawnSync('chattr', ['-i', path]);
      }
    } else {
      chmodSync(path, 0o444);
      assertDatabaseFailure(await vctp(['-s', settings, 'db', 'migrate']), `SQLite database ${path} is read-only`, /may not write it/);
    }
  });

  it('corrupted pages, and a damaged header', { timeout: 60_000 }, async () => {
    const path = join(dir, 'good.sqlite3');
    await filledSqlite(path);
    const size = statSync(path).size;
    const damaged = join(dir, 'damaged.sqlite3');
    copyFileSync(path, damaged);
    overwrite(damaged, Math.floor(size / 3), Math.floor(size / 3));
    // Which SQLite message depends on what the overwritten third held (table pages or the schema's).
    assertDatabaseFailure(
      await vctp(['-s', settingsFor('damaged', 'sqlite', damaged), 'status']),
      `SQLite database ${damaged} is damaged`,
      /(database disk image is malformed|malformed database schema \(.*\)) \(SQLITE_CORRUPT\).*backup/,
    );
    const header = join(dir, 'header.sqlite3');
    copyFileSync(path, header);
    overwrite(header, 0, 100);
    assertDatabaseFailure(
      await vctp(['-s', settingsFor('header', 'sqlite', header), 'db', 'migrate']),
      `SQLite database ${header} is not a SQLite database`,
      /SQLITE_NOTADB/,
    );
  });

  it('a full disk (a 1 MB tmpfs): the job fails, and the store says so to a caller in-process', { timeout: 90_000 }, async (t) => {
    const fs = tmpfs('full', '1m');
    if (!fs) return t.skip('needs root and mount (tmpfs)');
    try {
      const scratch = join(fs.path, 'scratch.sqlite3');
      const run = await vctp(['-s', settingsFor('full', 'sqlite', join(dir, 'full-main.sqlite3')), 'benchmark', 'aggregations', '--synthetic', 'fleet-S', '--runs', '1', '--db', scratch]);
      assertDatabaseFailure(run, `SQLite database ${scratch}: the disk is full`, /SQLITE_FULL\)\. Free space/);

      const store = await openStore({ database_driver: 'sqlite', database_url: join(fs.path, 'direct.sqlite3') });
      try {
        const many = Array.from({ length: 20_000 }, (_, i) => [i + 1, `${'x'.repeat(60)}-${i}`, null, null, null]);
        const columns: BulkColumn[] = ['id', 'vm_uuid', 'instance_uuid', 'event_key', 'cloud_id'].map((name, i) => ({ name, type: i === 0 ? 'int' : 'text' }));
        await assert.rejects(store.insertRows('vm_identities', columns, many), (error: unknown) => {
          assert.ok(error instanceof VctpError && error.code === 'database', String(error));
          assert.match(error.message, /the disk is full/);
          return true;
        });
        assert.deepEqual(await rows(store, sql`SELECT COUNT(*) AS n FROM vm_identities`), [{ n: 0 }]);
      } finally {
        await store.close();
      }
    } finally {
      fs.unmount();
    }
  });
});

/** A TCP listener that accepts and then closes at once ('close') or never says anything ('silent'). */
async function listener(kind: 'close' | 'silent'): Promise<{ port: number; accepted: () => number; close(): Promise<void> }> {
  const held: net.Socket[] = [];
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.on('error', () => undefined);
    if (kind === 'close') socket.resume().end(); // FIN, not RST: the client sees a clean close, and reconnects
    else held.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    close: async () => {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A TCP proxy to the test PostgreSQL that, on a connection whose client sends `marker`, stops
 * forwarding in both directions: the server looks hung while TCP stays up. Other connections pass.
 */
async function freezingProxy(marker: string): Promise<{ port: number; frozen: () => number; close(): Promise<void> }> {
  const upstream = new URL(PG_ADMIN_URL);
  const sockets = new Set<net.Socket>();
  let frozen = 0;
  const server = net.createServer((client) => {
    const server = net.connect(Number(upstream.port || 5432), upstream.hostname);
    let stopped = false;
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        server.destroy();
      });
    }
    client.on('data', (data: Buffer) => {
      if (!stopped && data.includes(marker)) {
        stopped = true;
        frozen++;
      }
      if (!stopped) server.write(data);
    });
    server.on('data', (data: Buffer) => void (stopped || client.write(data)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    frozen: () => frozen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('PostgreSQL faults: exit status 4 with the URL named, password masked', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('postgres');
    const store = await db.open();
    await store.close();
  });
  after(async () => {
    await db?.drop();
  });

  /** The test database's URL through 127.0.0.1:port, with its password, and `params` in the query. */
  function urlVia(port: number, params: Record<string, string> = {}): string {
    const url = new URL(db.settings.database_url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    url.password = 'secret-pw';
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  it('a listener that accepts and closes at once: a few attempts, then exit 4 within seconds', { timeout: 60_000 }, async () => {
    const server = await listener('close');
    try {
      const url = urlVia(server.port);
      const run = await vctp(['-s', settingsFor('pg-close', 'postgres', url), 'status']);
      assertDatabaseFailure(run, `PostgreSQL at ${url.replace('secret-pw', '***')}`, /accepted the connection and closed it before answering, 3 times in a row/);
      assert.doesNotMatch(run.stderr, /secret-pw/);
      assert.ok(server.accepted() <= 3, `${server.accepted()} connections`);
      assert.ok(run.ms < 20_000, `${run.ms} ms`);
    } finally {
      await server.close();
    }
  });

  it('a listener that accepts and never answers: exit 4 after the 10 s connect timeout', { timeout: 60_000 }, async () => {
    const server = await listener('silent');
    try {
      const url = urlVia(server.port);
      const run = await vctp(['-s', settingsFor('pg-silent', 'postgres', url), 'status']);
      assertDatabaseFailure(run, `PostgreSQL at ${url.replace('secret-pw', '***')}`, /did not complete the connection in time.*CONNECT_TIMEOUT/);
      assert.equal(server.accepted(), 1);
      assert.ok(run.ms >= 10_000 && run.ms < 30_000, `${run.ms} ms`);
    } finally {
      await server.close();
    }
  });

  it('nothing listening: refused, retried briefly, exit 4', { timeout: 60_000 }, async () => {
    const server = await listener('close');
    const port = server.port;
    await server.close();
    const url = urlVia(port);
    const run = await vctp(['-s', settingsFor('pg-refused', 'postgres', url), 'status']);
    assertDatabaseFailure(run, `PostgreSQL at ${url.replace('secret-pw', '***')}`, /refused the connection \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)\. Check that PostgreSQL is running/);
    assert.ok(run.ms < 20_000, `${run.ms} ms`);
  });

  it('the session terminated mid-transaction (pg_terminate_backend): the job fails as database, its run is recorded, the store reconnects', { timeout: 60_000 }, async () => {
    const store = await db.open();
    const admin = postgres(db.settings.database_url, { max: 1, onnotice: () => {} });
    try {
      const ctx = testContext(store, Date.now());
      const job = withJobRun(ctx, { job: 'retention' }, () =>
        store.transaction(async (tx) => {
          await tx.run(sql`DELETE FROM job_locks`);
          await tx.run(sql`SELECT pg_sleep(30)`);
        }),
      );
      job.catch(() => undefined);
      let terminated = 0;
      const t0 = performance.now();
      while (terminated === 0 && performance.now() - t0 < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const rows = await admin`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'vctp' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`;
        terminated = rows.filter((r) => r.ok === true).length;
      }
      assert.equal(terminated, 1);
      const killedAt = performance.now();
      await assert.rejects(job, (error: unknown) => {
        assert.ok(error instanceof VctpError, String((error as Error)?.stack ?? error));
        assert.equal(error.code, 'database');
        assert.match(error.message, /^PostgreSQL at postgres:\/\/vctp_test:\*\*\*@127\.0\.0\.1:5432\/vctp_t_\S+ closed the connection \(CONNECTION_CLOSED\)\. .*an administrator ended the session/);
        return true;
      });
      assert.ok(performance.now() - killedAt < 5_000);
      const [run] = await latestJobRuns(store);
      assert.deepEqual({ job: run?.job, status: run?.status }, { job: 'retention', status: 'failed' }, 'the failed run is recorded on a new connection');
      assert.match(run!.error ?? '', /closed the connection/);
      assert.deepEqual(await rows(store, sql`SELECT 1 AS one`), [{ one: 1 }]);
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('the job lock\'s own session terminated mid-run: no crash, no hang, a named error; the store goes on', { timeout: 60_000 }, async () => {
    const store = await db.open();
    const admin = postgres(db.settings.database_url, { max: 1, onnotice: () => {} });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const ctx = testContext(store, Date.now());
      const t0 = performance.now();
      const outcome = await withJobLock(ctx, 'aggregate', 0, async () => {
        // The lock is a session advisory lock on a reserved connection: end that session.
        const rows = await admin`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'vctp' AND query LIKE '%pg_try_advisory_lock%' AND pid <> pg_backend_pid()`;
        assert.equal(rows.filter((r) => r.ok === true).length, 1);
        await new Promise((resolve) => setTimeout(resolve, 300));
        return 'done';
      }).then(
        (locked) => ({ ok: true as const, locked }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(uncaught, [], 'nothing thrown from a timer');
      if (!outcome.ok) {
        assert.ok(outcome.error instanceof VctpError && outcome.error.code === 'database', String((outcome.error as Error)?.stack ?? outcome.error));
        assert.match(outcome.error.message, /connection/);
      }
      assert.ok(performance.now() - t0 < 10_000);
      assert.deepEqual(await rows(store, sql`SELECT 6 AS six`), [{ six: 6 }]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await admin.end();
      await store.close();
    }
  });

  it('a server that stops answering mid-statement: abandoned after statement_timeout + 5 s, that connection closed, the others and the store go on', { timeout: 60_000 }, async () => {
    const proxy = await freezingProxy('vctp-freeze-marker');
    const store = await openStore({ database_driver: 'postgres', database_url: urlVia(proxy.port, { statement_timeout: '1000' }).replace('secret-pw', 'vctp_test') });
    // A connection held across the run, as the job lock's is: only the stuck connection may close.
    const held = await (store as PostgresStore).client.reserve();
    try {
      assert.deepEqual([...(await held`SELECT 4 AS four`)], [{ four: 4 }]);
      const t0 = performance.now();
      await assert.rejects(
        store.transaction((tx) => tx.all(sql.raw(`SELECT 'vctp-freeze-marker' AS m`))),
        /did not answer a query within 6 s; vctp closed the connection/,
      );
      const ms = performance.now() - t0;
      assert.ok(ms >= 6_000 && ms < 10_000, `${ms} ms`);
      assert.equal(proxy.frozen(), 1);
      assert.deepEqual(await rows(store, sql`SELECT 2 AS two`), [{ two: 2 }]);
      assert.deepEqual([...(await held`SELECT 5 AS five`)], [{ five: 5 }]);
    } finally {
      held.release();
      await store.close();
      await proxy.close();
    }
  });

  it('a server that stops answering at COMMIT: bounded the same way', { timeout: 60_000 }, async () => {
    const proxy = await freezingProxy('commit');
    // Not migrated on opening: drizzle's migrator commits too.
    const store = await openStore({ database_driver: 'postgres', database_url: urlVia(proxy.port, { statement_timeout: '1000' }).replace('secret-pw', 'vctp_test') }, { migrate: false });
    try {
      await assert.rejects(
        store.transaction((tx) => tx.run(sql`DELETE FROM job_locks`)),
        (error: unknown) => error instanceof VctpError && error.code === 'database' && /did not answer COMMIT within 6 s; vctp closed the connection/.test(error.message),
      );
      assert.deepEqual(await rows(store, sql`SELECT 3 AS three`), [{ three: 3 }]);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('a server that stops answering during a COPY: the COPY deadline closes the connection', { timeout: 60_000 }, async () => {
    const proxy = await freezingProxy('COPY vm_identities');
    const store = await openStore({ database_driver: 'postgres', database_url: urlVia(proxy.port).replace('secret-pw', 'vctp_test') });
    try {
      const columns: BulkColumn[] = [{ name: 'id', type: 'int' }, { name: 'event_key', type: 'text' }];
      const t0 = performance.now();
      await assert.rejects(
        store.insertRows('vm_identities', columns, Array.from({ length: 1000 }, (_, i) => [i + 1, `k${i}`])),
        /did not answer a COPY of 1000 rows into vm_identities within 15 s; vctp closed the connection/,
      );
      const ms = performance.now() - t0;
      assert.ok(ms >= 15_000 && ms < 20_000, `${ms} ms`);
      assert.deepEqual(await rows(store, sql`SELECT COUNT(*)::int AS n FROM vm_identities`), [{ n: 0 }]);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('out of disk space (53100: a table on a tablespace on a 2 MB tmpfs): a named error within seconds', { timeout: 60_000 }, async (t) => {
    // The postgres OS user must reach the directory: not below the 0700 test directory.
    const fs = tmpfs('pgts', '2m', mkdtempSync('/tmp/vctp-pgts-'));
    if (!fs) return t.skip('needs root and mount (tmpfs)');
    const superuser = (statement: string) => spawnSync('runuser', ['-u', 'postgres', '--', 'psql', '-v', 'ON_ERROR_STOP=1', '-qAtc', statement], { encoding: 'utf8' });
    const tablespace = `vctp_full_${process.pid}`;
    try {
      execFileSync('chown', ['postgres:postgres', fs.path]);
      const created = superuser(`CREATE TABLESPACE ${tablespace} LOCATION '${fs.path}'`);
      if (created.status !== 0) return t.skip(`cannot create a tablespace as the postgres OS user: ${created.stderr.trim()}`);
      superuser(`GRANT CREATE ON TABLESPACE ${tablespace} TO ${new URL(db.settings.database_url).username}`);
      const store = await db.open();
      try {
        await store.run(sql.raw(`ALTER TABLE vm_identities SET TABLESPACE ${tablespace}`));
        const columns: BulkColumn[] = [{ name: 'id', type: 'int' }, { name: 'event_key', type: 'text' }];
        for (const count of [200_000, 30_000]) {
          const t0 = performance.now();
          await assert.rejects(
            store.insertRows('vm_identities', columns, Array.from({ length: count }, (_, i) => [i + 1, `${'k'.repeat(40)}${i}`])),
            (error: unknown) => {
              assert.ok(error instanceof VctpError && error.code === 'database', String((error as Error)?.stack ?? error));
              assert.match(error.message, /^PostgreSQL at \S+ is out of disk space: could not extend file .*No space left on device \(SQLSTATE 53100\)/);
              return true;
            },
          );
          assert.ok(performance.now() - t0 < 10_000);
        }
        assert.deepEqual(await rows(store, sql`SELECT COUNT(*)::int AS n FROM vm_identities`), [{ n: 0 }]);
        await store.run(sql.raw('ALTER TABLE vm_identities SET TABLESPACE pg_default'));
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
      db = await createTestDatabase('postgres');
      superuser(`DROP TABLESPACE IF EXISTS ${tablespace}`);
      fs.unmount();
    }
  });
});
