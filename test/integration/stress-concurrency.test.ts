// Concurrency under load, on PostgreSQL (README "Failure behaviour"): captures, aggregations and
// whole `vctp snapshot` runs forced to overlap, with the CPU kept busy, then exact assertions. The
// overlaps are made by barriers and pauses at chosen statements, never by sleeps, so the outcome
// does not depend on timing or load; the load only shuffles everything else.
//
// - K captures of K vCenters, each on its own connection pool (as K processes), open their write
//   transactions together: ids are read only under the capture lock (the others are seen waiting
//   for it, not reading), and what is stored is exactly what was captured.
// - A capture queued behind the capture lock longer than lock_timeout waits on (the lock exists to
//   be waited for; statement_timeout still bounds it).
// - An aggregation paused inside its transaction while a capture of the same day commits reads one
//   snapshot: its rows, registry row and totals agree with each other and with the captured
//   inventories up to the snapshots it saw; afterwards both engines still agree bit for bit.
// - K `vctp snapshot --at` jobs with several vCenters each and hourly_snapshot_concurrency > 1,
//   started together against the simulator: each stores all its vCenters or is refused for an --at
//   not later than the latest; nothing else happens, and what is stored matches.
// - Such a job interrupted (SIGTERM) while its vCenters are captured at once ends only when every
//   vCenter's part has ended and been recorded; its lock is gone.
// - mapConcurrent: a failing item leaves nothing of the call running.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { InterruptedError, isVctpError } from '../../src/core/errors.js';
import type { VmRecord } from '../../src/core/inventory.js';
import { dayPeriod, monthPeriod, type Period } from '../../src/core/periods.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import { DEFAULT_TIER_PATTERNS, tierResolver } from '../../src/core/tiers.js';
import type { VcenterTotals } from '../../src/core/totals.js';
import { diskCentiGb, ramMb, roundDiskGb } from '../../src/core/units.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import type { EngineName } from '../../src/jobs/aggregation-settings.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import type { JobContext } from '../../src/jobs/context.js';
import { mapConcurrent } from '../../src/jobs/map-concurrent.js';
import { runSnapshot, type SnapshotResult, type SnapshotSettings } from '../../src/jobs/snapshot.js';
import { excludeCaptures } from '../../src/store/capture-lock.js';
import type { BulkColumn, SqlExecutor, Store } from '../../src/store/executor.js';
import { interruptible } from '../../src/store/interruptible-store.js';
import { openStore } from '../../src/store/open-store.js';
import { totalsFromRow } from '../../src/store/totals-repository.js';
import { vcenterName } from '../../src/vcenter/index.js';
import {
  AGG_SETTINGS,
  type CapturedScenario,
  expectedSums,
  readPeriodState,
  type SampleFact,
  storedSums,
  vcenterIds,
  withSource,
} from '../helpers/aggregation-data.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

const HOUR = 3600;
const NOW = Date.UTC(2026, 3, 21, 12);
/** Bound of every wait for a condition the code under test must reach; only a hang ever meets it. */
const HANG_MS = 60_000;
/** The capture lock (src/store/capture-lock.ts): one bigint key, so classid 0 and objid the key. */
const PG_CAPTURE_LOCK = 7_467_302;

// ---------------------------------------------------------------------------------------------
// Load, barriers, waits

/**
 * A busy loop on every core, each ending by itself after `seconds` should after() never run. At
 * the lowest priority: every core stays busy, so whatever waits (a PostgreSQL backend, this
 * process) is woken onto a busy core, yet the test itself is not slowed down.
 */
function startCpuLoad(seconds: number): ChildProcess[] {
  const loop = `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end) {}`;
  return Array.from({ length: Math.max(2, availableParallelism()) }, () => {
    const child = spawn('nice', ['-n', '19', process.execPath, '-e', loop], { stdio: 'ignore' });
    child.on('error', () => undefined);
    return child;
  });
}

/** `parties` callers wait until all have arrived; a party that never comes fails the test instead of hanging it. */
function barrier(parties: number, what: string): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return async () => {
    if (++arrived === parties) release();
    await withinHangBound(all, `${what}: ${arrived} of ${parties} arrived`);
  };
}

