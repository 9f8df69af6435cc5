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
  const { latest, lifecycleId, snapshotTime, cost, ...sums } = rollup;
  return {
    vcenterId,
    lifecycleId,
    periodStart,
    snapshotTime,
    latest,
    totalSamples,
    creationTime: lifecycle?.creationTime ?? 0,
    deletionTime: lifecycle?.deletionTime ?? 0,
    samplesPresent: sums.samplesPresent,
    sumVcpu: sums.sumVcpu,
    sumRamMb: sums.sumRamMb,
    sumDiskCentiGb: sums.sumDiskCentiGb,
    tinHits: sums.tinHits,
    bronzeHits: sums.bronzeHits,
    silverHits: sums.silverHits,
    goldHits: sums.goldHits,
    ...summaryValues(sums, totalSamples),
    cost,
    money: moneyOf(chargedUnits(cost, pricing.chargeClass), totalSamples, pricing.periodsPerMonth),
  };
}
