// `vctp benchmark aggregations`: times both aggregation engines on the latest complete day and
// month, over every vCenter of the database (one timed run = the whole fleet, one vCenter after the
// other, each in its own transaction, as the scheduled job does).
//
// Each window also gets its floor (src/store/benchmark-floor.ts: reading the rows the engine reads
// plus bulk-writing as many summary rows), measured in the same rounds as the engines (floor, app,
// sql, floor, app, sql, ...), and each engine's median is given as a ratio to the floor's: on a
// shared machine the seconds swing with the load, the ratio much less.
//
// Every run, warm-up included, starts from the same data, so a faulty engine cannot change what
// the next one measures (a half-written day would change the other engine's monthly run):
// - --synthetic: a reference fleet (src/core/synthetic-fleet.ts) is bulk-loaded into a scratch
//   database (--db, refused unless empty and never the configured one; default a temporary SQLite
//   file) and left as the timers would have: every day of the month aggregated but the last, the
//   month not yet. Each run commits, as production does, and is then undone, untimed.
// - the configured database: each run happens in one transaction that is rolled back, so the
//   benchmark leaves no trace and a broken engine cannot overwrite real summaries. The price: the
//   commit is not timed (on SQLite with the VM-major summary key it is a large share of the cost),
//   the latest day and month usually have summaries already, so the runs re-aggregate them
//   (deleting the old rows first), and while a run lasts it holds the write lock (SQLite) or the
//   rows it replaces (PostgreSQL), which a concurrent snapshot or aggregation waits for.
import { loadavg } from 'node:os';
import { VctpError } from '../core/errors.js';
import { dayPeriod, formatDay, formatMonth, lastCompleteDay, lastCompleteMonth, monthPeriod, type Period } from '../core/periods.js';
import type { FleetSpec } from '../core/synthetic-fleet.js';
import { type BulkLoadReport, removePeriodSummaries } from '../store/bulk-load.js';
import type { SqlExecutor, Store } from '../store/executor.js';
import { openStore, type StoreSettings } from '../store/open-store.js';
import { latestSnapshotTime, listVcenters } from '../store/vcenter-repository.js';
import { tuneForAggregation } from '../store/aggregation-session.js';
import { clearFloorTarget, type FloorSource, floorSources, type FloorWindow, runFloor } from '../store/benchmark-floor.js';
import { aggregateDay } from './aggregate-daily.js';
import { aggregateMonth } from './aggregate-monthly.js';
import type { AggregationSettings, EngineName } from './aggregation-settings.js';
import type { JobContext } from './context.js';
import { aggregateDays, openScratch, seedSyntheticFleet, type SyntheticFleetSummary } from './synthetic-fleet.js';

export const BENCHMARK_ENGINES: EngineName[] = ['app', 'sql'];
export const BENCHMARK_WINDOWS = ['daily', 'monthly-from-daily', 'monthly-from-hourly'] as const;
export type BenchmarkWindow = (typeof BENCHMARK_WINDOWS)[number];

/** Goals of issue 3, in seconds per window over the whole fleet-L, by database. */
export const BENCHMARK_GOALS: Record<Store['dialect'], Record<'daily' | 'monthly', number>> = {
  sqlite: { daily: 0.3, monthly: 0.5 },
  postgres: { daily: 0.6, monthly: 1 },
};

export interface SyntheticInput {
  fleet: FleetSpec;
  /** SQLite file path or postgres:// URL of an empty database; default a temporary SQLite file. */
  db?: string;
  /** Keep the scratch data afterwards (else a temporary file is deleted and a given database emptied). */
  keep?: boolean;
}

export interface AggregationBenchmarkInput {
  /** Timed runs per engine and window, after one warm-up run. */
  runs: number;
  synthetic?: SyntheticInput;
  engines?: EngineName[];
  windows?: readonly BenchmarkWindow[];
}

