// Job locks that hold across processes, hosts and containers (src/jobs/job-lock.ts decides when to
// wait, take over or give up).
//
// - PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection reserved from
//   the pool for as long as the job runs. The server drops it when that connection ends, however
//   the process ends: kill -9, OOM, power loss (noticed through TCP keepalives, tightened on that
//   connection to about a minute). The job_locks row stays, as information: who holds the lock
//   and since when, for messages and `vctp status` (pg_locks knows only a backend pid), and as the
//   bridge to collectors still running an older vctp during an upgrade, whose lock is the row's
//   lease: a row without a run id (theirs) is honoured until its lease runs out, and ours carries
//   a lease renewed every minute, which they honour. A row left by a killed holder decides nothing
//   and is overwritten by the next one.
// - SQLite: the row is the lock. It names its holder's process (boot id, pid namespace, pid, start
//   time, src/core/lock-holder.ts), so a holder provably dead on this host is replaced at once,
//   and carries a lease, renewed while the holder runs, for holders out of sight.
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { VctpError } from '../core/errors.js';
import type { LockHolder } from '../core/lock-holder.js';
import type { SqlExecutor, Store } from './executor.js';
import { PostgresStore } from './postgres-store.js';
import { num } from './sql-util.js';

/** A lock's row: its holder and lease. */
export interface StoredLock extends LockHolder {
  name: string;
  acquiredAt: number;
  expiresAt: number;
}

export interface LockRequest {
  name: string;
  /** This run, with its run id. */
  holder: LockHolder & { runId: string };
  leaseSeconds: number;
  /** SQLite: whether the lock held by `current` may be taken at `nowSeconds` (dead holder, lease run out). */
  mayTakeOver(current: StoredLock, nowSeconds: number): boolean;
}

export type LockAttempt = { acquired: true; replaced: StoredLock | null } | { acquired: false; current: StoredLock | null };

/** One run's handle on one lock: try, renew while held, release (always: it also frees the connection). */
export interface JobLockHandle {
  readonly kind: 'advisory' | 'row';
  tryAcquire(nowSeconds: number): Promise<LockAttempt>;
  /** Extends the lease (SQLite); checks that the lock's connection still lives (PostgreSQL). */
  renew(nowSeconds: number): Promise<void>;
  /** Gives the lock up if held, and frees what the handle holds. Idempotent. */
  release(): Promise<void>;
}

export async function openJobLock(store: Store, request: LockRequest): Promise<JobLockHandle> {
  if (store.dialect === 'sqlite') return new RowLock(store, request);
  if (store instanceof PostgresStore) return AdvisoryLock.open(store, request);
  throw new VctpError('internal', `job lock ${request.name}: a PostgreSQL job lock needs the PostgreSQL store itself`);
}

