// The reference workloads of README "Measured", generated as the
// state spans that hourly captures would have stored, without running the captures: a month of
// fleet-L through captureInventory would be 5,952 captures of 5,000 VMs. Pure and deterministic
// from the seed; src/store/bulk-load.ts writes the result.
//
// What capture would have produced, and so what this produces:
// - every vCenter has a snapshot at each hour of the period (registry times t_0 < t_1 < ...);
// - a change at time r (never on the hour) is first seen at the next snapshot: the old span's
//   last_seen is the snapshot before r, the new span's first_seen the one after;
// - a VM created at c is first seen at the first snapshot after c; a VM deleted at x was last seen
//   at the last snapshot before x and gets deletion_time x (its removal event's time);
// - a change, creation or deletion after the last snapshot is never seen, so it does not happen;
// - spans still open at the end have last_seen NULL, as do the lifecycle rows of VMs still present.
import type { Tier } from './tiers.js';
import { seededRandom } from './seeded-random.js';

export type FleetName = 'fleet-S' | 'fleet-L' | 'fleet-XL';

export const REFERENCE_FLEETS: Record<FleetName, { vcenters: number; vmsPerVcenter: number }> = {
  'fleet-S': { vcenters: 1, vmsPerVcenter: 1_000 },
  'fleet-L': { vcenters: 8, vmsPerVcenter: 5_000 },
  // The cost curve's top (README "Measured"): 320,000 VMs. Generated and loaded one vCenter at a
  // time (generateFleetChunks), never a whole month in memory.
  'fleet-XL': { vcenters: 32, vmsPerVcenter: 10_000 },
};

/** Per day, as fractions of a vCenter's fleet (README "Measured"): churn is split evenly into creations and deletions. */
export interface FleetRates {
  churn: number;
  resize: number;
  move: number;
}

export const REFERENCE_RATES: FleetRates = { churn: 0.02, resize: 0.01, move: 0.005 };

export interface FleetSpec {
  name: string;
  vcenters: number;
  vmsPerVcenter: number;
  /** 00:00 UTC of the first day, unix seconds. */
  start: number;
  days: number;
  snapshotSeconds: number;
  rates: FleetRates;
  seed: number;
}

const DAY = 86_400;

/**
 * A reference fleet over the latest complete calendar month of 31 days before `nowSeconds`: the
 * month is the benchmark's monthly window and its last day the daily one. Always 31 days, as the
 * reference says, so figures from different dates compare (a 30-day month is skipped).
 */
export function referenceFleetSpec(name: FleetName, nowSeconds: number, seed = 1): FleetSpec {
  const now = new Date(nowSeconds * 1000);
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth() - 1;
  for (;;) {
    const start = Date.UTC(year, month, 1) / 1000;
    const days = (Date.UTC(year, month + 1, 1) / 1000 - start) / DAY;
    if (days === 31) return { name, ...REFERENCE_FLEETS[name], start, days, snapshotSeconds: 3600, rates: REFERENCE_RATES, seed };
    month -= 1;
    if (month < 0) {
      month += 12;
      year -= 1;
    }
  }
}

export interface SyntheticPlacement {
  id: number;
  resourcePool: string | null;
  tier: Tier | null;
  datacenter: string;
  cluster: string;
  folder: string;
}

/** A VM's lifecycle row and its one identity row (identity never changes here, so the ids match). */
export interface SyntheticVm {
  id: number;
  vcenter: number;
  vmId: string;
  creationTime: number;
  deletionTime: number;
  firstSeen: number;
  lastSeen: number | null;
  vmUuid: string;
  instanceUuid: string;
  eventKey: string | null;
}

export interface SyntheticSpan {
  id: number;
  vcenter: number;
  lifecycleId: number;
  firstSeen: number;
  lastSeen: number | null;
  name: string;
  identityId: number;
  placementId: number;
  provisionedDiskGb: number;
  vcpuCount: number;
  ramGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
}

/** How many of each change were generated and seen (changes after the last snapshot are not). */
export interface FleetEvents {
  created: number;
  deleted: number;
  resized: number;
  moved: number;
}

export interface SyntheticFleet {
  spec: FleetSpec;
  /** vCenter names; `vcenter` fields index this list. */
  vcenters: string[];
  /** The snapshot times every vCenter has, ascending. */
  snapshotTimes: number[];
  placements: SyntheticPlacement[];
  vms: SyntheticVm[];
  spans: SyntheticSpan[];
  events: FleetEvents;
}