export interface EngineResult {
  window: BenchmarkWindow;
  engine: EngineName;
  ok: boolean;
  /** Summary rows written per run, all vCenters. */
  rows: number;
  warmupMs: number | null;
  runsMs: number[];
  minMs: number | null;
  medianMs: number | null;
  maxMs: number | null;
  /** Days the monthly run had to aggregate first (daily summaries missing or stale). */
  daysRefreshed: number;
  goalSeconds: number;
  /** The window's floor median (FloorResult), and medianMs / floorMs. */
  floorMs: number | null;
  ratioToFloor: number | null;
  /** Peak RSS of the benchmark process once this engine's runs were done (MB; it never goes down). */
  peakRssMb: number;
  error?: string;
}

/**
 * The floor of a window, measured like an engine (one warm-up, then `runs` runs, each undone as
 * the engines' are): reading the rows the engine reads and bulk-writing as many summary rows
 * (src/store/benchmark-floor.ts says exactly what is in it and what is not).
 */
export interface FloorResult {
  window: BenchmarkWindow;
  ok: boolean;
  /**
   * What the floor (as the engines) read: the period's spans, or the month's daily rows where
   * retention has trimmed the month's hourly history; 'mixed' when vCenters differ.
   */
  reads: FloorSource | 'mixed';
  /** Rows the read returned per run (spans, or the month's VMs from the daily rows). */
  rowsRead: number;
  /** Summary rows written per run. */
  rows: number;
  runsMs: number[];
  readMedianMs: number | null;
  writeMedianMs: number | null;
  medianMs: number | null;
  error?: string;
}

/** One line of `--json`'s `windows`: an engine's median beside its window's floor. */
export interface WindowFigure {
  window: BenchmarkWindow;
  engine: EngineName;
  median_s: number | null;
  floor_s: number | null;
  /** median_s / floor_s. */
  ratio: number | null;
  peak_rss_mb: number;
}

export interface AggregationBenchmarkReport {
  database: string;
  dialect: Store['dialect'];
  mode: 'synthetic' | 'configured';
  fleet?: SyntheticFleetSummary;
  load?: BulkLoadReport;
  /** Synthetic mode: the daily summaries of the month, built once with the app engine (outside the timed runs). */
  prepare?: { days: number; ms: number };
  day: string;
  month: string;
  vcenters: number;
  runs: number;
  results: EngineResult[];
  floors: FloorResult[];
  /** Every window x engine: median, floor, ratio (the figures of issue 12). */
  windows: WindowFigure[];
  /** sql median / app median per window, null where an engine failed. */
  ratios: { window: BenchmarkWindow; sqlOverApp: number | null }[];
  peakRssMb: { afterLoad: number | null; end: number };
  /** 1-minute load average when the benchmark started and ended: other work on the machine skews the times. */
  loadAverage: { start: number; end: number };
  scratch?: { location: string; kept: boolean };
}

export type BenchmarkEnv = Pick<JobContext, 'log' | 'now'>;
const windowsOf = (input: AggregationBenchmarkInput): readonly BenchmarkWindow[] => input.windows ?? BENCHMARK_WINDOWS;
export type BenchmarkSettings = AggregationSettings & StoreSettings;

const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

