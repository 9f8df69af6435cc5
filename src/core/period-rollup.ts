// Per-VM sample sums over a period (a UTC day, or a month) from state spans: the exact integer
// quantities behind every daily and monthly summary field (see summary-values.ts). A span holds a
// VM at every registry time in [first_seen, last_seen], so its share of a period is a count of
// sorted sample times: no per-hour rows are ever built.
//
// Cost (src/core/cost.ts) is counted in the same pass: the period is cut into pricing segments (one
// rate card inside one month, src/core/rate-cards.ts pricingSegments: 1-3 of them) and each span's
// samples are counted per segment they fall in, then priced with that segment's card and scale and
// the span's tier. Exact integers, so the order of spans and segments does not matter.
import { addCostUnits, assertExactUnits, emptyCostUnits, type CostUnits } from './cost.js';
import { tierPrices, type PricingSegment } from './rate-cards.js';
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
  /** vm_attribute_sets.id of the span's custom attributes and tags; 0 = none. */
  attributesId: number;
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

/** Sums with their cost units: a rollup, or an accumulator of several (monthly from daily rows). */
export interface CostedSums extends SampleSums {
  /** Cost units over the VM's present samples, each priced by its segment's card and its tier. */
  cost: CostUnits;
}

export interface VmPeriodRollup extends CostedSums {
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

/** Each segment's samples as indexes [from, to) into the period's sorted sample times. */
export function sampleRanges(sampleTimes: readonly number[], segments: readonly PricingSegment[]): { from: number; to: number }[] {
  return segments.map((seg) => ({ from: lowerBound(sampleTimes, seg.start), to: lowerBound(sampleTimes, seg.end) }));
}

/**
 * Rolls spans up over the sample times of one vCenter and period (sorted ascending, all inside
 * the period). VMs present in no sample of the period get no rollup: there is nothing to charge.
 * `segments` (pricingSegments of the period; none: no cost) price the samples.
 */
export function rollupSpans(
  sampleTimes: readonly number[],
  spans: Iterable<AggregationSpan>,
  segments: readonly PricingSegment[] = [],
): Map<number, VmPeriodRollup> {
  const ranges = sampleRanges(sampleTimes, segments);
  const priced = segments.flatMap((seg, i) => (seg.card === undefined || ranges[i]!.to <= ranges[i]!.from ? [] : [{ card: seg.card, scale: seg.scale, ...ranges[i]! }]));
  const rollups = new Map<number, VmPeriodRollup>();
  for (const span of spans) {
    const from = lowerBound(sampleTimes, span.firstSeen);
    const to = span.lastSeen === null ? sampleTimes.length : upperBound(sampleTimes, span.lastSeen);
    const n = to - from;
    if (n <= 0) continue;
    const lastTime = sampleTimes[to - 1]!;
    let rollup = rollups.get(span.lifecycleId);
    if (!rollup) {
      // A plain literal (no spread): one per VM.
      rollup = {
        lifecycleId: span.lifecycleId,
        snapshotTime: lastTime,
        latest: span,
        samplesPresent: 0,
        sumVcpu: 0,
        sumRamMb: 0,
        sumDiskCentiGb: 0,
        tinHits: 0,
        bronzeHits: 0,
        silverHits: 0,
        goldHits: 0,
        cost: { vcpu: 0, ram: 0, disk: 0, vm: 0, template: 0, srm: 0, node: 0 },
      };
      rollups.set(span.lifecycleId, rollup);
    } else if (lastTime > rollup.snapshotTime) {
      rollup.snapshotTime = lastTime;
      rollup.latest = span;
    }
    const vcpu = span.vcpuCount;
    const ram = ramMb(span.ramGb);
    const disk = diskCentiGb(span.provisionedDiskGb);
    rollup.samplesPresent += n;
    rollup.sumVcpu += n * vcpu;
    rollup.sumRamMb += n * ram;
    rollup.sumDiskCentiGb += n * disk;
    addHits(rollup, span.tier, n);
    // cost.ts addSampleCost for the span's samples in each priced segment, written out here because
    // it runs per span (~70,000 a fleet-L month): the exactness check runs once per VM, below.
    for (const p of priced) {
      const inSegment = Math.min(to, p.to) - Math.max(from, p.from);
      if (inSegment <= 0) continue;
      const k = inSegment * p.scale;
      const price = tierPrices(p.card, span.tier);
      const c = rollup.cost;
      c.vcpu += k * price.vcpu * vcpu;
      c.ram += k * price.ramGb * ram;
      c.disk += k * price.diskGb * disk;
      c.vm += k * price.vm;
      c.template += k * p.card.template;
      c.srm += k * p.card.srmPlaceholder;
      c.node += k * p.card.nodeCharged;
    }
  }
  // Every term is a non-negative integer, so a sum that stayed below 2^53 was added exactly (a
  // term past 2^53 would have taken the sum past it too): cost.ts's check of the sums.
  if (priced.length > 0) for (const r of rollups.values()) assertExactUnits(r.cost);
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

export function emptyCostedSums(): CostedSums {
  return { ...emptySums(), cost: emptyCostUnits() };
}

/** Adds b's sums and cost units into a. */
export function addCostedSums(a: CostedSums, b: CostedSums): void {
  addSums(a, b);
  addCostUnits(a.cost, b.cost);
}
