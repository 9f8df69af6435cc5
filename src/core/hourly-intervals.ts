// Hourly interval totals of a day (spec "Snapshots and Reports", README "Reports").
// Row [HH:00, HH+1:00) is read from the first snapshot at or after the hour's END (HH+1:00, the next
// day's first snapshot for 23:00; when that snapshot is missing, the next one after it), and every
// VM counts with presence = |[creation, deletion) ∩ [HH:00, HH+1:00)| / 3600, creation 0 meaning
// "existed before", deletion 0 "still exists".
//
// Which VMs are "the VMs of that snapshot": the rule needs every VM alive during the hour, and a VM
// deleted inside the hour (say at HH:45) is by definition absent from the HH+1:00 snapshot. So an
// interval counts
//   (a) every VM present in the chosen snapshot, in the state that snapshot holds, and
//   (b) every VM absent from it whose lifecycle deletion time falls after the hour's start (so
//       after the hour began and, being absent, no later than the chosen snapshot), in its last
//       known state: the span it was last seen in.
// A VM of (a) created after the hour ended (between the hour's end and a late snapshot) has zero
// overlap and is not counted; neither is a VM of (b) created after the hour ended. A VM that came
// and went between two snapshots was never seen and cannot be counted. A VM that vanished and came
// back (same managed object id) has no deletion time any more, so the hours it was missing from
// are not filled in for it.
import type { ChargeClass } from './charge-rules.js';
import type { Tier } from './tiers.js';
import { diskCentiGb, ramMb } from './units.js';
import { addContribution, type Breakdown, type Contribution, emptyBreakdown } from './report-totals.js';

export const HOUR = 3600;

/** A span of one VM as the interval rule reads it, already classified by the charge rules. */
export interface IntervalSpan {
  lifecycleId: number;
  firstSeen: number;
  /** null while open: present up to the vCenter's latest snapshot. */
  lastSeen: number | null;
  chargeClass: ChargeClass;
  tier: Tier | null;
  vcpuCount: number;
  ramGb: number;
  provisionedDiskGb: number;
}

export interface IntervalLifecycle {
  /** Unix seconds; 0 when vCenter gave none: the VM existed before any hour we look at. */
  creationTime: number;
  /** Unix seconds; 0 while the VM exists. */
  deletionTime: number;
}

export interface IntervalVm {
  lifecycleId: number;
  /** Share of the hour the VM existed, in (0, 1]. */
  presence: number;
  /** The state it is counted with. */
  span: IntervalSpan;
  /** (a) present in the chosen snapshot, or (b) deleted after the hour began. */
  source: 'snapshot' | 'deleted';
}

/** One vCenter's data for the interval rule. */
export interface IntervalSource {
  /** Its hourly snapshot times, ascending: those of the day and at least the first one after it. */
  sampleTimes: readonly number[];
  spans: Iterable<IntervalSpan>;
  lifecycle: ReadonlyMap<number, IntervalLifecycle>;
}

/** |[creation, deletion) ∩ [start, end)| / (end - start); creation 0 = -inf, deletion 0 = +inf. */
export function presenceInInterval(life: IntervalLifecycle, start: number, end: number): number {
  const from = life.creationTime === 0 ? start : Math.max(start, life.creationTime);
  const to = life.deletionTime === 0 ? end : Math.min(end, life.deletionTime);
  return to <= from ? 0 : (to - from) / (end - start);
}

/** The first snapshot time at or after `t`, or null when there is none yet. */
export function firstSnapshotAtOrAfter(sampleTimes: readonly number[], t: number): number | null {
  let lo = 0;
  let hi = sampleTimes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sampleTimes[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo < sampleTimes.length ? sampleTimes[lo]! : null;
}

/** Spans grouped per VM, ordered by first_seen: the lookups every hour of the day repeats. */
export class IntervalIndex {
  private readonly byVm = new Map<number, IntervalSpan[]>();

  constructor(private readonly source: IntervalSource) {
    for (const span of source.spans) {
      const list = this.byVm.get(span.lifecycleId);
      if (list) list.push(span);
      else this.byVm.set(span.lifecycleId, [span]);
    }
    for (const list of this.byVm.values()) list.sort((a, b) => a.firstSeen - b.firstSeen);
  }

  /** The snapshot interval [start, start + 3600) is read from, or null before it exists. */
  snapshotFor(start: number): number | null {
    return firstSnapshotAtOrAfter(this.source.sampleTimes, start + HOUR);
  }

  /** The VMs counted in [start, start + 3600) and their presence (see the rule at the top). */
  vmsOf(start: number): { snapshotTime: number | null; vms: IntervalVm[] } {
    const end = start + HOUR;
    const snapshot = this.snapshotFor(start);
    if (snapshot === null) return { snapshotTime: null, vms: [] };
    const vms: IntervalVm[] = [];
    for (const [lifecycleId, spans] of this.byVm) {
      const life = this.source.lifecycle.get(lifecycleId) ?? { creationTime: 0, deletionTime: 0 };
      const holding = spans.find((s) => s.firstSeen <= snapshot && (s.lastSeen === null || s.lastSeen >= snapshot));
      if (holding) {
        const presence = presenceInInterval(life, start, end);
        if (presence > 0) vms.push({ lifecycleId, presence, span: holding, source: 'snapshot' });
        continue;
      }
      if (life.deletionTime === 0 || life.deletionTime <= start) continue;
      let last: IntervalSpan | undefined;
      for (const s of spans) if (s.lastSeen !== null && s.lastSeen < snapshot && (!last || s.lastSeen > last.lastSeen!)) last = s;
      if (!last) continue;
      const presence = presenceInInterval(life, start, end);
      if (presence > 0) vms.push({ lifecycleId, presence, span: last, source: 'deleted' });
    }
    return { snapshotTime: snapshot, vms };
  }
}

/** A VM's contribution to interval totals: its presence as the sample weight (TotalSamples = 1). */
export function intervalContribution(vm: IntervalVm): Contribution {
  const { presence: p, span } = vm;
  return {
    chargeClass: span.chargeClass,
    samplesPresent: p,
    sumVcpu: p * span.vcpuCount,
    sumRamMb: p * ramMb(span.ramGb),
    sumDiskCentiGb: p * diskCentiGb(span.provisionedDiskGb),
    tinHits: span.tier === 'tin' ? p : 0,
    bronzeHits: span.tier === 'bronze' ? p : 0,
    silverHits: span.tier === 'silver' ? p : 0,
    goldHits: span.tier === 'gold' ? p : 0,
  };
}

export interface HourIntervalTotals {
  start: number;
  end: number;
  /** The snapshot the row was read from; null when it does not exist yet (the row stays empty). */
  snapshotTime: number | null;
  sums: Breakdown;
}

/** The interval rows [start + k h, start + (k+1) h) for k < hours, of one vCenter. */
export function hourlyIntervalTotals(dayStart: number, source: IntervalSource, hours = 24): HourIntervalTotals[] {
  const index = new IntervalIndex(source);
  const rows: HourIntervalTotals[] = [];
  for (let k = 0; k < hours; k++) {
    const start = dayStart + k * HOUR;
    const { snapshotTime, vms } = index.vmsOf(start);
    const sums = emptyBreakdown();
    for (const vm of vms) addContribution(sums, intervalContribution(vm));
    rows.push({ start, end: start + HOUR, snapshotTime, sums });
  }
  return rows;
}
