// Where the package tests install the .deb: this machine, seen through copy-on-write layers.
//
// Other test files run at the same time (two at a time) and some rely on what the package creates
// being absent (/etc/dtms/vctp.yml is the default settings path, /usr/bin/vctp, the vctp user). So
// the install happens in a private mount namespace (unshare -m) whose /etc, /usr and /var are
// overlays of the real ones with their upper layers on a tmpfs: dpkg, the maintainer scripts and
// every check run there (nsenter), see the real system underneath, and nothing they write is
// visible outside. When the namespace's holder process ends (close(), or this process dying: it
// waits on our pipe), the namespace and every change vanish. The machine is left exactly as it was,
// whatever the test's outcome.
//
// Where mount namespaces or overlayfs are not available (not root, a restricted container), the
// same commands run directly on the host, and the caller must refuse to start on a machine that
// already has vctp and clean up in a finally.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Host {
  /** True when commands run in the overlay namespace; false: directly on this machine. */
  readonly isolated: boolean;
  /** Why the overlay namespace could not be made (isolated false). */
  readonly reason?: string;
  run(command: string, args?: string[], options?: { input?: string }): Promise<Run>;
  close(): Promise<void>;
}

export function runCommand(command: string, args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? '/', env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
    // A command that never reads its stdin may exit before the write: EPIPE then means nothing.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

// Runs in the new namespace: a tmpfs for the upper layers, one overlay per directory, then waits
// until its stdin closes. Mount propagation is private, so none of it reaches the host.
const OVERLAID = ['/etc', '/usr', '/var'];
const HOLDER = `set -e
base="$1"
mount -t tmpfs -o mode=0700 vctp-package-test "$base"
for d in ${OVERLAID.join(' ')}; do
  n="$(echo "$d" | tr / _)"
  mkdir -p "$base/up$n" "$base/work$n"
  mount -t overlay overlay -o "lowerdir=$d,upperdir=$base/up$n,workdir=$base/work$n" "$d"
done
echo ready
read -r _ || true
`;

export async function openHost(): Promise<Host> {
  const base = mkdtempSync(join(tmpdir(), 'vctp-package-ns-'));
  const holder = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', HOLDER, 'holder', base], { stdio: ['pipe', 'pipe', 'pipe'] });
  const ready = await new Promise<string | undefined>((resolve) => {
    let out = '';
    let err = '';
    holder.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolve(undefined);
    });
    holder.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    holder.on('error', (error) => resolve(error.message));
    holder.on('close', (code) => resolve(`unshare exited ${code}: ${err.trim()}`));
  });
  if (ready !== undefined) {
    rmSync(base, { recursive: true, force: true });
    return directHost(ready);
  }
  return overlayHost(holder, base);
}

function overlayHost(holder: ChildProcess, base: string): Host {
  const pid = String(holder.pid);
  return {
    isolated: true,
    run: (command, args = [], options = {}) => runCommand('nsenter', ['-t', pid, '-m', '--', command, ...args], options),
    close: async () => {
      if (holder.exitCode === null) {
        const closed = new Promise((resolve) => holder.once('close', resolve));
        holder.stdin?.end();
        await closed;
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

function directHost(reason: string): Host {
  return {
    isolated: false,
    reason,
    run: (command, args = [], options = {}) => runCommand(command, args, options),
    close: async () => {},
  };
}
