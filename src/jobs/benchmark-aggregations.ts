// `vctp benchmark aggregations`: times both aggregation engines on the latest complete day and
// month, over every vCenter of the database (one timed run = the whole fleet, one vCenter after the
// other, each in its own transaction, as the scheduled job does).
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
  error?: string;
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
      const results = await timeEngines(ctx, settings, input, periods, (run) => rolledBack(ctx, run));
      return await report(store, 'configured', input, periods, results, { loadAtStart });
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
    const results = await timeEngines(ctx, benchSettings, daily, periods, committed('daily', periods.day.start));
    prepareMs += await aggregateDays(ctx, benchSettings, lastDay, lastDay + 86_400);
    const monthly = { ...input, windows: windowsOf(input).filter((w) => w !== 'daily') };
    results.push(...(await timeEngines(ctx, benchSettings, monthly, periods, committed('monthly', periods.month.start))));
    return await report(scratch.store, 'synthetic', input, periods, results, {
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
  if (latest === null) throw new VctpError('usage', 'the database has no snapshots to aggregate; use --synthetic fleet-S|fleet-L for a generated fleet');
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
): Promise<EngineResult[]> {
  const vcenters = await listVcenters(ctx.store);
  const goals = BENCHMARK_GOALS[ctx.store.dialect];
  const results: EngineResult[] = [];
  for (const window of windowsOf(input)) {
    const windowSettings: BenchmarkSettings =
      window === 'daily' ? settings : { ...settings, monthly_aggregation_source: window === 'monthly-from-daily' ? 'daily' : 'hourly' };
    for (const engine of input.engines ?? BENCHMARK_ENGINES) {
      const result: EngineResult = {
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
      };
      // One run: every vCenter, one after the other, as the scheduled job does.
      const runOnce = async (runCtx: JobContext): Promise<{ rows: number; refreshed: number }> => {
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
      try {
        for (let run = 0; run <= input.runs; run++) {
          let ms = 0;
          const outcome = await isolated(async (runCtx) => {
            const started = performance.now();
            const done = await runOnce(runCtx);
            ms = performance.now() - started;
            return done;
          });
          if (run === 0) result.warmupMs = ms;
          else result.runsMs.push(ms);
          result.rows = outcome.rows;
          result.daysRefreshed = Math.max(result.daysRefreshed, outcome.refreshed);
        }
        ctx.log.info({ window, engine, ms: result.runsMs.map(Math.round) }, 'benchmarked');
      } catch (error) {
        result.ok = false;
        result.error = (error as Error).message;
        ctx.log.warn({ window, engine, err: result.error }, 'engine failed; the others go on');
      }
      if (result.runsMs.length > 0) {
        const sorted = [...result.runsMs].sort((a, b) => a - b);
        const mid = sorted.length >> 1;
        result.minMs = sorted[0]!;
        result.maxMs = sorted[sorted.length - 1]!;
        result.medianMs = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      }
      results.push(result);
    }
  }
  return results;
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