export async function benchmarkAggregations(env: BenchmarkEnv, settings: BenchmarkSettings, input: AggregationBenchmarkInput): Promise<AggregationBenchmarkReport> {
  if (!Number.isInteger(input.runs) || input.runs < 1) throw new VctpError('usage', `--runs ${input.runs}: expected a whole number >= 1`);
  const loadAtStart = loadavg()[0]!;
  if (!input.synthetic) {
    const store = await openStore(settings);
    try {
      const ctx: JobContext = { store, log: env.log, now: env.now };
      const periods = await latestPeriods(store, Math.floor(env.now() / 1000));
      const floors: FloorResult[] = [];
      const results = await timeEngines(ctx, settings, input, periods, (run) => rolledBack(ctx, run), floors);
      return await report(store, 'configured', input, periods, results, floors, { loadAtStart });
    } finally {
      await store.close();
    }
  }

  const scratch = await openScratch(settings, input.synthetic.db);
  try {
    const spec = input.synthetic.fleet;
    const seeded = await seedSyntheticFleet(env, scratch.store, spec);
    const afterLoad = peakRssMb();
    // Aggregations follow the fleet's cadence, whatever the settings file says.
    const benchSettings: BenchmarkSettings = { ...settings, vcenter_inventory_snapshot_seconds: spec.snapshotSeconds };
    const lastDay = spec.start + (spec.days - 1) * 86_400;
    const periods = { day: dayPeriod(formatDay(lastDay)), month: monthPeriod(formatMonth(lastDay)) };
    const ctx: JobContext = { store: scratch.store, log: env.log, now: env.now };
    // A committed run, then undone so that the next starts from the same data.
    const committed = (kind: 'daily' | 'monthly', start: number) => async <T>(run: (ctx: JobContext) => Promise<T>): Promise<T> => {
      try {
        return await run(ctx);
      } finally {
        await removePeriodSummaries(scratch.store, kind, start);
      }
    };
    // As the timers would have left it: every day but the last aggregated, the last day and the
    // month not yet, so the timed runs do what the scheduled jobs do (no old summaries to delete).
    env.log.info({ days: spec.days - 1 }, 'building the daily summaries of the month but its last day (app engine), as the daily timer would have');
    let prepareMs = await aggregateDays(ctx, benchSettings, spec.start, lastDay);
    const daily = { ...input, windows: windowsOf(input).filter((w) => w === 'daily') };
    const floors: FloorResult[] = [];
    const results = await timeEngines(ctx, benchSettings, daily, periods, committed('daily', periods.day.start), floors);
    prepareMs += await aggregateDays(ctx, benchSettings, lastDay, lastDay + 86_400);
    const monthly = { ...input, windows: windowsOf(input).filter((w) => w !== 'daily') };
    results.push(...(await timeEngines(ctx, benchSettings, monthly, periods, committed('monthly', periods.month.start), floors)));
    return await report(scratch.store, 'synthetic', input, periods, results, floors, {
      loadAtStart,
      afterLoad,
      fleet: seeded.fleet,
      load: seeded.load,
      prepare: { days: spec.days, ms: prepareMs },
      scratch: { location: scratch.location, kept: input.synthetic.keep ?? false },
    });
  } finally {
    await scratch
      .dispose(input.synthetic.keep ?? false)
      .catch((error: unknown) => env.log.warn({ err: (error as Error).message }, `could not clean up ${scratch.location}`));
  }
}

interface Periods {
  day: Period;
  month: Period;
}

/** The latest complete day and month that the data reaches (not merely the calendar's). */
async function latestPeriods(store: Store, nowSeconds: number): Promise<Periods> {
  let latest: number | null = null;
  for (const vc of await listVcenters(store)) {
    const t = await latestSnapshotTime(store, vc.id);
    if (t !== null && (latest === null || t > latest)) latest = t;
  }
  if (latest === null) throw new VctpError('usage', 'the database has no snapshots to aggregate; use --synthetic fleet-S|fleet-L|fleet-XL for a generated fleet');
  const dayEnd = latest - (latest % 86_400) + 86_400;
  const latestMonth = new Date(latest * 1000);
  const monthEnd = Date.UTC(latestMonth.getUTCFullYear(), latestMonth.getUTCMonth() + 1, 1) / 1000;
  return { day: lastCompleteDay(Math.min(nowSeconds, dayEnd)), month: lastCompleteMonth(Math.min(nowSeconds, monthEnd)) };
}

