// Per-VM sample sums over a period (a UTC day, or a month) from state spans: the exact integer
// quantities behind every daily and monthly summary field (see summary-values.ts). A span holds a
// VM at every registry time in [first_seen, last_seen], so its share of a period is a count of
// sorted sample times: no per-hour rows are ever built.
import type { Tier } from './tiers.js';
import { diskCentiGb, ramMb } from './units.js';

/** A span as aggregation reads it. */
export interface AggregationSpan {
  lifecycleId: number;
  firstSeen: number;
  /** null while open: present up to the vCenter's latest snapshot. */
  lastSeen: number | null;
  name: string;
  identityId: number;
  placementId: number;
  tier: Tier | null;
  cluster: string | null;
  provisionedDiskGb: number;
  vcpuCount: number;
  ramGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
}

/** Integer sums over the samples in which a VM was present. */
export interface SampleSums {
  samplesPresent: number;
  sumVcpu: number;
  /** RAM in MiB, summed over present samples. */
  sumRamMb: number;
  /** Provisioned disk in hundredths of a GiB, summed over present samples. */
  sumDiskCentiGb: number;
  tinHits: number;
  bronzeHits: number;
  silverHits: number;
  goldHits: number;
}

export interface VmPeriodRollup extends SampleSums {
  lifecycleId: number;
  /** The VM's latest sample time in the period. */
  snapshotTime: number;
  /** The span that holds that sample: identity, placement and sizing "as of the period's end". */
  latest: AggregationSpan;
}

export function emptySums(): SampleSums {
  return { samplesPresent: 0, sumVcpu: 0, sumRamMb: 0, sumDiskCentiGb: 0, tinHits: 0, bronzeHits: 0, silverHits: 0, goldHits: 0 };
}

/** Index of the first element >= value. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > value. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function addHits(sums: SampleSums, tier: Tier | null, n: number): void {
  switch (tier) {
    case 'tin':
      sums.tinHits += n;
      break;
    case 'bronze':
      sums.bronzeHits += n;
      break;
    case 'silver':
      sums.silverHits += n;
      break;
    case 'gold':
      sums.goldHits += n;
      break;
    case null:
      break;
  }
}

/**
 * Rolls spans up over the sample times of one vCenter and period (sorted ascending, all inside
 * the period). VMs present in no sample of the period get no rollup: there is nothing to charge.
 */
export function rollupSpans(sampleTimes: readonly number[], spans: Iterable<AggregationSpan>): Map<number, VmPeriodRollup> {
  const rollups = new Map<number, VmPeriodRollup>();
  for (const span of spans) {
    const from = lowerBound(sampleTimes, span.firstSeen);
    const to = span.lastSeen === null ? sampleTimes.length : upperBound(sampleTimes, span.lastSeen);
    const n = to - from;
    if (n <= 0) continue;
    const lastTime = sampleTimes[to - 1]!;
    let rollup = rollups.get(span.lifecycleId);
    if (!rollup) {
      rollup = { lifecycleId: span.lifecycleId, snapshotTime: lastTime, latest: span, ...emptySums() };
      rollups.set(span.lifecycleId, rollup);
    } else if (lastTime > rollup.snapshotTime) {
      rollup.snapshotTime = lastTime;
      rollup.latest = span;
    }
    rollup.samplesPresent += n;
    rollup.sumVcpu += n * span.vcpuCount;
    rollup.sumRamMb += n * ramMb(span.ramGb);
    rollup.sumDiskCentiGb += n * diskCentiGb(span.provisionedDiskGb);
    addHits(rollup, span.tier, n);
  }
  return rollups;
}

/** Adds b's sums into a (monthly from daily rows). */
export function addSums(a: SampleSums, b: SampleSums): void {
  a.samplesPresent += b.samplesPresent;
  a.sumVcpu += b.sumVcpu;
  a.sumRamMb += b.sumRamMb;
  a.sumDiskCentiGb += b.sumDiskCentiGb;
  a.tinHits += b.tinHits;
  a.bronzeHits += b.bronzeHits;
  a.silverHits += b.silverHits;
  a.goldHits += b.goldHits;
}
