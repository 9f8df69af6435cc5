// `vctp benchmark aggregations`: parses the flags, runs the benchmark job, prints its report.
// With --synthetic the configured database is never opened (only its location is read, to refuse
// it as --db); without, the configured database is measured in rolled-back transactions
// (src/jobs/benchmark-aggregations.ts says why and what that costs).
import { availableParallelism } from 'node:os';
import { VctpError } from '../../core/errors.js';
import { type FleetName, REFERENCE_FLEETS, referenceFleetSpec } from '../../core/synthetic-fleet.js';
import { type AggregationBenchmarkReport, benchmarkAggregations } from '../../jobs/benchmark-aggregations.js';
import { count, fixed, printJson, stdoutOutput, type Output } from '../output.js';
import { parseIntegerFlag } from '../parse-time.js';
import { loadRuntimeSettings, type RuntimeOptions } from '../../app/runtime.js';

export interface BenchmarkAggregationsFlags {
  runs?: string;
  synthetic?: string;
  db?: string;
  keep?: boolean;
  json?: boolean;
  wide?: boolean;
}

export async function benchmarkAggregationsCommand(globals: RuntimeOptions, flags: BenchmarkAggregationsFlags): Promise<void> {
  const runs = parseIntegerFlag('--runs', flags.runs ?? '3', 1);
  if (flags.synthetic !== undefined && !(flags.synthetic in REFERENCE_FLEETS)) {
    throw new VctpError('usage', `--synthetic ${flags.synthetic}: expected ${Object.keys(REFERENCE_FLEETS).join(' or ')}`);
  }
  if (flags.synthetic === undefined && (flags.db !== undefined || flags.keep)) {
    throw new VctpError('usage', `${flags.db !== undefined ? '--db' : '--keep'}: only with --synthetic (to benchmark another existing database, point --settings at it)`);
  }
  const { settings, log } = await loadRuntimeSettings(globals);
  const now = Date.now;
  const report = await benchmarkAggregations({ log, now }, settings, {
    runs,
    synthetic: flags.synthetic
      ? { fleet: referenceFleetSpec(flags.synthetic as FleetName, Math.floor(now() / 1000)), db: flags.db, keep: flags.keep }
      : undefined,
  });
  print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), report, flags.wide ?? false);
}

const seconds = (ms: number | null, digits = 3): string => (ms === null ? '-' : fixed(ms / 1000, digits));
const thousands = (n: number): string => count(Math.round(n));

