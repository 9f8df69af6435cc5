// The cost curve (README "Measured", issue 12 item 4): fleet-S (1 x 1,000 VMs), fleet-L (8 x 5,000)
// and fleet-XL (32 x 10,000 = 320,000 VMs), 31 days each, on PostgreSQL and SQLite, every step in
// a process of its own (the built bin/vctp) so that each peak RSS is that step's:
//
// 1. `vctp benchmark aggregations --synthetic FLEET --db SCRATCH --keep --json`: the fleet is
//    generated and bulk-loaded one vCenter at a time (load time, rows/s, peak RSS after the load),
//    then the daily and monthly windows are timed with both engines (median of --runs).
// 2. `vctp aggregate daily|monthly --engine app|sql` on the kept database: peak RSS and CPU of one
//    aggregation on its own (it replaces the summaries the benchmark left, or writes the month's).
// 3. storage: bytes of the state tables (vm_spans, vm_lifecycle, vm_identities, vm_placements,
//    snapshot_registry, vcenters) with their indexes, per VM-hour (sum of the hourly registry's
//    row_count); PostgreSQL pg_total_relation_size, SQLite dbstat (pages in use). The whole database
//    too, summaries included.
// 4. `vctp report monthly --json`: wall, CPU and peak RSS.
// Then the scratch database is dropped (PostgreSQL) or deleted (SQLite). Every figure carries the
// 1-minute load average at its start and end.
//
//   npm run build && npx tsx scripts/bench/cost-curve.ts --pg postgres://user@127.0.0.1:5432/postgres \
//     [--fleets fleet-S,fleet-L,fleet-XL] [--dbs postgres,sqlite] [--runs 3] [--out results.jsonl] [--table results.jsonl]
//
// --pg: a server where this may create and drop databases (vctp_cost_<fleet>_<pid>).
// --table FILE: print the table (with growth factors) of results written before by --out, and exit.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { REFERENCE_FLEETS } from '../../src/core/synthetic-fleet.js';
import { openStore, type StoreSettings } from '../../src/store/open-store.js';
import { num } from '../../src/store/sql-util.js';
import { runMeasuredVctp } from './measured-vctp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    pg: { type: 'string' },
    fleets: { type: 'string', default: 'fleet-S,fleet-L,fleet-XL' },
    dbs: { type: 'string', default: 'postgres,sqlite' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string' },
    table: { type: 'string' },
  },
});

const STATE_TABLES = ['vcenters', 'snapshot_registry', 'vm_placements', 'vm_lifecycle', 'vm_identities', 'vm_spans'];

interface Step {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
  load: [number, number];
}

interface Result {
  fleet: string;
  vms: number;
  db: 'postgres' | 'sqlite';
  spans: number;
  loadRows: number;
  loadMs: number;
  generateMs: number;
  rowsPerSecond: number;
  /** Peak RSS of the benchmark process once the fleet was loaded (the load step's peak). */
  loadRssMb: number | null;
  /** The benchmark's medians, per window and engine. */
  windows: { window: string; engine: string; medianMs: number | null; ok: boolean }[];
  benchmark: Step;
  benchmarkLoad: [number, number];
  aggregate: Record<string, Step>;
  storage: { vmHours: number; stateBytes: number; totalBytes: number; stateBytesPerVmHour: number; fileBytes?: number; byTable: Record<string, number> };
  report: Step & { vmRows: number };
  /** RSS of the CLI doing nothing (`vctp --version`): the floor under every step's peak. */
  baselineRssMb: number;
}

if (values.table) {
  printTable(readFileSync(values.table, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Result));
  process.exit(0);
}

if (!existsSync(join(ROOT, 'dist/cli/program.js'))) {
  console.error('run `npm run build` first: every step runs the built bin/vctp');
  process.exit(1);
}
const fleets = values.fleets!.split(',');
for (const f of fleets) if (!(f in REFERENCE_FLEETS)) throw new Error(`--fleets: ${f} is not one of ${Object.keys(REFERENCE_FLEETS).join(', ')}`);
const dbs = values.dbs!.split(',') as ('postgres' | 'sqlite')[];
if (dbs.includes('postgres') && !values.pg) throw new Error('--pg URL: a PostgreSQL server where this may create and drop databases');

const load1 = (): number => +loadavg()[0]!.toFixed(2);

/** One step in a process of its own (scripts/bench/measured-vctp.ts), with the load before and after. */
async function vctp(settingsPath: string, args: string[]): Promise<Step & { out: string }> {
  const before = load1();
  const run = await runMeasuredVctp(settingsPath, args);
  return { wallMs: run.wallMs, cpuMs: run.cpuMs, rssMb: Math.round(run.rssKb / 1024), load: [before, load1()], out: run.out };
}

function settingsFile(dir: string, store: StoreSettings): string {
  const path = join(dir, `vctp-${store.database_driver}.yml`);
  writeFileSync(
    path,
    [
      'settings:',
      `  database_driver: ${store.database_driver}`,
      `  database_url: "${store.database_url}"`,
      `  reports_dir: "${join(dir, 'reports')}"`,
      '  log_level: warn',
      '  vcenter_inventory_snapshot_seconds: 3600',
      '  monthly_aggregation_source: daily',
      '',
    ].join('\n'),
  );
  return path;
}