async function withinHangBound<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hung: ${what}`)), HANG_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + HANG_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`hung: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// A store whose transactions can be watched and paused statement by statement

const dialect = new PgDialect();
const textOf = (query: SQL): string => dialect.sqlToQuery(query).sql;

interface TxHooks {
  /** Inside the transaction (BEGIN sent), before its first statement. */
  begin?(tx: number): Promise<void>;
  /** Before each statement of the transaction. */
  before?(tx: number, text: string): Promise<void> | void;
  /** After each statement of the transaction returned. */
  after?(tx: number, text: string): Promise<void> | void;
  /** The transaction's body returned or threw (COMMIT or ROLLBACK follows). */
  end?(tx: number): void;
}

let nextTx = 0;

function watched(store: Store, hooks: TxHooks): Store {
  const guarded = Object.create(store) as Store;
  const wrap = (tx: SqlExecutor, id: number): SqlExecutor => {
    const inner = Object.create(tx) as SqlExecutor;
    const step = async <R>(text: string, call: () => Promise<R>): Promise<R> => {
      await hooks.before?.(id, text);
      const result = await call();
      await hooks.after?.(id, text);
      return result;
    };
    Object.defineProperties(inner, {
      all: { value: (query: SQL) => step(textOf(query), () => tx.all(query)) },
      run: { value: (query: SQL) => step(textOf(query), () => tx.run(query)) },
      insertRows: {
        value: (table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]) =>
          step(`COPY ${table}`, () => tx.insertRows(table, columns, rows)),
      },
      transaction: { value: <T>(fn: (t: SqlExecutor) => Promise<T>) => fn(inner) },
    });
    return inner;
  };
  Object.defineProperty(guarded, 'transaction', {
    value: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
      store.transaction(async (tx) => {
        const id = ++nextTx;
        try {
          await hooks.begin?.(id);
          return await fn(wrap(tx, id));
        } finally {
          hooks.end?.(id);
        }
      }),
  });
  return guarded;
}

const isCaptureLock = (text: string) => text.includes('pg_advisory_xact_lock');
const isIdRead = (text: string) => /^SELECT MAX\(id\)/.test(text.trim());
const isSessionSetting = (text: string) => /^SET LOCAL /.test(text.trim());

// ---------------------------------------------------------------------------------------------
// Inventories

const tierOf = tierResolver(DEFAULT_TIER_PATTERNS);
const POOLS = ['Tin', 'Bronze', 'Silver', 'Gold', 'Resources'];

/** A fleet that changes every hour: resized, moved, gone, back, new. */
function fleet(seed: number, size: number): (hour: number) => VmRecord[] {
  const random = seededRandom(seed);
  let born = size;
  const vms = Array.from({ length: size }, (_, i) => ({ id: i + 1, present: true, pool: i % POOLS.length, vcpu: 1 + (i % 4), ram: 1 + (i % 8), disk: 10 + i * 1.234 }));
  return () => {
    for (const vm of vms) {
      const r = random();
      if (r < 0.08) vm.vcpu = 1 + Math.floor(random() * 8);
      else if (r < 0.14) vm.pool = Math.floor(random() * POOLS.length);
      else if (r < 0.2) vm.present = !vm.present;
    }
    if (random() < 0.5) vms.push({ id: ++born, present: true, pool: born % POOLS.length, vcpu: 2, ram: 4, disk: 40 });
    return vms
      .filter((vm) => vm.present)
      .map((vm) => ({
        vmId: `vm-${vm.id}`,
        name: `vm-${seed}-${vm.id}`,
        vmUuid: null,
        instanceUuid: null,
        eventKey: null,
        cloudId: null,
        resourcePool: POOLS[vm.pool]!,
        resourcePoolChain: POOLS[vm.pool] === 'Resources' ? [] : [POOLS[vm.pool]!],
        datacenter: 'DC0',
        cluster: vm.id % 3 === 0 ? 'C1' : 'C0',
        folder: '/DC0/vm',
        provisionedDiskGb: vm.disk,
        vcpuCount: vm.vcpu,
        ramGb: vm.ram,
        isTemplate: false,
        poweredOn: vm.id % 5 !== 0,
        srmPlaceholder: false,
        creationTime: 0,
      }));
  };
}

