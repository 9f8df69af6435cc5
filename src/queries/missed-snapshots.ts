// Per vCenter, the complete UTC days of the last `days` that have fewer snapshots than the cadence
// expects: GET /api/snapshots/missed over a window the caller picks, `vctp status` over a week.
import { VctpError } from '../core/errors.js';
import { configuredVcenterUrls } from '../core/vcenter-logins.js';
import { dayPeriod, expectedSamples, formatDay, unixSeconds } from '../core/periods.js';
import { readSampleCoverage, type SampleCoverage } from '../store/totals-read-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { vcenterName } from '../vcenter/index.js';
import type { QueryContext } from './context.js';

const DAY = 86_400;
export const MISSED_DEFAULT_DAYS = 7;

export interface StatusSettings {
  vcenter_addresses: readonly string[];
  vcenters?: readonly { url: string }[];
  vcenter_inventory_snapshot_seconds: number;
}

/** A complete UTC day with fewer snapshots than the cadence expects. */
export interface MissedSnapshotDay {
  day: string;
  expected: number;
  present: number;
  missing: number;
  /**
   * summary: the counts of the day's daily summary (what the day was billed on);
   * snapshots: the day is not aggregated yet, so they count its hourly snapshots against
   * 86400 / vcenter_inventory_snapshot_seconds.
   */
  source: 'summary' | 'snapshots';
}

export interface MissedSnapshots {
  /** First and last day checked (YYYY-MM-DD); null when no day of the window could be checked. */
  from: string | null;
  to: string | null;
  daysChecked: number;
  missing: number;
  days: MissedSnapshotDay[];
}

/** Each day is one group of the registry's index range; 90 days keeps the answer well under a second. */
export const MISSED_MAX_DAYS = 90;

export interface VcenterMissedSnapshots extends MissedSnapshots {
  vcenter: string;
  configured: boolean;
}

export interface MissedSnapshotsReport {
  /** Complete days before today that were checked (from each vCenter's first snapshot on). */
  days: number;
  vcenters: VcenterMissedSnapshots[];
}

export async function readMissedSnapshots(ctx: QueryContext, settings: StatusSettings, days: number): Promise<MissedSnapshotsReport> {
  if (!Number.isInteger(days) || days < 1 || days > MISSED_MAX_DAYS) {
    throw new VctpError('usage', `days ${days}: expected a whole number from 1 to ${MISSED_MAX_DAYS}`);
  }
  const configured = new Set(configuredVcenterUrls(settings).map(vcenterName));
  const stored = await listVcenters(ctx.store);
  const ids = new Map(stored.map((v) => [v.name, v.id]));
  const names = [...new Set([...configured, ...stored.map((v) => v.name)])].sort();
  const now = unixSeconds(ctx.now());
  const today = now - (now % DAY);
  const windowStart = today - days * DAY;
  const vcenters: VcenterMissedSnapshots[] = [];
  for (const vcenter of names) {
    const id = ids.get(vcenter);
    const coverage = id === undefined ? null : await readSampleCoverage(ctx.store, id, windowStart, today);
    const isConfigured = configured.has(vcenter);
    vcenters.push({
      vcenter,
      configured: isConfigured,
      ...missedSnapshots(coverage, windowStart, today, isConfigured, settings.vcenter_inventory_snapshot_seconds),
    });
  }
  return { days, vcenters };
}

/**
 * The complete days of [windowStart, today) that have fewer snapshots than expected. Days are
 * checked from the vCenter's first snapshot on (before it, nothing was expected); a vCenter no
 * longer configured only up to its last snapshot (it was retired, not missed). A configured
 * vCenter's days after its last snapshot count as missed entirely: the collector stopped.
 */
export function missedSnapshots(
  coverage: SampleCoverage | null,
  windowStart: number,
  today: number,
  configured: boolean,
  snapshotSeconds: number,
): MissedSnapshots {
  const none: MissedSnapshots = { from: null, to: null, daysChecked: 0, missing: 0, days: [] };
  if (!coverage || coverage.firstSnapshot === null || coverage.lastSnapshot === null) return none;
  const first = Math.max(windowStart, coverage.firstSnapshot - (coverage.firstSnapshot % DAY));
  const last = configured ? today - DAY : Math.min(today - DAY, coverage.lastSnapshot - (coverage.lastSnapshot % DAY));
  if (first > last) return none;
  const byDay = new Map(coverage.days.map((d) => [d.day, d]));
  const days: MissedSnapshotDay[] = [];
  for (let day = first; day <= last; day += DAY) {
    const label = formatDay(day);
    const seen = byDay.get(day);
    const summary = seen?.summary;
    const counted =
      summary && summary.expected !== null && summary.total !== null
        ? { expected: summary.expected, present: summary.total, source: 'summary' as const }
        : { expected: expectedSamples(dayPeriod(label), snapshotSeconds), present: seen?.snapshots ?? 0, source: 'snapshots' as const };
    const missing = Math.max(0, counted.expected - counted.present);
    if (missing > 0) days.push({ day: label, expected: counted.expected, present: counted.present, missing, source: counted.source });
  }
  return {
    from: formatDay(first),
    to: formatDay(last),
    daysChecked: (last - first) / DAY + 1,
    missing: days.reduce((sum, d) => sum + d.missing, 0),
    days,
  };
}
