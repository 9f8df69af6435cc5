// What `vctp demo` does to the simulator's inventory between its hourly snapshots, planned up front
// and deterministic from the seed: the hours to capture (the last N complete UTC days, one hour of
// them skipped so that its daily summary flags a missed snapshot), and a handful of changes a day
// of the kinds an operator makes (create, destroy, resize, move between tier pools, power on/off),
// each one consistent with the inventory as the earlier changes left it. Pure: src/jobs/demo
// applies the plan to the simulator and captures it.
import { VctpError } from './errors.js';
import { formatDay } from './periods.js';
import { seededRandom } from './seeded-random.js';

const HOUR = 3600;
const DAY = 86_400;

/** The simulator's tier pools (test/vcsim/inventory.go): every cluster has these under its root pool. */
export const DEMO_TIER_POOLS = ['Tin', 'Bronze', 'Silver', 'Gold'] as const;
export const MAX_DEMO_DAYS = 31;

/** A VM the demo may change (templates and SRM placeholders are left alone). */
export interface DemoVm {
  name: string;
  /** null: a standalone host's VM, which has no tier pools to move between. */
  cluster: string | null;
  pool: string | null;
  vcpu: number;
  memoryMb: number;
  poweredOn: boolean;
}

export interface DemoSize {
  vcpu: number;
  memoryMb: number;
}

export type DemoChange =
  | { kind: 'create'; vm: string; cluster: string; pool: string; vcpu: number; memoryMb: number; poweredOn: boolean }
  | { kind: 'destroy'; vm: string }
  | { kind: 'resize'; vm: string; from: DemoSize; to: DemoSize }
  | { kind: 'move'; vm: string; cluster: string; from: string; to: string }
  | { kind: 'power'; vm: string; on: boolean };

export type DemoChangeKind = DemoChange['kind'];

/** The last `days` complete UTC days before `nowSeconds`. */
export interface DemoWindow {
  /** 00:00 UTC of the first day. */
  start: number;
  /** 00:00 UTC of today: exclusive. */
  end: number;
  days: string[];
}

/** One hour of the plan: the changes made before its snapshot, and whether the snapshot is taken. */
export interface DemoHour {
  time: number;
  changes: DemoChange[];
  snapshot: boolean;
}

export interface DemoPlan {
  window: DemoWindow;
  hours: DemoHour[];
  /** The one skipped snapshot time. */
  missed: number;
  /** The inventory the plan leaves behind, by name. */
  final: DemoVm[];
}

export interface DemoPlanInput {
  window: DemoWindow;
  seed: number;
  /** The changeable VMs before the first snapshot. */
  vms: readonly DemoVm[];
}

export function demoWindow(nowSeconds: number, days: number): DemoWindow {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DEMO_DAYS) {
    throw new VctpError('usage', `--days ${days}: expected a whole number from 1 to ${MAX_DEMO_DAYS}`);
  }
  const end = nowSeconds - (nowSeconds % DAY);
  const start = end - days * DAY;
  return { start, end, days: Array.from({ length: days }, (_, i) => formatDay(start + i * DAY)) };
}

const ALL_KINDS: readonly DemoChangeKind[] = ['create', 'destroy', 'resize', 'move', 'power'];
/** Extra changes beyond one of each kind a day lean towards the everyday ones. */
const EXTRA_KINDS: readonly DemoChangeKind[] = ['resize', 'resize', 'power', 'power', 'move', 'create', 'destroy'];
const ROLES = ['web', 'app', 'db', 'api', 'cache', 'batch'];
const NEW_VCPU = [1, 2, 2, 4, 4, 8];
const NEW_MEMORY_MB = [2048, 4096, 4096, 8192, 16384];
const MAX_VCPU = 16;
const MAX_MEMORY_MB = 65_536;