function facts(vcenter: string, time: number, records: readonly VmRecord[]): SampleFact[] {
  return records.map((r) => ({
    vcenter,
    vmId: r.vmId,
    time,
    name: r.name,
    vcpu: r.vcpuCount,
    ramMb: ramMb(r.ramGb),
    diskCentiGb: diskCentiGb(roundDiskGb(r.provisionedDiskGb)),
    tier: tierOf(r.resourcePoolChain),
    cluster: r.cluster,
    isTemplate: r.isTemplate,
    poweredOn: r.poweredOn,
    srmPlaceholder: r.srmPlaceholder,
  }));
}

/** What vm_hourly_stats holds, as sample facts. */
async function storedFacts(store: Store): Promise<SampleFact[]> {
  const rows = await store.all<Record<string, unknown>>(sql`
    SELECT vcenter, vm_id, snapshot_time, name, vcpu_count, ram_gb, provisioned_disk, tier, cluster, is_template, powered_on,
      srm_placeholder FROM vm_hourly_stats`);
  return rows.map((r) => ({
    vcenter: String(r.vcenter),
    vmId: String(r.vm_id),
    time: Number(r.snapshot_time),
    name: String(r.name),
    vcpu: Number(r.vcpu_count),
    ramMb: ramMb(Number(r.ram_gb)),
    diskCentiGb: diskCentiGb(Number(r.provisioned_disk)),
    tier: (r.tier ?? null) as SampleFact['tier'],
    cluster: r.cluster === null ? null : String(r.cluster),
    isTemplate: Number(r.is_template) === 1,
    poweredOn: Number(r.powered_on) === 1,
    srmPlaceholder: Number(r.srm_placeholder) === 1,
  }));
}

const sortFacts = (xs: SampleFact[]) =>
  [...xs].sort((a, b) => a.vcenter.localeCompare(b.vcenter) || a.time - b.time || a.vmId.localeCompare(b.vmId));

// ---------------------------------------------------------------------------------------------

