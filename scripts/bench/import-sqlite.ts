// `vctp import-sqlite` figure (README "Measured"): the fleet-L synthetic SQLite database (src/core
// synthetic-fleet.ts: 8 vCenters x 5,000 VMs, 31 days of hourly captures as state spans), with the
// daily summaries of its last --days days aggregated, imported into a fresh PostgreSQL database by
// the built binary (npm run build first). Prints rows, wall time, rows/s and the import process's
// peak RSS (GNU time). Usage:
//   npx tsx scripts/bench/import-sqlite.ts [--fleet fleet-L] [--days 7] [--pg postgres://user@host/postgres] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { type FleetName, referenceFleetSpec } from '../../src/core/synthetic-fleet.js';
import { aggregateDays, seedSyntheticFleet } from '../../src/jobs/synthetic-fleet.js';
import { silentLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/open-store.js';

const { values } = parseArgs({
  options: {
    fleet: { type: 'string', default: 'fleet-L' },
    days: { type: 'string', default: '7' },
    pg: { type: 'string', default: process.env.VCTP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'vctp-bench-import-'));
const file = join(dir, `${values.fleet}.sqlite3`);
const spec = referenceFleetSpec(values.fleet as FleetName, Math.floor(Date.now() / 1000));
const log = silentLogger();

const t0 = performance.now();
const store = await openStore({ database_driver: 'sqlite', database_url: file });
try {
  const { fleet } = await seedSyntheticFleet({ log }, store, spec);
  const days = Number(values.days);
  const end = spec.start + spec.days * 86_400;
  const settings = {
    tier_patterns: DEFAULT_TIER_PATTERNS,
    tenants_to_filter: [],
    node_charge_clusters: [],
    srm_activeactive_vms: [],
    vcenter_inventory_snapshot_seconds: spec.snapshotSeconds,
    scheduled_aggregation_engine: 'app' as const,
    monthly_aggregation_source: 'daily' as const,
  };
  const aggregateMs = await aggregateDays({ store, log, now: () => end * 1000 }, settings, end - days * 86_400, end);
  console.log(`${spec.name}: ${fleet.vms} VMs, ${fleet.spans} spans, ${days} days aggregated in ${(aggregateMs / 1000).toFixed(1)} s`);
} finally {
  await store.close();
}
console.log(`SQLite file ${file}: ${(statSync(file).size / 1048576).toFixed(1)} MiB, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const name = `vctp_bench_import_${process.pid}`;
const admin = postgres(values.pg, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(values.pg);
url.pathname = `/${name}`;
const settingsFile = join(dir, 'vctp.yml');
writeFileSync(settingsFile, ['settings:', '  database_driver: postgres', `  database_url: "${url.toString()}"`, '  log_output: json', ''].join('\n'));
try {
  const bin = new URL('../../bin/vctp', import.meta.url).pathname;
  for (const run of ['first (empty database: schema created)', 'second (replaces the first)']) {
    const started = performance.now();
    const child = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, '-s', settingsFile, 'import-sqlite', file, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, VCTP_SETTINGS: '' },
      maxBuffer: 64 << 20,
    });
    const wallS = (performance.now() - started) / 1000;
    if (child.status !== 0) throw new Error(`import failed (${child.status}): ${child.stderr}`);
    const result = JSON.parse(child.stdout) as { rows: number; ms: number; verifyMs: number; rowsPerSecond: number; tables: { table: string; sourceRows: number; copyMs: number }[] };
    const rssMiB = Number(child.stderr.trim().split('\n').at(-1)) / 1024;
    console.log(
      `import ${run}: ${result.rows} rows, transaction ${(result.ms / 1000).toFixed(1)} s of which checksums in PostgreSQL ${(result.verifyMs / 1000).toFixed(1)} s (${Math.round(result.rowsPerSecond)} rows/s), ` +
        `process wall ${wallS.toFixed(1)} s, peak RSS ${rssMiB.toFixed(0)} MiB`,
    );
    for (const t of result.tables) if (t.sourceRows > 0) console.log(`  ${t.table}: ${t.sourceRows} rows, copy ${(t.copyMs / 1000).toFixed(2)} s`);
  }
  const [size] = await admin.unsafe(`SELECT pg_database_size('${name}') AS bytes`);
  console.log(`PostgreSQL database after import: ${(Number(size!.bytes) / 1048576).toFixed(0)} MiB`);
  console.log(execFileSync(process.execPath, ['--version']).toString().trim(), `on ${(await admin.unsafe('SHOW server_version'))[0]!.server_version}`);
} finally {
  if (!values.keep) {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  } else console.log(`kept ${file} and database ${name}`);
  await admin.end();
}
