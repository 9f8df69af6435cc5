// `vctp trace VM`: one VM over time. Hourly: the rows vm_hourly_stats would give for the VM, built
// from its few spans and the registry times of the window, each marked with what changed since the
// sample before. Daily: its vm_daily_rollup rows. Both carry the VM's lifecycle.
import { VctpError } from '../core/errors.js';
import { formatDay } from '../core/periods.js';
import {
  findTraceTargets,
  readTraceDaily,
  readTraceSpans,
  readTraceTimes,
  type TraceDailyRow,
  type TraceMatch,
  type TraceSpan,
  type TraceState,
  type TraceTarget,
} from '../store/trace-repository.js';
import { latestSnapshotTime, listVcenters } from '../store/vcenter-repository.js';
import type { QueryContext } from './context.js';

const DAY = 86_400;
/** More matches than this is a too-vague argument, not a trace anyone can read. */
export const MAX_TRACED_VMS = 20;

export type TraceView = 'hourly' | 'daily';

export interface TraceInput {
  vm: string;
  view: TraceView;
  /** Inclusive bounds, unix seconds. */
  from: number;
  to: number;
  vcenter?: string;
}

/** The state fields compared between samples; the first nine are the hourly table's columns. */
export const TRACKED_FIELDS = [
  'name',
  'poweredOn',
  'vcpuCount',
  'ramGb',
  'provisionedDiskGb',
  'resourcePool',
  'tier',
  'cluster',
  'folder',
  'datacenter',
  'isTemplate',
  'srmPlaceholder',
  'vmUuid',
  'instanceUuid',
  'eventKey',
  'cloudId',
] as const satisfies readonly (keyof TraceState)[];
export type TrackedField = (typeof TRACKED_FIELDS)[number];

export type HourlyNote = 'new' | 'returned' | 'gone after';

export interface HourlyTraceRow extends TraceState {
  time: number;
  vcenter: string;
  /** Fields that differ from the VM's previous sample (empty within a span and on its first sample). */
  changed: TrackedField[];
  /** new: the VM's first sample; returned: absent from the snapshot(s) before; gone after: absent from the next one. */
  notes: HourlyNote[];
}

export interface DailyTraceRow extends Omit<TraceDailyRow, 'day'> {
  day: string;
  time: number;
  /** Snapshots the vCenter missed that day (expected - total); null when unknown (no expected count). */
  missedSamples: number | null;
}

export interface TracedVm {
  vcenter: string;
  vmId: string;
  inventoryId: number;
  matchedBy: TraceMatch[];
  /** The VM's latest known values (its latest span up to the window's end). */
  name: string | null;
  vmUuid: string | null;
  instanceUuid: string | null;
  lifecycle: {
    /** 0 when vCenter gave none (null in the JSON shape, src/queries/json-shape.ts). */
    creationTime: number;
    /** 0 while the VM exists (null in the JSON shape). */
    deletionTime: number;
    firstSeen: number;
    /** The latest snapshot the VM was in (for a present VM: its vCenter's latest snapshot). */
    lastSeen: number | null;
    present: boolean;
  };
  hourly?: HourlyTraceRow[];
  daily?: DailyTraceRow[];
}

export interface TraceResult {
  query: string;
  view: TraceView;
  from: number;
  to: number;
  vcenter: string | null;
  vms: TracedVm[];
}