async function storage(target: StoreSettings): Promise<Result['storage']> {
  const store = await openStore(target);
  try {
    const byTable: Record<string, number> = {};
    if (store.dialect === 'postgres') {
      const rows = await store.all<{ name: string; b: number }>(
        sql`SELECT c.relname AS name, pg_total_relation_size(c.oid) AS b FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r', 'p')`,
      );
      for (const r of rows) byTable[r.name] = num(r.b);
    } else {
      // Pages in use per table, its indexes counted with it (dbstat: free pages left by the
      // benchmark's undone runs are not counted).
      const rows = await store.all<{ name: string; b: number }>(
        sql`SELECT COALESCE(m.tbl_name, d.name) AS name, SUM(d.pgsize) AS b FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1`,
      );
      for (const r of rows) byTable[r.name] = num(r.b);
    }
    const hours = await store.all<{ n: number }>(sql`SELECT SUM(row_count) AS n FROM snapshot_registry WHERE kind = 'hourly'`);
    const vmHours = num(hours[0]?.n);
    const stateBytes = STATE_TABLES.reduce((sum, t) => sum + (byTable[t] ?? 0), 0);
    const totalBytes = Object.values(byTable).reduce((a, b) => a + b, 0);
    return { vmHours, stateBytes, totalBytes, stateBytesPerVmHour: +(stateBytes / vmHours).toFixed(2), byTable };
  } finally {
    await store.close();
  }
}

