// The one composition root: settings -> logger -> store -> metrics, assembled here for every entry
// point (the CLI now, `vctp serve` later). Entry points ask this module for a runtime and hand its
// job context to jobs and queries; none of them opens a database or reads the environment itself.
import { isInteractiveTerminal, loadSettings, readRuntimeEnv, resolveVcenterPassword, settingsPathFrom } from '../config/index.js';
import type { LoadedSettings, RuntimeEnv, Settings } from '../config/index.js';

export type { Settings };
import type { JobContext } from '../jobs/context.js';
import { createLogger, type Logger, type LogLevel } from '../log/logger.js';
import { textfilePublisher } from '../metrics/textfile-publisher.js';
import type { Store } from '../store/executor.js';
import { openStore } from '../store/open-store.js';

export interface RuntimeOptions {
  /** --settings; else $VCTP_SETTINGS, else /etc/dtms/vctp.yml. */
  settings?: string;
  /** --log-level; else settings.log_level. */
  logLevel?: LogLevel;
  /** --quiet: only errors are logged. */
  quiet?: boolean;
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
  /** settings.vcenter_password, decrypted (plaintext is encrypted in the settings file in place). */
  vcenterPassword(): Promise<string>;
}

export interface Runtime extends SettingsRuntime {
  store: Store;
  ctx: JobContext;
}

export async function loadRuntimeSettings(options: RuntimeOptions): Promise<SettingsRuntime> {
  const loaded = await loadSettings(settingsPathFrom(options.settings));
  const level = options.quiet ? 'error' : (options.logLevel ?? loaded.settings.log_level);
  const log = createLogger({ level, output: loaded.settings.log_output });
  for (const warning of loaded.warnings) log.warn(`${loaded.path}: ${warning}`);
  return {
    loaded,
    settings: loaded.settings,
    log,
    env: readRuntimeEnv(),
    interactive: isInteractiveTerminal(process.stderr),
    vcenterPassword: () => resolveVcenterPassword(loaded, log),
  };
}

/**
 * Runs `fn` with the database open (and migrated, unless `migrate: false`) and closes it whatever
 * happens. Jobs publish their metrics to the textfile directory when one is configured.
 */
export async function withRuntime<T>(options: RuntimeOptions, fn: (runtime: Runtime) => Promise<T>, open: { migrate?: boolean } = {}): Promise<T> {
  const base = await loadRuntimeSettings(options);
  const store = await openStore(base.settings, { migrate: open.migrate ?? true });
  const textfileDir = options.metricsTextfileDir ?? base.settings.metrics_textfile_dir;
  const ctx: JobContext = {
    store,
    log: base.log,
    now: Date.now,
    ...(textfileDir ? { metrics: textfilePublisher(textfileDir) } : {}),
  };
  try {
    return await fn({ ...base, store, ctx });
  } finally {
    await store.close();
  }
}
