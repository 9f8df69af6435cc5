// A small hand-made fleet for the report tests: two vCenters over 2026-04-21 and the first hours of
// the next day, with a VM created at 13:20, one deleted at 13:45, a resize, a pool move, a
// template, an SRM placeholder and an active/active standby, a node-charged VM, and vc2 missing its
// 15:00 snapshot. Captured with the real capture job and aggregated with the real aggregation.
import type { VmRecord } from '../../src/core/inventory.js';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { runAggregate } from '../../src/jobs/aggregate.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import type { JobContext } from '../../src/jobs/context.js';
import type { ReportSettings } from '../../src/jobs/report.js';
import type { Store } from '../../src/store/executor.js';
import { silentLogger } from '../../src/log/logger.js';

export const H = 3600;
export const DAY = dayPeriod('2026-04-21');
export const MONTH = monthPeriod('2026-04');
export const at = (hour: number, minute = 0) => DAY.start + hour * H + minute * 60;
export const VC1 = 'vc1.example.com';
export const VC2 = 'vc2.example.com:8443';
/** After the month: aggregation of April is allowed. */
export const NOW_MS = Date.UTC(2026, 4, 1, 2);

export const FIXTURE_SETTINGS = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: ['HPC'],
  srm_activeactive_vms: ['aa-*'],
  vcenter_inventory_snapshot_seconds: H,
  scheduled_aggregation_engine: 'app' as const,
  monthly_aggregation_source: 'daily' as const,
  hourly_snapshot_max_age_days: 60,
  daily_snapshot_max_age_months: 12,
  report_summary_pivots: [],
};

export function reportSettings(reportsDir: string, over: Partial<ReportSettings> = {}): ReportSettings & typeof FIXTURE_SETTINGS {
  return { ...FIXTURE_SETTINGS, reports_dir: reportsDir, ...over } as ReportSettings & typeof FIXTURE_SETTINGS;
}

export function fixtureContext(store: Store, nowMs = NOW_MS): JobContext {
  return { store, log: silentLogger(), now: () => nowMs };
}

const vm = (vmId: string, name: string, pool: string | null, over: Partial<VmRecord> = {}): VmRecord => ({
  vmId,
  name,
  vmUuid: `4210${vmId.replace(/\D/g, '').padStart(4, '0')}-aaaa-bbbb-cccc-00000000000${vmId.length % 10}`,
  instanceUuid: `5010${vmId.replace(/\D/g, '').padStart(4, '0')}-aaaa-bbbb-cccc-dddddddddddd`,
  eventKey: null,
  cloudId: null,
  resourcePool: pool,
  resourcePoolChain: pool === null ? [] : [pool],
  datacenter: 'DC0',
  cluster: 'C0',
  folder: '/DC0/vm',
  provisionedDiskGb: 100,
  vcpuCount: 2,
  ramGb: 8,
  isTemplate: false,
  poweredOn: true,
  srmPlaceholder: false,
  creationTime: 1_700_000_000,
  ...over,
});

/** vc1's inventory at hour `h` of the day (24 = the next day's 00:00). */
function vc1At(h: number): VmRecord[] {
  const out: VmRecord[] = [
    vm('vm-1', 'web01', 'Gold', { vcpuCount: h >= 12 ? 4 : 2, creationTime: 0 }),
    vm('vm-2', 'db01', h >= 18 ? 'Gold' : 'Silver', { ramGb: 16 }),
    vm('vm-5', 'tmpl01', null, { isTemplate: true, poweredOn: false }),
    vm('vm-6', 'srm01', 'Tin', { srmPlaceholder: true, poweredOn: false }),
    vm('vm-7', 'hpc01', 'Gold', { cluster: 'HPC', vcpuCount: 16 }),
    vm('vm-8', 'aa-app', 'Gold', { srmPlaceholder: true, poweredOn: false }),
    vm('vm-9', 'misc01', 'Resources', { provisionedDiskGb: 40.5 }),
  ];
  if (h >= 14) out.push(vm('vm-3', 'new01', 'Silver', { creationTime: at(13, 20), cluster: 'C1' }));
  if (h <= 13) out.push(vm('vm-4', 'old01', 'Bronze', { vcpuCount: 4 }));
  return out;
}

function vc2At(h: number): VmRecord[] {
  const out = [vm('vm-1', 'app01', 'Tin', { vcpuCount: 1, ramGb: 2 }), vm('vm-2', 'app02', 'Gold', { vcpuCount: 8, ramGb: 32 })];
  if (h >= 16) out.push(vm('vm-3', 'late01', 'Gold', { creationTime: at(15, 30) }));
  return out;
}

/** Captures 2026-04-21 00:00 to 2026-04-22 01:00 and aggregates the day, the next day and April. */
export async function seedReportFleet(store: Store): Promise<void> {
  const ctx = fixtureContext(store);
  for (let h = 0; h <= 25; h++) {
    await captureInventory(ctx, FIXTURE_SETTINGS, {
      vcenter: VC1,
      snapshotTime: at(h) + 5,
      records: vc1At(Math.min(h, 24)),
      removalTimes: async (ids) => new Map(ids.filter((id) => id === 'vm-4').map((id) => [id, at(13, 45)])),
    });
    if (h !== 15) await captureInventory(ctx, FIXTURE_SETTINGS, { vcenter: VC2, snapshotTime: at(h) + 9, records: vc2At(Math.min(h, 24)) });
  }
  const input = { engine: 'app' as const, lockWaitSeconds: 5 };
  await runAggregate(ctx, FIXTURE_SETTINGS, { ...input, kind: 'daily', period: DAY.label });
  await runAggregate(ctx, FIXTURE_SETTINGS, { ...input, kind: 'monthly', period: MONTH.label });
}
