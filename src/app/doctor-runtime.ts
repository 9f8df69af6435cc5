// What `vctp doctor` gets instead of a runtime: the settings *or why they did not load* (a broken
// file is a finding, not a crash), the keys the file sets that vctp ignores, a logger, and the
// vCenter passwords decrypted without the in-place rewrite that runtime.ts's resolver does. No
// database is opened here: doctor opens it read-only itself, and reports when it cannot.
import { ignoredKeysOf, ignoredKeyWarnings, loadSettings, readVcenterLogins, settingsPathFrom } from '../config/index.js';
import type { IgnoredKey, ReadLogin, Settings } from '../config/index.js';
import { isVctpError } from '../core/errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { RuntimeOptions } from './runtime.js';

export type { IgnoredKey, ReadLogin, Settings };

export interface DoctorRuntime {
  settingsPath: string;
  /** null when the file did not load; settingsError says why. */
  settings: Settings | null;
  settingsError: string | null;
  /** The loader's warnings, less those about ignored keys (ignoredKeys lists every one). */
  warnings: string[];
  /** Keys the file sets that vctp accepts but does not act on, with the reason. */
  ignoredKeys: readonly IgnoredKey[];
  log: Logger;
  /** Every configured vCenter's login, the passwords decrypted (or why not); the settings file is never rewritten. */
  vcenterLogins(): ReadLogin[];
}

export async function loadDoctorRuntime(options: RuntimeOptions): Promise<DoctorRuntime> {
  const settingsPath = settingsPathFrom(options.settings);
  try {
    const loaded = await loadSettings(settingsPath);
    const ignoredKeys = ignoredKeysOf(loaded);
    const aboutIgnored = new Set(ignoredKeyWarnings(ignoredKeys));
    return {
      settingsPath,
      settings: loaded.settings,
      settingsError: null,
      warnings: loaded.warnings.filter((w) => !aboutIgnored.has(w)),
      ignoredKeys,
      log: createLogger({ level: options.quiet ? 'error' : (options.logLevel ?? loaded.settings.log_level), output: loaded.settings.log_output }),
      vcenterLogins: () => readVcenterLogins(loaded),
    };
  } catch (error) {
    if (!isVctpError(error)) throw error;
    return {
      settingsPath,
      settings: null,
      settingsError: error.message,
      warnings: [],
      ignoredKeys: [],
      log: createLogger({ level: options.quiet ? 'error' : (options.logLevel ?? 'info'), output: 'text' }),
      vcenterLogins: () => [],
    };
  }
}
