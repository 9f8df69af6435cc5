// Conversion benchmark (README "PostgreSQL partitioning"): loads a synthetic reference fleet
// (src/core/synthetic-fleet.ts) into a new, unpartitioned PostgreSQL database, then opens it with
// settings.postgres_vm_hourly_partitioning_enabled: true, which converts it (src/store/pg-partitions-convert.ts),
// and prints the rows moved and the time. Then the first retention run on the partitioned copy,
// against the same run on an unpartitioned one.
// Usage: npx tsx scripts/bench/pg-partitions-convert.ts --pg postgres://postgres@127.0.0.1:5432/postgres [--fleet fleet-S|fleet-L|fleet-XL] [--days 31]
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { fleetFrame, generateFleetChunks, referenceFleetSpec, type FleetName } from '../../src/core/synthetic-fleet.js';
import { runRetention } from '../../src/jobs/retention.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadSyntheticFleetChunks } from '../../src/store/bulk-load.js';
import { convertToPartitioned } from '../../src/store/pg-partitions-convert.js';
import { openStore } from '../../src/store/open-store.js';

const { values } = parseArgs({ options: { pg: { type: 'string' }, fleet: { type: 'string', default: 'fleet-L' }, days: { type: 'string', default: '31' } } });
if (!values.pg) throw new Error('--pg URL: a PostgreSQL server where this may create and drop two databases');
const admin = postgres(values.pg, { max: 1, onnotice: () => {} });
const names = [`vctp_bench_part_${process.pid}`, `vctp_bench_plain_${process.pid}`];
const urlOf = (name: string) => {
  const url = new URL(values.pg!);
  url.pathname = `/${name}`;
  return url.toString();
};
const now = Math.floor(Date.now() / 1000);
const reference = referenceFleetSpec(values.fleet as FleetName, now);
// More days than the reference month start earlier, so the history still ends where it does.
const days = Number(values.days);
const spec = { ...reference, days, start: reference.start - (days - reference.days) * 86_400 };
// Generated again for each database, one vCenter at a time (fleet-XL does not fit in memory whole).
const frame = fleetFrame(spec);
try {
  const retentionMs: Record<string, number> = {};
  for (const [i, name] of names.entries()) {
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const store = await openStore({ database_driver: 'postgres', database_url: urlOf(name) });
    const load = await loadSyntheticFleetChunks(store, frame, generateFleetChunks(spec));
    if (i === 0) {
      const report = await convertToPartitioned(store, now);
      const rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
      console.log(`${spec.name}: ${load.rows} rows loaded; conversion moved ${rows} rows (${report.tables.map((t) => `${t.table} ${t.rows}`).join(', ')}) in ${(report.ms / 1000).toFixed(1)} s`);
    }
    // Retention with a cut after the fleet's month: the whole month goes (by partition on the first database).
    const ctx = { store, log: silentLogger(), now: () => (spec.start + (spec.days + 40) * 86_400) * 1000 };
    const t0 = performance.now();
    const result = await runRetention(ctx, { hourly_snapshot_max_age_days: 7, daily_snapshot_max_age_months: 1 }, { dryRun: false, lockWaitSeconds: 0 });
    retentionMs[i === 0 ? 'partitioned' : 'unpartitioned'] = performance.now() - t0;
    if (!result.skipped) console.log(`retention (${i === 0 ? 'partitioned' : 'unpartitioned'}): ${JSON.stringify(result.removed)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await store.close();
  }
} finally {
  for (const name of names) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
