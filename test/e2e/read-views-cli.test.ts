// The read views through the built binary: `vctp trace`, `vctp totals` and the missed snapshots of
// `vctp status`. The data is stored in-process first (the capture and aggregation jobs on the same
// SQLite file), relative to today, since status looks at the last 7 days of the real clock.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { VmRecord } from '../../src/core/inventory.js';
import { dayPeriod, formatDay } from '../../src/core/periods.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { silentLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { findVcenterId } from '../../src/store/vcenter-repository.js';
import { runVctp } from '../helpers/cli.js';

const H = 3600;
const DAY = 86_400;
const VC = 'vc1.example.com';
const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
const D1 = today - 2 * DAY;
const D2 = today - DAY; // misses its 05:00, 06:00 and 07:00 snapshots
const UUID = '4201aaaa-bbbb-4ccc-8ddd-0000000000e2';

const SETTINGS = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
  vcenter_inventory_snapshot_seconds: 3600,
  scheduled_aggregation_engine: 'app' as const,
  monthly_aggregation_source: 'daily' as const,
};

const web01 = (t: number): VmRecord => ({
  vmId: 'vm-42',
  name: 'web01',
  vmUuid: UUID,
  instanceUuid: null,
  eventKey: null,
  cloudId: null,
  resourcePool: 'Silver',
  resourcePoolChain: ['Silver'],
  datacenter: 'DC0',
  cluster: 'C0',
  folder: '/DC0/vm',
  provisionedDiskGb: 40,
  vcpuCount: t >= D2 + 12 * H ? 4 : 2,
  ramGb: 8,
  isTemplate: false,
  poweredOn: true,
  srmPlaceholder: false,
  creationTime: D1,
});

describe('read views (built binary)', () => {
  let settingsPath: string;
  const vctp = (...args: string[]) => runVctp(['-s', settingsPath, ...args]);

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-read-'));
    const database = join(dir, 'db.sqlite3');
    settingsPath = join(dir, 'vctp.yml');
    writeFileSync(settingsPath, `settings:\n  database_url: ${database}\n  log_output: json\n  vcenter_addresses: [ "https://${VC}/sdk" ]\n`);
    const store = await openStore({ database_driver: 'sqlite', database_url: database });
    try {
      const ctx = { store, log: silentLogger(), now: Date.now };
      for (let t = D1; t < D2 + DAY; t += H) {
        if (t >= D2 && [5, 6, 7].includes((t - D2) / H)) continue;
        await captureInventory(ctx, SETTINGS, { vcenter: VC, snapshotTime: t, records: [web01(t)] });
      }
      const vcenterId = (await findVcenterId(store, VC))!;
      for (const day of [D1, D2]) await aggregateDay(ctx, SETTINGS, { period: dayPeriod(formatDay(day)), vcenterId, vcenter: VC, engine: 'app' });
    } finally {
      await store.close();
    }
  });

  it('traces a VM by name as a table: its lifecycle, its hours and a mark where it changed', async () => {
    const result = await vctp('trace', 'WEB01', '--from', formatDay(D2), '--to', formatDay(D2));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /hourly trace of "WEB01" .*: 1 VM/);
    assert.match(result.stdout, /web01: vCenter vc1\.example\.com, vm-42, inventory id \d+ \(matched by name\)/);
    assert.match(result.stdout, new RegExp(`uuid ${UUID}`));
    assert.match(result.stdout, new RegExp(`${formatDay(D2)}T12:00:00Z .*│ +4\\* │`)); // vCPU, right-aligned
    assert.match(result.stdout, /\* = changed since the VM's previous sample/);
    assert.equal(result.stdout.match(new RegExp(`^│ ${formatDay(D2)}T\\d\\d:00:00Z`, 'gm'))?.length, 21);
  });

  it('traces a VM by uuid in the daily view as JSON, showing the day that missed snapshots', async () => {
    const result = await vctp('trace', UUID.toUpperCase(), '--view', 'daily', '--json');
    assert.equal(result.code, 0, result.stderr);
    const vm = JSON.parse(result.stdout).vms[0];
    assert.deepEqual(vm.matchedBy, ['uuid']);
    assert.deepEqual(vm.daily.map((d: { day: string; totalSamples: number; missedSamples: number }) => [d.day, d.totalSamples, d.missedSamples]), [
      [formatDay(D1), 24, 0],
      [formatDay(D2), 21, 3],
    ]);
  });

  it('exits 1 naming a VM it does not know', async () => {
    const result = await vctp('trace', 'no-such-vm');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown VM "no-such-vm"/);
  });

  it('prints daily totals with the expected, present and missed samples', async () => {
    const table = await vctp('totals', '--view', 'daily', '--days', '7');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`${formatDay(D2)} .*21/24 \\(3 missed\\)`));
    assert.match(table.stdout, /1 of 2 days missed snapshots/);
    const json = JSON.parse((await vctp('totals', '--view', 'daily', '--json')).stdout);
    assert.deepEqual(json.rows.map((r: { period: string; samples: unknown }) => [r.period, r.samples]), [
      [formatDay(D1), { expected: 24, present: 24, missing: 0 }],
      [formatDay(D2), { expected: 24, present: 21, missing: 3 }],
    ]);
  });

  it('shows the missed snapshots in status, as a table and as JSON', async () => {
    const table = await vctp('status');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /missed \(7 d\)/);
    assert.match(table.stdout, /3 on 1 day/);
    assert.match(table.stdout, new RegExp(`missed snapshots, ${VC.replace(/\./g, '\\.')}: ${formatDay(D2)} 21/24 \\(3 missed\\)`));
    const json = JSON.parse((await vctp('status', '--json')).stdout);
    assert.deepEqual(json.vcenters[0].missedSnapshots.days, [{ day: formatDay(D2), expected: 24, present: 21, missing: 3, source: 'summary' }]);
  });
});
