// The README's capture figures with their floor come from the command now:
//   vctp benchmark capture --vms 40000 --vcenters 8 --runs 3   (src/jobs/benchmark-capture.ts)
// which starts the simulators itself and reports wall, CPU and peak RSS beside the raw-bytes floor.
// This script stays for finer experiments: GNU time, the simulators' and PostgreSQL backends' CPU,
// waiting for a quiet machine, private and A/B builds, collection alone, CPU profiles.
//
// Capture benchmark (README "Measured"): `vctp snapshot` of N simulated vCenters, as the real CLI
// in a child process: wall time (spawn to exit), peak RSS and CPU (user+sys) of that child, for a
// first capture (every VM new: inserts) and a second one an hour later (same inventory: the steady
// state, mostly diff work), `--runs` times each on a fresh database.
//
//   npx tsx scripts/bench/capture.ts --vcenters 1 --vms-per-vcenter 10000 [--runs 3]
//       [--engine sqlite|postgres] [--pg URL] [--cpu-prof] [--no-build] [--out-dir DIR]
//       [--source head|worktree] [--sim-parallel 2] [--max-other 0.25] [--max-attempts 4] [--keep]
//       [--collect-runs N] [--concurrency N] [--node-flags="--max-old-space-size=128 ..."]
//       [--app DIR]      (run the CLI from DIR/bin/vctp: a copy built earlier, e.g. patched for an A/B test)
//       [--serve-only]   (start the simulators and a migrated database, print the settings file,
//                         keep them up until stdin closes: for experiments by hand)
//
// - The CLI measured is a private build: HEAD's src/ (--source worktree: the working tree's)
//   compiled with tsc into --out-dir/app (with bin/, package.json, drizzle/ and a link to
//   node_modules), so that others' edits and `npm run build` in this tree cannot change it mid-run
//   (--no-build: bin/vctp and dist/ as they are).
// - This machine is shared: before each timed step the bench waits until the others use less than
//   --max-other cores, and a run during which they used more is done again (up to
//   --max-attempts; the discarded ones are kept in the JSON).
// - The simulators (test/vcsim, one process each) are started before anything is timed, at most
//   --sim-parallel at a time, each with its own CA (-cert-dir); the CLI trusts the concatenated
//   bundle through settings.vcenter_ca_file, so TLS is verified as in production.
//   Sizing: VMs per vCenter = (clusters + standalone hosts) x vm in one datacenter; the -vm flag is
//   derived from --vms-per-vcenter (4 clusters + 1 standalone host: 10,000 -> -vm 2000, 5,000 ->
//   -vm 1000; templates and SRM placeholders are among them); the exact count is reported.
// - Each run gets a fresh SQLite file or a fresh PostgreSQL database (created from --pg, which must
//   be allowed to CREATE DATABASE, and dropped afterwards); `vctp db migrate` runs untimed first.
// - Client figures come from GNU time (`/usr/bin/time -f`, Debian package `time`). The
//   simulators' CPU is read from /proc/<pid>/stat around each capture; our PostgreSQL backends'
//   (found by database name in their process title) every 50 ms while they live, so a lower
//   bound; the whole machine's from /proc/stat, so the rest ("others": other people's work, the
//   kernel, PostgreSQL's background writers) is visible too. The simulators run on the same
//   machine and compete with the client for its cores.
// - Split: per vCenter, the CLI's own durationMs ("snapshot stored": login + collection + diff +
//   write), and the collection alone measured by scripts/bench/collect-only.mjs (same collector,
//   all vCenters at once, no database).
// - --cpu-prof: one more run (not part of the figures) with `node --cpu-prof`, summarised by
//   self time per function and per area of the code; the .cpuprofile files stay in --out-dir.
//
// Prints a JSON summary (also written to --out-dir/summary.json) and a markdown table.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { stringify } from 'yaml';
import { buildVcsim, startVcsim, type Vcsim } from '../../test/helpers/vcsim.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const { values } = parseArgs({
  options: {
    vcenters: { type: 'string', default: '1' },
    'vms-per-vcenter': { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    engine: { type: 'string', default: 'sqlite' },
    pg: { type: 'string', default: 'postgres://vctp_test:vctp_test@127.0.0.1:5432/postgres' },
    clusters: { type: 'string', default: '4' },
    hosts: { type: 'string', default: '2' },
    'standalone-hosts': { type: 'string', default: '1' },
    'sim-parallel': { type: 'string', default: '2' },
    'collect-runs': { type: 'string' },
    'page-size': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'out-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    source: { type: 'string', default: 'head' },
    concurrency: { type: 'string', default: '0' },
    'node-flags': { type: 'string', default: '' },
    'serve-only': { type: 'boolean', default: false },
    app: { type: 'string' },
    'max-other': { type: 'string', default: '0.25' },
    'max-attempts': { type: 'string', default: '4' },
    'quiet-timeout': { type: 'string', default: '600' },
  },
});