const TIER_POOLS: [string, Tier][] = [
  ['Tin', 'tin'],
  ['Bronze', 'bronze'],
  ['Silver', 'silver'],
  ['Gold', 'gold'],
];
const VCPUS = [1, 2, 2, 4, 4, 8, 16];
const RAM_GB = [2, 4, 8, 8, 16, 32, 64];
const CLUSTERS = 4;
const FOLDERS = 12;
const TEMPLATE_SHARE = 0.005;
const ROOT_POOL_SHARE = 0.05;
const SRM_SHARE = 0.003;

interface VmState {
  vm: SyntheticVm;
  name: string;
  /** -1: root pool ("Resources", no tier); -2: template (no pool). */
  pool: number;
  cluster: number;
  folder: number;
  provisionedDiskGb: number;
  vcpuCount: number;
  ramGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
  /** Index of the snapshot that first holds the current state. */
  from: number;
}

/**
 * One vCenter's part of a fleet: its lifecycle and span rows, the placements first used by it, and
 * the VMs present in each of its snapshots. Ids continue from the previous chunk's, so the chunks
 * of a fleet concatenated are exactly generateFleet's rows.
 */
export interface SyntheticFleetChunk {
  /** Index into the fleet's vCenter names. */
  vcenter: number;
  placements: SyntheticPlacement[];
  vms: SyntheticVm[];
  spans: SyntheticSpan[];
  /** VMs present at each snapshot of this vCenter (snapshot_registry.row_count). */
  counts: number[];
  events: FleetEvents;
}

/** The fleet's vCenter names and snapshot times, which every chunk refers to. */
export interface SyntheticFleetFrame {
  spec: FleetSpec;
  vcenters: string[];
  snapshotTimes: number[];
}

export function fleetFrame(spec: FleetSpec): SyntheticFleetFrame {
  const step = spec.snapshotSeconds;
  const snapshotCount = spec.days * Math.floor(DAY / step);
  return {
    spec,
    vcenters: Array.from({ length: spec.vcenters }, (_, v) => `vc${String(v + 1).padStart(2, '0')}.bench.example`),
    snapshotTimes: Array.from({ length: snapshotCount }, (_, k) => spec.start + k * step),
  };
}

/** The whole fleet in memory: the chunks of generateFleetChunks joined (fine for fleet-S/L and tests). */
export function generateFleet(spec: FleetSpec): SyntheticFleet {
  const { vcenters, snapshotTimes } = fleetFrame(spec);
  const placements: SyntheticPlacement[] = [];
  const vms: SyntheticVm[] = [];
  const spans: SyntheticSpan[] = [];
  const events: FleetEvents = { created: 0, deleted: 0, resized: 0, moved: 0 };
  for (const chunk of generateFleetChunks(spec)) {
    for (const p of chunk.placements) placements.push(p);
    for (const m of chunk.vms) vms.push(m);
    for (const x of chunk.spans) spans.push(x);
    addEvents(events, chunk.events);
  }
  return { spec, vcenters, snapshotTimes, placements, vms, spans, events };
}

export function addEvents(into: FleetEvents, add: FleetEvents): void {
  into.created += add.created;
  into.deleted += add.deleted;
  into.resized += add.resized;
  into.moved += add.moved;
}

/**
 * The fleet one vCenter at a time, in order (one random stream runs through all of them): what
 * holds a month of fleet-XL is one vCenter's 10,000 VMs, not 320,000.
 */