export function planDemo(input: DemoPlanInput): DemoPlan {
  const { window } = input;
  const random = seededRandom(input.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

  const dayCount = window.days.length;
  // The middle day, in office hours: the summary of that day shows 23/24.
  const missed = window.start + Math.floor(dayCount / 2) * DAY + between(9, 16) * HOUR;

  const state = new Map(input.vms.map((vm) => [vm.name, { ...vm }]));
  const clusters = [...new Set(input.vms.flatMap((vm) => (vm.cluster === null ? [] : [vm.cluster])))].sort();
  let created = 0;
  const changesAt = new Map<number, DemoChange[]>();

  for (let d = 0; d < dayCount; d++) {
    const dayStart = window.start + d * DAY;
    const kinds = [...ALL_KINDS];
    for (let extra = between(0, 2); extra > 0; extra--) kinds.push(pick(EXTRA_KINDS));
    // A change is made in the hour before the snapshot that first sees it; none before the first.
    const slots = kinds.map((kind) => ({ kind, time: dayStart + between(d === 0 ? 1 : 0, 23) * HOUR })).sort((a, b) => a.time - b.time);
    const touched = new Map<number, Set<string>>();
    for (const { kind, time } of slots) {
      const busy = touched.get(time) ?? new Set<string>();
      touched.set(time, busy);
      const candidates = (filter: (vm: DemoVm) => boolean) =>
        [...state.values()].filter((vm) => !busy.has(vm.name) && filter(vm)).sort((a, b) => a.name.localeCompare(b.name));
      const change = makeChange(kind, candidates);
      if (!change) continue;
      busy.add(change.vm);
      apply(state, change);
      const list = changesAt.get(time) ?? [];
      list.push(change);
      changesAt.set(time, list);
    }
  }

  function makeChange(kind: DemoChangeKind, candidates: (filter: (vm: DemoVm) => boolean) => DemoVm[]): DemoChange | null {
    switch (kind) {
      case 'create': {
        if (clusters.length === 0) return null;
        created += 1;
        return {
          kind,
          vm: `demo-${pick(ROLES)}-${String(created).padStart(2, '0')}`,
          cluster: pick(clusters),
          pool: pick(DEMO_TIER_POOLS),
          vcpu: pick(NEW_VCPU),
          memoryMb: pick(NEW_MEMORY_MB),
          poweredOn: random() < 0.9,
        };
      }
      case 'destroy': {
        const all = candidates(() => true);
        return all.length === 0 ? null : { kind, vm: pick(all).name };
      }
      case 'resize': {
        const all = candidates(() => true);
        if (all.length === 0) return null;
        const vm = pick(all);
        const up = vm.vcpu <= 1 ? true : vm.vcpu >= MAX_VCPU ? false : random() < 0.6;
        const to = up
          ? { vcpu: Math.min(MAX_VCPU, vm.vcpu * 2), memoryMb: Math.min(MAX_MEMORY_MB, vm.memoryMb * 2) }
          : { vcpu: Math.max(1, Math.floor(vm.vcpu / 2)), memoryMb: Math.max(1024, Math.floor(vm.memoryMb / 2048) * 1024) };
        return { kind, vm: vm.name, from: { vcpu: vm.vcpu, memoryMb: vm.memoryMb }, to };
      }
      case 'move': {
        const all = candidates((vm) => vm.cluster !== null);
        if (all.length === 0) return null;
        const vm = pick(all);
        const to = pick(DEMO_TIER_POOLS.filter((pool) => pool !== vm.pool));
        return { kind, vm: vm.name, cluster: vm.cluster!, from: vm.pool ?? '-', to };
      }
      case 'power': {
        const all = candidates(() => true);
        if (all.length === 0) return null;
        const vm = pick(all);
        return { kind, vm: vm.name, on: !vm.poweredOn };
      }
    }
  }

  const hours: DemoHour[] = [];
  for (let time = window.start; time < window.end; time += HOUR) {
    hours.push({ time, changes: changesAt.get(time) ?? [], snapshot: time !== missed });
  }
  return { window, hours, missed, final: [...state.values()] };
}

/** Applies one change to a model of the inventory (the plan's, and the unit test's). */
export function apply(state: Map<string, DemoVm>, change: DemoChange): void {
  const vm = state.get(change.vm);
  switch (change.kind) {
    case 'create':
      state.set(change.vm, {
        name: change.vm,
        cluster: change.cluster,
        pool: change.pool,
        vcpu: change.vcpu,
        memoryMb: change.memoryMb,
        poweredOn: change.poweredOn,
      });
      return;
    case 'destroy':
      state.delete(change.vm);
      return;
    case 'resize':
      if (vm) Object.assign(vm, change.to);
      return;
    case 'move':
      if (vm) vm.pool = change.to;
      return;
    case 'power':
      if (vm) vm.poweredOn = change.on;
      return;
  }
}

const gb = (memoryMb: number): string => `${Number((memoryMb / 1024).toFixed(2))} GB`;

/** One short line per change, as the demo prints it. */
export function describeChange(change: DemoChange): string {
  switch (change.kind) {
    case 'create':
      return `created ${change.vm} in ${change.cluster}/${change.pool} (${change.vcpu} vCPU, ${gb(change.memoryMb)}${change.poweredOn ? ', on' : ', off'})`;
    case 'destroy':
      return `destroyed ${change.vm}`;
    case 'resize': {
      const parts: string[] = [];
      if (change.from.vcpu !== change.to.vcpu) parts.push(`${change.from.vcpu}->${change.to.vcpu} vCPU`);
      if (change.from.memoryMb !== change.to.memoryMb) parts.push(`${gb(change.from.memoryMb)}->${gb(change.to.memoryMb)}`);
      return `resized ${change.vm}: ${parts.join(', ') || 'unchanged'}`;
    }
    case 'move':
      return `moved ${change.vm}: ${change.cluster}/${change.from} -> ${change.to}`;
    case 'power':
      return `powered ${change.on ? 'on' : 'off'} ${change.vm}`;
  }
}
