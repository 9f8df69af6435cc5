// `vctp aggregate daily`: per vCenter, the day's summary rows (vm_daily_rollup), its registry row
// and its daily totals, in one transaction that replaces whatever the day had before.
import { chargeRules } from '../core/charge-rules.js';
import { VctpError } from '../core/errors.js';
import type { PeriodTotalsInput } from '../core/period-totals.js';
import { periodTotals } from '../core/period-totals.js';
import { rollupSpans } from '../core/period-rollup.js';
import { expectedSamples, type Period } from '../core/periods.js';
import { summaryRow } from '../core/summary-row.js';
import type { SqlExecutor } from '../store/executor.js';
import { assertOpen } from '../store/month-closure-repository.js';
import { sqlDailyRows } from '../store/sql-engine/index.js';
import {
  deleteSummaryRows,
  insertSummaryRows,
  readPeriodSpansWithLifecycle,
  readSampleTimes,
  upsertSummaryRegistry,
} from '../store/summary-repository.js';
import { writePeriodTotals } from '../store/totals-repository.js';
import { tuneForAggregation } from '../store/aggregation-session.js';
import type { AggregationSettings, EngineName } from './aggregation-settings.js';
import { type JobContext, unixSeconds } from './context.js';
import { periodPricing, type PeriodPricing, sqlCostOf, sqlTotalsInputs } from './aggregate-cost.js';
import { totalsInputFromSummary } from './period-totals-input.js';

export interface PeriodOutcome {
  vcenter: string;
  period: string;
  engine: EngineName;
  rows: number;
  expectedSamples: number;
  totalSamples: number;
  missingSamples: number;
  durationMs: number;
}

export interface AggregateDailyInput {
  period: Period;
  vcenterId: number;
  vcenter: string;
  engine: EngineName;
  /** Allow a day that has not ended yet. */
  partial?: boolean;
}

export async function aggregateDay(ctx: JobContext, settings: AggregationSettings, input: AggregateDailyInput): Promise<PeriodOutcome> {
  const { period, vcenterId } = input;
  const now = unixSeconds(ctx.now());
  if (period.end > now && !input.partial) {
    throw new VctpError('usage', `--date ${period.label}: the day has not ended yet (UTC); pass --partial to aggregate it so far`);
  }
  // A closed month's figures are final (src/core/month-closure.ts): refused until `vctp month reopen`.
  await assertOpen(ctx.store, `--date ${period.label}`, period.start, period.end);
  const started = ctx.now();
  const expected = expectedSamples(period, settings.vcenter_inventory_snapshot_seconds);
  const rules = chargeRules(settings);
  const pricing = periodPricing(settings, 'daily', period);
  const result = await ctx.store.transaction(async (tx) => {
    await tuneForAggregation(tx);
    const sampleTimes = await readSampleTimes(tx, vcenterId, period.start, period.end);
    await deleteSummaryRows(tx, 'daily', vcenterId, period.start);
    let totalsInputs: PeriodTotalsInput[];
    if (input.engine === 'app') {
      totalsInputs = await appDailyRows(tx, vcenterId, period, sampleTimes, rules, pricing);
    } else {
      await sqlDailyRows(tx, vcenterId, period.start, period.end, await sqlCostOf(tx, settings, pricing, sampleTimes));
      totalsInputs = await sqlTotalsInputs(tx, settings, rules, 'daily', vcenterId, period.start, sampleTimes.length, pricing.periodsPerMonth);
    }
    const totals = periodTotals(totalsInputs, sampleTimes.length, pricing.periodsPerMonth);
    await upsertSummaryRegistry(tx, {
      vcenterId,
      kind: 'daily',
      periodStart: period.start,
      rowCount: totalsInputs.length,
      durationMs: ctx.now() - started,
      createdAt: unixSeconds(ctx.now()),
      expectedSamples: expected,
      totalSamples: sampleTimes.length,
    });
    await writePeriodTotals(tx, vcenterId, 'daily', period.start, totals, { expected, present: sampleTimes.length });
    return { rows: totalsInputs.length, totalSamples: sampleTimes.length };
  });
  return {
    vcenter: input.vcenter,
    period: period.label,
    engine: input.engine,
    rows: result.rows,
    expectedSamples: expected,
    totalSamples: result.totalSamples,
    missingSamples: Math.max(0, expected - result.totalSamples),
    durationMs: ctx.now() - started,
  };
}

async function appDailyRows(
  tx: SqlExecutor,
  vcenterId: number,
  period: Period,
  sampleTimes: number[],
  rules: ReturnType<typeof chargeRules>,
  pricing: PeriodPricing,
): Promise<PeriodTotalsInput[]> {
  if (sampleTimes.length === 0) return [];
  const { spans, lifecycle } = await readPeriodSpansWithLifecycle(tx, vcenterId, period.start, period.end);
  const rollups = [...rollupSpans(sampleTimes, spans, pricing.segments).values()];
  const inputs = rollups.map((r) => totalsInputFromSummary(r, rules));
  const rows = rollups.map((r, i) =>
    summaryRow(vcenterId, period.start, sampleTimes.length, r, lifecycle.get(r.lifecycleId), {
      chargeClass: inputs[i]!.chargeClass,
      periodsPerMonth: pricing.periodsPerMonth,
    }),
  );
  await insertSummaryRows(tx, 'daily', rows);
  return inputs;
}
