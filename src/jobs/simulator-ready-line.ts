// The first line VMware's simulator (our main in test/vcsim) prints on stdout: a JSON object saying
// where it listens, once it does. Shared by `vctp demo` and `vctp benchmark capture`, which start
// the simulator each their own way (a log file; stderr kept in memory).
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { VctpError } from '../core/errors.js';

/**
 * Resolves with the parsed ready line. Fails (a VctpError ending in `whereToLook()`, e.g. "its log:
 * FILE") when the simulator cannot start, exits first or prints nothing within `timeoutMs`; with the
 * signal's reason when `signal` fires first. Keeps draining stdout afterwards so the child never
 * blocks on a full pipe.
 */
export function readSimulatorReadyLine<T>(
  child: ChildProcess,
  exited: Promise<void>,
  timeoutMs: number,
  whereToLook: () => string,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise((resolveInfo, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!settle()) return;
      lines.close();
      reject(error);
    };
    const failWith = (why: string): void => fail(new VctpError('internal', `VMware's simulator ${why}; ${whereToLook()}`));
    const onAbort = (): void => fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => failWith(`printed nothing within ${timeoutMs / 1000} s`), timeoutMs);
    child.once('error', (error) => failWith(`could not be started (${error.message})`));
    void exited.then(() => failWith(`exited (code ${child.exitCode}, signal ${child.signalCode}) before listening`));
    lines.once('line', (line) => {
      if (!settle()) return;
      try {
        resolveInfo(JSON.parse(line) as T);
      } catch {
        reject(new VctpError('internal', `VMware's simulator printed a line that is not JSON: ${line}`));
      }
      lines.on('line', () => {});
    });
  });
}
