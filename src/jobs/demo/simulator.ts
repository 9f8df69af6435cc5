// VMware's vCenter simulator for `vctp demo`: govmomi's simulator with our main in test/vcsim/,
// built from a checkout by scripts/build-vcsim.sh (Debian's golang-go and govmomi packages) and
// started as a child process that prints one JSON line once it listens. An installed package has
// no Go sources, so the demo runs from a checkout only.
//
// The child dies with us however we go: stop() on every path of the command, SIGTERM from an
// exit hook, stdin EOF (-exit-on-stdin-eof) and PR_SET_PDEATHSIG (test/vcsim/main.go).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VctpError } from '../../core/errors.js';
import { readSimulatorReadyLine } from '../simulator-ready-line.js';

export interface Checkout {
  /** The repository's top directory. */
  root: string;
  buildScript: string;
}

/**
 * The checkout this vctp runs from (src/jobs/demo or dist/jobs/demo is three levels below its
 * top), or a usage error saying the demo needs one.
 */
export function findCheckout(moduleUrl: string = import.meta.url): Checkout {
  const root = resolve(dirname(fileURLToPath(moduleUrl)), '../../..');
  const buildScript = join(root, 'scripts', 'build-vcsim.sh');
  if (!existsSync(buildScript) || !existsSync(join(root, 'test', 'vcsim', 'main.go'))) {
    throw new VctpError(
      'usage',
      `vctp demo needs a checkout of the vctp repository: it builds VMware's vCenter simulator from test/vcsim/*.go ` +
        `with scripts/build-vcsim.sh, and this installation (${root}) has neither. Clone the repository and run npm run demo there.`,
    );
  }
  return { root, buildScript };
}

/**
 * Runs scripts/build-vcsim.sh (a no-op when the binary is fresh; installs golang-go and govmomi
 * from Debian when missing) and resolves to the binary's path. Its progress goes to our stderr.
 */
export function buildSimulator(checkout: Checkout): Promise<string> {
  return new Promise((resolvePath, reject) => {
    const child = spawn('bash', [checkout.buildScript], { cwd: checkout.root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.once('error', (error) => reject(new VctpError('config', `cannot run bash ${checkout.buildScript}: ${error.message}`)));
    child.once('close', (code, signal) => {
      const path = stdout.trim().split('\n').pop();
      if (code === 0 && path && existsSync(path)) return resolvePath(path);
      reject(
        new VctpError(
          'config',
          `scripts/build-vcsim.sh failed (${signal ?? `exit ${code}`}): the demo needs VMware's simulator, built from Debian's ` +
            'golang-go and golang-github-vmware-govmomi-dev (run as root, or install them first); its messages are above',
        ),
      );
    });
  });
}

export interface SimulatorOptions {
  binary: string;
  /** The simulator writes its CA and server certificate here. */
  certDir: string;
  /** Its stderr goes to this file. */
  logFile: string;
  username: string;
  password: string;
  /** Reference time for the inventory's createDate values (spread over the 400 days before). */
  now: number;
  /** Clusters per datacenter, hosts per cluster, VMs per cluster and standalone host. */
  clusters: number;
  hosts: number;
  vmsPerCluster: number;
  seed: number;
  startTimeoutMs?: number;
}

/** The simulator's JSON line (test/vcsim/README.md), the fields the demo uses. */
export interface SimulatorInfo {
  url: string;
  username: string;
  password: string;
  ca_file?: string;
  vms: number;
  templates: number;
  srm_placeholders: number;
  clusters: number;
  hosts: number;
  pid: number;
  startup_ms: number;
}

export interface RunningSimulator {
  info: SimulatorInfo;
  url: string;
  caFile: string | null;
  logFile: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it is gone. Idempotent. */
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const args = [
    '-exit-on-stdin-eof',
    '-dc', '1',
    '-cluster', String(options.clusters),
    '-host', String(options.hosts),
    '-vm', String(options.vmsPerCluster),
    '-seed', String(options.seed),
    '-now', String(options.now),
    '-cert-dir', options.certDir,
    '-username', options.username,
    '-password', options.password,
    // Custom attributes (Tenant, Owner) and tags (CostCentre, Environment) for cost dimensions.
    '-attributes',
  ];
  const log = openSync(options.logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(options.binary, args, { stdio: ['pipe', 'pipe', log] });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', () => done());
  });
  const onExit = (): void => void child.kill('SIGTERM');
  process.on('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      child.stdin?.destroy();
      process.off('exit', onExit);
    })();
    return stopping;
  };

  try {
    const info = await readSimulatorReadyLine<SimulatorInfo>(child, exited, options.startTimeoutMs ?? 120_000, () => `its log: ${options.logFile}`);
    return { info, url: info.url, caFile: info.ca_file ?? null, logFile: options.logFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
