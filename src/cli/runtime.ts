// What a command needs around its job: the settings (read once), a logger configured from them,
// and the database opened and migrated. Closing happens here too, whatever the job did.
import { loadSettings } from '../config/load-settings.js';
import { settingsPathFrom } from '../config/env.js';
import type { LoadedSettings, Settings } from '../config/settings-types.js';
import type { JobContext } from '../jobs/context.js';
import { createLogger, type Logger, type LogLevel } from '../log/logger.js';
import type { Store } from '../store/executor.js';
import { openStore } from '../store/open-store.js';

export interface GlobalOptions {
  settings?: string;
  logLevel?: LogLevel;
}

export interface Runtime {
  loaded: LoadedSettings;
  settings: Settings;
  log: Logger;
  store: Store;
  ctx: JobContext;
}

export async function loadCliSettings(globals: GlobalOptions): Promise<{ loaded: LoadedSettings; log: Logger }> {
  const loaded = await loadSettings(settingsPathFrom(globals.settings));
  const log = createLogger({ level: globals.logLevel ?? loaded.settings.log_level, output: loaded.settings.log_output });
  for (const warning of loaded.warnings) log.warn(`${loaded.path}: ${warning}`);
  return { loaded, log };
}

export async function withRuntime<T>(globals: GlobalOptions, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const { loaded, log } = await loadCliSettings(globals);
  const store = await openStore(loaded.settings);
  try {
    return await fn({ loaded, settings: loaded.settings, log, store, ctx: { store, log, now: Date.now } });
  } finally {
    await store.close();
  }
}
