// GET /api/snapshots/missed: per vCenter, the complete UTC days of the last `days` that have fewer
// snapshots than the cadence expects. The rule is status's (missedSnapshots in ./status.ts), over a
// window the caller picks instead of status's week.
import { VctpError } from '../core/errors.js';
import { unixSeconds } from '../core/periods.js';
import { readSampleCoverage } from '../store/totals-read-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { vcenterName } from '../vcenter/index.js';
import type { QueryContext } from './context.js';
import { missedSnapshots, type MissedSnapshots, type StatusSettings } from './status.js';

const DAY = 86_400;
export const MISSED_DEFAULT_DAYS = 7;
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
  const configured = new Set(settings.vcenter_addresses.map(vcenterName));
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