async function measure(fleet: string, db: 'postgres' | 'sqlite'): Promise<Result> {
  const work = mkdtempSync(join(tmpdir(), 'vctp-cost-curve-'));
  const dbName = `vctp_cost_${fleet.replace(/\W/g, '_').toLowerCase()}_${process.pid}`;
  const admin = db === 'postgres' ? postgres(values.pg!, { max: 1, onnotice: () => {} }) : null;
  let target: StoreSettings;
  if (admin) {
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    const url = new URL(values.pg!);
    url.pathname = `/${dbName}`;
    target = { database_driver: 'postgres', database_url: url.toString() };
  } else {
    target = { database_driver: 'sqlite', database_url: join(work, `${fleet}.sqlite3`) };
  }
  try {
    // The benchmark's own settings never name the scratch database (it refuses the configured one).
    const benchSettings = settingsFile(mkdtempSync(join(work, 'bench-')), { database_driver: 'sqlite', database_url: join(work, 'unused.sqlite3') });
    const scratchSettings = settingsFile(work, target);
    const baseline = await vctp(benchSettings, ['--version']);
    console.error(`${fleet} on ${db}: loading and benchmarking (load average ${load1()})`);
    const bench = await vctp(benchSettings, ['benchmark', 'aggregations', '--synthetic', fleet, '--db', target.database_url, '--keep', '--runs', values.runs!, '--json']);
    const report = JSON.parse(bench.out) as {
      fleet: { vms: number; spans: number };
      load: { rows: number; ms: number; generateMs?: number; rowsPerSecond: number };
      results: { window: string; engine: string; medianMs: number | null; ok: boolean }[];
      peakRssMb: { afterLoad: number | null };
      loadAverage: { start: number; end: number };
      day: string;
      month: string;
    };
    const aggregate: Record<string, Step> = {};
    for (const engine of ['app', 'sql']) {
      console.error(`${fleet} on ${db}: aggregate daily/monthly --engine ${engine} (load average ${load1()})`);
      const { out: _d, ...daily } = await vctp(scratchSettings, ['aggregate', 'daily', '--date', report.day, '--engine', engine, '--json']);
      aggregate[`daily-${engine}`] = daily;
      const { out: _m, ...monthly } = await vctp(scratchSettings, ['aggregate', 'monthly', '--month', report.month, '--engine', engine, '--json']);
      aggregate[`monthly-${engine}`] = monthly;
    }
    const stored = await storage(target);
    if (db === 'sqlite') stored.fileBytes = statSync(target.database_url).size;
    console.error(`${fleet} on ${db}: monthly report (load average ${load1()})`);
    // A failed report (e.g. out of memory) is recorded, not allowed to lose the other figures.
    const printed = await vctp(scratchSettings, ['report', 'monthly', '--month', report.month, '--json']).catch((error: unknown) => {
      console.error(`${fleet} on ${db}: the monthly report failed: ${(error as Error).message}`);
      return { wallMs: NaN, cpuMs: NaN, rssMb: NaN, load: [load1(), load1()] as [number, number], out: '{"vmRows":null}' };
    });
    const { out, ...reportStep } = printed;
    const result: Result = {
      fleet,
      vms: REFERENCE_FLEETS[fleet as keyof typeof REFERENCE_FLEETS].vcenters * REFERENCE_FLEETS[fleet as keyof typeof REFERENCE_FLEETS].vmsPerVcenter,
      db,
      spans: report.fleet.spans,
      loadRows: report.load.rows,
      loadMs: Math.round(report.load.ms),
      generateMs: Math.round(report.load.generateMs ?? 0),
      rowsPerSecond: Math.round(report.load.rowsPerSecond),
      loadRssMb: report.peakRssMb.afterLoad,
      windows: report.results.map((r) => ({ window: r.window, engine: r.engine, medianMs: r.medianMs === null ? null : Math.round(r.medianMs), ok: r.ok })),
      benchmark: { wallMs: Math.round(bench.wallMs), cpuMs: bench.cpuMs, rssMb: bench.rssMb, load: bench.load },
      benchmarkLoad: [report.loadAverage.start, report.loadAverage.end],
      aggregate,
      storage: stored,
      report: { ...reportStep, wallMs: Math.round(reportStep.wallMs), vmRows: (JSON.parse(out) as { vmRows: number }).vmRows },
      baselineRssMb: baseline.rssMb,
    };
    return result;
  } finally {
    if (admin) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
    rmSync(work, { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (const db of dbs) {
  for (const fleet of fleets) {
    try {
      const result = await measure(fleet, db);
      results.push(result);
      console.log(JSON.stringify(result));
      if (values.out) appendFileSync(values.out, `${JSON.stringify(result)}\n`);
    } catch (error) {
      console.error(`${fleet} on ${db} failed: ${(error as Error).message}`);
    }
  }
}
printTable(results);

function printTable(all: Result[]): void {
  const s = (ms: number | null | undefined) => (ms == null ? '-' : (ms / 1000).toFixed(ms < 10_000 ? 2 : 1));
  const median = (r: Result, window: string, engine: string) => r.windows.find((w) => w.window === window && w.engine === engine)?.medianMs ?? null;
  const rows: [string, (r: Result) => number | null, (v: number | null) => string][] = [
    ['VMs', (r) => r.vms, (v) => (v ?? 0).toLocaleString('en-US')],
    ['spans', (r) => r.spans, (v) => (v ?? 0).toLocaleString('en-US')],
    ['load (rows written, excl. generation)', (r) => r.loadMs, s],
    ['load rows/s', (r) => r.rowsPerSecond, (v) => (v ?? 0).toLocaleString('en-US')],
    ['load peak RSS MB', (r) => r.loadRssMb, (v) => String(v ?? '-')],
    ['daily app s', (r) => median(r, 'daily', 'app'), s],
    ['daily sql s', (r) => median(r, 'daily', 'sql'), s],
    ['monthly (from daily) app s', (r) => median(r, 'monthly-from-daily', 'app'), s],
    ['monthly (from daily) sql s', (r) => median(r, 'monthly-from-daily', 'sql'), s],
    ['monthly (from hourly) app s', (r) => median(r, 'monthly-from-hourly', 'app'), s],
    ['monthly (from hourly) sql s', (r) => median(r, 'monthly-from-hourly', 'sql'), s],
    ['daily app peak RSS MB', (r) => r.aggregate['daily-app']?.rssMb ?? null, (v) => String(v ?? '-')],
    ['daily sql peak RSS MB', (r) => r.aggregate['daily-sql']?.rssMb ?? null, (v) => String(v ?? '-')],
    ['monthly app peak RSS MB', (r) => r.aggregate['monthly-app']?.rssMb ?? null, (v) => String(v ?? '-')],
    ['monthly sql peak RSS MB', (r) => r.aggregate['monthly-sql']?.rssMb ?? null, (v) => String(v ?? '-')],
    ['state bytes per VM-hour', (r) => r.storage.stateBytesPerVmHour, (v) => (v ?? 0).toFixed(2)],
    ['whole database MB', (r) => r.storage.totalBytes / 1e6, (v) => (v ?? 0).toFixed(0)],
    ['monthly report s', (r) => r.report.wallMs, s],
    ['monthly report CPU s', (r) => r.report.cpuMs, s],
    ['monthly report peak RSS MB', (r) => r.report.rssMb, (v) => String(v ?? '-')],
  ];
  for (const db of ['postgres', 'sqlite']) {
    const byFleet = ['fleet-S', 'fleet-L', 'fleet-XL'].map((f) => all.find((r) => r.db === db && r.fleet === f));
    if (byFleet.every((r) => r === undefined)) continue;
    const factor = (a: Result | undefined, b: Result | undefined, get: (r: Result) => number | null) => {
      const x = a ? get(a) : null;
      const y = b ? get(b) : null;
      return x && y ? `${(y / x).toFixed(1)}x` : '-';
    };
    console.log(`\n${db}\n`);
    console.log('| | fleet-S | fleet-L | fleet-XL | L/S | XL/L |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [label, get, fmt] of rows) {
      const cells = byFleet.map((r) => (r ? fmt(get(r)) : '-'));
      console.log(`| ${label} | ${cells.join(' | ')} | ${factor(byFleet[0], byFleet[1], get)} | ${factor(byFleet[1], byFleet[2], get)} |`);
    }
    const loads = byFleet.map((r) => (r ? `${r.benchmarkLoad[0]}-${r.benchmarkLoad[1]}` : '-'));
    console.log(`| load average (benchmark start-end) | ${loads.join(' | ')} | | |`);
  }
}
