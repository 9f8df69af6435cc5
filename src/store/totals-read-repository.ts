// Reads behind `vctp totals` and the missed-snapshot part of `vctp status`: rows of the
// vcenter_aggregate_totals cache, and per-day sample counts from snapshot_registry. Both are
// ranges of a primary key or unique index (vcenter_id, kind, time), so they stay fast however
// much history there is.
import { sql } from 'drizzle-orm';
import type { Money } from '../core/cost.js';
import type { VcenterTotals } from '../core/totals.js';
import type { SqlExecutor } from './executor.js';
import { inList, num } from './sql-util.js';
import { totalsCostFromRow, totalsFromRow } from './totals-repository.js';

export type TotalsKind = 'hourly' | 'daily' | 'monthly';

export interface AggregateTotalsRow {
  vcenter: string;
  kind: TotalsKind;
  /** Snapshot time (hourly) or the period's start (daily, monthly). */
  snapshotTime: number;
  totals: VcenterTotals;
  /** Daily and monthly rows: the period's cost (0 without rate cards); null on hourly rows and on periods aggregated before vctp priced them. */
  cost: Money | null;
  /** Daily and monthly rows: samples the cadence expected and the vCenter has (null on hourly rows). */
  expectedSamples: number | null;
  presentSamples: number | null;
}

/** The vCenters' rows of one kind with snapshot_time >= since, by vCenter then time. */
export async function readAggregateTotals(db: SqlExecutor, kind: TotalsKind, since: number, vcenterIds: readonly number[]): Promise<AggregateTotalsRow[]> {
  if (vcenterIds.length === 0) return [];
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT v.name AS vcenter, t.*
    FROM vcenter_aggregate_totals t JOIN vcenters v ON v.id = t.vcenter_id
    WHERE t.vcenter_id IN (${inList(vcenterIds)}) AND t.kind = ${kind} AND t.snapshot_time >= ${since}
    ORDER BY v.name, t.snapshot_time`);
  return rows.map((r) => ({
    vcenter: String(r.vcenter),
    kind,
    snapshotTime: num(r.snapshot_time),
    totals: totalsFromRow(r),
    cost: totalsCostFromRow(r),
    expectedSamples: r.expected_samples == null ? null : num(r.expected_samples),
    presentSamples: r.present_samples == null ? null : num(r.present_samples),
  }));
}

export interface DaySamples {
  /** 00:00 UTC of the day. */
  day: number;
  /** Hourly registry rows (snapshots stored) that day. */
  snapshots: number;
  /** The day's daily registry row, when the day has been aggregated. */
  summary: { expected: number | null; total: number | null } | null;
}

export interface SampleCoverage {
  firstSnapshot: number | null;
  lastSnapshot: number | null;
  /** Days in [start, end) with snapshots or a daily summary, ascending. */
  days: DaySamples[];
}

/** One vCenter's snapshots per UTC day in [start, end) (start and end at 00:00), and its first and last snapshot ever. */
export async function readSampleCoverage(db: SqlExecutor, vcenterId: number, start: number, end: number): Promise<SampleCoverage> {
  const bounds = await db.all<{ first: number | null; last: number | null }>(sql`
    SELECT MIN(snapshot_time) AS first, MAX(snapshot_time) AS last FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind = 'hourly'`);
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT kind, snapshot_time - (snapshot_time % 86400) AS day, COUNT(*) AS n,
           MAX(expected_samples) AS expected, MAX(total_samples) AS total
    FROM snapshot_registry
    WHERE vcenter_id = ${vcenterId} AND kind IN ('hourly', 'daily') AND snapshot_time >= ${start} AND snapshot_time < ${end}
    GROUP BY kind, snapshot_time - (snapshot_time % 86400)`);
  const days = new Map<number, DaySamples>();
  const dayOf = (day: number) => {
    let entry = days.get(day);
    if (!entry) days.set(day, (entry = { day, snapshots: 0, summary: null }));
    return entry;
  };
  for (const r of rows) {
    const entry = dayOf(num(r.day));
    if (r.kind === 'hourly') entry.snapshots = num(r.n);
    else entry.summary = { expected: r.expected == null ? null : num(r.expected), total: r.total == null ? null : num(r.total) };
  }
  const b = bounds[0];
  return {
    firstSnapshot: b?.first == null ? null : num(b.first),
    lastSnapshot: b?.last == null ? null : num(b.last),
    days: [...days.values()].sort((x, y) => x.day - y.day),
  };
}
