// Monthly report of the fleet-L reference workload (README "Measured": 8 vCenters x 5,000 VMs, 31 days):
// wall time and peak RSS of `vctp report monthly`, the built binary in a process of its own (so the
// figure is the report's, not the data generator's). Goal (issue 4): <= 10 s and <= 400 MB.
//
//   npm run build && npx tsx scripts/bench/report.ts [--db PATH|postgres://...] [--runs N] [--daily] [--fleet fleet-S|fleet-L|fleet-XL] [--cost]
//
// --fleet: the reference fleet generated into an empty database (default fleet-L; fleet-S is one
// vCenter of 1,000 VMs, the size of the workbook README "Reports" prints; fleet-XL 32 x 10,000).
// --cost: settings with a rate card and report_cost_dimensions [cluster, folder]: the workbook's
// cost columns and Cost sheets (the figures are whatever the summaries hold).
// --db: a database with a fleet already loaded (e.g. left by `vctp benchmark aggregations
// --synthetic fleet-L --keep --db PATH`), else an empty one to generate fleet-L into (default: a
// temporary SQLite file). The month is aggregated first when it has no monthly summary.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { formatDay, formatMonth, monthPeriod, dayPeriod } from '../../src/core/periods.js';
import { type FleetName, REFERENCE_FLEETS, referenceFleetSpec } from '../../src/core/synthetic-fleet.js';
import { runAggregate } from '../../src/jobs/aggregate.js';
import { seedSyntheticFleet } from '../../src/jobs/synthetic-fleet.js';
import { createLogger } from '../../src/log/logger.js';
import { openStore, type StoreSettings } from '../../src/store/open-store.js';
import { num } from '../../src/store/sql-util.js';
import { runMeasuredVctp } from './measured-vctp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const runs = Number(flag('--runs') ?? '3');
const withDaily = args.includes('--daily');
const fleetFlag = flag('--fleet') ?? 'fleet-L';
if (!(fleetFlag in REFERENCE_FLEETS)) {
  console.error(`--fleet: expected ${Object.keys(REFERENCE_FLEETS).join(', ')}, got ${fleetFlag}`);
  process.exit(1);
}
const fleetName = fleetFlag as FleetName;

if (!existsSync(join(ROOT, 'dist/jobs/report.js'))) {
  console.error('run `npm run build` first: the report is measured with the built bin/vctp');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'vctp-bench-report-'));
const dbArg = flag('--db');
const store: StoreSettings =
  dbArg === undefined
    ? { database_driver: 'sqlite', database_url: join(work, `${fleetName}.sqlite3`) }
    : /^postgres(ql)?:\/\//.test(dbArg)
      ? { database_driver: 'postgres', database_url: dbArg }
      : { database_driver: 'sqlite', database_url: resolve(dbArg) };
const log = createLogger({ level: 'warn' });

const settings = {
  tier_patterns: { tin: ['Tin'], bronze: ['Bronze'], silver: ['Silver'], gold: ['Gold'] },
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
  vcenter_inventory_snapshot_seconds: 3600,
  scheduled_aggregation_engine: 'app' as const,
  monthly_aggregation_source: 'daily' as const,
};

