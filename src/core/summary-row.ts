// One row of vm_daily_rollup or vm_monthly_summary, built from a VM's period rollup.
import type { AggregationSpan, SampleSums, VmPeriodRollup } from './period-rollup.js';
import { summaryValues, type SummaryValues } from './summary-values.js';

export interface LifecycleTimes {
  creationTime: number;
  deletionTime: number;
}

/** The VM's state at its latest sample of the period. */
export type LatestSample = Pick<
  AggregationSpan,
  'name' | 'identityId' | 'placementId' | 'provisionedDiskGb' | 'vcpuCount' | 'ramGb' | 'isTemplate' | 'poweredOn' | 'srmPlaceholder'
>;

export interface SummaryRow extends SampleSums, SummaryValues, LifecycleTimes {
  vcenterId: number;
  lifecycleId: number;
  /** Start of the day or month. */
  periodStart: number;
  snapshotTime: number;
  latest: LatestSample;
  totalSamples: number;
}

export function summaryRow(
  vcenterId: number,
  periodStart: number,
  totalSamples: number,
  rollup: VmPeriodRollup,
  lifecycle: LifecycleTimes | undefined,
): SummaryRow {
  const { latest, lifecycleId, snapshotTime, ...sums } = rollup;
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
  };
}