describe('concurrency under load (PostgreSQL)', () => {
  let load: ChildProcess[] = [];
  before(() => {
    load = startCpuLoad(180);
  });
  after(() => {
    for (const child of load) child.kill('SIGKILL');
  });

  it('mapConcurrent: a failure is thrown only after every item in flight settled, and nothing starts after it', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    let releaseOthers!: () => void;
    const others = new Promise<void>((resolve) => (releaseOthers = resolve));
    let failed!: () => void;
    const failedNow = new Promise<void>((resolve) => (failed = resolve));
    let rejected = false;
    const call = mapConcurrent([0, 1, 2, 3, 4, 5], 3, async (item) => {
      started.push(item);
      try {
        if (item === 1) {
          failed();
          throw new Error('item 1 failed');
        }
        await others;
        return item;
      } finally {
        settled.push(item);
      }
    });
    call.catch(() => (rejected = true));
    await failedNow;
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(rejected, false, 'rejected while items 0 and 2 were still running');
    releaseOthers();
    await assert.rejects(call, /item 1 failed/);
    assert.deepEqual([...started].sort(), [0, 1, 2], 'no item starts after a failure');
    assert.deepEqual([...settled].sort(), [0, 1, 2]);
  });

  it('no property test abandons a run on a time limit (an abandoned run keeps writing the database)', () => {
    // fast-check's interruptAfterTimeLimit races the run in progress and leaves it running: the
    // aggregation-engines failure ("37 vs 33 samples for vc-b in 2026-03") was such a run still
    // capturing into the database the next test was checking.
    const root = fileURLToPath(new URL('..', import.meta.url));
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.ts$/.test(entry.name) && /interruptAfterTimeLimit\s*[:(]/.test(readFileSync(path, 'utf8'))) offenders.push(path);
      }
    };
    walk(root);
    assert.deepEqual(offenders, []);
  });

  describe('captures', () => {
    const K = 5;
    const HOURS = 4;
    const START = Date.UTC(2026, 2, 30) / 1000;
    let db: TestDatabase;
    let stores: Store[] = [];

    before(async () => {
      db = await createTestDatabase('postgres');
      stores.push(await db.open());
      for (let k = 1; k < K; k++) stores.push(await openStore(db.settings, { migrate: false }));
    });
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      stores = [];
      await db?.drop();
    });

    it(`${K} captures of ${K} vCenters opened together, ${HOURS} times: ids only under the capture lock, everything stored as captured`, async () => {
      const plain = stores[0]!;
      const inventories = Array.from({ length: K }, (_, k) => fleet(100 + k, 20 + 3 * k));
      const expected: SampleFact[] = [];
      const totals = new Map<string, VcenterTotals>();
      const problems: string[] = [];
      let holder: number | null = null;

      for (let hour = 0; hour < HOURS; hour++) {
        const opened = barrier(K, `hour ${hour}: capture transactions opened`);
        // In the first hours, the first capture to read an id waits there until every other one is
        // seen waiting for the capture lock: they cannot have read anything yet.
        let pauseFirstIdRead = hour < 2;
        const hooks: TxHooks = {
          begin: () => opened(),
          before: async (tx, text) => {
            if (!isCaptureLock(text) && !isSessionSetting(text) && holder !== tx) {
              problems.push(`transaction ${tx} ran a statement without the capture lock: ${text.slice(0, 80)}`);
            }
            if (isIdRead(text) && pauseFirstIdRead) {
              pauseFirstIdRead = false;
              // (Should another capture run a statement meanwhile, the lock failed: stop waiting.)
              await until(async () => problems.length > 0 || (await waitingForCaptureLock(plain)) === K - 1, `${K - 1} captures waiting for the capture lock`);
            }
          },
          after: (tx, text) => {
            if (!isCaptureLock(text)) return;
            if (holder !== null) problems.push(`transactions ${holder} and ${tx} held the capture lock at once`);
            holder = tx;
          },
          end: (tx) => {
            if (holder === tx) holder = null;
          },
        };
        const results = await Promise.allSettled(
          inventories.map(async (inventory, k) => {
            const vcenter = `vc-${k}`;
            const time = START + hour * HOUR + 60 * k;
            const records = inventory(hour);
            const ctx = testContext(watched(stores[k]!, hooks), NOW);
            const summary = await captureInventory(ctx, AGG_SETTINGS, { vcenter, snapshotTime: time, records });
            expected.push(...facts(vcenter, time, records));
            totals.set(`${vcenter}@${time}`, summary.totals);
          }),
        );
        const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.stack ?? r.reason)] : []));
        assert.deepEqual(failures, [], `hour ${hour}: every capture stores`);
      }
      assert.deepEqual(problems, []);

      assert.deepStrictEqual(sortFacts(await storedFacts(plain)), sortFacts(expected), 'vm_hourly_stats holds exactly what was captured');
      const ids = await vcenterIds(plain);
      for (let k = 0; k < K; k++) {
        const vcenter = `vc-${k}`;
        const rows = await plain.all<Record<string, unknown>>(sql`
          SELECT * FROM vcenter_aggregate_totals WHERE vcenter_id = ${ids.get(vcenter)!} AND kind = 'hourly' ORDER BY snapshot_time`);
        assert.equal(rows.length, HOURS);
        for (const row of rows) {
          assert.deepStrictEqual(totalsFromRow(row), totals.get(`${vcenter}@${Number(row.snapshot_time)}`), `${vcenter}: hourly totals`);
        }
      }
      const [crossed] = await plain.all<{ spans: number; foreign: number; dangling: number }>(sql`
        SELECT COUNT(*) AS spans,
               SUM(CASE WHEN l.vcenter_id <> s.vcenter_id THEN 1 ELSE 0 END) AS foreign,
               SUM(CASE WHEN i.id IS NULL OR p.id IS NULL THEN 1 ELSE 0 END) AS dangling
        FROM vm_spans s JOIN vm_lifecycle l ON l.id = s.lifecycle_id
        LEFT JOIN vm_identities i ON i.id = s.identity_id LEFT JOIN vm_placements p ON p.id = s.placement_id`);
      assert.ok(Number(crossed!.spans) > 0);
      assert.equal(Number(crossed!.foreign), 0, 'a span points at another vCenter\'s lifecycle row');
      assert.equal(Number(crossed!.dangling), 0, 'a span points at a missing identity or placement');
    });

    it('a capture queued behind the capture lock past lock_timeout still stores; its transaction gets lock_timeout back', async () => {
      const url = new URL(db.settings.database_url);
      url.searchParams.set('lock_timeout', '200');
      const short = await openStore({ database_driver: 'postgres', database_url: url.toString() }, { migrate: false });
      const plain = stores[0]!;
      let releaseHolder!: () => void;
      const holding = new Promise<void>((resolve) => (releaseHolder = resolve));
      let holderIn!: () => void;
      const holderHasLock = new Promise<void>((resolve) => (holderIn = resolve));
      // Another writer (a capture, retention, backfill) holds the lock.
      const holder = plain.transaction(async (tx) => {
        await tx.all(sql`SELECT pg_advisory_xact_lock(${PG_CAPTURE_LOCK})`);
        holderIn();
        await holding;
      });
      try {
        await holderHasLock;
        let settled = false;
        const capture = captureInventory(testContext(short, NOW), AGG_SETTINGS, {
          vcenter: 'vc-queued',
          snapshotTime: START,
          records: fleet(1, 5)(0),
        }).finally(() => (settled = true));
        capture.catch(() => undefined);
        // Until it has waited five times its lock_timeout (the server's clock) or given up.
        await until(async () => {
          if (settled) return true;
          const [row] = await plain.all<{ n: number }>(sql`
            SELECT COUNT(*) AS n FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
            WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objid = ${PG_CAPTURE_LOCK}
              AND a.datname = current_database() AND now() - a.query_start > interval '1 second'`);
          return Number(row!.n) === 1;
        }, 'the queued capture waiting past its lock_timeout');
        releaseHolder();
        await holder;
        const summary = await capture;
        assert.equal(summary.vmCount, 5);
        const shown = await short.transaction(async (tx) => {
          await excludeCaptures(tx);
          return tx.all<{ lock_timeout: string }>(sql`SHOW lock_timeout`);
        });
        assert.equal(shown[0]!.lock_timeout, '200ms');
      } finally {
        releaseHolder();
        await holder.catch(() => undefined);
        await short.close();
      }
    });
  });

  describe('aggregation racing a capture of the same day', () => {
    const DAY = dayPeriod('2026-03-30');
    const MONTH = monthPeriod('2026-03');
    const VC = 'vc-agg';
    let db: TestDatabase;
    let aggStore: Store;
    let captureStore: Store;
    const captured: CapturedScenario = { times: new Map(), samples: [] };
    const inventory = fleet(7, 30);
    let hour = 0;

    async function captureNextHour(): Promise<void> {
      const time = DAY.start + hour * HOUR + 600;
      const records = inventory(hour++);
      await captureInventory(testContext(captureStore, NOW), AGG_SETTINGS, { vcenter: VC, snapshotTime: time, records });
      captured.times.set(VC, [...(captured.times.get(VC) ?? []), time]);
      captured.samples.push(...facts(VC, time, records));
    }

    /** The captured inventories as of the first `n` snapshots. */
    function prefix(n: number): CapturedScenario {
      const times = captured.times.get(VC)!.slice(0, n);
      const last = times[times.length - 1] ?? -1;
      return { times: new Map([[VC, times]]), samples: captured.samples.filter((s) => s.time <= last) };
    }

    before(async () => {
      db = await createTestDatabase('postgres');
      aggStore = await db.open();
      captureStore = await openStore(db.settings, { migrate: false });
      for (let i = 0; i < 4; i++) await captureNextHour();
    });
    after(async () => {
      await aggStore?.close();
      await captureStore?.close();
      await db?.drop();
    });

    type Kind = 'daily' | 'monthly/daily' | 'monthly/hourly';
    const CASES: { kind: Kind; engine: EngineName; pause: 'after the first read' | 'before the first statement' }[] = [];
    for (const kind of ['daily', 'monthly/daily', 'monthly/hourly'] as const) {
      for (const engine of ['app', 'sql'] as const) {
        for (const pause of ['after the first read', 'before the first statement'] as const) CASES.push({ kind, engine, pause });
      }
    }

    it('reads one snapshot: rows, registry and totals agree with the captured inventories up to the snapshots it saw', async () => {
      const id = (await vcenterIds(aggStore)).get(VC)!;
      for (const { kind, engine, pause } of CASES) {
        const where = `${kind} ${engine}, a capture committing ${pause}`;
        const period: Period = kind === 'daily' ? DAY : MONTH;
        // Days up to date first, so that the month's own transaction is the only one.
        await aggregateDay(testContext(aggStore, NOW), AGG_SETTINGS, { period: DAY, vcenterId: id, vcenter: VC, engine: 'app', partial: true });
        const before = captured.times.get(VC)!.length;
        let target: number | null = null;
        let fired = false;
        const fire = async () => {
          fired = true;
          await captureNextHour();
        };
        const hooks: TxHooks = {
          begin: async (tx) => {
            target ??= tx;
            if (tx === target && pause === 'before the first statement') await fire();
          },
          after: async (tx, text) => {
            if (tx === target && !fired && pause === 'after the first read' && text.includes("kind = 'hourly'")) await fire();
          },
        };
        const ctx = testContext(watched(aggStore, hooks), NOW);
        const input = { period, vcenterId: id, vcenter: VC, engine, partial: true };
        const outcome =
          kind === 'daily'
            ? await aggregateDay(ctx, AGG_SETTINGS, input)
            : await aggregateMonth(ctx, withSource(kind === 'monthly/daily' ? 'daily' : 'hourly'), input);
        assert.equal(fired, true, `${where}: the capture ran`);
        if ('daysRefreshed' in outcome) assert.deepEqual(outcome.daysRefreshed, [], `${where}: one transaction`);
        // Paused after its first read, it must not see the capture. Paused before its first
        // statement, it sees it, except a month built from the daily rows (one behind until the
        // next run refreshes that day).
        const seen = pause === 'after the first read' || kind === 'monthly/daily' ? before : before + 1;
        assert.equal(outcome.totalSamples, seen, `${where}: samples`);
        const state = await readPeriodState(aggStore, kind === 'daily' ? 'daily' : 'monthly', id, period.start);
        assert.equal(state.registry.length, 1);
        assert.equal(state.registry[0]!.total_samples, seen, `${where}: registry`);
        assert.equal(state.totals[0]!.present_samples, seen, `${where}: totals`);
        assert.deepEqual([...new Set(state.rows.map((r) => r.total_samples))], [seen], `${where}: rows`);
        assert.deepStrictEqual(
          await storedSums(aggStore, kind === 'daily' ? 'daily' : 'monthly', id, period.start),
          expectedSums(prefix(seen), VC, period.start, period.end),
          `${where}: sums differ from the first ${seen} captured inventories`,
        );
      }

      // Settled: both engines, both sources, write identical rows over every snapshot.
      const ctx = testContext(aggStore, NOW);
      const input = (period: Period, engine: EngineName) => ({ period, vcenterId: id, vcenter: VC, engine, partial: true });
      await aggregateDay(ctx, AGG_SETTINGS, input(DAY, 'app'));
      const day = await readPeriodState(aggStore, 'daily', id, DAY.start);
      await aggregateDay(ctx, AGG_SETTINGS, input(DAY, 'sql'));
      assert.deepStrictEqual(await readPeriodState(aggStore, 'daily', id, DAY.start), day);
      assert.deepStrictEqual(await storedSums(aggStore, 'daily', id, DAY.start), expectedSums(captured, VC, DAY.start, DAY.end));
      await aggregateMonth(ctx, withSource('hourly'), input(MONTH, 'app'));
      const month = await readPeriodState(aggStore, 'monthly', id, MONTH.start);
      for (const [source, engine] of [['hourly', 'sql'], ['daily', 'app'], ['daily', 'sql']] as const) {
        await aggregateMonth(ctx, withSource(source), input(MONTH, engine));
        assert.deepStrictEqual(await readPeriodState(aggStore, 'monthly', id, MONTH.start), month, `monthly ${source}/${engine}`);
      }
      assert.equal(month.registry[0]!.total_samples, captured.times.get(VC)!.length);
    });
  });

  describe('vctp snapshot --at: jobs started together', () => {
    const K = 3;
    const T0 = Date.UTC(2026, 3, 20) / 1000;
    let sims: Vcsim[] = [];
    let db: TestDatabase;
    let stores: Store[] = [];
    let settings: SnapshotSettings;

    before(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vctp-stress-'));
      sims = await Promise.all(
        [0, 1, 2].map((i) => startVcsim({ dc: 1, cluster: 1, host: 1, vm: 6, seed: i + 1, pageSize: 4, certDir: join(dir, `c${i}`), username: 'ops', password: 'pa55word' })),
      );
      const caBundle = join(dir, 'ca-bundle.pem');
      writeFileSync(caBundle, sims.map((s) => readFileSync(s.caFile!, 'utf8')).join(''));
      db = await createTestDatabase('postgres');
      stores.push(await db.open());
      for (let k = 1; k < K + 1; k++) stores.push(await openStore(db.settings, { migrate: false }));
      settings = {
        vcenter_addresses: sims.map((s) => s.url),
        vcenter_username: 'ops',
        vcenter_insecure: false,
        vcenter_ca_file: caBundle,
        hourly_snapshot_concurrency: 3,
        hourly_snapshot_retry_seconds: 1,
        hourly_snapshot_max_retries: 0,
        lock_wait_seconds: 300,
        vcenter_inventory_snapshot_seconds: 3600,
        tier_patterns: DEFAULT_TIER_PATTERNS,
        tenants_to_filter: [],
        node_charge_clusters: [],
        srm_activeactive_vms: [],
      };
    });
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      stores = [];
      await db?.drop();
      await Promise.all(sims.map((s) => s.stop()));
    });

    it(`${K} jobs of 3 vCenters each (concurrency 3), 2 rounds: each stores every vCenter or is refused; the store matches`, async () => {
      const plain = stores[K]!;
      const stored: number[] = [];
      for (let round = 0; round < 2; round++) {
        const times = Array.from({ length: K }, (_, k) => T0 + (round * K + k) * HOUR);
        const go = barrier(K, `round ${round}: jobs started`);
        const results = await Promise.allSettled(
          times.map(async (at, k): Promise<SnapshotResult> => {
            await go();
            return runSnapshot(testContext(stores[k]!, NOW), settings, { at, password: 'pa55word' });
          }),
        );
        let ok = 0;
        results.forEach((r, k) => {
          const at = times[k]!;
          if (r.status === 'fulfilled') {
            const result = r.value;
            assert.equal(result.skipped, false, `round ${round}, job ${k}: waited for the lock, not skipped`);
            if (result.skipped) return;
            assert.deepEqual(result.outcomes.map((o) => [o.ok, o.error ?? null]), sims.map(() => [true, null]), `round ${round}, job ${k}`);
            stored.push(at);
            ok++;
          } else {
            const error = r.reason as Error;
            assert.ok(isVctpError(error) && error.code === 'usage' && /already has a snapshot/.test(error.message), `round ${round}, job ${k}: ${error?.stack ?? error}`);
          }
        });
        assert.ok(ok >= 1, `round ${round}: the job that got the lock first stores`);
      }
      stored.sort((a, b) => a - b);

      for (const sim of sims) {
        const name = vcenterName(sim.url);
        const times = await plain.all<{ t: number }>(sql`
          SELECT r.snapshot_time AS t FROM snapshot_registry r JOIN vcenters v ON v.id = r.vcenter_id
          WHERE v.name = ${name} AND r.kind = 'hourly' ORDER BY 1`);
        assert.deepEqual(times.map((r) => Number(r.t)), stored, `${name}: a snapshot per job that stored`);
        const [rows] = await plain.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_hourly_stats WHERE vcenter = ${name}`);
        assert.equal(Number(rows!.n), sim.info.vms * stored.length, `${name}: every VM in every snapshot`);
      }
      const runs = await plain.all<{ job: string; whole: boolean; status: string; n: number }>(sql`
        SELECT job, vcenter IS NULL AS whole, status, COUNT(*) AS n FROM job_runs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
      assert.deepEqual(
        runs.map((r) => [r.job, Boolean(r.whole), r.status, Number(r.n)]),
        [
          ['snapshot', false, 'ok', stored.length * sims.length],
          ['snapshot', true, 'ok', stored.length],
        ],
        'job_runs: the stored runs and their vCenters, all ok (a refused --at is no run)',
      );
      assert.equal((await plain.all(sql`SELECT * FROM job_locks`)).length, 0, 'no lock row left');
      assert.equal(await advisoryLocksHeld(plain), 0, 'no advisory lock left');
    });

    it('interrupted while its vCenters are captured at once: when the job ends, every vCenter\'s part has ended and is recorded', async () => {
      const plain = stores[K]!;
      const at = T0 + 30 * HOUR;
      const stop = new AbortController();
      const ctx: JobContext = { ...testContext(interruptible(stores[0]!, stop.signal), NOW), signal: stop.signal };
      const parts = () => plain.all<{ vcenter: string | null; status: string }>(sql`
        SELECT vcenter, status FROM job_runs WHERE started_at >= ${Math.floor(NOW / 1000)} AND job = 'snapshot' ORDER BY id`);
      const recordedBefore = (await parts()).length;
      const run = runSnapshot(ctx, settings, {
        at,
        password: 'pa55word',
        // SIGTERM as the first page of any vCenter arrives: the others are wherever they are.
        onProgress: (event) => {
          if (event.kind === 'collecting' && !stop.signal.aborted) stop.abort(new InterruptedError('SIGTERM'));
        },
      });
      await assert.rejects(run, (error: unknown) => error instanceof InterruptedError);
      // Read at once: with the job ended, nothing of it may still be running or left unrecorded.
      const recorded = (await parts()).slice(recordedBefore);
      const perVcenter = recorded.filter((r) => r.vcenter !== null);
      assert.deepEqual(perVcenter.map((r) => r.vcenter).sort(), sims.map((s) => vcenterName(s.url)).sort(), 'one recorded part per vCenter');
      for (const part of perVcenter) assert.ok(part.status === 'ok' || part.status === 'interrupted', JSON.stringify(part));
      assert.deepEqual(recorded.filter((r) => r.vcenter === null).map((r) => r.status), ['interrupted']);
      assert.ok(perVcenter.some((r) => r.status === 'interrupted'));
      assert.equal((await plain.all(sql`SELECT * FROM job_locks`)).length, 0, 'no lock row left');
      assert.equal(await advisoryLocksHeld(plain), 0, 'no advisory lock left');
      const storedAt = await plain.all<{ name: string }>(sql`
        SELECT v.name FROM snapshot_registry r JOIN vcenters v ON v.id = r.vcenter_id WHERE r.kind = 'hourly' AND r.snapshot_time = ${at} ORDER BY 1`);
      assert.deepEqual(storedAt.map((r) => r.name), perVcenter.filter((r) => r.status === 'ok').map((r) => r.vcenter).sort(), 'stored exactly where ok');
    });
  });
});

async function waitingForCaptureLock(store: Store): Promise<number> {
  const [row] = await store.all<{ n: number }>(sql`
    SELECT COUNT(*) AS n FROM pg_locks
    WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = ${PG_CAPTURE_LOCK}
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
  return Number(row!.n);
}

async function advisoryLocksHeld(store: Store): Promise<number> {
  const [row] = await store.all<{ n: number }>(sql`
    SELECT COUNT(*) AS n FROM pg_locks
    WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
  return Number(row!.n);
}
