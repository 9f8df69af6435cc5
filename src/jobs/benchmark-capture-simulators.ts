// VMware's vCenter simulators for `vctp benchmark capture`: test/vcsim/vcsim (govmomi's simulator
// with our main, built from a checkout by scripts/build-vcsim.sh), one child process per simulated
// vCenter, each with its own CA, TLS verified by the capture.
//
// No simulator outlives the benchmark: stopAll() on every path of the job, SIGTERM from an exit hook
// (process.on('exit'), which also runs when the CLI exits on a second Ctrl-C), stdin EOF
// (-exit-on-stdin-eof) and PR_SET_PDEATHSIG (test/vcsim/main.go) should we be killed outright.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VctpError } from '../core/errors.js';
import { readSimulatorReadyLine } from './simulator-ready-line.js';

/** The top of the installation this code runs from (src/jobs or dist/jobs is two levels below it). */
export function appRoot(moduleUrl: string = import.meta.url): string {
  return resolve(dirname(fileURLToPath(moduleUrl)), '../..');
}

/** --vcsim PATH, or the checkout's test/vcsim/vcsim next to this installation; a config error saying how to build it. */
export function locateSimulator(given: string | undefined, root: string = appRoot()): string {
  const path = given === undefined ? join(root, 'test', 'vcsim', 'vcsim') : resolve(given);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    const build = existsSync(join(root, 'scripts', 'build-vcsim.sh'))
      ? `build it with \`bash ${join(root, 'scripts', 'build-vcsim.sh')}\` (Debian's golang-go and golang-github-vmware-govmomi-dev; run as root or install them first)`
      : `build it from a checkout of the vctp repository with scripts/build-vcsim.sh and pass its path as --vcsim`;
    throw new VctpError(
      'config',
      `VMware's vCenter simulator not found at ${path}${given === undefined ? ' (the default: test/vcsim/vcsim of the checkout vctp runs from)' : ''}: ${build}`,
    );
  }
}

/** The simulator's JSON line (test/vcsim/README.md): the fields used here. */
export interface SimulatorInfo {
  url: string;
  username: string;
  password: string;
  ca_file?: string;
  vms: number;
  pid: number;
  startup_ms: number;
}

export interface Simulator {
  info: SimulatorInfo;
  /** PEM of the simulator's own CA. */
  ca: string;
  stop(): Promise<void>;
}

/** Inventory shape: 4 clusters of 2 hosts and 1 standalone host in one datacenter; -vm VMs each. */
export const SIM_CLUSTERS = 4;
export const SIM_STANDALONE_HOSTS = 1;

/** The -vm flag for about `vms` VMs in one simulator (each cluster and standalone host gets -vm VMs). */
export function vmFlagFor(vms: number): number {
  return Math.max(1, Math.round(vms / (SIM_CLUSTERS + SIM_STANDALONE_HOSTS)));
}

const running = new Set<ChildProcess>();
let exitHook = false;

function killAllSync(): void {
  for (const child of running) child.kill('SIGTERM');
}

export interface StartOptions {
  binary: string;
  /** One directory per simulator (its certificates) is made below this. */
  dir: string;
  count: number;
  vmsPerVcenter: number;
  /** The one password each accepts (user name: benchmark). */
  password: string;
  /** How many start at once (each one builds its inventory on a core). */
  parallel?: number;
  signal?: AbortSignal;
  onStarted?: (started: readonly Simulator[]) => void;
}

/** Starts `count` simulators; on any failure (or abort) the ones started are stopped before it throws. */
export async function startSimulators(options: StartOptions): Promise<Simulator[]> {
  const sims: Simulator[] = [];
  const parallel = options.parallel ?? 2;
  try {
    for (let i = 0; i < options.count; i += parallel) {
      options.signal?.throwIfAborted();
      const batch = Array.from({ length: Math.min(parallel, options.count - i) }, (_, k) => startOne(options, i + k));
      const settled = await Promise.allSettled(batch);
      for (const s of settled) if (s.status === 'fulfilled') sims.push(s.value);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      options.onStarted?.(sims);
    }
    options.signal?.throwIfAborted();
    return sims;
  } catch (error) {
    await stopAll(sims);
    throw error;
  }
}

export async function stopAll(sims: readonly Simulator[]): Promise<void> {
  await Promise.all(sims.map((s) => s.stop()));
}

async function startOne(options: StartOptions, index: number): Promise<Simulator> {
  const certDir = join(options.dir, `vcsim-${index + 1}`);
  const args = [
    '-exit-on-stdin-eof',
    '-dc', '1',
    '-cluster', String(SIM_CLUSTERS),
    '-host', '2',
    '-standalone-host', String(SIM_STANDALONE_HOSTS),
    '-vm', String(vmFlagFor(options.vmsPerVcenter)),
    '-seed', String(index + 1),
    '-cert-dir', certDir,
    '-username', 'benchmark',
    '-password', options.password,
  ];
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killAllSync);
  }
  const child = spawn(options.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  const exited = new Promise<void>((done) => {
    const gone = (): void => {
      running.delete(child);
      done();
    };
    child.once('exit', gone);
    child.once('error', gone);
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      child.stdin?.destroy();
    })();
    return stopping;
  };
  try {
    const info = await readSimulatorReadyLine<SimulatorInfo>(child, exited, 300_000, () => `its last messages:\n${stderr.trim()}`, options.signal);
    const ca = info.ca_file ? readFileSync(info.ca_file, 'utf8') : '';
    return { info, ca, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