async function timeEngines(
  ctx: JobContext,
  settings: BenchmarkSettings,
  input: AggregationBenchmarkInput,
  periods: Periods,
  /** Runs one timed run and puts the data back as it was before. */
  isolated: <T>(run: (ctx: JobContext) => Promise<T>) => Promise<T>,
  /** Receives each window's floor. */
  floors: FloorResult[],
): Promise<EngineResult[]> {
  const vcenters = await listVcenters(ctx.store);
  const goals = BENCHMARK_GOALS[ctx.store.dialect];
  const engines = input.engines ?? BENCHMARK_ENGINES;
  const results: EngineResult[] = [];
  for (const window of windowsOf(input)) {
    const windowSettings: BenchmarkSettings =
      window === 'daily' ? settings : { ...settings, monthly_aggregation_source: window === 'monthly-from-daily' ? 'daily' : 'hourly' };
    const floor = await prepareFloor(ctx, window, periods, vcenters.map((vc) => vc.id));
    const timed: EngineResult[] = engines.map((engine) => ({
      window,
      engine,
      ok: true,
      rows: 0,
      warmupMs: null,
      runsMs: [],
      minMs: null,
      medianMs: null,
      maxMs: null,
      daysRefreshed: 0,
      goalSeconds: window === 'daily' ? goals.daily : goals.monthly,
      floorMs: null,
      ratioToFloor: null,
      peakRssMb: 0,
    }));
    // One run: every vCenter, one after the other, as the scheduled job does.
    const runOnce = async (runCtx: JobContext, engine: EngineName): Promise<{ rows: number; refreshed: number }> => {
      let rows = 0;
      let refreshed = 0;
      for (const vc of vcenters) {
        const args = { vcenterId: vc.id, vcenter: vc.name, engine };
        if (window === 'daily') rows += (await aggregateDay(runCtx, windowSettings, { ...args, period: periods.day })).rows;
        else {
          const outcome = await aggregateMonth(runCtx, windowSettings, { ...args, period: periods.month });
          rows += outcome.rows;
          refreshed += outcome.daysRefreshed.length;
        }
      }
      return { rows, refreshed };
    };
    // Rounds: the floor, then each engine, so that the floor and the engines it is the yardstick
    // of share the machine's load as closely as one process can make them (a load that comes and
    // goes during the window weighs on all of them alike). Round 0 is every one's warm-up.
    for (let run = 0; run <= input.runs; run++) {
      await floorRound(ctx, floor, run, isolated);
      for (const result of timed) {
        if (!result.ok) continue;
        try {
          let ms = 0;
          const outcome = await isolated(async (runCtx) => {
            const started = performance.now();
            const done = await runOnce(runCtx, result.engine);
            ms = performance.now() - started;
            return done;
          });
          if (run === 0) result.warmupMs = ms;
          else result.runsMs.push(ms);
          result.rows = outcome.rows;
          result.daysRefreshed = Math.max(result.daysRefreshed, outcome.refreshed);
        } catch (error) {
          result.ok = false;
          result.error = (error as Error).message;
          ctx.log.warn({ window, engine: result.engine, err: result.error }, 'engine failed; the others go on');
        }
      }
    }
    const floorResult = finishFloor(ctx, floor);
    floors.push(floorResult);
    for (const result of timed) {
      if (result.ok) ctx.log.info({ window, engine: result.engine, ms: result.runsMs.map(Math.round) }, 'benchmarked');
      if (result.runsMs.length > 0) {
        const sorted = [...result.runsMs].sort((a, b) => a - b);
        result.minMs = sorted[0]!;
        result.maxMs = sorted[sorted.length - 1]!;
        result.medianMs = median(result.runsMs);
        result.floorMs = floorResult.medianMs;
        if (result.floorMs !== null && result.floorMs > 0) result.ratioToFloor = result.medianMs / result.floorMs;
      }
      result.peakRssMb = peakRssMb();
      results.push(result);
    }
  }
  return results;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface FloorState {
  result: FloorResult;
  spec?: FloorWindow;
  reads: number[];
  writes: number[];
}

/** What the window's floor reads, for each vCenter (as the engines will). */
async function prepareFloor(ctx: JobContext, window: BenchmarkWindow, periods: Periods, vcenterIds: number[]): Promise<FloorState> {
  const period = window === 'daily' ? periods.day : periods.month;
  const result: FloorResult = { window, ok: true, reads: 'spans', rowsRead: 0, rows: 0, runsMs: [], readMedianMs: null, writeMedianMs: null, medianMs: null };
  const state: FloorState = { result, reads: [], writes: [] };
  try {
    const spec: FloorWindow = {
      kind: window === 'daily' ? 'daily' : 'monthly',
      start: period.start,
      end: period.end,
      vcenters: await floorSources(ctx.store, window, vcenterIds, period.start, period.end),
    };
    const sources = new Set(spec.vcenters.map((vc) => vc.source));
    result.reads = sources.size > 1 ? 'mixed' : (sources.values().next().value ?? 'spans');
    state.spec = spec;
  } catch (error) {
    floorFailed(ctx, result, error);
  }
  return state;
}

/** One run of the floor (run 0: its warm-up), isolated as an engine's run is. */
async function floorRound(
  ctx: JobContext,
  state: FloorState,
  run: number,
  isolated: <T>(run: (ctx: JobContext) => Promise<T>) => Promise<T>,
): Promise<void> {
  const { result, spec } = state;
  if (!result.ok || !spec) return;
  try {
    const outcome = await isolated(async (runCtx) => {
      await clearFloorTarget(runCtx.store, spec);
      return runFloor(runCtx.store, spec);
    });
    result.rowsRead = outcome.rowsRead;
    result.rows = outcome.rowsWritten;
    if (run === 0) return;
    state.reads.push(outcome.readMs);
    state.writes.push(outcome.writeMs);
    result.runsMs.push(outcome.readMs + outcome.writeMs);
  } catch (error) {
    floorFailed(ctx, result, error);
  }
}

function finishFloor(ctx: JobContext, state: FloorState): FloorResult {
  const { result } = state;
  if (result.ok && result.runsMs.length > 0) {
    result.readMedianMs = median(state.reads);
    result.writeMedianMs = median(state.writes);
    result.medianMs = median(result.runsMs);
    ctx.log.info({ window: result.window, ms: result.runsMs.map(Math.round) }, 'floor measured');
  }
  return result;
}

function floorFailed(ctx: JobContext, result: FloorResult, error: unknown): void {
  result.ok = false;
  result.error = (error as Error).message;
  result.runsMs = [];
  ctx.log.warn({ window: result.window, err: result.error }, 'the floor could not be measured; the engines go on');
}

class Rollback<T> {
  constructor(readonly value: T) {}
}

/** Runs fn in a transaction that is always rolled back; fn sees a store whose transactions reuse it. */
async function rolledBack<T>(ctx: JobContext, fn: (ctx: JobContext) => Promise<T>): Promise<T> {
  try {
    await ctx.store.transaction(async (tx) => {
      // As the jobs' own transactions are: every job of the run shares this one.
      await tuneForAggregation(tx);
      throw new Rollback(await fn({ ...ctx, store: storeOver(tx, ctx.store) }));
    });
  } catch (signal) {
    if (signal instanceof Rollback) return signal.value as T;
    throw signal;
  }
  throw new VctpError('internal', 'a rolled-back benchmark run returned without rolling back');
}

function storeOver(tx: SqlExecutor, store: Store): Store {
  return {
    dialect: tx.dialect,
    description: store.description,
    all: (query) => tx.all(query),
    run: (query) => tx.run(query),
    insertRows: (table, columns, rows) => tx.insertRows(table, columns, rows),
    transaction: (fn) => fn(tx),
    close: async () => undefined,
  };
}

async function report(
  store: Store,
  mode: 'synthetic' | 'configured',
  input: AggregationBenchmarkInput,
  periods: Periods,
  results: EngineResult[],
  floors: FloorResult[],
  extra: Partial<AggregationBenchmarkReport> & { afterLoad?: number; loadAtStart: number },
): Promise<AggregationBenchmarkReport> {
  const { afterLoad, loadAtStart, ...rest } = extra;
  const windows = [...new Set(results.map((r) => r.window))];
  return {
    database: store.description,
    dialect: store.dialect,
    mode,
    day: periods.day.label,
    month: periods.month.label,
    vcenters: (await listVcenters(store)).length,
    runs: input.runs,
    results,
    floors,
    windows: results.map((r) => ({
      window: r.window,
      engine: r.engine,
      median_s: r.medianMs === null ? null : r.medianMs / 1000,
      floor_s: r.floorMs === null ? null : r.floorMs / 1000,
      ratio: r.ratioToFloor,
      peak_rss_mb: r.peakRssMb,
    })),
    ratios: windows.map((window) => {
      const median = (engine: EngineName) => results.find((r) => r.window === window && r.engine === engine)?.medianMs ?? null;
      const app = median('app');
      const sqlMs = median('sql');
      return { window, sqlOverApp: app !== null && sqlMs !== null && app > 0 ? sqlMs / app : null };
    }),
    peakRssMb: { afterLoad: afterLoad ?? null, end: peakRssMb() },
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    ...rest,
  };
}
