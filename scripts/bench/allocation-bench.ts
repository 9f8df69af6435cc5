// `vctp allocation` on the fleet-L reference workload (README "Measured": 8 vCenters x 5,000 VMs,
// 31 days): wall time and peak RSS (GNU time) of the built binary in a process of its own. Goal
// (issue 10): <= 1 s for the month by tenant and tier.
//
//   npm run build && npx tsx scripts/bench/allocation-bench.ts [--db PATH|postgres://...] [--runs N]
//
// --db: a database with the fleet already loaded (e.g. left by a previous run, or by `vctp benchmark
// aggregations --synthetic fleet-L --keep --db PATH`), else an empty one to generate fleet-L into
// (default: a temporary SQLite file). The synthetic fleet has no custom attributes, so this gives
// it one the way capture stores them: a Tenant custom attribute (20 tenants, every 20th VM none)
// as vm_attribute_sets rows referenced by the spans, with a tenth of the VMs changing tenant on the
// 16th (a new span each). Then the month is aggregated (monthly from daily, with one rate card), so
// that its monthly summaries carry the latest sample's attribute set and cost.
//
// Windows measured: the fleet's month (an ended month: the monthly summaries), and its last 7 days
// as a day range (from the spans). The fleet lies in the latest ended 31-day month, which is
// `lastmonth` only when the last month has 31 days, so the month is given as YYYY-MM.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { formatDay, formatMonth, monthPeriod } from '../../src/core/periods.js';
import { generateFleet, presentCounts, referenceFleetSpec } from '../../src/core/synthetic-fleet.js';
import { attributeSetKey } from '../../src/core/vm-attributes.js';
import { runAggregate } from '../../src/jobs/aggregate.js';
import { createLogger } from '../../src/log/logger.js';
import { loadSyntheticFleet } from '../../src/store/bulk-load.js';
import type { Store } from '../../src/store/executor.js';
import { openStore, type StoreSettings } from '../../src/store/open-store.js';
import { num } from '../../src/store/sql-util.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const runs = Number(flag('--runs') ?? '3');
const TENANTS = 20;
const DAY = 86_400;

if (!existsSync(join(ROOT, 'dist/cli/commands/allocation.js'))) {
  console.error('run `npm run build` first: allocation is measured with the built bin/vctp');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'vctp-bench-allocation-'));
const dbArg = flag('--db');
const store: StoreSettings =
  dbArg === undefined
    ? { database_driver: 'sqlite', database_url: join(work, 'fleet-L.sqlite3') }
    : /^postgres(ql)?:\/\//.test(dbArg)
      ? { database_driver: 'postgres', database_url: dbArg }
      : { database_driver: 'sqlite', database_url: resolve(dbArg) };
const log = createLogger({ level: 'warn' });

const RATE_CARD = {
  valid_from: '2020-01-01',
  currency: 'EUR',
  per: 'month' as const,
  tiers: {
    gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 },
    silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 1 },
    bronze: { vcpu: 9, ram_gb: 2, disk_gb: 0.05, vm: 0.5 },
    tin: { vcpu: 5, ram_gb: 1, disk_gb: 0.03, vm: 0 },
    none: { vcpu: 5, ram_gb: 1, disk_gb: 0.03, vm: 0 },
  },
  templates: 0.5,
  srm_placeholders: 0,
  node_charged: 0,
};

const settings = {
  tier_patterns: { tin: ['Tin'], bronze: ['Bronze'], silver: ['Silver'], gold: ['Gold'] },
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
  vcenter_inventory_snapshot_seconds: 3600,
  scheduled_aggregation_engine: 'app' as const,
  monthly_aggregation_source: 'daily' as const,
  rate_cards: [RATE_CARD],
};

/** Tenant of a VM (by inventory id): set 1..20, or 0 (no Tenant) for every 20th. */
const tenantCase = (column: string) => sql.raw(`CASE WHEN ${column} % 20 = 0 THEN 0 ELSE ${column} % ${TENANTS - 1} + 1 END`);

/**
 * Gives the fleet's spans a Tenant attribute as capture would store it: one vm_attribute_sets row
 * per tenant; every tenth VM (inventory id ending in 7) moves to the next tenant from the 16th on,
 * which splits its span there (a change of attributes opens a span).
 */
