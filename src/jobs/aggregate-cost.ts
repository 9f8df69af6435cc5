// What aggregation needs to price a period (src/core/cost.ts): the rate cards' pricing segments of
// the period and its periods per month, and for the `sql` engine the node-charged clusters and the
// rewrite of the money of active/active VMs.
//
// Why the SQL engine computes the charge class itself, except for active/active names: the class
// decides which units become money, and templates, SRM placeholders and node-charged clusters are
// columns (or a cluster list matched here with the same globs), so the statement writes every row's
// money in the same pass as its units. srm_activeactive_vms are name globs, which SQLite and
// PostgreSQL would need a registered function or a translated regex for (two more places for the
// glob rules to drift); instead the rows whose latest name matches one (usually none, a few at
// most) get their money here, by cost.ts moneyOf, after the statement. The other way, chargeable
// money for every row and every other row rewritten from here, is an UPDATE per template, SRM
// placeholder and node-charged VM: whole node-charged clusters, row by row. Measured on fleet-L
// (CPU of a monthly run of 8 vCenters, README "Measured"): the sql engine with cost costs +4% on
// SQLite and PostgreSQL over the engine before cost, the totals now read as groups, not rows.
import { anyGlob } from '../core/glob.js';
import type { ChargeRules } from '../core/charge-rules.js';
import { chargedUnits, moneyOf } from '../core/cost.js';
import type { PeriodTotalsInput } from '../core/period-totals.js';
import { daysInMonthOf, type Period, type PeriodKind } from '../core/periods.js';
import { sampleRanges } from '../core/period-rollup.js';
import { pricingSegments, rateCardsFromSettings, type PricingSegment } from '../core/rate-cards.js';
import type { SqlExecutor } from '../store/executor.js';
import type { SqlCost } from '../store/sql-engine/index.js';
import { readSummaryTotalsGroups } from '../store/backfill-repository.js';
import { readPlacementClusters, readSummaryRowsNamed, updateSummaryMoney } from '../store/summary-repository.js';
import { num } from '../store/sql-util.js';
import type { AggregationSettings } from './aggregation-settings.js';
import { totalsInputFromRow, totalsInputsFromGroups } from './period-totals-input.js';

export interface PeriodPricing {
  segments: PricingSegment[];
  /** cost.ts moneyOf: the month's days for a daily row, 1 for a monthly row. */
  periodsPerMonth: number;
}

export function periodPricing(settings: AggregationSettings, kind: PeriodKind, period: Period): PeriodPricing {
  const cards = rateCardsFromSettings(settings.rate_cards ?? []);
  return {
    segments: pricingSegments(cards, period.start, period.end),
    periodsPerMonth: kind === 'daily' ? daysInMonthOf(period.start) : 1,
  };
}

/**
 * The `sql` engine's cost input: the pricing, each segment's samples as indexes into the period's
 * sorted sample times (the ones the statement counts), and the clusters node_charge_clusters matches.
 */
export async function sqlCostOf(db: SqlExecutor, settings: AggregationSettings, pricing: PeriodPricing, sampleTimes: readonly number[]): Promise<SqlCost> {
  const node = anyGlob(settings.node_charge_clusters);
  const nodeClusters = settings.node_charge_clusters.length === 0 ? [] : (await readPlacementClusters(db)).filter((c) => node(c));
  return { ...pricing, sampleRanges: sampleRanges(sampleTimes, pricing.segments), sampleCount: sampleTimes.length, nodeClusters };
}

/**
 * After the `sql` engine's statement: the period totals' inputs, from its rows grouped by what the
 * charge rules look at (backfill's groups: a few groups per vCenter, not a row per VM, with the
 * cost units summed exactly), and the money of rows whose latest name is an active/active one
 * (the class the statement could not see) rewritten from their stored units.
 */
export async function sqlTotalsInputs(
  tx: SqlExecutor,
  settings: AggregationSettings,
  rules: ChargeRules,
  kind: PeriodKind,
  vcenterId: number,
  periodStart: number,
  totalSamples: number,
  periodsPerMonth: number,
): Promise<PeriodTotalsInput[]> {
  const byName = settings.srm_activeactive_vms.length > 0;
  const groups = await readSummaryTotalsGroups(tx, kind, vcenterId, byName, periodStart);
  if (byName) {
    const activeActive = anyGlob(settings.srm_activeactive_vms);
    const names = [...new Set(groups.map((g) => String(g.row.name)))].filter((name) => activeActive(name));
    const rewrites = (await readSummaryRowsNamed(tx, kind, vcenterId, periodStart, names)).map((r) => {
      const input = totalsInputFromRow(r, rules);
      return { lifecycleId: num(r.row.lifecycle_id), money: moneyOf(chargedUnits(input.cost, input.chargeClass), totalSamples, periodsPerMonth) };
    });
    await updateSummaryMoney(tx, kind, vcenterId, periodStart, rewrites);
  }
  return [...totalsInputsFromGroups(groups, rules)];
}
