// `vctp benchmark capture`: K simulated vCenters holding N VMs between them, a first capture (every
// VM new: inserts) and the next hour's (the same inventory: the steady state, mostly diff work) into
// a scratch database, each beside the floor measured just before it in the same run: the same
// pages fetched as raw bytes without parsing (benchmark-capture-floor.ts).
//
// - Each capture is the installed CLI itself, `vctp snapshot --at T --json`, in a child process:
//   wall from spawn to exit (Node's start and module loading included: what a timer pays), and the
//   child's own CPU (user + sys) and peak RSS, which it writes on exit through a preloaded module
//   (getrusage of that process; no GNU time needed). So the figures are the capture's alone: not
//   this process's, nor the simulators' (which run on the same machine and compete for its cores).
// - The floor runs in this process (it holds nothing: bytes are counted and dropped), all vCenters
//   at once as the capture with hourly_snapshot_concurrency 0, with the collector's page size.
//   ratio = capture wall / floor wall. --runs N repeats the pair on a fresh database each time and
//   reports each figure's median (ratio: median wall / median floor) beside every run's own.
// - The database is a scratch one (openScratch: a temporary SQLite file by default, or --db: an
//   empty SQLite file or PostgreSQL database, refused when it is the configured one, emptied
//   afterwards); the CLI child gets a settings file of its own in a temporary directory, so the
//   operator's settings and data are never read or written. Everything temporary is removed.
// - Simulators are stopped on every path: success, error, and SIGINT/SIGTERM (input.signal), as is a
//   capture child in flight.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VctpError } from '../core/errors.js';
import { sqlitePathFromUrl } from '../core/sqlite-url.js';
import type { StoreSettings } from '../store/open-store.js';
import type { Logger } from '../log/logger.js';
import { CAPTURE_PAGE_SIZE, measureFloor, type FloorTarget } from './benchmark-capture-floor.js';
import { appRoot, locateSimulator, SIM_CLUSTERS, SIM_STANDALONE_HOSTS, startSimulators, stopAll, vmFlagFor, type Simulator } from './benchmark-capture-simulators.js';
import { openScratch } from './synthetic-fleet.js';

type Scratch = Awaited<ReturnType<typeof openScratch>>;

export interface CaptureBenchmarkInput {
  /** VMs across all vCenters (each simulator holds about vms / vcenters). */
  vms: number;
  vcenters: number;
  /** First + next-hour pairs, each on a fresh scratch database; the report gives medians. */
  runs: number;
  /** --vcsim: the simulator binary (default: the checkout's test/vcsim/vcsim). */
  vcsim?: string;
  /** --db: an empty scratch database (default: a temporary SQLite file). */
  db?: string;
  signal?: AbortSignal;
}

export interface CaptureFigures {
  kind: 'first' | 'next-hour';
  /** The snapshot time passed to `vctp snapshot --at`. */
  at: number;
  vms: number;
  added: number;
  unchanged: number;
  wall_s: number;
  cpu_s: number;
  cpu_user_s: number;
  cpu_sys_s: number;
  peak_rss_mb: number;
  /** The slowest vCenter's own durationMs (login, collection, diff, write), from the CLI's JSON. */
  slowest_vcenter_s: number;
  floor_s: number;
  floor_cpu_s: number;
  floor_mb: number;
  /** RetrievePropertiesEx + ContinueRetrievePropertiesEx responses the floor fetched (all vCenters). */
  floor_pages: number;
  /** wall_s / floor_s */
  ratio: number;
  load_average: number;
}

export interface CaptureRun {
  run: number;
  captures: CaptureFigures[];
}

export interface CaptureBenchmarkReport {
  vcenters: number;
  vms: number;
  vms_per_vcenter: number[];
  /** pids: the simulators' processes, all gone when the report is returned. */
  simulator: { binary: string; flags: string; start_s: number; pids: number[] };
  database: string;
  page_size: number;
  /** Per kind: the median of each figure over the runs (ratio: median wall / median floor). */
  captures: CaptureFigures[];
  /** Every run's own figures. */
  runs: CaptureRun[];
  goal: { ratio: number; met: boolean };
  load_average: { start: number; end: number };
  cpus: number;
}

