// One row of vm_daily_rollup or vm_monthly_summary, built from a VM's period rollup.
import type { ChargeClass } from './charge-rules.js';
import { chargedUnits, moneyOf, type CostUnits, type Money } from './cost.js';
import type { AggregationSpan, SampleSums, VmPeriodRollup } from './period-rollup.js';
import { summaryValues, type SummaryValues } from './summary-values.js';

export interface LifecycleTimes {
  creationTime: number;
  deletionTime: number;
}

/** The VM's state at its latest sample of the period. */
export type LatestSample = Pick<
  AggregationSpan,
  'name' | 'identityId' | 'placementId' | 'provisionedDiskGb' | 'vcpuCount' | 'ramGb' | 'isTemplate' | 'poweredOn' | 'srmPlaceholder' | 'attributesId'
>;

/**
 * How a row's cost units become money (src/core/cost.ts): the VM's charge class as of its latest
 * sample, and the periods per month (the month's days for a daily row, 1 for a monthly row).
 */
export interface RowPricing {
  chargeClass: ChargeClass;
  periodsPerMonth: number;
}

export interface SummaryRow extends SampleSums, SummaryValues, LifecycleTimes {
  vcenterId: number;
  lifecycleId: number;
  /** Start of the day or month. */
  periodStart: number;
  snapshotTime: number;
  latest: LatestSample;
  totalSamples: number;
  /** Cost units, all seven kept (the class picks which are charged, and may be read otherwise later). */
  cost: CostUnits;
  money: Money;
}

export function summaryRow(
  vcenterId: number,
  periodStart: number,
  totalSamples: number,
  rollup: VmPeriodRollup,
  lifecycle: LifecycleTimes | undefined,
  pricing: RowPricing,
): SummaryRow {
  // Written out without object rest or a spread in the middle: this runs per VM (52,000 rows a
  // fleet-L month), and those forms cost several times the plain literal.
  const r = rollup;
  const v = summaryValues(r, totalSamples);
  return {
    vcenterId,
    lifecycleId: r.lifecycleId,
    periodStart,
    snapshotTime: r.snapshotTime,
    latest: r.latest,
    totalSamples,
    creationTime: lifecycle?.creationTime ?? 0,
    deletionTime: lifecycle?.deletionTime ?? 0,
    samplesPresent: r.samplesPresent,
    sumVcpu: r.sumVcpu,
    sumRamMb: r.sumRamMb,
    sumDiskCentiGb: r.sumDiskCentiGb,
    tinHits: r.tinHits,
    bronzeHits: r.bronzeHits,
    silverHits: r.silverHits,
    goldHits: r.goldHits,
    avgIsPresent: v.avgIsPresent,
    avgVcpuCount: v.avgVcpuCount,
    avgRamGb: v.avgRamGb,
    avgProvisionedDisk: v.avgProvisionedDisk,
    poolTinPct: v.poolTinPct,
    poolBronzePct: v.poolBronzePct,
    poolSilverPct: v.poolSilverPct,
    poolGoldPct: v.poolGoldPct,
    tin: v.tin,
    bronze: v.bronze,
    silver: v.silver,
    gold: v.gold,
    cost: r.cost,
    money: moneyOf(chargedUnits(r.cost, pricing.chargeClass), totalSamples, pricing.periodsPerMonth),
  };
}
