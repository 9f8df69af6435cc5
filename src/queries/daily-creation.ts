// GET /api/diagnostics/daily-creation: per vCenter and UTC day, the VMs present in that day's
// snapshots, and how many of them have a creation time (vCenter gives none for some VMs: it stays
// 0, shown as null, and such a VM is prorated from when vctp first saw it). A diagnostic for
// "why is this VM charged from that hour": the counts come from the spans, so days not yet
// aggregated count too.
import { VctpError } from '../core/errors.js';
import { formatDay, unixSeconds } from '../core/periods.js';
import { readDaySnapshots, readPresenceSpans, type DaySnapshots, type PresenceSpan } from '../store/daily-creation-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import type { QueryContext } from './context.js';

const DAY = 86_400;
export const DAILY_CREATION_DEFAULT_DAYS = 30;
export const DAILY_CREATION_MAX_DAYS = 366;

export interface CreationDay {
  day: string;
  /** 00:00 UTC of the day. */
  time: number;
  /** The vCenter's hourly snapshots that day; with none, no VM can have been seen. */
  snapshots: number;
  /** VMs in at least one of the day's snapshots. */
  vms: number;
  withCreationTime: number;
  withoutCreationTime: number;
  /** VMs of `vms` whose creation time falls on this day. */
  createdThatDay: number;
}

export interface VcenterCreationDays {
  vcenter: string;
  days: CreationDay[];
}

export interface DailyCreationReport {
  /** Days counted, today (so far) included. */
  days: number;
  /** First and last day, YYYY-MM-DD. */
  from: string;
  to: string;
  vcenters: VcenterCreationDays[];
}

export async function readDailyCreation(ctx: QueryContext, days: number): Promise<DailyCreationReport> {
  if (!Number.isInteger(days) || days < 1 || days > DAILY_CREATION_MAX_DAYS) {
    throw new VctpError('usage', `days ${days}: expected a whole number from 1 to ${DAILY_CREATION_MAX_DAYS}`);
  }
  const now = unixSeconds(ctx.now());
  const today = now - (now % DAY);
  const start = today - (days - 1) * DAY;
  const end = today + DAY;
  const vcenters = await listVcenters(ctx.store);
  const counts = countCreationDays(await readPresenceSpans(ctx.store, start, end), await readDaySnapshots(ctx.store, start, end), start, days);
  return {
    days,
    from: formatDay(start),
    to: formatDay(today),
    vcenters: vcenters.map((v) => ({ vcenter: v.name, days: counts.get(v.id) ?? emptyDays(start, days) })),
  };
}

function emptyDays(start: number, days: number): CreationDay[] {
  return Array.from({ length: days }, (_, i) => {
    const time = start + i * DAY;
    return { day: formatDay(time), time, snapshots: 0, vms: 0, withCreationTime: 0, withoutCreationTime: 0, createdThatDay: 0 };
  });
}

/**
 * Per vCenter id, the `days` days from `start`: a VM counts on a day when one of its spans covers
 * one of the day's snapshots (a span [firstSeen, lastSeen] holds every snapshot time between, so
 * that is: it starts by the day's last snapshot and ends at or after its first). `spans` are by VM
 * then time, as readPresenceSpans gives them, so a VM's days come in order and count once.
 */
export function countCreationDays(spans: readonly PresenceSpan[], snapshots: readonly DaySnapshots[], start: number, days: number): Map<number, CreationDay[]> {
  const result = new Map<number, CreationDay[]>();
  const snapshotDays = new Map<number, (DaySnapshots | undefined)[]>();
  const daysOf = (vcenterId: number) => {
    let list = result.get(vcenterId);
    if (!list) {
      result.set(vcenterId, (list = emptyDays(start, days)));
      snapshotDays.set(vcenterId, new Array<DaySnapshots | undefined>(days));
    }
    return list;
  };
  for (const s of snapshots) {
    const index = (s.day - start) / DAY;
    if (index < 0 || index >= days) continue;
    daysOf(s.vcenterId)[index]!.snapshots = s.count;
    snapshotDays.get(s.vcenterId)![index] = s;
  }
  let vm = -1;
  let lastCounted = -1;
  for (const span of spans) {
    if (span.lifecycleId !== vm) {
      vm = span.lifecycleId;
      lastCounted = -1;
    }
    const list = daysOf(span.vcenterId);
    const taken = snapshotDays.get(span.vcenterId)!;
    const end = span.lastSeen ?? Infinity;
    const first = Math.max(0, Math.floor((span.firstSeen - start) / DAY), lastCounted + 1);
    const last = Math.min(days - 1, end === Infinity ? days - 1 : Math.floor((end - start) / DAY));
    for (let i = first; i <= last; i++) {
      const day = taken[i];
      if (!day || span.firstSeen > day.last || end < day.first) continue;
      const counted = list[i]!;
      counted.vms++;
      if (span.creationTime === 0) counted.withoutCreationTime++;
      else counted.withCreationTime++;
      if (span.creationTime >= counted.time && span.creationTime < counted.time + DAY) counted.createdThatDay++;
      lastCounted = i;
    }
  }
  return result;
}
