// The spec's summary fields from the integer sample sums, daily and monthly alike (README
// "Aggregation"). Each value is one IEEE division of exact integers, written the same way in
// the SQL engine's statements, so the two engines agree to the last bit:
//   AvgIsPresent       = SamplesPresent / TotalSamples
//   AvgVcpuCount       = sum vCPU / TotalSamples
//   AvgRamGB           = sum RAM MiB / (TotalSamples * 1024)
//   AvgProvisionedDisk = sum disk 0.01 GiB / (TotalSamples * 100)
//   PoolXPct           = (100 * X hits) / SamplesPresent      share of the time the VM existed
//   X (Tin, ...)       = X hits / TotalSamples                = AvgIsPresent * PoolXPct / 100
// Monthly uses the month's sums and TotalSamples, which equals the spec's day-weighted averages
// (daily_avg * daily_total summed over days / monthly_total) exactly, and keeps pool percentages
// relative to presence (the decided change).
import type { SampleSums } from './period-rollup.js';
import { DISK_UNITS_PER_GB, RAM_UNITS_PER_GB } from './units.js';

export interface SummaryValues {
  avgIsPresent: number;
  avgVcpuCount: number;
  avgRamGb: number;
  avgProvisionedDisk: number;
  poolTinPct: number;
  poolBronzePct: number;
  poolSilverPct: number;
  poolGoldPct: number;
  tin: number;
  bronze: number;
  silver: number;
  gold: number;
}

const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);

export function summaryValues(sums: SampleSums, totalSamples: number): SummaryValues {
  return {
    avgIsPresent: ratio(sums.samplesPresent, totalSamples),
    avgVcpuCount: ratio(sums.sumVcpu, totalSamples),
    avgRamGb: ratio(sums.sumRamMb, totalSamples * RAM_UNITS_PER_GB),
    avgProvisionedDisk: ratio(sums.sumDiskCentiGb, totalSamples * DISK_UNITS_PER_GB),
    poolTinPct: ratio(100 * sums.tinHits, sums.samplesPresent),
    poolBronzePct: ratio(100 * sums.bronzeHits, sums.samplesPresent),
    poolSilverPct: ratio(100 * sums.silverHits, sums.samplesPresent),
    poolGoldPct: ratio(100 * sums.goldHits, sums.samplesPresent),
    tin: ratio(sums.tinHits, totalSamples),
    bronze: ratio(sums.bronzeHits, totalSamples),
    silver: ratio(sums.silverHits, totalSamples),
    gold: ratio(sums.goldHits, totalSamples),
  };
}