/** The month (and last day) to report: the fleet's, generated here when the database is empty. */
async function prepare(): Promise<{ month: string; day: string; vms: number }> {
  const db = await openStore(store);
  try {
    const latest = await db.all<{ t: number | null }>(sql`SELECT MAX(snapshot_time) AS t FROM snapshot_registry WHERE kind = 'hourly'`);
    let last = latest[0]?.t == null ? null : num(latest[0].t);
    if (last === null) {
      const spec = referenceFleetSpec(fleetName, Math.floor(Date.now() / 1000));
      const t0 = performance.now();
      // One vCenter at a time: fleet-XL's month is never in memory whole.
      const { fleet, load } = await seedSyntheticFleet({ log }, db, spec);
      console.log(`generated ${fleetName} (${fleet.vms} VMs, ${fleet.spans} spans) and loaded ${load.rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      last = spec.start + (spec.days * 86_400) - spec.snapshotSeconds;
    }
    const month = monthPeriod(formatMonth(last - 3600));
    const day = dayPeriod(formatDay(last - 3600));
    const ctx = { store: db, log, now: () => (month.end + 86_400) * 1000 };
    const has = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM snapshot_registry WHERE kind = 'monthly' AND snapshot_time = ${month.start}`);
    if (num(has[0]?.n) === 0) {
      const t0 = performance.now();
      const result = await runAggregate(ctx, settings, { kind: 'monthly', period: month.label, engine: 'app', lockWaitSeconds: 30 });
      if (result.skipped || result.outcomes.some((o) => !o.ok)) throw new Error(`monthly aggregation failed: ${JSON.stringify(result)}`);
      console.log(`aggregated ${month.label} (daily summaries first, then the month) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const rows = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_monthly_summary WHERE month = ${month.start}`);
    return { month: month.label, day: day.label, vms: num(rows[0]?.n) };
  } finally {
    await db.close();
  }
}

/** One report in a process of its own: wall, CPU and peak RSS (scripts/bench/measured-vctp.ts). */
async function runReport(settingsPath: string, reportArgs: string[]): Promise<{ ms: number; cpuMs: number; rssMb: number; out: string }> {
  const run = await runMeasuredVctp(settingsPath, ['report', ...reportArgs, '--json']);
  return { ms: run.wallMs, cpuMs: run.cpuMs, rssMb: run.rssKb / 1024, out: run.out };
}

try {
  const { month, day, vms } = await prepare();
  const settingsPath = join(work, 'vctp.yml');
  writeFileSync(
    settingsPath,
    [
      'settings:',
      `  database_driver: ${store.database_driver}`,
      `  database_url: "${store.database_url}"`,
      `  reports_dir: "${join(work, 'reports')}"`,
      '  log_level: warn',
      ...(args.includes('--cost')
        ? [
            '  rate_cards:',
            '    - { valid_from: "2020-01-01", currency: EUR, per: month, tiers: { gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 }, silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08 }, none: { vcpu: 8, ram_gb: 2 } } }',
            '  report_cost_dimensions: [ cluster, folder ]',
          ]
        : []),
      '',
    ].join('\n'),
  );
  const kinds: [string, string[]][] = [['monthly', ['monthly', '--month', month]]];
  if (withDaily) kinds.push(['daily', ['daily', '--date', day]]);
  for (const [kind, reportArgs] of kinds) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await runReport(settingsPath, reportArgs));
    const written = JSON.parse(results[0]!.out) as { path: string; vmRows: number; charts: number };
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    const rss = results.map((r) => r.rssMb).sort((a, b) => a - b);
    const cpu = results.map((r) => r.cpuMs).sort((a, b) => a - b);
    console.log(
      `${kind} report (${store.database_driver}, ${vms.toLocaleString('en-US')} VMs in the month, ${written.vmRows.toLocaleString('en-US')} VM rows, ${written.charts} charts), ` +
        `${runs} runs of the built CLI: wall time median ${(ms[Math.floor(runs / 2)]! / 1000).toFixed(2)} s (min ${(ms[0]! / 1000).toFixed(2)}, max ${(ms[runs - 1]! / 1000).toFixed(2)}), ` +
        `CPU time median ${(cpu[Math.floor(runs / 2)]! / 1000).toFixed(2)} s, peak RSS median ${Math.round(rss[Math.floor(runs / 2)]!)} MB (max ${Math.round(rss[runs - 1]!)} MB); ` +
        `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`,
    );
  }
} finally {
  // The scratch settings and reports; a --db given stays, fleet and summaries included, for reruns.
  rmSync(work, { recursive: true, force: true });
}
