// `vctp aggregate monthly`: per vCenter, the month's summary rows (vm_monthly_summary), registry
// row and monthly totals in one transaction. With monthly_aggregation_source `daily` (default) the
// month comes from the daily summaries, which are first brought up to date (a day with hourly
// snapshots but no, or a stale, daily summary is aggregated); with `hourly` straight from the spans.
// Both give identical rows: the sums are exact integers (test/integration/aggregation-engines).
import { chargeRules } from '../core/charge-rules.js';
import { VctpError } from '../core/errors.js';
import { periodTotals, type PeriodTotalsInput } from '../core/period-totals.js';
import { rollupSpans, type VmPeriodRollup } from '../core/period-rollup.js';
import { dayPeriod, expectedSamples, formatDay, type Period } from '../core/periods.js';
import { dailyStaleness } from '../core/staleness.js';
import { type LifecycleTimes, summaryRow } from '../core/summary-row.js';
import { assertOpen } from '../store/month-closure-repository.js';
import { sqlMonthlyRows } from '../store/sql-engine/index.js';
import {
  deleteSummaryRows,
  insertSummaryRows,
  readDailyRegistry,
  readHourlyDays,
  readLifecycleTimes,
  readMonthFromDaily,
  readPeriodSpansWithLifecycle,
  readSampleTimes,
  upsertSummaryRegistry,
} from '../store/summary-repository.js';
import { writePeriodTotals } from '../store/totals-repository.js';
import { tuneForAggregation } from '../store/aggregation-session.js';
import { aggregateDay, type PeriodOutcome } from './aggregate-daily.js';
import type { AggregationSettings, EngineName } from './aggregation-settings.js';
import { type JobContext, unixSeconds } from './context.js';
import { periodPricing, sqlCostOf, sqlTotalsInputs } from './aggregate-cost.js';
import { totalsInputFromSummary } from './period-totals-input.js';

export interface AggregateMonthlyInput {
  period: Period;
  vcenterId: number;
  vcenter: string;
  engine: EngineName;
  partial?: boolean;
}

export interface MonthlyOutcome extends PeriodOutcome {
  source: 'daily' | 'hourly';
  /** Days whose daily summary was missing or stale and was aggregated first. */
  daysRefreshed: string[];
}

