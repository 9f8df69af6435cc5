// A process killed in the middle of an aggregation (issue 3): each day's summary rows, registry row
// and totals row are written in one transaction, so after a SIGKILL at a random moment every day
// holds either its previous state or the complete new one, never a mix; and a rerun converges.
//
// A child process aggregates two days of a few-thousand-VM fleet in a loop; the parent waits a
// random time, then until the child is inside a write transaction (SQLite: BEGIN IMMEDIATE from
// another connection is refused; PostgreSQL: the child's backend has an open transaction), and
// kills it. The previous state is made recognisable first (names, registry and totals marked), so
// "old" and "new" can never be confused.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { dayPeriod } from '../../src/core/periods.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import type { EngineName } from '../../src/jobs/aggregation-settings.js';
import type { Store } from '../../src/store/executor.js';
import { sqlitePathFromUrl } from '../../src/store/sqlite-store.js';
import { AGG_SETTINGS, captureFleet, type PeriodState, readPeriodState } from '../helpers/aggregation-data.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const CHILD = fileURLToPath(new URL('../helpers/aggregation-crash-child.ts', import.meta.url));
const DAYS = ['2026-04-14', '2026-04-15'];
const NOW = Date.UTC(2026, 3, 21, 12);
const VCENTER = 'crash-vc';
const VMS = 3000;
const KILLS = 8;

/** Makes the stored state of every day recognisably "previous": a committed state unlike any new one. */
async function markPrevious(store: Store, vcenterId: number): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.run(sql`UPDATE vm_daily_rollup SET name = name || '~previous' WHERE vcenter_id = ${vcenterId}`);
    await tx.run(sql`UPDATE snapshot_registry SET row_count = row_count + 1000000 WHERE vcenter_id = ${vcenterId} AND kind = 'daily'`);
    await tx.run(sql`UPDATE vcenter_aggregate_totals SET vm_count = vm_count + 1000000 WHERE vcenter_id = ${vcenterId} AND kind = 'daily'`);
  });
}

async function readDays(store: Store, vcenterId: number): Promise<PeriodState[]> {
  return Promise.all(DAYS.map((d) => readPeriodState(store, 'daily', vcenterId, dayPeriod(d).start)));
}

interface Child {
  process: ChildProcess;
  lines: string[];
  exited: Promise<void>;
}

function spawnChild(db: TestDatabase, vcenterId: number, engines: EngineName[]): Promise<Child> {
  const args = { settings: db.settings, vcenter: VCENTER, vcenterId, days: DAYS, engines, nowMs: NOW };
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line === 'ready') resolve({ process: child, lines, exited });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => reject(new Error(`child exited before ready (${code ?? signal}): ${stderr}`)));
  });
}