const vcenterCount = positive('vcenters');
const vmsPerVcenter = positive('vms-per-vcenter');
const runs = positive('runs');
const collectRuns = values['collect-runs'] === undefined ? runs : Number(values['collect-runs']);
if (!Number.isInteger(collectRuns) || collectRuns < 0) throw new Error('--collect-runs: expected an integer >= 0');
const engine = values.engine;
if (engine !== 'sqlite' && engine !== 'postgres') throw new Error('--engine: sqlite or postgres');
const clusters = positive('clusters');
const standaloneHosts = Number(values['standalone-hosts']);
const vmFlag = Math.max(1, Math.round(vmsPerVcenter / (clusters + standaloneHosts)));
const simParallel = positive('sim-parallel');
const T0 = 1_776_729_600; // 2026-04-21 00:00 UTC: any time works on a fresh database
const outDir = values['out-dir'] ?? mkdtempSync(join(tmpdir(), 'vctp-bench-capture-'));
mkdirSync(outDir, { recursive: true });
const maxOther = Number(values['max-other']);
const concurrency = Number(values.concurrency);
/** Extra flags for the CLI's node (experiments: --max-old-space-size=N, --max-semi-space-size=N). */
const nodeFlags = values['node-flags'] ? values['node-flags'].split(/\s+/).filter(Boolean) : [];
if (values.source !== 'head' && values.source !== 'worktree') throw new Error('--source: head or worktree');
const maxAttempts = positive('max-attempts');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function positive(name: keyof typeof values): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer`);
  return n;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---- /proc readings -------------------------------------------------------------------------

/** utime + stime of a process, in seconds. */
function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "(comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function processRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** Whole machine: busy and total CPU seconds since boot (all cores). */
function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3]! + f[4]!;
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/** CPU seconds of every PostgreSQL backend serving `database`, by pid (read while they live). */
function pgBackendsCpu(database: string, into: Map<number, number>): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.startsWith('postgres: ') || !cmdline.includes(` ${database} `)) continue;
      into.set(Number(entry), processCpu(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * Other people's work on this machine (builds, tests) would be counted against vctp. Wait until the
 * machine is quiet: two 1 s windows in a row with less than --max-other cores busy besides the
 * simulators. Returns the seconds waited (the capture runs anyway after --quiet-timeout).
 */
async function waitForQuiet(sims: Vcsim[]): Promise<number> {
  const started = performance.now();
  const deadline = started + Number(values['quiet-timeout']) * 1000;
  let quietWindows = 0;
  let announced = false;
  while (quietWindows < 2) {
    const m0 = machineCpu();
    const s0 = sims.map((s) => processCpu(s.info.pid));
    await new Promise((r) => setTimeout(r, 1000));
    const m1 = machineCpu();
    const simS = sims.reduce((n, s, i) => n + processCpu(s.info.pid) - s0[i]!, 0);
    const busyCores = (m1.busy - m0.busy - simS) / ((m1.total - m0.total) / cpuCount);
    quietWindows = busyCores < maxOther ? quietWindows + 1 : 0;
    if (quietWindows === 0 && !announced) {
      log(`machine busy (${busyCores.toFixed(2)} cores used by others); waiting for quiet`);
      announced = true;
    }
    if (performance.now() > deadline) {
      log(`still busy after --quiet-timeout ${values['quiet-timeout']} s; measuring anyway`);
      break;
    }
  }
  return Math.round((performance.now() - started) / 1000);
}

const cpuCount = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()) || 1;

// ---- simulators -------------------------------------------------------------------------------

let vcsimBinary = '';

async function startSimulators(): Promise<Vcsim[]> {
  // A private copy: the tree's binary may be rebuilt by someone else while we run.
  vcsimBinary = join(outDir, 'vcsim');
  copyFileSync(await buildVcsim(), vcsimBinary);
  const sims: Vcsim[] = [];
  const started = performance.now();
  for (let i = 0; i < vcenterCount; i += simParallel) {
    const batch = Array.from({ length: Math.min(simParallel, vcenterCount - i) }, (_, k) =>
      startVcsim({
        dc: 1,
        cluster: clusters,
        host: Number(values.hosts),
        standaloneHost: standaloneHosts,
        vm: vmFlag,
        seed: i + k + 1,
        certDir: join(outDir, `vcsim-${i + k}`),
        binary: vcsimBinary,
      }),
    );
    sims.push(...(await Promise.all(batch)));
    log(`simulators up: ${sims.length}/${vcenterCount} (${sims.map((s) => s.info.startup_ms).join(', ')} ms to start)`);
  }
  log(`all simulators up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return sims;
}

