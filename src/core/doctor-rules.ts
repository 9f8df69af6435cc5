// The thresholds and status rules of `vctp doctor`, pure so that they are tested without a disk,
// a vCenter or a clock. The probes (src/queries/doctor) gather facts; these decide ok/warn/fail.
import type { CheckStatus } from './doctor-check.js';
import { lastCompleteDay, lastCompleteMonth, type Period } from './periods.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** Free space below either warn bound warns; below failBytes fails (a capture or report may not fit). */
export const DISK_THRESHOLDS = { warnBytes: GIB, warnFraction: 0.1, failBytes: 100 * MIB } as const;

export function diskStatus(freeBytes: number, totalBytes: number): { status: CheckStatus; reason: string } {
  const share = totalBytes > 0 ? freeBytes / totalBytes : 0;
  const free = `${formatBytes(freeBytes)} free of ${formatBytes(totalBytes)} (${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%)`;
  if (freeBytes < DISK_THRESHOLDS.failBytes) return { status: 'fail', reason: `${free}, under ${formatBytes(DISK_THRESHOLDS.failBytes)}` };
  if (freeBytes < DISK_THRESHOLDS.warnBytes) return { status: 'warn', reason: `${free}, under ${formatBytes(DISK_THRESHOLDS.warnBytes)}` };
  if (share < DISK_THRESHOLDS.warnFraction) return { status: 'warn', reason: `${free}, under ${DISK_THRESHOLDS.warnFraction * 100}%` };
  return { status: 'ok', reason: free };
}

export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 * GIB, 'TiB'],
    [GIB, 'GiB'],
    [MIB, 'MiB'],
    [KIB, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(bytes) >= size) {
      const n = bytes / size;
      return `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} B`;
}

/**
 * The hint for a vCenter URL whose path is not the SDK endpoint: vCenter answers vim25 at /sdk
 * only, and `https://vc.example.com` alone gets an HTML page or a 404, not a SOAP fault.
 */
export function sdkHint(url: string): string | null {
  let path: string;
  try {
    path = new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return null;
  }
  if (/\/sdk$/i.test(path)) return null;
  const suggested = (() => {
    const u = new URL(url);
    u.pathname = '/sdk';
    u.search = '';
    return u.toString();
  })();
  return `the URL does not end in /sdk, where vCenter serves its API: try ${suggested}`;
}

/** A vCenter's latest snapshot against the cadence: more than two intervals old fails. */
export function snapshotFreshness(
  latest: number | null,
  nowSeconds: number,
  intervalSeconds: number,
  everRan: boolean,
): { status: CheckStatus; reason: string } {
  if (latest === null) {
    return everRan
      ? { status: 'fail', reason: 'no snapshot stored yet, though snapshot runs were recorded' }
      : { status: 'warn', reason: 'no snapshot yet (vctp snapshot has not run for it)' };
  }
  const age = nowSeconds - latest;
  const limit = 2 * intervalSeconds;
  if (age < -60) return { status: 'warn', reason: `the latest snapshot is ${formatDuration(-age)} in the future: check this host's clock` };
  if (age > limit) return { status: 'fail', reason: `the latest snapshot is ${formatDuration(age)} old, over two intervals (${formatDuration(limit)})` };
  return { status: 'ok', reason: `the latest snapshot is ${formatDuration(Math.max(0, age))} old` };
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86_400) return `${(s / 3600).toFixed(1).replace(/\.0$/, '')} h`;
  return `${(s / 86_400).toFixed(1).replace(/\.0$/, '')} d`;
}

/**
 * How long after a period ends its summary may still be missing without doctor calling it behind:
 * the aggregation timers run shortly after midnight UTC (daily) and on the 1st (monthly).
 */
export const AGGREGATION_GRACE_SECONDS = { daily: 6 * 3600, monthly: 24 * 3600 } as const;

/** The last day whose daily summaries should exist by now. */
export function dueDay(nowSeconds: number): Period {
  return lastCompleteDay(nowSeconds - AGGREGATION_GRACE_SECONDS.daily);
}

/** The last month whose monthly summaries should exist by now. */
export function dueMonth(nowSeconds: number): Period {
  return lastCompleteMonth(nowSeconds - AGGREGATION_GRACE_SECONDS.monthly);
}