/** Waits until another connection holds a write transaction on the database; returns what it saw. */
interface WriterProbe {
  inTransaction(): Promise<boolean>;
  /** After the kill: until the server has let go of the child's transaction. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

function sqliteProbe(db: TestDatabase): WriterProbe {
  const probe = new Database(sqlitePathFromUrl(db.settings.database_url), { timeout: 0 });
  return {
    async inTransaction() {
      try {
        probe.exec('BEGIN IMMEDIATE');
        probe.exec('ROLLBACK');
        return false;
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
        throw error;
      }
    },
    async settled() {},
    async close() {
      probe.close();
    },
  };
}

function postgresProbe(store: Store): WriterProbe {
  let pids: number[] = [];
  return {
    async inTransaction() {
      const rows = await store.all<{ pid: number }>(sql`
        SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND xact_start IS NOT NULL`);
      pids = rows.map((r) => Number(r.pid));
      return pids.length > 0;
    },
    async settled() {
      if (pids.length === 0) return;
      for (let i = 0; i < 500; i++) {
        const rows = await store.all<{ pid: number }>(sql`SELECT pid FROM pg_stat_activity WHERE pid IN (${sql.join(pids.map((p) => sql`${p}`), sql`, `)})`);
        if (rows.length === 0) return;
        await sleep(20);
      }
      throw new Error(`the killed child's backends ${pids.join(', ')} are still there`);
    },
    async close() {},
  };
}

for (const engine of ENGINES) {
  describe(`a killed aggregation (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    let vcenterId: number;
    let reference: PeriodState[];
    let passMs: number;

    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      const ctx = testContext(store, NOW);
      // From 2026-04-14 00:30 for 48 hours: both days complete, with churn, resizes and moves.
      await captureFleet(ctx, { vcenter: VCENTER, vms: VMS, start: dayPeriod(DAYS[0]!).start + 1800, hours: 48, seed: 3 });
      vcenterId = Number((await store.all<{ id: number }>(sql`SELECT id FROM vcenters WHERE name = ${VCENTER}`))[0]!.id);
      const started = performance.now();
      for (const d of DAYS) await aggregateDay(ctx, AGG_SETTINGS, { period: dayPeriod(d), vcenterId, vcenter: VCENTER, engine: 'app', partial: true });
      passMs = performance.now() - started;
      reference = await readDays(store, vcenterId);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('leaves each day as it was or completely rewritten, and a rerun converges', async (t) => {
      const ctx = testContext(store, NOW);
      const probe = engine === 'sqlite' ? sqliteProbe(db) : postgresProbe(store);
      const seen = { previous: 0, rewritten: 0, killsInTransaction: 0, inFlightKeptPrevious: 0 };
      try {
        for (let kill = 0; kill < KILLS; kill++) {
          await markPrevious(store, vcenterId);
          const previous = await readDays(store, vcenterId);
          const engines: EngineName[] = kill % 2 === 0 ? ['sql', 'app'] : ['app', 'sql'];
          const child = await spawnChild(db, vcenterId, engines);
          // The first kill as soon as a transaction is open; the others at a random moment of about
          // the first pass over the days (the child, cold, is slower than the warm in-process pass),
          // then inside a transaction.
          if (kill > 0) await sleep(Math.random() * passMs * 3);
          let inTransaction = false;
          for (let i = 0; i < 5000 && !inTransaction; i++) {
            inTransaction = await probe.inTransaction();
            if (!inTransaction) await sleep(1);
          }
          child.process.kill('SIGKILL');
          await child.exited;
          await probe.settled();
          if (inTransaction) seen.killsInTransaction++;

          // A fresh connection sees, for every day, the previous state or the complete new one.
          const fresh = await db.open();
          try {
            const after = await readDays(fresh, vcenterId);
            const finished = new Set(child.lines.filter((l) => l.startsWith('done ')).map((l) => l.split(' ')[1]));
            const lastStart = child.lines.filter((l) => l.startsWith('start ')).at(-1)?.split(' ')[1];
            for (const [i, day] of DAYS.entries()) {
              const state = after[i]!;
              const isPrevious = isDeepStrictEqual(state, previous[i]!);
              const isNew = isDeepStrictEqual(state, reference[i]!);
              assert.ok(isPrevious || isNew, `${engine} kill ${kill}: ${day} is neither its previous state nor the complete new one`);
              if (isPrevious) seen.previous++;
              else seen.rewritten++;
              // A day reported done was committed; one in flight and never done before is unchanged.
              if (finished.has(day)) assert.ok(isNew, `${day} was committed but is not the new state`);
              if (day === lastStart && !finished.has(day) && inTransaction && isPrevious) seen.inFlightKeptPrevious++;
            }
          } finally {
            await fresh.close();
          }

          // Rerunning converges on the reference, whichever engine reruns.
          for (const d of DAYS) {
            await aggregateDay(ctx, AGG_SETTINGS, { period: dayPeriod(d), vcenterId, vcenter: VCENTER, engine: engines[1]!, partial: true });
          }
          assert.deepStrictEqual(await readDays(store, vcenterId), reference, `${engine} kill ${kill}: the rerun did not converge`);
        }
      } finally {
        await probe.close();
      }
      t.diagnostic(`${engine}: ${JSON.stringify(seen)}; one in-process pass over ${DAYS.length} days of ${VMS} VMs took ${passMs.toFixed(0)} ms`);
      assert.ok(seen.killsInTransaction > 0, 'no kill landed inside a transaction');
      assert.ok(seen.inFlightKeptPrevious > 0, 'no kill interrupted a day that had not been rewritten yet');
    });
  });
}

