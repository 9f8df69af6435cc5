// The runtime of `vctp serve`: like withRuntime (runtime.ts) but long-lived. The database is opened
// (and migrated) once and shared by every request; signals do not abort at once but ask the server
// to drain: the first SIGINT or SIGTERM resolves `stopRequested`, the server stops accepting and
// lets the requests in flight finish; `abortInFlight()` then stops what is still running (a job in
// flight rolls back, as a CLI job does at a signal) and `close()` closes the database. A second
// signal exits at once.
import { InterruptedError, type InterruptSignal } from '../core/errors.js';
import type { JobContext } from '../jobs/context.js';
import { openStore } from '../store/open-store.js';
import { EXIT_STATUS } from './interrupt.js';
import { jobContextOf, loadRuntimeSettings, type RuntimeOptions, type SettingsRuntime } from './runtime.js';

export interface ServeRuntime extends SettingsRuntime {
  /** Store, logger, clock, metrics publisher and the abort signal for jobs and queries. */
  ctx: JobContext;
  /** Resolves with the first SIGINT or SIGTERM. */
  stopRequested: Promise<InterruptSignal>;
  /** Aborts ctx.signal: jobs still running roll back. */
  abortInFlight(signal: InterruptSignal): void;
  /** Closes the database and removes the signal handlers. */
  close(): Promise<void>;
}

export async function openServeRuntime(options: RuntimeOptions): Promise<ServeRuntime> {
  const base = await loadRuntimeSettings(options);
  const opened = await openStore(base.settings);
  const controller = new AbortController();
  let resolveStop: (signal: InterruptSignal) => void = () => undefined;
  const stopRequested = new Promise<InterruptSignal>((resolve) => (resolveStop = resolve));
  let stopping = false;
  const onSignal = (signal: InterruptSignal) => {
    if (stopping) {
      base.log.warn({ signal }, `${signal} again: exiting now`);
      process.exit(EXIT_STATUS[signal]);
    }
    stopping = true;
    resolveStop(signal);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const ctx = jobContextOf(base, options, opened, controller.signal, { publishMetrics: true });
  return {
    ...base,
    ctx,
    stopRequested,
    abortInFlight: (signal) => controller.abort(new InterruptedError(signal)),
    close: async () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      await opened.close();
    },
  };
}