async function addTenants(db: Store, start: number): Promise<void> {
  const move = start + 15 * DAY;
  await db.transaction(async (tx) => {
    for (let i = 1; i <= TENANTS; i++) {
      const text = attributeSetKey([['custom_attribute:Tenant', `tenant-${String(i).padStart(2, '0')}`]]);
      await tx.run(sql`INSERT INTO vm_attribute_sets (id, attributes) VALUES (${i}, ${text})`);
    }
    await tx.run(sql`UPDATE vm_spans SET attributes_id = ${tenantCase('lifecycle_id')}`);
    // The movers' spans that cross the 16th: the part from the 16th on becomes a span of its own.
    const next = await tx.all<{ n: number }>(sql`SELECT COALESCE(MAX(id), 0) AS n FROM vm_spans`);
    const offset = num(next[0]?.n);
    await tx.run(sql`
      INSERT INTO vm_spans (id, vcenter_id, lifecycle_id, first_seen, last_seen, name, identity_id, placement_id, provisioned_disk_gb,
                            vcpu_count, ram_gb, is_template, powered_on, srm_placeholder, attributes_id)
      SELECT id + ${offset}, vcenter_id, lifecycle_id, ${move}, last_seen, name, identity_id, placement_id, provisioned_disk_gb,
             vcpu_count, ram_gb, is_template, powered_on, srm_placeholder, attributes_id % ${TENANTS} + 1
      FROM vm_spans WHERE lifecycle_id % 10 = 7 AND first_seen < ${move} AND (last_seen IS NULL OR last_seen >= ${move})`);
    await tx.run(sql`
      UPDATE vm_spans SET last_seen = ${move - 3600}
      WHERE id <= ${offset} AND lifecycle_id % 10 = 7 AND first_seen < ${move} AND (last_seen IS NULL OR last_seen >= ${move})`);
    await tx.run(sql`UPDATE vm_spans SET attributes_id = attributes_id % ${TENANTS} + 1 WHERE id <= ${offset} AND lifecycle_id % 10 = 7 AND first_seen >= ${move}`);
  });
}

async function prepare(): Promise<{ month: string; lastWeek: string; vms: number; spans: number }> {
  const db = await openStore(store);
  try {
    const latest = await db.all<{ t: number | null }>(sql`SELECT MAX(snapshot_time) AS t FROM snapshot_registry WHERE kind = 'hourly'`);
    let last = latest[0]?.t == null ? null : num(latest[0].t);
    if (last === null) {
      const spec = referenceFleetSpec('fleet-L', Math.floor(Date.now() / 1000));
      const t0 = performance.now();
      const fleet = generateFleet(spec);
      const load = await loadSyntheticFleet(db, fleet, presentCounts(fleet));
      console.log(`generated fleet-L (${fleet.vms.length} VMs, ${fleet.spans.length} spans) and loaded ${load.rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      last = fleet.snapshotTimes.at(-1)!;
    }
    const month = monthPeriod(formatMonth(last - 3600));
    const sets = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_attribute_sets`);
    if (num(sets[0]?.n) === 0) {
      await db.run(sql`DELETE FROM vm_monthly_summary WHERE month = ${month.start}`);
      await db.run(sql`DELETE FROM snapshot_registry WHERE kind IN ('daily', 'monthly')`);
      await db.run(sql`DELETE FROM vm_daily_rollup`);
      await addTenants(db, month.start);
      console.log(`gave the fleet a Tenant custom attribute (${TENANTS} tenants; every 20th VM none; every 10th VM moves on the 16th)`);
    }
    const ctx = { store: db, log, now: () => (month.end + DAY) * 1000 };
    const has = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM snapshot_registry WHERE kind = 'monthly' AND snapshot_time = ${month.start}`);
    if (num(has[0]?.n) === 0) {
      const t0 = performance.now();
      const result = await runAggregate(ctx, settings, { kind: 'monthly', period: month.label, engine: 'app', lockWaitSeconds: 30 });
      if (result.skipped || result.outcomes.some((o) => !o.ok)) throw new Error(`monthly aggregation failed: ${JSON.stringify(result)}`);
      console.log(`aggregated ${month.label} (daily summaries first, then the month) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const rows = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_monthly_summary WHERE month = ${month.start}`);
    const spans = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_spans`);
    return { month: month.label, lastWeek: `${formatDay(month.end - 7 * DAY)}..${formatDay(month.end - DAY)}`, vms: num(rows[0]?.n), spans: num(spans[0]?.n) };
  } finally {
    await db.close();
  }
}