export function* generateFleetChunks(spec: FleetSpec): Generator<SyntheticFleetChunk> {
  const random = seededRandom(spec.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  /** x rounded up or down at random so that small fleets still get the rate on average. */
  const count = (x: number): number => Math.floor(x) + (random() < x - Math.floor(x) ? 1 : 0);
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
    return s;
  };
  const uuid = (): string => `42${hex(6)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;

  const step = spec.snapshotSeconds;
  const perDay = Math.floor(DAY / step);
  const snapshotCount = spec.days * perDay;
  const { snapshotTimes } = fleetFrame(spec);
  /** Index of the first snapshot strictly after t (snapshotCount: none). */
  const indexAfter = (t: number): number => Math.min(snapshotCount, Math.max(0, Math.floor((t - spec.start) / step) + 1));
  /** A time inside [from, from + length) that is never a snapshot time. */
  const offHour = (from: number, length: number): number => {
    const t = from + Math.floor(random() * length);
    return (t - spec.start) % step === 0 ? t + 1 + Math.floor(random() * (step - 1)) : t;
  };

  let placementCount = 0;
  let vmCount = 0;
  let spanCount = 0;
  // Per chunk: what the current vCenter adds.
  let placements: SyntheticPlacement[] = [];
  const placementIds = new Map<string, number>();
  const placementOf = (v: number, s: VmState): number => {
    const key = `${v}/${s.pool}/${s.cluster}/${s.folder}`;
    let id = placementIds.get(key);
    if (id === undefined) {
      id = ++placementCount;
      placementIds.set(key, id);
      const dc = `DC${v + 1}`;
      const pool = s.pool >= 0 ? TIER_POOLS[s.pool]! : null;
      placements.push({
        id,
        resourcePool: s.pool === -2 ? null : pool ? pool[0] : 'Resources',
        tier: pool ? pool[1] : null,
        datacenter: dc,
        cluster: `${dc}-Cluster${s.cluster + 1}`,
        folder: `/${dc}/vm/Team-${String(s.folder + 1).padStart(2, '0')}`,
      });
    }
    return id;
  };

  let vms: SyntheticVm[] = [];
  let spans: SyntheticSpan[] = [];
  let events: FleetEvents = { created: 0, deleted: 0, resized: 0, moved: 0 };

  const closeSpan = (v: number, s: VmState, last: number | null): void => {
    spans.push({
      id: 0, // numbered below, once the vCenter's spans are in capture order
      vcenter: v,
      lifecycleId: s.vm.id,
      firstSeen: snapshotTimes[s.from]!,
      lastSeen: last === null ? null : snapshotTimes[last]!,
      name: s.name,
      identityId: s.vm.id,
      placementId: placementOf(v, s),
      provisionedDiskGb: s.provisionedDiskGb,
      vcpuCount: s.vcpuCount,
      ramGb: s.ramGb,
      isTemplate: s.isTemplate,
      poweredOn: s.poweredOn,
      srmPlaceholder: s.srmPlaceholder,
    });
  };

  for (let v = 0; v < spec.vcenters; v++) {
    placements = [];
    vms = [];
    spans = [];
    events = { created: 0, deleted: 0, resized: 0, moved: 0 };
    let serial = 0;
    const newVm = (creationTime: number, from: number, initial: boolean): VmState => {
      serial++;
      const template = initial && random() < TEMPLATE_SHARE;
      const srm = !template && random() < SRM_SHARE;
      const vm: SyntheticVm = {
        id: ++vmCount,
        vcenter: v,
        vmId: `vm-${1000 + serial}`,
        creationTime,
        deletionTime: 0,
        firstSeen: snapshotTimes[from]!,
        lastSeen: null,
        vmUuid: uuid(),
        instanceUuid: uuid(),
        // VMs created while vctp watched have their creation event's key; the old ones mostly do not.
        eventKey: initial ? null : String(1_000_000 + Math.floor(random() * 9_000_000)),
      };
      vms.push(vm);
      return {
        vm,
        name: template ? `tpl-${v + 1}-${serial}` : `app-${v + 1}-${String(serial).padStart(5, '0')}.corp.example`,
        pool: template ? -2 : random() < ROOT_POOL_SHARE ? -1 : Math.floor(random() * TIER_POOLS.length),
        cluster: Math.floor(random() * CLUSTERS),
        folder: Math.floor(random() * FOLDERS),
        provisionedDiskGb: Math.round((40 + random() * 960) * 100) / 100,
        vcpuCount: pick(VCPUS),
        ramGb: pick(RAM_GB),
        isTemplate: template,
        poweredOn: !template && !srm && random() < 0.92,
        srmPlaceholder: srm,
        from,
      };
    };

    // The fleet as it is at the first snapshot; some VMs predate vctp's knowledge of their creation.
    const alive: VmState[] = [];
    for (let i = 0; i < spec.vmsPerVcenter; i++) {
      const created = random() < 0.02 ? 0 : spec.start - 1 - Math.floor(random() * 3 * 365 * DAY);
      alive.push(newVm(created, 0, true));
    }

    for (let day = 0; day < spec.days; day++) {
      const dayStart = spec.start + day * DAY;
      const size = alive.length;
      const deletions = count((spec.rates.churn / 2) * size);
      const creations = count((spec.rates.churn / 2) * size);
      const resizes = count(spec.rates.resize * size);
      const moves = count(spec.rates.move * size);

      // Disjoint VMs for the day's deletions, resizes and moves: a partial Fisher-Yates shuffle.
      const order = Array.from({ length: size }, (_, i) => i);
      let taken = 0;
      const next = (accept: (s: VmState) => boolean): VmState | undefined => {
        while (taken < size) {
          const j = taken + Math.floor(random() * (size - taken));
          const i = order[j]!;
          order[j] = order[taken]!;
          order[taken++] = i;
          const s = alive[i]!;
          if (accept(s)) return s;
        }
        return undefined;
      };
      type Change = { at: number; s: VmState; kind: 'delete' | 'resize' | 'move' };
      const changes: Change[] = [];
      for (let n = 0; n < deletions; n++) {
        const s = next(() => true);
        if (s) changes.push({ at: offHour(dayStart, DAY), s, kind: 'delete' });
      }
      for (let n = 0; n < resizes; n++) {
        const s = next((c) => !c.isTemplate);
        if (s) changes.push({ at: offHour(dayStart, DAY), s, kind: 'resize' });
      }
      for (let n = 0; n < moves; n++) {
        const s = next((c) => c.pool >= 0);
        if (s) changes.push({ at: offHour(dayStart, DAY), s, kind: 'move' });
      }

      const gone = new Set<VmState>();
      for (const { at, s, kind } of changes) {
        const k = indexAfter(at);
        if (k >= snapshotCount) continue; // after the last snapshot: never seen
        // One change per VM per day, each at a distinct hour: k is always past the open span's start.
        closeSpan(v, s, k - 1);
        if (kind === 'delete') {
          s.vm.deletionTime = at;
          s.vm.lastSeen = snapshotTimes[k - 1]!;
          gone.add(s);
          events.deleted++;
          continue;
        }
        if (kind === 'resize') {
          const what = Math.floor(random() * 3);
          if (what === 0) s.vcpuCount = s.vcpuCount >= 16 ? s.vcpuCount / 2 : s.vcpuCount * 2;
          else if (what === 1) s.ramGb = s.ramGb >= 64 ? s.ramGb / 2 : s.ramGb * 2;
          else s.provisionedDiskGb = Math.round((s.provisionedDiskGb + 10 + Math.floor(random() * 200)) * 100) / 100;
          events.resized++;
        } else {
          s.pool = (s.pool + 1 + Math.floor(random() * (TIER_POOLS.length - 1))) % TIER_POOLS.length;
          events.moved++;
        }
        s.from = k;
      }
      if (gone.size > 0) {
        let w = 0;
        for (const s of alive) if (!gone.has(s)) alive[w++] = s;
        alive.length = w;
      }
      for (let n = 0; n < creations; n++) {
        const at = offHour(dayStart, DAY);
        const k = indexAfter(at);
        if (k >= snapshotCount) continue;
        alive.push(newVm(at, k, false));
        events.created++;
      }
    }
    for (const s of alive) closeSpan(v, s, null);
    // Capture writes spans in snapshot order; ids in that order keep each VM's spans ascending too.
    // vCenter by vCenter, so a chunk's ids follow the previous chunk's.
    spans.sort((a, b) => a.firstSeen - b.firstSeen || a.lifecycleId - b.lifecycleId);
    for (const span of spans) span.id = ++spanCount;
    yield { vcenter: v, placements, vms, spans, counts: countPresent(spans, snapshotTimes), events };
  }
}

/** VMs present in each snapshot, per vCenter: what vm_hourly_stats must count and the registry's row_count. */
export function presentCounts(fleet: SyntheticFleet): number[][] {
  return fleet.vcenters.map((_, v) =>
    countPresent(
      fleet.spans.filter((span) => span.vcenter === v),
      fleet.snapshotTimes,
    ),
  );
}

/** VMs present in each snapshot, from one vCenter's spans. */
function countPresent(spans: readonly SyntheticSpan[], snapshotTimes: readonly number[]): number[] {
  const n = snapshotTimes.length;
  const start = snapshotTimes[0]!;
  const step = n > 1 ? snapshotTimes[1]! - start : 1;
  const index = (t: number): number => (t - start) / step;
  const delta = new Array<number>(n + 1).fill(0);
  for (const span of spans) {
    delta[index(span.firstSeen)]! += 1;
    delta[span.lastSeen === null ? n : index(span.lastSeen) + 1]! -= 1;
  }
  const counts: number[] = [];
  let running = 0;
  for (let k = 0; k < n; k++) counts.push((running += delta[k]!));
  return counts;
}
