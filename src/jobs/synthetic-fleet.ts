// The synthetic side of `vctp benchmark aggregations`: the scratch database it may use (refused
// unless empty, never the configured one), and a reference fleet generated (src/core) and
// bulk-loaded (src/store) into it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VctpError } from '../core/errors.js';
import { dayPeriod, formatDay } from '../core/periods.js';
import { addEvents, type FleetEvents, type FleetSpec, fleetFrame, generateFleetChunks } from '../core/synthetic-fleet.js';
import { assertScratchIsEmpty, type BulkLoadReport, emptyScratch, loadSyntheticFleetChunks } from '../store/bulk-load.js';
import type { Store } from '../store/executor.js';
import { migrateStore } from '../store/migrate.js';
import { openStore, type StoreSettings } from '../store/open-store.js';
import { redactUrl } from '../store/postgres-store.js';
import { sqlitePathFromUrl } from '../store/sqlite-store.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { aggregateDay } from './aggregate-daily.js';
import type { AggregationSettings } from './aggregation-settings.js';
import type { JobContext } from './context.js';

export interface SyntheticFleetSummary {
  name: string;
  seed: number;
  vcenters: number;
  vmsPerVcenter: number;
  month: string;
  days: number;
  snapshotsPerVcenter: number;
  /** Lifecycle rows: every VM seen in the period. */
  vms: number;
  spans: number;
  placements: number;
  /** VM-hours of the last day over all vCenters: the rows one-row-per-VM-hour storage would read. */
  vmSamplesLastDay: number;
  events: FleetEvents;
  generateMs: number;
}

/**
 * Generates the fleet and loads it into the (empty, migrated) store, one vCenter at a time: memory
 * holds one vCenter's month (fleet-XL: 10,000 of its 320,000 VMs), never the whole fleet.
 */
export async function seedSyntheticFleet(
  env: Pick<JobContext, 'log'>,
  store: Store,
  spec: FleetSpec,
): Promise<{ fleet: SyntheticFleetSummary; load: BulkLoadReport }> {
  env.log.info({ fleet: spec.name, vcenters: spec.vcenters, vms: spec.vcenters * spec.vmsPerVcenter, days: spec.days }, `generating the synthetic fleet into ${store.description}, one vCenter at a time`);
  const frame = fleetFrame(spec);
  const perDay = Math.floor(86_400 / spec.snapshotSeconds);
  const lastDayIndex = (spec.days - 1) * perDay;
  const totals = { vms: 0, spans: 0, placements: 0, vmSamplesLastDay: 0 };
  const events: FleetEvents = { created: 0, deleted: 0, resized: 0, moved: 0 };
  const load = await loadSyntheticFleetChunks(store, frame, generateFleetChunks(spec), (chunk) => {
    totals.vms += chunk.vms.length;
    totals.spans += chunk.spans.length;
    totals.placements += chunk.placements.length;
    for (let k = lastDayIndex; k < chunk.counts.length; k++) totals.vmSamplesLastDay += chunk.counts[k]!;
    addEvents(events, chunk.events);
  });
  env.log.info({ spans: totals.spans, vms: totals.vms, rows: load.rows, loadMs: Math.round(load.ms), generateMs: Math.round(load.generateMs) }, 'loaded');
  return {
    load,
    fleet: {
      name: spec.name,
      seed: spec.seed,
      vcenters: spec.vcenters,
      vmsPerVcenter: spec.vmsPerVcenter,
      month: new Date(frame.snapshotTimes.at(-1)! * 1000).toISOString().slice(0, 7),
      days: spec.days,
      snapshotsPerVcenter: frame.snapshotTimes.length,
      vms: totals.vms,
      spans: totals.spans,
      placements: totals.placements,
      vmSamplesLastDay: totals.vmSamplesLastDay,
      events,
      generateMs: load.generateMs,
    },
  };
}

/** Aggregates the days in [from, to) for every vCenter with the app engine; returns the milliseconds it took. */
export async function aggregateDays(ctx: JobContext, settings: AggregationSettings, from: number, to: number): Promise<number> {
  const started = performance.now();
  const vcenters = await listVcenters(ctx.store);
  for (let day = from; day < to; day += 86_400) {
    for (const vc of vcenters) {
      await aggregateDay(ctx, settings, { period: dayPeriod(formatDay(day)), vcenterId: vc.id, vcenter: vc.name, engine: 'app' });
    }
  }
  return performance.now() - started;
}

export interface Scratch {
  store: Store;
  /** Where it is, password-free. */
  location: string;
  /**
   * Closes it. Unless `keep`: a SQLite file that vctp created (the temporary default, or a --db
   * path that did not exist) is deleted; a database that was given empty is emptied again.
   */
  dispose(keep: boolean): Promise<void>;
}

/** Opens (creating if needed) the scratch database, refusing the configured one or any with data. */
export async function openScratch(configured: StoreSettings, db: string | undefined): Promise<Scratch> {
  let target: StoreSettings;
  let tempDir: string | null = null;
  if (db === undefined) {
    tempDir = mkdtempSync(join(tmpdir(), 'vctp-benchmark-'));
    target = { database_driver: 'sqlite', database_url: join(tempDir, 'benchmark.sqlite3') };
  } else if (/^postgres(ql)?:\/\//.test(db)) {
    target = { database_driver: 'postgres', database_url: db };
  } else {
    target = { database_driver: 'sqlite', database_url: resolve(sqlitePathFromUrl(db)) };
  }
  const location = target.database_driver === 'postgres' ? redactUrl(target.database_url) : target.database_url;
  if (sameDatabase(target, configured)) {
    throw new VctpError('usage', `--db ${location}: that is the configured database (settings.database_url); give an empty scratch database`);
  }
  const sqlitePath = target.database_driver === 'sqlite' ? target.database_url : null;
  const created = tempDir !== null || (sqlitePath !== null && !existsSync(sqlitePath));
  const removeCreated = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    else if (created && sqlitePath) for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath}${suffix}`, { force: true });
  };
  let store: Store;
  try {
    store = await openStore(target, { migrate: false });
  } catch (error) {
    removeCreated();
    throw new VctpError('usage', `--db ${location}: cannot open it: ${(error as Error).message}`, { cause: error });
  }
  try {
    await assertScratchIsEmpty(store, `--db ${location}`);
    await migrateStore(store).catch((error: unknown) => {
      throw new VctpError('usage', `--db ${location}: cannot create vctp's tables in it: ${(error as Error).message}`, { cause: error });
    });
  } catch (error) {
    await store.close();
    removeCreated();
    throw error;
  }
  return {
    store,
    location,
    async dispose(keep) {
      if (!keep && !created) await emptyScratch(store);
      await store.close();
      if (!keep) removeCreated();
    },
  };
}

/** Same SQLite file, or same PostgreSQL host, port and database as written (no DNS lookups). */
function sameDatabase(a: StoreSettings, b: StoreSettings): boolean {
  if (a.database_driver !== b.database_driver) return false;
  if (a.database_driver === 'sqlite') return resolve(sqlitePathFromUrl(a.database_url)) === resolve(sqlitePathFromUrl(b.database_url));
  try {
    const [x, y] = [new URL(a.database_url), new URL(b.database_url)];
    const port = (u: URL) => u.port || '5432';
    return x.hostname === y.hostname && port(x) === port(y) && x.pathname === y.pathname;
  } catch {
    return a.database_url === b.database_url;
  }
}
