// Data for the read API tests (queries and HTTP): two vCenters over three days, captured with the
// real capture job, vc1 aggregated (days and the month so far), and a real daily workbook.
// 2026-04-20 misses the 05:00, 06:00 and 07:00 snapshots in both vCenters.
// vc1: web01 (vm-1, uuids UUID1/IUUID1) grows to 4 vCPU at D2 10:00 and moves Tin -> Gold at 18:00;
//      DB01 (vm-2) is created at D2 10:00; app04 (vm-4) is absent at D2 14:00 and 15:00;
//      old05 (vm-5, no creation time) is last seen at D2 12:00 (then deleted).
// vc2: WEB01 (vm-1) with no creation time.
import type { VmRecord } from '../../src/core/inventory.js';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import type { AggregationSettings } from '../../src/jobs/aggregation-settings.js';
import { captureInventory, type CaptureSettings } from '../../src/jobs/capture-inventory.js';
import type { JobContext } from '../../src/jobs/context.js';
import { buildReport, type ReportResult } from '../../src/jobs/report.js';
import { findVcenterId } from '../../src/store/vcenter-repository.js';
import { vm as buildVm } from './builders.js';

export const H = 3600;
export const DAY = 86_400;
export const D1 = Date.UTC(2026, 3, 19) / 1000;
export const D2 = D1 + DAY;
export const D3 = D2 + DAY;
/** "Now" of the tests: 2026-04-21T12:00Z. */
export const NOW_MS = (D3 + 12 * H) * 1000;
const MISSED_HOURS = new Set([5, 6, 7]);

export const UUID1 = '4201aaaa-bbbb-4ccc-8ddd-000000000001';
export const IUUID1 = '5001aaaa-bbbb-4ccc-8ddd-000000000001';
export const VC2_UUID = '4201bbbb-bbbb-4ccc-8ddd-000000000009';

export const READ_API_SETTINGS: CaptureSettings & AggregationSettings = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
  vcenter_inventory_snapshot_seconds: 3600,
  scheduled_aggregation_engine: 'app',
  monthly_aggregation_source: 'daily',
};

const vm = (vmId: string, over: Partial<VmRecord>): VmRecord => buildVm(vmId, { creationTime: D1 - DAY, ...over });
const pool = (name: string) => ({ resourcePool: name, resourcePoolChain: [name] });

function vc1At(t: number): VmRecord[] {
  const vms = [
    vm('vm-1', { name: 'web01', vmUuid: UUID1, instanceUuid: IUUID1, vcpuCount: t >= D2 + 10 * H ? 4 : 2, ...pool(t >= D2 + 18 * H ? 'Gold' : 'Tin') }),
  ];
  if (t >= D2 + 10 * H) vms.push(vm('vm-2', { name: 'DB01', poweredOn: t < D2 + 12 * H, creationTime: D2 + 10 * H, ...pool('Silver') }));
  if (t !== D2 + 14 * H && t !== D2 + 15 * H) vms.push(vm('vm-4', { name: 'app04', ...pool('Bronze') }));
  if (t <= D2 + 12 * H) vms.push(vm('vm-5', { name: 'old05', creationTime: 0, ...pool('Tin') }));
  return vms;
}
const vc2At = (): VmRecord[] => [vm('vm-1', { name: 'WEB01', vmUuid: VC2_UUID, creationTime: 0, ...pool('Silver') })];

/** Snapshot times: every hour of D1, D2 without 05-07, D3 until 11:00. */
export const SNAPSHOTS: number[] = [];
for (let t = D1; t < D3 + 12 * H; t += H) {
  if (t >= D2 && t < D3 && MISSED_HOURS.has((t - D2) / H)) continue;
  SNAPSHOTS.push(t);
}

export async function seedReadApiData(ctx: JobContext): Promise<void> {
  for (const t of SNAPSHOTS) {
    await captureInventory(ctx, READ_API_SETTINGS, { vcenter: 'vc1', snapshotTime: t, records: vc1At(t) });
    await captureInventory(ctx, READ_API_SETTINGS, { vcenter: 'vc2', snapshotTime: t, records: vc2At() });
  }
  const vcenterId = (await findVcenterId(ctx.store, 'vc1'))!;
  for (const day of ['2026-04-19', '2026-04-20']) {
    await aggregateDay(ctx, READ_API_SETTINGS, { period: dayPeriod(day), vcenterId, vcenter: 'vc1', engine: 'app' });
  }
  await aggregateMonth(ctx, READ_API_SETTINGS, { period: monthPeriod('2026-04'), vcenterId, vcenter: 'vc1', engine: 'app', partial: true });
}

/** The daily workbook of 2026-04-20 into reportsDir/daily/2026-04-20.xlsx (the real report job). */
export async function writeDailyReport(ctx: JobContext, reportsDir: string): Promise<ReportResult> {
  return buildReport(
    ctx,
    { ...READ_API_SETTINGS, reports_dir: reportsDir, report_summary_pivots: [], hourly_snapshot_max_age_days: 60, daily_snapshot_max_age_months: 12 },
    { kind: 'daily', period: dayPeriod('2026-04-20') },
  );
}
