// Runs a command on a pseudo-terminal (util-linux `script`), so that prompts that need a TTY (the
// `vctp init` wizard) can be answered: wait for a text to appear, then type. No timing is
// asserted: waitFor only bounds how long a test that is going wrong may hang.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

// CSI sequences (colours, cursor moves, erase) and OSC titles: what a prompt library draws with.
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>78]/g;

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A' } as const;

export interface PtySession {
  /** Everything printed so far, ANSI sequences removed. */
  output(): string;
  /** Resolves once `pattern` appears in what was printed after the previous waitFor's match. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  type(text: string): void;
  /** Resolves with the exit status. */
  exited: Promise<number>;
}

export function startPty(command: string, options: { env?: Record<string, string>; cwd?: string } = {}): PtySession {
  // -q quiet, -f flush each write, -e return the command's exit status, -c the command.
  const child: ChildProcessWithoutNullStreams = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd,
    env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '200', LINES: '50', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let searchFrom = 0;
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const output = () => raw.replace(ANSI, '');

  return {
    output,
    exited,
    type: (text) => {
      child.stdin.write(text);
    },
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const text = output().slice(searchFrom);
          const match = pattern.exec(text);
          if (!match) return false;
          searchFrom += match.index + match[0].length;
          return resolve(match[0]), true;
        };
        if (check()) return;
        const wake = () => {
          if (check()) done();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`waited ${timeoutMs / 1000} s for ${pattern} on the terminal; it shows:\n${output().slice(-2000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
        void exited.then(() => {
          if (!check()) {
            done();
            reject(new Error(`the command exited before ${pattern} appeared; it showed:\n${output().slice(-2000)}`));
          }
        });
      });
    },
  };
}