export const CAPTURE_GOAL_RATIO = 2;
/** 2026-04-21 00:00 UTC: any time works on a fresh database. */
const T0 = 1_776_729_600;
const POSTGRES_URL = /^postgres(ql)?:\/\//;

interface Env {
  log: Logger;
  settings: StoreSettings;
}

export async function benchmarkCapture(env: Env, input: CaptureBenchmarkInput): Promise<CaptureBenchmarkReport> {
  const binary = locateSimulator(input.vcsim);
  const root = appRoot();
  const loadStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'vctp-benchmark-capture-'));
  let sims: Simulator[] = [];
  try {
    // The CLI child runs in `dir`: a relative SQLite path is made absolute here. A fresh database per run.
    const dbFor = (run: number): string =>
      input.db === undefined ? join(dir, `capture-${run}.sqlite3`) : POSTGRES_URL.test(input.db) ? input.db : resolve(sqlitePathFromUrl(input.db));
    // Opened before the simulators start, so that a wrong --db fails at once.
    let scratch: Scratch | undefined = await openScratch(env.settings, dbFor(1));
    const location = scratch.location;
    try {
      const perVcenter = Math.ceil(input.vms / input.vcenters);
      const simStart = performance.now();
      env.log.info({ vcenters: input.vcenters, vmFlag: vmFlagFor(perVcenter) }, 'starting the simulators');
      const password = randomBytes(12).toString('hex');
      sims = await startSimulators({
        binary,
        password,
        dir,
        count: input.vcenters,
        vmsPerVcenter: perVcenter,
        signal: input.signal,
        onStarted: (started) => env.log.info({ started: started.length, of: input.vcenters, pids: started.map((s) => s.info.pid) }, 'simulators up'),
      });
      const startS = (performance.now() - simStart) / 1000;
      const bundle = join(dir, 'ca-bundle.pem');
      writeFileSync(bundle, sims.map((s) => s.ca).join(''));
      const targets: FloorTarget[] = sims.map((s) => ({ url: s.info.url, username: s.info.username, password: s.info.password, caFile: bundle }));

      const vctp = join(root, 'bin', 'vctp');
      const child = new CliChild(dir, vctp, input.signal);
      // The password goes in encrypted, so that no capture rewrites the settings file.
      const encrypted = await child.encrypt(password);
      const settingsFile = join(dir, 'vctp.yml');

      const runs: CaptureRun[] = [];
      for (let run = 1; run <= input.runs; run++) {
        if (run > 1) {
          await scratch.dispose(false);
          scratch = undefined;
          scratch = await openScratch(env.settings, dbFor(run));
        }
        writeFileSync(settingsFile, settingsYaml(dbFor(run), sims, encrypted, bundle));
        const captures: CaptureFigures[] = [];
        for (const [kind, at] of [['first', T0], ['next-hour', T0 + 3600]] as const) {
          input.signal?.throwIfAborted();
          const floor = await measureFloor(targets, CAPTURE_PAGE_SIZE, input.signal);
          const measured = await child.capture(settingsFile, at);
          const figures = toFigures(kind, at, measured, floor);
          if (kind === 'first' && figures.added !== figures.vms) throw new VctpError('internal', `first capture added ${figures.added} of ${figures.vms} VMs`);
          if (kind === 'next-hour' && figures.unchanged !== figures.vms) throw new VctpError('internal', `next-hour capture left ${figures.unchanged} of ${figures.vms} VMs unchanged`);
          env.log.info({ run, kind, wall_s: figures.wall_s, floor_s: figures.floor_s, ratio: figures.ratio, peak_rss_mb: figures.peak_rss_mb }, 'capture measured');
          captures.push(figures);
        }
        runs.push({ run, captures });
      }
      const captures = (['first', 'next-hour'] as const).map((kind) => medianFigures(runs.map((r) => r.captures.find((c) => c.kind === kind)!)));
      const vmsPerVcenter = sims.map((s) => s.info.vms);
      return {
        vcenters: input.vcenters,
        vms: vmsPerVcenter.reduce((a, b) => a + b, 0),
        vms_per_vcenter: vmsPerVcenter,
        simulator: {
          binary,
          flags: `-dc 1 -cluster ${SIM_CLUSTERS} -host 2 -standalone-host ${SIM_STANDALONE_HOSTS} -vm ${vmFlagFor(perVcenter)} -seed <1..K>`,
          start_s: round(startS, 1),
          pids: sims.map((s) => s.info.pid),
        },
        database: location,
        page_size: CAPTURE_PAGE_SIZE,
        captures,
        runs,
        goal: { ratio: CAPTURE_GOAL_RATIO, met: captures.every((c) => c.ratio <= CAPTURE_GOAL_RATIO) },
        load_average: { start: round(loadStart, 2), end: round(loadavg()[0]!, 2) },
        cpus: cpus().length,
      };
    } finally {
      await stopAll(sims);
      const last = scratch;
      await last?.dispose(false).catch((error: unknown) => env.log.warn({ err: (error as Error).message }, `could not clean up ${last.location}`));
    }
  } finally {
    await stopAll(sims);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each figure's median over the runs; the ratio is that of the median wall to the median floor. */
function medianFigures(runs: readonly CaptureFigures[]): CaptureFigures {
  const m = (f: (c: CaptureFigures) => number): number => {
    const s = runs.map(f).sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  const wall = round(m((c) => c.wall_s), 3);
  const floor = round(m((c) => c.floor_s), 3);
  return {
    ...runs[0]!,
    wall_s: wall,
    cpu_s: round(m((c) => c.cpu_s), 2),
    cpu_user_s: round(m((c) => c.cpu_user_s), 2),
    cpu_sys_s: round(m((c) => c.cpu_sys_s), 2),
    peak_rss_mb: Math.round(m((c) => c.peak_rss_mb)),
    slowest_vcenter_s: round(m((c) => c.slowest_vcenter_s), 3),
    floor_s: floor,
    floor_cpu_s: round(m((c) => c.floor_cpu_s), 2),
    floor_mb: round(m((c) => c.floor_mb), 1),
    floor_pages: Math.round(m((c) => c.floor_pages)),
    ratio: round(wall / floor, 2),
    load_average: round(m((c) => c.load_average), 2),
  };
}

function settingsYaml(dbTarget: string, sims: readonly Simulator[], encryptedPassword: string, bundle: string): string {
  const postgres = POSTGRES_URL.test(dbTarget);
  return [
    '# written by vctp benchmark capture; removed with its directory',
    'settings:',
    `  database_driver: ${postgres ? 'postgres' : 'sqlite'}`,
    `  database_url: ${JSON.stringify(dbTarget)}`,
    '  log_output: json',
    '  log_level: warn',
    '  vcenter_insecure: false',
    `  vcenter_ca_file: ${JSON.stringify(bundle)}`,
    '  hourly_snapshot_concurrency: 0',
    '  hourly_snapshot_max_retries: 0',
    '  hourly_snapshot_retry_seconds: 1',
    '  lock_wait_seconds: 0',
    `  vcenter_addresses: [${sims.map((s) => JSON.stringify(s.info.url)).join(', ')}]`,
    `  vcenter_username: ${JSON.stringify(sims[0]!.info.username)}`,
    `  vcenter_password: ${JSON.stringify(encryptedPassword)}`,
    '',
  ].join('\n');
}

interface Outcome {
  ok: boolean;
  durationMs: number;
  error?: string;
  vcenter: string;
  summary?: { vmCount: number; added: number; unchanged: number };
}

interface ChildRun {
  wallMs: number;
  userS: number;
  sysS: number;
  maxRssMb: number;
  outcomes: Outcome[];
}

/** The installed CLI in child processes; a child in flight is killed when the signal fires. */
class CliChild {
  private readonly preload: string;
  private readonly usageFile: string;

  constructor(
    private readonly dir: string,
    private readonly vctp: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.usageFile = join(dir, 'rusage.json');
    this.preload = join(dir, 'rusage-on-exit.mjs');
    // getrusage of the child itself, written as it exits: its peak RSS and CPU, whatever it runs.
    writeFileSync(
      this.preload,
      `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const r = process.resourceUsage(); ` +
        `writeFileSync(${JSON.stringify(this.usageFile)}, JSON.stringify({ maxRSS: r.maxRSS, user: r.userCPUTime, system: r.systemCPUTime })); });\n`,
    );
  }

  run(args: string[], stdin = '', measured = false): Promise<{ code: number | null; stdout: string; stderr: string; wallMs: number }> {
    const nodeArgs = measured ? ['--import', pathToFileURL(this.preload).href] : [];
    return new Promise((done, fail) => {
      this.signal?.throwIfAborted();
      const wall0 = performance.now();
      const child = spawn(process.execPath, [...nodeArgs, this.vctp, ...args], { cwd: this.dir, stdio: ['pipe', 'pipe', 'pipe'] });
      const onAbort = (): void => void child.kill('SIGTERM');
      this.signal?.addEventListener('abort', onAbort, { once: true });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-16384)));
      child.stdin.end(stdin);
      child.once('error', (error) => {
        this.signal?.removeEventListener('abort', onAbort);
        fail(new VctpError('internal', `cannot run ${this.vctp}: ${error.message}`));
      });
      child.once('close', (code) => {
        const wallMs = performance.now() - wall0;
        this.signal?.removeEventListener('abort', onAbort);
        if (this.signal?.aborted) return fail(this.signal.reason);
        done({ code, stdout, stderr, wallMs });
      });
    });
  }

  async encrypt(password: string): Promise<string> {
    const settings = join(this.dir, 'encrypt.yml');
    writeFileSync(settings, `settings:\n  database_url: ${JSON.stringify(join(this.dir, 'unused.sqlite3'))}\n`);
    const r = await this.run(['-s', settings, 'encrypt'], `${password}\n`);
    if (r.code !== 0) throw new VctpError('internal', `vctp encrypt exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  async capture(settingsFile: string, at: number): Promise<ChildRun> {
    rmSync(this.usageFile, { force: true });
    const r = await this.run(['-s', settingsFile, 'snapshot', '--at', String(at), '--json'], '', true);
    if (r.code !== 0) throw new VctpError('internal', `vctp snapshot --at ${at} exited ${r.code}:\n${r.stderr.trim().slice(-4000)}`);
    const result = JSON.parse(r.stdout) as { skipped?: boolean; outcomes: Outcome[] };
    if (result.skipped) throw new VctpError('internal', 'vctp snapshot was skipped');
    const failed = result.outcomes.filter((o) => !o.ok);
    if (failed.length > 0) throw new VctpError('vcenter', `capture failed: ${failed.map((f) => `${f.vcenter}: ${f.error}`).join('; ')}`);
    const usage = JSON.parse(readFileSync(this.usageFile, 'utf8')) as { maxRSS: number; user: number; system: number };
    return { wallMs: r.wallMs, userS: usage.user / 1e6, sysS: usage.system / 1e6, maxRssMb: usage.maxRSS / 1024, outcomes: result.outcomes };
  }
}

function toFigures(kind: CaptureFigures['kind'], at: number, run: ChildRun, floor: Awaited<ReturnType<typeof measureFloor>>): CaptureFigures {
  const sum = (f: (o: Outcome) => number): number => run.outcomes.reduce((n, o) => n + f(o), 0);
  const wall = run.wallMs / 1000;
  const floorS = floor.wallMs / 1000;
  return {
    kind,
    at,
    vms: sum((o) => o.summary?.vmCount ?? 0),
    added: sum((o) => o.summary?.added ?? 0),
    unchanged: sum((o) => o.summary?.unchanged ?? 0),
    wall_s: round(wall, 3),
    cpu_s: round(run.userS + run.sysS, 2),
    cpu_user_s: round(run.userS, 2),
    cpu_sys_s: round(run.sysS, 2),
    peak_rss_mb: Math.round(run.maxRssMb),
    slowest_vcenter_s: round(Math.max(...run.outcomes.map((o) => o.durationMs)) / 1000, 3),
    floor_s: round(floorS, 3),
    floor_cpu_s: round((floor.cpuUserMs + floor.cpuSystemMs) / 1000, 2),
    floor_mb: round(floor.pageBytes / 1e6, 1),
    floor_pages: floor.pages,
    // From the rounded figures, so that wall_s / floor_s gives the ratio printed.
    ratio: round(round(wall, 3) / round(floorS, 3), 2),
    load_average: round(loadavg()[0]!, 2),
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
