// SIGINT and SIGTERM for a process running a job. The first signal aborts `signal` with an
// InterruptedError: jobs stop waiting, the store rolls back the transaction in flight, the run is
// recorded as interrupted, the job lock is released, and the CLI exits 130 (SIGINT) or 143
// (SIGTERM). Should that take longer than the grace period (a statement or call that cannot be
// aborted), or should a second signal come (Ctrl-C twice), the process exits at once with that
// status: the database then rolls back what is open, and the next run takes over the lock (the
// server drops a PostgreSQL advisory lock with the connection; on SQLite the holder is provably
// dead). Without an interrupt installed, Node's defaults apply (the process dies on the signal).
import { InterruptedError, type InterruptSignal } from '../core/errors.js';
import type { Logger } from '../log/logger.js';

/** How long a job may take to unwind after the first signal. */
export const INTERRUPT_GRACE_MS = 10_000;

/** 128 + the signal's number: what a process ends with when it must not wait any longer. */
export const EXIT_STATUS: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface Interrupt {
  /** Aborted, with an InterruptedError as reason, at the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Removes the handlers (the grace timer, once started, stays: the process is on its way out). */
  dispose(): void;
}

export interface InterruptOptions {
  log: Logger;
  graceMs?: number;
  /** How the process ends when it must not wait any longer; process.exit unless a test says otherwise. */
  exit?: (status: number) => void;
}

export function installInterrupt(options: InterruptOptions): Interrupt {
  const controller = new AbortController();
  const exit = options.exit ?? ((status: number) => process.exit(status));
  const graceMs = options.graceMs ?? INTERRUPT_GRACE_MS;
  const onSignal = (signal: InterruptSignal): void => {
    if (controller.signal.aborted) {
      options.log.warn({ signal }, `${signal} again: exiting now`);
      exit(EXIT_STATUS[signal]);
      return;
    }
    const reason = new InterruptedError(signal);
    options.log.warn({ signal, graceSeconds: graceMs / 1000 }, `${signal}: stopping; what is in flight rolls back (again to exit at once)`);
    controller.abort(reason);
    // The job normally unwinds well within this; the timer must not keep the process alive itself.
    setTimeout(() => {
      options.log.error({ signal, graceSeconds: graceMs / 1000 }, `${signal}: the job did not stop in time; exiting without recording the run`);
      exit(EXIT_STATUS[signal]);
    }, graceMs).unref();
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}
