// `vctp serve` under load (README "Measured"): fleet-L (8 vCenters x 5,000 VMs, 31 days of hourly
// history, every day aggregated) in a scratch SQLite file and a scratch PostgreSQL database; the
// built server (`node bin/vctp serve`, plain HTTP on loopback, auth disabled) runs as its own
// process and autocannon measures it from this one, each endpoint for a bounded time after a
// warm-up: the highest throughput with 10 connections, and the latency at a fixed 1,000 req/s.
// The server's RSS (/proc/<pid>/status VmRSS) is read when it is idle after start and after the load.
//
// Usage: npm run build && npx tsx scripts/bench/serve-bench.ts [--engine sqlite|postgres|both]
//          [--seconds 20] [--warmup 5] [--rate 1000] [--connections 10] [--pg ADMIN_URL] [--json FILE]
// The PostgreSQL admin URL (default $VCTP_TEST_PG_URL) must be allowed to CREATE DATABASE; the
// scratch database (vctp_bench_serve_<random>) is dropped at the end, the SQLite file deleted.
// With --data-dir DIR the prepared databases are kept (DIR/fleet-l.sqlite3, DIR/postgres-url) and a
// later run with the same DIR measures them again without preparing (drop the PostgreSQL one by hand).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { referenceFleetSpec, type FleetSpec } from '../../src/core/synthetic-fleet.js';
import { parseSettings } from '../../src/config/parse-settings.js';
import { silentLogger } from '../../src/log/logger.js';
import { aggregateDays, openScratch, seedSyntheticFleet } from '../../src/jobs/synthetic-fleet.js';
import { freePort } from '../../test/helpers/free-port.js';

// autocannon ships no types: the few fields read here.
interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; p99_9: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<CannonResult>;

const ROOT = new URL('../../', import.meta.url).pathname;
const DAY = 86_400;

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '10' },
    pg: { type: 'string', default: process.env.VCTP_TEST_PG_URL ?? 'postgres://vctp_test:vctp_test@127.0.0.1:5432/postgres' },
    json: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const RATE = Number(values.rate);
const CONNECTIONS = Number(values.connections);
const engines = values.engine === 'both' ? (['sqlite', 'postgres'] as const) : [values.engine as 'sqlite' | 'postgres'];

interface Scratch {
  settings: { database_driver: 'sqlite' | 'postgres'; database_url: string };
  /** Prepared by an earlier run with the same --data-dir. */
  prepared: boolean;
  /** Records that it is prepared (--data-dir only). */
  markPrepared?(): void;
  drop(): Promise<void>;
}

async function scratchDatabase(engine: 'sqlite' | 'postgres'): Promise<Scratch> {
  const kept = values['data-dir'];
  if (kept) {
    mkdirSync(kept, { recursive: true });
    const marker = join(kept, engine === 'sqlite' ? 'fleet-l.sqlite3.prepared' : 'postgres-url');
    if (existsSync(marker)) {
      const url = engine === 'sqlite' ? join(kept, 'fleet-l.sqlite3') : readFileSync(marker, 'utf8').trim();
      return { settings: { database_driver: engine, database_url: url }, prepared: true, drop: async () => {} };
    }
    const fresh = await scratchDatabase0(engine, kept);
    return { ...fresh, markPrepared: () => writeFileSync(marker, engine === 'sqlite' ? '' : fresh.settings.database_url), drop: async () => {} };
  }
  return scratchDatabase0(engine, undefined);
}

