// Storage benchmark (README "Measured"): 48 hourly captures of 10,000 VMs with 1% of VMs changing
// each hour, through the real capture path, then database bytes per VM-hour.
// Usage: npx tsx scripts/bench/storage.ts [--vms 10000] [--hours 48] [--change 0.01] [--pg URL]
import { statSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import type { VmRecord } from '../../src/core/inventory.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { silentLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/open-store.js';

const { values } = parseArgs({
  options: { vms: { type: 'string', default: '10000' }, hours: { type: 'string', default: '48' }, change: { type: 'string', default: '0.01' }, pg: { type: 'string' } },
});
const vmCount = Number(values.vms);
const hours = Number(values.hours);
const changeRate = Number(values.change);

let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pools = ['Tin', 'Bronze', 'Silver', 'Gold', 'Resources'];
// Shaped like vSphere's: lowercase 8-4-4-4-12 hex.
const uuid = (i: number, salt: string) =>
  `4201${salt}${(i % 0x1000).toString(16).padStart(3, '0')}-${(i * 7919 % 0x10000).toString(16).padStart(4, '0')}-4a1b-9c2d-${(i * 104729).toString(16).padStart(12, '0')}`;
const inventory: VmRecord[] = Array.from({ length: vmCount }, (_, i) => {
  const pool = pools[i % pools.length]!;
  return {
    vmId: `vm-${1000 + i}`,
    name: `app-${String(i).padStart(5, '0')}.corp.example.com`,
    vmUuid: uuid(i, 'a'),
    instanceUuid: uuid(i, 'b'),
    eventKey: null,
    cloudId: null,
    resourcePool: pool,
    resourcePoolChain: pool === 'Resources' ? [] : [pool],
    datacenter: 'DC-Amsterdam',
    cluster: `Cluster-${i % 8}`,
    folder: `/DC-Amsterdam/vm/Team-${i % 40}`,
    provisionedDiskGb: 40 + (i % 13) * 25.5,
    vcpuCount: [1, 2, 4, 8][i % 4]!,
    ramGb: [2, 4, 8, 16, 32][i % 5]!,
    isTemplate: i % 97 === 0,
    poweredOn: i % 11 !== 0,
    srmPlaceholder: false,
    creationTime: 1_700_000_000 + i * 60,
  };
});

const dir = mkdtempSync(join(tmpdir(), 'vctp-bench-storage-'));
const file = join(dir, 'db.sqlite3');
const settings = values.pg
  ? { database_driver: 'postgres' as const, database_url: values.pg }
  : { database_driver: 'sqlite' as const, database_url: file };
const store = await openStore(settings);
const ctx = { store, log: silentLogger(), now: Date.now };
const captureSettings = { tier_patterns: DEFAULT_TIER_PATTERNS, tenants_to_filter: [], node_charge_clusters: [], srm_activeactive_vms: [] };
const start = 1_776_729_600;
const started = Date.now();
for (let h = 0; h < hours; h++) {
  if (h > 0) {
    for (let n = 0; n < vmCount * changeRate; n++) {
      const vm = inventory[Math.floor(random() * vmCount)]!;
      const kind = Math.floor(random() * 3);
      if (kind === 0) vm.vcpuCount = vm.vcpuCount === 8 ? 2 : vm.vcpuCount * 2;
      else if (kind === 1) vm.poweredOn = !vm.poweredOn;
      else vm.provisionedDiskGb += 10;
    }
  }
  await captureInventory(ctx, captureSettings, { vcenter: 'vc-bench.example.com', snapshotTime: start + h * 3600, records: inventory });
}
const elapsed = (Date.now() - started) / 1000;
let bytes: number;
if (values.pg) {
  // Our tables and their indexes only: an empty PostgreSQL database alone is about 7.5 MB of catalog.
  const rows = await store.all<{ b: number }>(
    sql`SELECT SUM(pg_total_relation_size(oid)) AS b FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
  );
  bytes = Number(rows[0]!.b);
} else {
  // VACUUM goes through the WAL in WAL mode: checkpoint after it so the file holds everything.
  await store.run(sql`VACUUM`);
  await store.all(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
  bytes = statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
}
const spans = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_spans`);
await store.close();
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.error(file);
const vmHours = vmCount * hours;
console.log(
  JSON.stringify({ engine: settings.database_driver, vms: vmCount, hours, changeRate, spans: Number(spans[0]!.n), bytes, vmHours, bytesPerVmHour: +(bytes / vmHours).toFixed(2), captureSecondsTotal: elapsed, captureSecondsEach: +(elapsed / hours).toFixed(3) }),
);
