// The one composition root: settings -> logger -> store -> metrics, assembled here for every entry
// point (the CLI now, `vctp serve` later). Entry points ask this module for a runtime and hand its
// job context to jobs and queries; none of them opens a database or reads the environment itself.
import { isInteractiveTerminal, loadSettings, readRuntimeEnv, resolveVcenterLogins, settingsPathFrom } from '../config/index.js';
import type { LoadedSettings, RuntimeEnv, Settings, VcenterLogin } from '../config/index.js';

export type { Settings, VcenterLogin };
import type { JobContext } from '../jobs/context.js';
import { createLogger, type Logger, type LogLevel } from '../log/logger.js';
import { installInterrupt } from './interrupt.js';
import { textfilePublisher } from '../metrics/textfile-publisher.js';
import type { Store } from '../store/executor.js';
import { interruptible } from '../store/interruptible-store.js';
import { openStore } from '../store/open-store.js';
import { openStoreForReading } from '../store/read-only-store.js';

export interface RuntimeOptions {
  /** --settings; else $VCTP_SETTINGS, else /etc/dtms/vctp.yml. */
  settings?: string;
  /** --log-level; else settings.log_level. */
  logLevel?: LogLevel;
  /** --quiet: only errors are logged. */
  quiet?: boolean;
  /** Where log lines go (default stderr): the CLI's progress display passes a stream that clears and redraws its line around each. */
  logDestination?: NodeJS.WritableStream;
  /** --metrics-textfile-dir; else settings.metrics_textfile_dir. */
  metricsTextfileDir?: string;
}

/** What a command that needs no database gets: the settings, a logger and the process facts. */
export interface SettingsRuntime {
  loaded: LoadedSettings;
  settings: Settings;
  log: Logger;
  env: RuntimeEnv;
  /** Whether stderr is a terminal that can redraw a progress line. */
  interactive: boolean;
  /**
   * Every configured vCenter (vcenter_addresses and vcenters) with its username and decrypted
   * password; plaintext passwords are encrypted in the settings file in place.
   */
  vcenterLogins(): Promise<VcenterLogin[]>;
}

export interface Runtime extends SettingsRuntime {
  store: Store;
  ctx: JobContext;
}

export async function loadRuntimeSettings(options: RuntimeOptions): Promise<SettingsRuntime> {
  // Files vctp creates (the SQLite database and its -wal/-shm, directories) get no more access than
  // the settings file's 0640 root:vctp: umask 0027 (as the units' UMask=), or stricter if already so.
  // Metrics textfiles are 0644 regardless (src/files/atomic-write.ts): node_exporter reads them.
  process.umask(process.umask(0o027) | 0o027);
  const loaded = await loadSettings(settingsPathFrom(options.settings));
  const level = options.quiet ? 'error' : (options.logLevel ?? loaded.settings.log_level);
  const log = createLogger({ level, output: loaded.settings.log_output, destination: options.logDestination });
  for (const warning of loaded.warnings) log.warn(`${loaded.path}: ${warning}`);
  return {
    loaded,
    settings: loaded.settings,
    log,
    env: readRuntimeEnv(),
    interactive: isInteractiveTerminal(process.stderr),
    vcenterLogins: () => resolveVcenterLogins(loaded, log),
  };
}

/** How a command opens the database. */
export interface OpenOptions {
  /** Apply pending migrations first (default true; `db migrate` migrates itself, as a job). */
  migrate?: boolean;
  /** Read-only commands: create, migrate and write nothing, and refuse what is not a vctp database. */
  readOnly?: boolean;
}

/**
 * Runs `fn` with the database open (and migrated, unless `migrate: false` or `readOnly`) and closes
 * it whatever happens. Jobs publish their metrics to the textfile directory when one is configured.
 *
 * SIGINT and SIGTERM (src/app/interrupt.ts) abort ctx.signal: the store rolls back any transaction
 * still open at its next statement, jobs stop waiting, and the run ends with an InterruptedError
 * (exit 130/143), thrown here too should `fn` have finished regardless.
 */
export async function withRuntime<T>(options: RuntimeOptions, fn: (runtime: Runtime) => Promise<T>, open: OpenOptions = {}): Promise<T> {
  const base = await loadRuntimeSettings(options);
  const interrupt = installInterrupt({ log: base.log });
  try {
    const opened = open.readOnly ? await openStoreForReading(base.settings) : await openStore(base.settings, { migrate: open.migrate ?? true });
    const ctx = jobContextOf(base, options, opened, interrupt.signal, { publishMetrics: !open.readOnly });
    const store = ctx.store;
    let result: T;
    try {
      result = await fn({ ...base, store, ctx });
    } catch (error) {
      // Whatever the abort made fail (a cancelled request, a rolled back transaction), the signal is why.
      if (!interrupt.signal.aborted || error === interrupt.signal.reason) throw error;
      base.log.debug({ err: (error as Error)?.message }, 'failed after the interrupt');
      throw interrupt.signal.reason;
    } finally {
      await opened.close();
    }
    interrupt.signal.throwIfAborted();
    return result;
  } finally {
    interrupt.dispose();
  }
}

/**
 * The context jobs and queries run with: the store rolling back at `signal` (interruptible-store.ts),
 * the wall clock, and, when a textfile directory is configured and `publishMetrics`, the textfile
 * publisher (--metrics-textfile-dir, else settings.metrics_textfile_dir).
 */
export function jobContextOf(base: SettingsRuntime, options: RuntimeOptions, opened: Store, signal: AbortSignal, { publishMetrics }: { publishMetrics: boolean }): JobContext {
  const textfileDir = options.metricsTextfileDir ?? base.settings.metrics_textfile_dir;
  return {
    store: interruptible(opened, signal),
    log: base.log,
    now: Date.now,
    signal,
    ...(textfileDir && publishMetrics ? { metrics: textfilePublisher(textfileDir) } : {}),
  };
}
