// A small, seeded, changing fleet for the maintenance tests (backfill, repair, retention): every
// charge class (templates, SRM placeholders, active/active pairs, node-charged clusters, filtered
// tenants), all tiers, fractional disks and RAM, VMs created, resized, moved, powered and deleted.
import { sql } from 'drizzle-orm';
import type { VmRecord } from '../../src/core/inventory.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import type { CaptureSettings } from '../../src/jobs/capture-inventory.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import type { JobContext } from '../../src/jobs/context.js';
import type { Store } from '../../src/store/executor.js';
import type { RepairSettings } from '../../src/jobs/repair.js';
import { seededRandom } from '../../src/core/seeded-random.js';

export const H = 3600;
export const DAY = 86_400;
export const utc = (iso: string): number => Date.parse(iso) / 1000;

export const SETTINGS: CaptureSettings & RepairSettings & { hourly_index_max_age_days: number } = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: ['acme'],
  node_charge_clusters: ['hpc*'],
  srm_activeactive_vms: ['aa-*'],
  vcenter_inventory_snapshot_seconds: 3600,
  scheduled_aggregation_engine: 'app',
  monthly_aggregation_source: 'daily',
  hourly_snapshot_max_age_days: 60,
  daily_snapshot_max_age_months: 12,
  hourly_index_max_age_days: 7,
};

/** Seeded, so a failure reproduces. */
export const random = seededRandom;

const POOLS = ['Tin', 'Bronze', 'Silver', 'Gold', 'Other', 'ACME'];
const RAM = [0.5, 1, 2, 3.75, 8, 16];

export class Fleet {
  readonly vms = new Map<string, VmRecord>();
  private next = 1;

  constructor(private readonly rand: () => number, size: number) {
    for (let i = 0; i < size; i++) this.add(0);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)]!;
  }

  add(creationTime: number): VmRecord {
    const n = this.next++;
    const pool = this.pick(POOLS);
    const kind = this.rand();
    const vm: VmRecord = {
      vmId: `vm-${n}`,
      name: kind < 0.1 ? `aa-${n}` : `vm${n}`,
      vmUuid: `4201${n.toString(16).padStart(4, '0')}-0c3d-4e5f-8a9b-0c1d2e3f4a5b`,
      instanceUuid: `5001${n.toString(16).padStart(4, '0')}-ffff-0000-1234-abcdefabcdef`,
      eventKey: null,
      cloudId: null,
      resourcePool: pool,
      resourcePoolChain: [pool],
      datacenter: 'DC0',
      cluster: this.rand() < 0.15 ? 'hpc-1' : 'C0',
      folder: '/DC0/vm',
      provisionedDiskGb: Math.round(this.rand() * 50_000) / 100,
      vcpuCount: this.pick([1, 2, 4, 8]),
      ramGb: this.pick(RAM),
      isTemplate: kind >= 0.1 && kind < 0.15,
      poweredOn: this.rand() < 0.8,
      srmPlaceholder: kind >= 0.15 && kind < 0.2,
      creationTime: this.rand() < 0.2 ? 0 : creationTime,
    };
    this.vms.set(vm.vmId, vm);
    return vm;
  }

  /** One hour of change: a few VMs created, deleted, resized, moved, powered on or off. */
  step(at: number): VmRecord[] {
    const ids = [...this.vms.keys()];
    for (const id of ids) {
      const vm = this.vms.get(id)!;
      const r = this.rand();
      if (r < 0.04) this.vms.delete(id);
      else if (r < 0.08) this.vms.set(id, { ...vm, vcpuCount: vm.vcpuCount * 2, ramGb: this.pick(RAM) });
      else if (r < 0.11) {
        const pool = this.pick(POOLS);
        this.vms.set(id, { ...vm, resourcePool: pool, resourcePoolChain: [pool] });
      } else if (r < 0.14) this.vms.set(id, { ...vm, poweredOn: !vm.poweredOn });
      else if (r < 0.16) this.vms.set(id, { ...vm, provisionedDiskGb: Math.round(this.rand() * 50_000) / 100 });
    }
    const added = Math.floor(this.rand() * 3);
    for (let i = 0; i < added; i++) this.add(at - 600);
    return this.inventory();
  }

  inventory(): VmRecord[] {
    return [...this.vms.values()].map((vm) => ({ ...vm }));
  }
}

/** Captures the fleet at each time (stepping it before each capture but the first). */
export async function captureSeries(ctx: JobContext, vcenter: string, fleet: Fleet, times: readonly number[]): Promise<void> {
  for (const [i, t] of times.entries()) {
    const records = i === 0 ? fleet.inventory() : fleet.step(t);
    await captureInventory({ ...ctx, now: () => t * 1000 }, SETTINGS, { vcenter, snapshotTime: t, records });
  }
}

export const hoursFrom = (start: number, count: number, every = H): number[] => Array.from({ length: count }, (_, i) => start + i * every);

/** A whole table in a stable order, with numbers as numbers (PostgreSQL gives int8 as number already). */
export async function dump(store: Store, table: string, orderBy: string): Promise<Record<string, unknown>[]> {
  const rows = await store.all<Record<string, unknown>>(sql.raw(`SELECT * FROM ${table} ORDER BY ${orderBy}`));
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? Number(v) : v;
    return out;
  });
}

export const ALL_TABLES: [string, string][] = [
  ['vcenters', 'id'],
  ['snapshot_registry', 'vcenter_id, kind, snapshot_time'],
  ['vm_lifecycle', 'id'],
  ['vm_identities', 'id'],
  ['vm_placements', 'id'],
  ['vm_spans', 'id'],
  ['vcenter_latest_totals', 'vcenter_id'],
  ['vcenter_aggregate_totals', 'vcenter_id, kind, snapshot_time'],
  ['vm_daily_rollup', 'vcenter_id, day, lifecycle_id'],
  ['vm_monthly_summary', 'vcenter_id, month, lifecycle_id'],
];

export async function dumpAll(store: Store): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const [table, order] of ALL_TABLES) out[table] = await dump(store, table, order);
  return out;
}

export async function hourlyView(store: Store): Promise<Record<string, unknown>[]> {
  return dump(store, 'vm_hourly_stats', 'vcenter, snapshot_time, inventory_id');
}