export async function aggregateMonth(ctx: JobContext, settings: AggregationSettings, input: AggregateMonthlyInput): Promise<MonthlyOutcome> {
  const { period, vcenterId } = input;
  const now = unixSeconds(ctx.now());
  if (period.end > now && !input.partial) {
    throw new VctpError('usage', `--month ${period.label}: the month has not ended yet (UTC); pass --partial to aggregate it so far`);
  }
  // A closed month's figures are final (src/core/month-closure.ts): refused until `vctp month reopen`.
  await assertOpen(ctx.store, `--month ${period.label}`, period.start, period.end);
  const source = settings.monthly_aggregation_source;
  const daysRefreshed = source === 'daily' ? await refreshDailySummaries(ctx, settings, input) : [];
  const started = ctx.now();
  const expected = expectedSamples(period, settings.vcenter_inventory_snapshot_seconds);
  const rules = chargeRules(settings);
  const pricing = periodPricing(settings, 'monthly', period);

  const result = await ctx.store.transaction(async (tx) => {
    await tuneForAggregation(tx);
    const times = await readSampleTimes(tx, vcenterId, period.start, period.end);
    const dailyTotal = (await readDailyRegistry(tx, vcenterId, period.start, period.end)).reduce((sum, d) => sum + d.totalSamples, 0);
    const totalSamples = source === 'daily' ? dailyTotal : times.length;
    // The daily-based definition, evaluated from whichever stored form is cheaper. With every day's
    // summary fresh (refreshDailySummaries) and the month's spans still in hourly retention (the
    // daily summaries cover exactly the month's snapshots), summing the daily rows and rolling the
    // spans up over the month give the same integers, hence identical rows (proved by
    // test/integration/aggregation-engines.test.ts); the spans are a tenth of the rows to read.
    // Older months, whose hourly history retention has trimmed, are read from the daily rows.
    const readSpans = source === 'hourly' || dailyTotal === times.length;
    if (source === 'hourly' && dailyTotal > times.length) {
      throw new VctpError(
        'usage',
        `--month ${period.label}: retention has removed part of this month's hourly history (${times.length} snapshots left, ` +
          `its daily summaries cover ${dailyTotal}); aggregate it with settings.monthly_aggregation_source: daily`,
      );
    }
    await deleteSummaryRows(tx, 'monthly', vcenterId, period.start);
    let totalsInputs: PeriodTotalsInput[];
    if (input.engine === 'app') {
      // From daily rows, the cost units are the days' sums (exact): the month's money needs no segments.
      let rollups: VmPeriodRollup[];
      let lifecycle: Map<number, LifecycleTimes>;
      if (readSpans) {
        const read = await readPeriodSpansWithLifecycle(tx, vcenterId, period.start, period.end);
        rollups = [...rollupSpans(times, read.spans, pricing.segments).values()];
        lifecycle = read.lifecycle;
      } else {
        rollups = await readMonthFromDaily(tx, vcenterId, period.start, period.end);
        lifecycle = await readLifecycleTimes(tx, vcenterId);
      }
      totalsInputs = rollups.map((r) => totalsInputFromSummary(r, rules));
      await insertSummaryRows(
        tx,
        'monthly',
        rollups.map((r, i) =>
          summaryRow(vcenterId, period.start, totalSamples, r, lifecycle.get(r.lifecycleId), {
            chargeClass: totalsInputs[i]!.chargeClass,
            periodsPerMonth: pricing.periodsPerMonth,
          }),
        ),
      );
    } else {
      const cost = await sqlCostOf(tx, settings, pricing, times);
      await sqlMonthlyRows(tx, vcenterId, period.start, period.end, readSpans ? 'hourly' : 'daily', totalSamples, cost);
      totalsInputs = await sqlTotalsInputs(tx, settings, rules, 'monthly', vcenterId, period.start, totalSamples, pricing.periodsPerMonth);
    }
    await upsertSummaryRegistry(tx, {
      vcenterId,
      kind: 'monthly',
      periodStart: period.start,
      rowCount: totalsInputs.length,
      durationMs: ctx.now() - started,
      createdAt: unixSeconds(ctx.now()),
      expectedSamples: expected,
      totalSamples,
    });
    await writePeriodTotals(tx, vcenterId, 'monthly', period.start, periodTotals(totalsInputs, totalSamples, pricing.periodsPerMonth), {
      expected,
      present: totalSamples,
    });
    return { rows: totalsInputs.length, totalSamples };
  });
  return {
    vcenter: input.vcenter,
    period: period.label,
    engine: input.engine,
    source,
    rows: result.rows,
    expectedSamples: expected,
    totalSamples: result.totalSamples,
    missingSamples: Math.max(0, expected - result.totalSamples),
    durationMs: ctx.now() - started,
    daysRefreshed,
  };
}

/** Aggregates each day of the month whose daily summary is missing or older than its snapshots. */
async function refreshDailySummaries(ctx: JobContext, settings: AggregationSettings, input: AggregateMonthlyInput): Promise<string[]> {
  const { period, vcenterId } = input;
  const registered = new Map((await readDailyRegistry(ctx.store, vcenterId, period.start, period.end)).map((d) => [d.day, d]));
  const refreshed: string[] = [];
  for (const day of await readHourlyDays(ctx.store, vcenterId, period.start, period.end)) {
    if (dailyStaleness(day, registered.get(day.day)) === null) continue;
    const label = formatDay(day.day);
    await aggregateDay(ctx, settings, { ...input, period: dayPeriod(label), partial: input.partial });
    refreshed.push(label);
  }
  return refreshed;
}