export async function traceVm(ctx: QueryContext, input: TraceInput): Promise<TraceResult> {
  if (input.from > input.to) {
    throw new VctpError('usage', `--from ${iso(input.from)} is after --to ${iso(input.to)}`);
  }
  const vm = input.vm.trim();
  if (vm === '') throw new VctpError('usage', 'trace: the VM argument is empty; give a name, managed object id (vm-42) or uuid');
  const known = await listVcenters(ctx.store);
  let vcenters = known;
  if (input.vcenter !== undefined) {
    vcenters = known.filter((v) => v.name === input.vcenter);
    if (vcenters.length === 0) {
      throw new VctpError('usage', `--vcenter ${input.vcenter}: no snapshots of such a vCenter (known: ${known.map((v) => v.name).join(', ') || 'none'})`);
    }
  }
  const targets = await findTraceTargets(ctx.store, vm, vcenters.map((v) => v.id));
  const where = input.vcenter === undefined ? '' : ` in vCenter ${input.vcenter}`;
  if (targets.length === 0) {
    throw new VctpError('not-found', `unknown VM "${vm}"${where}: it is no VM's name, managed object id (vm-42) or uuid in the snapshots`);
  }
  if (targets.length > MAX_TRACED_VMS) {
    const sample = targets.slice(0, 5).map((t) => `${t.vcenter}/${t.vmId}`).join(', ');
    throw new VctpError(
      'usage',
      `"${vm}"${where} matches ${targets.length} VMs (${sample}, ...); narrow it with --vcenter, or trace by managed object id or uuid`,
    );
  }

  const spans = await readTraceSpans(ctx.store, targets, input.to);
  const spansOf = groupBy(spans, (s) => s.lifecycleId);
  const latest = new Map<number, number | null>();
  for (const id of new Set(targets.map((t) => t.vcenterId))) latest.set(id, await latestSnapshotTime(ctx.store, id));
  const timesOf = new Map<number, { times: number[]; before: number | null }>();

  const vms: TracedVm[] = [];
  for (const target of targets) {
    const own = spansOf.get(target.lifecycleId) ?? [];
    const newest = own.at(-1)?.state ?? null;
    const traced: TracedVm = {
      vcenter: target.vcenter,
      vmId: target.vmId,
      inventoryId: target.lifecycleId,
      matchedBy: target.matchedBy,
      name: newest?.name ?? null,
      vmUuid: newest?.vmUuid ?? null,
      instanceUuid: newest?.instanceUuid ?? null,
      lifecycle: {
        creationTime: target.creationTime,
        deletionTime: target.deletionTime,
        firstSeen: target.firstSeen,
        lastSeen: target.lastSeen ?? latest.get(target.vcenterId) ?? null,
        present: target.lastSeen === null,
      },
    };
    if (input.view === 'hourly') {
      let times = timesOf.get(target.vcenterId);
      if (!times) {
        times = await readTraceTimes(ctx.store, target.vcenterId, input.from, input.to);
        timesOf.set(target.vcenterId, times);
      }
      traced.hourly = hourlyTrace(target, own, times.times, times.before);
    } else {
      const fromDay = input.from - (input.from % DAY);
      const rows = await readTraceDaily(ctx.store, target, fromDay, input.to);
      traced.daily = rows.map(({ day, ...row }) => ({
        day: formatDay(day),
        time: day,
        ...row,
        missedSamples: row.expectedSamples === null ? null : Math.max(0, row.expectedSamples - row.totalSamples),
      }));
    }
    vms.push(traced);
  }
  return { query: vm, view: input.view, from: input.from, to: input.to, vcenter: input.vcenter ?? null, vms };
}

/**
 * One VM's hourly rows from its spans (ascending, non-overlapping) and its vCenter's registry
 * times in the window (ascending). `before` is the vCenter's latest snapshot before the window,
 * so that a span starting at the window's first sample is still told apart from a return.
 * Spans before the window serve only as the baseline for the first change marks.
 */
export function hourlyTrace(target: Pick<TraceTarget, 'vcenter' | 'firstSeen'>, spans: readonly TraceSpan[], times: readonly number[], before: number | null): HourlyTraceRow[] {
  const rows: HourlyTraceRow[] = [];
  let i = 0;
  spans.forEach((span, index) => {
    const previous = index > 0 ? spans[index - 1] : undefined;
    const next = spans[index + 1];
    const end = span.lastSeen ?? Infinity;
    while (i < times.length && times[i]! < span.firstSeen) i++;
    for (; i < times.length && times[i]! <= end; i++) {
      const time = times[i]!;
      const notes: HourlyNote[] = [];
      let changed: TrackedField[] = [];
      if (time === span.firstSeen) {
        const sampleBefore = i > 0 ? times[i - 1]! : before;
        if (time === target.firstSeen) notes.push('new');
        else if (previous && previous.lastSeen !== sampleBefore) notes.push('returned');
        if (previous) changed = changedFields(previous.state, span.state);
      }
      const sampleAfter = times[i + 1];
      if (time === span.lastSeen && sampleAfter !== undefined && next?.firstSeen !== sampleAfter) notes.push('gone after');
      rows.push({ time, vcenter: target.vcenter, ...span.state, changed, notes });
    }
  });
  return rows;
}

export function changedFields(a: TraceState, b: TraceState): TrackedField[] {
  return TRACKED_FIELDS.filter((field) => a[field] !== b[field]);
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const iso = (unix: number) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