async function scratchDatabase0(engine: 'sqlite' | 'postgres', keptDir: string | undefined): Promise<Scratch> {
  if (engine === 'sqlite') {
    if (keptDir) return { settings: { database_driver: 'sqlite', database_url: join(keptDir, 'fleet-l.sqlite3') }, prepared: false, drop: async () => {} };
    const dir = mkdtempSync(join(tmpdir(), 'vctp-serve-bench-'));
    return { settings: { database_driver: 'sqlite', database_url: join(dir, 'fleet-l.sqlite3') }, prepared: false, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `vctp_bench_serve_${randomBytes(4).toString('hex')}`;
  const admin = postgres(values.pg!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(values.pg!);
  url.pathname = `/${name}`;
  return {
    settings: { database_driver: 'postgres', database_url: url.toString() },
    prepared: false,
    drop: async () => {
      const dropper = postgres(values.pg!, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** fleet-L over the 31 days that end at today's 00:00 UTC, so the endpoints' default windows hold it. */
function fleetSpec(): FleetSpec {
  const now = Math.floor(Date.now() / 1000);
  const today = now - (now % DAY);
  return { ...referenceFleetSpec('fleet-L', now), start: today - 31 * DAY, days: 31 };
}

async function prepare(scratch: Scratch, spec: FleetSpec): Promise<{ loadMs: number; aggregateMs: number }> {
  const log = silentLogger();
  // openScratch refuses the "configured" database; there is none here.
  const opened = await openScratch({ database_driver: 'sqlite', database_url: join(tmpdir(), 'vctp-serve-bench-none.sqlite3') }, scratch.settings.database_url);
  try {
    const t0 = performance.now();
    await seedSyntheticFleet({ log }, opened.store, spec);
    const loadMs = performance.now() - t0;
    const settings = { ...parseSettings('settings:\n', 'bench.yml').settings, vcenter_inventory_snapshot_seconds: spec.snapshotSeconds };
    const aggregateMs = await aggregateDays({ store: opened.store, log, now: Date.now }, settings, spec.start, spec.start + spec.days * DAY);
    return { loadMs, aggregateMs };
  } finally {
    await opened.dispose(true);
  }
}


function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return line ? Math.round(Number(line[1]) / 102.4) / 10 : NaN;
}

async function startServer(scratch: Scratch, dir: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const file = join(dir, 'vctp.yml');
  writeFileSync(
    file,
    [
      'settings:',
      `  database_driver: ${scratch.settings.database_driver}`,
      `  database_url: ${JSON.stringify(scratch.settings.database_url)}`,
      '  bind_ip: 127.0.0.1',
      `  bind_port: ${port}`,
      '  bind_disable_tls: true',
      '  auth_enabled: false',
      '  auth_mode: disabled',
      '  enable_pprof: true',
      '  log_level: warn',
      `  reports_dir: ${JSON.stringify(join(dir, 'reports'))}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const child = spawn(process.execPath, [join(ROOT, 'bin/vctp'), '--settings', file, 'serve'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`vctp serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/swagger.json`)).ok) return { child, base };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error('vctp serve did not answer within 30 s');
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Measured {
  maxRps: number;
  maxP50: number;
  maxP99: number;
  fixedRps: number;
  fixedP50: number;
  fixedP99: number;
  fixedP999: number;
  fixedMax: number;
  errors: number;
  non2xx: number;
}

async function cannon(url: string, options: { seconds: number; overallRate?: number }): Promise<CannonResult> {
  return autocannon({ url, connections: CONNECTIONS, duration: options.seconds, ...(options.overallRate ? { overallRate: options.overallRate } : {}) });
}

async function measure(url: string): Promise<Measured> {
  await cannon(url, { seconds: WARMUP });
  const max = await cannon(url, { seconds: SECONDS });
  const fixed = await cannon(url, { seconds: SECONDS, overallRate: RATE });
  return {
    maxRps: Math.round(max.requests.average),
    maxP50: max.latency.p50,
    maxP99: max.latency.p99,
    fixedRps: Math.round(fixed.requests.average),
    fixedP50: fixed.latency.p50,
    fixedP99: fixed.latency.p99,
    fixedP999: fixed.latency.p99_9,
    fixedMax: fixed.latency.max,
    errors: max.errors + fixed.errors + max.timeouts + fixed.timeouts,
    non2xx: max.non2xx + fixed.non2xx,
  };
}

async function json(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

interface EngineResult {
  engine: string;
  loadMs: number;
  aggregateMs: number;
  rssIdleMb: number;
  rssAfterMb: number;
  rssIdleAfterMb: number;
  metricsScrapeMs: number;
  endpoints: Record<string, Measured & { bytes: number }>;
}

async function runEngine(engine: 'sqlite' | 'postgres'): Promise<EngineResult> {
  const scratch = await scratchDatabase(engine);
  const dir = mkdtempSync(join(tmpdir(), 'vctp-serve-bench-run-'));
  try {
    const spec = fleetSpec();
    let loadMs = NaN;
    let aggregateMs = NaN;
    if (!scratch.prepared) {
      console.error(`[${engine}] generating and loading fleet-L (${spec.vcenters} x ${spec.vmsPerVcenter} VMs, ${spec.days} days), aggregating every day`);
      ({ loadMs, aggregateMs } = await prepare(scratch, spec));
      scratch.markPrepared?.();
      console.error(`[${engine}] loaded in ${(loadMs / 1000).toFixed(1)} s, aggregated in ${(aggregateMs / 1000).toFixed(1)} s`);
    }
    console.error(`[${engine}] starting vctp serve on ${scratch.settings.database_driver === 'sqlite' ? scratch.settings.database_url : 'the scratch PostgreSQL database'}`);
    const { child, base } = await startServer(scratch, dir);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const rssIdleMb = rssMb(child.pid!);
      // One scrape reads the figures afresh (job_runs, the registry, a stat() per due report).
      const t0 = performance.now();
      const scrape = await fetch(`${base}/metrics`);
      await scrape.text();
      const metricsScrapeMs = Math.round(performance.now() - t0);
      // A VM that exists all month in vCenter 3, and a name part that matches a handful of VMs.
      const vm = 'app-3-00042.corp.example';
      const targets: Record<string, string> = {
        'GET /api/vcenters/totals?view=daily': `${base}/api/vcenters/totals?view=daily`,
        'GET /api/vm/trace?view=daily': `${base}/api/vm/trace?vm=${encodeURIComponent(vm)}&view=daily`,
        'GET /api/vm/search?q=': `${base}/api/vm/search?q=app-3-0004`,
      };
      const endpoints: EngineResult['endpoints'] = {};
      for (const [name, url] of Object.entries(targets)) {
        const bytes = JSON.stringify(await json(url)).length;
        console.error(`[${engine}] ${name}: ${bytes} bytes of JSON; ${WARMUP} s warm-up, ${SECONDS} s at max, ${SECONDS} s at ${RATE}/s`);
        endpoints[name] = { ...(await measure(url)), bytes };
      }
      const rssAfterMb = rssMb(child.pid!);
      await new Promise((r) => setTimeout(r, 5000));
      const rssIdleAfterMb = rssMb(child.pid!);
      return { engine, loadMs, aggregateMs, rssIdleMb, rssAfterMb, rssIdleAfterMb, metricsScrapeMs, endpoints };
    } finally {
      await stopServer(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await scratch.drop();
  }
}

const started = new Date();
const results: EngineResult[] = [];
for (const engine of engines) results.push(await runEngine(engine));

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadAtEnd: loadavg()[0] };
const table = [
  `| engine | endpoint | JSON bytes | max req/s (${CONNECTIONS} conn) | p50 / p99 ms at max | req/s at fixed ${RATE} | p50 / p99 / p99.9 / max ms at ${RATE}/s | errors, non-2xx |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...results.flatMap((r) =>
    Object.entries(r.endpoints).map(
      ([name, m]) =>
        `| ${r.engine} | ${name} | ${m.bytes} | ${m.maxRps} | ${m.maxP50} / ${m.maxP99} | ${m.fixedRps} | ${m.fixedP50} / ${m.fixedP99} / ${m.fixedP999} / ${m.fixedMax} | ${m.errors}, ${m.non2xx} |`,
    ),
  ),
  '',
  '| engine | RSS idle after start | RSS right after load | RSS idle 5 s after load | first /metrics scrape |',
  '| --- | --- | --- | --- | --- |',
  ...results.map((r) => `| ${r.engine} | ${r.rssIdleMb} MB | ${r.rssAfterMb} MB | ${r.rssIdleAfterMb} MB | ${r.metricsScrapeMs} ms |`),
].join('\n');
console.log(table);
const report = { date: started.toISOString(), machine, seconds: SECONDS, warmup: WARMUP, rate: RATE, connections: CONNECTIONS, results };
console.log(JSON.stringify(report, null, 2));
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