/** The lock's row, or null when nobody holds (or, on PostgreSQL, has held) it. */
export async function readJobLock(db: SqlExecutor, name: string): Promise<StoredLock | null> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT * FROM job_locks WHERE name = ${name}`);
  return rows[0] ? lockFromRow(rows[0]) : null;
}

/**
 * Whether `name` is held now, and by whom (its row's holder; 'unknown' when PostgreSQL holds it
 * before its holder wrote its row), without taking it: how a vCenter's lock checks, once taken,
 * that no whole-database job holds its kind's lock (src/jobs/job-lock.ts). SQLite: the row decides,
 * as `mayTakeOver` judges it; PostgreSQL: the advisory lock in pg_locks, or an older vctp's row
 * (no run id) whose lease runs.
 */
export async function jobLockHolder(db: SqlExecutor, name: string, nowSeconds: number, mayTakeOver: (current: StoredLock, nowSeconds: number) => boolean): Promise<string | null> {
  const row = await readJobLock(db, name);
  if (db.dialect === 'sqlite') return row !== null && !mayTakeOver(row, nowSeconds) ? row.holder : null;
  const [held] = await db.all<{ held: boolean | string }>(sql`
    SELECT EXISTS (
      SELECT 1 FROM pg_locks p
      WHERE p.locktype = 'advisory' AND p.granted AND p.objsubid = 2
        AND p.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND p.classid = ${PG_JOB_LOCK_CLASS}::int4::oid AND p.objid = hashtext(${name})::oid
    ) AS held`);
  if (held?.held === true || held?.held === 't') return row?.holder ?? 'unknown';
  return row !== null && row.runId === null && row.expiresAt >= nowSeconds ? row.holder : null;
}

/** A lock as `vctp status` sees it: its row (if any) and, on PostgreSQL, whether the lock itself is held. */
export interface ListedLock {
  name: string;
  /** The row: on SQLite the lock itself; on PostgreSQL who holds or last held it (null: no row). */
  row: StoredLock | null;
  /** PostgreSQL: whether a session holds the advisory lock (pg_locks); null on SQLite, where the row is the lock. */
  advisoryHeld: boolean | null;
}

/** At most this many locks are listed (one per job kind and per kind and vCenter: a few hundred at most). */
const LISTED_LOCKS_LIMIT = 1000;

/**
 * Every job lock row, and on PostgreSQL also the locks `names` whose advisory lock is held (with
 * or without a row yet), for `vctp status`. Reads only: takes and breaks nothing, and works on a
 * read-only connection (PostgreSQL: pg_locks is readable by every role).
 */
export async function listJobLocks(db: SqlExecutor, names: readonly string[]): Promise<ListedLock[]> {
  if (db.dialect === 'sqlite') {
    const rows = await db.all<Record<string, unknown>>(sql`SELECT * FROM job_locks ORDER BY name LIMIT ${LISTED_LOCKS_LIMIT}`);
    return rows.map((r) => ({ name: String(r.name), row: lockFromRow(r), advisoryHeld: null }));
  }
  // Two-key advisory locks show in pg_locks as classid = key 1, objid = key 2 (as oid), objsubid = 2.
  const known = names.length === 0 ? sql`` : sql` UNION SELECT name FROM (VALUES ${sql.join(names.map((n) => sql`(${n}::text)`), sql`, `)}) AS known (name)`;
  const rows = await db.all<Record<string, unknown>>(sql`
    WITH candidates AS (SELECT name FROM job_locks${known})
    SELECT c.name AS lock_name, j.*, EXISTS (
        SELECT 1 FROM pg_locks p
        WHERE p.locktype = 'advisory' AND p.granted AND p.objsubid = 2
          AND p.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND p.classid = ${PG_JOB_LOCK_CLASS}::int4::oid AND p.objid = hashtext(c.name)::oid
      ) AS advisory_held
    FROM candidates c LEFT JOIN job_locks j ON j.name = c.name
    ORDER BY c.name`);
  // Only locks with a row or held: most candidate names (kind x vCenter) are free.
  return rows
    .map((r) => ({ r, held: r.advisory_held === true || r.advisory_held === 't' }))
    .filter(({ r, held }) => r.name != null || held)
    .slice(0, LISTED_LOCKS_LIMIT)
    .map(({ r, held }) => ({ name: String(r.lock_name), row: r.name == null ? null : lockFromRow(r), advisoryHeld: held }));
}

function lockFromRow(r: Record<string, unknown>): StoredLock {
  const optText = (v: unknown) => (v == null ? null : String(v));
  const optNum = (v: unknown) => (v == null ? null : num(v));
  return {
    name: String(r.name),
    holder: String(r.holder),
    acquiredAt: num(r.acquired_at),
    expiresAt: num(r.expires_at),
    runId: optText(r.run_id),
    bootId: optText(r.boot_id),
    pidNamespace: optText(r.pid_namespace),
    pid: optNum(r.pid),
    startTime: optNum(r.pid_start_time),
  };
}

function upsertLock(request: LockRequest, nowSeconds: number, expiresAt: number) {
  const h = request.holder;
  return sql`
    INSERT INTO job_locks (name, holder, acquired_at, expires_at, run_id, boot_id, pid_namespace, pid, pid_start_time)
    VALUES (${request.name}, ${h.holder}, ${nowSeconds}, ${expiresAt}, ${h.runId}, ${h.bootId}, ${h.pidNamespace}, ${h.pid}, ${h.startTime})
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
      expires_at = excluded.expires_at, run_id = excluded.run_id, boot_id = excluded.boot_id,
      pid_namespace = excluded.pid_namespace, pid = excluded.pid, pid_start_time = excluded.pid_start_time`;
}

/** SQLite: the row is the lock; BEGIN IMMEDIATE makes read-decide-write one step between processes. */
class RowLock implements JobLockHandle {
  readonly kind = 'row' as const;
  private held = false;

  constructor(
    private readonly db: SqlExecutor,
    private readonly request: LockRequest,
  ) {}

  tryAcquire(nowSeconds: number): Promise<LockAttempt> {
    const { name, holder, leaseSeconds } = this.request;
    return this.db.transaction(async (tx): Promise<LockAttempt> => {
      const current = await readJobLock(tx, name);
      const ours = current !== null && current.runId === holder.runId;
      if (current !== null && !ours && !this.request.mayTakeOver(current, nowSeconds)) return { acquired: false, current };
      await tx.run(upsertLock(this.request, nowSeconds, nowSeconds + leaseSeconds));
      this.held = true;
      return { acquired: true, replaced: ours ? null : current };
    });
  }

  async renew(nowSeconds: number): Promise<void> {
    const { name, holder, leaseSeconds } = this.request;
    const changed = await this.db.run(sql`UPDATE job_locks SET expires_at = ${nowSeconds + leaseSeconds}
      WHERE name = ${name} AND run_id = ${holder.runId}`);
    if (changed === 0) throw new VctpError('lock', `the ${name} lock is no longer held by this run (taken over after its lease ran out?)`);
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await this.db.run(sql`DELETE FROM job_locks WHERE name = ${this.request.name} AND run_id = ${this.request.holder.runId}`);
  }
}

// pg_try_advisory_lock(int4, int4): this number, then hashtext(lock name). The two-key space is
// apart from the one-bigint keys of the migration and capture locks (src/store/migrate.ts,
// capture-lock.ts).
const PG_JOB_LOCK_CLASS = 7_467_303;

/**
 * The server ends a session whose client has vanished (host down, network cut) after idle + count
 * x interval seconds of unanswered keepalives instead of the kernel's two hours, which frees the
 * lock. Per session, settable by any role; ignored on Unix sockets.
 */
const KEEPALIVE_SETTINGS = ['SET tcp_keepalives_idle = 30', 'SET tcp_keepalives_interval = 10', 'SET tcp_keepalives_count = 3'];

/**
 * PostgreSQL: the one reserved connection on which this process holds all its job locks (a
 * collector holds one lock per vCenter it is capturing, with hourly_snapshot_concurrency several
 * at once, and a whole-database job one per vCenter: a connection each would exhaust the pool of
 * 4). Opened with the first lock, released with the last. Session advisory locks stack within a
 * session, so a name must not be taken twice by one process: src/jobs/job-lock.ts keeps a set of
 * the names this process holds and refuses a second take before it gets here.
 */
interface LockSession {
  refs: number;
  ready: Promise<postgres.ReservedSql>;
}
const lockSessions = new WeakMap<PostgresStore, LockSession>();

async function joinLockSession(store: PostgresStore): Promise<{ connection: postgres.ReservedSql; leave: () => void }> {
  let session = lockSessions.get(store);
  if (!session) {
    const ready = (async () => {
      const connection = await store.client.reserve();
      try {
        for (const setting of KEEPALIVE_SETTINGS) await connection.unsafe(setting);
      } catch (error) {
        connection.release();
        throw error;
      }
      return connection;
    })();
    const created: LockSession = { refs: 0, ready };
    ready.catch(() => {
      if (lockSessions.get(store) === created) lockSessions.delete(store);
    });
    lockSessions.set(store, created);
    session = created;
  }
  const joined = session;
  // Counted before waiting: the last leaver must not release a connection someone is about to use.
  joined.refs++;
  let connection: postgres.ReservedSql;
  try {
    connection = await joined.ready;
  } catch (error) {
    joined.refs--;
    throw error;
  }
  let left = false;
  return {
    connection,
    leave: () => {
      if (left) return;
      left = true;
      joined.refs--;
      if (joined.refs > 0) return;
      if (lockSessions.get(store) === joined) lockSessions.delete(store);
      // Should a statement on it have failed, the connection is broken and its session (and locks) gone.
      connection.release();
    },
  };
}

/** PostgreSQL: a session advisory lock on the process's lock connection; the row says who holds it. */
class AdvisoryLock implements JobLockHandle {
  readonly kind = 'advisory' as const;
  private held = false;
  private connection: postgres.ReservedSql | null;

  private constructor(
    private readonly store: PostgresStore,
    private readonly request: LockRequest,
    connection: postgres.ReservedSql,
    private readonly leave: () => void,
  ) {
    this.connection = connection;
  }

  static async open(store: PostgresStore, request: LockRequest): Promise<AdvisoryLock> {
    const { connection, leave } = await joinLockSession(store);
    return new AdvisoryLock(store, request, connection, leave);
  }

  private get sql(): postgres.ReservedSql {
    if (!this.connection) throw new VctpError('internal', `job lock ${this.request.name} used after release`);
    return this.connection;
  }

  async tryAcquire(nowSeconds: number): Promise<LockAttempt> {
    const [row] = await this.sql<{ locked: boolean }[]>`
      SELECT pg_try_advisory_lock(${PG_JOB_LOCK_CLASS}::int4, hashtext(${this.request.name})) AS locked`;
    if (!row?.locked) return { acquired: false, current: await readJobLock(this.store, this.request.name) };
    this.held = true;
    const current = await readJobLock(this.store, this.request.name);
    // Any row there belongs to a holder that is gone (the server released its lock), unless an
    // older vctp, whose lock is only this row, holds it: that one stays until its lease runs out.
    const claimed = await this.store.run(sql`${upsertLock(this.request, nowSeconds, nowSeconds + this.request.leaseSeconds)}
      WHERE job_locks.run_id IS NOT NULL OR job_locks.expires_at < ${nowSeconds}`);
    if (claimed === 0) {
      this.held = false;
      await this.sql`SELECT pg_advisory_unlock(${PG_JOB_LOCK_CLASS}::int4, hashtext(${this.request.name}))`;
      return { acquired: false, current: await readJobLock(this.store, this.request.name) };
    }
    return { acquired: true, replaced: current };
  }

  async renew(nowSeconds: number): Promise<void> {
    // The lock's own connection first: should it have died, so has the lock.
    await this.sql`SELECT 1`;
    await this.store.run(sql`UPDATE job_locks SET expires_at = ${nowSeconds + this.request.leaseSeconds}
      WHERE name = ${this.request.name} AND run_id = ${this.request.holder.runId}`);
  }

  async release(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.connection = null;
    const held = this.held;
    this.held = false;
    try {
      if (held) {
        try {
          await this.store.run(sql`DELETE FROM job_locks WHERE name = ${this.request.name} AND run_id = ${this.request.holder.runId}`);
        } finally {
          await connection`SELECT pg_advisory_unlock(${PG_JOB_LOCK_CLASS}::int4, hashtext(${this.request.name}))`;
        }
      }
    } finally {
      this.leave();
    }
  }
}