// ---- the CLI child ----------------------------------------------------------------------------

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  time: { elapsedS: number; userS: number; sysS: number; maxRssMb: number } | null;
}

function runChild(command: string, args: string[], options: { gnuTime?: boolean; stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ChildResult> {
  const timeFile = join(outDir, `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const [cmd, argv] = options.gnuTime ? ['/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, command, ...args]] : [command, args];
  return new Promise((done, fail) => {
    const wall0 = performance.now();
    const child = spawn(cmd, argv, { cwd: appDir, stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdin.end(options.stdin ?? '');
    child.once('error', fail);
    child.once('close', (code) => {
      const wallMs = performance.now() - wall0;
      let time: ChildResult['time'] = null;
      if (options.gnuTime && existsSync(timeFile)) {
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!;
        const [e, u, s, m] = last.split(' ').map(Number);
        time = { elapsedS: e!, userS: u!, sysS: s!, maxRssMb: Math.round(m! / 1024) };
        rmSync(timeFile, { force: true });
      }
      done({ code, stdout, stderr, wallMs, time });
    });
  });
}

/** The CLI under test: a private build (see buildPrivateCopy). */
let appDir = repoRoot;
let vctp = join(repoRoot, 'bin/vctp');

/**
 * Other engineers build and test in the same tree: `npm run build` rewriting dist/ mid-run would
 * break a capture, their half-done edits may not compile, and our build would disturb theirs. So
 * take src/, drizzle/, bin/, package.json and tsconfig.json from the commit (--source head, the
 * default: `git archive`, read-only) or from the working tree (--source worktree), compile them
 * into our own dir with a link to node_modules, and run the CLI from there.
 */
function buildPrivateCopy(): void {
  appDir = join(outDir, 'app');
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(join(appDir, 'scripts/bench'), { recursive: true });
  const parts = ['src', 'drizzle', 'bin', 'package.json', 'tsconfig.json'];
  if (values.source === 'head') {
    const tar = spawnSync('bash', ['-c', `git archive HEAD ${parts.join(' ')} | tar -x -C "$1"`, 'archive', appDir], { cwd: repoRoot, encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`git archive HEAD failed\n${tar.stderr}`);
  } else {
    for (const part of parts) cpSync(join(repoRoot, part), join(appDir, part), { recursive: true });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(appDir, 'node_modules'));
  copyFileSync(join(repoRoot, 'scripts/bench/collect-only.mjs'), join(appDir, 'scripts/bench/collect-only.mjs'));
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(appDir, 'tsconfig.json')], { cwd: appDir, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc failed on the ${values.source} sources\n${tsc.stdout}\n${tsc.stderr}`);
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(appDir, 'BUILT_FROM'), `${head}${values.source === 'worktree' ? ' + working tree' : ''}\n`);
  vctp = join(appDir, 'bin/vctp');
}

/** Which code was measured: the commit, and (--source worktree) what was uncommitted in src/ and drizzle/. */
function codeVersion(): { head: string; source: string; uncommitted?: string } {
  const git = (args: string[]): string => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (values['no-build']) return { head, source: 'dist/ as found in the tree' };
  if (values.app) {
    const marker = join(resolve(values.app), 'BUILT_FROM');
    return { head: existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'unknown', source: `prebuilt copy in ${values.app}` };
  }
  if (values.source === 'head') return { head, source: `HEAD (${git(['log', '-1', '--format=%s']).slice(0, 80)})` };
  return { head, source: 'working tree', uncommitted: git(['status', '--porcelain', '--', 'src', 'drizzle']).split('\n').filter(Boolean).join(', ') || 'none' };
}

async function vctpOk(settingsFile: string, args: string[], stdin?: string): Promise<string> {
  const r = await runChild(process.execPath, [vctp, '-s', settingsFile, ...args], { stdin });
  if (r.code !== 0) throw new Error(`vctp ${args.join(' ')} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

// ---- databases --------------------------------------------------------------------------------

interface Db {
  settings: Record<string, unknown>;
  /** PostgreSQL database name (null on SQLite) */
  pgDatabase: string | null;
  drop(): Promise<void>;
}

async function freshDb(label: string): Promise<Db> {
  if (engine === 'sqlite') {
    const dir = join(outDir, `db-${label}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return {
      settings: { database_driver: 'sqlite', database_url: join(dir, 'db.sqlite3') },
      pgDatabase: null,
      drop: async () => {
        if (!values.keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `vctp_bench_capture_${process.pid}_${label}`.replace(/[^a-z0-9_]/g, '_');
  const admin = postgres(values.pg!, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(values.pg!);
  url.pathname = `/${name}`;
  return {
    settings: { database_driver: 'postgres', database_url: url.toString() },
    pgDatabase: name,
    drop: async () => {
      if (values.keep) return;
      const a = postgres(values.pg!, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

// ---- one timed capture ------------------------------------------------------------------------

interface Outcome {
  vcenter: string;
  ok: boolean;
  durationMs: number;
  summary?: { vmCount: number; added: number; changed: number; removed: number; unchanged: number };
  error?: string;
}

interface CaptureMeasure {
  kind: 'first' | 'steady';
  at: number;
  wallMs: number;
  gnuElapsedS: number;
  cpuUserS: number;
  cpuSysS: number;
  cpuS: number;
  peakRssMb: number;
  simCpuS: number;
  /** this run's PostgreSQL backends (sampled every 50 ms while they live: a lower bound) */
  pgCpuS: number;
  machineBusyS: number;
  /** machine CPU not accounted for by vctp, the simulators or our PostgreSQL backends */
  otherCpuS: number;
  waitedForQuietS: number;
  vms: number;
  added: number;
  changed: number;
  unchanged: number;
  perVcenterMs: number[];
}

async function timedCapture(settingsFile: string, sims: Vcsim[], pgDatabase: string | null, kind: 'first' | 'steady', at: number, profileFlags: string[] = []): Promise<CaptureMeasure> {
  const waitedForQuietS = await waitForQuiet(sims);
  const simCpu0 = sims.map((s) => processCpu(s.info.pid));
  const pg = new Map<number, number>();
  const poll = pgDatabase ? setInterval(() => pgBackendsCpu(pgDatabase, pg), 50) : undefined;
  const machine0 = machineCpu();
  const r = await runChild(process.execPath, [...nodeFlags, ...profileFlags, vctp, '-s', settingsFile, 'snapshot', '--at', String(at), '--json'], { gnuTime: true });
  const machine1 = machineCpu();
  clearInterval(poll);
  const simCpuS = sims.reduce((sum, s, i) => sum + processCpu(s.info.pid) - simCpu0[i]!, 0);
  if (r.code !== 0 || !r.time) throw new Error(`vctp snapshot --at ${at} exited ${r.code}\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  const result = JSON.parse(r.stdout) as { skipped: boolean; outcomes: Outcome[] };
  if (result.skipped) throw new Error('vctp snapshot was skipped (lock held?)');
  const failed = result.outcomes.filter((o) => !o.ok);
  if (failed.length > 0) throw new Error(`failed vCenters: ${failed.map((f) => `${f.vcenter}: ${f.error}`).join('; ')}`);
  const sum = (f: (o: Outcome) => number): number => result.outcomes.reduce((n, o) => n + f(o), 0);
  const cpuS = r.time.userS + r.time.sysS;
  const pgCpuS = [...pg.values()].reduce((a, b) => a + b, 0);
  const machineBusyS = machine1.busy - machine0.busy;
  return {
    kind,
    at,
    wallMs: Math.round(r.wallMs),
    gnuElapsedS: r.time.elapsedS,
    cpuUserS: r.time.userS,
    cpuSysS: r.time.sysS,
    cpuS: round2(cpuS),
    peakRssMb: r.time.maxRssMb,
    simCpuS: round2(simCpuS),
    pgCpuS: round2(pgCpuS),
    machineBusyS: round2(machineBusyS),
    otherCpuS: round2(Math.max(0, machineBusyS - cpuS - simCpuS - pgCpuS)),
    waitedForQuietS,
    vms: sum((o) => o.summary?.vmCount ?? 0),
    added: sum((o) => o.summary?.added ?? 0),
    changed: sum((o) => o.summary?.changed ?? 0),
    unchanged: sum((o) => o.summary?.unchanged ?? 0),
    perVcenterMs: result.outcomes.map((o) => o.durationMs),
  };
}

/** Busy cores (average over the capture) that were neither vctp, the simulators nor our PostgreSQL. */
function otherCores(m: CaptureMeasure): number {
  return m.otherCpuS / (m.wallMs / 1000);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

// ---- collection alone -------------------------------------------------------------------------

interface CollectMeasure {
  wallMs: number;
  cpuS: number;
  peakRssMb: number;
  simCpuS: number;
  vms: number;
  perVcenterMs: number[];
}

async function collectOnly(targetsFile: string, sims: Vcsim[]): Promise<CollectMeasure> {
  await waitForQuiet(sims);
  const simCpu0 = sims.map((s) => processCpu(s.info.pid));
  const r = await runChild(process.execPath, [join(appDir, 'scripts/bench/collect-only.mjs'), '--targets', targetsFile, ...pageSizeArgs('--page-size')]);
  const simCpuS = sims.reduce((sum, s, i) => sum + processCpu(s.info.pid) - simCpu0[i]!, 0);
  if (r.code !== 0) throw new Error(`collect-only exited ${r.code}\n${r.stderr}`);
  const line = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    vms: number;
    wallMs: number;
    cpuUserMs: number;
    cpuSystemMs: number;
    peakRssMb: number;
    perVcenter: { wallMs: number }[];
  };
  return {
    wallMs: line.wallMs,
    cpuS: round2((line.cpuUserMs + line.cpuSystemMs) / 1000),
    peakRssMb: line.peakRssMb,
    simCpuS: round2(simCpuS),
    vms: line.vms,
    perVcenterMs: line.perVcenter.map((v) => v.wallMs),
  };
}

function pageSizeArgs(flag: string): string[] {
  return values['page-size'] ? [flag, values['page-size']] : [];
}

// ---- CPU profile summary ----------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where in the code a frame lives, coarse enough to read at a glance (null: ask the caller's frame). */
function area(frame: ProfileNode['callFrame']): string | null {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle (waiting: network, simulators, database server)';
  if (functionName === '(program)') return 'V8/native (program)';
  if (functionName === '(root)') return 'other';
  if (url === '') return null; // a native function: counted where it was called from
  if (url.includes('/node_modules/saxes/') || url.includes('/node_modules/xmlchars/')) return 'XML parsing (saxes)';
  if (url.includes('/node_modules/better-sqlite3/')) return 'SQLite driver (better-sqlite3)';
  if (url.includes('/node_modules/postgres/')) return 'PostgreSQL driver (postgres)';
  if (url.includes('/node_modules/drizzle-orm/')) return 'drizzle-orm (SQL building)';
  if (/\/node_modules\/(pino|sonic-boom|thread-stream)/.test(url)) return 'logging (pino)';
  if (url.includes('/node_modules/')) return `other dependencies (${/\/node_modules\/([^/]+)/.exec(url)![1]})`;
  const m = /\/dist\/([^/]+)\/(.+)$/.exec(url);
  if (m) return `vctp ${m[1]}/${m[2]!.replace(/\.js$/, '')}`;
  if (/^node:internal\/(modules|bootstrap|process\/pre_execution|main)/.test(url)) return 'node: module loading and startup';
  if (/^node:(internal\/)?(tls|crypto|_tls)/.test(url)) return 'node: TLS';
  if (/^node:(internal\/)?(https?|_http|net|stream|streams|dns)/.test(url)) return 'node: HTTP, sockets and streams';
  if (url.startsWith('node:')) return 'node: other internals';
  return 'other';
}

interface ProfileSummary {
  file: string;
  sampledMs: number;
  byArea: { area: string; ms: number; pct: number }[];
  topFunctions: { fn: string; at: string; selfMs: number; pct: number }[];
  inclusive: { fn: string; ms: number; pct: number }[];
}

function summariseProfile(file: string): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000; // a sample's time is the gap to the next one
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const pct = (ms: number): number => Math.round((ms / total) * 1000) / 10;

  const areaMemo = new Map<number, string>();
  const areaOf = (id: number): string => {
    let a = areaMemo.get(id);
    if (a === undefined) {
      const up = parent.get(id);
      a = area(byId.get(id)!.callFrame) ?? (up === undefined ? 'other' : areaOf(up));
      areaMemo.set(id, a);
    }
    return a;
  };
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; at: string; ms: number }>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const a = areaOf(id);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    const at = `${node.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
    const key = `${node.callFrame.functionName}@${at}`;
    const entry = fns.get(key) ?? { fn: node.callFrame.functionName || '(anonymous)', at, ms: 0 };
    entry.ms += ms;
    fns.set(key, entry);
  }
  // Inclusive time of a few product functions: samples with the function anywhere on the stack.
  // Async code resumes without its callers on the stack, so these are lower bounds.
  const watched = ['collectInventory', 'retrieveAll', 'vmFacts', 'captureInventory', 'loadOpenSpans', 'diffSpans', 'spanStateOf', 'writeCapture', 'snapshotTotals', 'runMigrations', 'migrate'];
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)!.callFrame.functionName;
      if (watched.includes(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
      }
    }
  }
  return {
    file,
    sampledMs: Math.round(total),
    byArea: [...areas].map(([a, ms]) => ({ area: a, ms: Math.round(ms), pct: pct(ms) })).sort((x, y) => y.ms - x.ms),
    topFunctions: [...fns.values()]
      .sort((x, y) => y.ms - x.ms)
      .slice(0, 25)
      .map((f) => ({ fn: f.fn, at: f.at, selfMs: Math.round(f.ms), pct: pct(f.ms) })),
    inclusive: watched.filter((w) => inclusive.has(w)).map((w) => ({ fn: w, ms: Math.round(inclusive.get(w)!), pct: pct(inclusive.get(w)!) })),
  };
}

// ---- statistics and output --------------------------------------------------------------------

function stats(xs: number[]): { min: number; median: number; max: number } | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: round2(s[0]!), median: round2(median), max: round2(s[s.length - 1]!) };
}

function span(xs: number[], scale = 1, digits = 2): string {
  const st = stats(xs.map((x) => x / scale));
  if (!st) return '–';
  const { min, median, max } = st;
  return `${median.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})`;
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time missing: apt-get install time (GNU time)');
  log(`out dir ${outDir}`);
  const code = codeVersion();
  if (values.app) {
    // A copy built by an earlier run (--out-dir X: X/app), perhaps patched by hand: A/B experiments.
    appDir = resolve(values.app);
    vctp = join(appDir, 'bin/vctp');
    mkdirSync(join(appDir, 'scripts/bench'), { recursive: true });
    copyFileSync(join(repoRoot, 'scripts/bench/collect-only.mjs'), join(appDir, 'scripts/bench/collect-only.mjs'));
    log(`using ${code.source}`);
  } else if (!values['no-build']) {
    log(`building ${code.source} [${code.head}]${code.uncommitted ? ` (uncommitted: ${code.uncommitted})` : ''} into ${join(outDir, 'app')}`);
    buildPrivateCopy();
  }
  log(`starting ${vcenterCount} simulator(s): -dc 1 -cluster ${clusters} -host ${values.hosts} -standalone-host ${standaloneHosts} -vm ${vmFlag}, ${simParallel} at a time`);
  const sims = await startSimulators();
  const dbs: Db[] = [];
  try {
    const simVms = sims.map((s) => s.info.vms);
    const totalVms = simVms.reduce((a, b) => a + b, 0);
    const bundle = join(outDir, 'ca-bundle.pem');
    writeFileSync(bundle, sims.map((s) => s.ca ?? '').join(''));
    const targetsFile = join(outDir, 'targets.json');
    writeFileSync(targetsFile, JSON.stringify(sims.map((s) => ({ url: s.url, username: s.username, password: s.password, caFile: bundle }))));
    const simRssAfterStart = sims.map((s) => processRssMb(s.info.pid));

    // Settings: the password goes in encrypted (`vctp encrypt`), so no run rewrites the file.
    const baseSettings = (db: Db, password: string): Record<string, unknown> => ({
      settings: {
        log_level: 'info',
        log_output: 'json',
        ...db.settings,
        vcenter_username: sims[0]!.username,
        vcenter_password: password,
        vcenter_addresses: sims.map((s) => s.url),
        vcenter_insecure: false,
        vcenter_ca_file: bundle,
        hourly_snapshot_concurrency: concurrency,
        hourly_snapshot_max_retries: 0,
        hourly_snapshot_retry_seconds: 1,
        lock_wait_seconds: 0,
      },
    });
    const passwordSettings = join(outDir, 'encrypt.yml');
    writeFileSync(passwordSettings, stringify({ settings: { database_url: join(outDir, 'unused.sqlite3') } }));
    const encrypted = (await vctpOk(passwordSettings, ['encrypt'], `${sims[0]!.password}\n`)).trim();

    const prepare = async (label: string): Promise<{ file: string; db: Db }> => {
      const db = await freshDb(label);
      dbs.push(db);
      const file = join(outDir, `vctp-${label}.yml`);
      writeFileSync(file, stringify(baseSettings(db, encrypted)));
      await vctpOk(file, ['db', 'migrate']);
      return { file, db };
    };
    const describe = (m: CaptureMeasure): string =>
      `${m.wallMs} ms wall, ${m.cpuS} s CPU, ${m.peakRssMb} MB (simulators ${m.simCpuS} s CPU` +
      `${engine === 'postgres' ? `, PostgreSQL ${m.pgCpuS} s` : ''}, others ${otherCores(m).toFixed(2)} cores)`;

    if (values['serve-only']) {
      // For experiments by hand: the simulators and a migrated database stay up until stdin closes.
      const { file } = await prepare('manual');
      console.log(JSON.stringify({ settings: file, vctp, targets: targetsFile, simulatorPids: sims.map((s) => s.info.pid), vms: totalVms }));
      process.stdin.resume();
      await new Promise((done) => process.stdin.once('end', done));
      return;
    }

    type Run = { run: number; attempt: number; contaminated: boolean; first: CaptureMeasure; steady: CaptureMeasure };
    const measures: Run[] = [];
    const discarded: Run[] = [];
    for (let run = 1; run <= runs; run++) {
      for (let attempt = 1; ; attempt++) {
        const { file, db } = await prepare(`run${run}_${attempt}`);
        const first = await timedCapture(file, sims, db.pgDatabase, 'first', T0);
        const steady = await timedCapture(file, sims, db.pgDatabase, 'steady', T0 + 3600);
        await dbs.pop()!.drop();
        if (first.added !== totalVms || steady.unchanged !== totalVms) {
          throw new Error(`unexpected counts: first added ${first.added}, steady unchanged ${steady.unchanged}, simulators hold ${totalVms}`);
        }
        // Someone else's build or test running meanwhile inflates wall time: measure again.
        const contaminated = otherCores(first) > maxOther || otherCores(steady) > maxOther;
        const entry = { run, attempt, contaminated, first, steady };
        log(`run ${run}.${attempt}: first ${describe(first)}; steady ${describe(steady)}${contaminated ? ' — machine was busy' : ''}`);
        if (contaminated && attempt < maxAttempts) {
          discarded.push(entry);
          continue;
        }
        measures.push(entry);
        break;
      }
    }

    const collects: CollectMeasure[] = [];
    for (let i = 0; i < collectRuns; i++) {
      const c = await collectOnly(targetsFile, sims);
      collects.push(c);
      log(`collection alone ${i + 1}: ${c.wallMs} ms wall, ${c.cpuS} s CPU, ${c.peakRssMb} MB (sim ${c.simCpuS} s CPU)`);
    }

    let profiles: { first: ProfileSummary; steady: ProfileSummary } | undefined;
    if (values['cpu-prof']) {
      const { file, db } = await prepare('profile');
      const dir = (kind: string): string => join(outDir, `cpuprof-${kind}`);
      const profiled = async (kind: 'first' | 'steady', at: number): Promise<ProfileSummary> => {
        rmSync(dir(kind), { recursive: true, force: true });
        const m = await timedCapture(file, sims, db.pgDatabase, kind, at, ['--cpu-prof', `--cpu-prof-dir=${dir(kind)}`]);
        log(`profiled ${kind}: ${m.wallMs} ms wall (with the profiler), ${m.cpuS} s CPU`);
        const prof = readdirSync(dir(kind)).find((f) => f.endsWith('.cpuprofile'));
        if (!prof) throw new Error(`no .cpuprofile in ${dir(kind)}`);
        return summariseProfile(join(dir(kind), prof));
      };
      profiles = { first: await profiled('first', T0), steady: await profiled('steady', T0 + 3600) };
      await dbs.pop()!.drop();
    }

    const simRssAfter = sims.map((s) => processRssMb(s.info.pid));
    const pick = (kind: 'first' | 'steady', f: (m: CaptureMeasure) => number): number[] => measures.map((m) => f(m[kind]));
    const summarise = (kind: 'first' | 'steady') => ({
      wallS: stats(pick(kind, (m) => m.wallMs / 1000)),
      cpuS: stats(pick(kind, (m) => m.cpuS)),
      cpuUserS: stats(pick(kind, (m) => m.cpuUserS)),
      cpuSysS: stats(pick(kind, (m) => m.cpuSysS)),
      peakRssMb: stats(pick(kind, (m) => m.peakRssMb)),
      simulatorCpuS: stats(pick(kind, (m) => m.simCpuS)),
      postgresBackendCpuS: engine === 'postgres' ? stats(pick(kind, (m) => m.pgCpuS)) : null,
      othersBusyCores: stats(pick(kind, (m) => otherCores(m))),
      perVcenterMaxMs: stats(pick(kind, (m) => Math.max(...m.perVcenterMs))),
      perVcenterMedianMs: stats(pick(kind, (m) => stats(m.perVcenterMs)!.median)),
      vmsPerSecond: stats(pick(kind, (m) => Math.round(m.vms / (m.wallMs / 1000)))),
    });
    const first = summarise('first');
    const steady = summarise('steady');
    const collection = {
      wallS: stats(collects.map((c) => c.wallMs / 1000)),
      cpuS: stats(collects.map((c) => c.cpuS)),
      peakRssMb: stats(collects.map((c) => c.peakRssMb)),
      simulatorCpuS: stats(collects.map((c) => c.simCpuS)),
      perVcenterMaxMs: stats(collects.map((c) => Math.max(...c.perVcenterMs))),
    };
    const goal = totalVms >= 40_000 ? { wallS: 8, rssMb: 250 } : null;
    const summary = {
      workload: {
        vcenters: vcenterCount,
        vmsPerVcenter: simVms,
        totalVms,
        simulatorFlags: `-dc 1 -cluster ${clusters} -host ${values.hosts} -standalone-host ${standaloneHosts} -vm ${vmFlag} -seed <1..N> -cert-dir <own dir>`,
        tls: 'verified: vcenter_ca_file = bundle of each simulator\'s own CA',
        engine,
        runs,
        concurrency,
        nodeFlags,
        database: engine === 'sqlite' ? `file in ${outDir} (${spawnSync('df', ['--output=fstype', outDir], { encoding: 'utf8' }).stdout.split('\n')[1]?.trim()})` : values.pg!.replace(/\/\/[^@]*@/, '//'),
      },
      code,
      machine: { cpus: cpuCount, node: process.version, maxOtherCores: maxOther },
      simulators: { rssAfterStartMb: simRssAfterStart, rssAtEndMb: simRssAfter },
      first,
      steady,
      collectionAlone: collection,
      goal: goal && {
        ...goal,
        firstMeets: first.wallS!.median <= goal.wallS && first.peakRssMb!.median <= goal.rssMb,
        steadyMeets: steady.wallS!.median <= goal.wallS && steady.peakRssMb!.median <= goal.rssMb,
      },
      raw: { captures: measures, discardedBusyMachine: discarded, collectionAlone: collects },
      profiles,
      outDir,
    };
    writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2));
    console.log(JSON.stringify(summary, null, 2));

    const label = `${vcenterCount} × ${(totalVms / vcenterCount).toLocaleString('en-US')} = ${totalVms.toLocaleString('en-US')} VMs`;
    const row = (kind: 'first' | 'steady'): string => {
      const ms = measures.map((m) => m[kind]);
      const pgCol = engine === 'postgres' ? span(ms.map((m) => m.pgCpuS)) : '– (in-process)';
      return `| ${label} | ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${kind === 'first' ? 'first (all new)' : 'next hour (unchanged)'} | ${span(ms.map((m) => m.wallMs), 1000)} | ${span(ms.map((m) => m.cpuS))} | ${span(ms.map((m) => m.peakRssMb), 1, 0)} | ${span(ms.map((m) => m.simCpuS))} | ${pgCol} | ${span(ms.map((m) => Math.max(...m.perVcenterMs)), 1000)} |`;
    };
    const md = [
      `| VMs | database | capture | wall s | vctp CPU s (user+sys) | vctp peak RSS MB | simulators' CPU s | PostgreSQL CPU s | slowest vCenter s |`,
      `| --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
      row('first'),
      row('steady'),
      collectRuns === 0 ? '' : `| ${label} | – | collection alone (no DB) | ${span(collects.map((c) => c.wallMs), 1000)} | ${span(collects.map((c) => c.cpuS))} | ${span(collects.map((c) => c.peakRssMb), 1, 0)} | ${span(collects.map((c) => c.simCpuS))} | – | ${span(collects.map((c) => Math.max(...c.perVcenterMs)), 1000)} |`,
      '',
      `${concurrency === 0 && nodeFlags.length === 0 ? '' : `Variant: hourly_snapshot_concurrency ${concurrency}${nodeFlags.length ? `, node ${nodeFlags.join(' ')}` : ''}. `}Median (min–max) of ${runs} runs (collection alone: ${collectRuns}); \`node bin/vctp snapshot --json\` in a child process, wall from spawn to exit, ` +
        `CPU and peak RSS by GNU time; "slowest vCenter" is the CLI's own durationMs (login, collection, diff, write). ` +
        `The simulators run on the same ${cpuCount}-core machine and compete with vctp for CPU.` +
        (measures.some((m) => m.contaminated) ? ` ${measures.filter((m) => m.contaminated).length} run(s) had other work on the machine.` : ''),
    ]
      .filter((line, i) => i !== 4 || line !== '')
      .join('\n');
    writeFileSync(join(outDir, 'table.md'), `${md}\n`);
    console.log(`\n${md}`);
  } finally {
    for (const db of dbs) await db.drop().catch((e: unknown) => log(`dropping a database failed: ${String(e)}`));
    await Promise.all(sims.map((s) => s.stop()));
  }
}

await main();
