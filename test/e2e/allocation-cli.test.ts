// `vctp allocation` and `vctp explain` through the built binary: exit statuses, --json and --csv,
// refused flags, and explain's formula lines with the cost the stored summary holds. Last month
// (by the real clock) is captured every 6 hours in-process on a SQLite file and aggregated.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { formatMonth, monthPeriod } from '../../src/core/periods.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { silentLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { findVcenterId } from '../../src/store/vcenter-repository.js';
import { vm } from '../helpers/builders.js';
import { runVctp } from '../helpers/cli.js';

const H = 3600;
const now = new Date();
const MONTH_START = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1) / 1000;
const MONTH_END = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) / 1000;
const MONTH = formatMonth(MONTH_START);
const T = ((MONTH_END - MONTH_START) / H) / 6;
const VC = 'vc1.example.com';

const SETTINGS = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
  vcenter_inventory_snapshot_seconds: 6 * H,
  scheduled_aggregation_engine: 'app' as const,
  monthly_aggregation_source: 'hourly' as const,
  rate_cards: [
    {
      valid_from: '2020-01-01',
      currency: 'EUR',
      per: 'month' as const,
      tiers: { gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 }, silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 0 } },
      templates: 0,
      srm_placeholders: 0,
      node_charged: 0,
    },
  ],
};

const records = () => [
  vm('vm-42', { name: 'web01', resourcePool: 'Gold', resourcePoolChain: ['Gold'], vcpuCount: 2, ramGb: 8, provisionedDiskGb: 100, customAttributes: new Map([['Tenant', 'acme']]) }),
  vm('vm-43', { name: 'app, "two"', resourcePool: 'Silver', resourcePoolChain: ['Silver'], vcpuCount: 1, ramGb: 2, provisionedDiskGb: 20, customAttributes: new Map() }),
];

describe('vctp allocation and vctp explain (built binary)', () => {
  let settingsPath: string;
  let storedTotal: number;
  const vctp = (...args: string[]) => runVctp(['-s', settingsPath, ...args]);

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-allocation-'));
    const database = join(dir, 'db.sqlite3');
    settingsPath = join(dir, 'vctp.yml');
    writeFileSync(
      settingsPath,
      [
        'settings:',
        `  database_url: ${database}`,
        '  log_output: json',
        `  vcenter_addresses: [ "https://${VC}/sdk" ]`,
        '  rate_cards:',
        '    - valid_from: 2020-01-01',
        '      currency: EUR',
        '      per: month',
        '      tiers:',
        '        gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.10, vm: 2 }',
        '        silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08 }',
        '  cost_dimensions:',
        '    - { name: tenant, from: "custom_attribute:Tenant" }',
        '',
      ].join('\n'),
    );
    const store = await openStore({ database_driver: 'sqlite', database_url: database });
    try {
      const ctx = { store, log: silentLogger(), now: Date.now };
      for (let t = MONTH_START; t < MONTH_END; t += 6 * H) await captureInventory(ctx, SETTINGS, { vcenter: VC, snapshotTime: t, records: records() });
      const vcenterId = (await findVcenterId(store, VC))!;
      await aggregateMonth(ctx, SETTINGS, { period: monthPeriod(MONTH), vcenterId, vcenter: VC, engine: 'app' });
      const rows = await store.all<{ cost_total: number }>(sql`SELECT cost_total FROM vm_monthly_summary ORDER BY lifecycle_id`);
      storedTotal = rows.reduce((sum, r) => sum + Number(r.cost_total), 0);
    } finally {
      await store.close();
    }
  });

  it('--json: the window, currency, rows with lower-case tiers and unassigned, and the total', async () => {
    const result = await vctp('allocation', '--window', 'lastmonth', '--by', 'tenant,tier', '--json');
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout);
    assert.equal(body.window.start, new Date(MONTH_START * 1000).toISOString().replace('.000Z', 'Z'));
    assert.equal(body.currency, 'EUR');
    assert.deepEqual(
      body.rows.map((r: Record<string, unknown>) => [r.tenant, r.tier, r.vms]),
      [
        ['acme', 'gold', 1],
        ['unassigned', 'silver', 1],
      ],
    );
    assert.equal(body.rows[0].cost.total, 92);
    assert.equal(body.total.cost.total, storedTotal);
  });

  it('--csv: a header line and one line per row; the table has a total line', async () => {
    const csv = await vctp('allocation', '--window', 'lastmonth', '--by', 'vm', '--csv');
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines[0], 'vm,vm_id,vcenter,vms,prorated_vms,avg_vcpu,avg_ram_gb,avg_disk_gb,cost_vcpu,cost_ram,cost_disk,cost_vm,cost_total,currency');
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /^web01,vm-42,vc1\.example\.com,1,1,2,8,100,40,40,10,2,92,EUR$/);
    assert.match(lines[2]!, /^"app, ""two""",vm-43,/);
    const table = await vctp('allocation', '--window', MONTH, '--by', 'tier');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /end exclusive\) by tier, cost in EUR/);
    assert.match(table.stdout, /│ total +│/);
  });

  it('exits 1 for a bad --window or --by, naming the flag and what it takes', async () => {
    const window = await vctp('allocation', '--window', 'fortnight', '--by', 'tier');
    assert.equal(window.code, 1);
    assert.match(window.stderr, /--window fortnight: expected today, yesterday, lastweek, month, lastmonth, Nd/);
    const by = await vctp('allocation', '--window', '7d', '--by', 'tier,colour');
    assert.equal(by.code, 1);
    assert.match(by.stderr, /--by tier,colour: unknown dimension colour; expected vcenter, datacenter, cluster, folder, pool, tier, vm, tenant/);
    const both = await vctp('allocation', '--window', '7d', '--by', 'tier', '--json', '--csv');
    assert.equal(both.code, 1);
  });

  it('explain prints the formulas with their numbers, the card entries, and that the stored summary matches', async () => {
    const result = await vctp('explain', 'web01', '--month', MONTH);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, new RegExp(`TotalSamples T = ${T}:`));
    assert.match(out, new RegExp(`AvgVcpuCount = sum_vcpu / T = ${2 * T} / ${T} = 2$`, 'm'));
    assert.match(out, new RegExp(`rate_cards\\[0\\] \\(valid_from 2020-01-01\\) gold vcpu 20 EUR/month = 20,000,000 millionths x 2 vCPU x ${T} samples`));
    assert.match(out, new RegExp(`cost vCPU = units / \\(1e6 x T x periodsPerMonth\\) = [\\d,]+ / \\(1e6 x ${T} x 1\\) = 40 EUR`));
    assert.match(out, /total = \(\(vCPU \+ RAM\) \+ disk\) \+ VM = \(\(40 \+ 40\) \+ 10\) \+ 2 = 92 EUR/);
    assert.match(out, /stored summary \(vm_monthly_summary\): matches the recomputation/);
    const json = JSON.parse((await vctp('explain', 'vm-42', '--month', MONTH, '--json')).stdout);
    assert.equal(json.total, 92);
    assert.equal(json.stored.money.total, 92);
    assert.deepEqual(json.differences, []);
    const none = await vctp('explain', 'nobody', '--month', MONTH);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /unknown VM "nobody"/);
    const neither = await vctp('explain', 'web01');
    assert.equal(neither.code, 1);
    assert.match(neither.stderr, /give --day YYYY-MM-DD or --month YYYY-MM/);
  });
});