function print(out: Output, report: AggregationBenchmarkReport, wide: boolean): void {
  if (out.json) return printJson(out, report);
  const f = report.fleet;
  if (report.scratch) {
    out.write(`database: ${report.database} (scratch, ${report.scratch.kept ? 'kept' : 'emptied or deleted afterwards'}); each run commits and is undone afterwards, untimed`);
  } else {
    out.write(`database: ${report.database} (configured); each run is rolled back, so its commit is not timed`);
  }
  if (f) {
    const perDay = (n: number) => `${((100 * n) / (f.days * f.vcenters * f.vmsPerVcenter)).toFixed(2)}%`;
    out.write(
      `${f.name} (seed ${f.seed}): ${f.vcenters} vCenter(s) x ${thousands(f.vmsPerVcenter)} VMs, ${f.month} (${f.days} days x 24 snapshots), ` +
        `${thousands(f.vms)} VMs seen, ${thousands(f.spans)} spans, ${f.placements} placements; ${thousands(f.vmSamplesLastDay)} VM-samples on the last day`,
    );
    out.write(
      `changes per day: ${perDay(f.events.created)} created, ${perDay(f.events.deleted)} deleted, ${perDay(f.events.resized)} resized, ${perDay(f.events.moved)} moved`,
    );
  }
  if (report.load) {
    const l = report.load;
    out.write(
      `generate ${seconds(f?.generateMs ?? 0, 2)} s; load (${l.method}) ${thousands(l.rows)} rows in ${seconds(l.ms, 2)} s = ${thousands(l.rowsPerSecond)} rows/s ` +
        `(${l.tables.map((t) => `${t.table} ${thousands(t.rows)}`).join(', ')}); ANALYZE ${seconds(l.analyzeMs, 2)} s`,
    );
  }
  if (report.prepare) out.write(`daily summaries of the ${report.prepare.days} days built outside the timed runs (app engine): ${seconds(report.prepare.ms, 2)} s`);
  out.write(`windows: day ${report.day}, month ${report.month}; ${report.vcenters} vCenter(s) per run; 1 warm-up + ${report.runs} runs; times in seconds`);
  // Default: the median beside its window's floor, and its goal; --wide adds the warm-up, the
  // fastest and the slowest run.
  const head = wide
    ? ['window', 'engine', 'rows', 'warm-up', 'min', 'median', 'max', 'floor', 'x floor', 'sql/app', 'goal', 'peak RSS MB']
    : ['window', 'engine', 'rows', 'median', 'floor', 'x floor', 'sql/app', 'goal', 'peak RSS MB'];
  out.table(
    head,
    report.results.map((r) => {
      const ratio = report.ratios.find((x) => x.window === r.window)?.sqlOverApp ?? null;
      const window = r.daysRefreshed > 0 ? `${r.window} (+${r.daysRefreshed} days refreshed)` : r.window;
      // The error itself is in the benchmark's log line (and in --json).
      if (!r.ok) return [window, r.engine, ...head.slice(2, -2).map(() => null), 'failed', r.peakRssMb];
      // Both engines must write the same rows; a different count is worth seeing next to the time.
      const app = report.results.find((x) => x.window === r.window && x.engine === 'app');
      const rows = r.engine !== 'app' && app?.ok && app.rows !== r.rows ? `${count(r.rows)} (app: ${count(app.rows)})` : count(r.rows);
      const goal = r.medianMs === null ? '-' : `${r.medianMs / 1000 <= r.goalSeconds ? 'met' : 'missed'} (<= ${r.goalSeconds})`;
      const times = wide ? [seconds(r.warmupMs), seconds(r.minMs), seconds(r.medianMs), seconds(r.maxMs)] : [seconds(r.medianMs)];
      const toFloor = r.ratioToFloor === null ? '-' : `${fixed(r.ratioToFloor, 2)}x`;
      return [window, r.engine, rows, ...times, seconds(r.floorMs), toFloor, r.engine === 'sql' && ratio !== null ? fixed(ratio, 2) : '', goal, r.peakRssMb];
    }),
  );
  out.write(
    `floor = reading the rows the engine reads (raw, every vCenter) + bulk-writing as many summary rows (${
      report.dialect === 'sqlite' ? 'one prepared INSERT' : 'COPY FROM STDIN'
    }), one transaction, undone afterwards; measured in turn with the engines, ${report.runs} runs after a warm-up:`,
  );
  for (const f of report.floors) {
    out.write(
      f.ok
        ? `  ${f.window}: read ${thousands(f.rowsRead)} ${f.reads === 'spans' ? 'spans' : f.reads === 'daily' ? 'VMs summed from daily rows' : 'spans or VMs'} ${seconds(f.readMedianMs)} s, ` +
          `write ${thousands(f.rows)} rows ${seconds(f.writeMedianMs)} s (medians); floor ${seconds(f.medianMs)} s (median of read + write)`
        : `  ${f.window}: failed (${f.error})`,
    );
  }
  out.write(`peak RSS: ${report.peakRssMb.afterLoad !== null ? `${report.peakRssMb.afterLoad} MB after the load, ` : ''}${report.peakRssMb.end} MB at the end`);
  out.write(`load average (1 min): ${report.loadAverage.start.toFixed(2)} at the start, ${report.loadAverage.end.toFixed(2)} at the end (${availableParallelism()} CPUs)`);
  if (report.scratch?.kept) out.write(`scratch database kept: ${report.scratch.location}`);
}
