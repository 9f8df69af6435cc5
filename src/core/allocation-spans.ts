// Per-VM figures of an allocation window that is not one stored month (README "Allocation"):
// computed from one vCenter's spans and its hourly sample times in the window. Sums are exact
// integers (src/core/period-rollup.ts); cost units are summed per calendar month part of the window,
// each sample priced by its card and tier (src/core/cost.ts), and turned into money once per month
// part with windowMoney: sum over m of units_m x windowDays / (1e6 x k x T x monthDays_m).
import type { ChargeClass, ChargeableFacts } from './charge-rules.js';
import { chargedUnits, windowMoney, type CostUnits, type MonthPart, type Money } from './cost.js';
import { addSums, emptySums, rollupSpans, type AggregationSpan, type SampleSums } from './period-rollup.js';
import { pricingSegments, type PricingSegment, type RateCard } from './rate-cards.js';
import { monthParts } from './allocation-window.js';

/** A span as allocation reads it: as aggregation does, with its attribute set's id. */
export type AllocationSpan = AggregationSpan;

export interface VmWindowFigures {
  lifecycleId: number;
  /** The span of the VM's latest sample in the window: its name, placement and attributes there. */
  latest: AllocationSpan;
  sums: SampleSums;
  /** The window's samples of the VM's vCenter. */
  totalSamples: number;
  chargeClass: ChargeClass;
  money: Money;
}

/** Index of the first element >= value. */
export function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The sample indexes [from, to) of `times` (sorted) at which a span holds its VM. */
export function spanSampleRange(times: readonly number[], firstSeen: number, lastSeen: number | null): [number, number] {
  const from = lowerBound(times, firstSeen);
  const to = lastSeen === null ? times.length : lowerBound(times, lastSeen + 1);
  return [from, Math.max(from, to)];
}

/** How many of a span's samples fall in each pricing segment (segments with none left out). */
export function spanSegmentCounts(
  times: readonly number[],
  span: Pick<AggregationSpan, 'firstSeen' | 'lastSeen'>,
  segments: readonly PricingSegment[],
): { segment: PricingSegment; samples: number }[] {
  const [from, to] = spanSampleRange(times, span.firstSeen, span.lastSeen);
  const counts: { segment: PricingSegment; samples: number }[] = [];
  if (to <= from) return counts;
  for (const segment of segments) {
    const a = Math.max(from, lowerBound(times, segment.start));
    const b = Math.min(to, lowerBound(times, segment.end));
    if (b > a) counts.push({ segment, samples: b - a });
  }
  return counts;
}

/**
 * Every VM present in at least one of `times` (one vCenter's hourly samples in [start, end),
 * ascending) with its sums, class (as of its latest sample) and money over the window of `days`
 * whole days. Each month part is rolled up on its own (rollupSpans with that part's pricing
 * segments), so each part's cost units stay apart for windowMoney; the sums add up exactly.
 */
export function windowFigures(
  times: readonly number[],
  spans: readonly AllocationSpan[],
  cards: readonly RateCard[],
  window: { start: number; end: number; days: number },
  classify: (vm: ChargeableFacts) => ChargeClass,
): VmWindowFigures[] {
  const parts = monthParts(window.start, window.end);
  const vms = new Map<number, { latest: AllocationSpan; snapshotTime: number; sums: SampleSums; units: (CostUnits | undefined)[] }>();
  parts.forEach((part, i) => {
    const partTimes = times.slice(lowerBound(times, part.start), lowerBound(times, part.end));
    if (partTimes.length === 0) return;
    for (const rollup of rollupSpans(partTimes, spans, pricingSegments(cards, part.start, part.end)).values()) {
      let vm = vms.get(rollup.lifecycleId);
      if (!vm) {
        vm = { latest: rollup.latest as AllocationSpan, snapshotTime: rollup.snapshotTime, sums: emptySums(), units: parts.map(() => undefined) };
        vms.set(rollup.lifecycleId, vm);
      } else if (rollup.snapshotTime > vm.snapshotTime) {
        vm.latest = rollup.latest as AllocationSpan;
        vm.snapshotTime = rollup.snapshotTime;
      }
      addSums(vm.sums, rollup);
      vm.units[i] = rollup.cost;
    }
  });
  const figures: VmWindowFigures[] = [];
  for (const [lifecycleId, vm] of vms) {
    const chargeClass = classify(vm.latest);
    const monthMoney: MonthPart[] = [];
    parts.forEach((part, i) => {
      const units = vm.units[i];
      if (units) monthMoney.push({ charged: chargedUnits(units, chargeClass), monthDays: part.monthDays });
    });
    figures.push({ lifecycleId, latest: vm.latest, sums: vm.sums, totalSamples: times.length, chargeClass, money: windowMoney(monthMoney, times.length, window.days) });
  }
  figures.sort((a, b) => a.lifecycleId - b.lifecycleId);
  return figures;
}