/** One run under GNU time: wall seconds, CPU seconds (user + system) and maximum resident set size. */
function runAllocation(settingsPath: string, allocationArgs: string[]): Promise<{ s: number; cpu: number; rssMb: number; out: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('/usr/bin/time', ['-v', process.execPath, join(ROOT, 'bin/vctp'), '-s', settingsPath, 'allocation', ...allocationArgs, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VCTP_SETTINGS: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      const user = /User time \(seconds\): ([\d.]+)/.exec(err);
      const system = /System time \(seconds\): ([\d.]+)/.exec(err);
      if (code !== 0 || !wall || !rss || !user || !system) reject(new Error(`vctp allocation ${allocationArgs.join(' ')} exited ${code}:\n${err}`));
      else resolveRun({ s: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]), cpu: Number(user[1]) + Number(system[1]), rssMb: Number(rss[1]) / 1024, out });
    });
  });
}

try {
  const { month, lastWeek, vms, spans } = await prepare();
  const settingsPath = join(work, 'vctp.yml');
  writeFileSync(
    settingsPath,
    [
      'settings:',
      `  database_driver: ${store.database_driver}`,
      `  database_url: "${store.database_url}"`,
      '  log_level: warn',
      `  rate_cards: ${JSON.stringify([RATE_CARD])}`,
      '  cost_dimensions: [ { name: tenant, from: "custom_attribute:Tenant" } ]',
      '',
    ].join('\n'),
  );
  const cases: [string, string[]][] = [
    // The fixed cost of the command: start, settings, the read-only database, the vCenters; no VM.
    ['2020-01-01 by tier (no snapshots: the command\'s fixed cost)', ['--window', '2020-01-01..2020-01-01', '--by', 'tier']],
    [`${month} by tenant,tier (monthly summaries)`, ['--window', month, '--by', 'tenant,tier']],
    [`${month} by cluster,tier (monthly summaries)`, ['--window', month, '--by', 'cluster,tier']],
    [`${month} by vm (monthly summaries)`, ['--window', month, '--by', 'vm']],
    [`${lastWeek} by tenant,tier (7 days, from the spans)`, ['--window', lastWeek, '--by', 'tenant,tier']],
    [`${month.slice(0, 7)}-01..${formatDay(monthPeriod(month).end - DAY)} by tenant,tier (the month as a day range, from the spans)`, ['--window', `${month}-01..${formatDay(monthPeriod(month).end - DAY)}`, '--by', 'tenant,tier']],
  ];
  console.log(`fleet-L on ${store.database_driver}: ${vms.toLocaleString('en-US')} VMs in ${month}, ${spans.toLocaleString('en-US')} spans; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`);
  for (const [label, allocationArgs] of cases) {
    console.log(`    (load average ${loadavg()[0]!.toFixed(1)})`);
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await runAllocation(settingsPath, allocationArgs));
    const answer = JSON.parse(results[0]!.out) as { rows: unknown[]; total: { vms: number; cost: { total: number } }; sources: { source: string }[] };
    const s = results.map((r) => r.s).sort((a, b) => a - b);
    const cpu = results.map((r) => r.cpu).sort((a, b) => a - b);
    const rss = results.map((r) => r.rssMb).sort((a, b) => a - b);
    const mid = Math.floor(runs / 2);
    console.log(
      `  ${label}: ${answer.rows.length} rows, ${answer.total.vms} VMs, total ${answer.total.cost.total.toFixed(2)} EUR; ` +
        `wall median ${s[mid]!.toFixed(2)} s (min ${s[0]!.toFixed(2)}, max ${s[runs - 1]!.toFixed(2)}), CPU median ${cpu[mid]!.toFixed(2)} s (min ${cpu[0]!.toFixed(2)}), peak RSS median ${Math.round(rss[mid]!)} MB (max ${Math.round(rss[runs - 1]!)} MB)`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
